package pipeline

import (
	"fmt"
	"io"
	"os"
)

// defaultReorderBudget is how many bytes of encoded bucket records may
// wait in memory for their turn in the inventory and the ASFF file.
// Buckets finish in any order and both files list them in the scan's
// order, so one slow bucket (a throttled account, a deep listing) holds
// back every record after it: at 200 accounts the waiting records were the
// largest item of the heap (11 MB, BENCHMARKS.md "Scale"), and they grow
// with the scan.
const defaultReorderBudget = 4 << 20

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
	file     *os.File
	spilled  map[int]span
	size     int64
}

// span is where a spilled record lies in the file: its inventory part,
// then its ASFF part.
type span struct{ off, inv, asff int64 }

func newReorderBuffer(budget int) *reorderBuffer {
	return &reorderBuffer{budget: budget, mem: map[int]record{}, spilled: map[int]span{}}
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
	if r.file == nil {
		f, err := os.CreateTemp("", ".hoofprint-records-")
		if err != nil {
			return fmt.Errorf("spill bucket records: %w", err)
		}
		r.file = f
	}
	sp := span{off: r.size, inv: int64(len(rec.inv)), asff: int64(len(rec.asff))}
	for _, part := range [][]byte{rec.inv, rec.asff} {
		if _, err := r.file.WriteAt(part, r.size); err != nil {
			return fmt.Errorf("spill bucket records to %s: %w", r.file.Name(), err)
		}
		r.size += int64(len(part))
	}
	r.spilled[seq] = sp
	return nil
}

// take returns and forgets the record of seq; ok is false when it has not
// come.
func (r *reorderBuffer) take(seq int) (rec record, ok bool, err error) {
	if rec, ok := r.mem[seq]; ok {
		delete(r.mem, seq)
		r.memBytes -= rec.size()
		return rec, true, nil
	}
	sp, ok := r.spilled[seq]
	if !ok {
		return record{}, false, nil
	}
	delete(r.spilled, seq)
	buf := make([]byte, sp.inv+sp.asff)
	if _, err := r.file.ReadAt(buf, sp.off); err != nil && err != io.EOF {
		return record{}, true, fmt.Errorf("read spilled bucket record from %s: %w", r.file.Name(), err)
	}
	rec = record{inv: buf[:sp.inv:sp.inv], asff: buf[sp.inv:]}
	if len(r.spilled) == 0 {
		// Every spilled record has had its turn: the file starts over.
		if err := r.file.Truncate(0); err != nil {
			return record{}, true, fmt.Errorf("truncate %s: %w", r.file.Name(), err)
		}
		r.size = 0
	}
	return rec, true, nil
}

// close drops every waiting record and removes the file.
func (r *reorderBuffer) close() {
	r.mem, r.memBytes, r.spilled, r.size = map[int]record{}, 0, map[int]span{}, 0
	if r.file != nil {
		_ = r.file.Close()
		_ = os.Remove(r.file.Name())
		r.file = nil
	}
}
