package findings

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"sync"
)

// DefaultInMemory is how many findings a Set keeps in memory before it
// spills them to its temporary file: about 3 MB of findings (a finding with
// its evidence is about 1.5 KB in memory). It was 20,000, whose 30 MB were
// the largest item of a 1,000-account scan's heap, then 4,096 until the
// fifth pass (BENCHMARKS.md "Scale"); a smaller threshold means more runs
// to merge (155 at 1,000 accounts), whose read buffers runBuffer bounds.
const DefaultInMemory = 2048

// runBuffer is the read buffer of one run while the runs are merged: 32
// KiB, less when there are many runs, so that all of them together stay
// near 4 MiB (a 5,000-account scan spills a few hundred runs).
func runBuffer(runs int) int {
	return max(4<<10, min(32<<10, (4<<20)/max(runs, 1)))
}

// Set holds the findings of a run in bounded memory: up to a threshold in
// memory, then in a temporary file, written in sorted runs. All returns
// every finding in SortFindings order by merging the runs, so report
// writers read them one at a time. Add is safe for concurrent use, and so
// is All (several reports may be written at once), but not concurrently
// with Add.
type Set struct {
	mu        sync.Mutex
	threshold int
	dir       string
	mem       []Finding
	memSorted bool // mem is in SortFindings order
	file      *os.File
	runs      []spillRun
	size      int64 // bytes written to file
	n         int
	bySev     map[Severity]int
	byRule    map[string]int
	byRuleSev map[ruleSeverity]int
	// The same counts for the findings an accepted risk covers.
	suppressed   int
	supBySev     map[Severity]int
	supByRule    map[string]int
	supByRuleSev map[ruleSeverity]int
	err          error
}

// ruleSeverity keys the counts per rule and severity.
type ruleSeverity struct {
	rule string
	sev  Severity
}

// spillRun is one sorted run in the file, with where each rule and
// severity's findings lie in it (a run is sorted by rule, then severity, so
// each is one stretch): a reader that wants only some of them reads only
// those (Limited).
type spillRun struct {
	offset, length int64
	count          int
	groups         []spillGroup
}

// spillGroup is the stretch of a run that holds one rule and severity's
// findings.
type spillGroup struct {
	key            ruleSeverity
	offset, length int64
}

// NewSet returns a Set that keeps up to inMemory findings in memory (0
// means DefaultInMemory) and spills the rest to a temporary file in dir
// ("" means os.TempDir()). Close removes the file.
func NewSet(inMemory int, dir string) *Set {
	if inMemory <= 0 {
		inMemory = DefaultInMemory
	}
	return &Set{threshold: inMemory, dir: dir, bySev: map[Severity]int{}, byRule: map[string]int{}, byRuleSev: map[ruleSeverity]int{},
		supBySev: map[Severity]int{}, supByRule: map[string]int{}, supByRuleSev: map[ruleSeverity]int{}}
}

// Add adds findings. An error writing the spill file is returned, and
// kept (Err).
func (s *Set) Add(fs ...Finding) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		s.n++
		s.bySev[f.Severity]++
		s.byRule[f.RuleID]++
		s.byRuleSev[ruleSeverity{f.RuleID, f.Severity}]++
		if f.Suppressed() {
			s.suppressed++
			s.supBySev[f.Severity]++
			s.supByRule[f.RuleID]++
			s.supByRuleSev[ruleSeverity{f.RuleID, f.Severity}]++
		}
	}
	s.mem = append(s.mem, fs...)
	s.memSorted = s.memSorted && len(fs) == 0
	if len(s.mem) >= s.threshold && s.err == nil {
		s.err = s.spillLocked()
	}
	return s.err
}

// spillLocked writes the in-memory findings to the file as one sorted run.
func (s *Set) spillLocked() error {
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, ".hoofprint-findings-*")
		if err != nil {
			return fmt.Errorf("spill findings: %w", err)
		}
		s.file = f
	}
	SortFindings(s.mem)
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.file, s.size), 256<<10)
	cw := &countWriter{w: w}
	enc := json.NewEncoder(cw)
	enc.SetEscapeHTML(false)
	var groups []spillGroup
	for i := range s.mem {
		if k := (ruleSeverity{s.mem[i].RuleID, s.mem[i].Severity}); len(groups) == 0 || groups[len(groups)-1].key != k {
			groups = append(groups, spillGroup{key: k, offset: s.size + cw.n})
		}
		if err := enc.Encode(&s.mem[i]); err != nil {
			return fmt.Errorf("spill findings: %w", err)
		}
		g := &groups[len(groups)-1]
		g.length = s.size + cw.n - g.offset
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("spill findings to %s: %w", s.file.Name(), err)
	}
	s.runs = append(s.runs, spillRun{offset: s.size, length: cw.n, count: len(s.mem), groups: groups})
	s.size += cw.n
	clear(s.mem)
	s.mem = s.mem[:0]
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Len is the number of findings added.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// SpillHeld writes the findings held in memory to the temporary file as
// one more run, if the set has spilled already (a set that fits in memory
// stays there). A caller about to need a lot of memory for a while, like
// the rules at the end of a run, calls it first so that the two do not
// add up.
func (s *Set) SpillHeld() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.runs) == 0 || len(s.mem) == 0 || s.err != nil {
		return s.err
	}
	s.err = s.spillLocked()
	return s.err
}

// Spilled reports whether some findings are in the temporary file.
func (s *Set) Spilled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.runs) > 0
}

// CountBySeverity and CountByRule count the findings added.
func (s *Set) CountBySeverity() map[Severity]int { return s.countBySeverity(false) }

// CountByRule counts the findings added per rule ID.
func (s *Set) CountByRule() map[string]int { return s.countByRule(false) }

// SuppressedCount is the number of findings added that an accepted risk
// covers.
func (s *Set) SuppressedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suppressed
}

func (s *Set) countBySeverity(activeOnly bool) map[Severity]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subtract(s.bySev, s.supBySev, activeOnly)
}

func (s *Set) countByRule(activeOnly bool) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subtract(s.byRule, s.supByRule, activeOnly)
}

func (s *Set) countByRuleSeverity(activeOnly bool) map[string]map[Severity]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[Severity]int{}
	for k, n := range subtract(s.byRuleSev, s.supByRuleSev, activeOnly) {
		if out[k.rule] == nil {
			out[k.rule] = map[Severity]int{}
		}
		out[k.rule][k.sev] = n
	}
	return out
}

// subtract copies all, less sup when activeOnly; keys left at 0 are dropped.
func subtract[K comparable](all, sup map[K]int, activeOnly bool) map[K]int {
	out := make(map[K]int, len(all))
	for k, v := range all {
		if activeOnly {
			v -= sup[k]
		}
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

// Err is the first error writing or reading the spill file: a report
// written from All while Err is not nil lacks findings.
func (s *Set) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// All yields every finding in SortFindings order: the sorted runs of the
// file and the findings in memory, merged. Each call reads the file again.
func (s *Set) All() iter.Seq[Finding] { return s.read(nil) }

// Limited yields, in All's order, the first limit(rule, severity) findings
// of each rule and severity, and no others. From the file it reads only
// those: a rule and severity whose limit is 0 is skipped in every run
// without being decoded, and so is the rest of one once its limit is
// reached (SARIF keeps 25,000 results of a run's hundreds of thousands of
// findings).
func (s *Set) Limited(limit func(rule string, sev Severity) int) iter.Seq[Finding] {
	return s.read(limit)
}

// read is All (limit nil) or Limited.
func (s *Set) read(limit func(rule string, sev Severity) int) iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		s.mu.Lock()
		if !s.memSorted {
			// Sorted once: a reader that is still iterating mem must not
			// see it sorted again under it.
			SortFindings(s.mem)
			s.memSorted = true
		}
		mem := s.mem
		runs := slices.Clone(s.runs)
		file := s.file
		s.mu.Unlock()

		// taken counts what was yielded of each rule and severity; want
		// says whether one more is wanted.
		taken := map[ruleSeverity]int{}
		limits := map[ruleSeverity]int{}
		want := func(k ruleSeverity) bool {
			if limit == nil {
				return true
			}
			n, ok := limits[k]
			if !ok {
				n = limit(k.rule, k.sev)
				limits[k] = n
			}
			return taken[k] < n
		}
		h := &mergeHeap{}
		cursors := make([]*cursor, 0, len(runs))
		for i, r := range runs {
			c := &cursor{run: i, file: file, buf: runBuffer(len(runs)), want: want}
			if limit == nil {
				c.sections = []spillGroup{{offset: r.offset, length: r.length}}
			} else {
				for _, g := range r.groups {
					if want(g.key) {
						c.sections = append(c.sections, g)
					}
				}
			}
			// Every run's first stretch is asked for before any is read
			// (readahead.go).
			c.open()
			cursors = append(cursors, c)
		}
		for _, c := range cursors {
			if s.advance(c) {
				heap.Push(h, c)
			}
		}
		if len(mem) > 0 {
			c := &cursor{run: len(runs), mem: mem, want: want}
			if s.advance(c) {
				heap.Push(h, c)
			}
		}
		for h.Len() > 0 {
			c := (*h)[0]
			k := ruleSeverity{c.cur.RuleID, c.cur.Severity}
			// A head read before its rule and severity reached the limit
			// is passed over.
			if want(k) {
				taken[k]++
				if !yield(c.cur) {
					return
				}
			}
			if s.advance(c) {
				heap.Fix(h, 0)
			} else {
				heap.Pop(h)
			}
		}
	}
}

// advance moves c to its next wanted finding; false at the end or on an
// error (kept in Err).
func (s *Set) advance(c *cursor) bool {
	if c.mem != nil {
		for c.next < len(c.mem) {
			f := c.mem[c.next]
			c.next++
			if c.want(ruleSeverity{f.RuleID, f.Severity}) {
				c.cur = f
				return true
			}
		}
		return false
	}
	for {
		if c.dec == nil && !c.open() {
			return false
		}
		if c.key != (ruleSeverity{}) && !c.want(c.key) {
			// The rest of this stretch is not wanted any more.
			c.dec = nil
			continue
		}
		var f Finding
		if err := c.dec.Decode(&f); err != nil {
			c.dec = nil
			if errors.Is(err, io.EOF) {
				continue
			}
			s.mu.Lock()
			if s.err == nil {
				s.err = fmt.Errorf("read spilled findings: %w", err)
			}
			s.mu.Unlock()
			return false
		}
		c.cur = f
		return true
	}
}

// Close removes the temporary file.
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem = nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	if rmErr := os.Remove(name); err == nil {
		err = rmErr
	}
	s.file = nil
	return err
}

// open starts the decoder on c's next wanted section; false when there is
// none left.
func (c *cursor) open() bool {
	for len(c.sections) > 0 {
		sec := c.sections[0]
		c.sections = c.sections[1:]
		if sec.key != (ruleSeverity{}) && !c.want(sec.key) {
			continue
		}
		c.key = sec.key
		r := newSectionReader(c.file, sec.offset, sec.length, readAhead(c.buf))
		if c.br == nil {
			c.br = bufio.NewReaderSize(r, c.buf)
		} else {
			c.br.Reset(r)
		}
		c.dec = json.NewDecoder(c.br)
		c.dec.UseNumber()
		return true
	}
	return false
}

// cursor is the head of one run during the merge: a run of the file, read
// a section at a time (the whole run, or the stretches of the rules and
// severities wanted), or the findings in memory.
type cursor struct {
	run      int
	want     func(ruleSeverity) bool
	file     *os.File
	buf      int
	sections []spillGroup
	key      ruleSeverity // of the section being read; zero for a whole run
	br       *bufio.Reader
	dec      *json.Decoder
	mem      []Finding
	next     int
	cur      Finding
}

// mergeHeap orders cursors by their current finding, then by run, so that
// equal findings keep the order they were added in.
type mergeHeap []*cursor

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := compareFindings(h[i].cur, h[j].cur); c != 0 {
		return c < 0
	}
	return h[i].run < h[j].run
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *mergeHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
