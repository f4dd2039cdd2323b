package upload

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hoofprint/hoofprint/internal/urlredact"
)

// Destination is where a run's reports go: a bucket and a key prefix
// (without leading or trailing slash; empty means the bucket's root).
type Destination struct {
	Bucket string
	Prefix string
}

// String renders the destination as an s3:// URI with a trailing slash,
// the prefix escaped as a URI path: a prefix with "?", "#" or "%" (a key
// may hold them; --output takes them escaped) reads back as itself.
func (d Destination) String() string {
	path := "/"
	if d.Prefix != "" {
		path = "/" + d.Prefix + "/"
	}
	return (&url.URL{Scheme: "s3", Host: d.Bucket, Path: path}).String()
}

// bucketName is the general purpose bucket naming rule: 3 to 63 characters,
// lowercase letters, digits, dots and hyphens, starting and ending with a
// letter or digit.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ParseDestination parses "s3://bucket/prefix/". The prefix is optional;
// "s3://bucket" and "s3://bucket/" write at the root. The errors start with
// the quoted value and say what is wrong with it; the caller names the flag
// (--output, --plan, --run) the user typed it in.
func ParseDestination(s string) (Destination, error) {
	if s == "" {
		return Destination{}, fmt.Errorf("empty; want s3://BUCKET/PREFIX/")
	}
	// Every error quotes the value without any user:password@ part: the
	// refusal of a password must not print it.
	shown := urlredact.Redact(s)
	u, err := url.Parse(s)
	if err != nil {
		// Not err itself: url.Error quotes the whole value, and its cause
		// can quote a piece of a password that holds a "/" (as a port).
		if shown != s {
			return Destination{}, fmt.Errorf("%q: not a URI like s3://BUCKET/PREFIX/ (no user or password)", shown)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Destination{}, fmt.Errorf("%q: not a URI like s3://BUCKET/PREFIX/: %w", shown, err)
	}
	if u.Scheme != "s3" {
		return Destination{}, fmt.Errorf("%q: scheme must be s3:// (got %q); write local files with --sarif/--asff/--inventory", shown, u.Scheme)
	}
	if u.User != nil || u.Port() != "" || u.RawQuery != "" || u.Fragment != "" {
		return Destination{}, fmt.Errorf("%q: only s3://BUCKET/PREFIX/ is allowed (no user, port, query or fragment)", shown)
	}
	bucket := u.Host
	if err := checkBucketName(bucket); err != nil {
		return Destination{}, fmt.Errorf("%q: %w", shown, err)
	}
	prefix := strings.Trim(u.Path, "/")
	if !utf8.ValidString(prefix) || strings.ContainsFunc(prefix, unicode.IsControl) {
		// S3 lists such keys in XML only URL-encoded, and the prefix is
		// written in logs and the summary: almost surely a typing mistake.
		return Destination{}, fmt.Errorf("%q: the prefix holds a control character or is not UTF-8", shown)
	}
	if prefix != "" {
		for seg := range strings.SplitSeq(prefix, "/") {
			switch seg {
			case "":
				return Destination{}, fmt.Errorf("%q: the prefix has an empty path segment (\"//\")", shown)
			case ".", "..":
				return Destination{}, fmt.Errorf("%q: the prefix may not contain %q segments", shown, seg)
			}
		}
		// S3 object keys are at most 1,024 bytes; leave room for the dated
		// run prefix and the report names.
		if len(prefix) > 900 {
			return Destination{}, fmt.Errorf("%q: the prefix is longer than 900 bytes", shown)
		}
	}
	return Destination{Bucket: bucket, Prefix: prefix}, nil
}

func checkBucketName(b string) error {
	switch {
	case b == "":
		return fmt.Errorf("no bucket name; want s3://BUCKET/PREFIX/")
	case strings.Contains(b, ":") || strings.HasPrefix(b, "arn"):
		return fmt.Errorf("bucket %q: access point and other ARNs are not supported, name the bucket", b)
	case !bucketName.MatchString(b):
		return fmt.Errorf("bucket %q is not a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit)", b)
	case strings.Contains(b, ".."):
		return fmt.Errorf("bucket %q: two adjacent periods are not allowed in a bucket name", b)
	case net.ParseIP(b) != nil:
		return fmt.Errorf("bucket %q: a bucket name may not look like an IP address", b)
	}
	return nil
}
