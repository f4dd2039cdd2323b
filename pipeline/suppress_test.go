package pipeline_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
	"github.com/hoofprint/hoofprint/suppress"
)

// acceptedRisks covers the marketing site's public policy (critical) and
// every object finding of the dev scratch bucket.
const acceptedRisks = `version: 1
suppressions:
  - rule: s3-bucket-policy-public
    account: "444444444444"
    resource: arn:aws:s3:::healthcorp-marketing-site
    reason: Public marketing website, no PHI (SEC-1234)
    owner: security@healthcorp.example
    expires: 2027-06-30
  - rule: s3-object-*
    resource: arn:aws:s3:::healthcorp-dev-scratch/*
    reason: Scratch bucket is being deleted (CHG-88)
    owner: dev-lead@healthcorp.example
    expires: 2027-01-15
`

type nightReports struct {
	out     pipeline.Outcome
	err     error
	summary string
	sarif   struct {
		Runs []struct {
			Results []struct {
				RuleID       string           `json:"ruleId"`
				Suppressions []map[string]any `json:"suppressions"`
				Properties   map[string]any   `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	asff []struct {
		GeneratorId  string
		AwsAccountId string
		Resources    []struct{ Id string }
		Workflow     struct{ Status string }
	}
	html string
}

// TestAnExpiredSuppressionReappearsAsAnActiveFindingEverywhere runs three
// nights against one emulated organization (one Security Hub): without
// accepted risks, with them, and after they expired. Every output must
// follow: SARIF suppressions, ASFF and Security Hub workflow, the summary,
// summary.json and --fail-on.
func TestAnExpiredSuppressionReappearsAsAnActiveFindingEverywhere(t *testing.T) {
	base, _, emu := scanHealthCorp(t)
	ctx := t.Context()
	inv, err := scanner.Scan(ctx, base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	night := func(name string, now time.Time, set *suppress.Set) nightReports {
		t.Helper()
		dir := t.TempDir()
		var sum bytes.Buffer
		var r nightReports
		r.out, r.err = pipeline.Run(ctx, inv, pipeline.Options{
			SARIFPath: filepath.Join(dir, "hoofprint.sarif"), ASFFPath: filepath.Join(dir, "hoofprint.asff.json"),
			HTMLPath: filepath.Join(dir, "hoofprint.html"),
			FailOn:   findings.SeverityCritical, Suppressions: set, SecurityHub: true, Accounts: base,
			Summary: &sum, Now: func() time.Time { return now },
		})
		if r.err != nil && !errors.Is(r.err, pipeline.ErrFindingsAtThreshold) {
			t.Fatalf("%s: Run = %v", name, r.err)
		}
		r.summary = sum.String()
		readJSON(t, filepath.Join(dir, "hoofprint.sarif"), &r.sarif)
		readJSON(t, filepath.Join(dir, "hoofprint.asff.json"), &r.asff)
		b, err := os.ReadFile(filepath.Join(dir, "hoofprint.html"))
		if err != nil {
			t.Fatal(err)
		}
		r.html = string(b)
		return r
	}
	isCovered := func(rule, resource string) bool {
		return (rule == "s3-bucket-policy-public" && resource == "arn:aws:s3:::healthcorp-marketing-site") ||
			(strings.HasPrefix(rule, "s3-object-") && strings.HasPrefix(resource, "arn:aws:s3:::healthcorp-dev-scratch/"))
	}
	hubWorkflow := func() (suppressed, covered int, notes []string) {
		t.Helper()
		for _, acct := range []string{"333333333333", "444444444444"} {
			for _, f := range emu.Findings(acct, "us-east-1") {
				rs, _ := f["Resources"].([]any)
				res, _ := rs[0].(map[string]any)
				if !isCovered(f["GeneratorId"].(string), res["Id"].(string)) {
					if w := f["Workflow"].(map[string]any)["Status"]; w != "NEW" {
						t.Errorf("Security Hub: %s on %s not covered, yet workflow %v", f["GeneratorId"], res["Id"], w)
					}
					continue
				}
				covered++
				if f["Workflow"].(map[string]any)["Status"] == "SUPPRESSED" {
					suppressed++
				}
				if n, ok := f["Note"].(map[string]any); ok {
					notes = append(notes, n["Text"].(string))
				}
			}
		}
		return suppressed, covered, notes
	}

	t1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	first := night("night 1 (no accepted risks)", t1, nil)
	if s, c, _ := hubWorkflow(); s != 0 || c == 0 {
		t.Fatalf("night 1: %d of %d covered findings suppressed in Security Hub", s, c)
	}
	criticalAll := first.out.AtOrAboveFailOn

	set, err := suppress.Parse("suppressions.yaml", []byte(acceptedRisks), suppress.Options{Now: t1.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	second := night("night 2 (accepted)", t1.Add(24*time.Hour), set)
	nSup := second.out.Document.SuppressedCount()
	if nSup < 2 {
		t.Fatalf("night 2: %d findings suppressed, want the marketing policy and the scratch objects", nSup)
	}
	for _, r := range second.sarif.Runs[0].Results {
		covered := isCovered(r.RuleID, r.Properties["resourceArn"].(string))
		if got := len(r.Suppressions) == 1; got != covered {
			t.Errorf("night 2 SARIF: %s %s suppressions %v", r.RuleID, r.Properties["resourceArn"], r.Suppressions)
		}
		if covered && (r.Suppressions[0]["kind"] != "external" || r.Suppressions[0]["status"] != "accepted") {
			t.Errorf("night 2 SARIF suppression = %v", r.Suppressions[0])
		}
	}
	for _, f := range second.asff {
		if want := map[bool]string{true: "SUPPRESSED", false: "NEW"}[isCovered(f.GeneratorId, f.Resources[0].Id)]; f.Workflow.Status != want {
			t.Errorf("night 2 ASFF: %s %s workflow %s, want %s", f.GeneratorId, f.Resources[0].Id, f.Workflow.Status, want)
		}
	}
	// The findings existed since night 1: only BatchUpdateFindings can
	// suppress them.
	if s, c, notes := hubWorkflow(); s != c || len(notes) != c || !strings.Contains(notes[0], "Accepted risk until") {
		t.Errorf("night 2 Security Hub: %d of %d covered findings SUPPRESSED, notes %q", s, c, notes)
	}
	if got := second.out.Import.Totals().Suppressed; got != nSup {
		t.Errorf("night 2 import counts %d suppressed, want %d", got, nSup)
	}
	if second.out.AtOrAboveFailOn >= criticalAll {
		t.Errorf("night 2: %d findings at or above --fail-on, night 1 had %d: suppressed ones still count", second.out.AtOrAboveFailOn, criticalAll)
	}
	if got := strings.Count(second.html, `data-suppressed="true">`); got != nSup {
		t.Errorf("night 2 HTML marks %d findings as accepted risks, want %d", got, nSup)
	}
	if !strings.Contains(second.summary, "Accepted risks (suppressions.yaml)") || !strings.Contains(second.summary, "s3-bucket-policy-public on arn:aws:s3:::healthcorp-marketing-site") {
		t.Errorf("night 2 summary does not list the accepted risks:\n%s", second.summary)
	}

	// Night 3: both entries have expired.
	t3 := time.Date(2027, 7, 2, 2, 0, 0, 0, time.UTC)
	expired, err := suppress.Parse("suppressions.yaml", []byte(acceptedRisks), suppress.Options{Now: t3})
	if err != nil {
		t.Fatal(err)
	}
	third := night("night 3 (expired)", t3, expired)
	if n := third.out.Document.SuppressedCount(); n != 0 {
		t.Errorf("night 3: %d findings still suppressed after expiry", n)
	}
	for _, r := range third.sarif.Runs[0].Results {
		if len(r.Suppressions) != 0 {
			t.Errorf("night 3 SARIF: %s still suppressed", r.RuleID)
		}
	}
	for _, f := range third.asff {
		if f.Workflow.Status != "NEW" {
			t.Errorf("night 3 ASFF: %s workflow %s", f.GeneratorId, f.Workflow.Status)
		}
	}
	s, c, notes := hubWorkflow()
	if s != 0 {
		t.Errorf("night 3 Security Hub: %d of %d findings still SUPPRESSED after expiry", s, c)
	}
	for _, n := range notes {
		if !strings.Contains(n, "expired or was removed") {
			t.Errorf("night 3 Security Hub note = %q", n)
		}
	}
	if got := third.out.Import.Totals().Reactivated; got != nSup {
		t.Errorf("night 3 import reactivated %d, want %d", got, nSup)
	}
	if third.out.AtOrAboveFailOn != criticalAll {
		t.Errorf("night 3: %d at or above --fail-on, want %d as before any suppression", third.out.AtOrAboveFailOn, criticalAll)
	}
	if strings.Contains(third.html, `data-suppressed="true">`) || strings.Count(third.html, `<span class="tag sev-high">expired</span>`) != 2 ||
		!strings.Contains(third.html, `<b id="total-active">`+itoa(len(third.out.Document.Findings))+`</b>`) {
		t.Error("night 3 HTML: the expired entries' findings are not active again, or the entries are not listed as expired")
	}
	for _, want := range []string{"EXPIRED end of 2027-06-30 UTC", "ACTIVE again", "0 finding(s) suppressed, 2 entries expired"} {
		if !strings.Contains(third.summary, want) {
			t.Errorf("night 3 summary lacks %q:\n%s", want, third.summary)
		}
	}
	if strings.Count(third.summary, "Findings: ") != 1 || !strings.Contains(third.summary, "Findings: "+itoa(len(third.out.Document.Findings))) {
		t.Errorf("night 3 summary does not count every finding as active:\n%s", third.summary)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestSuppressionsWhenFindingsSpill: a run with more findings than fit in
// memory (findings.Set spills them to a file) marks, counts and reports
// accepted risks exactly as one that keeps them in memory.
func TestSuppressionsWhenFindingsSpill(t *testing.T) {
	base, _, _ := scanHealthCorp(t)
	ctx := t.Context()
	inv, err := scanner.Scan(ctx, base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	run := func(inMemory int) (pipeline.Outcome, string, string) {
		t.Helper()
		set, err := suppress.Parse("suppressions.yaml", []byte(acceptedRisks), suppress.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var sum bytes.Buffer
		out, err := pipeline.Run(ctx, inv, pipeline.Options{
			SARIFPath: filepath.Join(dir, "hoofprint.sarif"), FailOn: findings.SeverityCritical, Suppressions: set,
			Summary: &sum, Now: func() time.Time { return now }, FindingsInMemory: inMemory,
		})
		if err != nil && !errors.Is(err, pipeline.ErrFindingsAtThreshold) {
			t.Fatalf("Run = %v", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "hoofprint.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		return out, string(b), strings.ReplaceAll(sum.String(), dir, "DIR")
	}
	mem, memSARIF, memSum := run(0)
	spill, spillSARIF, spillSum := run(3)
	if spill.Document.Set == nil || !spill.Document.Set.Spilled() {
		t.Fatal("the findings did not spill: the test proves nothing")
	}
	if n := spill.Document.SuppressedCount(); n == 0 || n != mem.Document.SuppressedCount() {
		t.Errorf("suppressed: %d spilled, %d in memory", n, mem.Document.SuppressedCount())
	}
	if spill.AtOrAboveFailOn != mem.AtOrAboveFailOn {
		t.Errorf("--fail-on count: %d spilled, %d in memory", spill.AtOrAboveFailOn, mem.AtOrAboveFailOn)
	}
	if a, b := strings.Count(spillSARIF, `"status": "accepted"`), strings.Count(memSARIF, `"status": "accepted"`); a != b || a == 0 {
		t.Errorf("SARIF suppressions: %d spilled, %d in memory", a, b)
	}
	if spillSum != memSum {
		t.Errorf("the summary differs when findings spill:\n--- spilled\n%s\n--- in memory\n%s", spillSum, memSum)
	}
}
