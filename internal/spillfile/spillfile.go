// Package spillfile is a temporary file for records a run would otherwise
// hold in memory until it needs them again: appended once, read back by
// offset, removed at the end. Records may hold object keys or their
// hashes, so the file is created 0600 (os.CreateTemp) and never outlives
// Close.
package spillfile

import (
	"fmt"
	"io"
	"os"
)

// File is created on the first Append. It is not safe for concurrent
// use; its callers hold their own lock.
type File struct {
	pattern string
	f       *os.File
	size    int64
}

// New returns a File whose temporary file, once needed, is created in the
// system's temporary directory with pattern (os.CreateTemp).
func New(pattern string) *File { return &File{pattern: pattern} }

// Append writes the parts one after the other and returns the offset of
// the first.
func (s *File) Append(parts ...[]byte) (int64, error) {
	if s.f == nil {
		f, err := os.CreateTemp("", s.pattern)
		if err != nil {
			return 0, fmt.Errorf("spill to a temporary file: %w", err)
		}
		s.f = f
	}
	off := s.size
	for _, p := range parts {
		if _, err := s.f.WriteAt(p, s.size); err != nil {
			return 0, fmt.Errorf("spill to %s: %w", s.f.Name(), err)
		}
		s.size += int64(len(p))
	}
	return off, nil
}

// Read returns the n bytes at off.
func (s *File) Read(off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	if n == 0 {
		return buf, nil
	}
	if s.f == nil {
		return nil, fmt.Errorf("read spilled record: nothing was spilled")
	}
	if _, err := s.f.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read spilled record from %s: %w", s.f.Name(), err)
	}
	return buf, nil
}

// Reset empties the file for reuse once every record has been read.
func (s *File) Reset() error {
	if s.f == nil {
		return nil
	}
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("truncate %s: %w", s.f.Name(), err)
	}
	s.size = 0
	return nil
}

// Close removes the file; the File can be used again afterwards.
func (s *File) Close() {
	if s.f != nil {
		_ = s.f.Close()
		_ = os.Remove(s.f.Name())
		s.f = nil
	}
	s.size = 0
}

// Name is the file's path ("" before the first Append or after Close).
func (s *File) Name() string {
	if s.f == nil {
		return ""
	}
	return s.f.Name()
}

// Size is how many bytes the records appended since the last Reset take.
func (s *File) Size() int64 { return s.size }
