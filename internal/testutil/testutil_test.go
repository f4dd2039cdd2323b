package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestSyncBufferKeepsEveryConcurrentWrite(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("x"))
			}
		})
	}
	wg.Wait()
	if got := len(b.String()); got != 800 {
		t.Errorf("got %d bytes, want 800", got)
	}
}

func TestSetEnvSetsEveryVariableForTheTest(t *testing.T) {
	SetEnv(t, map[string]string{"HOOFPRINT_TESTUTIL_A": "a", "HOOFPRINT_TESTUTIL_B": ""})
	if got := os.Getenv("HOOFPRINT_TESTUTIL_A"); got != "a" {
		t.Errorf("A = %q, want a", got)
	}
	if v, ok := os.LookupEnv("HOOFPRINT_TESTUTIL_B"); !ok || strings.TrimSpace(v) != "" {
		t.Errorf("B = %q (set %v), want set and empty", v, ok)
	}
}

func TestGoldenRewritesOnUpdateAndReadsOtherwise(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.golden")
	if got := Golden(t, path, []byte("first"), true); string(got) != "first" {
		t.Errorf("after update got %q, want first", got)
	}
	if got := Golden(t, path, []byte("second"), false); string(got) != "first" {
		t.Errorf("without update got %q, want the file's first", got)
	}
}
