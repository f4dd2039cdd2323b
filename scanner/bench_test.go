package scanner_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

// BenchmarkScanGeneratedOrganization measures a full scanner.Scan, real SDK
// over real HTTP, of a generated organization on the project's emulator:
// 50 member accounts × 4 buckets × 50 objects (a mix of good, legacy,
// public and cross-account buckets, so the object-owner pass runs too).
// It reports wall time and allocations per scan, and the API calls, the
// object-owner GetObjectAcl calls and the buckets per scan.
//
//	go test ./scanner -run '^$' -bench ScanGeneratedOrganization -benchmem -benchtime 5x
func BenchmarkScanGeneratedOrganization(b *testing.B) {
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: 50, BucketsPerAccount: 4, ObjectsPerBucket: 50, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	emu := startEmulator(b, sc, emulator.Options{})
	var calls, ownerCalls, buckets, gaps int
	b.ReportAllocs()
	for b.Loop() {
		base := emulatorBase(b, emu, sc.MemberRoleName)
		snap := scanWith(b, base, scanner.Options{Seed: 1})
		calls += int(base.Limiter.Requests())
		buckets += len(snap.Buckets)
		gaps += len(snap.Coverage.Gaps)
		for _, bk := range snap.Buckets {
			ownerCalls += bk.Objects.ACLsRequestedByObjectOwner
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(calls)/n, "apicalls/op")
	b.ReportMetric(float64(ownerCalls)/n, "ownercalls/op")
	b.ReportMetric(float64(buckets)/n, "buckets/op")
	if gaps != 0 {
		b.Errorf("%d gaps over %d scans", gaps, b.N)
	}
}

// heldSink measures the heap the scanner holds when the organization map
// is complete (Map) and when the last bucket arrives (heldByScanner).
type heldSink struct {
	buckets, total int
	atMap, atEnd   int64
	mu             sync.Mutex
}

func (h *heldSink) Map(context.Context, *inventory.Snapshot) error {
	h.atMap = heldByScanner()
	return nil
}

func (h *heldSink) Bucket(context.Context, int, *inventory.Bucket) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.buckets++; h.buckets == h.total {
		h.atEnd = heldByScanner()
	}
	return nil
}

// heldByScanner is the heap the scanner holds: in use after a collection,
// less what the in-process emulator and the HTTP server hold.
func heldByScanner() int64 {
	return testutil.HeldHeap("github.com/hoofprint/hoofprint/emulator", "net/http.(*conn)")
}

// BenchmarkHeldPerAccount measures what the scanner holds for each account
// of the organization while it streams buckets: the heap held when the map
// is complete and when the last bucket arrives, at 40 and 240 accounts of
// 10 buckets, and the difference divided by 200. It profiles the heap
// finely (a sample every 256 bytes allocated on average, not 512 KiB), so
// that what the in-process emulator holds can be left out by allocation
// site, and is slow. What it reports grows with the organization, and
// BENCHMARKS.md's scale figures show it doubled (the collector's heap
// goal).
//
//	go test ./scanner -run '^$' -bench HeldPerAccount -benchtime 1x
func BenchmarkHeldPerAccount(b *testing.B) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 256
	held := func(accounts int) (atMap, atEnd int64) {
		sc, err := scenario.Generate(scenario.GenOptions{Accounts: accounts, BucketsPerAccount: 10, ObjectsPerBucket: 2, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		emu := startEmulator(b, sc, emulator.Options{})
		defer func() { _ = emu.Close() }()
		h := &heldSink{total: accounts * 10}
		scanWith(b, emulatorBase(b, emu, sc.MemberRoleName), scanner.Options{Seed: 1, Sink: h})
		if h.buckets != h.total {
			b.Fatalf("%d accounts: %d buckets, want %d", accounts, h.buckets, h.total)
		}
		return h.atMap, h.atEnd
	}
	testutil.ReportHeldPerAccount(b, held)
}
