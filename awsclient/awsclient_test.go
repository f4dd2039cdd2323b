package awsclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// fakeAWS answers STS GetCallerIdentity, and answers S3 with SlowDown the
// first throttles times.
type fakeAWS struct {
	throttles int64
	s3Calls   atomic.Int64
}

func (f *fakeAWS) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	respond := func(status int, body string) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
	}
	if req.Method == http.MethodPost && req.URL.Path == "/" {
		return respond(200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/scanner</Arn><UserId>AIDA</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}
	if n := f.s3Calls.Add(1); n <= f.throttles {
		return respond(503, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	}
	return respond(200, `<ListAllMyBucketsResult><Owner><ID>abc</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>`)
}

func loadFake(t *testing.T, f *fakeAWS) *Base {
	t.Helper()
	b, err := Load(t.Context(), Options{
		EndpointURL: "http://127.0.0.1:1", Region: "us-east-1", MaxAttempts: 5,
		HTTPClient:  &http.Client{Transport: f},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestThrottlingCodesAreRetried(t *testing.T) {
	b := loadFake(t, &fakeAWS{})
	r := b.Config.Retryer()
	for _, code := range []string{"SlowDown", "ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"} {
		t.Run(code+" is retried", func(t *testing.T) {
			if !r.IsErrorRetryable(apiError(code)) {
				t.Errorf("%s is not retryable", code)
			}
		})
	}
}

func TestASlowDownAnswerIsRetriedThroughTheLimiter(t *testing.T) {
	f := &fakeAWS{throttles: 2}
	b := loadFake(t, f)
	before := b.Limiter.Requests()
	_, err := s3.NewFromConfig(b.Config, b.S3Options(), func(o *s3.Options) {
		// Keep the test fast: the backoff itself is the SDK's business.
		o.Retryer = retryNoDelay{o.Retryer}
	}).ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets after two SlowDowns: %v", err)
	}
	if got := b.Limiter.Requests() - before; got != 3 {
		t.Errorf("%d attempts went through the limiter, want 3 (two throttled, one answered)", got)
	}
}

type retryNoDelay struct{ aws.Retryer }

func (retryNoDelay) RetryDelay(int, error) (time.Duration, error) { return 0, nil }

func TestLoadHonoursACustomCABundle(t *testing.T) {
	// The SDK refuses a custom CA bundle (AWS_CA_BUNDLE) with an HTTP
	// client it cannot configure; Load must keep working with one.
	t.Setenv("AWS_CA_BUNDLE", writeTestCA(t))
	f := &fakeAWS{}
	b := loadFake(t, f)
	if b.Caller.AccountID != "123456789012" || b.Caller.Partition != "aws" {
		t.Errorf("caller %+v", b.Caller)
	}
	if _, ok := b.Config.HTTPClient.(*http.Client).Transport.(*Limiter); !ok {
		t.Errorf("the HTTP client is not under the limiter")
	}
}

func writeTestCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func apiError(code string) error { return &smithy.GenericAPIError{Code: code} }

func TestAWSEndpointURLIsTreatedLikeTheFlag(t *testing.T) {
	// AWS_ENDPOINT_URL sends every service to one endpoint; S3 must then be
	// addressed path-style, as with --endpoint-url, or the bucket name would
	// become a host name the emulator cannot answer.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	var paths []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Path != "/" {
			paths = append(paths, req.URL.Host+req.URL.Path)
		}
		return (&fakeAWS{}).RoundTrip(req)
	})
	b, err := Load(t.Context(), Options{
		Region: "us-east-1", HTTPClient: &http.Client{Transport: rt},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Options.EndpointURL != "http://127.0.0.1:1" {
		t.Errorf("EndpointURL = %q, want the environment's", b.Options.EndpointURL)
	}
	_, err = s3.NewFromConfig(b.Config, b.S3Options()).GetBucketAcl(t.Context(), &s3.GetBucketAclInput{Bucket: aws.String("my-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != "127.0.0.1:1/my-bucket" {
		t.Errorf("S3 request went to %v, want path-style 127.0.0.1:1/my-bucket", paths)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCallerIdentityErrorSaysWhichWayItFailed: credentials are there by the
// time STS is asked, so "are credentials configured?" misleads; a refusal
// and no answer at all need different fixes.
func TestCallerIdentityErrorSaysWhichWayItFailed(t *testing.T) {
	refused := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		body := `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`
		return &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"text/xml"}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
	})
	unreachable := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	})
	for _, tc := range []struct {
		name string
		rt   http.RoundTripper
		want string
	}{
		{"refused", refused, "STS refused the credentials"},
		{"unreachable", unreachable, "could not reach STS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(t.Context(), Options{
				EndpointURL: "http://127.0.0.1:1", Region: "us-east-1", MaxAttempts: 1,
				HTTPClient:  &http.Client{Transport: tc.rt},
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
