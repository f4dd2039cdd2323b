package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// readmeBlock returns the first ```sh block after heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatalf("README.md %q has no sh block", heading)
	}
	block, _, _ = strings.Cut(block, "```\n")
	return block
}

// TestReadmeMotoSectionRunsAsWritten runs the README's moto block with
// bash from the repository root, changing only the port (5000 may be
// taken) and where the binary is built, and checks what the README says
// about it: exit 3, two s3-object-external-owner findings, and no file
// left in the repository.
func TestReadmeMotoSectionRunsAsWritten(t *testing.T) {
	testutil.RequireTool(t, "bash", "apt-get install bash")
	testutil.RequireTool(t, "moto_server", "pip install 'moto[server]'")
	testutil.RequireTool(t, "aws", "pip install awscli")
	block := readmeBlock(t, "### Try `scan` against moto")
	for _, want := range []string{"go build -o /tmp/hoofprint ./cmd/hoofprint", "/tmp/hoofprint scan", "mktemp -d", `echo "exit $?"`} {
		if !strings.Contains(block, want) {
			t.Fatalf("the README's moto block no longer has %q; update this test with it:\n%s", want, block)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	tmp := t.TempDir()
	bin := filepath.Join(t.TempDir(), "hoofprint")
	script := strings.ReplaceAll(block, "5000", port)
	script = strings.ReplaceAll(script, "/tmp/hoofprint ", bin+" ")

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	before := rootEntries(t, root)
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = root
	// The scan creates its key secret under XDG_CONFIG_HOME: a home of the
	// test's own keeps it out of the user's config directory. TestMain
	// pinned Go's caches, so go build still finds them.
	home := t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	// Its own process group, so moto_server goes too if the block fails
	// before its kill.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatalf("the README's moto block failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\nexit 3\n") {
		t.Errorf("the README says the scan exits 3; the block printed:\n%s", out)
	}
	sarifs, _ := filepath.Glob(filepath.Join(tmp, "*", "out.sarif"))
	if len(sarifs) != 1 {
		t.Fatalf("want one out.sarif under the block's mktemp -d, found %q\n%s", sarifs, out)
	}
	b, err := os.ReadFile(sarifs[0])
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil || len(log.Runs) == 0 {
		t.Fatalf("out.sarif: %v", err)
	}
	external := 0
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "s3-object-external-owner" {
			external++
		}
	}
	if external != 2 {
		t.Errorf("the README says moto yields two s3-object-external-owner findings; got %d", external)
	}
	for name := range rootEntries(t, root) {
		if !before[name] {
			t.Errorf("the README's moto block left %s in the repository root", name)
		}
	}
}

func rootEntries(t *testing.T, dir string) map[string]bool {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, e := range es {
		m[e.Name()] = true
	}
	return m
}

// TestReadmeFlagTableListsEveryScanFlag keeps README's `scan` flag table
// in step with the flags scan has.
func TestReadmeFlagTableListsEveryScanFlag(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "### `scan` flags\n")
	if !ok {
		t.Fatal("README.md has no ### `scan` flags table")
	}
	table, _, _ = strings.Cut(table, "\n### ")
	cmd := newScanCommand(nil, nil, &runRecord{})
	n := 0
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		n++
		if !strings.Contains(table, "`--"+f.Name) && !strings.Contains(table, "/--"+f.Name+"`") && !strings.Contains(table, ", `--"+f.Name) {
			t.Errorf("README's scan flag table does not list --%s (%s)", f.Name, f.Usage)
		}
	})
	if n < 20 {
		t.Fatalf("scan has only %d flags?", n)
	}
}

// TestScenarioDocExampleRuns: docs/scenario.md's example is a scenario
// demo accepts, and its summary is the one the document shows.
func TestScenarioDocExampleRuns(t *testing.T) {
	b, err := os.ReadFile("../../docs/scenario.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## A complete example")
	if !ok {
		t.Fatal(`docs/scenario.md has no "## A complete example"`)
	}
	_, yml, ok := strings.Cut(rest, "```yaml\n")
	if !ok {
		t.Fatal("docs/scenario.md's example has no yaml block")
	}
	yml, _, _ = strings.Cut(yml, "```\n")
	dir := t.TempDir()
	path := filepath.Join(dir, "two-sites.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"demo", "--scenario", path, "--out", filepath.Join(dir, "out")}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo --scenario with the documented example exited %d:\n%s", code, stderr.String())
	}
	for _, want := range []string{"BROKEN NOW   example-prod-site", "do first: Make sure the bucket policy of example-prod-site grants",
		"AT RISK      example-dev-site", "do first: On example-dev-site, grant the distribution's OAC (or OAI) in the bucket policy, then set Object Ownership to BucketOwnerEnforced"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the documented example's summary lacks %q:\n%s", want, stdout.String())
		}
	}
}
