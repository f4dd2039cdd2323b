// Package testutil holds the small helpers several packages' tests share,
// so that they are written once rather than copied into each package.
package testutil

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

// SyncBuffer is a bytes.Buffer that goroutines may write while the test
// reads it: a progress reporter, a logger or a child process's output.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// SetEnv sets every variable of env for the rest of the test, as
// awsclient.LocalEnv or emulator.Environ give them for moto or the emulator.
// It uses t.Setenv, so the test must not be parallel.
func SetEnv(t testing.TB, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// Golden returns the golden file at path for a test to compare got with,
// after rewriting it with got when update is set (each package's -update
// flag). A missing golden file fails the test with the way to make it.
func Golden(t testing.TB, path string, got []byte, update bool) []byte {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("rewrite golden file: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	return want
}
