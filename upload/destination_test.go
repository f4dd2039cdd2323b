package upload

import (
	"os"
	"strings"
	"testing"
	"time"
)

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

func TestParseDestination(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Destination
		wantErr string
	}{
		{"a bucket and prefix with a trailing slash parse", "s3://reports/hoofprint/", Destination{"reports", "hoofprint"}, ""},
		{"a nested prefix keeps its inner slashes", "s3://my.reports-1/a/b/c", Destination{"my.reports-1", "a/b/c"}, ""},
		{"a bare bucket writes at the root", "s3://reports", Destination{"reports", ""}, ""},
		{"a bucket with a trailing slash writes at the root", "s3://reports/", Destination{"reports", ""}, ""},
		{"an empty flag says what is expected", "", Destination{}, "want s3://BUCKET/PREFIX/"},
		{"a local path is refused and points to the file flags", "/tmp/reports", Destination{}, "scheme must be s3://"},
		{"an https URL is refused", "https://reports.s3.amazonaws.com/x", Destination{}, "scheme must be s3://"},
		{"a missing bucket is refused", "s3:///prefix", Destination{}, "no bucket name"},
		{"an upper-case bucket is refused", "s3://Reports/x", Destination{}, "not a valid S3 bucket name"},
		{"a too-short bucket is refused", "s3://ab/x", Destination{}, "not a valid S3 bucket name"},
		{"a bucket with adjacent periods is refused", "s3://a..b/x", Destination{}, "two adjacent periods"},
		{"a bucket shaped like an IP address is refused", "s3://192.168.5.4/x", Destination{}, "IP address"},
		{"a port is refused", "s3://reports:443/x", Destination{}, "no user, port"},
		{"a query is refused", "s3://reports/x?versionId=1", Destination{}, "no user, port, query"},
		{"an empty path segment is refused", "s3://reports/a//b/", Destination{}, "empty path segment"},
		{"a dot-dot segment is refused", "s3://reports/a/../b", Destination{}, `".." segments`},
		{"an escaped control character in the prefix is refused", "s3://reports/%00/", Destination{}, "control character"},
		{"an escaped newline in the prefix is refused", "s3://reports/a%0Ab/", Destination{}, "control character"},
		{"an escaped invalid UTF-8 byte in the prefix is refused", "s3://reports/%FF/", Destination{}, "not UTF-8"},
		{"escaped ? # and % stay in the prefix and round-trip", "s3://reports/a%3Fb%23c%25d/", Destination{"reports", "a?b#c%d"}, ""},
		{"a space in the prefix round-trips", "s3://reports/night%20runs/", Destination{"reports", "night runs"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDestination(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseDestination(%q) error %v, want it to mention %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("ParseDestination(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if round, err := ParseDestination(got.String()); err != nil || round != got {
				t.Errorf("String() %q does not parse back: %+v %v", got.String(), round, err)
			}
		})
	}
}

func TestRunPrefixIsDatedInUTC(t *testing.T) {
	// 23:30 in New York on the 26th is the 27th in UTC.
	ny := time.FixedZone("EST", -5*3600)
	got := RunPrefix(Destination{Bucket: "b", Prefix: "nightly"}, time.Date(2026, 11, 26, 23, 30, 0, 0, ny), "r1")
	if got != "nightly/2026/11/27/r1/" {
		t.Errorf("RunPrefix = %q", got)
	}
	if got := RunPrefix(Destination{Bucket: "b"}, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "r"); got != "2026/01/02/r/" {
		t.Errorf("RunPrefix at root = %q", got)
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"hoofprint.sarif":   "application/sarif+json",
		"asff.json":         "application/json",
		"inventory.json.gz": "application/gzip",
		"summary.txt":       "text/plain; charset=utf-8",
		"blob":              "application/octet-stream",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
}
