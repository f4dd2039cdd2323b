package awsclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowTransport answers every request after a pause and records the
// largest number of requests it was handling at once. With fill set, a
// request is held until fill requests have been in flight together (or a
// second has passed), so that reaching the cap does not depend on how
// the scheduler runs goroutines on a loaded machine.
type slowTransport struct {
	now, max atomic.Int64
	pause    time.Duration
	fill     int64
}

func (s *slowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := s.now.Add(1)
	defer s.now.Add(-1)
	for {
		old := s.max.Load()
		if n <= old || s.max.CompareAndSwap(old, n) {
			break
		}
	}
	for deadline := time.Now().Add(time.Second); s.max.Load() < s.fill && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(s.pause)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func TestLimiterCapsRequestsInFlight(t *testing.T) {
	fake := &slowTransport{pause: time.Millisecond, fill: 4}
	l := NewLimiter(4, fake)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://127.0.0.1/", nil)
			resp, err := l.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
		})
	}
	wg.Wait()
	if got := fake.max.Load(); got != 4 {
		t.Errorf("%d requests in flight at most, want exactly the cap of 4", got)
	}
	if l.Requests() != 40 || l.InFlight() != 0 || l.Cap() != 4 {
		t.Errorf("requests %d in flight %d cap %d", l.Requests(), l.InFlight(), l.Cap())
	}
}

func TestLimiterGivesUpWaitingWhenTheRequestIsCancelled(t *testing.T) {
	fake := &slowTransport{pause: time.Second}
	l := NewLimiter(1, fake)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		if resp, err := l.RoundTrip(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	for l.InFlight() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/", nil)
	cancel()
	resp, err := l.RoundTrip(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled while the only slot is taken", err)
	}
}
