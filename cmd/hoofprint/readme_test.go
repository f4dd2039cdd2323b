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

func requireTool(t *testing.T, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		msg := name + " not found on PATH; install it with: " + install
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// TestReadmeMotoSectionRunsAsWritten runs the README's moto block with
// bash from the repository root, changing only the port (5000 may be
// taken) and where the binary is built, and checks what the README says
// about it: exit 3, two s3-object-external-owner findings, and no file
// left in the repository.
func TestReadmeMotoSectionRunsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server and builds the binary")
	}
	requireTool(t, "bash", "apt-get install bash")
	requireTool(t, "moto_server", "pip install 'moto[server]'")
	requireTool(t, "aws", "pip install awscli")
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
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
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
