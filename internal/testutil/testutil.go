// Package testutil holds the small helpers several packages' tests share,
// so that they are written once rather than copied into each package.
package testutil

import (
	"bytes"
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
