package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoofprint/hoofprint/internal/multitool"
	"github.com/hoofprint/hoofprint/suppress"
)

// demoInventory runs the demo once and returns its inventory's path.
func demoInventory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir, "-q"}, &so, &se); code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, se.String())
	}
	return filepath.Join(dir, "inventory.json")
}

// expiryLine is an "expires: DATE" line of a suppressions file.
var expiryLine = regexp.MustCompile(`(?m)^(\s*expires:\s*)\d{4}-\d{2}-\d{2}`)

// freshExpiries moves every expiry date of a suppressions document to days
// after today. The commands read the real clock, so a test that needs its
// accepted risks active must not carry a date that will one day be past
// (nor one more than --suppressions-max-days away).
func freshExpiries(doc string, days int) string {
	return expiryLine.ReplaceAllString(doc, "${1}"+inDays(days))
}

// inDays is the date days after today, as an expires field takes it.
func inDays(days int) string {
	return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// TestSuppressionsSampleIsValidAsWritten parses the documented sample at a
// fixed day: its fields, rule IDs and dates as a reader copies them. (What
// it matches, below, is checked with its dates moved to the future.)
func TestSuppressionsSampleIsValidAsWritten(t *testing.T) {
	sample := filepath.Join("..", "..", "docs", "examples", "suppressions.yaml")
	set, err := suppress.Load(sample, suppress.Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Entries) != 3 {
		t.Fatalf("the sample has %d entries, want 3", len(set.Entries))
	}
	for _, e := range set.Entries {
		if e.Expired {
			t.Errorf("%s: expired on the day the sample was written", e.Source)
		}
	}
}

func TestSuppressionsCheckShowsWhatTheREADMESampleMatches(t *testing.T) {
	inv := demoInventory(t)
	sample := filepath.Join(t.TempDir(), "suppressions.yaml")
	if err := os.WriteFile(sample, []byte(freshExpiries(mustRead(t, filepath.Join("..", "..", "docs", "examples", "suppressions.yaml")), 90)), 0o644); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"suppressions", "check", sample, "--inventory", inv}, &so, &se); code != exitOK {
		t.Fatalf("check exited %d\nstdout:\n%s\nstderr:\n%s", code, so.String(), se.String())
	}
	out := so.String()
	for _, want := range []string{"3 entries, valid.", "suppresses 1 finding(s):", "critical s3-bucket-policy-public 444444444444 arn:aws:s3:::healthcorp-marketing-site"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

func TestSuppressionsCheckRejectsAnInvalidFileWithFileAndLine(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(`suppressions:
  - rule: s3-bucket-policy-publik
    resource: arn:aws:s3:::b
    reason: typo in the rule
    owner: me@example.com
    expires: `+inDays(30)+`
  - rule: s3-bucket-policy-public
    resource: arn:aws:s3:::b
    reason: no owner
    expires: `+inDays(30)+`
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"suppressions", "check", bad}, &so, &se); code != exitUsage {
		t.Fatalf("check of an entry without owner exited %d, want %d", code, exitUsage)
	}
	if !strings.Contains(se.String(), "bad.yaml:7: entry 2: owner is required") {
		t.Errorf("stderr does not name the file and line:\n%s", se.String())
	}
	// Fixed, only the typo in the rule ID is left: still an error in review.
	fixed := strings.Replace(mustRead(t, bad), "reason: no owner", "reason: no owner\n    owner: me@example.com", 1)
	if err := os.WriteFile(bad, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	so.Reset()
	se.Reset()
	if code := run(t.Context(), []string{"suppressions", "check", bad}, &so, &se); code != exitUsage || !strings.Contains(se.String(), `bad.yaml:2: rule "s3-bucket-policy-publik" is not a rule`) {
		t.Errorf("unknown rule: exit %d\n%s", code, se.String())
	}
	// scan, demo and evaluate refuse an invalid file before doing anything.
	so.Reset()
	se.Reset()
	if code := run(t.Context(), []string{"evaluate", "--inventory", "does-not-matter.json", "--suppressions", filepath.Join(t.TempDir(), "missing.yaml")}, &so, &se); code != exitUsage ||
		!strings.Contains(se.String(), "--suppressions") {
		t.Errorf("evaluate with a missing suppressions file: exit %d\n%s", code, se.String())
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFailOnIgnoresAcceptedRisks evaluates the demo's inventory with every
// critical finding accepted: --fail-on critical passes, the SARIF file
// (suppressions included) still passes the official validator, and every
// finding is still in it.
func TestFailOnIgnoresAcceptedRisks(t *testing.T) {
	inv := demoInventory(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "suppressions.yaml")
	var entries strings.Builder
	entries.WriteString("suppressions:\n")
	for _, rule := range []string{"s3-object-acl-public", "s3-bucket-policy-public", "cloudfront-origin-bucket-missing", "s3-bucket-acl-public"} {
		entries.WriteString("  - rule: " + rule + "\n    resource: arn:*\n    reason: test\n    owner: test@example.com\n    expires: " + inDays(30) + "\n")
	}
	if err := os.WriteFile(file, []byte(entries.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sarifPath := filepath.Join(dir, "out.sarif")
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"evaluate", "--inventory", inv, "--fail-on", "critical", "-q", "--sarif", filepath.Join(dir, "plain.sarif")}, &so, &se); code != exitFindings {
		t.Fatalf("without suppressions --fail-on critical exited %d, want %d", code, exitFindings)
	}
	if code := run(t.Context(), []string{"evaluate", "--inventory", inv, "--fail-on", "critical", "--suppressions", file, "--sarif", sarifPath}, &so, &se); code != exitOK {
		t.Fatalf("with every critical finding accepted --fail-on critical exited %d, want 0\n%s\n%s", code, so.String(), se.String())
	}
	var l struct {
		Runs []struct {
			Results []struct {
				Suppressions []any `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	var plain struct {
		Runs []struct{ Results []any } `json:"runs"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, sarifPath)), &l); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(dir, "plain.sarif"))), &plain); err != nil {
		t.Fatal(err)
	}
	suppressed := 0
	for _, r := range l.Runs[0].Results {
		if len(r.Suppressions) > 0 {
			suppressed++
		}
	}
	if suppressed == 0 || len(l.Runs[0].Results) != len(plain.Runs[0].Results) {
		t.Errorf("%d of %d results suppressed; without suppressions there were %d: suppressed findings must stay in the report",
			suppressed, len(l.Runs[0].Results), len(plain.Runs[0].Results))
	}
	if !strings.Contains(so.String(), "Accepted risks (") {
		t.Errorf("the summary does not list the accepted risks:\n%s", so.String())
	}
	issues, console, err := multitool.Validate(multitool.Find(t), sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		t.Errorf("SARIF Multitool on a log with suppressions: %s\n%s", is, console)
	}
}

// TestScanReadsSuppressionsFromTheOutputPrefix: the ECS task's accepted
// risks live next to its reports, so they change without a new image.
func TestScanReadsSuppressionsFromTheOutputPrefix(t *testing.T) {
	const bucket = "hoofprint-reports-suppressions-test"
	e := newOutputEnv(t, bucket)
	sc, emu, s3c := e.sc, e.emu, e.s3
	sample := freshExpiries(mustRead(t, filepath.Join("..", "..", "docs", "examples", "suppressions.yaml")), 90)
	if _, err := s3c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("nightly/suppressions.yaml"), Body: strings.NewReader(sample)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--sarif", filepath.Join(dir, "out.sarif"),
		"--html", filepath.Join(dir, "hoofprint.html"), "--output", "s3://" + bucket + "/nightly/"}
	var so, se bytes.Buffer
	code := run(t.Context(), args, &so, &se)
	if code != exitOK {
		t.Fatalf("scan exited %d\nstdout:\n%s\nstderr:\n%s", code, so.String(), se.String())
	}
	if !strings.Contains(so.String(), "Accepted risks (s3://"+bucket+"/nightly/suppressions.yaml)") || !strings.Contains(se.String(), "accepted risks read from --output") {
		t.Errorf("the scan did not use the suppressions under --output:\nstdout:\n%s\nstderr:\n%s", so.String(), se.String())
	}

	// The HTML report is uploaded with the others, accepted risks marked.
	if !strings.Contains(so.String(), "HTML (uploaded)") || !strings.Contains(mustRead(t, filepath.Join(dir, "hoofprint.html")), `data-suppressed="true">`) {
		t.Errorf("the HTML report was not uploaded, or does not mark the accepted risks:\n%s", so.String())
	}

	// An invalid file there stops the run before the scan, with exit 2.
	if _, err := s3c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("nightly/suppressions.yaml"),
		Body: strings.NewReader("suppressions:\n  - rule: s3-bucket-policy-public\n    resource: arn:aws:s3:::x\n")}); err != nil {
		t.Fatal(err)
	}
	emu.ResetRequests()
	so.Reset()
	se.Reset()
	if code := run(t.Context(), args, &so, &se); code != exitUsage || !strings.Contains(se.String(), "s3://"+bucket+"/nightly/suppressions.yaml:2: entry 1: reason is required") {
		t.Errorf("an invalid suppressions.yaml under --output: exit %d\n%s", code, se.String())
	}
	for _, r := range emu.RequestLog() {
		if r.Operation == "ListBuckets" {
			t.Errorf("the scan started despite an invalid suppressions file")
			break
		}
	}
}
