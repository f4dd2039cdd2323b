package pipeline

import (
	"fmt"

	"github.com/hoofprint/hoofprint/internal/spillfile"
)

// defaultReorderBudget is how many bytes of encoded bucket records may
// wait in memory for their turn in the inventory and the ASFF file.
// Buckets finish in any order and both files list them in the scan's
// order, so one slow bucket (a throttled account, a deep listing) holds
// back every record after it: at 200 accounts the waiting records were the
// largest item of the heap (11 MB, BENCHMARKS.md "Scale"), and they grow
// with the scan. 1 MiB (4 MiB until the fifth pass): a record waiting on
// disk costs a write and a read of the page cache, while memory held for
// a straggler is the heap's peak, which the collector then doubles.
const defaultReorderBudget = 1 << 20

// record is what one bucket adds to the files written in the scan's
// order: its inventory record and its findings as ASFF (either may be
// empty).
type record struct {
	inv, asff []byte
}

// size is the memory the record holds: its capacity, which an appended
// ASFF chunk can have a quarter or more above its length. The budget
// once counted lengths and held up to twice what it said.
func (r record) size() int { return cap(r.inv) + cap(r.asff) }

// reorderBuffer holds the encoded records that finished before their turn:
// in memory up to budget bytes, then in a temporary file (0600, removed by
// close) until their turn comes. The records hold hashed object keys (or
// keys, with --show-object-keys), like the files they are bound for.
type reorderBuffer struct {
	budget   int
	mem      map[int]record
	memBytes int
	file     *spillfile.File
	spilled  map[int]span
}

// span is where a spilled record lies in the file: its inventory part,
// then its ASFF part.
type span struct{ off, inv, asff int64 }

func newReorderBuffer(budget int) *reorderBuffer {
	return &reorderBuffer{budget: budget, mem: map[int]record{}, file: spillfile.New(".hoofprint-records-"), spilled: map[int]span{}}
}

// len is the number of records waiting.
func (r *reorderBuffer) len() int { return len(r.mem) + len(r.spilled) }

// put keeps rec until take(seq).
func (r *reorderBuffer) put(seq int, rec record) error {
	if r.memBytes+rec.size() <= r.budget {
		r.mem[seq] = rec
		r.memBytes += rec.size()
		return nil
	}
	off, err := r.file.Append(rec.inv, rec.asff)
	if err != nil {
		return fmt.Errorf("bucket records: %w", err)
	}
	r.spilled[seq] = span{off: off, inv: int64(len(rec.inv)), asff: int64(len(rec.asff))}
	return nil
}

// take returns and forgets the record of seq; ok is false when it has not
// come.
func (r *reorderBuffer) take(seq int) (rec record, ok bool, err error) {
	if rec, ok := r.mem[seq]; ok {
		delete(r.mem, seq)
		r.memBytes -= rec.size()
		if len(r.mem) == 0 {
			// A map keeps the room it once grew to: a straggler's backlog
			// is not held for the rest of the scan.
			r.mem = map[int]record{}
		}
		return rec, true, nil
	}
	sp, ok := r.spilled[seq]
	if !ok {
		return record{}, false, nil
	}
	delete(r.spilled, seq)
	buf, err := r.file.Read(sp.off, sp.inv+sp.asff)
	if err != nil {
		return record{}, true, fmt.Errorf("bucket record: %w", err)
	}
	rec = record{inv: buf[:sp.inv:sp.inv], asff: buf[sp.inv:]}
	if len(r.spilled) == 0 {
		// Every spilled record has had its turn: the file starts over,
		// and so does the map (as r.mem above).
		r.spilled = map[int]span{}
		if err := r.file.Reset(); err != nil {
			return record{}, true, err
		}
	}
	return rec, true, nil
}

// close drops every waiting record and removes the file.
func (r *reorderBuffer) close() {
	r.mem, r.memBytes, r.spilled = map[int]record{}, 0, map[int]span{}
	r.file.Close()
}
