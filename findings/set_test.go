package findings

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestSetSpillsAndMergesInSortedOrder(t *testing.T) {
	dir := t.TempDir()
	var all []Finding
	for i := range 250 {
		all = append(all, Finding{
			RuleID: fmt.Sprintf("rule-%d", i%7), Severity: Severity(i % 4), AccountID: fmt.Sprintf("%012d", i%13),
			Region: "us-east-1", ResourceType: ResourceS3Object, ResourceARN: fmt.Sprintf("arn:aws:s3:::b/%03d", (i*37)%250),
			Message: "m", Evidence: map[string]any{"n": json.Number(fmt.Sprint(i)), "grants": []any{"READ"}},
		})
	}
	s := NewSet(40, dir)
	for i := 0; i < len(all); i += 9 {
		if err := s.Add(all[i:min(i+9, len(all))]...); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Spilled() || s.Len() != len(all) {
		t.Fatalf("spilled %v, len %d", s.Spilled(), s.Len())
	}
	want := slices.Clone(all)
	SortFindings(want)
	got := slices.Collect(s.All())
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("All() differs from the sorted findings (%d vs %d)", len(got), len(want))
	}
	// A second pass reads the file again.
	if again := slices.Collect(s.All()); len(again) != len(all) {
		t.Errorf("second pass: %d findings", len(again))
	}
	if s.CountByRule()["rule-0"] != 36 || s.CountBySeverity()[Severity(0)] != 63 {
		t.Errorf("counts %v %v", s.CountByRule(), s.CountBySeverity())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
}

func TestSpillHeldWritesOutWhatMemoryHoldsOnceTheSetHasSpilled(t *testing.T) {
	var all []Finding
	for i := range 30 {
		all = append(all, Finding{RuleID: fmt.Sprintf("rule-%d", i%5), Severity: Severity(i % 3), ResourceARN: fmt.Sprintf("arn:aws:s3:::b/%02d", i)})
	}
	s := NewSet(12, t.TempDir())
	defer func() { _ = s.Close() }()
	if err := s.Add(all[:13]...); err != nil { // one run of 13
		t.Fatal(err)
	}
	if err := s.Add(all[13:20]...); err != nil { // 7 held
		t.Fatal(err)
	}
	if err := s.SpillHeld(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	runs, held := len(s.runs), len(s.mem)
	s.mu.Unlock()
	if runs != 2 || held != 0 {
		t.Errorf("after SpillHeld: %d runs, %d held; want 2 runs, none held", runs, held)
	}
	if err := s.Add(all[20:]...); err != nil { // findings added after it are held again
		t.Fatal(err)
	}
	want := slices.Clone(all)
	SortFindings(want)
	if got := slices.Collect(s.All()); !reflect.DeepEqual(got, want) || s.Err() != nil {
		t.Errorf("All() after SpillHeld: %d findings (err %v), want the %d sorted", len(got), s.Err(), len(want))
	}
}

func TestSetBelowItsThresholdNeverTouchesDisk(t *testing.T) {
	dir := t.TempDir()
	s := NewSet(100, dir)
	_ = s.Add(Finding{RuleID: "b"}, Finding{RuleID: "a"})
	if err := s.SpillHeld(); err != nil { // never spilled: it stays in memory
		t.Fatal(err)
	}
	if got := slices.Collect(s.All()); s.Spilled() || len(got) != 2 || got[0].RuleID != "a" {
		t.Errorf("spilled %v, findings %+v", s.Spilled(), got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files %v", entries)
	}
}

// CountByRuleSeverity gives the same counts from a Set as from the list,
// all or active only, and says when the list's order can be relied on.
func TestCountByRuleSeverity(t *testing.T) {
	var all []Finding
	for i := range 60 {
		f := Finding{RuleID: fmt.Sprintf("rule-%d", i%3), Severity: Severity(i % 5), ResourceARN: fmt.Sprintf("arn:aws:s3:::b%02d", i)}
		if i%4 == 0 {
			f.Suppression = &Suppression{Reason: "accepted"}
		}
		all = append(all, f)
	}
	set := NewSet(7, t.TempDir())
	defer func() { _ = set.Close() }()
	if err := set.Add(all...); err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(all)
	SortFindings(sorted)
	for name, tc := range map[string]struct {
		doc         Document
		wantOrdered bool
	}{
		"set":           {Document{Set: set}, true},
		"sorted list":   {Document{Findings: sorted}, true},
		"unsorted list": {Document{Findings: all}, false},
	} {
		for _, active := range []bool{false, true} {
			doc := &tc.doc
			if active {
				doc = tc.doc.ActiveOnly()
			}
			want := map[string]map[Severity]int{}
			for f := range doc.All() {
				if want[f.RuleID] == nil {
					want[f.RuleID] = map[Severity]int{}
				}
				want[f.RuleID][f.Severity]++
			}
			got, ordered := doc.CountByRuleSeverity()
			if !reflect.DeepEqual(got, want) || ordered != tc.wantOrdered {
				t.Errorf("%s (active only %v): counts %v ordered %v, want %v %v", name, active, got, ordered, want, tc.wantOrdered)
			}
		}
	}
}

// Reports are written at once, each reading the set: concurrent All calls
// give every reader the same findings in the same order (run with -race).
func TestSetAllConcurrently(t *testing.T) {
	for _, spill := range []int{1000, 16} {
		s := NewSet(spill, t.TempDir())
		for i := range 100 {
			_ = s.Add(Finding{RuleID: fmt.Sprintf("rule-%d", (i*7)%5), ResourceARN: fmt.Sprintf("arn:aws:s3:::b%03d", (i*31)%100),
				Evidence: map[string]any{"n": json.Number(fmt.Sprint(i))}})
		}
		want := slices.Collect(s.All())
		got := make([][]Finding, 4)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i] = slices.Collect(s.All()) })
		}
		wg.Wait()
		for i := range got {
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("threshold %d: reader %d saw other findings", spill, i)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The merge's read buffers stay near 4 MiB however many runs a large
// organization spills, and never drop below a page.
func TestRunBufferBoundsTheMerge(t *testing.T) {
	for _, tt := range []struct{ runs, want int }{
		{0, 32 << 10}, {1, 32 << 10}, {128, 32 << 10}, {256, 16 << 10}, {1024, 4 << 10}, {100000, 4 << 10},
	} {
		if got := runBuffer(tt.runs); got != tt.want {
			t.Errorf("runBuffer(%d) = %d, want %d", tt.runs, got, tt.want)
		}
	}
}

// Limited yields what All would, filtered to the first n findings of each
// rule and severity, and reads no more of the file than it needs: the
// stretches of the rules and severities it skips, and the rest of one past
// its limit, are overwritten with garbage here and never noticed.
func TestSetLimitedReadsOnlyTheFindingsItYields(t *testing.T) {
	var all []Finding
	for i := range 400 {
		all = append(all, Finding{
			RuleID: fmt.Sprintf("rule-%d", i%5), Severity: Severity(i % 3), AccountID: fmt.Sprintf("%012d", (i*7)%11),
			Region: "us-east-1", ResourceType: ResourceS3Object, ResourceARN: fmt.Sprintf("arn:aws:s3:::b/%03d", (i*37)%400),
			Message: "m", Evidence: map[string]any{"n": json.Number(fmt.Sprint(i))},
		})
	}
	s := NewSet(60, t.TempDir())
	defer func() { _ = s.Close() }()
	for i := 0; i < len(all); i += 7 {
		if err := s.Add(all[i:min(i+7, len(all))]...); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.runs) < 3 {
		t.Fatalf("%d runs: too few to merge", len(s.runs))
	}
	limits := map[ruleSeverity]int{
		{"rule-0", 0}: 1000, // all of it
		{"rule-1", 2}: 1,    // its first finding: one line of each run is read
		{"rule-3", 1}: 9,
	}
	limit := func(rule string, sev Severity) int { return limits[ruleSeverity{rule, sev}] }
	want := []Finding{}
	taken := map[ruleSeverity]int{}
	sorted := slices.Clone(all)
	SortFindings(sorted)
	for _, f := range sorted {
		k := ruleSeverity{f.RuleID, f.Severity}
		if taken[k] < limits[k] {
			taken[k]++
			want = append(want, f)
		}
	}

	// Garbage over every stretch Limited must not read: the skipped rules
	// and severities, and all but the first line of rule-1/2's.
	spoiled := 0
	for _, r := range s.runs {
		for _, g := range r.groups {
			from := g.offset
			switch n := limits[g.key]; {
			case n > 1:
				continue
			case n == 1:
				line := make([]byte, g.length)
				if _, err := s.file.ReadAt(line, g.offset); err != nil {
					t.Fatal(err)
				}
				from += int64(slices.Index(line, '\n') + 1)
			}
			if end := g.offset + g.length; from < end {
				if _, err := s.file.WriteAt([]byte(strings.Repeat("x", int(end-from))), from); err != nil {
					t.Fatal(err)
				}
				spoiled++
			}
		}
	}
	if spoiled == 0 {
		t.Fatal("nothing overwritten: the test proves nothing")
	}
	got := slices.Collect(s.Limited(limit))
	if err := s.Err(); err != nil {
		t.Fatalf("Limited read a stretch it should have skipped: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Limited gave %d findings, want %d (All filtered)", len(got), len(want))
	}
	doc := Document{Set: s}
	if n := len(slices.Collect(doc.AllLimited(limit))); n != len(want) {
		t.Errorf("Document.AllLimited gave %d findings, want %d", n, len(want))
	}
	for range s.All() {
	}
	if s.Err() == nil {
		t.Error("All read the overwritten file without an error: the garbage was not where Limited skips")
	}
}
