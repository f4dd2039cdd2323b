package pipeline_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// scanHealthCorp scans the emulated HealthCorp organization and returns
// what pipeline.Run needs, plus an S3 client of the caller's account.
func scanHealthCorp(t *testing.T) (*awsclient.Base, *s3.Client, *emulator.Emulator) {
	t.Helper()
	emu, err := emulator.Start(t.Context(), scenario.HealthCorp(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	testutil.SetEnv(t, emu.Environ())
	base, err := awsclient.Load(t.Context(), awsclient.Options{EndpointURL: emu.URL(), RoleName: emu.Scenario().MemberRoleName})
	if err != nil {
		t.Fatal(err)
	}
	return base, s3.NewFromConfig(base.Config, base.S3Options()), emu
}

func TestRunUploadsTheReportsAndARunSummary(t *testing.T) {
	base, s3c, _ := scanHealthCorp(t)
	ctx := t.Context()
	const bucket = "hoofprint-reports-pipeline-test"
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
	dir := t.TempDir()
	var summary bytes.Buffer
	out, err := pipeline.Run(ctx, inv, pipeline.Options{
		SARIFPath:           filepath.Join(dir, "hoofprint.sarif"),
		InventoryPath:       filepath.Join(dir, "inventory.json.gz"),
		FailOn:              findings.SeverityCritical,
		CallerConfig:        base.Config,
		S3Options:           base.S3Options(),
		Output:              "s3://" + bucket + "/nightly/",
		ExpectedBucketOwner: base.Caller.AccountID,
		Summary:             &summary,
	})
	if !errors.Is(err, pipeline.ErrFindingsAtThreshold) {
		t.Fatalf("Run = %v, want the --fail-on critical sentinel (HealthCorp has public objects)", err)
	}
	uploaded := map[string]string{}
	for _, f := range out.Files {
		if strings.HasPrefix(f.Location, "s3://") {
			uploaded[filepath.Base(f.Location)] = f.Location
		}
	}
	for _, name := range []string{"hoofprint.sarif", "inventory.json.gz", "summary.json"} {
		if uploaded[name] == "" {
			t.Errorf("%s was not uploaded; files: %v", name, out.Files)
		}
	}
	if !strings.Contains(summary.String(), "run summary (uploaded)") {
		t.Errorf("the terminal summary does not list the uploaded run summary:\n%s", summary.String())
	}

	key := strings.TrimPrefix(uploaded["summary.json"], "s3://"+bucket+"/")
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("read back summary.json: %v", err)
	}
	defer func() { _ = obj.Body.Close() }()
	b, _ := io.ReadAll(obj.Body)
	var rs pipeline.RunSummary
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatalf("summary.json is not JSON: %v\n%s", err, b)
	}
	if rs.Findings != len(out.Document.Findings) || rs.Findings == 0 {
		t.Errorf("summary.json counts %d findings, the run had %d", rs.Findings, len(out.Document.Findings))
	}
	if rs.ByRule["cloudfront-origin-objects-unreadable"] == 0 {
		t.Errorf("summary.json by rule lacks the seed incident: %v", rs.ByRule)
	}
	if rs.FailOn != "critical" || rs.AtOrAboveFailOn == 0 {
		t.Errorf("summary.json fail-on = %q with %d at or above it", rs.FailOn, rs.AtOrAboveFailOn)
	}
	// The per-control table: every section with rules, every scanned
	// account judged once per section; audit controls fail somewhere in
	// HealthCorp (data events), and the rules behind it are listed.
	if rs.Profile != "hipaa" || len(rs.Controls) == 0 {
		t.Fatalf("summary.json profile %q, %d controls", rs.Profile, len(rs.Controls))
	}
	for _, c := range rs.Controls {
		if n := len(c.Passing) + len(c.Failing) + len(c.NotEvaluated); n != len(out.Document.Accounts) {
			t.Errorf("control %s judges %d accounts, the run scanned %d", c.ID, n, len(out.Document.Accounts))
		}
		if c.ID == "164.312(b)" && (len(c.Failing) == 0 || !slices.Contains(c.Rules, "s3-bucket-data-events-off")) {
			t.Errorf("audit controls: %+v", c)
		}
	}
	if !strings.Contains(summary.String(), "HIPAA Security Rule safeguards") || !strings.Contains(summary.String(), "164.312(b)") {
		t.Errorf("the terminal summary lacks the per-control table:\n%s", summary.String())
	}
}

func TestRunStillPrintsTheSummaryWhenTheUploadIsRefused(t *testing.T) {
	base, _, emu := scanHealthCorp(t)
	ctx := t.Context()
	// A public bucket of another account (the dev account's scratch bucket):
	// the pre-flight check must refuse it, whichever check fails first.
	const bucket = "healthcorp-dev-scratch"
	inv, err := scanner.Scan(ctx, base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	emu.ResetRequests() // what follows is the run's, not the scan's
	var summary bytes.Buffer
	out, err := pipeline.Run(ctx, inv, pipeline.Options{
		SARIFPath:           filepath.Join(t.TempDir(), "hoofprint.sarif"),
		CallerConfig:        base.Config,
		S3Options:           base.S3Options(),
		Output:              "s3://" + bucket + "/nightly/",
		ExpectedBucketOwner: base.Caller.AccountID,
		Summary:             &summary,
	})
	if err == nil || !strings.Contains(err.Error(), "upload reports to s3://"+bucket) {
		t.Fatalf("Run = %v, want the upload to a public bucket refused", err)
	}
	if errors.Is(err, pipeline.ErrFindingsAtThreshold) || errors.Is(err, pipeline.ErrIncomplete) {
		t.Errorf("a refused upload must not read as a findings or coverage outcome: %v", err)
	}
	for _, f := range out.Files {
		if strings.HasPrefix(f.Location, "s3://") {
			t.Errorf("%s was uploaded to a public bucket", f.Location)
		}
	}
	// What S3 saw, not only what Run says: the pre-flight reads reached the
	// bucket, and no request wrote to it.
	reads := 0
	for _, r := range emu.RequestLog() {
		if r.Bucket != bucket || r.Service != "s3" {
			continue
		}
		if r.Write {
			t.Errorf("%s %s reached the public bucket (HTTP %d)", r.Operation, r.Bucket, r.Status)
		}
		if r.Account == base.Caller.AccountID {
			reads++
		}
	}
	if reads == 0 {
		t.Error("no request of the caller reached the bucket: the refusal was not the pre-flight check's")
	}
	if !strings.Contains(summary.String(), "Findings:") || !strings.Contains(summary.String(), "hoofprint.sarif") {
		t.Errorf("the summary was not printed after the refused upload:\n%s", summary.String())
	}
}
