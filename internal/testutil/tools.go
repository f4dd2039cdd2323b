package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of the program name on PATH for a test that
// runs it. Under -short (unit tests only) the test is skipped whether or not
// the program is there; otherwise a missing program skips it locally and
// fails it under CI=true, with howToInstall.
func RequireTool(t testing.TB, name, howToInstall string) string {
	t.Helper()
	return requireTool(t, name, howToInstall, testing.Short(), os.Getenv("CI") == "true")
}

func requireTool(t testing.TB, name, howToInstall string, short, ci bool) string {
	t.Helper()
	skipShort(t, name, short)
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, name+" not found on PATH; install it with: "+howToInstall, ci)
	}
	return p
}

// SkipShort skips a test that needs the outside program what (moto, the
// SARIF Multitool, a browser) under -short, for helpers that find their
// program some other way than on PATH; they call SkipOrFail when it is
// missing.
func SkipShort(t testing.TB, what string) {
	t.Helper()
	skipShort(t, what, testing.Short())
}

func skipShort(t testing.TB, what string, short bool) {
	t.Helper()
	if short {
		t.Skip("-short runs unit tests only; this test needs " + what)
	}
}

// SkipOrFail stops a test that cannot run here: skipped locally, failed
// under CI=true, where a pass must never come from a skip.
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	skipOrFail(t, reason, os.Getenv("CI") == "true")
}

func skipOrFail(t testing.TB, reason string, ci bool) {
	t.Helper()
	if ci {
		t.Fatal(reason)
	}
	t.Skip(reason)
}
