package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestScanReadsTheExternalIdFromTheEnvironment: the scanner stack passes
// the ExternalId as HOOFPRINT_EXTERNAL_ID (from Secrets Manager), not on
// the command line. awsclient.Load checks its form before any call, so an
// invalid one in the environment proves it was read.
func TestScanReadsTheExternalIdFromTheEnvironment(t *testing.T) {
	t.Setenv(externalIDEnv, "not valid: spaces")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", "http://127.0.0.1:1", "-q"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--external-id must be") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming --external-id", code, stderr.String())
	}
}
