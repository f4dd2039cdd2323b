package rules

import (
	"context"
	"fmt"
	"io"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// RunTests runs Rego tests (rules named test_*) with OPA's test runner and
// writes OPA's report to w. With no dirs it runs the embedded rules' own
// tests. With dirs it runs the tests found there, against the embedded
// modules plus the modules of dirs, so a user's tests can import
// data.hoofprint.lib. It returns the number of tests that passed and that
// failed (errors count as failures); err is set when the modules do not
// parse or compile.
func RunTests(ctx context.Context, dirs []string, w io.Writer, verbose bool) (passed, failed int, err error) {
	srcs, err := embeddedSources(len(dirs) == 0)
	if err != nil {
		return 0, 0, err
	}
	for _, dir := range dirs {
		more, err := dirSources(dir, true)
		if err != nil {
			return 0, 0, err
		}
		srcs = append(srcs, more...)
	}
	modules, err := parseSources(srcs)
	if err != nil {
		return 0, 0, err
	}
	runner := tester.NewRunner().
		SetDefaultRegoVersion(ast.RegoV1).
		SetModules(modules).
		CapturePrintOutput(true)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("run rule tests: %w", err)
	}
	counted := make(chan *tester.Result)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(counted)
		for r := range ch {
			switch {
			case r.Skip:
			case r.Pass():
				passed++
			default:
				failed++
			}
			counted <- r
		}
	}()
	rep := tester.PrettyReporter{Output: w, Verbose: verbose, FailureLine: true}
	repErr := rep.Report(counted)
	<-done
	if repErr != nil {
		return passed, failed, fmt.Errorf("report rule tests: %w", repErr)
	}
	if passed+failed == 0 {
		return 0, 0, fmt.Errorf("run rule tests: no tests found")
	}
	return passed, failed, nil
}
