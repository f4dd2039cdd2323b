package scanner

import "context"

// objectReadsPerSlot is how many object reads (GetObjectAcl, HeadObject,
// the anonymous probe) the whole scan admits per request slot of the
// shared limiter (--concurrency): twice as many as can be sent, so that
// a slot freed is taken at once.
const objectReadsPerSlot = 2

// readGate bounds the object reads under way across the whole scan,
// counted from before the read's goroutine starts. Each bucket reads its
// sample a few objects at a time (DefaultACLConcurrency), and up to
// AccountConcurrency × BucketConcurrency buckets do so at once: without
// the gate about a thousand reads are built and signed (each a middleware
// stack, a request and a goroutine, about 10 KB) only to wait for one of
// the limiter's slots, and that heap rose and fell with how many buckets
// happened to be sampling at the same moment (BENCHMARKS.md "Scale").
// The zero value (nil) admits everything, for unit tests.
type readGate chan struct{}

func newReadGate(n int) readGate { return make(readGate, max(n, 1)) }

// enter waits for a place; false when ctx ended first.
func (g readGate) enter(ctx context.Context) bool {
	if g == nil {
		return ctx.Err() == nil
	}
	select {
	case g <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// leave gives the place back; one leave for each enter that returned true.
func (g readGate) leave() {
	if g != nil {
		<-g
	}
}
