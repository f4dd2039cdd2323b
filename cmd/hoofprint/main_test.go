package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/multitool"
	"github.com/hoofprint/hoofprint/inventory"
)

// sarifLog is the part of a SARIF file these tests read.
type sarifLog struct {
	Runs []struct {
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
		} `json:"invocations"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, path string) sarifLog {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read SARIF: %v", err)
	}
	var l sarifLog
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatalf("parse SARIF %s: %v", path, err)
	}
	if len(l.Runs) == 0 {
		t.Fatalf("SARIF %s has no runs", path)
	}
	return l
}

// resultsFor returns the location URIs of the results of one rule.
func resultsFor(l sarifLog, ruleID string) []string {
	var uris []string
	for _, run := range l.Runs {
		for _, r := range run.Results {
			if r.RuleID == ruleID && len(r.Locations) > 0 {
				uris = append(uris, r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
			}
		}
	}
	return uris
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestDemoFindsTheSeedIncidentAndWritesEveryReport(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"demo", "--out", dir}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, name := range []string{"hoofprint.sarif", "hoofprint.asff.json", "inventory.json"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("demo did not write %s: %v", name, err)
		}
	}
	// The official validator, GitHub's rules included: not even a warning.
	// A subtest, so that a missing Multitool skips only this check.
	t.Run("the SARIF Multitool reports nothing", func(t *testing.T) {
		issues, console, err := multitool.Validate(multitool.Find(t), filepath.Join(dir, "hoofprint.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range issues {
			t.Errorf("SARIF Multitool on the demo's SARIF: %s\n%s", is, console)
		}
	})
	// What BatchImportFindings requires of each finding, checked on the file
	// a run writes rather than only on the asff package's fixture.
	t.Run("the ASFF matches the Security Hub finding schema", func(t *testing.T) {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		sch, err := c.Compile(filepath.Join("..", "..", "report", "asff", "testdata", "asff-finding.schema.json"))
		if err != nil {
			t.Fatalf("compile ASFF schema: %v", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "hoofprint.asff.json"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("hoofprint.asff.json is not JSON: %v", err)
		}
		if list, ok := v.([]any); !ok || len(list) == 0 {
			t.Fatalf("hoofprint.asff.json holds no findings to check: %.200s", b)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("the demo's ASFF misses required fields or limits: %v", err)
		}
	})
	l := readSARIF(t, filepath.Join(dir, "hoofprint.sarif"))
	// The outage: prod's OAI cannot read the objects the tools account owns.
	if uris := resultsFor(l, "cloudfront-origin-objects-unreadable"); !containsSubstring(uris, "healthcorp-prod") {
		t.Errorf("cloudfront-origin-objects-unreadable does not name the prod site: %v", uris)
	}
	// The outage waiting to happen: dev works only through public-read ACLs.
	if uris := resultsFor(l, "cloudfront-origin-breaks-on-block-public-access"); !containsSubstring(uris, "healthcorp-dev") {
		t.Errorf("cloudfront-origin-breaks-on-block-public-access does not name the dev site: %v", uris)
	}
	out := stdout.String()
	checkVerifiedVendorObject(t, dir, out)
	for _, want := range []string{"cloudfront-origin-objects-unreadable", "cloudfront-origin-breaks-on-block-public-access", "hoofprint.sarif"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo summary does not mention %q:\n%s", want, out)
		}
	}
	// Keys may hold patient data: none may reach a report or a log by default.
	for _, name := range []string{"hoofprint.sarif", "hoofprint.asff.json", "inventory.json"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte("jane-doe")) {
			t.Errorf("%s contains a patient's name from an object key", name)
		}
	}
	if strings.Contains(out+stderr.String(), "jane-doe") {
		t.Errorf("the demo's output contains a patient's name from an object key")
	}
}

func TestDemoShowsKeysOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir, "--show-object-keys", "-q"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "inventory.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("index.html")) {
		t.Errorf("with --show-object-keys the inventory should keep object keys such as index.html")
	}
	if stdout.Len() != 0 {
		t.Errorf("-q should print no summary, got:\n%s", stdout.String())
	}
}

func TestEvaluateOfflineHonoursFailOn(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir, "-q"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, stderr.String())
	}
	inv := filepath.Join(dir, "inventory.json")
	tests := []struct {
		name   string
		failOn string
		want   int
	}{
		{"findings below the threshold exit 0", "none", exitOK},
		{"high findings with --fail-on high exit 1", "high", exitFindings},
		{"critical findings with --fail-on critical exit 1", "critical", exitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sarifPath := filepath.Join(t.TempDir(), "out.sarif")
			var so, se bytes.Buffer
			code := run(t.Context(), []string{"evaluate", "--inventory", inv, "--fail-on", tt.failOn, "--sarif", sarifPath, "-q"}, &so, &se)
			if code != tt.want {
				t.Fatalf("evaluate --fail-on %s exited %d, want %d\n%s", tt.failOn, code, tt.want, se.String())
			}
			if len(resultsFor(readSARIF(t, sarifPath), "cloudfront-origin-objects-unreadable")) == 0 {
				t.Errorf("offline evaluation lost the seed incident finding")
			}
		})
	}
}

func TestUsageErrorsExit2WithAClearMessage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown flag", []string{"scan", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{"an unknown severity", []string{"scan", "--fail-on", "urgent"}, `unknown severity "urgent"`},
		{"a malformed account ID", []string{"scan", "--accounts", "1234,222222222222"}, `--accounts: "1234" is not a 12-digit AWS account ID`},
		{"an unknown log format", []string{"evaluate", "--inventory", "x", "--log-format", "xml"}, `--log-format "xml"`},
		{"evaluate without an inventory", []string{"evaluate"}, "evaluate needs --inventory FILE"},
		{"an inventory that does not exist", []string{"evaluate", "--inventory", "/nonexistent/inv.json"}, "/nonexistent/inv.json"},
		{"an endpoint that is not a URL", []string{"scan", "--endpoint-url", "localhost"}, `--endpoint-url "localhost"`},
		{"an output that is not an S3 URI", []string{"scan", "--output", "/tmp/reports"}, `hoofprint: --output "/tmp/reports": scheme must be s3://`},
		{"a KMS key without an output", []string{"scan", "--sse-kms-key", "arn:aws:kms:us-east-1:111111111111:key/x"}, "--sse-kms-key is only used with --output"},
		{"a sample of zero objects", []string{"scan", "--sample", "0"}, "--sample 0: want 1 or more"},
		{"an unknown profile", []string{"evaluate", "--inventory", "x", "--profile", "pci"}, `--profile "pci": want incident, hipaa, all`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var so, se bytes.Buffer
			code := run(t.Context(), tt.args, &so, &se)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(se.String(), tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, se.String())
			}
		})
	}
}

func TestRulesListShowsEveryCatalogueRule(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"rules", "list"}, &so, &se); code != exitOK {
		t.Fatalf("rules list exited %d: %s", code, se.String())
	}
	for _, id := range []string{"s3-account-public-access-block-off", "s3-object-foreign-owner", "cloudfront-origin-breaks-on-block-public-access", "cloudfront-viewer-http-allowed"} {
		if !strings.Contains(so.String(), id) {
			t.Errorf("rules list lacks %s", id)
		}
	}
	if !strings.Contains(so.String(), "164.312") {
		t.Errorf("rules list shows no HIPAA references:\n%s", so.String())
	}
}

func TestRulesListShowsProfilesAndControls(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"rules", "list"}, &so, &se); code != exitOK {
		t.Fatalf("rules list exited %d: %s", code, se.String())
	}
	for _, want := range []string{"PROFILES", "incident,hipaa,all", "cloudfront-viewer-tls-outdated", "hipaa,all", "SCOPE", "origins"} {
		if !strings.Contains(so.String(), want) {
			t.Errorf("rules list lacks %q:\n%s", want, so.String())
		}
	}
	so.Reset()
	if code := run(t.Context(), []string{"rules", "list", "--by-control"}, &so, &se); code != exitOK {
		t.Fatalf("rules list --by-control exited %d: %s", code, se.String())
	}
	out := so.String()
	// The audit-controls section lists its three rules under it.
	_, after, ok := strings.Cut(out, "164.312(b)")
	if !ok || !strings.HasPrefix(strings.TrimLeft(after, " "), "technical") {
		t.Fatalf("no 164.312(b) row:\n%s", out)
	}
	section, _, _ := strings.Cut(after, "164.312(c)(1)")
	for _, id := range []string{"s3-bucket-access-logging-off", "s3-bucket-data-events-off", "cloudfront-access-logging-off"} {
		if !strings.Contains(section, id) {
			t.Errorf("164.312(b) does not list %s:\n%s", id, section)
		}
	}
}

func TestProfileChoosesTheRulesThatRun(t *testing.T) {
	dir := t.TempDir()
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir, "-q"}, &so, &se); code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, se.String())
	}
	inv := filepath.Join(dir, "inventory.json")
	for _, tc := range []struct {
		profile string
		want    bool
	}{{"incident", false}, {"hipaa", true}, {"all", true}} {
		t.Run(tc.profile, func(t *testing.T) {
			sarifPath := filepath.Join(t.TempDir(), "out.sarif")
			if code := run(t.Context(), []string{"evaluate", "--inventory", inv, "--profile", tc.profile, "--sarif", sarifPath, "-q"}, &so, &se); code != exitOK {
				t.Fatalf("evaluate --profile %s exited %d\n%s", tc.profile, code, se.String())
			}
			got := len(resultsFor(readSARIF(t, sarifPath), "s3-bucket-versioning-off")) > 0
			if got != tc.want {
				t.Errorf("--profile %s: s3-bucket-versioning-off results %v, want %v", tc.profile, got, tc.want)
			}
			if len(resultsFor(readSARIF(t, sarifPath), "cloudfront-origin-objects-unreadable")) == 0 {
				t.Errorf("--profile %s lost the incident's finding", tc.profile)
			}
		})
	}
}

func TestRulesTestRunsTheEmbeddedRegoTests(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"rules", "test"}, &so, &se); code != exitOK {
		t.Fatalf("rules test exited %d:\n%s\n%s", code, so.String(), se.String())
	}
	if !strings.Contains(so.String(), " passed, 0 failed") {
		t.Errorf("rules test did not report its counts:\n%s", so.String())
	}
}

func TestVersionPrintsTheStampedVersion(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"version"}, &so, &se); code != exitOK {
		t.Fatalf("version exited %d", code)
	}
	if !strings.HasPrefix(so.String(), "hoofprint "+version) {
		t.Errorf("version printed %q", so.String())
	}
}

// TestSIGTERMStillWritesTheReports runs the real binary the way ECS does and
// stops it the way ECS does: SIGTERM in the middle of collection. The reports
// of what was collected must still be written, the inventory marked
// incomplete, and the exit code must be 3.
func TestSIGTERMStillWritesTheReports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "hoofprint")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	// Every object ACL takes a while, so the scan is still collecting when
	// the signal arrives.
	emu.SetFaults([]emulator.FaultRule{{Service: "s3", Operation: "GetObjectAcl", Latency: 3 * time.Second}})

	dir := t.TempDir()
	creds := emu.CallerCredentials()
	cmd := exec.Command(bin, "scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName,
		"--inventory", filepath.Join(dir, "inv.json"), "--sarif", filepath.Join(dir, "out.sarif"),
		"--asff", filepath.Join(dir, "out.asff.json"), "--log-format", "json")
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=", "AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	proc := startChild(t, cmd)
	// Wait until the scan has reached the object ACLs, then stop it.
	deadline := time.Now().Add(30 * time.Second)
	for !anyObjectACLRequest(emu) {
		if time.Now().After(deadline) {
			proc.kill()
			t.Fatalf("the scan never reached GetObjectAcl\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := proc.wait()
	code := cmd.ProcessState.ExitCode()
	if code != exitIncomplete {
		t.Fatalf("after SIGTERM the scan exited %d (%v), want %d\nstderr:\n%s", code, err, exitIncomplete, stderr.String())
	}
	inv, err := inventory.ReadFile(filepath.Join(dir, "inv.json"))
	if err != nil {
		t.Fatalf("no inventory after SIGTERM: %v\n%s", err, stderr.String())
	}
	if inv.Coverage.Complete || inv.Coverage.Interrupted == "" {
		t.Errorf("the inventory of an interrupted scan must say so: complete=%v interrupted=%q", inv.Coverage.Complete, inv.Coverage.Interrupted)
	}
	if len(inv.Accounts) == 0 {
		t.Errorf("the interrupted inventory lost the accounts it had already discovered")
	}
	readSARIF(t, filepath.Join(dir, "out.sarif"))
	if _, err := os.Stat(filepath.Join(dir, "out.asff.json")); err != nil {
		t.Errorf("no ASFF after SIGTERM: %v", err)
	}
	if strings.Contains(stderr.String(), creds.SecretAccessKey) {
		t.Errorf("the secret access key appears in the logs")
	}
}

func anyObjectACLRequest(emu *emulator.Emulator) bool {
	for k, n := range emu.Requests() {
		if k.Operation == "GetObjectAcl" && n > 0 {
			return true
		}
	}
	return false
}

// checkVerifiedVendorObject: the lab vendor's public-read upload into the
// prod lab bucket (its ACL hidden from the bucket owner) is reported as
// public and verified by the anonymous probe in SARIF, ASFF and the
// summary.
func checkVerifiedVendorObject(t *testing.T, dir, summary string) {
	t.Helper()
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID     string         `json:"ruleId"`
				Properties map[string]any `json:"properties"`
				Locations  []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "hoofprint.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sarif); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range sarif.Runs[0].Results {
		if r.RuleID == "s3-object-acl-public" && len(r.Locations) > 0 &&
			strings.Contains(r.Locations[0].PhysicalLocation.ArtifactLocation.URI, "healthcorp-prod-lab-inbound") {
			found = true
			if r.Properties["verified"] != "readable anonymously" {
				t.Errorf("SARIF: the vendor's object is not marked verified: %v", r.Properties)
			}
		}
	}
	if !found {
		t.Error("SARIF: s3-object-acl-public does not report the vendor's public lab results in healthcorp-prod-lab-inbound")
	}
	var asff []struct {
		ProductFields map[string]string `json:"ProductFields"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "hoofprint.asff.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &asff); err != nil {
		t.Fatal(err)
	}
	verified := 0
	for _, f := range asff {
		if f.ProductFields["hoofprint/verified"] == "readable anonymously" && strings.Contains(f.ProductFields["hoofprint/resourceName"], "healthcorp-prod-lab-inbound") {
			verified++
		}
	}
	if verified == 0 {
		t.Error("ASFF: no finding on healthcorp-prod-lab-inbound carries hoofprint/verified")
	}
	if !strings.Contains(summary, "healthcorp-prod-lab-inbound") || !strings.Contains(summary, "verified: readable anonymously") {
		t.Errorf("the summary does not show the vendor's object as verified public:\n%s", summary)
	}
}
