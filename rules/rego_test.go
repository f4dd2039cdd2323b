package rules

import (
	"bytes"
	"testing"
)

// TestRegoRules runs every embedded _test.rego through OPA's test runner,
// so that a broken rule fails `go test`.
func TestRegoRules(t *testing.T) {
	var out bytes.Buffer
	passed, failed, err := RunTests(t.Context(), nil, &out, true)
	if err != nil {
		t.Fatalf("RunTests: %v\n%s", err, out.String())
	}
	if failed > 0 || passed == 0 {
		t.Fatalf("Rego tests: %d passed, %d failed\n%s", passed, failed, out.String())
	}
	t.Logf("Rego tests: %d passed", passed)
}
