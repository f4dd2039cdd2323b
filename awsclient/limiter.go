package awsclient

import (
	"net/http"
	"sync/atomic"
)

// Limiter is an http.RoundTripper that caps requests in flight. Every client
// of every account shares one, so scanning 1,000 accounts never means 1,000
// times the load: the cap is on the whole process, retries included.
type Limiter struct {
	next     http.RoundTripper
	slots    chan struct{}
	requests atomic.Int64
	inFlight atomic.Int64
}

// NewLimiter returns a Limiter allowing max requests at once through next
// (http.DefaultTransport when nil).
func NewLimiter(max int, next http.RoundTripper) *Limiter {
	if max <= 0 {
		max = 1
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &Limiter{next: next, slots: make(chan struct{}, max)}
}

// RoundTrip waits for a free slot (or the request's context), then sends.
func (l *Limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	l.inFlight.Add(1)
	l.requests.Add(1)
	defer func() {
		l.inFlight.Add(-1)
		<-l.slots
	}()
	// The slot is held until the response headers arrive; SDK deserializers
	// read small bodies right after, so holding it for the body is not needed
	// to keep the server's load bounded.
	return l.next.RoundTrip(req)
}

// Requests is the number of HTTP requests sent so far.
func (l *Limiter) Requests() int64 { return l.requests.Load() }

// InFlight is the number of requests being sent now.
func (l *Limiter) InFlight() int64 { return l.inFlight.Load() }

// Cap is the maximum number of requests in flight.
func (l *Limiter) Cap() int { return cap(l.slots) }
