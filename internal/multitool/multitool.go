// Package multitool runs the official SARIF validator, the SARIF Multitool
// (npm @microsoft/sarif-multitool), from tests.
//
// Install it into the repository's git-ignored .tools directory:
//
//	npm install --prefix .tools @microsoft/sarif-multitool
//
// or point SARIF_MULTITOOL at the binary. When it is missing a test is
// skipped with that advice, except under CI=true, where it fails. Under
// -short (unit tests only) a test that needs it is always skipped.
package multitool

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// RuleKinds selects the Multitool's validation rules: the SARIF
// specification's own ("Sarif") and GitHub code scanning's ingestion rules
// ("Gh"), as added in sarif-sdk PR #2761.
const RuleKinds = "Sarif;Gh"

// Issue is one validator result.
type Issue struct {
	RuleID  string
	Level   string
	Message string
}

func (i Issue) String() string { return i.Level + " " + i.RuleID + ": " + i.Message }

// Find returns the path of the Multitool binary or skips (fails under CI).
func Find(t testing.TB) string {
	t.Helper()
	testutil.SkipShort(t, "the SARIF Multitool")
	if p := os.Getenv("SARIF_MULTITOOL"); p != "" {
		return native(p)
	}
	root, err := repoRoot()
	if err == nil {
		p := filepath.Join(root, ".tools", "node_modules", ".bin", "sarif-multitool")
		if _, err := os.Stat(p); err == nil {
			return native(p)
		}
	}
	testutil.SkipOrFail(t, "SARIF Multitool not found; install it with: npm install --prefix .tools @microsoft/sarif-multitool (or set SARIF_MULTITOOL)")
	return ""
}

// native resolves npm's JavaScript shim to the platform binary it wraps:
// the shim runs the binary through a shell, which would split the
// semicolon-separated --rule-kind list into two commands.
func native(p string) string {
	dir := filepath.Dir(p)
	if filepath.Base(dir) != ".bin" {
		return p
	}
	plat := map[string]string{"linux": "linux", "darwin": "darwin", "windows": "win32"}[runtime.GOOS]
	name := "Sarif.Multitool"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	cand := filepath.Join(filepath.Dir(dir), "@microsoft", "sarif-multitool-"+plat, name)
	if _, err := os.Stat(cand); err == nil {
		return cand
	}
	return p
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not in a module")
	}
	return filepath.Dir(gomod), nil
}

// Version returns the Multitool's version line.
func Version(bin string) (string, error) {
	out, err := exec.Command(bin, "--version").CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Validate runs `validate FILE --rule-kind Sarif;Gh` and returns every
// issue it reported, read from its own SARIF output (the Multitool exits 0
// even when it finds errors) together with its console output.
func Validate(bin, file string) ([]Issue, string, error) {
	outFile := file + ".validation.sarif"
	defer func() { _ = os.Remove(outFile) }()
	cmd := exec.Command(bin, "validate", file, "--rule-kind", RuleKinds, "--output", outFile, "--log", "ForceOverwrite")
	console, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(console), fmt.Errorf("sarif-multitool validate %s: %w\n%s", file, err, console)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		return nil, string(console), fmt.Errorf("read validator output: %w", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID             string `json:"id"`
						MessageStrings map[string]struct {
							Text string `json:"text"`
						} `json:"messageStrings"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return nil, string(console), fmt.Errorf("decode validator output: %w", err)
	}
	// The validator reports in one run with one invocation; anything else
	// is not a report of this file, and must not read as "no issues".
	if len(log.Runs) != 1 || len(log.Runs[0].Invocations) == 0 {
		return nil, string(console), fmt.Errorf("validator output %s: want one run with an invocation, got %d run(s): not a validation report", outFile, len(log.Runs))
	}
	var issues []Issue
	for _, run := range log.Runs {
		for _, inv := range run.Invocations {
			if !inv.ExecutionSuccessful {
				issues = append(issues, Issue{RuleID: "multitool", Level: "error", Message: "validator execution failed"})
			}
			for _, n := range inv.ToolExecutionNotifications {
				if n.Level == "error" {
					issues = append(issues, Issue{RuleID: "multitool", Level: "error", Message: n.Message.Text})
				}
			}
		}
		for _, r := range run.Results {
			level := r.Level
			if level == "" {
				level = "warning" // SARIF §3.27.10 default
			}
			msg := r.Message.Text
			if msg == "" {
				msg = r.Message.ID + " " + strings.Join(r.Message.Arguments, " | ")
			}
			issues = append(issues, Issue{RuleID: r.RuleID, Level: level, Message: msg})
		}
	}
	return issues, string(console), nil
}
