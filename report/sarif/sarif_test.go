package sarif_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/multitool"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/sarif"
)

var update = flag.Bool("update", false, "rewrite golden files")

func write(t *testing.T, doc findings.Document, opts sarif.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sarif.Write(&buf, doc, opts); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	want := testutil.Golden(t, path, got, *update)
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./report/sarif -update and review the diff)\n%s", path, firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	return sch
}

func validateSchema(t *testing.T, sch *jsonschema.Schema, b []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("output does not match the SARIF 2.1.0 schema: %v", err)
	}
}

// validateMultitool writes b to a file and fails on every error the SARIF
// Multitool reports with its SARIF and GitHub rules. Warnings are logged.
// It runs as a subtest: where the Multitool is missing (or under -short) the
// skip must not take the caller's other checks with it.
func validateMultitool(t *testing.T, b []byte) {
	t.Helper()
	t.Run("the SARIF Multitool reports no error", func(t *testing.T) {
		bin := multitool.Find(t)
		file := filepath.Join(t.TempDir(), "hoofprint.sarif")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		issues, console, err := multitool.Validate(bin, file)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("sarif-multitool validate --rule-kind %s:\n%s", multitool.RuleKinds, console)
		for _, is := range issues {
			if is.Level == "error" {
				t.Errorf("Multitool: %s", is)
			} else {
				t.Logf("Multitool: %s", is)
			}
		}
	})
}

func decode(t *testing.T, b []byte) *sarif.Log {
	t.Helper()
	l, err := sarif.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestWrite(t *testing.T) {
	sch := schema(t)
	tests := []struct {
		name string
		doc  findings.Document
		opts sarif.Options
		file string
	}{
		{"the HealthCorp scan becomes a valid log with every rule, result and gap", fixture.Document(), sarif.Options{}, "healthcorp.sarif"},
		{"a clean scan still lists every rule and states its sample", func() findings.Document {
			d := fixture.Document()
			d.Findings = nil
			d.Coverage.Gaps = nil
			return d
		}(), sarif.Options{AutomationID: "hoofprint/nightly/"}, "clean.sarif"},
		{"an interrupted scan says so and is not successful", func() findings.Document {
			d := fixture.Document()
			d.Coverage.Complete = false
			d.Coverage.Interrupted = "SIGTERM"
			return d
		}(), sarif.Options{}, "interrupted.sarif"},
		{"an accepted risk is a result with an external, accepted suppression", fixture.Suppressed(), sarif.Options{}, "suppressed.sarif"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := write(t, tc.doc, tc.opts)
			golden(t, tc.file, got)
			validateSchema(t, sch, got)
			validateMultitool(t, got)
		})
	}
}

func TestBuildContents(t *testing.T) {
	doc := fixture.Document()
	l, err := sarif.Build(doc, sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := l.Runs[0]
	t.Run("the HIPAA safeguards are a taxonomy and each rule relates to its sections", func(t *testing.T) {
		if len(run.Taxonomies) != 1 || run.Taxonomies[0].Name != sarif.HIPAATaxonomyName || len(run.Taxonomies[0].Taxa) != len(doc.Controls) {
			t.Fatalf("taxonomies = %+v", run.Taxonomies)
		}
		tax := run.Taxonomies[0]
		if s := run.Tool.Driver.SupportedTaxonomies; len(s) != 1 || s[0].GUID != tax.GUID || *s[0].Index != 0 {
			t.Errorf("supportedTaxonomies = %+v", s)
		}
		for i, r := range run.Tool.Driver.Rules {
			var got []string
			for _, rel := range r.Relationships {
				if rel.Target.ToolComponent == nil || rel.Target.ToolComponent.GUID != tax.GUID || tax.Taxa[*rel.Target.Index].ID != rel.Target.ID {
					t.Errorf("rule %s: relationship %+v does not point into the taxonomy", r.ID, rel)
				}
				got = append(got, rel.Target.ID)
			}
			if want := doc.Rules[i].HIPAA; !slices.Equal(got, want) {
				t.Errorf("rule %s relates to %v, want its sections %v", r.ID, got, want)
			}
		}
		doc := fixture.Document()
		doc.Controls = nil
		bare, err := sarif.Build(doc, sarif.Options{})
		if err != nil || bare.Runs[0].Taxonomies != nil || bare.Runs[0].Tool.Driver.Rules[0].Relationships != nil {
			t.Errorf("a document without controls should give no taxonomy: %v", err)
		}
	})
	t.Run("every rule carries security-severity, HIPAA tags, help with the CLI fix and a level", func(t *testing.T) {
		if len(run.Tool.Driver.Rules) != len(doc.Rules) {
			t.Fatalf("rules = %d, want %d", len(run.Tool.Driver.Rules), len(doc.Rules))
		}
		for i, r := range run.Tool.Driver.Rules {
			src := doc.Rules[i]
			if r.ID != src.ID || r.Properties["security-severity"] == "" || r.DefaultConfiguration == nil || r.DefaultConfiguration.Level == "" {
				t.Errorf("rule %s is incomplete: %+v", src.ID, r)
			}
			tags := fmt.Sprint(r.Properties["tags"])
			for _, h := range src.HIPAA {
				if !strings.Contains(tags, "HIPAA-"+h) {
					t.Errorf("rule %s tags %s lack HIPAA-%s", src.ID, tags, h)
				}
			}
			if src.RemediationCLI != "" && (!strings.Contains(r.Help.Text, src.RemediationCLI) || !strings.Contains(r.Help.Markdown, src.RemediationCLI)) {
				t.Errorf("rule %s help lacks its CLI fix", src.ID)
			}
		}
	})
	t.Run("critical rules map to GitHub's critical band and error level", func(t *testing.T) {
		found := false
		for _, r := range run.Tool.Driver.Rules {
			if r.ID == "s3-object-acl-public" {
				found = true
				if r.Properties["security-severity"] != "9.5" || r.DefaultConfiguration.Level != "error" {
					t.Errorf("s3-object-acl-public: %v %s", r.Properties["security-severity"], r.DefaultConfiguration.Level)
				}
			}
		}
		if !found {
			t.Fatal("the fixture has no s3-object-acl-public rule: nothing was checked")
		}
	})
	t.Run("each result points at its rule, a stable URI and the ARN", func(t *testing.T) {
		for i, res := range run.Results {
			f := doc.Findings[i]
			if run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID {
				t.Errorf("result %d ruleIndex points at %s, ruleId is %s", i, run.Tool.Driver.Rules[*res.RuleIndex].ID, res.RuleID)
			}
			loc := res.Locations[0]
			if !strings.HasPrefix(loc.PhysicalLocation.ArtifactLocation.URI, "aws/"+f.AccountID+"/") {
				t.Errorf("result %d URI %q", i, loc.PhysicalLocation.ArtifactLocation.URI)
			}
			if loc.LogicalLocations[0].FullyQualifiedName != f.ResourceARN {
				t.Errorf("result %d logical location %q, want %q", i, loc.LogicalLocations[0].FullyQualifiedName, f.ResourceARN)
			}
			if res.PartialFingerprints[sarif.FingerprintKey] == "" {
				t.Errorf("result %d has no fingerprint", i)
			}
		}
		want := "aws/222222222222/s3/healthcorp-prod-site"
		for _, res := range run.Results {
			if res.RuleID == "s3-bucket-access-logging-off" && res.Locations[0].PhysicalLocation.ArtifactLocation.URI != want {
				t.Errorf("bucket URI = %q, want %q", res.Locations[0].PhysicalLocation.ArtifactLocation.URI, want)
			}
		}
	})
	t.Run("every coverage gap is a tool execution notification", func(t *testing.T) {
		n := 0
		for _, note := range run.Invocations[0].ToolExecutionNotifications {
			if note.Descriptor.ID == sarif.NotificationCoverageGap {
				n++
				if !strings.Contains(note.Message.Text, "GetBucketPolicy") || !strings.Contains(note.Message.Text, "AccessDenied") {
					t.Errorf("gap notification %q lacks the operation or code", note.Message.Text)
				}
			}
		}
		if n != len(doc.Coverage.Gaps) {
			t.Errorf("gap notifications = %d, want %d", n, len(doc.Coverage.Gaps))
		}
	})
	t.Run("a sampled rule that found nothing states the sample and the 95% bound", func(t *testing.T) {
		var texts []string
		for _, note := range run.Invocations[0].ToolExecutionNotifications {
			if note.Descriptor.ID == sarif.NotificationSampleClean {
				texts = append(texts, note.AssociatedRule.ID+": "+note.Message.Text)
			}
		}
		// An ACL rule counts only the 118 objects whose ACL was read; an
		// ownership rule all 120 (owners come from the listing).
		want := "s3-object-acl-public: 0 of 118 sampled objects affected; at 95% confidence under 2.54% of objects are affected."
		if len(texts) != 2 || !strings.Contains(strings.Join(texts, "\n"), want) {
			t.Errorf("sample notes = %q, want 2 including %q", texts, want)
		}
		if owner := "s3-object-external-owner: 0 of 120 sampled objects affected"; !strings.Contains(strings.Join(texts, "\n"), owner) {
			t.Errorf("sample notes = %q, want %q", texts, owner)
		}
	})
	t.Run("the automation ID has a stable category and the run's start as instance", func(t *testing.T) {
		if got, want := run.AutomationDetails.ID, "hoofprint/o-healthcorp1/2026-11-26T02:00:00Z"; got != want {
			t.Errorf("automationDetails.id = %q, want %q", got, want)
		}
	})
}

func TestFingerprintsAreStable(t *testing.T) {
	doc := fixture.Document()
	a, err := sarif.Build(doc, sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	later := fixture.Document()
	later.StartedAt = later.StartedAt.AddDate(0, 0, 1)
	for i := range later.Findings {
		later.Findings[i].Message += " (again)"
	}
	b, err := sarif.Build(later, sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Runs[0].Results) < 2 || len(a.Runs[0].Results) != len(b.Runs[0].Results) {
		t.Fatalf("results %d and %d: the fixture must give several, the same each night", len(a.Runs[0].Results), len(b.Runs[0].Results))
	}
	// Stable across nights, and distinct between findings: a constant
	// fingerprint would be "stable" too, and merge every alert into one.
	seen := map[string]int{}
	for i := range a.Runs[0].Results {
		fp := a.Runs[0].Results[i].PartialFingerprints[sarif.FingerprintKey]
		if fp == "" || fp != b.Runs[0].Results[i].PartialFingerprints[sarif.FingerprintKey] {
			t.Errorf("result %d fingerprint %q changed between nights (or is empty)", i, fp)
		}
		if j, dup := seen[fp]; dup {
			t.Errorf("results %d and %d share the fingerprint %s", j, i, fp)
		}
		seen[fp] = i
	}

	t.Run("showing object keys does not change an object's fingerprint", func(t *testing.T) {
		hashed := findings.Finding{RuleID: "s3-object-acl-public", AccountID: fixture.Prod, ResourceType: findings.ResourceS3Object,
			ResourceARN: fixture.ObjectARN("b", "a/b.txt"), Severity: findings.SeverityCritical, Message: "m"}
		shown := hashed
		shown.ResourceARN = "arn:aws:s3:::b/a/b.txt"
		d1 := findings.Document{Rules: fixture.Rules(), Findings: []findings.Finding{hashed}}
		d2 := findings.Document{Rules: fixture.Rules(), Findings: []findings.Finding{shown}, ShowObjectKeys: true}
		l1, _ := sarif.Build(d1, sarif.Options{})
		l2, _ := sarif.Build(d2, sarif.Options{})
		f1 := l1.Runs[0].Results[0].PartialFingerprints[sarif.FingerprintKey]
		f2 := l2.Runs[0].Results[0].PartialFingerprints[sarif.FingerprintKey]
		if f1 != f2 {
			t.Errorf("fingerprints differ: %s vs %s", f1, f2)
		}
		if u := l2.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != "aws/222222222222/s3/b/a/b.txt" {
			t.Errorf("shown key URI = %q", u)
		}
	})
}

func TestBaseline(t *testing.T) {
	first := write(t, fixture.Document(), sarif.Options{})
	dir := t.TempDir()
	basePath := filepath.Join(dir, "last-night.sarif")
	if err := os.WriteFile(basePath, first, 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := sarif.ReadBaseline(basePath)
	if err != nil {
		t.Fatal(err)
	}

	// Tonight: logging was turned on (fixed), the distribution's message
	// changed (3 objects now), one foreign-owned object is new, and dev's
	// account is still without BPA.
	tonight := fixture.Document()
	tonight.StartedAt = tonight.StartedAt.AddDate(0, 0, 1)
	tonight.FinishedAt = tonight.FinishedAt.AddDate(0, 0, 1)
	var kept []findings.Finding
	for _, f := range tonight.Findings {
		switch f.RuleID {
		case "s3-bucket-access-logging-off":
			continue
		case "cloudfront-origin-objects-unreadable":
			f.Message = strings.Replace(f.Message, "2 sampled objects", "3 sampled objects", 1)
		}
		kept = append(kept, f)
	}
	kept = append(kept, findings.Finding{
		RuleID: "s3-object-foreign-owner", Severity: findings.SeverityHigh, AccountID: fixture.Prod, Region: "us-east-1",
		ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN("healthcorp-prod-site", "static/css/site.css"), ResourceName: "healthcorp-prod-site",
		Message: "An object under static/ in healthcorp-prod-site is owned by account 111111111111 (tools), not by the bucket owner 222222222222.",
	})
	tonight.Findings = kept
	findings.SortFindings(tonight.Findings)

	got := write(t, tonight, sarif.Options{Baseline: base})
	golden(t, "baseline.sarif", got)
	validateSchema(t, schema(t), got)
	validateMultitool(t, got)

	states := map[string]int{}
	var absent sarif.Result
	for _, r := range decode(t, got).Runs[0].Results {
		states[r.BaselineState]++
		if r.BaselineState == sarif.BaselineAbsent {
			absent = r
		}
	}
	want := map[string]int{"new": 1, "updated": 1, "unchanged": 3, "absent": 1}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("baseline states = %v, want %v", states, want)
	}
	if absent.RuleID != "s3-bucket-access-logging-off" || absent.Properties["hoofprint/fullyEvaluated"] != true {
		t.Errorf("absent result = %s %v, want the fixed logging finding, fully evaluated", absent.RuleID, absent.Properties["hoofprint/fullyEvaluated"])
	}

	t.Run("a result not seen in an account that could not be read is absent but flagged as not evaluated", func(t *testing.T) {
		unread := tonight
		unread.Accounts = []string{fixture.Tools, fixture.Dev} // prod's role could not be assumed
		unread.Findings = nil
		l, err := sarif.Build(unread, sarif.Options{Baseline: base})
		if err != nil {
			t.Fatal(err)
		}
		inProd := 0
		for _, r := range l.Runs[0].Results {
			if r.Properties["accountId"] == fixture.Prod {
				inProd++
				if r.BaselineState != sarif.BaselineAbsent || r.Properties["hoofprint/fullyEvaluated"] != false {
					t.Errorf("%s in unread prod is %s, fully evaluated %v; want absent and not evaluated", r.RuleID, r.BaselineState, r.Properties["hoofprint/fullyEvaluated"])
				}
			}
		}
		if inProd == 0 {
			t.Error("no baseline result of prod was carried over: nothing was checked")
		}
	})
}

func TestGitHubResultLimit(t *testing.T) {
	doc := fixture.Document()
	doc.Findings = nil
	for i := range 30 {
		sev := findings.SeverityLow
		rule := "s3-bucket-access-logging-off"
		if i%10 == 0 {
			sev, rule = findings.SeverityHigh, "s3-object-foreign-owner"
		}
		doc.Findings = append(doc.Findings, findings.Finding{
			RuleID: rule, Severity: sev, AccountID: fixture.Prod, Region: "us-east-1",
			ResourceType: findings.ResourceS3Bucket, ResourceARN: fmt.Sprintf("arn:aws:s3:::bucket-%02d", i), ResourceName: fmt.Sprintf("bucket-%02d", i),
			Message: "m",
		})
	}
	findings.SortFindings(doc.Findings)
	l, err := sarif.Build(doc, sarif.Options{MaxResults: 10})
	if err != nil {
		t.Fatal(err)
	}
	run := l.Runs[0]
	if len(run.Results) != 10 {
		t.Fatalf("results = %d, want 10", len(run.Results))
	}
	high := 0
	for _, r := range run.Results {
		if r.Level == "error" {
			high++
		}
	}
	if high != 3 {
		t.Errorf("kept %d high results, want all 3 (most severe first)", high)
	}
	omitted := run.Properties["hoofprint/omittedResults"].(map[string]int)
	if omitted["s3-bucket-access-logging-off"] != 20 {
		t.Errorf("omitted = %v, want 20 logging results", omitted)
	}
	found := false
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		found = found || n.Descriptor.ID == sarif.NotificationResultsOmitted
	}
	if !found {
		t.Error("no results-omitted notification")
	}
	t.Run("a finding left out by the cap is not absent from a baseline that had it", func(t *testing.T) {
		base, err := sarif.Build(doc, sarif.Options{MaxResults: 100})
		if err != nil {
			t.Fatal(err)
		}
		// One result the baseline had that this run did not see.
		gone := base.Runs[0].Results[0]
		gone.PartialFingerprints = map[string]string{sarif.FingerprintKey: "gone-since"}
		base.Runs[0].Results = append(base.Runs[0].Results, gone)
		l, err := sarif.Build(doc, sarif.Options{MaxResults: 10, Baseline: base})
		if err != nil {
			t.Fatal(err)
		}
		run := l.Runs[0]
		if len(run.Results) != 10 {
			t.Fatalf("results = %d, want 10", len(run.Results))
		}
		for _, r := range run.Results {
			if r.BaselineState != sarif.BaselineUnchanged {
				t.Errorf("%s: baselineState %q, want unchanged", r.PartialFingerprints[sarif.FingerprintKey], r.BaselineState)
			}
		}
		// 20 present low results and the one absent result were left out.
		omitted := run.Properties["hoofprint/omittedResults"].(map[string]int)
		if total := omitted["s3-bucket-access-logging-off"] + omitted["s3-object-foreign-owner"]; total != 21 {
			t.Errorf("omitted = %v, want 21 in all", omitted)
		}
	})
	t.Run("findings read from a spill file give the same capped log", func(t *testing.T) {
		set := findings.NewSet(4, t.TempDir())
		defer func() { _ = set.Close() }()
		if err := set.Add(doc.Findings...); err != nil {
			t.Fatal(err)
		}
		spilled := doc
		spilled.Findings, spilled.Set = nil, set
		want, got := write(t, doc, sarif.Options{MaxResults: 10}), write(t, spilled, sarif.Options{MaxResults: 10})
		if !set.Spilled() || !bytes.Equal(got, want) {
			t.Errorf("spilled %v; the log differs:\n%.2000s\nwant\n%.2000s", set.Spilled(), got, want)
		}
	})
	t.Run("the capped log is still valid", func(t *testing.T) {
		got := write(t, doc, sarif.Options{MaxResults: 10})
		validateSchema(t, schema(t), got)
		validateMultitool(t, got)
	})
	if sarif.GitHubMaxResults != 25000 {
		t.Errorf("GitHubMaxResults = %d", sarif.GitHubMaxResults)
	}
}

// TestWriteStreamsTheBytesOfTheWholeLog: Write encodes results one at a
// time into their place; the bytes must be those of encoding Build's log.
func TestWriteStreamsTheBytesOfTheWholeLog(t *testing.T) {
	full := fixture.Document()
	empty := fixture.Document()
	empty.Findings = nil
	base, err := sarif.Build(full, sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		doc  findings.Document
		opts sarif.Options
	}{
		"findings":                {full, sarif.Options{}},
		"no findings":             {empty, sarif.Options{}},
		"only absent results":     {empty, sarif.Options{Baseline: base}},
		"findings and a baseline": {full, sarif.Options{Baseline: base}},
	} {
		l, err := sarif.Build(tc.doc, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
		if got := write(t, tc.doc, tc.opts); !bytes.Equal(got, whole.Bytes()) {
			t.Errorf("%s: Write differs from encoding the whole log:\n%.1500s\nwant\n%.1500s", name, got, whole.Bytes())
		}
	}
}

func TestDecodeRejectsOtherVersions(t *testing.T) {
	b, _ := json.Marshal(map[string]any{"version": "2.0.0", "runs": []any{}})
	if _, err := sarif.Decode(bytes.NewReader(b)); err == nil {
		t.Error("Decode accepted SARIF 2.0.0")
	}
}

// A baseline that is no hoofprint log (no run, or another tool's) would
// mark every result new without a word: refused, naming the tools found.
func TestReadBaselineRefusesAnotherToolsLog(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ log, want string }{
		"no run":         {`{"version":"2.1.0","runs":[]}`, "holds no run"},
		"another tool":   {`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"ESLint"}},"results":[]}]}`, `holds no hoofprint run (tools "ESLint")`},
		"hoofprint, too": {`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"ESLint"}}},{"tool":{"driver":{"name":"hoofprint"}},"results":[]}]}`, ""},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".sarif")
		if err := os.WriteFile(path, []byte(tc.log), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sarif.ReadBaseline(path)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: ReadBaseline = %v, want an error saying %q", name, err, tc.want)
		}
	}
}

// Issue 10 item 10: a baseline with anything after the log (a second log,
// garbage) is refused rather than half-read.
func TestDecodeRefusesTrailingData(t *testing.T) {
	const log = `{"version":"2.1.0","runs":[]}`
	for name, in := range map[string]string{
		"two logs":    log + log,
		"a stray '}'": log + "}",
		"garbage":     log + "\nxyz",
	} {
		if _, err := sarif.Decode(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "after the log") {
			t.Errorf("%s: Decode = %v, want unexpected data after the log", name, err)
		}
	}
	if _, err := sarif.Decode(strings.NewReader(log + "\n  \n")); err != nil {
		t.Errorf("trailing white space refused: %v", err)
	}
}

func TestSuppressedResultCarriesJustificationOwnerAndExpiry(t *testing.T) {
	l, err := sarif.Build(fixture.Suppressed(), sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range l.Runs[0].Results {
		if r.RuleID != "s3-account-public-access-block-off" {
			if len(r.Suppressions) != 0 {
				t.Errorf("%s: suppressed without an entry covering it", r.RuleID)
			}
			continue
		}
		n++
		if len(r.Suppressions) != 1 {
			t.Fatalf("suppressions = %+v", r.Suppressions)
		}
		s := r.Suppressions[0]
		if s.Kind != "external" || s.Status != "accepted" || !strings.Contains(s.Justification, "SEC-101") ||
			s.Properties["owner"] != "security@healthcorp.example" || s.Properties["expires"] != "2026-12-03T00:00:00Z" {
			t.Errorf("suppression = %+v", s)
		}
	}
	if n != 1 {
		t.Fatalf("%d suppressed results, want 1", n)
	}
}
