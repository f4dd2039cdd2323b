package emulator

import (
	"net/http"
	"testing"
)

// FuzzParseAuthorization is the emulator's reading of a SigV4
// Authorization header: never a panic; an accepted header names a key, a
// signature and the headers signed.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef")
	f.Add("AWS4-HMAC-SHA256 Credential=/,SignedHeaders=,Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x, Credential=c")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		r.Header.Set("Authorization", h)
		a, err := parseAuthorization(r)
		if err != nil || !a.present {
			return
		}
		if a.accessKey == "" || a.signature == "" || len(a.signedHeaders) == 0 {
			t.Fatalf("accepted %q as %+v", h, a)
		}
	})
}

// FuzzDecodeChunked is the aws-chunked body decoder of streaming uploads:
// never a panic or a loop, and the decoded body is never longer than the
// framed one.
func FuzzDecodeChunked(f *testing.F) {
	f.Add([]byte("5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n"))
	f.Add([]byte("ffffffffffffffff\r\nx\r\n"))
	f.Add([]byte("-1\r\n\r\n"))
	f.Add([]byte("3\r\nab"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1/b/k", nil)
		r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
		c := &call{r: r, body: append([]byte(nil), body...)}
		if err := c.decodeChunked(); err != nil {
			return
		}
		if len(c.body) > len(body) {
			t.Fatalf("decoded %d bytes from a %d-byte body", len(c.body), len(body))
		}
	})
}
