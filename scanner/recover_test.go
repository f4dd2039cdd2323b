package scanner_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

// panickySink keeps the names of the buckets it is given and panics on one,
// as a bug in a bucket's evaluation would.
type panickySink struct {
	on   string
	mu   sync.Mutex
	got  map[string]bool
	seqs map[int]bool
}

func (p *panickySink) Map(context.Context, *inventory.Snapshot) error { return nil }

func (p *panickySink) Bucket(_ context.Context, seq int, b *inventory.Bucket) error {
	if b.Name == p.on {
		// An index out of range: the kind of bug no test had met.
		_ = b.Objects.Objects[len(b.Objects.Objects)+seq]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got[b.Name] = true
	p.seqs[seq] = true
	return nil
}

// TestAPanicInOneBucketIsAGapNotALostNight: a bug that panics on one
// bucket's data killed the whole scan (no report, temporary files left);
// it is now a gap naming the bucket, and every other bucket is delivered.
func TestAPanicInOneBucketIsAGapNotALostNight(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	const bad = "healthcorp-phi-records"
	sink := &panickySink{on: bad, got: map[string]bool{}, seqs: map[int]bool{}}
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1, Sink: sink})
	if sink.got[bad] {
		t.Fatalf("%s was delivered", bad)
	}
	if len(sink.got) < 10 {
		t.Errorf("only %d buckets delivered around the panic: %v", len(sink.got), sink.got)
	}
	var gap *inventory.Gap
	for i, g := range snap.Coverage.Gaps {
		if g.Code == "InternalError" {
			gap = &snap.Coverage.Gaps[i]
		}
	}
	if gap == nil || gap.Resource != "arn:aws:s3:::"+bad || gap.Service != "hoofprint" {
		t.Fatalf("no InternalError gap naming %s: %+v", bad, snap.Coverage.Gaps)
	}
	if snap.Coverage.Complete && len(snap.Coverage.Gaps) == 0 {
		t.Error("the scan says it is complete with no gap")
	}
}
