package scanner

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoofprint/hoofprint/inventory"
)

// slowACLs is a bucket whose ACL reads take a while and count how many
// are under way at once, across every bucket that shares inFlight.
type slowACLs struct {
	*fakeBucket
	inFlight, peak *atomic.Int64
}

func (s slowACLs) GetObjectAcl(ctx context.Context, in *s3.GetObjectAclInput, o ...func(*s3.Options)) (*s3.GetObjectAclOutput, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	time.Sleep(2 * time.Millisecond)
	return s.fakeBucket.GetObjectAcl(ctx, in, o...)
}

func TestTheReadGateBoundsObjectReadsAcrossBuckets(t *testing.T) {
	const buckets, gateSize = 6, 5
	gate := newReadGate(gateSize)
	var inFlight, peak atomic.Int64
	var wg sync.WaitGroup
	samples := make([]inventory.ObjectSample, buckets)
	for i := range buckets {
		wg.Go(func() {
			cfg := testConfig()
			cfg.aclConcurrency = 4 // 24 reads could run at once without the gate
			cfg.gate = gate
			api := slowACLs{fakeBucket: &fakeBucket{keys: keysUnder([]string{"a/"}, 40)}, inFlight: &inFlight, peak: &peak}
			var failures []sampleFailure
			samples[i], failures = sampleBucket(t.Context(), api, cfg)
			if len(failures) != 0 {
				t.Errorf("bucket %d: failures %+v", i, failures)
			}
		})
	}
	wg.Wait()
	for i, s := range samples {
		if s.ACLsRead != 20 {
			t.Errorf("bucket %d: %d ACLs read, want the 20 sampled", i, s.ACLsRead)
		}
	}
	if p := peak.Load(); p > gateSize || p < 2 {
		t.Errorf("%d ACL reads at once, want between 2 and the gate's %d", p, gateSize)
	}
	if n := len(gate); n != 0 {
		t.Errorf("%d places still taken after every bucket is done", n)
	}
}

func TestAClosedContextStopsWaitingAtTheGate(t *testing.T) {
	gate := newReadGate(1)
	if !gate.enter(t.Context()) {
		t.Fatal("first enter refused")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if gate.enter(ctx) {
		t.Error("enter on a full gate with a closed context returned true")
	}
	gate.leave()
	if !gate.enter(t.Context()) {
		t.Error("enter refused after leave")
	}
}
