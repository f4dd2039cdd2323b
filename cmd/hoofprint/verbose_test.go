package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestVerboseLogsNamesButNeverObjectKeys: --verbose adds a record per
// account and bucket collected, and, like every other log, no object key
// (the demo's keys hold a patient's name).
func TestVerboseLogsNamesButNeverObjectKeys(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", t.TempDir(), "--verbose"}, &so, &se); code != exitOK {
		t.Fatalf("demo --verbose exited %d\n%s", code, se.String())
	}
	log := se.String()
	for _, want := range []string{`level=DEBUG msg="account mapped" account=444444444444`, `level=DEBUG msg="bucket collected" account=444444444444 bucket=healthcorp-prod-site`} {
		if !strings.Contains(log, want) {
			t.Errorf("the verbose log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log+so.String(), "jane-doe") {
		t.Errorf("the verbose log holds an object key")
	}
	se.Reset()
	if code := run(t.Context(), []string{"demo", "--out", t.TempDir(), "-q", "-v"}, &so, &se); code != exitUsage || !strings.Contains(se.String(), "--quiet and --verbose: choose one") {
		t.Errorf("-q -v: exit %d\n%s", code, se.String())
	}
}
