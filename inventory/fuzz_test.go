package inventory

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
	"time"
)

// FuzzDecode feeds the inventory reader (plain and gzip, v1 and v2)
// arbitrary bytes: it must return an error or a snapshot, never panic, and
// stay within the limits it was given.
func FuzzDecode(f *testing.F) {
	var plain bytes.Buffer
	if err := Encode(&plain, sample()); err != nil {
		f.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(plain.Bytes())
	_ = w.Close()
	f.Add(plain.Bytes())
	f.Add(gz.Bytes())
	f.Add([]byte(`{"schemaVersion":"hoofprint.inventory/v1","buckets":[{"name":"b","objects":{"objects":[{"keyHash":"x"}]}}]}`))
	f.Add([]byte(`{"schemaVersion":"hoofprint.inventory/v2","buckets":[]}` + "\n" + `{"trailer":{"buckets":0}}` + "\n}"))
	limits := DefaultLimits
	limits.MaxBytes = 1 << 20
	limits.MaxRecordBytes = 256 << 10
	limits.MaxObjectsPerBucket = 1000
	f.Fuzz(func(t *testing.T, b []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("decoding took over 10 s (a hang the fuzz engine cannot see): %q", b))
			}
		}()
		r, err := NewLimitedReader(bytes.NewReader(b), limits)
		if err != nil {
			return
		}
		s, err := ReadAll(r)
		if err != nil {
			return
		}
		for _, bk := range s.Buckets {
			if len(bk.Objects.Objects) > limits.MaxObjectsPerBucket {
				t.Fatalf("a bucket of %d objects passed the limit", len(bk.Objects.Objects))
			}
		}
	})
}
