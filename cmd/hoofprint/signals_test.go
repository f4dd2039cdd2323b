package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// buildBinary builds hoofprint into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "hoofprint")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// child is a process a test started, waited for in the background.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once Wait has returned
	err    error         // Wait's error, once exited is closed
}

// startChild starts cmd. A test that fails between Start and Wait would
// leave the process running (and writing into directories the test
// removes): should the test end first, the process is killed and reaped
// before the test's other cleanups.
func startChild(t *testing.T, cmd *exec.Cmd) *child {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.kill)
	return c
}

// wait returns Wait's error once the process has exited.
func (c *child) wait() error {
	<-c.exited
	return c.err
}

// kill kills the process and waits until it has been reaped (a no-op once
// it has exited).
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// slowRules is a --rules directory whose one rule runs for minutes.
func slowRules(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const rule = "# METADATA\n# title: Slow\n# description: D\n# custom:\n#   id: zz-user-slow\n#   severity: low\n#   resource_type: AwsS3Bucket\n#   remediation: R\npackage user.slow\n\n" +
		"deny contains f if {\n\tsome b in input.buckets\n\tn := count([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)])\n\tn < 0\n\tf := {\"account_id\": b.accountId, \"resource_arn\": b.arn, \"message\": \"never\"}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "slow.rego"), []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Issue 10 item 5, end to end: a rule that would run for minutes is stopped
// by --eval-timeout, and by SIGTERM (after the grace period); the reports
// are written, the run exits 3 and names the rule.
func TestSlowRuleIsStoppedByEvalTimeoutAndBySIGTERM(t *testing.T) {
	bin := buildBinary(t)
	rulesDir := slowRules(t)
	for _, tc := range []struct {
		name   string
		args   []string
		signal bool
	}{
		{"--eval-timeout", []string{"--eval-timeout", "2s"}, false},
		{"SIGTERM", []string{"--eval-timeout", "10m"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"evaluate", "--inventory", "../../rules/testdata/healthcorp-inventory.json", "--rules", rulesDir,
				"--sarif", filepath.Join(dir, "out.sarif"), "--asff", filepath.Join(dir, "out.asff.json")}, tc.args...)
			cmd := exec.Command(bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			proc := startChild(t, cmd)
			if tc.signal {
				time.Sleep(time.Second)
				if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-proc.exited:
				t.Logf("exited: %v", proc.err) // the exit code is checked below
			case <-time.After(90 * time.Second):
				proc.kill()
				t.Fatalf("still evaluating after 90 s\n%s", stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != exitIncomplete {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitIncomplete, stderr.String())
			}
			t.Logf("stopped after %v", time.Since(start).Round(time.Millisecond))
			if !strings.Contains(stderr.String(), "zz-user-slow") || !strings.Contains(stdout.String(), "zz-user-slow") {
				t.Errorf("the log or the summary does not name the rule that ran out of time\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			}
			// The run summary alarms read counts the rule that did not
			// finish as a gap (it said gaps=0).
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, `msg="hoofprint finished"`) || strings.Contains(last, " gaps=0 ") || !strings.Contains(last, " gaps=") {
				t.Errorf("the run summary does not count the stopped rule as a gap: %s", last)
			}
			l := readSARIF(t, filepath.Join(dir, "out.sarif"))
			if l.Runs[0].Invocations[0].ExecutionSuccessful {
				t.Error("the SARIF invocation says the run was successful")
			}
			if _, err := os.Stat(filepath.Join(dir, "out.asff.json")); err != nil {
				t.Errorf("no ASFF: %v", err)
			}
		})
	}
}

// Issue 10 item 7, end to end: SIGTERM while findings are being imported
// into Security Hub is an incomplete run (exit 3), as the README says.
func TestSIGTERMDuringTheSecurityHubImportExits3(t *testing.T) {
	bin := buildBinary(t)
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	emu.SetFaults([]emulator.FaultRule{{Service: "securityhub", Latency: 3 * time.Second}})
	dir := t.TempDir()
	creds := emu.CallerCredentials()
	cmd := exec.Command(bin, "scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName,
		"--sarif", filepath.Join(dir, "out.sarif"), "--securityhub", "--log-format", "json")
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=", "AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	proc := startChild(t, cmd)
	deadline := time.Now().Add(60 * time.Second)
	for !anySecurityHubRequest(emu) {
		if time.Now().After(deadline) {
			proc.kill()
			t.Fatalf("the run never reached Security Hub\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = proc.wait()
	if code := cmd.ProcessState.ExitCode(); code != exitIncomplete {
		t.Fatalf("after SIGTERM during the import the run exited %d, want %d\nstderr:\n%s", code, exitIncomplete, stderr.String())
	}
	readSARIF(t, filepath.Join(dir, "out.sarif"))
}

func anySecurityHubRequest(emu *emulator.Emulator) bool {
	for k, n := range emu.Requests() {
		if k.Service == "securityhub" && n > 0 {
			return true
		}
	}
	return false
}

// Issue 10 item 6: a broken --rules directory or a truncated --baseline
// fails before the first AWS call, not after a night's collection.
func TestBrokenRulesOrBaselineFailBeforeAnyAWSCall(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	creds := emu.CallerCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	badRules := t.TempDir()
	if err := os.WriteFile(filepath.Join(badRules, "typo.rego"), []byte("package user.typo\n\ndeny contains x if {\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(t.TempDir(), "last.sarif")
	if err := os.WriteFile(baseline, []byte(`{"version":"2.1.0","runs":[{"res`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"rules":    {[]string{"--rules", badRules}, "typo.rego:"},
		"baseline": {[]string{"--baseline", baseline, "--sarif", filepath.Join(t.TempDir(), "o.sarif")}, "--baseline " + baseline},
	} {
		t.Run(name, func(t *testing.T) {
			emu.ResetRequests()
			var so, se bytes.Buffer
			code := run(t.Context(), append([]string{"scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName}, tc.args...), &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), tc.want) {
				t.Fatalf("exit %d, want %d saying %q\n%s", code, exitUsage, tc.want, se.String())
			}
			if n := len(emu.RequestLog()); n != 0 {
				t.Errorf("%d AWS requests were made before the %s were checked", n, name)
			}
		})
	}
}

// Issue 10 item 11, end to end: scan refuses a plain-http endpoint off
// loopback before sending anything (192.0.2.1 is TEST-NET-1: a request
// would hang, not fail), and the environment's AWS_ENDPOINT_URL too.
func TestPlainHTTPEndpointOffLoopbackIsRefused(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	secret := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"--endpoint-url":   {"scan", "--endpoint-url", "http://192.0.2.1:5000"},
		"AWS_ENDPOINT_URL": {"scan"},
		"keys resolve":     {"keys", "resolve", "--endpoint-url", "http://192.0.2.1:5000", "--bucket", "b", "--key-secret-file", secret, "hmac:00000000000000000000000000000000"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "AWS_ENDPOINT_URL" {
				t.Setenv("AWS_ENDPOINT_URL", "http://192.0.2.1:5000")
			}
			start := time.Now()
			var so, se bytes.Buffer
			code := run(t.Context(), args, &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), "plain http") || !strings.Contains(se.String(), "--allow-insecure-endpoint") {
				t.Fatalf("exit %d, want %d refusing the endpoint\n%s", code, exitUsage, se.String())
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v: a request was attempted", d)
			}
		})
	}
}

// Issue 10 item 4, end to end: a user rule that would POST bucket policies
// to a listener (http.send) or look up the ECS metadata endpoint
// (net.lookup_ip_addr) fails at load, with its file and line, before
// anything is read, and the listener hears nothing.
func TestUserRulesCannotReachTheNetwork(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for name, call := range map[string]string{
		"http.send":          `r := http.send({"method": "POST", "url": "` + srv.URL + `", "body": b.policy})`,
		"net.lookup_ip_addr": `r := net.lookup_ip_addr("169.254.170.2")`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			rule := "# METADATA\n# title: Leak\n# description: D\n# custom:\n#   id: user-leak\n#   severity: low\n#   resource_type: AwsS3Bucket\n#   remediation: R\npackage user.leak\n\n" +
				"deny contains f if {\n\tsome b in input.buckets\n\t" + call + "\n\tf := {\"account_id\": b.accountId, \"resource_arn\": b.arn, \"message\": sprintf(\"%v\", [r])}\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "leak.rego"), []byte(rule), 0o600); err != nil {
				t.Fatal(err)
			}
			var so, se bytes.Buffer
			code := run(t.Context(), []string{"evaluate", "--inventory", "../../rules/testdata/healthcorp-inventory.json", "--rules", dir}, &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), "leak.rego:13") || !strings.Contains(se.String(), "undefined function "+name) {
				t.Fatalf("exit %d, want %d naming leak.rego:13 and %s\n%s", code, exitUsage, name, se.String())
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the listener received %d requests from a rule", n)
	}
}
