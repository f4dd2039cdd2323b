package rules

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hoofprint/hoofprint/findings"
)

// StoppedError is returned by Engine.Evaluate, with the findings of what
// finished, when ctx was cancelled or its deadline passed before every
// rule had run on every input.
type StoppedError struct {
	// Running are the rules (IDs, sorted) that were being evaluated when the
	// evaluation stopped: the ones that ran out of time.
	Running []string
	// Unfinished says, per rule that did not run on every input, what it
	// did not run on. Sorted by rule ID.
	Unfinished []Unfinished
	// Cause is context.Cause of the evaluation's context.
	Cause error
}

// Unfinished is one rule that was not evaluated on every input.
type Unfinished struct {
	RuleID string
	// Inputs is how many inputs (the organization, or buckets for sampled
	// rules) the rule did not finish on.
	Inputs int
	// Resource and AccountID are the first such input: "organization" (with
	// the caller's account) or a bucket ARN (with its account).
	Resource  string
	AccountID string
}

func (e *StoppedError) Error() string {
	var ids []string
	for _, u := range e.Unfinished {
		ids = append(ids, u.RuleID)
	}
	running := "between rules"
	if len(e.Running) > 0 {
		running = "while running " + strings.Join(e.Running, ", ")
	}
	return fmt.Sprintf("rule evaluation stopped (%v) %s; not evaluated everywhere: %s", e.Cause, running, strings.Join(ids, ", "))
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// stopRecorder collects, from concurrent evaluations, which rules did not
// finish on which inputs.
type stopRecorder struct {
	mu         sync.Mutex
	running    map[string]bool
	unfinished map[string]*Unfinished
}

// record notes that rules[done:] did not finish on one input. cut is true
// when rules[done] was started and cut short.
func (s *stopRecorder) record(rules []findings.Rule, done int, cut bool, resource, accountID string) {
	if done >= len(rules) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unfinished == nil {
		s.running, s.unfinished = map[string]bool{}, map[string]*Unfinished{}
	}
	if cut {
		s.running[rules[done].ID] = true
	}
	for _, r := range rules[done:] {
		u := s.unfinished[r.ID]
		if u == nil {
			u = &Unfinished{RuleID: r.ID, Resource: resource, AccountID: accountID}
			s.unfinished[r.ID] = u
		}
		u.Inputs++
	}
}

// err is the StoppedError, or nil when everything finished.
func (s *stopRecorder) err(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.unfinished) == 0 {
		return nil
	}
	e := &StoppedError{Cause: context.Cause(ctx)}
	for id := range s.running {
		e.Running = append(e.Running, id)
	}
	sort.Strings(e.Running)
	for _, u := range s.unfinished {
		e.Unfinished = append(e.Unfinished, *u)
	}
	sort.Slice(e.Unfinished, func(i, j int) bool { return e.Unfinished[i].RuleID < e.Unfinished[j].RuleID })
	return e
}
