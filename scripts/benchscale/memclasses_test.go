package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMemoryClasses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scan.heap.pprof.tsv")
	var b strings.Builder
	b.WriteString("seconds\t/gc/heap/live:bytes\t/gc/heap/goal:bytes\t/memory/classes/heap/stacks:bytes\t/memory/classes/heap/released:bytes\t/memory/classes/total:bytes\n")
	// 30 s of warm-up (ignored), then 90 s whose live heap is 10 MiB for
	// the first third, 20 for the second and 30 for the last, with one
	// spike to 50.
	for i := range 120 {
		live := 1
		switch {
		case i >= 90:
			live = 30
		case i >= 60:
			live = 20
		case i >= 30:
			live = 10
		}
		if i == 100 {
			live = 50
		}
		fmt.Fprintf(&b, "%d\t%d\t%d\t%d\t%d\t%d\n", i, live<<10, 2*live<<10, 8<<10, 4<<10, (3*live+4)<<10)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	got := memoryClasses(path)
	for _, want := range []string{
		"live heap median 20.0 MiB (first third 10.0, last third 30.0), max 50.0",
		"heap goal median 40.0, max 100.0",
		"stacks median 8.0",
		"median 60.0, max 150.0",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("memoryClasses = %q, want it to say %q", got, want)
		}
	}
	if got := memoryClasses(filepath.Join(dir, "missing.tsv")); got != "" {
		t.Errorf("memoryClasses of a missing file = %q, want \"\"", got)
	}
}
