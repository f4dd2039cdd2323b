package upload

import (
	"strings"
	"testing"
)

// FuzzParseDestination is --output: whatever the user types, a
// destination it accepts has a valid bucket name, and its s3:// form
// parses back to the same destination.
func FuzzParseDestination(f *testing.F) {
	for _, s := range []string{"s3://reports/hoofprint/", "s3://reports", "s3://b/p", "/tmp/x", "s3://UPPER/", "s3://a..b/", "s3://reports/%2e%2e/", "s3://reports/a?b#c", "s3://reports/%3F%23%25/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDestination(s)
		if err != nil {
			return
		}
		if !bucketName.MatchString(d.Bucket) {
			t.Fatalf("ParseDestination(%q) accepted bucket %q", s, d.Bucket)
		}
		again, err := ParseDestination(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDestination(%q) = %+v, whose form %q parses to %+v, %v", s, d, d.String(), again, err)
		}
		if strings.Contains(d.Prefix, "//") {
			t.Fatalf("ParseDestination(%q) gave prefix %q with an empty segment", s, d.Prefix)
		}
	})
}
