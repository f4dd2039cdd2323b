package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// startEmulator starts the emulator on sc, closed when the test ends.
func startEmulator(t *testing.T, sc *scenario.Scenario, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(t.Context(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// guardEnv starts the emulator on sc and points the AWS SDK's environment
// at it, with a key secret file (so that no run creates one).
func guardEnv(t *testing.T, sc *scenario.Scenario) (emu *emulator.Emulator, secretFile string) {
	t.Helper()
	return guardEnvWith(t, sc, emulator.Options{})
}

// guardEnvWith is guardEnv with the emulator's options (faults).
func guardEnvWith(t *testing.T, sc *scenario.Scenario, opts emulator.Options) (emu *emulator.Emulator, secretFile string) {
	t.Helper()
	emu = startEmulator(t, sc, opts)
	pointAWSAt(t, emu)
	t.Setenv(keySecretEnv, "")
	secretFile = filepath.Join(t.TempDir(), "key-secret")
	if err := os.WriteFile(secretFile, []byte("0123456789abcdef0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	return emu, secretFile
}

// pointAWSAt points the AWS SDK's environment at emu with its caller's
// credentials, no profile or shared files, and empty home and config
// directories.
func pointAWSAt(t *testing.T, emu *emulator.Emulator) {
	t.Helper()
	creds := emu.CallerCredentials()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir(),
	} {
		t.Setenv(k, v)
	}
}

// TestBadCommandLinesFailBeforeAnyAWSCall: each of these command lines is
// a usage error (exit 2) that names what was wrong, and is found before
// the first request: flags that contradict each other, a value that would
// be silently replaced or overflow, and outputs that would overwrite each
// other or the run's own input.
func TestBadCommandLinesFailBeforeAnyAWSCall(t *testing.T) {
	sc := scenario.HealthCorp()
	emu, secret := guardEnv(t, sc)
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	scan := func(args ...string) []string {
		return append([]string{"scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--key-secret-file", secret, "-q"}, args...)
	}
	// An existing file reached through a symbolic link, and a baseline
	// and plan that exist (they are read only after the checks).
	if err := os.WriteFile(at("last.sarif"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(at("last.sarif"), at("link.sarif")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(at("run"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		// Bug 1: an account both asked for and skipped.
		{"scan: an ID in --accounts and --exclude-accounts", scan("--accounts", "111111111111,222222222222", "--exclude-accounts", "222222222222"),
			"--accounts and --exclude-accounts both name 222222222222"},
		{"plan: an ID in --accounts and --exclude-accounts", []string{"plan", "--output", at("runs"), "--shards", "2", "--endpoint-url", emu.URL(), "--key-secret-file", secret, "--accounts", "333333333333", "--exclude-accounts", "333333333333"},
			"--accounts and --exclude-accounts both name 333333333333"},
		// Bug 2: a limit scale that would overflow.
		{"evaluate: --inventory-limit-scale 99999999999", []string{"evaluate", "--inventory", at("inv.json"), "--inventory-limit-scale", "99999999999"},
			"--inventory-limit-scale 99999999999: want 1 to 1000"},
		{"evaluate: --inventory-limit-scale 1001", []string{"evaluate", "--inventory", at("inv.json"), "--inventory-limit-scale", "1001"},
			"--inventory-limit-scale 1001: want 1 to 1000"},
		{"evaluate: --inventory-limit-scale 0", []string{"evaluate", "--inventory", at("inv.json"), "--inventory-limit-scale", "0"},
			"--inventory-limit-scale 0: want 1 to 1000"},
		// Bug 3: outputs that are the same file, or an input.
		{"scan: --inventory and --sarif", scan("--inventory", at("same.out"), "--sarif", at("same.out")),
			"--sarif " + at("same.out") + " and --inventory " + at("same.out") + " are the same file"},
		{"scan: --sarif, --asff and --html", scan("--sarif", at("f"), "--asff", at("f"), "--html", at("f")),
			"--sarif " + at("f") + " and --asff " + at("f") + " are the same file"},
		{"scan: --html and --asff through a relative path", scan("--html", at("r.html"), "--asff", dir+"/x/../r.html"),
			"are the same file"},
		{"scan: --asff is --baseline", scan("--sarif", at("new.sarif"), "--asff", at("last.sarif"), "--baseline", at("last.sarif")),
			"--asff " + at("last.sarif") + " is the --baseline file"},
		{"scan: --html is --baseline through a symbolic link", scan("--sarif", at("new.sarif"), "--html", at("link.sarif"), "--baseline", at("last.sarif")),
			"--html " + at("link.sarif") + " is the --baseline file " + at("last.sarif")},
		{"scan: --inventory is --key-secret-file", scan("--inventory", secret),
			"--inventory " + secret + " is the --key-secret-file file"},
		{"scan --plan: --html is the plan", []string{"scan", "--plan", at("run"), "--shard", "0/1", "--endpoint-url", emu.URL(), "--html", at("run/plan.json")},
			"--html " + at("run/plan.json") + " is the --plan file"},
		{"evaluate: --sarif is --inventory", []string{"evaluate", "--inventory", at("inv.json"), "--sarif", at("inv.json")},
			"--sarif " + at("inv.json") + " is the --inventory file"},
		{"evaluate: --asff is --inventory, relative", []string{"evaluate", "--inventory", at("inv.json"), "--asff", dir + "/./inv.json"},
			"is the --inventory file"},
		{"demo: --sarif and --html", []string{"demo", "--out", at("demo"), "--sarif", at("d"), "--html", at("d")},
			"--sarif " + at("d") + " and --html " + at("d") + " are the same file"},
		{"demo: --asff is --out's inventory", []string{"demo", "--out", at("demo"), "--asff", at("demo/inventory.json")},
			"--out (inventory.json) " + at("demo/inventory.json") + " and --asff"},
		{"demo: --html is --scenario", []string{"demo", "--out", at("demo"), "--scenario", at("my.yaml"), "--html", at("my.yaml")},
			"--html " + at("my.yaml") + " is the --scenario file"},
		{"merge: --inventory and --sarif", []string{"merge", "--run", at("run"), "--inventory", at("m"), "--sarif", at("m")},
			"are the same file"},
		{"merge: --asff is the run's plan", []string{"merge", "--run", at("run"), "--asff", at("run/plan.json")},
			"is the --run file"},
		// Outputs that could not be written once the scan is done.
		{"scan: --sarif under a file", scan("--sarif", at("last.sarif")+"/x/out.sarif"),
			"--sarif " + at("last.sarif") + "/x/out.sarif: " + at("last.sarif") + " is a file, not a folder"},
		{"scan: --inventory is a folder", scan("--inventory", at("run")),
			"--inventory " + at("run") + ": is a folder, not a file"},
		{"evaluate: --html under a file", []string{"evaluate", "--inventory", at("inv.json"), "--html", at("last.sarif") + "/r.html"},
			"is a file, not a folder"},
		// Inputs that would silently do nothing.
		{"scan: --rules folder without a rule", scan("--rules", at("run")), "--rules " + at("run") + " holds no .rego file"},
		{"evaluate: --baseline without --sarif", []string{"evaluate", "--inventory", at("inv.json"), "--baseline", at("last.sarif")},
			"--baseline " + at("last.sarif") + " needs --sarif"},
		{"keys resolve: a hash too short", []string{"keys", "resolve", "--endpoint-url", emu.URL(), "--bucket", "b", "--key-secret-file", secret, "hmac:zz"}, `"hmac:zz": want hmac: and 32 lowercase hex digits`},
		{"demo: --sample 0, as scan and plan refuse it", []string{"demo", "--out", at("demo"), "--sample", "0"}, "--sample 0: want 1 or more"},
		// Bug 4: 0 is not the default.
		{"scan: --suppressions-max-days 0", scan("--suppressions-max-days", "0"), "--suppressions-max-days 0: want 1 or more"},
		{"evaluate: --suppressions-max-days 0", []string{"evaluate", "--inventory", at("inv.json"), "--suppressions-max-days", "0"}, "--suppressions-max-days 0: want 1 or more"},
		{"demo: --suppressions-max-days 0", []string{"demo", "--out", at("demo"), "--suppressions-max-days", "0"}, "--suppressions-max-days 0: want 1 or more"},
		{"merge: --suppressions-max-days 0", []string{"merge", "--run", at("run"), "--suppressions-max-days", "0"}, "--suppressions-max-days 0: want 1 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu.ResetRequests()
			var so, se bytes.Buffer
			code := run(t.Context(), tc.args, &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), tc.want) {
				t.Fatalf("exit %d, want %d saying %q\n%s", code, exitUsage, tc.want, se.String())
			}
			if n := len(emu.RequestLog()); n != 0 {
				t.Errorf("%d AWS requests were made before the command line was refused", n)
			}
			if _, err := os.Stat(at("demo")); err == nil {
				t.Errorf("demo wrote %s before refusing the command line", at("demo"))
			}
		})
	}
	// A plan still works without the suppression flags it does not have.
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"plan", "--output", at("runs"), "--shards", "1", "--run-id", "ok", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--key-secret-file", secret, "-q"}, &so, &se); code != exitOK {
		t.Errorf("plan exited %d, want 0\n%s", code, se.String())
	}
}

// TestASelectionThatLeavesNoAccountIsRefused: an exclude list that removes
// every account of the organization, or --accounts naming only an account
// that is not ACTIVE, scans nothing; that is a usage error (exit 2) naming
// the flags, never "0 account(s), Findings: 0" and exit 0, and no report
// is written.
func TestASelectionThatLeavesNoAccountIsRefused(t *testing.T) {
	sc := scenario.HealthCorp()
	sc.Account("dev").Status = "SUSPENDED"
	emu, secret := guardEnv(t, sc)
	all := "111111111111,222222222222,333333333333,444444444444"
	tests := []struct {
		name string
		cmd  string
		args []string
		want string
	}{
		{"scan excluding every account", "scan", []string{"--exclude-accounts", all}, "3 excluded by --exclude-accounts, 1 not ACTIVE"},
		{"scan of a suspended account only", "scan", []string{"--accounts", "333333333333"}, "1 not ACTIVE, 3 not in --accounts"},
		{"plan excluding every account", "plan", []string{"--exclude-accounts", all}, "3 excluded by --exclude-accounts, 1 not ACTIVE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{tc.cmd, "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--key-secret-file", secret}
			if tc.cmd == "scan" {
				args = append(args, "--sarif", filepath.Join(dir, "out.sarif"), "--inventory", filepath.Join(dir, "inv.json"), "--asff", filepath.Join(dir, "out.asff.json"), "--html", filepath.Join(dir, "out.html"))
			} else {
				args = append(args, "--output", filepath.Join(dir, "runs"), "--shards", "2")
			}
			var so, se bytes.Buffer
			code := run(t.Context(), append(args, tc.args...), &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), "--accounts/--exclude-accounts leave no account to scan") || !strings.Contains(se.String(), tc.want) {
				t.Fatalf("exit %d, want %d naming the flags and %q\nstdout:\n%s\nstderr:\n%s", code, exitUsage, tc.want, so.String(), se.String())
			}
			if strings.Contains(so.String(), "Findings") {
				t.Errorf("a summary was printed for a scan of nothing:\n%s", so.String())
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				t.Errorf("%s was written", e.Name())
			}
		})
	}
}

// TestAnUnlistedOrganizationIsAGapNotAnEmptySelection: when ListAccounts
// is denied the scan falls back to the caller's account; excluding that
// account then leaves nothing, but the flags are not to blame. The run
// writes its reports naming the gap and exits 3 (AWS Batch retries 3).
func TestAnUnlistedOrganizationIsAGapNotAnEmptySelection(t *testing.T) {
	sc := scenario.HealthCorp()
	emu, secret := guardEnvWith(t, sc, emulator.Options{Faults: []emulator.FaultRule{
		{Service: "organizations", Operation: "ListAccounts", AccessDenied: true},
	}})
	dir := t.TempDir()
	sarif := filepath.Join(dir, "out.sarif")
	var so, se bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--key-secret-file", secret,
		"--exclude-accounts", "111111111111", "--sarif", sarif}, &so, &se)
	if code != exitIncomplete || strings.Contains(se.String(), "leave no account to scan") {
		t.Fatalf("exit %d, want %d (a gap, not a usage error)\n%s", code, exitIncomplete, se.String())
	}
	if !strings.Contains(mustRead(t, sarif), "ListAccounts") {
		t.Errorf("the SARIF log does not name the ListAccounts gap")
	}
}

// TestEndpointAndOutputPasswordsAreNeverPrinted: a password in
// --endpoint-url, AWS_ENDPOINT_URL or --output is refused (exit 2) without
// being printed, and an endpoint that is not http or https is refused at
// once instead of after the SDK's retries.
func TestEndpointAndOutputPasswordsAreNeverPrinted(t *testing.T) {
	const password = "hunter2SECRET"
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	secret := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123"), 0o600); err != nil {
		t.Fatal(err)
	}
	withPassword := "http://u:" + password + "@10.0.0.1:5000"
	tests := []struct {
		name string
		env  string // AWS_ENDPOINT_URL
		args []string
		want string
	}{
		{"--endpoint-url with a password", "", []string{"scan", "--endpoint-url", withPassword}, "--endpoint-url http://10.0.0.1:5000: remove the user name and password"},
		{"--endpoint-url with a password, insecure allowed", "", []string{"scan", "--endpoint-url", withPassword, "--allow-insecure-endpoint"}, "remove the user name and password"},
		{"a malformed --endpoint-url with a password", "", []string{"scan", "--endpoint-url", withPassword + "/%zz"}, `--endpoint-url "http://xxxxx@10.0.0.1:5000/%zz" is not an absolute URL`},
		{"AWS_ENDPOINT_URL with a password", withPassword, []string{"scan"}, "AWS_ENDPOINT_URL (or endpoint_url in the AWS config profile) http://10.0.0.1:5000: remove"},
		{"a malformed AWS_ENDPOINT_URL with a password", withPassword + "/%zz", []string{"scan"}, "is not an absolute URL"},
		{"plan --endpoint-url with a password", "", []string{"plan", "--output", t.TempDir(), "--shards", "1", "--endpoint-url", withPassword}, "remove the user name and password"},
		{"keys resolve --endpoint-url with a password", "", []string{"keys", "resolve", "--endpoint-url", withPassword, "--bucket", "b", "hmac:00000000000000000000000000000000"}, "remove the user name and password"},
		{"scan --output with a password", "", []string{"scan", "--output", "s3://u:" + password + "@reports/p/"}, `--output "s3://xxxxx@reports/p/": only s3://BUCKET/PREFIX/`},
		{"merge --output with a password", "", []string{"merge", "--run", t.TempDir(), "--output", "s3://u:" + password + "@reports/p/"}, `--output "s3://xxxxx@reports/p/"`},
		{"plan --output with a password", "", []string{"plan", "--shards", "1", "--output", "s3://u:" + password + "@reports/p/"}, `--output "s3://xxxxx@reports/p/"`},
		{"scan --plan with a password", "", []string{"scan", "--plan", "s3://u:" + password + "@reports/run/", "--shard", "0/1"}, `"s3://xxxxx@reports/run/"`},
		{"an ftp endpoint", "", []string{"scan", "--endpoint-url", "ftp://127.0.0.1:1"}, `--endpoint-url ftp://127.0.0.1:1: scheme "ftp": want http or https`},
		{"an ftp AWS_ENDPOINT_URL", "ftp://127.0.0.1:1", []string{"scan"}, `scheme "ftp": want http or https`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tc.env)
			start := time.Now()
			var so, se bytes.Buffer
			code := run(t.Context(), append(tc.args, "--key-secret-file", secret), &so, &se)
			if code != exitUsage || !strings.Contains(se.String(), tc.want) {
				t.Fatalf("exit %d, want %d saying %q\n%s", code, exitUsage, tc.want, se.String())
			}
			if strings.Contains(se.String()+so.String(), password) {
				t.Errorf("the password was printed:\n%s%s", so.String(), se.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: requests were attempted", d)
			}
		})
	}
}

// TestARollingBaselineIsAllowed: --sarif over its own --baseline is a
// nightly pattern (each night's log is the next night's baseline), safe
// because the baseline is read before the log is written.
func TestARollingBaselineIsAllowed(t *testing.T) {
	inv := demoInventory(t)
	roll := filepath.Join(t.TempDir(), "roll.sarif")
	args := []string{"evaluate", "--inventory", inv, "--sarif", roll, "-q"}
	var so, se bytes.Buffer
	if code := run(t.Context(), args, &so, &se); code != exitOK {
		t.Fatalf("first night exited %d\n%s", code, se.String())
	}
	if code := run(t.Context(), append(args, "--baseline", roll), &so, &se); code != exitOK {
		t.Fatalf("--sarif over its own --baseline exited %d\n%s", code, se.String())
	}
	if log := mustRead(t, roll); !strings.Contains(log, `"baselineState": "unchanged"`) || strings.Contains(log, `"baselineState": "new"`) {
		t.Errorf("the second night's log is not marked against the first")
	}
}
