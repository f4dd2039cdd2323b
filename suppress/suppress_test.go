package suppress

import (
	"strings"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const good = `version: 1
suppressions:
  - rule: s3-bucket-policy-public
    account: "111111111111"
    region: us-east-1
    resource: arn:aws:s3:::marketing-*
    reason: Public website, approved by security (SEC-1234)
    owner: security@example.com
    expires: 2027-06-30
  - rule: s3-object-*
    resource: arn:aws:s3:::old-site/*
    reason: Decommissioned on 2026-12-20
    owner: web-team@example.com
    expires: 2026-11-30
`

func TestParseValid(t *testing.T) {
	set, err := Parse("s.yaml", []byte(good), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Entries) != 2 {
		t.Fatalf("entries = %d, want 2", len(set.Entries))
	}
	e := set.Entries[0]
	if e.Source != "s.yaml:3" || e.Owner != "security@example.com" || e.Expired {
		t.Errorf("entry 1 = %+v", e.SuppressionEntry)
	}
	// A date suppresses through that whole day (UTC).
	if want := time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC); !e.Expires.Equal(want) {
		t.Errorf("expires = %s, want %s", e.Expires, want)
	}
	if !set.Entries[1].Expired {
		t.Error("an entry that expired yesterday is not marked expired")
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"missing owner and expiry", `suppressions:
  - rule: s3-bucket-policy-public
    resource: arn:aws:s3:::b
    reason: ok
`, []string{"f.yaml:2: entry 1: owner is required", "f.yaml:2: entry 1: expires is required"}},
		{"too far away", `suppressions:
  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2028-01-01
`, []string{"f.yaml:6: entry 1: expires 2028-01-01 is more than 365 days away"}},
		{"bad date", `suppressions:
  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: next june
`, []string{"f.yaml:6: entry 1: expires \"next june\": want a date"}},
		{"unknown field", `suppressions:
  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expiry: 2027-01-01
`, []string{"f.yaml:6: entry 1: unknown field \"expiry\""}},
		{"everything", `suppressions:
  - rule: r
    resource: "*"
    reason: ok
    owner: me
    expires: 2027-01-01
`, []string{"f.yaml:3: entry 1: resource \"*\" matches every resource"}},
		{"bad account", `suppressions:
  - rule: r
    account: prod
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2027-01-01
`, []string{"f.yaml:3: entry 1: account \"prod\" is not a 12-digit account ID"}},
		{"misspelt top-level key", "supressions:\n  - rule: r\n", []string{"f.yaml: yaml: unmarshal errors:\n  line 1: field supressions not found at the top level (want version and suppressions)"}},
		{"a list at the top", "- rule: r\n", []string{"line 1: cannot unmarshal a list at the top level (want a map with version and suppressions)"}},
		{"suppressions as a map", "suppressions:\n  rule: r\n", []string{"line 2: cannot unmarshal a map as suppressions (want a list of entries"}},
		{"second document", `suppressions:
  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2027-01-01
---
suppressions:
  - rule: r2
`, []string{"f.yaml:7: a second YAML document"}},
		{"short account", `suppressions:
  - rule: r
    account: "12"
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2027-01-01
`, []string{"f.yaml:3: entry 1: account \"12\" is not a 12-digit account ID"}},
		{"second entry", "suppressions:\n" + strings.Repeat(`  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2027-01-01
`, 1) + `  - rule: r
    resource: arn:aws:s3:::b
    owner: me
    expires: 2027-01-01
`, []string{"f.yaml:7: entry 2: reason is required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.yaml), Options{Now: now})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMaxAgeIsConfigurable(t *testing.T) {
	y := `suppressions:
  - rule: r
    resource: arn:aws:s3:::b
    reason: ok
    owner: me
    expires: 2027-01-15
`
	if _, err := Parse("f.yaml", []byte(y), Options{Now: now, MaxAge: 30 * 24 * time.Hour}); err == nil || !strings.Contains(err.Error(), "more than 30 days away") {
		t.Errorf("err = %v, want a 30-day maximum error", err)
	}
	if _, err := Parse("f.yaml", []byte(y), Options{Now: now, MaxAge: 60 * 24 * time.Hour}); err != nil {
		t.Errorf("60-day maximum: %v", err)
	}
}

func TestEmptyFileSuppressesNothing(t *testing.T) {
	set, err := Parse("f.yaml", nil, Options{Now: now})
	if err != nil || len(set.Entries) != 0 {
		t.Fatalf("set = %+v, err = %v", set, err)
	}
}

func TestApply(t *testing.T) {
	set, err := Parse("s.yaml", []byte(good), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	key := "index.html"
	doc := findings.Document{Findings: []findings.Finding{
		{RuleID: "s3-bucket-policy-public", AccountID: "111111111111", Region: "us-east-1", ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::marketing-site"},
		// Same bucket pattern, other account: not covered.
		{RuleID: "s3-bucket-policy-public", AccountID: "222222222222", Region: "us-east-1", ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::marketing-eu"},
		// Covered only by the expired entry: stays active.
		{RuleID: "s3-object-acl-public", AccountID: "333333333333", Region: "us-east-1", ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::old-site/" + inventory.HashKey("old-site", key)},
	}}
	set.Apply(&doc)
	if s := doc.Findings[0].Suppression; s == nil || s.Owner != "security@example.com" || s.Source != "s.yaml:3" {
		t.Errorf("finding 0 suppression = %+v", s)
	}
	if doc.Findings[1].Suppressed() || doc.Findings[2].Suppressed() {
		t.Error("a finding outside the account, or under an expired entry, was suppressed")
	}
	if got := doc.ActiveOnly().Count(); got != 2 {
		t.Errorf("active = %d, want 2", got)
	}
	if doc.Suppressions[0].Matched != 1 || doc.Suppressions[1].Matched != 1 || !doc.Suppressions[1].Expired {
		t.Errorf("entries = %+v", doc.Suppressions)
	}

	// Stale: an entry that matched nothing tonight.
	empty := findings.Document{}
	set.Apply(&empty)
	for _, e := range empty.Suppressions {
		if !e.Stale() {
			t.Errorf("%s not stale with no findings", e.Source)
		}
	}
}

func TestResourceMatchesKeyHashWhenKeysShown(t *testing.T) {
	hash := inventory.HashKey("site", "patients/a.pdf")
	y := `suppressions:
  - rule: s3-object-acl-public
    resource: arn:aws:s3:::site/` + hash + `
    reason: ok
    owner: me
    expires: 2027-01-01
`
	set, err := Parse("f.yaml", []byte(y), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	f := findings.Finding{RuleID: "s3-object-acl-public", ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::site/patients/a.pdf"}
	if !set.Entries[0].Matches(f) {
		t.Error("an entry naming the key hash does not match the finding when the ARN carries the key")
	}
}

func TestUnknownRules(t *testing.T) {
	set, err := Parse("s.yaml", []byte(good), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.UnknownRules([]string{"s3-bucket-policy-public"}); err != nil {
		t.Errorf("known rule and a glob: %v", err)
	}
	err = set.UnknownRules([]string{"s3-object-acl-public"})
	if err == nil || !strings.Contains(err.Error(), `s.yaml:3: rule "s3-bucket-policy-public"`) {
		t.Errorf("err = %v", err)
	}
}

// A trailing "---" (or one followed only by comments) is an empty second
// document: no entries are lost, so the file is valid, as it always was.
func TestAnEmptySecondDocumentIsNotAnError(t *testing.T) {
	for _, y := range []string{
		"version: 1\nsuppressions: []\n---\n",
		"version: 1\nsuppressions: []\n---\n# nothing here\n",
		"version: 1\nsuppressions: []\n---\n---\n",
	} {
		if _, err := Parse("f.yaml", []byte(y), Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Errorf("%q: %v", y, err)
		}
	}
}
