package summary

import (
	"slices"
	"sync"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/termsafe"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// Tally gathers the summary's Facts as a run records its findings, so that
// the end of a large run does not read every finding back for the summary
// (at 1,000 accounts, 315,000 findings: about 9 s and, for the worst
// resources, an entry per resource, 220 bytes each, most of them objects).
//
// The worst resources are the section that would grow with the findings.
// A bucket's findings and its objects' are recorded together (AddBucket),
// and the rules of one bucket report only on that bucket and its objects,
// so each bucket's resources are complete when its findings come: they are
// ranked then, and only the worst few are kept. Findings about anything
// else (distributions, accounts: the rules at the end) are ranked whole, as
// Gather ranks them. Facts gives what Gather would give on the same
// findings, or nil if a finding about a bucket or an object came from
// elsewhere (a user's rule at the end, a merge's shard findings): the
// findings must then be read again (Gather).
type Tally struct {
	mu       sync.Mutex
	fx       *Facts
	showKeys bool
	// top are the worst resources of the buckets so far, worst first, at
	// most keep; local counts every resource of the buckets.
	top   []ranked
	keep  int
	local int
	// rest are the resources named outside a bucket's findings.
	rest *ranker
	// inexact is set when a bucket or an object was named outside its
	// bucket's findings.
	inexact bool
}

// NewTally starts the Facts of a run's findings in partition, redacted as
// a document with showObjectKeys shows them.
func NewTally(partition string, showObjectKeys bool) *Tally {
	return &Tally{
		fx:       newFacts(termsafe.Escape(partition)),
		showKeys: showObjectKeys,
		keep:     defaultMaxResources,
		rest:     newRanker(true),
	}
}

// AddBucket counts the findings of one bucket's rules, about the bucket
// and its objects. It is safe for concurrent use.
func (t *Tally) AddBucket(bucket string, fs []findings.Finding) {
	t.add(bucket, fs)
}

// Add counts findings that are not one bucket's: the rules at the end, or
// findings evaluated elsewhere. It is safe for concurrent use.
func (t *Tally) Add(fs []findings.Finding) {
	t.add("", fs)
}

func (t *Tally) add(bucket string, fs []findings.Finding) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var batch *ranker
	for _, f := range fs {
		g, ok := t.fx.add(f, t.showKeys)
		if !ok {
			continue
		}
		r := view.ParseResource(g, t.showKeys)
		inBucket := r.Type == findings.ResourceS3Object || r.Type == findings.ResourceS3Bucket
		switch {
		case inBucket && bucket != "" && r.Bucket == bucket:
			if batch == nil {
				batch = newRanker(true)
			}
			batch.add(r.Identity(), r.Name, g)
		default:
			if inBucket {
				t.inexact = true
			}
			t.rest.add(r.Identity(), r.Name, g)
		}
	}
	if batch == nil {
		return
	}
	for _, x := range batch.all {
		t.local++
		if len(t.top) == t.keep && compareRanked(x, t.top[t.keep-1]) >= 0 {
			continue
		}
		slices.Sort(x.rules)
		i, _ := slices.BinarySearchFunc(t.top, x, compareRanked)
		t.top = slices.Insert(t.top, i, x)
		t.top = t.top[:min(len(t.top), t.keep)]
	}
}

// Facts returns the Facts of every finding counted, for a document with
// showObjectKeys; nil when they cannot be exact (above) or the document
// redacts differently. The Tally is not to be used after.
func (t *Tally) Facts(showObjectKeys bool) *Facts {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inexact || showObjectKeys != t.showKeys {
		return nil
	}
	fx := t.fx
	rest := t.rest.ranked()
	worst := append(slices.Clone(t.top), rest...)
	slices.SortStableFunc(worst, compareRanked)
	fx.worst = worst[:min(len(worst), t.keep)]
	// The ranking does not read the rules: only those kept are listed, so
	// only theirs are sorted (the top's already are).
	for i := range fx.worst {
		slices.Sort(fx.worst[i].rules)
	}
	fx.resources = t.local + len(rest)
	return fx
}
