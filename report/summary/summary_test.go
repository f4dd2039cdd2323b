package summary_test

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/securityhub"
	"github.com/hoofprint/hoofprint/report/summary"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestWriteGolden(t *testing.T) {
	clean := fixture.Document()
	clean.Findings = nil
	clean.Coverage.Gaps = nil
	interrupted := fixture.Document()
	interrupted.Coverage.Complete = false
	interrupted.Coverage.Interrupted = "deadline exceeded"

	verified := fixture.Document()
	for i, b := range []string{"open-d", "open-a", "open-c", "open-b"} {
		ev := map[string]any{findings.EvidenceVerified: findings.VerifiedAnonymous}
		verified.Findings = append(verified.Findings,
			findings.Finding{RuleID: "s3-object-acl-public", Severity: findings.SeverityCritical, AccountID: fixture.Prod, Region: "us-east-1",
				ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN(b, "x.pdf"), ResourceName: b, Message: "public object", Evidence: ev},
			findings.Finding{RuleID: "s3-bucket-policy-public", Severity: findings.SeverityCritical, AccountID: fixture.Dev, Region: "us-east-1",
				ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::" + b, ResourceName: b, Message: "public policy", Evidence: ev})
		if i == 0 {
			// An accepted risk is listed apart, not as verified public.
			verified.Findings[len(verified.Findings)-1].Suppression = &findings.Suppression{Reason: "a public site", Owner: "web", Source: "s.yaml:1", Expires: fixture.Finished.AddDate(0, 1, 0)}
		}
	}
	findings.SortFindings(verified.Findings)
	spilled := fixture.Spilled(t, verified, 3)

	tests := []struct {
		name string
		doc  findings.Document
		opts summary.Options
		file string
	}{
		{"the HealthCorp scan lists counts, worst resources, gaps, samples and files", fixture.Document(), summary.Options{
			Files: []summary.File{{Kind: "SARIF", Location: "out/hoofprint.sarif"}, {Kind: "ASFF", Location: "out/hoofprint.asff.json"},
				{Kind: "inventory", Location: "out/inventory.json.gz"}, {Kind: "SARIF (uploaded)", Location: "s3://reports/hoofprint/2026-11-26/hoofprint.sarif"}},
			SecurityHub: &securityhub.Result{Accounts: []securityhub.AccountResult{
				{AccountID: fixture.Dev, Imported: 1},
				{AccountID: fixture.Prod, Imported: 2, Updated: 1, Failed: 1, Failures: []securityhub.Failure{{
					AccountID: fixture.Prod, Region: "us-east-1", FindingID: "hoofprint/s3-bucket-access-logging-off/s3-bucket:healthcorp-prod-site",
					Code: "InvalidInput", Message: "missing required attributes: Resources"}}},
			}},
			FailOn: findings.SeverityHigh,
		}, "healthcorp.txt"},
		{"a clean scan states what its sample is worth", clean, summary.Options{FailOn: findings.SeverityLow}, "clean.txt"},
		{"an interrupted scan says so first", interrupted, summary.Options{MaxResources: 2}, "interrupted.txt"},
		{"accepted risks are listed apart, expiring first, with expired and stale entries", fixture.Suppressed(), summary.Options{FailOn: findings.SeverityMedium}, "suppressed.txt"},
		{"verified public buckets lead, at most MaxResources of them", verified, summary.Options{MaxResources: 3}, "verified.txt"},
		{"the same from a spill file", spilled, summary.Options{MaxResources: 3}, "verified.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := summary.Write(&buf, tc.doc, tc.opts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			want := testutil.Golden(t, path, buf.Bytes(), *update)
			if buf.String() != string(want) {
				t.Errorf("summary differs from %s:\n%s", path, buf.String())
			}
			// What Gather read beforehand (the pipeline's way, beside the
			// other reports) gives the same summary.
			var again bytes.Buffer
			opts := tc.opts
			opts.Facts = summary.Gather(tc.doc)
			if err := summary.Write(&again, tc.doc, opts); err != nil {
				t.Fatal(err)
			}
			if again.String() != string(want) {
				t.Errorf("summary from Gather's facts differs from %s:\n%s", path, again.String())
			}
			// What a Tally counted as the findings were recorded, bucket by
			// bucket in another order, gives the same summary too.
			var tallied bytes.Buffer
			opts.Facts = tallyOf(t, tc.doc)
			if err := summary.Write(&tallied, tc.doc, opts); err != nil {
				t.Fatal(err)
			}
			if tallied.String() != string(want) {
				t.Errorf("summary from a Tally's facts differs from %s:\n%s", path, tallied.String())
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	doc := fixture.Document() // highest severity: high

	tests := []struct {
		name      string
		threshold findings.Severity
		fail      bool
	}{
		{"none never fails", findings.SeverityNone, false},
		{"critical passes a scan whose worst is high", findings.SeverityCritical, false},
		{"high fails a scan with high findings", findings.SeverityHigh, true},
		{"low fails a scan with anything above it", findings.SeverityLow, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := summary.FailOn(doc, tc.threshold)
			if got := errors.Is(err, summary.ErrFailOn); got != tc.fail {
				t.Errorf("FailOn(%s) = %v, want fail=%v", tc.threshold, err, tc.fail)
			}
			if tc.fail && !strings.HasPrefix(err.Error(), "3 ") && tc.threshold == findings.SeverityHigh {
				t.Errorf("error %q does not count the 3 high findings", err)
			}
		})
	}
}

func TestFailOnIgnoresSuppressedFindings(t *testing.T) {
	doc := fixture.Suppressed() // the only medium finding is suppressed
	if err := summary.FailOn(doc, findings.SeverityMedium); err == nil || !strings.HasPrefix(err.Error(), "3 ") {
		t.Errorf("FailOn(medium) = %v, want the 3 high findings only", err)
	}
	for i := range doc.Findings {
		if doc.Findings[i].Severity >= findings.SeverityHigh {
			doc.Findings[i].Suppression = &findings.Suppression{Reason: "r", Owner: "o", Source: "s:1"}
		}
	}
	if err := summary.FailOn(doc, findings.SeverityMedium); err != nil {
		t.Errorf("FailOn(medium) with every finding at or above it suppressed = %v", err)
	}
}

// The suppressions file is text from whoever edits it: its reason, owner
// and patterns are escaped like every other outside string.
func TestAcceptedRisksAreEscaped(t *testing.T) {
	doc := fixture.Suppressed()
	const hostile = "ok\x1b]0;pwned\x07\nFindings: 0 (forged)"
	doc.Suppressions[0].Reason = hostile
	doc.Suppressions[2].Owner = hostile
	for i := range doc.Findings {
		if doc.Findings[i].Suppression != nil {
			doc.Findings[i].Suppression.Reason = hostile
		}
	}
	var buf bytes.Buffer
	if err := summary.Write(&buf, doc, summary.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\x07") || strings.Contains(buf.String(), "\nFindings: 0 (forged)") {
		t.Errorf("a control character or a forged line from the suppressions file reached the summary:\n%q", buf.String())
	}
	if !strings.Contains(buf.String(), `ok\x1b]0;pwned\x07\nFindings: 0 (forged)`) {
		t.Errorf("the escaped reason is not shown:\n%s", buf.String())
	}
}

// A document with no account (an inventory cut down by hand, a scope of
// nothing) must not print HIPAA controls as clean.
func TestControlsWithoutAccountsAreNotClean(t *testing.T) {
	doc := fixture.Document()
	doc.Accounts = nil
	doc.Findings = nil
	doc.Coverage.Gaps = nil
	var buf bytes.Buffer
	if err := summary.Write(&buf, doc, summary.Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "HIPAA Security Rule safeguards") {
		t.Fatalf("no HIPAA section without accounts (then this test has nothing to check):\n%s", out)
	}
	if strings.Contains(out, "clean: ") || !strings.Contains(out, "no account evaluated: ") {
		t.Errorf("controls judged on no account read as clean:\n%s", out)
	}
}
