package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// slowRuleDir writes a user rule that runs for minutes on any bucket.
func slowRuleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const rule = `# METADATA
# title: Slow
# description: A comprehension far too large.
# custom:
#   id: zz-user-slow
#   severity: low
#   resource_type: AwsS3Bucket
#   remediation: R
package user.slow

deny contains f if {
	some b in input.buckets
	n := count([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)])
	n < 0
	f := {"account_id": b.accountId, "resource_arn": b.arn, "message": "never"}
}
`
	if err := os.WriteFile(filepath.Join(dir, "slow.rego"), []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func healthcorpInventory(t *testing.T) *inventory.Snapshot {
	t.Helper()
	inv, err := inventory.ReadFile("../rules/testdata/healthcorp-inventory.json")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// Issue 10 item 5: a rule that runs too long is stopped by --eval-timeout
// or, after a signal, by the grace period; every report of what was
// evaluated is written and the run is incomplete, naming the rule.
func TestRunStopsASlowRuleAndWritesWhatWasEvaluated(t *testing.T) {
	for _, tc := range []struct {
		name        string
		evalTimeout time.Duration
		signalAfter time.Duration
		wantCause   string
	}{
		// The slow rule runs for minutes; the other rules take well under a
		// second on a quiet machine. The budget and the signal leave them
		// seconds, so that on a loaded CI machine they still finish first and
		// the slow rule is the one running when evaluation is stopped.
		{"the --eval-timeout budget runs out", 5 * time.Second, 0, "--eval-timeout 5s reached"},
		{"a signal arrives and the grace runs out", 10 * time.Minute, 4 * time.Second, "grace for evaluation is over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.signalAfter > 0 {
				time.AfterFunc(tc.signalAfter, cancel)
			}
			dir := t.TempDir()
			var summary bytes.Buffer
			start := time.Now()
			out, err := pipeline.Run(ctx, healthcorpInventory(t), pipeline.Options{
				RuleDirs:      []string{slowRuleDir(t)},
				InventoryPath: filepath.Join(dir, "inv.json"),
				SARIFPath:     filepath.Join(dir, "out.sarif"),
				ASFFPath:      filepath.Join(dir, "out.asff.json"),
				EvalTimeout:   tc.evalTimeout,
				SignalGrace:   500 * time.Millisecond,
				Summary:       &summary,
			})
			if elapsed := time.Since(start); elapsed > time.Minute {
				t.Errorf("Run took %v", elapsed)
			}
			if !errors.Is(err, pipeline.ErrIncomplete) {
				t.Fatalf("Run = %v, want ErrIncomplete (exit 3)", err)
			}
			for _, name := range []string{"inv.json", "out.sarif", "out.asff.json"} {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Errorf("%s not written: %v", name, err)
				}
			}
			var gap *inventory.Gap
			for i, g := range out.Document.Coverage.Gaps {
				if g.Operation == "evaluate rule zz-user-slow" {
					gap = &out.Document.Coverage.Gaps[i]
				}
			}
			if gap == nil || gap.Code != "EvaluationTimeout" || !strings.Contains(gap.Message, tc.wantCause) {
				t.Fatalf("no EvaluationTimeout gap for zz-user-slow with cause %q: %+v", tc.wantCause, out.Document.Coverage.Gaps)
			}
			if out.Document.Coverage.Complete || !strings.Contains(out.Document.Coverage.Interrupted, "zz-user-slow") {
				t.Errorf("coverage = %+v, want incomplete naming the rule", out.Document.Coverage)
			}
			if len(out.Document.Findings) == 0 {
				t.Error("the findings of the rules that finished were dropped")
			}
			sarifText, _ := os.ReadFile(filepath.Join(dir, "out.sarif"))
			if !strings.Contains(string(sarifText), "zz-user-slow") {
				t.Error("the SARIF report does not name the rule that ran out of time")
			}
			if !strings.Contains(summary.String(), "zz-user-slow") {
				t.Errorf("the summary does not name the rule that ran out of time:\n%s", summary.String())
			}
		})
	}
}

// Issue 10 item 6: rules and the baseline are checked by Prepare, which the
// CLI calls before the first AWS call.
func TestPrepareRejectsBadRulesAndTruncatedBaselines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package user.bad\n\ndeny contains x if {\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Prepare(t.Context(), pipeline.Options{RuleDirs: []string{dir}}); err == nil || !strings.Contains(err.Error(), "bad.rego:") {
		t.Errorf("Prepare with a syntax error = %v, want file:line", err)
	}
	base := filepath.Join(t.TempDir(), "last.sarif")
	if err := os.WriteFile(base, []byte(`{"version":"2.1.0","runs":[{"results":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Prepare(t.Context(), pipeline.Options{BaselinePath: base}); err == nil || !strings.Contains(err.Error(), "--baseline "+base) {
		t.Errorf("Prepare with a truncated baseline = %v, want it named", err)
	}
}

// Issue 10 item 12: one output that cannot be written does not stop the
// others; the run fails naming each one that failed (exit 2).
func TestRunWritesEveryOutputItCanAndNamesTheFailures(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	out, err := pipeline.Run(t.Context(), healthcorpInventory(t), pipeline.Options{
		InventoryPath: filepath.Join(blocker, "inv.json"),
		SARIFPath:     filepath.Join(blocker, "out.sarif"),
		ASFFPath:      filepath.Join(dir, "out.asff.json"),
		FailOn:        findings.SeverityLow,
		Summary:       &summary,
	})
	if err == nil {
		t.Fatal("Run succeeded with two unwritable outputs")
	}
	for _, want := range []string{"2 outputs could not be written", "inventory " + filepath.Join(blocker, "inv.json"), "SARIF: write " + filepath.Join(blocker, "out.sarif")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if errors.Is(err, pipeline.ErrFindingsAtThreshold) || errors.Is(err, pipeline.ErrIncomplete) {
		t.Errorf("a write failure must exit 2, not 1 or 3: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.asff.json")); err != nil {
		t.Errorf("ASFF not written after the SARIF failure: %v", err)
	}
	if !strings.Contains(summary.String(), "Findings:") || len(out.Document.Findings) == 0 {
		t.Errorf("the summary was not printed:\n%s", summary.String())
	}
}

// Issue 10 item 7: a signal during the Security Hub import makes the run
// incomplete (exit 3), not a configuration error (exit 2).
func TestSignalDuringTheSecurityHubImportIsIncomplete(t *testing.T) {
	base, _, emu := scanHealthCorp(t)
	inv, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	emu.SetFaults([]emulator.FaultRule{{Service: "securityhub", Latency: 2 * time.Second}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			for k, n := range emu.Requests() {
				if k.Service == "securityhub" && n > 0 {
					cancel()
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	_, err = pipeline.Run(ctx, inv, pipeline.Options{
		SARIFPath:     filepath.Join(t.TempDir(), "out.sarif"),
		SecurityHub:   true,
		Accounts:      base,
		FinishTimeout: time.Second,
	})
	if !errors.Is(err, pipeline.ErrIncomplete) {
		t.Fatalf("Run = %v, want ErrIncomplete after a signal during the import", err)
	}
}

// Issue 10 item 7: a signal during the --output upload makes the run
// incomplete (exit 3), not a configuration error (exit 2).
func TestSignalDuringTheUploadIsIncomplete(t *testing.T) {
	base, s3c, emu := scanHealthCorp(t)
	ctx := t.Context()
	const bucket = "hoofprint-reports-signal-test"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	on := aws.Bool(true)
	if _, err := s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
		t.Fatal(err)
	}
	inv, err := scanner.Scan(ctx, base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	emu.ResetRequests()
	emu.SetFaults([]emulator.FaultRule{{Service: "s3", Operation: "PutObject", Latency: 2 * time.Second}})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for runCtx.Err() == nil {
			for k, n := range emu.Requests() {
				if k.Operation == "PutObject" && n > 0 {
					cancel()
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	_, err = pipeline.Run(runCtx, inv, pipeline.Options{
		SARIFPath:           filepath.Join(t.TempDir(), "out.sarif"),
		CallerConfig:        base.Config,
		S3Options:           base.S3Options(),
		Output:              "s3://" + bucket + "/nightly/",
		ExpectedBucketOwner: base.Caller.AccountID,
		FinishTimeout:       500 * time.Millisecond,
	})
	if !errors.Is(err, pipeline.ErrIncomplete) {
		t.Fatalf("Run = %v, want ErrIncomplete after a signal during the upload", err)
	}
}
