package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain gives the package's tests, and the processes they start, a home
// and config directory of their own: a scan without --key-secret-file
// creates its key secret under os.UserConfigDir, which must not be the
// user's (nor hold a secret an earlier run left there).
func TestMain(m *testing.M) {
	os.Exit(runInTempHome(m))
}

func runInTempHome(m *testing.M) int {
	// Go's build and module caches and its settings default to places
	// under HOME; pinned first, so the tests that build the binary keep
	// using them rather than starting cold in the empty home.
	if out, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV").Output(); err == nil {
		vals := strings.Split(strings.TrimSpace(string(out)), "\n")
		for i, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOENV"} {
			if i < len(vals) && vals[i] != "" {
				_ = os.Setenv(name, vals[i])
			}
		}
	}
	home, err := os.MkdirTemp("", "hoofprint-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(home) }()
	for name, v := range map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config")} {
		if err := os.Setenv(name, v); err != nil {
			fmt.Fprintln(os.Stderr, "TestMain:", err)
			return 1
		}
	}
	return m.Run()
}
