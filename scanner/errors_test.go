package scanner

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		name                               string
		err                                error
		denied, missing, throttle, stopped bool
		code                               string
	}{
		{"AccessDenied is access denied", apiErr("AccessDenied", 403), true, false, false, false, "AccessDenied"},
		{"Organizations' AccessDeniedException is access denied", apiErr("AccessDeniedException", 400), true, false, false, false, "AccessDeniedException"},
		{"a bodiless 403 from HeadBucket is access denied", apiErr("Forbidden", 403), true, false, false, false, "Forbidden"},
		{"a 404 NotFound from HeadBucket is a missing bucket", apiErr("NotFound", 404), false, true, false, false, "NotFound"},
		{"NoSuchBucket is a missing bucket", apiErr("NoSuchBucket", 404), false, true, false, false, "NoSuchBucket"},
		{"SlowDown is a throttle", apiErr("SlowDown", 503), false, false, true, false, "SlowDown"},
		{"ThrottlingException is a throttle", apiErr("ThrottlingException", 400), false, false, true, false, "ThrottlingException"},
		{"TooManyRequestsException is a throttle", apiErr("TooManyRequestsException", 429), false, false, true, false, "TooManyRequestsException"},
		{"a wrapped cancellation is the scan stopping", fmt.Errorf("account 1: %w", context.Canceled), false, false, false, true, "canceled"},
		{"a deadline is a timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), false, false, false, true, "timeout"},
		{"a plain error has no AWS code", errors.New("boom"), false, false, false, false, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isAccessDenied(tt.err); got != tt.denied {
				t.Errorf("isAccessDenied = %v", got)
			}
			if got := isBucketMissing(tt.err); got != tt.missing {
				t.Errorf("isBucketMissing = %v", got)
			}
			if got := isThrottle(tt.err); got != tt.throttle {
				t.Errorf("isThrottle = %v", got)
			}
			if got := isStopped(tt.err); got != tt.stopped {
				t.Errorf("isStopped = %v", got)
			}
			if got := gapCode(tt.err); got != tt.code {
				t.Errorf("gapCode = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestNotFoundConfigurationsAreAnswersNotGaps(t *testing.T) {
	if !isNoBucketPolicy(apiErr("NoSuchBucketPolicy", 404)) || isNoBucketPolicy(apiErr("AccessDenied", 403)) {
		t.Error("isNoBucketPolicy")
	}
	if !isNoPublicAccessBlock(apiErr("NoSuchPublicAccessBlockConfiguration", 404)) || isNoPublicAccessBlock(apiErr("NoSuchBucket", 404)) {
		t.Error("isNoPublicAccessBlock")
	}
	if !isNoOwnershipControls(apiErr("OwnershipControlsNotFoundError", 404)) {
		t.Error("isNoOwnershipControls")
	}
	if !isNotInOrganization(apiErr("AWSOrganizationsNotInUseException", 400)) || isNotInOrganization(apiErr("AccessDeniedException", 400)) {
		t.Error("isNotInOrganization")
	}
}

func TestSafeMessageNeverQuotesTheRequestURL(t *testing.T) {
	// net/http reports transport failures with the whole URL, which for
	// object calls holds the key (possibly a patient's name).
	err := fmt.Errorf("operation error S3: GetObjectAcl: %w", &url.Error{
		Op: "Get", URL: "https://b.s3.amazonaws.com/patients/jane-doe-1970.pdf?acl", Err: errors.New("connection reset by peer"),
	})
	msg := safeMessage(err)
	if strings.Contains(msg, "jane") || strings.Contains(msg, "patients") {
		t.Errorf("message %q quotes the key", msg)
	}
	if !strings.Contains(msg, "connection reset") {
		t.Errorf("message %q lost the cause", msg)
	}
	if got := safeMessage(apiErr("AccessDenied", 403)); got != "AccessDenied message" {
		t.Errorf("AWS message = %q", got)
	}
}
