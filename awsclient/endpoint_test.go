package awsclient

import (
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Issue 10 item 11: a plain-http endpoint off loopback would carry signed
// requests and session tokens in clear text.
func TestCheckEndpointRefusesPlainHTTPOffLoopback(t *testing.T) {
	for _, tc := range []struct {
		url   string
		allow bool
		ok    bool
	}{
		{"", false, true},
		{"http://127.0.0.1:5000", false, true},
		{"http://127.8.9.10:5000", false, true},
		{"http://[::1]:5000", false, true},
		{"http://localhost:4566", false, true},
		{"https://s3.internal.example:443", false, true},
		{"http://10.0.0.5:5000", false, false},
		{"http://moto.internal:5000", false, false},
		{"HTTP://192.0.2.1", false, false},
		{"http://localhost.evil.example", false, false},
		{"http://10.0.0.5:5000", true, true},
	} {
		err := CheckEndpoint(tc.url, tc.allow)
		if (err == nil) != tc.ok {
			t.Errorf("CheckEndpoint(%q, %v) = %v, want ok=%v", tc.url, tc.allow, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-insecure-endpoint") {
			t.Errorf("the error does not say how to allow it: %v", err)
		}
	}
}

// TestEndpointURLsAreCheckedWithoutRepeatingAPassword: an endpoint is an
// absolute http or https URL without user information, from the flag or
// from AWS_ENDPOINT_URL, refused before any request; no error repeats the
// password (errors and logs outlive the command line), and an ftp://
// endpoint fails at once instead of after the SDK's retries.
func TestEndpointURLsAreCheckedWithoutRepeatingAPassword(t *testing.T) {
	const secret = "hunter2SECRET"
	cases := []struct {
		name      string
		flag, env string
		allow     bool
		want      string // in the error; "" for none
	}{
		{"user and password, plain http off loopback", "http://u:" + secret + "@10.0.0.1:5000", "", false, "remove the user name and password"},
		{"user and password, with --allow-insecure-endpoint", "http://u:" + secret + "@10.0.0.1:5000", "", true, "remove the user name and password"},
		{"user and password on loopback", "http://u:" + secret + "@127.0.0.1:5000", "", false, "--endpoint-url http://127.0.0.1:5000: remove"},
		{"a token as the user name over https", "https://" + secret + "@s3.internal.example", "", false, "remove the user name and password"},
		{"user and password in a URL that does not parse", "http://u:" + secret + "@10.0.0.1:5000/%zz", "", false, `--endpoint-url "http://xxxxx@10.0.0.1:5000/%zz" is not an absolute URL`},
		{"user and password without a scheme", "u:" + secret + "@10.0.0.1:5000", "", false, "is not an absolute URL"},
		{"user and password in AWS_ENDPOINT_URL", "", "http://u:" + secret + "@10.0.0.1:5000", false, "AWS_ENDPOINT_URL (or endpoint_url in the AWS config profile) http://10.0.0.1:5000: remove"},
		{"a malformed AWS_ENDPOINT_URL", "", "http://u:" + secret + "@10.0.0.1:5000/%zz", false, "AWS_ENDPOINT_URL (or endpoint_url in the AWS config profile) \"http://xxxxx@"},
		{"plain http off loopback in AWS_ENDPOINT_URL", "", "http://10.0.0.1:5000", false, "AWS_ENDPOINT_URL (or endpoint_url in the AWS config profile) http://10.0.0.1:5000 is plain http"},
		{"ftp", "ftp://127.0.0.1:1", "", false, `--endpoint-url ftp://127.0.0.1:1: scheme "ftp": want http or https`},
		{"ftp with --allow-insecure-endpoint", "ftp://127.0.0.1:1", "", true, `scheme "ftp"`},
		{"ftp in AWS_ENDPOINT_URL", "", "ftp://127.0.0.1:1", false, `scheme "ftp"`},
		{"no host", "http://:5000", "", false, "is not an absolute URL"},
		{"http on loopback", "http://127.0.0.1:5000", "", false, ""},
		{"upper-case HTTPS", "HTTPS://s3.internal.example", "", false, ""},
		{"http on loopback in AWS_ENDPOINT_URL", "", "http://127.0.0.1:5000", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tc.env)
			t.Setenv("AWS_CONFIG_FILE", os.DevNull)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
			t.Setenv("AWS_PROFILE", "")
			var calls atomic.Int64
			f := &fakeAWS{}
			_, err := Load(t.Context(), Options{
				EndpointURL: tc.flag, AllowInsecureEndpoint: tc.allow, Region: "us-east-1", MaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
				HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					calls.Add(1)
					return f.RoundTrip(r)
				})},
			})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.want == "":
				return
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Load: %v, want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error repeats the password: %v", err)
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("%d requests sent before the endpoint was refused", n)
			}
		})
	}
}
