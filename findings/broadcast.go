package findings

import (
	"iter"
	"sync"
)

// Broadcast lets n readers that run at the same time (the report writers)
// share one read of doc's findings: for a large run, each finding is
// decoded from the spill file once rather than once per report. It
// returns n documents, one per reader. The first All of each yields the
// shared read, in order; a later All of the same reader (a writer that
// reads the findings twice) reads the set again on its own. Reader i must
// call done(i) when it has finished with its document, whether or not it
// read it, so that the shared read never waits for it; a reader that stops
// reading early is let go as well. A document whose findings are a list
// is returned n times as it is (there is nothing to share).
func Broadcast(doc Document, n int) (docs []Document, done func(i int)) {
	docs = make([]Document, n)
	if doc.Set == nil || n < 2 {
		for i := range docs {
			docs[i] = doc
		}
		return docs, func(int) {}
	}
	b := &broadcast{set: doc.Set, readers: make([]shareReader, n)}
	for i := range b.readers {
		// A small buffer lets the readers run at their own pace over a
		// few findings; the slowest sets the pace of the read.
		b.readers[i] = shareReader{ch: make(chan Finding, 256), quit: make(chan struct{})}
		docs[i] = doc
		docs[i].shared, docs[i].reader = b, i
	}
	go b.run()
	return docs, b.detach
}

type broadcast struct {
	set     *Set
	mu      sync.Mutex // guards each reader's claimed
	readers []shareReader
}

type shareReader struct {
	ch      chan Finding
	quit    chan struct{} // closed when the reader is let go
	stop    sync.Once
	claimed bool // its first All was served
}

// run reads the set once and hands every finding to each reader still
// reading.
func (b *broadcast) run() {
	defer func() {
		for i := range b.readers {
			close(b.readers[i].ch)
		}
	}()
	for f := range b.set.All() {
		live := 0
		for i := range b.readers {
			r := &b.readers[i]
			select {
			case r.ch <- f:
				live++
			case <-r.quit:
			}
		}
		if live == 0 {
			return
		}
	}
}

func (b *broadcast) detach(i int) {
	r := &b.readers[i]
	r.stop.Do(func() { close(r.quit) })
}

// release lets the shared read go on without reader i, which reads on its
// own from now on (its All reads the set itself).
func (b *broadcast) release(i int) {
	b.mu.Lock()
	b.readers[i].claimed = true
	b.mu.Unlock()
	b.detach(i)
}

// claim returns reader i's share of the read the first time it is asked,
// and false afterwards.
func (b *broadcast) claim(i int) (iter.Seq[Finding], bool) {
	b.mu.Lock()
	r := &b.readers[i]
	first := !r.claimed
	r.claimed = true
	b.mu.Unlock()
	if !first {
		return nil, false
	}
	return func(yield func(Finding) bool) {
		// Stopping early (or finishing) lets the shared read go on
		// without this reader.
		defer b.detach(i)
		for {
			select {
			case f, ok := <-r.ch:
				if !ok || !yield(f) {
					return
				}
			case <-r.quit:
				return
			}
		}
	}, true
}
