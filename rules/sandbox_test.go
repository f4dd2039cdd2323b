package rules

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// userRule is a user rule whose deny body is body (line 11 onwards).
func userRule(id, body string) string {
	return "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: " + id + "\n#   severity: low\n#   resource_type: AwsS3Bucket\n#   remediation: R\npackage user." + strings.ReplaceAll(id, "-", "_") + "\n\n" + body
}

// A rule may read the inventory it is given and nothing else: every builtin
// that reaches the network, the clock, the runtime or randomness is refused
// at load, with the file and line of the call (issue 10, item 4).
func TestRulesCannotCallNetworkTimeRuntimeOrRandomBuiltins(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	calls := map[string]string{
		"http.send":          `r := http.send({"method": "POST", "url": "` + srv.URL + `", "body": input.buckets})`,
		"net.lookup_ip_addr": `r := net.lookup_ip_addr("169.254.170.2")`,
		"opa.runtime":        `r := opa.runtime()`,
		"time.now_ns":        `r := time.now_ns()`,
		"rand.intn":          `r := rand.intn("x", 10)`,
		"uuid.rfc4122":       `r := uuid.rfc4122("x")`,
	}
	for fn, call := range calls {
		t.Run(fn, func(t *testing.T) {
			dir := t.TempDir()
			writeRule(t, dir, "leak.rego", userRule("user-leak", "deny contains {\"r\": r} if {\n\t"+call+"\n}\n"))
			_, err := Load(t.Context(), Options{Dirs: []string{dir}})
			if err == nil {
				t.Fatalf("a rule calling %s loaded", fn)
			}
			if want := "leak.rego:12: rego_type_error: undefined function " + fn; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q\nwant it to contain %q", err, want)
			}

			// `rules test` compiles with the same capabilities: a test
			// cannot reach out either.
			writeRule(t, dir, "leak_test.rego", "package user.leak_test\n\ntest_call if {\n\t"+call+"\n\tr\n}\n")
			var out bytes.Buffer
			if _, _, err := RunTests(t.Context(), []string{dir}, &out, false); err == nil || !strings.Contains(err.Error(), "undefined function "+fn) {
				t.Fatalf("rules test: err = %v, want undefined function %s\n%s", err, fn, out.String())
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the listener received %d requests", n)
	}
	// Pure helpers with similar names stay available.
	dir := t.TempDir()
	writeRule(t, dir, "pure.rego", userRule("user-pure", "deny contains {\"x\": 1} if {\n\tnet.cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")\n\ttime.parse_rfc3339_ns(\"2026-01-01T00:00:00Z\") > 0\n\tfalse\n}\n"))
	if _, err := Load(t.Context(), Options{Dirs: []string{dir}}); err != nil {
		t.Fatalf("pure builtins refused: %v", err)
	}
	for _, want := range []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "rand.intn", "time.now_ns"} {
		if !contains(DeniedBuiltins(), want) {
			t.Errorf("DeniedBuiltins() = %v, lacks %s", DeniedBuiltins(), want)
		}
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// slowRule runs ~25 million iterations per bucket: far longer than the
// budgets below, and every step is a point where OPA checks cancellation.
const slowRule = "deny contains f if {\n\tsome b in input.buckets\n\tn := count([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)])\n\tn < 0\n\tf := {\"account_id\": b.accountId, \"resource_arn\": b.arn, \"message\": \"never\"}\n}\n"

// A rule that runs too long is stopped by the context; the rules that
// finished keep their findings and the error names the rule that ran out
// of time (issue 10, item 5).
func TestEvaluateStopsAtTheDeadlineAndNamesTheRule(t *testing.T) {
	dir := t.TempDir()
	writeRule(t, dir, "slow.rego", userRule("zz-user-slow", slowRule))
	e, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	fs, err := e.Evaluate(ctx, healthcorpSnapshot())
	elapsed := time.Since(start)
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("err = %v, want a *StoppedError", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if !contains(stopped.Running, "zz-user-slow") {
		t.Errorf("Running = %v, want zz-user-slow", stopped.Running)
	}
	var names []string
	for _, u := range stopped.Unfinished {
		names = append(names, u.RuleID)
	}
	if !contains(names, "zz-user-slow") {
		t.Errorf("Unfinished = %+v, want zz-user-slow", stopped.Unfinished)
	}
	// Global rules sort before zz-user-slow and finished: their findings
	// are returned.
	if len(fs) == 0 {
		t.Errorf("no findings kept from the rules that finished")
	}
	if elapsed > 20*time.Second {
		t.Errorf("Evaluate took %v after a 500ms deadline", elapsed)
	}
	if !strings.Contains(err.Error(), "zz-user-slow") {
		t.Errorf("message %q does not name the rule", err)
	}
}
