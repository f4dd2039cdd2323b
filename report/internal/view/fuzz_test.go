package view

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
)

// FuzzParseResource is the report's reading of a finding's resource (rule
// output, or a user rule's): never a panic, and without show the parsed
// resource carries no key text from the ARN.
func FuzzParseResource(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b/hmac:0123456789abcdef0123456789abcdef", "arn:aws:s3:::b/patients/jane-doe.pdf", "arn:aws:s3:::b", "arn:aws:cloudfront::1:distribution/E1", "::::::", "arn:aws:s3:::/"} {
		f.Add(s, findings.ResourceS3Object)
		f.Add(s, findings.ResourceS3Bucket)
	}
	f.Fuzz(func(t *testing.T, arn, typ string) {
		r := ParseResource(findings.Finding{ResourceARN: arn, ResourceType: typ, AccountID: "111111111111"}, false)
		_ = r.URI()
		_ = r.Identity()
		if typ != findings.ResourceS3Object || r.Key != "" {
			if r.Key != "" {
				t.Fatalf("a key was kept without show: %q", r.Key)
			}
			return
		}
		// The key part after the bucket is replaced by its hash in the ARN
		// and the URI (the bucket name itself may be anything).
		_, keyPart, found := strings.Cut(arnResource(arn), "/")
		if !found || keyHashRE.MatchString(keyPart) {
			return
		}
		if want := strings.TrimSuffix(arn, keyPart) + r.KeyHash; r.ARN != want {
			t.Fatalf("ARN %q, want %q (key part %q replaced by its hash)", r.ARN, want, keyPart)
		}
		if !strings.HasSuffix(r.URI(), "/objects/"+hashDigits(r.KeyHash)) {
			t.Fatalf("URI %q does not end with the key hash", r.URI())
		}
	})
}
