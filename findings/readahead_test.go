package findings

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestSectionReaderReadsItsStretchAndAdvisesAhead(t *testing.T) {
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "spill"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name             string
		off, length, buf int64
		ahead            int64
	}{
		{"whole file", 0, int64(len(data)), 4096, 64 << 10},
		{"middle, buffer larger than the stretch", 1000, 3000, 8192, 64 << 10},
		{"ahead smaller than a read", 5, 500 << 10, 32 << 10, 4 << 10},
		{"to the end of the file", int64(len(data)) - 777, 777, 100, 256},
		{"empty", 10, 0, 100, 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSectionReader(f, tc.off, tc.length, tc.ahead)
			var got bytes.Buffer
			buf := make([]byte, tc.buf)
			for {
				n, err := r.Read(buf)
				got.Write(buf[:n])
				// The kernel has always been asked for what was read.
				if r.advised < r.off {
					t.Fatalf("advised up to %d, read up to %d", r.advised, r.off)
				}
				if r.advised > tc.off+tc.length {
					t.Fatalf("advised up to %d, past the stretch's end %d", r.advised, tc.off+tc.length)
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), data[tc.off:tc.off+tc.length]) {
				t.Errorf("read %d bytes, not the stretch's %d", got.Len(), tc.length)
			}
		})
	}
}
