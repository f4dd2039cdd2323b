package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
)

// HashKey is the unkeyed legacy key hash (KeyHashUnkeyed): a zero
// KeyHasher, test fixtures and inventories made before keyed hashing. It can
// be reversed with a list of likely keys; collection uses KeyHasher.
func HashKey(bucket, key string) string {
	sum := sha256.Sum256([]byte(bucket + "/" + key))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// KeyPrefix returns the first path segment of key with its trailing "/", or
// "" when key has none.
func KeyPrefix(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i+1]
	}
	return ""
}

// Encode writes s in the streamed layout (SchemaVersion): a header line,
// one line per bucket, a trailer.
func Encode(w io.Writer, s *Snapshot) error {
	iw := NewWriter(w)
	if err := iw.Header(s); err != nil {
		return err
	}
	for i := range s.Buckets {
		if err := iw.Bucket(&s.Buckets[i]); err != nil {
			return err
		}
	}
	return iw.Close(s)
}

// Decode reads a whole snapshot (streamed v2, or v1) and checks its schema
// version.
func Decode(r io.Reader) (*Snapshot, error) {
	ir, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	return ReadAll(ir)
}

// WriteFile writes s to path, gzip-compressed when path ends in ".gz". It
// writes to a temporary file first and renames it, so an interrupted write
// never leaves a truncated snapshot where a good one was.
func WriteFile(path string, s *Snapshot) error {
	w, err := Create(path)
	if err != nil {
		return err
	}
	if err := w.Header(s); err != nil {
		w.Abort()
		return err
	}
	for i := range s.Buckets {
		if err := w.Bucket(&s.Buckets[i]); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close(s)
}

// ReadFile reads a whole snapshot written by WriteFile or by a scan (gzip
// detected by content). Use Open to read one bucket at a time.
func ReadFile(path string) (*Snapshot, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return ReadAll(r)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
