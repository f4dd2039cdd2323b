package scanner

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// s3Wire puts fakeBucket's listing through what S3 and the SDK do to keys.
// S3 writes a key holding a character XML 1.0 cannot carry (a control
// character) as a character reference (&#x8;), which the SDK's XML decoder
// refuses for the whole page (aws/aws-sdk-go-v2#1676); with
// EncodingType=url S3 URL-encodes keys and common prefixes instead (form
// encoding, "/" left alone) and echoes EncodingType.
type s3Wire struct{ *fakeBucket }

var errUndecodable = errors.New("deserialization failed, failed to decode response body, XML syntax error: illegal character code")

func (w s3Wire) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out, err := w.fakeBucket.ListObjectsV2(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	encode := in.EncodingType == s3types.EncodingTypeUrl
	wire := func(v *string) (*string, error) {
		k := aws.ToString(v)
		if encode {
			return aws.String(strings.ReplaceAll(url.QueryEscape(k), "%2F", "/")), nil
		}
		if strings.IndexFunc(k, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) >= 0 {
			return nil, errUndecodable
		}
		return v, nil
	}
	if encode {
		out.EncodingType = s3types.EncodingTypeUrl
	}
	for i := range out.Contents {
		if out.Contents[i].Key, err = wire(out.Contents[i].Key); err != nil {
			return nil, err
		}
	}
	for i := range out.CommonPrefixes {
		if out.CommonPrefixes[i].Prefix, err = wire(out.CommonPrefixes[i].Prefix); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestKeysThatNeedURLEncodingAreListedAndTheirACLsRead: a key with a
// control character makes a plain ListObjectsV2 page undecodable by the
// SDK, so the sampler asks for EncodingType=url ("Encoding type used by
// Amazon S3 to encode object keys in the response", ListObjectsV2 API
// reference) and decodes keys and common prefixes before using them.
func TestKeysThatNeedURLEncodingAreListedAndTheirACLsRead(t *testing.T) {
	keys := []string{"index.html", "scans x/a+b c.pdf", "scans x/jane\bdoe.pdf", "tab\x01/q%20r&s=t"}
	sort.Strings(keys)
	f := &fakeBucket{keys: keys}
	cfg := testConfig()
	cfg.showKeys = true
	got, failures := sampleBucket(t.Context(), s3Wire{f}, cfg)
	if len(failures) > 0 {
		t.Fatalf("failures: %+v", failures[0].err)
	}
	if got.KeysListed != len(keys) || !got.ListingComplete || got.ACLsRead != len(keys) {
		t.Errorf("listed %d, complete %v, ACLs read %d; want %d, true, %d", got.KeysListed, got.ListingComplete, got.ACLsRead, len(keys), len(keys))
	}
	var listed []string
	for _, o := range got.Objects {
		listed = append(listed, o.Key)
		// Two keys share "scans x/", whose space would show a name
		// anyway: every prefix here is hashed (inventory.ShowablePrefix).
		wantPrefix := inventory.KeyPrefix(o.Key)
		if wantPrefix != "" {
			wantPrefix = inventory.KeyHasher{}.HashPrefix("records", wantPrefix)
		}
		if o.KeyHash != inventory.HashKey("records", o.Key) || o.KeyPrefix != wantPrefix {
			t.Errorf("%q: hash %s prefix %q", o.Key, o.KeyHash, o.KeyPrefix)
		}
	}
	sort.Strings(listed)
	sort.Strings(f.aclKeys)
	if !slices.Equal(listed, keys) || !slices.Equal(f.aclKeys, keys) {
		t.Errorf("kept %q, ACLs asked for %q; want %q", listed, f.aclKeys, keys)
	}
}
