package testutil

import (
	"math"
	"runtime"
	"strings"
)

// HeldHeap is the heap in use after a collection, from the heap profile,
// less what was allocated by a function whose name starts with one of
// skip (an in-process emulator and its HTTP server, whose lazily loaded
// state and request log would otherwise count as the code under test's).
// Profile finely first (runtime.MemProfileRate = 256, say): records are
// scaled back as runtime/pprof scales a heap profile, and at the default
// rate small objects are sampled too rarely to count.
func HeldHeap(skip ...string) int64 {
	// The profile is as of the last completed cycle: the second collection
	// publishes what the first freed.
	runtime.GC()
	runtime.GC()
	n, _ := runtime.MemProfile(nil, false)
	recs := make([]runtime.MemProfileRecord, n+100)
	n, _ = runtime.MemProfile(recs, false)
	var held int64
	for _, r := range recs[:n] {
		if r.InUseBytes() == 0 || allocatedBy(r.Stack(), skip) {
			continue
		}
		held += unsampled(r.InUseObjects(), r.InUseBytes(), runtime.MemProfileRate)
	}
	return held
}

// allocatedBy reports whether a function of stack starts with one of
// prefixes.
func allocatedBy(stack []uintptr, prefixes []string) bool {
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		for _, p := range prefixes {
			if strings.HasPrefix(f.Function, p) {
				return true
			}
		}
		if !more {
			return false
		}
	}
}

// unsampled is the bytes a profile record's sampled objects stand for: an
// allocation of s bytes is sampled with probability 1-exp(-s/rate), so
// small objects are sampled rarely and must count for more. The standard
// library does this in runtime/pprof but does not export it.
func unsampled(objects, bytes int64, rate int) int64 {
	if objects == 0 || bytes == 0 || rate <= 1 {
		return bytes
	}
	avg := float64(bytes) / float64(objects)
	return int64(float64(bytes) / (1 - math.Exp(-avg/float64(rate))))
}
