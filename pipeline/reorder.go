package pipeline

import (
	"fmt"
	"io"
	"os"
)

// defaultReorderBudget is how many bytes of encoded bucket records may
// wait in memory for their turn in the inventory. Buckets finish in any
// order and the inventory lists them in the scan's order, so one slow
// bucket (a throttled account, a deep listing) holds back every record
// after it: at 200 accounts the waiting records were the largest item of
// the heap (11 MB, BENCHMARKS.md "Scale"), and they grow with the scan.
const defaultReorderBudget = 4 << 20

// reorderBuffer holds the encoded records that finished before their turn:
// in memory up to budget bytes, then in a temporary file (0600, removed by
// close) until their turn comes. The records hold hashed object keys (or
// keys, with --show-object-keys), like the inventory they are bound for.
type reorderBuffer struct {
	budget   int
	mem      map[int][]byte
	memBytes int
	file     *os.File
	spilled  map[int]span
	size     int64
}

// span is where a spilled record lies in the file.
type span struct{ off, n int64 }

func newReorderBuffer(budget int) *reorderBuffer {
	return &reorderBuffer{budget: budget, mem: map[int][]byte{}, spilled: map[int]span{}}
}

// len is the number of records waiting.
func (r *reorderBuffer) len() int { return len(r.mem) + len(r.spilled) }

// put keeps rec until take(seq).
func (r *reorderBuffer) put(seq int, rec []byte) error {
	if r.memBytes+len(rec) <= r.budget {
		r.mem[seq] = rec
		r.memBytes += len(rec)
		return nil
	}
	if r.file == nil {
		f, err := os.CreateTemp("", ".hoofprint-records-")
		if err != nil {
			return fmt.Errorf("spill inventory records: %w", err)
		}
		r.file = f
	}
	if _, err := r.file.WriteAt(rec, r.size); err != nil {
		return fmt.Errorf("spill inventory records to %s: %w", r.file.Name(), err)
	}
	r.spilled[seq] = span{r.size, int64(len(rec))}
	r.size += int64(len(rec))
	return nil
}

// take returns and forgets the record of seq; ok is false when it has not
// come.
func (r *reorderBuffer) take(seq int) (rec []byte, ok bool, err error) {
	if rec, ok := r.mem[seq]; ok {
		delete(r.mem, seq)
		r.memBytes -= len(rec)
		return rec, true, nil
	}
	sp, ok := r.spilled[seq]
	if !ok {
		return nil, false, nil
	}
	delete(r.spilled, seq)
	rec = make([]byte, sp.n)
	if _, err := r.file.ReadAt(rec, sp.off); err != nil && err != io.EOF {
		return nil, true, fmt.Errorf("read spilled inventory record from %s: %w", r.file.Name(), err)
	}
	if len(r.spilled) == 0 {
		// Every spilled record has had its turn: the file starts over.
		if err := r.file.Truncate(0); err != nil {
			return nil, true, fmt.Errorf("truncate %s: %w", r.file.Name(), err)
		}
		r.size = 0
	}
	return rec, true, nil
}

// close drops every waiting record and removes the file.
func (r *reorderBuffer) close() {
	r.mem, r.memBytes, r.spilled, r.size = map[int][]byte{}, 0, map[int]span{}, 0
	if r.file != nil {
		_ = r.file.Close()
		_ = os.Remove(r.file.Name())
		r.file = nil
	}
}
