package awsclient

import (
	"strings"
	"testing"
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
