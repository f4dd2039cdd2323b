package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// incidentCatalogue is the incident profile's part of the rule catalogue
// of rules/README.md: the stable IDs.
var incidentCatalogue = []string{
	"cloudfront-oac-source-arn-mismatch",
	"cloudfront-oai-not-granted",
	"cloudfront-origin-breaks-on-block-public-access",
	"cloudfront-origin-bucket-missing",
	"cloudfront-origin-kms-unreadable",
	"cloudfront-origin-objects-unreadable",
	"cloudfront-origin-public-bucket",
	"cloudfront-viewer-http-allowed",
	"s3-account-public-access-block-off",
	"s3-bucket-access-logging-off",
	"s3-bucket-acl-public",
	"s3-bucket-acls-enabled",
	"s3-bucket-insecure-transport",
	"s3-bucket-policy-public",
	"s3-bucket-public-access-block-off",
	"s3-object-acl-public",
	"s3-object-external-owner",
	"s3-object-foreign-owner",
}

// hipaaRules are the controls the hipaa profile adds; allRules those only
// the all profile runs (opt-in stricter rules).
var (
	hipaaRules = []string{
		"cloudfront-access-logging-off",
		"cloudfront-viewer-tls-outdated",
		"s3-bucket-data-events-off",
		"s3-bucket-encryption-weakened",
		"s3-bucket-versioning-off",
	}
	allRules = []string{"s3-bucket-encryption-not-cmk"}
)

// catalogue is every embedded rule, sorted.
var catalogue = slices.Sorted(slices.Values(slices.Concat(incidentCatalogue, hipaaRules, allRules)))

func TestProfilesSelectTheirRules(t *testing.T) {
	for _, tc := range []struct {
		profile string
		want    []string
	}{
		{findings.ProfileIncident, incidentCatalogue},
		{findings.ProfileHIPAA, slices.Concat(incidentCatalogue, hipaaRules)},
		{findings.ProfileAll, catalogue},
		{"", catalogue},
	} {
		t.Run("profile "+tc.profile, func(t *testing.T) {
			e, err := Load(t.Context(), Options{Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range e.Rules() {
				ids = append(ids, r.ID)
				if tc.profile != "" && !slices.Contains(r.Profiles, tc.profile) {
					t.Errorf("rule %s runs in profile %s but lists %v", r.ID, tc.profile, r.Profiles)
				}
			}
			if want := slices.Sorted(slices.Values(tc.want)); !slices.Equal(ids, want) {
				t.Errorf("profile %q runs\n%v\nwant\n%v", tc.profile, ids, want)
			}
		})
	}
	if _, err := Load(t.Context(), Options{Profile: "pci"}); err == nil || !strings.Contains(err.Error(), "incident, hipaa, all") {
		t.Errorf("unknown profile: err = %v", err)
	}
	t.Run("user rules join every profile", func(t *testing.T) {
		dir := t.TempDir()
		writeRule(t, dir, "named_public.rego", goodUserRule)
		e, err := Load(t.Context(), Options{Dirs: []string{dir}, Profile: findings.ProfileIncident})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(e.Rules()); n != len(incidentCatalogue)+1 {
			t.Fatalf("%d rules, want the incident profile and the user rule", n)
		}
	})
}

func loadEmbedded(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(t.Context(), Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

func TestEmbeddedRulesAreTheCatalogueWithCompleteMetadata(t *testing.T) {
	e := loadEmbedded(t)
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
		t.Run(r.ID, func(t *testing.T) {
			if r.Title == "" || r.Description == "" || r.Remediation == "" || r.RemediationCLI == "" || r.HelpURL == "" {
				t.Errorf("incomplete metadata: %+v", r)
			}
			if len(r.HIPAA) == 0 || len(r.RelatedResources) == 0 {
				t.Errorf("no HIPAA references or related resources: %+v", r)
			}
			if !strings.HasPrefix(r.Source, "embedded:policies/") {
				t.Errorf("source = %q", r.Source)
			}
			if !strings.HasPrefix(r.RemediationCLI, "aws ") {
				t.Errorf("remediation_cli %q is not an AWS CLI command", r.RemediationCLI)
			}
			wantSampled := r.ResourceType == findings.ResourceS3Object
			if r.Sampled != wantSampled {
				t.Errorf("sampled = %v for resource type %s", r.Sampled, r.ResourceType)
			}
		})
	}
	if !slices.Equal(ids, catalogue) {
		t.Fatalf("embedded rule IDs:\n%v\nwant the rules/README.md catalogue:\n%v", ids, catalogue)
	}
}

func TestHIPAAMappingMatchesRuleMetadata(t *testing.T) {
	m, err := HIPAA()
	if err != nil {
		t.Fatal(err)
	}
	fromMapping := map[string][]string{}
	for _, s := range m.Sections {
		if s.Title == "" || s.Safeguard == "" {
			t.Errorf("section %s lacks a title or safeguard", s.ID)
		}
		for _, id := range s.Rules {
			if !slices.Contains(catalogue, id) {
				t.Errorf("section %s maps unknown rule %s", s.ID, id)
			}
			fromMapping[id] = append(fromMapping[id], s.ID)
		}
	}
	for _, r := range loadEmbedded(t).Rules() {
		got := slices.Sorted(slices.Values(r.HIPAA))
		want := slices.Sorted(slices.Values(fromMapping[r.ID]))
		if !slices.Equal(got, want) {
			t.Errorf("rule %s METADATA hipaa = %v, rules/hipaa.yaml says %v", r.ID, got, want)
		}
	}
}

func writeRule(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

const goodUserRule = `# METADATA
# title: Bucket name says public
# description: Buckets named public-* are suspicious.
# custom:
#   id: user-bucket-named-public
#   severity: low
#   hipaa: ["164.312(a)(1)"]
#   resource_type: AwsS3Bucket
#   remediation: Rename the bucket.
package user.rules.named_public

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	startswith(b.name, "sandbox-")
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, sprintf("bucket %s", [b.name]), {})
}
`

func TestLoadRejectsBrokenUserRulesWithFileAndLine(t *testing.T) {
	meta := func(custom string) string {
		return "# METADATA\n# title: T\n# description: D\n# custom:\n" + custom + "package user.bad\n\ndeny contains {\"x\": 1} if false\n"
	}
	const base = "#   severity: low\n#   resource_type: AwsS3Bucket\n#   remediation: R\n"
	tests := []struct {
		name, file, text, want string
	}{
		{"a syntax error names the file and line", "syntax.rego", "package user.bad\n\ndeny contains x if {\n  x := \n}\n", "syntax.rego:5: rego_parse_error"},
		{"a missing severity names the METADATA line", "nosev.rego", meta("#   id: user-x\n#   resource_type: AwsS3Bucket\n#   remediation: R\n"), "nosev.rego:1: bad rule metadata: custom.severity is required"},
		{"every problem of one rule at once", "many.rego", "# METADATA\n# custom:\n#   id: user-x\n#   severty: low\n#   resource_type: Bucket\npackage user.bad\n\ndeny contains {\"x\": 1} if false\n",
			`many.rego:1: bad rule metadata: unknown custom key "severty"; rule user-x: title is required; rule user-x: description is required; custom.severity is required; custom.remediation is required; rule user-x: custom.resource_type "Bucket"`},
		{"an unknown severity is rejected", "badsev.rego", meta("#   id: user-x\n#   severity: urgent\n#   resource_type: AwsS3Bucket\n#   remediation: R\n"), `custom.severity "urgent"`},
		{"a typo in a custom key is rejected", "typo.rego", meta("#   id: user-x\n#   severty: low\n" + base), `unknown custom key "severty"`},
		{"a bad resource type is rejected", "restype.rego", meta("#   id: user-x\n#   severity: low\n#   resource_type: Bucket\n#   remediation: R\n"), `custom.resource_type "Bucket"`},
		{"hipaa must be a list", "hipaa.rego", meta("#   id: user-x\n#   hipaa: 164.312(b)\n" + base), "custom.hipaa must be a list"},
		{"an ID of the embedded pack cannot be reused", "dup.rego", meta("#   id: s3-bucket-acl-public\n" + base), "dup.rego:1: bad rule metadata: rule ID s3-bucket-acl-public is already defined in embedded:policies/s3/bucket_acl_public.rego"},
		{"a copy of the built-in library names the built-in package", "lib.rego", "# METADATA\n# title: my lib\npackage hoofprint.lib\n\nx := 1\n", "lib.rego:3: package data.hoofprint.lib is a built-in package (embedded:policies/lib/lib.rego)"},
		{"an ID must be lower-case words", "id.rego", meta("#   id: User_X\n" + base), `custom.id "User_X"`},
		{"deny without METADATA is rejected", "nometa.rego", "package user.bad\n\ndeny contains {\"x\": 1} if false\n", "nometa.rego:1: bad rule metadata: package data.user.bad defines deny but has no package-scoped METADATA"},
		{"a rule without deny is rejected", "nodeny.rego", "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: user-x\n" + base + "package user.bad\n\nallow := true\n", "does not define deny"},
		{"an unknown scope is rejected", "scope.rego", meta("#   id: user-x\n#   scope: account\n" + base), "scope.rego:1: bad rule metadata: rule user-x: custom.scope account must be one of bucket, origins, organization"},
		{"a scope must be a string", "scopelist.rego", meta("#   id: user-x\n#   scope: [bucket]\n" + base), "scopelist.rego:1: bad rule metadata: rule user-x: custom.scope [bucket] must be one of"},
		{"a sampled rule takes no scope", "scopesampled.rego", meta("#   id: user-x\n#   sampled: true\n#   scope: bucket\n" + base), "scopesampled.rego:1: bad rule metadata: rule user-x: custom.scope applies to rules with sampled: false"},
		{"a help URL must be a URL", "url.rego", meta("#   id: user-x\n#   help_url: not a url\n" + base), "is not an http(s) URL"},
		{"a typo in an input field is a type error", "typo_input.rego", "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: user-x\n" + base + "package user.bad\n\ndeny contains {\"x\": b.name} if {\n\tsome b in input.bukets\n}\n", "typo_input.rego:12: rego_type_error: undefined ref: input.bukets"},
		{"a typo in a nested input field is a type error", "typo_nested.rego", "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: user-x\n" + base + "package user.bad\n\ndeny contains {\"x\": b.name} if {\n\tsome b in input.buckets\n\tb.publicAccesBlock.ignorePublicAcls == false\n}\n", "typo_nested.rego:13: rego_type_error: undefined ref: b.publicAccesBlock"},
		{"a compile error names the file and line", "compile.rego", meta("#   id: user-x\n"+base) + "\nbroken if undefined_function(1)\n", "compile.rego:13: rego_type_error: undefined function undefined_function"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRule(t, dir, tc.file, tc.text)
			_, err := Load(t.Context(), Options{Dirs: []string{dir}})
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("error %q\nwant it to contain %q and the file name", err, tc.want)
			}
		})
		// `rules test DIR` applies the same checks before running a test
		// (issue 15: it passed a duplicate ID and severity "severe", and
		// showed a bare FAIL for input.bukets). A copy of a built-in
		// package is the one difference: rules test lets it replace the
		// original, by design.
		if strings.HasPrefix(tc.name, "a copy of the built-in library") {
			continue
		}
		t.Run("rules test: "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRule(t, dir, tc.file, tc.text)
			writeRule(t, dir, "ok_test.rego", "package user.ok_test\n\ntest_ok if true\n")
			var out strings.Builder
			_, _, err := RunTests(t.Context(), []string{dir}, &out, false)
			if err == nil {
				t.Fatalf("rules test passed:\n%s", out.String())
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("error %q\nwant it to contain %q and the file name", err, tc.want)
			}
		})
	}
}

func TestUserRulesAreEvaluatedWithTheEmbeddedOnes(t *testing.T) {
	dir := t.TempDir()
	writeRule(t, dir, "named_public.rego", goodUserRule)
	writeRule(t, dir, "named_public_test.rego", "package user.rules.named_public_test\n\nimport data.user.rules.named_public\n\ntest_fires if {\n\tcount(named_public.deny) == 1 with input as {\"buckets\": [{\"name\": \"sandbox-a\", \"arn\": \"arn:aws:s3:::sandbox-a\", \"accountId\": \"1\", \"region\": \"r\"}]}\n}\n\ntest_wrong if {\n\tcount(named_public.deny) == 2 with input as {\"buckets\": []}\n}\n")
	e, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.Rules()); n != len(catalogue)+1 {
		t.Fatalf("%d rules loaded, want %d", n, len(catalogue)+1)
	}
	fs, err := e.Evaluate(t.Context(), healthcorpSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !has(fs, "user-bucket-named-public", "arn:aws:s3:::sandbox-public-site") {
		t.Fatal("user rule did not fire")
	}

	t.Run("rules test DIR runs the user's tests against the embedded library", func(t *testing.T) {
		var out bytes.Buffer
		passed, failed, err := RunTests(t.Context(), []string{dir}, &out, false)
		if err != nil {
			t.Fatal(err)
		}
		if passed != 1 || failed != 1 {
			t.Fatalf("passed=%d failed=%d, want 1 and 1\n%s", passed, failed, out.String())
		}
		if !strings.Contains(out.String(), "test_wrong") {
			t.Fatalf("report does not name the failing test:\n%s", out.String())
		}
	})
}

func TestWriteTableListsEveryRule(t *testing.T) {
	var out bytes.Buffer
	rules := loadEmbedded(t).Rules()
	if err := WriteTable(&out, rules); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(rules)+1 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("table:\n%s", out.String())
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) < 4 || !strings.HasPrefix(f[len(f)-1], "164.") {
			t.Fatalf("row %q lacks a severity, title or HIPAA column", l)
		}
	}
	if !strings.Contains(out.String(), "cloudfront-viewer-tls-outdated") {
		t.Fatalf("table lacks a hipaa-profile rule:\n%s", out.String())
	}
	for _, want := range []string{"SCOPE", " sampled ", " bucket ", " origins "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func has(fs []findings.Finding, rule, arn string) bool {
	for _, f := range fs {
		if f.RuleID == rule && f.ResourceARN == arn {
			return true
		}
	}
	return false
}

func hasPrefix(fs []findings.Finding, rule, arnPrefix string) bool {
	for _, f := range fs {
		if f.RuleID == rule && strings.HasPrefix(f.ResourceARN, arnPrefix) {
			return true
		}
	}
	return false
}

func TestGoldenFindingsForTheHealthCorpInventory(t *testing.T) {
	invPath := filepath.Join("testdata", "healthcorp-inventory.json")
	goldenPath := filepath.Join("testdata", "healthcorp-findings.golden.json")
	// The inventory is the fixture as a scan would write it; a stale copy
	// (an older schema, a fixture edited since) would make the findings below
	// golden for an organization no other test builds.
	var enc bytes.Buffer
	if err := inventory.Encode(&enc, healthcorpSnapshot()); err != nil {
		t.Fatal(err)
	}
	committed := testutil.Golden(t, invPath, enc.Bytes(), *update)
	if !bytes.Equal(committed, enc.Bytes()) {
		t.Errorf("%s differs from what healthcorpSnapshot gives now (run go test ./rules -run Golden -update and review the diff)", invPath)
	}
	inv, err := inventory.Decode(bytes.NewReader(committed))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := loadEmbedded(t).Evaluate(t.Context(), inv)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.Key()] {
			t.Errorf("two findings share the identity %s (Security Hub IDs would collide)", f.Key())
		}
		seen[f.Key()] = true
	}
	got, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if bytes.Contains(got, []byte("jane-doe")) || bytes.Contains(got, []byte("index.html")) {
		t.Fatal("findings contain an object key although the inventory kept none")
	}
	want := testutil.Golden(t, goldenPath, got, *update)
	if !bytes.Equal(got, want) {
		t.Fatalf("findings differ from %s (run go test ./rules -run Golden -update and review the diff)\n%s", goldenPath, got)
	}
}
