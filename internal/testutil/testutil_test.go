package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// stopRecorder records how a helper stopped a test: Skip and Fatal end the
// goroutine as the real ones do, so that code after them never runs.
type stopRecorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *stopRecorder) Helper() {}

func (r *stopRecorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *stopRecorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func TestRequireToolSkipsUnderShortFailsOnlyUnderCI(t *testing.T) {
	const present, missing = "sh", "hoofprint-no-such-tool"
	if _, err := exec.LookPath(present); err != nil {
		t.Fatalf("%s is needed to tell a found program from a skipped one: %v", present, err)
	}
	for _, tc := range []struct {
		name      string
		tool      string
		short, ci bool
		skipped   bool
		failed    bool
	}{
		{"found", present, false, false, false, false},
		{"found under CI", present, false, true, false, false},
		{"found under -short", present, true, false, true, false},
		{"found under -short and CI", present, true, true, true, false},
		{"missing", missing, false, false, true, false},
		{"missing under CI", missing, false, true, false, true},
		{"missing under -short", missing, true, false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &stopRecorder{TB: t}
			var got string
			done := make(chan struct{})
			go func() {
				defer close(done)
				got = requireTool(r, tc.tool, "apt-get install it", tc.short, tc.ci)
			}()
			<-done
			if r.skipped != tc.skipped || r.failed != tc.failed {
				t.Fatalf("skipped %v, failed %v (%q); want skipped %v, failed %v", r.skipped, r.failed, r.msg, tc.skipped, tc.failed)
			}
			if !r.skipped && !r.failed && !filepath.IsAbs(got) {
				t.Errorf("returned %q, want the program's path", got)
			}
			if tc.tool == missing && !tc.short && !strings.Contains(r.msg, "apt-get install it") {
				t.Errorf("the message %q does not say how to install the program", r.msg)
			}
		})
	}
}
