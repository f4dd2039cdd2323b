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
		_, keyPart, _ := strings.Cut(arnResource(arn), "/")
		if len(keyPart) > 8 && !keyHashRE.MatchString(keyPart) && (strings.Contains(r.URI(), keyPart) || strings.Contains(r.ARN, keyPart)) {
			t.Fatalf("the key %q shows in %q / %q", keyPart, r.URI(), r.ARN)
		}
	})
}
