package emulator

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// FaultRule injects a fault into the requests it matches. Empty selectors
// match everything; every matching rule applies (latencies add up, the
// first error wins).
type FaultRule struct {
	// Service is sts, organizations, s3, s3control, cloudfront or securityhub.
	Service string
	// Operation is the API operation name, e.g. GetObjectAcl.
	Operation string
	// Account is the caller's account ID.
	Account string
	// Latency is added before the request is answered.
	Latency time.Duration
	// ThrottleRate is the share of requests, in [0,1], answered with the
	// protocol's throttling error (ThrottleCode overrides the code).
	ThrottleRate float64
	ThrottleCode string
	// ErrorRate is the share of requests answered HTTP 500.
	ErrorRate float64
	// SlowBody spreads the response body over this duration.
	SlowBody time.Duration
	// AccessDenied answers every matching request with AccessDenied.
	AccessDenied bool
	// Limit stops the rule after it fired this many times (0: no limit), so
	// a test can throttle the first few calls and let retries through.
	Limit int
	// After lets this many matching requests through untouched before the
	// rule applies (per account, service and operation), so a test can fail
	// page 2 of a listing and not page 1.
	After int
}

// faultSet decides faults deterministically: whether the n-th matching
// request of a given (rule, account, service, operation) is hit depends
// only on the seed and n, not on how concurrent requests interleave.
type faultSet struct {
	mu     sync.Mutex
	rules  []FaultRule
	seed   uint64
	counts map[string]uint64
	fired  map[int]int
}

func newFaultSet(rules []FaultRule, seed uint64) *faultSet {
	return &faultSet{rules: rules, seed: seed, counts: map[string]uint64{}, fired: map[int]int{}}
}

// SetFaults replaces the fault rules (nil clears them) and restarts their
// deterministic sequence.
func (e *Emulator) SetFaults(rules []FaultRule) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.rules = append([]FaultRule(nil), rules...)
	e.faults.counts = map[string]uint64{}
	e.faults.fired = map[int]int{}
}

// AddFault adds one fault rule.
func (e *Emulator) AddFault(r FaultRule) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.rules = append(e.faults.rules, r)
}

// Faults returns the installed fault rules.
func (e *Emulator) Faults() []FaultRule {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	return append([]FaultRule(nil), e.faults.rules...)
}

type faultOutcome struct {
	latency, slow time.Duration
	err           func(*call) *apiError
}

func (f *faultSet) decide(account, service, op string) faultOutcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out faultOutcome
	for i, r := range f.rules {
		if (r.Service != "" && r.Service != service) || (r.Operation != "" && r.Operation != op) || (r.Account != "" && r.Account != account) {
			continue
		}
		if r.Limit > 0 && f.fired[i] >= r.Limit {
			continue
		}
		key := fmt.Sprintf("%d/%s/%s/%s", i, account, service, op)
		n := f.counts[key]
		f.counts[key] = n + 1
		if n < uint64(max(r.After, 0)) {
			continue
		}
		fired := false
		out.latency += r.Latency
		if r.SlowBody > out.slow {
			out.slow = r.SlowBody
		}
		if r.Latency > 0 || r.SlowBody > 0 {
			fired = true
		}
		if out.err == nil {
			switch {
			case r.AccessDenied:
				out.err = func(c *call) *apiError { return c.deniedFor("fault injected: access denied") }
			case r.ThrottleRate > 0 && f.draw(key, n, 1) < r.ThrottleRate:
				code := r.ThrottleCode
				out.err = func(c *call) *apiError {
					e := c.throttled()
					if code != "" {
						e.code = code
					}
					return e
				}
			case r.ErrorRate > 0 && f.draw(key, n, 2) < r.ErrorRate:
				out.err = func(c *call) *apiError { return c.internalError() }
			}
			fired = fired || out.err != nil
		}
		if fired {
			f.fired[i]++
		}
	}
	return out
}

func (f *faultSet) draw(key string, n uint64, salt byte) float64 {
	h := fnv.New64a()
	var b [17]byte
	binary.LittleEndian.PutUint64(b[:8], f.seed)
	binary.LittleEndian.PutUint64(b[8:16], n)
	b[16] = salt
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte(key))
	return float64(h.Sum64()>>11) / float64(1<<53)
}

func (e *Emulator) applyFaults(c *call, sw *slowWriter) (stop bool) {
	out := e.faults.decide(c.account(), c.service, c.op)
	if out.latency > 0 {
		select {
		case <-time.After(out.latency):
		case <-c.r.Context().Done():
			c.status, c.errCode = 499, "ClientClosed"
			return true
		}
	}
	sw.slow = out.slow
	if out.err != nil {
		c.fail(out.err(c))
		return true
	}
	return false
}

func scenarioFaults(sc *scenario.Scenario) ([]FaultRule, error) {
	var out []FaultRule
	for i, f := range sc.Faults {
		r := FaultRule{Service: f.Service, Operation: f.Operation, Account: f.Account, ThrottleRate: f.ThrottleRate,
			ErrorRate: f.ErrorRate, AccessDenied: f.AccessDenied}
		if a := sc.Account(f.Account); a != nil {
			r.Account = a.ID
		}
		var err error
		if f.Latency != "" {
			if r.Latency, err = time.ParseDuration(f.Latency); err != nil {
				return nil, fmt.Errorf("emulator: scenario fault %d: latency: %w", i, err)
			}
		}
		if f.SlowBody != "" {
			if r.SlowBody, err = time.ParseDuration(f.SlowBody); err != nil {
				return nil, fmt.Errorf("emulator: scenario fault %d: slowBody: %w", i, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// deniesAccount reports whether an AccessDenied rule names the account (and
// no other service than STS or operation than AssumeRole): assuming a role
// there is denied too, as when the role's trust policy does not trust the
// caller.
func (f *faultSet) deniesAccount(account string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.AccessDenied && r.Account == account && (r.Service == "" || r.Service == "sts") && (r.Operation == "" || r.Operation == "AssumeRole") {
			return true
		}
	}
	return false
}
