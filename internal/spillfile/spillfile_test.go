package spillfile

import (
	"os"
	"testing"
)

func TestRecordsComeBackByOffsetAndTheFileIsPrivateAndRemoved(t *testing.T) {
	s := New(".spillfile-test-")
	if s.Name() != "" {
		t.Fatalf("a file before the first Append: %s", s.Name())
	}
	a, err := s.Append([]byte("alpha"), []byte("-one"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Append([]byte("beta"))
	if err != nil {
		t.Fatal(err)
	}
	if a != 0 || b != 9 || s.Size() != 13 {
		t.Errorf("offsets %d, %d and size %d; want 0, 9 and 13", a, b, s.Size())
	}
	for _, c := range []struct {
		off, n int64
		want   string
	}{{b, 4, "beta"}, {a, 9, "alpha-one"}, {a + 5, 4, "-one"}, {b, 0, ""}} {
		got, err := s.Read(c.off, c.n)
		if err != nil || string(got) != c.want {
			t.Errorf("Read(%d, %d) = %q, %v; want %q", c.off, c.n, got, err, c.want)
		}
	}
	name := s.Name()
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file %s: %v, %v; want mode 0600 (records hold object keys or their hashes)", name, fi, err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(name); err != nil || fi.Size() != 0 || s.Size() != 0 {
		t.Errorf("after Reset: %v, %v, size %d; want an empty file", fi, err, s.Size())
	}
	if off, err := s.Append([]byte("again")); err != nil || off != 0 {
		t.Errorf("Append after Reset = %d, %v; want offset 0", off, err)
	}
	s.Close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("%s still there after Close: %v", name, err)
	}
	if _, err := s.Read(0, 1); err == nil {
		t.Error("Read after Close succeeded")
	}
}
