package emulator

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type authHeader struct {
	present       bool
	accessKey     string
	date          string
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex" ("Authenticating
// Requests: Using the Authorization Header (AWS Signature Version 4)",
// Amazon S3 API Reference).
func parseAuthorization(r *http.Request) (authHeader, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return authHeader{}, nil
	}
	a := authHeader{present: true}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return a, errors.New("only AWS4-HMAC-SHA256 signatures are accepted")
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, fmt.Errorf("malformed credential scope %q", v)
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKey == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return a, errors.New("the Authorization header lacks Credential, SignedHeaders or Signature")
	}
	return a, nil
}

// authenticate finds the access key and recomputes the signature with the
// SDK's own v4 signer over the headers the client signed.
func (e *Emulator) authenticate(c *call, a authHeader) *apiError {
	e.st.mu.RLock()
	cred := e.st.keys[a.accessKey]
	e.st.mu.RUnlock()
	if cred == nil {
		return c.unknownKey()
	}
	if !cred.Expires.IsZero() && time.Now().After(cred.Expires) {
		return apiErr(400, "ExpiredToken", "The security token included in the request is expired")
	}
	if cred.Token != "" && c.r.Header.Get("X-Amz-Security-Token") != cred.Token {
		return c.unknownKey()
	}
	signingTime, err := time.Parse("20060102T150405Z", c.r.Header.Get("X-Amz-Date"))
	if err != nil {
		return apiErr(400, "IncompleteSignature", "missing or malformed X-Amz-Date")
	}
	payloadHash := c.r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		sum := sha256.Sum256(c.body)
		payloadHash = hex.EncodeToString(sum[:])
	} else if len(payloadHash) == 64 {
		sum := sha256.Sum256(c.body)
		if hex.EncodeToString(sum[:]) != payloadHash {
			return apiErr(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	u := *c.r.URL
	u.Scheme, u.Host = "http", c.r.Host
	req, _ := http.NewRequest(c.r.Method, u.String(), nil)
	req.Host = c.r.Host
	for _, h := range a.signedHeaders {
		switch h {
		case "host", "x-amz-date", "x-amz-security-token":
		case "content-length":
			req.ContentLength = c.r.ContentLength
		default:
			if vals := c.r.Header.Values(h); len(vals) > 0 {
				req.Header[http.CanonicalHeaderKey(h)] = vals
			}
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		// S3 signs the path as sent, without escaping it a second time
		// (the SDK's S3 client sets the same option).
		o.DisableURIPathEscaping = a.service == "s3"
	})
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.Secret, SessionToken: cred.Token}
	if err := signer.SignHTTP(c.r.Context(), creds, req, payloadHash, a.service, a.region, signingTime); err != nil {
		return apiErr(500, "InternalError", "could not recompute the signature")
	}
	got, _ := parseAuthorization(req)
	if got.signature != a.signature {
		return c.badSignature()
	}
	c.caller = cred
	return nil
}

// decodeChunked removes aws-chunked framing from a streaming S3 upload
// ("Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks", Amazon S3 API Reference). Chunk signatures
// are not verified; trailing checksums are dropped.
func (c *call) decodeChunked() error {
	sha := c.r.Header.Get("X-Amz-Content-Sha256")
	if !strings.HasPrefix(sha, "STREAMING-") && !strings.Contains(c.r.Header.Get("Content-Encoding"), "aws-chunked") {
		return nil
	}
	br := bufio.NewReader(bytes.NewReader(c.body))
	var out bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("aws-chunked body: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return fmt.Errorf("aws-chunked body: chunk size %q", sizeHex)
		}
		if n == 0 {
			break
		}
		if _, err := io.CopyN(&out, br, n); err != nil {
			return fmt.Errorf("aws-chunked body: %w", err)
		}
		if _, err := br.ReadString('\n'); err != nil {
			return fmt.Errorf("aws-chunked body: %w", err)
		}
	}
	c.body = out.Bytes()
	return nil
}
