package rules

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// RunTests runs Rego tests (rules named test_*) with OPA's test runner and
// writes OPA's report to w. With no dirs it runs the embedded rules' own
// tests. With dirs it runs the tests found there, against the embedded
// modules plus the modules of dirs, so a user's tests can import
// data.hoofprint.lib. A package declared in dirs replaces the embedded
// package of the same path: a user who copied a built-in rule to tweak it
// and kept its package tests the copy on its own, and `rules test
// rules/policies` tests the files on disk. It returns the number of tests
// that passed and that failed (errors count as failures); err is set when
// the modules do not parse or compile, or when two files in dirs both
// carry the package METADATA of one package.
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
	shadowEmbedded(modules)
	if err := checkPackageAnnotations(srcs, modules); err != nil {
		return 0, 0, err
	}
	// Every check Load makes (METADATA, ID clashes with the built-in rules
	// left after shadowing, the input schema's types), before any test
	// runs: a rule that passes its tests must also load, and a typo such
	// as input.bukets gets its file and line rather than a bare FAIL.
	if _, _, err := checkRuleModules(srcs, modules); err != nil {
		return 0, 0, err
	}
	if _, err := typeCheck(modules); err != nil {
		return 0, 0, err
	}
	// Tests compile with the same capabilities as Load: a rule that passes
	// its tests must also load.
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().
			WithCapabilities(capabilities()).
			WithEnablePrintStatements(true).
			WithDefaultRegoVersion(ast.RegoV1)).
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

// shadowEmbedded removes the embedded modules whose package a user module
// also declares. Without this, a user's copy of a built-in rule (or of the
// library) would meet the original and OPA would fail with "package
// annotation redeclared", naming neither what clashed nor what to do.
func shadowEmbedded(modules map[string]*ast.Module) {
	user := map[string]bool{}
	for name, m := range modules {
		if !strings.HasPrefix(name, embeddedPrefix) {
			user[m.Package.Path.String()] = true
		}
	}
	for name, m := range modules {
		if strings.HasPrefix(name, embeddedPrefix) && user[m.Package.Path.String()] {
			delete(modules, name)
		}
	}
}

// checkPackageAnnotations fails, naming both files, when two modules of one
// package each carry package-scoped METADATA (OPA rejects that with
// "package annotation redeclared" and no file of the first). It looks at
// srcs in order, so the error names the later file.
func checkPackageAnnotations(srcs []source, modules map[string]*ast.Module) error {
	seen := map[string]string{} // package path → file with its METADATA
	for _, s := range srcs {
		m, ok := modules[s.name]
		if !ok {
			continue
		}
		a := packageAnnotation(m)
		if a == nil {
			continue
		}
		pkg := m.Package.Path.String()
		if prev, ok := seen[pkg]; ok {
			return metadataError(a, s.name,
				"package %s already has its METADATA in %s; a package holds one rule: give one of the two files its own package (and, for a rule, its own custom.id), or leave one of the directories out",
				strings.TrimPrefix(pkg, "data."), prev)
		}
		seen[pkg] = s.name
	}
	return nil
}
