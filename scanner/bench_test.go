package scanner_test

import (
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
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
