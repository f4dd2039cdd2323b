package findings

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// Readers of a broadcast each get every finding in order, whether the
// others read everything, stop early, never read, or read twice; a list
// document is handed out as it is. Run with -race.
func TestBroadcast(t *testing.T) {
	var all []Finding
	for i := range 1000 {
		all = append(all, Finding{RuleID: fmt.Sprintf("rule-%d", i%7), ResourceARN: fmt.Sprintf("arn:aws:s3:::b%04d", (i*37)%1000),
			Suppression: map[bool]*Suppression{true: {Reason: "r"}}[i%10 == 0]})
	}
	set := NewSet(100, t.TempDir())
	defer func() { _ = set.Close() }()
	if err := set.Add(all...); err != nil {
		t.Fatal(err)
	}
	doc := Document{Set: set}
	want := slices.Collect(doc.All())
	active := slices.Collect(doc.ActiveOnly().All())

	docs, done := Broadcast(doc, 5)
	got := make([][]Finding, 5)
	var second []Finding
	var wg sync.WaitGroup
	wg.Go(func() { // reads everything, then again on its own
		defer done(0)
		got[0] = slices.Collect(docs[0].All())
		second = slices.Collect(docs[0].All())
	})
	wg.Go(func() { // stops after ten
		defer done(1)
		for f := range docs[1].All() {
			if got[1] = append(got[1], f); len(got[1]) == 10 {
				break
			}
		}
	})
	wg.Go(func() { done(2) }) // never reads (its file could not be created)
	wg.Go(func() {            // reads slowly, active findings only
		defer done(3)
		for f := range docs[3].ActiveOnly().All() {
			got[3] = append(got[3], f)
			if len(got[3])%100 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	})
	wg.Go(func() { defer done(4); got[4] = slices.Collect(docs[4].All()) })
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("the readers of a broadcast are stuck")
	}
	for name, c := range map[string]struct{ got, want []Finding }{
		"a reader of everything": {got[0], want}, "its second read": {second, want}, "a reader that stops early": {got[1], want[:10]},
		"a slow reader of active findings": {got[3], active}, "another reader": {got[4], want},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %d findings, want %d (or another order)", name, len(c.got), len(c.want))
		}
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}

	list := Document{Findings: want}
	ldocs, ldone := Broadcast(list, 2)
	ldone(0)
	if got := slices.Collect(ldocs[1].All()); !reflect.DeepEqual(got, want) {
		t.Errorf("a list document: %d findings", len(got))
	}
}
