package scanner

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hoofprint/hoofprint/internal/spillfile"
)

// waitingLists holds phase one's bucket lists until phase two reaches
// their account. In a large organization that is minutes later for most
// accounts, and the lists of the accounts not yet reached were the largest
// part of what a scan held for each account (about 130 bytes a bucket, by
// the scanner's BenchmarkHeldPerAccount): they wait in a temporary file,
// as the stream's kept configurations do. A list that cannot be written
// stays in memory, which only costs memory.
type waitingLists struct {
	file *spillfile.File
	log  *slog.Logger
}

// listSpan is where an account's list waits in the file (n = 0: in
// memory, as accountScan.listed).
type listSpan struct{ off, n int64 }

func newWaitingLists(log *slog.Logger) *waitingLists {
	return &waitingLists{file: spillfile.New(".hoofprint-buckets-"), log: log}
}

// park moves each account's list to the file. Called once, between the
// phases, from one goroutine.
func (w *waitingLists) park(maps []*accountScan) {
	for _, a := range maps {
		if len(a.listed) == 0 {
			continue
		}
		b, err := json.Marshal(a.listed)
		var off int64
		if err == nil {
			off, err = w.file.Append(b)
		}
		if err != nil {
			w.log.Debug("bucket lists stay in memory", slog.String("account", a.id), slog.String("error", err.Error()))
			return
		}
		a.parked, a.listed = listSpan{off, int64(len(b))}, nil
	}
}

// take returns a's list, from memory or the file, and lets go of it.
// Called by phase two's one goroutine that starts buckets.
func (w *waitingLists) take(a *accountScan) ([]ListedBucket, error) {
	listed, at := a.listed, a.parked
	a.listed, a.parked = nil, listSpan{}
	if at.n == 0 {
		return listed, nil
	}
	b, err := w.file.Read(at.off, at.n)
	if err == nil {
		err = json.Unmarshal(b, &listed)
	}
	if err != nil {
		return nil, fmt.Errorf("account %s: read its bucket list back: %w", a.id, err)
	}
	return listed, nil
}

// close removes the file.
func (w *waitingLists) close() { w.file.Close() }
