package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
)

// outputEnv is HealthCorp on the emulator with a private reports bucket
// for --output, its environment set for in-process runs, and in env for a
// hoofprint process.
type outputEnv struct {
	emu    *emulator.Emulator
	sc     *scenario.Scenario
	s3     *s3.Client
	bucket string
	env    []string
}

func newOutputEnv(t *testing.T, bucket string) *outputEnv {
	t.Helper()
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	testutil.SetEnv(t, emu.Environ())
	t.Setenv("AWS_CA_BUNDLE", "")
	base, err := awsclient.Load(t.Context(), awsclient.Options{EndpointURL: emu.URL(), RoleName: sc.MemberRoleName})
	if err != nil {
		t.Fatal(err)
	}
	e := &outputEnv{emu: emu, sc: sc, s3: s3.NewFromConfig(base.Config, base.S3Options()), bucket: bucket}
	on := aws.Bool(true)
	if _, err := e.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(e.bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.PutPublicAccessBlock(t.Context(), &s3.PutPublicAccessBlockInput{Bucket: aws.String(e.bucket),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
		t.Fatal(err)
	}
	creds := emu.CallerCredentials()
	e.env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=", "AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=",
		keySecretEnv+"=0123456789abcdef0123456789abcdef")
	return e
}

// uploaded lists the names of the files uploaded under prefix.
func (e *outputEnv) uploaded(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := e.s3.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range out.Contents {
		names = append(names, path.Base(aws.ToString(o.Key)))
	}
	slices.Sort(names)
	return names
}

// signalWhen runs bin with args, sends SIGTERM once ready() is true, and
// returns the exit code and stderr.
func (e *outputEnv) signalWhen(t *testing.T, bin string, args []string, ready func() bool) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	proc := startChild(t, cmd)
	deadline := time.Now().Add(60 * time.Second)
	for !ready() {
		select {
		case <-proc.exited:
			t.Fatalf("the run ended before the moment to signal it (exit %d)\n%s", cmd.ProcessState.ExitCode(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the moment to signal never came\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proc.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after SIGTERM\n%s", stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

func (e *outputEnv) seen(service, op string) func() bool {
	return func() bool {
		for k, n := range e.emu.Requests() {
			if k.Service == service && (op == "" || k.Operation == op) && n > 0 {
				return true
			}
		}
		return false
	}
}

// TestASignalAfterTheScanStillUploadsTheReports: on ECS the task's local
// files go with it, so the upload to --output is what keeps a night's
// work. A SIGTERM during the Security Hub import stops the import (exit 3)
// and still uploads every report; one during the upload lets it finish
// (within its grace). Both once cancelled the upload at once, or skipped
// it.
func TestASignalAfterTheScanStillUploadsTheReports(t *testing.T) {
	bin := buildBinary(t)
	want := []string{"inventory.json.gz", "out.sarif", "summary.json"}
	for _, tc := range []struct {
		name     string
		faults   []emulator.FaultRule
		extra    []string
		service  string
		op       string
		wantCode int
	}{
		{"during the Security Hub import", []emulator.FaultRule{{Service: "securityhub", Latency: 2 * time.Second}}, []string{"--securityhub"}, "securityhub", "", exitIncomplete},
		// The first file goes through at once, the next ones slowly: the
		// signal lands between them.
		{"during the upload", []emulator.FaultRule{{Service: "s3", Operation: "PutObject", Latency: 2 * time.Second, After: 1}}, nil, "s3", "PutObject", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newOutputEnv(t, "hoofprint-reports-test")
			e.emu.SetFaults(tc.faults)
			dir := t.TempDir()
			prefix := "nightly-" + strings.ReplaceAll(tc.name, " ", "-") + "/"
			args := append([]string{"scan", "--endpoint-url", e.emu.URL(), "--role-name", e.sc.MemberRoleName, "--log-format", "json",
				"--sarif", filepath.Join(dir, "out.sarif"), "--inventory", filepath.Join(dir, "inventory.json.gz"),
				"--output", "s3://" + e.bucket + "/" + prefix}, tc.extra...)
			code, stderr := e.signalWhen(t, bin, args, e.seen(tc.service, tc.op))
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantCode, stderr)
			}
			e.emu.SetFaults(nil)
			if got := e.uploaded(t, prefix); !slices.Equal(got, want) {
				t.Errorf("uploaded %v, want %v\n%s", got, want, stderr)
			}
			if tc.wantCode == exitIncomplete && !strings.Contains(stderr, "import to Security Hub") {
				t.Errorf("exit 3 without saying why:\n%s", stderr)
			}
			readSARIF(t, filepath.Join(dir, "out.sarif"))
		})
	}
}

// TestASignalBeforeTheScanIsAnInterruptionNotAConfigurationError: SIGTERM
// while the credentials are being checked exits 3 (interrupted), not 2,
// which alarms read as a broken configuration.
func TestASignalBeforeTheScanIsAnInterruptionNotAConfigurationError(t *testing.T) {
	bin := buildBinary(t)
	e := newOutputEnv(t, "hoofprint-reports-test")
	e.emu.SetFaults([]emulator.FaultRule{{Service: "sts", Latency: 30 * time.Second}})
	dir := t.TempDir()
	start := time.Now()
	code, stderr := e.signalWhen(t, bin, []string{"scan", "--endpoint-url", e.emu.URL(), "--role-name", e.sc.MemberRoleName, "--log-format", "json",
		"--sarif", filepath.Join(dir, "out.sarif")}, func() bool { return time.Since(start) > time.Second })
	if code != exitIncomplete || !strings.Contains(stderr, "interrupted before the scan began") {
		t.Errorf("exit %d, want %d saying the run was interrupted\n%s", code, exitIncomplete, stderr)
	}
	var last struct {
		Msg      string `json:"msg"`
		ExitCode int    `json:"exit_code"`
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Msg != "hoofprint finished" || last.ExitCode != exitIncomplete {
		t.Errorf("the last line is not the run summary with exit_code 3: %q (%v)", lines[len(lines)-1], err)
	}
}

// TestSecurityHubFailuresWithoutARejectedFindingMakeTheRunIncomplete: a
// region whose earlier findings could not be read (GetFindings denied) is
// a region where nothing was archived or kept in step. It counted no
// failed finding, so the run exited 0 and summary.json said "failed": 0.
func TestSecurityHubFailuresWithoutARejectedFindingMakeTheRunIncomplete(t *testing.T) {
	e := newOutputEnv(t, "hoofprint-reports-test")
	e.emu.SetFaults([]emulator.FaultRule{{Service: "securityhub", Operation: "GetFindings", AccessDenied: true}})
	dir := t.TempDir()
	var so, se bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", e.emu.URL(), "--role-name", e.sc.MemberRoleName, "-q",
		"--sarif", filepath.Join(dir, "out.sarif"), "--securityhub", "--output", "s3://" + e.bucket + "/sh/"}, &so, &se)
	if code != exitIncomplete || !strings.Contains(se.String(), "import to Security Hub: 0 findings not accepted") {
		t.Fatalf("exit %d, want %d naming the import's failures\n%s", code, exitIncomplete, se.String())
	}
	out, err := e.s3.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket), Prefix: aws.String("sh/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		if path.Base(aws.ToString(o.Key)) != "summary.json" {
			continue
		}
		obj, err := e.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(e.bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		var rs struct {
			SecurityHub struct {
				Failed   int `json:"failed"`
				Failures int `json:"failures"`
			} `json:"securityHub"`
		}
		err = json.NewDecoder(obj.Body).Decode(&rs)
		_ = obj.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if rs.SecurityHub.Failures == 0 {
			t.Errorf("summary.json counts no Security Hub failure: %+v", rs.SecurityHub)
		}
		return
	}
	t.Error("no summary.json was uploaded")
}

// TestEvalTimeoutIsNotASignal: a rule stopped by --eval-timeout leaves the
// run incomplete (exit 3), but nothing interrupted it: Security Hub still
// gets the findings that were evaluated (archiving keeps the stopped
// rule's). It was skipped, as after SIGTERM.
func TestEvalTimeoutIsNotASignal(t *testing.T) {
	e := newOutputEnv(t, "hoofprint-reports-test")
	var so, se bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", e.emu.URL(), "--role-name", e.sc.MemberRoleName, "-q",
		"--rules", slowRules(t), "--eval-timeout", "2s", "--securityhub"}, &so, &se)
	if code != exitIncomplete {
		t.Fatalf("exit %d, want %d\n%s", code, exitIncomplete, se.String())
	}
	if strings.Contains(se.String(), "import skipped") || !e.seen("securityhub", "BatchImportFindings")() {
		t.Errorf("the Security Hub import did not run after --eval-timeout:\n%s", se.String())
	}
}
