package scanner

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeKey is the decoding of URL-encoded listed keys and prefixes:
// never a panic, and a key encoded as S3 does (form encoding) comes back
// as it was.
func FuzzDecodeKey(f *testing.F) {
	for _, s := range []string{"index.html", "scans x/a+b c.pdf", "tab\x01/q%20r&s=t", "%", "%zz", "+", "jane\bdoe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		_ = decodeKey(key)
		if !utf8.ValidString(key) {
			return
		}
		if got := decodeKey(url.QueryEscape(key)); got != key {
			t.Fatalf("decodeKey(QueryEscape(%q)) = %q", key, got)
		}
	})
}
