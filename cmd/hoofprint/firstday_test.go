package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// TestScanReadsTheExternalIdFromTheEnvironment: the scanner stack passes
// the ExternalId as HOOFPRINT_EXTERNAL_ID (from Secrets Manager), not on
// the command line. awsclient.Load checks its form before any call, so an
// invalid one in the environment proves it was read.
func TestScanReadsTheExternalIdFromTheEnvironment(t *testing.T) {
	t.Setenv(externalIDEnv, "not valid: spaces")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", "http://127.0.0.1:1", "-q"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--external-id must be") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming --external-id", code, stderr.String())
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestExit2EndsWithTheFinalSummaryLine: the alarms read the last stderr
// line, so a usage error, however early, still ends with it.
func TestExit2EndsWithTheFinalSummaryLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"an unknown command", []string{"scna"}, `unknown command "scna"`},
		{"an unknown subcommand", []string{"rules", "shwo", "X"}, `unknown command "shwo" for "hoofprint rules"`},
		{"an unknown flag", []string{"scan", "--sarfi", "x"}, "Did you mean --sarif?"},
		{"an unknown flag, JSON logs", []string{"scan", "--log-format", "json", "--sarfi", "x"}, "Did you mean --sarif?"},
		{"a zero account timeout", []string{"scan", "--account-timeout", "0"}, "--account-timeout 0s: want a positive duration"},
		{"a negative timeout", []string{"scan", "--timeout", "-1m"}, "--timeout -1m0s: want a positive duration"},
		{"an empty S3 URI names --output once", []string{"scan", "--output", "s3://"}, `hoofprint: --output "s3://": no bucket name`},
		{"a bad severity, JSON logs", []string{"evaluate", "--inventory", "x", "--log-format=json", "--fail-on", "severe"}, `unknown severity "severe"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, &stdout, &stderr)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr.String())
			}
			last := lastLine(stderr.String())
			if slices.Contains(tc.args, "json") || slices.Contains(tc.args, "--log-format=json") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(last), &rec); err != nil || rec["msg"] != "hoofprint finished" || rec["exit_code"] != float64(2) {
					t.Errorf("the last line is not the JSON run summary with exit_code 2: %q (%v)", last, err)
				}
				return
			}
			if !strings.Contains(last, `msg="hoofprint finished" exit_code=2`) {
				t.Errorf("the last line is not the run summary with exit_code 2: %q", last)
			}
		})
	}
}

func TestSuggestionsAreForTyposOnly(t *testing.T) {
	flags := []string{"sarif", "asff", "inventory", "account-timeout", "timeout", "output"}
	for in, want := range map[string]string{"sarfi": "sarif", "invnetory": "inventory", "outptu": "output", "acount-timeout": "account-timeout", "account": "account-timeout", "zzz": "", "x": "", "sh": ""} {
		if got := closest(in, flags); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoCredentialsSaysWhatToDo: an unconfigured machine gets the three
// ways to give credentials, not the SDK's warning and chained error.
func TestNoCredentialsSaysWhatToDo(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"scan", "--sarif", filepath.Join(t.TempDir(), "x.sarif")}, &stdout, &stderr)
	if code != exitUsage {
		t.Fatalf("exit %d, want 2:\n%s", code, stderr.String())
	}
	for _, want := range []string{"no AWS credentials found", "AWS_PROFILE", "aws sso login", "ECS task role", "aws sts get-caller-identity"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "SDK ") || strings.Contains(stderr.String(), "GetCallerIdentity") {
		t.Errorf("stderr carries the SDK's warning or chained error:\n%s", stderr.String())
	}
	if !strings.Contains(lastLine(stderr.String()), "hoofprint finished") {
		t.Errorf("the last line is not the run summary:\n%s", stderr.String())
	}
}

// TestATimeoutBeforeTheOrganizationIsListedSaysSo: --timeout that expires
// at once is reported as the timeout, not as "cannot list the
// organization".
func TestATimeoutBeforeTheOrganizationIsListedSaysSo(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	creds := emu.CallerCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--timeout", "1ns", "-q"}, &stdout, &stderr)
	if code != exitIncomplete {
		t.Errorf("exit %d, want 3:\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "cannot list the organization") || !strings.Contains(stderr.String(), "--timeout 1ns reached") {
		t.Errorf("stderr does not name the timeout:\n%s", stderr.String())
	}
}

func TestRulesShowPrintsOneRuleWithItsSiteOrder(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"rules", "show", "s3-object-acl-public"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"s3-object-acl-public (critical)", "HIPAA Security Rule: 164.312(a)(1)", "Remediation:",
		"Where a CloudFront site reads the bucket through public access", "1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.", "2. Set Object Ownership to BucketOwnerEnforced", "Fix with the AWS CLI:",
		"Evaluated: once per bucket with sampled objects"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules show does not print %q:\n%s", want, out)
		}
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"rules", "show", "s3-objct-acl-public"}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "Did you mean s3-object-acl-public?") {
		t.Errorf("an unknown rule ID: exit %d, stderr %q", code, stderr.String())
	}
}

// TestDemoSaysWhatToDoFirstPerSite: the seed incident's AT RISK site gets
// the order that keeps it up, in the summary and on the SARIF results whose
// usual fix (Block Public Access) would take it down.
func TestDemoSaysWhatToDoFirstPerSite(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d: %s", code, stderr.String())
	}
	lines := strings.Split(stdout.String(), "\n")
	sites := 0
	for i, l := range lines {
		if !strings.Contains(l, "BROKEN NOW") && !strings.Contains(l, "AT RISK") {
			continue
		}
		sites++
		if i+1 >= len(lines) || !strings.Contains(lines[i+1], "do first: ") {
			t.Errorf("site line without a do-first line after it: %q", l)
			continue
		}
		next := lines[i+1]
		if strings.Contains(l, "AT RISK") {
			grant, own, bpa := strings.Index(next, "grant the distribution's OAC"), strings.Index(next, "BucketOwnerEnforced"), strings.Index(next, "only then turn on Block Public Access")
			if !strings.Contains(next, "healthcorp-dev-site") || grant < 0 || own < grant || bpa < own {
				t.Errorf("the AT RISK site's do-first line does not put ownership before Block Public Access: %q", next)
			}
		}
	}
	if sites != 2 {
		t.Errorf("found %d site lines, want the seed's 2:\n%s", sites, stdout.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "hoofprint.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string         `json:"ruleId"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	marked := map[string]int{}
	for _, r := range log.Runs[0].Results {
		if _, ok := r.Properties["hoofprint/siteRemediation"]; ok {
			marked[r.RuleID]++
			if arn, _ := r.Properties["resourceArn"].(string); r.RuleID == "s3-object-acl-public" && !strings.Contains(arn, "healthcorp-dev-site") {
				t.Errorf("a result outside the at-risk bucket is marked: %s", arn)
			}
		}
	}
	if marked["s3-object-acl-public"] == 0 || marked["s3-bucket-public-access-block-off"] == 0 {
		t.Errorf("the at-risk bucket's Block Public Access findings carry no site remediation: %v", marked)
	}
}

// TestEveryCommandGroupRefusesAnUnknownSubcommand: cobra prints a group's
// help and exits 0 for an argument that is none of its subcommands; every
// group hoofprint has must exit 2 instead (a typo in a nightly job must
// fail, not pass).
func TestEveryCommandGroupRefusesAnUnknownSubcommand(t *testing.T) {
	root := newRootCommand(nil, nil, &runRecord{})
	groups := 0
	for _, c := range root.Commands() {
		if !c.HasSubCommands() {
			continue
		}
		groups++
		t.Run(c.Name(), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{c.Name(), "frob"}, &stdout, &stderr); code != exitUsage ||
				!strings.Contains(stderr.String(), `unknown command "frob"`) {
				t.Errorf("hoofprint %s frob: exit %d, stderr %q; want exit 2 naming the unknown command", c.Name(), code, stderr.String())
			}
		})
	}
	if groups == 0 {
		t.Fatal("no command groups found (rules has subcommands)")
	}
}

// TestJSONLogsGiveDurationsInSeconds: slog's JSON handler writes a
// time.Duration as integer nanoseconds; the scan's own record says seconds.
func TestJSONLogsGiveDurationsInSeconds(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", t.TempDir(), "--log-format", "json", "-q=false"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d: %s", code, stderr.String())
	}
	found := false
	for _, line := range strings.Split(stderr.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "scan finished" {
			continue
		}
		found = true
		if _, ok := rec["took"]; ok {
			t.Errorf("scan finished still logs took (nanoseconds in JSON): %s", line)
		}
		if s, ok := rec["took_seconds"].(float64); !ok || s <= 0 || s > 600 {
			t.Errorf("scan finished took_seconds = %v, want seconds: %s", rec["took_seconds"], line)
		}
	}
	if !found {
		t.Fatalf("no scan finished record:\n%s", stderr.String())
	}
}
