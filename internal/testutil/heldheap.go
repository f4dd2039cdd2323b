package testutil

import (
	"math"
	"runtime"
	"strings"
	"testing"
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

// ReportHeldPerAccount reports what is held for each account of an
// organization: held scans organizations of 40 and of 240 accounts and
// returns the heap held (HeldHeap) when the organization map is complete
// and when the last bucket has arrived; the differences, divided by 200,
// are reported as B/account-mapped and B/account-at-end. A first scan of
// 40 accounts is not counted: what it leaves in the process's caches is
// not per account.
func ReportHeldPerAccount(b *testing.B, held func(accounts int) (atMap, atEnd int64)) {
	b.Helper()
	held(40)
	var mapped, atEnd float64
	for b.Loop() {
		m40, e40 := held(40)
		m240, e240 := held(240)
		mapped += float64(m240-m40) / 200
		atEnd += float64(e240-e40) / 200
	}
	b.ReportMetric(mapped/float64(b.N), "B/account-mapped")
	b.ReportMetric(atEnd/float64(b.N), "B/account-at-end")
}
