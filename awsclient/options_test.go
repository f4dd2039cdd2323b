package awsclient

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// TestAssumeRoleParametersAreCheckedBeforeAnyCall: STS refuses an
// ExternalId or RoleSessionName outside its length and character rules
// with a ValidationError, and the SDK does not check them, so a typo in
// --external-id would become one AssumeRole gap per account instead of a
// configuration error ('AssumeRole', AWS STS API Reference).
func TestAssumeRoleParametersAreCheckedBeforeAnyCall(t *testing.T) {
	cases := []struct {
		name      string
		opts      Options
		wantError string
	}{
		{"an external ID with a space is refused", Options{RoleName: "r", ExternalID: "my id"}, "--external-id"},
		{"a one-character external ID is refused", Options{RoleName: "r", ExternalID: "x"}, "--external-id"},
		{"an external ID of 1,225 characters is refused", Options{RoleName: "r", ExternalID: strings.Repeat("a", 1225)}, "--external-id"},
		{"a session name with a slash is refused", Options{RoleName: "r", SessionName: "hoofprint/scan"}, "session name"},
		{"a session name of 65 characters is refused", Options{RoleName: "r", SessionName: strings.Repeat("s", 65)}, "session name"},
		{"an external ID with every allowed punctuation is accepted", Options{RoleName: "r", ExternalID: "Ab_9+=,.@:/-x"}, ""},
		{"an external ID of 1,224 characters is accepted", Options{RoleName: "r", ExternalID: strings.Repeat("a", 1224)}, ""},
		{"a session name of 64 characters is accepted", Options{RoleName: "r", SessionName: strings.Repeat("s", 63) + "@"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			f := &fakeAWS{}
			tc.opts.EndpointURL, tc.opts.Region = "http://127.0.0.1:1", "us-east-1"
			tc.opts.Credentials = credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
			tc.opts.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				calls.Add(1)
				return f.RoundTrip(r)
			})}
			_, err := Load(t.Context(), tc.opts)
			switch {
			case tc.wantError == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.wantError != "" && (err == nil || !strings.Contains(err.Error(), tc.wantError)):
				t.Fatalf("Load: %v, want an error naming %s", err, tc.wantError)
			case tc.wantError != "" && calls.Load() != 0:
				t.Errorf("%d requests sent before the options were refused", calls.Load())
			}
		})
	}
}
