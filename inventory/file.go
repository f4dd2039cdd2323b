package inventory

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// HashKey returns the stable identity reports show instead of an object key.
// The bucket name is part of the input so that one common key name does not
// give the same hash in every bucket.
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

// Encode writes s as indented JSON.
func Encode(w io.Writer, s *Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// Decode reads a snapshot and checks its schema version.
func Decode(r io.Reader) (*Snapshot, error) {
	var s Snapshot
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	if s.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("inventory schema %q is not supported (want %q)", s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}

// WriteFile writes s to path, gzip-compressed when path ends in ".gz". It
// writes to a temporary file first and renames it, so an interrupted write
// never leaves a truncated snapshot where a good one was.
func WriteFile(path string, s *Snapshot) (err error) {
	tmp, err := os.CreateTemp(dirOf(path), ".hoofprint-inventory-*")
	if err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	var gz *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		gz = gzip.NewWriter(tmp)
		w = gz
	}
	if err := Encode(w, s); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return fmt.Errorf("write inventory %s: %w", path, err)
		}
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	return nil
}

// ReadFile reads a snapshot written by WriteFile (gzip detected by content).
func ReadFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer func() { _ = f.Close() }()
	s, err := decodeMaybeGzip(f)
	if err != nil {
		return nil, fmt.Errorf("read inventory %s: %w", path, err)
	}
	return s, nil
}

func decodeMaybeGzip(f *os.File) (*Snapshot, error) {
	var magic [2]byte
	n, err := io.ReadFull(f, magic[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer func() { _ = gz.Close() }()
		s, err := Decode(gz)
		if err != nil {
			return nil, err
		}
		// Read to the end so that gzip checks its CRC: a truncated or
		// corrupted file must fail here, not pass as a shorter inventory.
		if _, err := io.Copy(io.Discard, gz); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return s, nil
	}
	return Decode(f)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
