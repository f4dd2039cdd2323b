package asff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite golden files")

func write(t *testing.T, doc findings.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := asff.Write(&buf, doc, asff.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func validate(t *testing.T, b []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("testdata/asff-finding.schema.json")
	if err != nil {
		t.Fatalf("compile ASFF schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("ASFF output misses required fields or limits: %v", err)
	}
}

func TestWriteGolden(t *testing.T) {
	got := write(t, fixture.Document())
	path := filepath.Join("testdata", "healthcorp.asff.json")
	want := testutil.Golden(t, path, got, *update)
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; run go test ./report/asff -update and review the diff", path)
	}
	validate(t, got)
}

// TestWriteStreamsTheBytesOfTheWholeArray: Write converts one finding at a
// time, and must give exactly what encoding Build's whole array gives.
func TestWriteStreamsTheBytesOfTheWholeArray(t *testing.T) {
	for _, n := range []int{0, 1, -1} {
		doc := fixture.Document()
		if n >= 0 {
			doc.Findings = doc.Findings[:n]
		}
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		all := asff.Build(doc, asff.Options{})
		if all == nil {
			all = []asff.Finding{}
		}
		if err := enc.Encode(all); err != nil {
			t.Fatal(err)
		}
		if got := write(t, doc); !bytes.Equal(got, whole.Bytes()) {
			t.Errorf("%d findings: streamed output differs from the whole array's encoding:\n%s\nwant\n%s", len(doc.Findings), got, whole.Bytes())
		}
	}
}

func TestBuild(t *testing.T) {
	doc := fixture.Document()
	fs := asff.Build(doc, asff.Options{})
	if len(fs) != len(doc.Findings) || len(fs) < 2 {
		t.Fatalf("%d ASFF findings for %d findings", len(fs), len(doc.Findings))
	}
	byRule := map[string]asff.Finding{}
	for _, f := range fs {
		byRule[f.GeneratorId] = f
	}

	t.Run("each finding uses the default product ARN of its own account and region", func(t *testing.T) {
		for _, f := range fs {
			region := f.Resources[0].Region
			want := "arn:aws:securityhub:" + region + ":" + f.AwsAccountId + ":product/" + f.AwsAccountId + "/default"
			if f.ProductArn != want {
				t.Errorf("%s ProductArn = %s, want %s", f.Id, f.ProductArn, want)
			}
		}
	})
	t.Run("global resources are imported into us-east-1", func(t *testing.T) {
		acct := byRule["s3-account-public-access-block-off"]
		if acct.Resources[0].Region != "us-east-1" || acct.Resources[0].Type != "AwsAccount" || acct.Resources[0].Id != "AWS::::Account:"+fixture.Dev {
			t.Errorf("account resource = %+v", acct.Resources[0])
		}
	})
	t.Run("outside the aws partition, global resources go to its home region", func(t *testing.T) {
		for partition, home := range map[string]string{"aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"} {
			doc := fixture.Document()
			doc.Partition = partition
			for _, f := range asff.Build(doc, asff.Options{}) {
				if f.GeneratorId != "s3-account-public-access-block-off" {
					continue
				}
				// There is no us-east-1 in GovCloud or China: the import
				// would go to a region the partition does not have.
				want := "arn:" + partition + ":securityhub:" + home + ":" + f.AwsAccountId + ":product/" + f.AwsAccountId + "/default"
				if f.Resources[0].Region != home || f.ProductArn != want {
					t.Errorf("%s: account finding in region %s, product %s; want %s, %s", partition, f.Resources[0].Region, f.ProductArn, home, want)
				}
			}
		}
	})
	t.Run("ids are rule plus resource and do not change with the run", func(t *testing.T) {
		later := fixture.Document()
		later.StartedAt = later.StartedAt.AddDate(0, 0, 3)
		later.FinishedAt = later.FinishedAt.AddDate(0, 0, 3)
		later.Findings[0].Message = "changed"
		again := asff.Build(later, asff.Options{})
		seen := map[string]bool{}
		for i := range fs {
			if fs[i].Id != again[i].Id {
				t.Errorf("Id changed: %s -> %s", fs[i].Id, again[i].Id)
			}
			// Distinct too: BatchImportFindings would overwrite one
			// finding with another that shares its Id.
			if seen[fs[i].Id] {
				t.Errorf("two findings share the Id %s", fs[i].Id)
			}
			seen[fs[i].Id] = true
			if !strings.HasPrefix(fs[i].Id, asff.IDPrefix+fs[i].GeneratorId+"/") {
				t.Errorf("Id %s does not start with prefix and rule", fs[i].Id)
			}
		}
	})
	t.Run("resources get the right Security Hub type and details", func(t *testing.T) {
		bucket := byRule["s3-bucket-access-logging-off"].Resources[0]
		if bucket.Type != "AwsS3Bucket" || bucket.Details.AwsS3Bucket.Name != "healthcorp-prod-site" || bucket.Details.AwsS3Bucket.OwnerAccountId != fixture.Prod {
			t.Errorf("bucket resource = %+v", bucket)
		}
		obj := byRule["s3-object-foreign-owner"].Resources[0]
		if obj.Type != "AwsS3Object" || !strings.Contains(obj.Id, "/sha256:") || obj.Details.Other["keyHash"] == "" {
			t.Errorf("object resource = %+v", obj)
		}
		dist := byRule["cloudfront-origin-objects-unreadable"].Resources[0]
		if dist.Type != "AwsCloudFrontDistribution" || dist.Id != "arn:aws:cloudfront::"+fixture.Prod+":distribution/E2PRODSITE0001" {
			t.Errorf("distribution resource = %+v", dist)
		}
	})
	t.Run("compliance fails with the HIPAA references and the record is active", func(t *testing.T) {
		f := byRule["cloudfront-origin-objects-unreadable"]
		if f.Compliance.Status != "FAILED" || f.RecordState != "ACTIVE" || len(f.Compliance.RelatedRequirements) != 2 ||
			f.Compliance.RelatedRequirements[0] != "HIPAA Security Rule 164.308(a)(7)(ii)(B)" {
			t.Errorf("compliance = %+v, record %s", f.Compliance, f.RecordState)
		}
	})
	t.Run("evidence is flattened into product fields", func(t *testing.T) {
		f := byRule["cloudfront-origin-objects-unreadable"]
		if f.ProductFields["hoofprint/evidence/oaiId"] != "E3OAIPROD" || f.ProductFields["hoofprint/evidence/objectsAffected"] != "2" {
			t.Errorf("product fields = %v", f.ProductFields)
		}
	})
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("Patient-safe words only, repeated to exceed every ASFF limit. ", 200)
	ev := map[string]any{}
	for i := range 80 {
		ev[strings.Repeat("k", i%3+1)+string(rune('a'+i%26))+strings.Repeat("x", i)] = long
	}
	rule := fixture.Rules()[0]
	rule.Title = long
	rule.Remediation = long
	rule.HIPAA = make([]string, 40)
	for i := range rule.HIPAA {
		rule.HIPAA[i] = "164.312(a)(1)"
	}
	doc := fixture.Document()
	doc.Rules = []findings.Rule{rule}
	doc.Findings = []findings.Finding{{
		RuleID: rule.ID, Severity: findings.SeverityHigh, AccountID: fixture.Prod, Region: "us-east-1",
		ResourceType: findings.ResourceDistribution, ResourceARN: "arn:aws:cloudfront::" + fixture.Prod + ":distribution/E1", Message: long, Evidence: ev,
	}}
	b := write(t, doc)
	validate(t, b)
	f := asff.Build(doc, asff.Options{})[0]
	t.Run("long text is cut cleanly with an ellipsis", func(t *testing.T) {
		for name, s := range map[string]string{"Title": f.Title, "Description": f.Description, "Recommendation": f.Remediation.Recommendation.Text} {
			if !strings.HasSuffix(s, "…") || strings.HasSuffix(s, " …") {
				t.Errorf("%s not cut cleanly: ...%q", name, s[len(s)-20:])
			}
		}
	})
	t.Run("a finding with every field at its limit stays far below 240 KB", func(t *testing.T) {
		one, _ := json.Marshal(f)
		if len(one) > 240*1024 {
			t.Errorf("finding is %d bytes", len(one))
		}
		if f.ProductFields["hoofprint/evidenceOmitted"] == "" {
			t.Error("omitted evidence is not counted")
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short text is left alone", "hello", 10, "hello"},
		{"text at the limit is left alone", "hello", 5, "hello"},
		{"long text is cut at a word boundary", "the quick brown fox jumps", 20, "the quick brown fox…"},
		{"multi-byte text is cut between runes", "ééééééééééé", 5, "éééé…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := asff.Truncate(tc.in, tc.max)
			if got != tc.want || utf8.RuneCountInString(got) > tc.max {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// TestToSDK checks that the conversion to the SDK type loses nothing: the
// SDK struct marshals back to the same JSON (ignoring its null fields).
func TestToSDK(t *testing.T) {
	for _, f := range asff.Build(fixture.Document(), asff.Options{}) {
		sdk, err := asff.ToSDK(f)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(f)
		b, _ := json.Marshal(sdk)
		var ma, mb any
		_ = json.Unmarshal(a, &ma)
		_ = json.Unmarshal(b, &mb)
		if !reflect.DeepEqual(ma, dropEmpty(mb)) {
			t.Errorf("%s: SDK conversion differs\nours: %s\n sdk: %s", f.Id, a, b)
		}
	}
}

func dropEmpty(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			x = dropEmpty(x)
			if x == nil || x == "" {
				continue
			}
			if mm, ok := x.(map[string]any); ok && len(mm) == 0 {
				continue
			}
			m[k] = x
		}
		return m
	case []any:
		for i := range t {
			t[i] = dropEmpty(t[i])
		}
		return t
	}
	return v
}

// TestSchemaCatchesMissingFields proves the schema check is not vacuous.
func TestSchemaCatchesMissingFields(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("testdata/asff-finding.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*asff.Finding)
	}{
		{"a finding without resources is rejected", func(f *asff.Finding) { f.Resources = nil }},
		{"a title over 256 characters is rejected", func(f *asff.Finding) { f.Title = strings.Repeat("t", 257) }},
		{"a product ARN of another form is rejected", func(f *asff.Finding) { f.ProductArn = "arn:aws:securityhub:us-east-1::product/aws/guardduty" }},
		{"a non-RFC 3339 time is rejected", func(f *asff.Finding) { f.UpdatedAt = "yesterday" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := asff.Build(fixture.Document(), asff.Options{})[0]
			tc.mutate(&f)
			b, _ := json.Marshal([]asff.Finding{f})
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if sch.Validate(v) == nil {
				t.Error("schema accepted it")
			}
		})
	}
}

func TestSuppressedFindingIsImportedSuppressed(t *testing.T) {
	got := write(t, fixture.Suppressed())
	validate(t, got)
	var fs []asff.Finding
	if err := json.Unmarshal(got, &fs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fs {
		if f.GeneratorId != "s3-account-public-access-block-off" {
			// The expired entry's finding (prod logging) is active again.
			if f.Workflow == nil || f.Workflow.Status != asff.WorkflowNew || f.Note != nil || f.ProductFields["hoofprint/suppression/owner"] != "" {
				t.Errorf("%s: not suppressed, yet workflow %+v, note %+v", f.Id, f.Workflow, f.Note)
			}
			continue
		}
		n++
		if f.Workflow == nil || f.Workflow.Status != asff.WorkflowSuppressed {
			t.Errorf("workflow = %+v, want SUPPRESSED", f.Workflow)
		}
		if f.RecordState != asff.RecordActive || f.Compliance.Status != asff.ComplianceFailed {
			t.Errorf("record %s compliance %s: an accepted risk is still observed and failing", f.RecordState, f.Compliance.Status)
		}
		if f.Note == nil || f.Note.UpdatedBy != asff.NoteAuthor || !strings.Contains(f.Note.Text, "SEC-101") || !strings.Contains(f.Note.Text, "end of 2026-12-02 UTC") {
			t.Errorf("note = %+v", f.Note)
		}
		if f.ProductFields["hoofprint/suppression/owner"] != "security@healthcorp.example" || f.ProductFields["hoofprint/suppression/expires"] != "2026-12-03T00:00:00Z" {
			t.Errorf("product fields = %v", f.ProductFields)
		}
	}
	if n != 1 {
		t.Fatalf("%d suppressed findings, want 1", n)
	}
}
