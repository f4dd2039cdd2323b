// Package rules evaluates hoofprint's Rego rules over an inventory snapshot
// and turns what they deny into findings.
//
// Rules are Rego v1 modules, one control per file, each with a
// package-scoped METADATA block whose custom section carries the rule's
// stable ID, severity, HIPAA references and remediation. The embedded rule
// pack lives in policies/; users add their own with Options.Dirs
// (`--rules DIR`). Every rule module defines a set `deny` of objects
//
//	{account_id, region, resource_type, resource_arn, resource_name, message, evidence}
//
// and reads `input`, which has the JSON shape of inventory.Snapshot.
//
// # Evaluation scopes
//
// Sampled objects are the bulk of a large organization's inventory, and
// bucket configurations grow with the organization too, so each rule is
// evaluated on the least input that gives it the whole-snapshot answer
// (custom.sampled and custom.scope say which; rules/README.md "Evaluation
// scopes"):
//
//   - sampled: true: once per bucket that has sampled objects, in
//     parallel. The input holds that bucket (with its objects), its
//     account, every distribution with an origin naming the bucket
//     (whatever its account), the OAIs and OACs those use, and the
//     canonicalIds entries for every owner and grantee in view. Such a rule
//     must report on objects of input.buckets only.
//   - scope: bucket: once per bucket, objects or not, on the same kind of
//     input with objects.objects removed, plus the trails that could log
//     the bucket (its account's and organization trails).
//   - scope: origins: once, on the organization map (accounts,
//     distributions, OAIs, OACs, trails, canonical IDs) plus only the
//     buckets some distribution names as an origin, objects removed. The
//     built-in origins rules, which judge one distribution or one account
//     at a time, run on that input part by part (originparts.go).
//   - scope: organization (the default): once, on the whole snapshot with
//     each bucket's objects.objects removed (its counters stay).
//
// A streaming evaluation keeps only the origin buckets' configurations
// for the end, unless an organization rule is loaded (BucketEvaluator.Keep).
package rules

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

//go:embed policies
var embeddedPolicies embed.FS

// embeddedRoot is the directory of embeddedPolicies that holds the modules.
const embeddedRoot = "policies"

// embeddedPrefix marks a module's file name as coming from the binary.
const embeddedPrefix = "embedded:"

// Options configure Load.
type Options struct {
	// Dirs are directories of user rules (`--rules DIR`), read recursively.
	// Files ending in _test.rego are tests and are not loaded as rules.
	Dirs []string
	// Profile selects the built-in rules that run: incident, hipaa or all
	// (see Profiles). "" runs every rule. User rules always run.
	Profile string
}

// Engine holds the compiled rules and the prepared queries that evaluate
// them. It is safe for concurrent use.
type Engine struct {
	rules   []findings.Rule
	sampled scope // sampled: true, per bucket with objects
	bucket  scope // scope: bucket, per bucket
	origins scope // scope: origins, user rules: at the end on the map and origin buckets
	parted  scope // scope: origins, built-in rules: the same, part by part (originParts)
	global  scope // scope: organization, at the end on the whole snapshot
}

// scope is the rules of one evaluation scope, each with its own prepared
// query. One query per rule (rather than one for the scope) lets an
// evaluation that is stopped keep the rules that finished and name the one
// that was running.
type scope struct {
	rules   []findings.Rule
	queries []*rego.PreparedEvalQuery
}

// source is a Rego file to parse.
type source struct {
	name string // file name used in errors: "embedded:policies/…" or a path
	text string
}

// Load parses, checks and compiles the embedded rules and the rules in
// opts.Dirs, and prepares the queries that evaluate them. A syntax error,
// a compile error or malformed METADATA fails with the file and line.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Profile != "" && !slices.Contains(Profiles, opts.Profile) {
		return nil, fmt.Errorf("unknown rule profile %q (want %s)", opts.Profile, strings.Join(Profiles, ", "))
	}
	srcs, err := embeddedSources(false)
	if err != nil {
		return nil, err
	}
	for _, dir := range opts.Dirs {
		more, err := dirSources(dir, false)
		if err != nil {
			return nil, err
		}
		// A wrong path in a CI job must not run the built-in rules alone
		// and look like a pass.
		if len(more) == 0 {
			return nil, fmt.Errorf("--rules %s holds no .rego file (tests, *_test.rego, are not rules)", dir)
		}
		srcs = append(srcs, more...)
	}
	modules, err := parseSources(srcs)
	if err != nil {
		return nil, err
	}

	all, pkgs, err := checkRuleModules(srcs, modules)
	if err != nil {
		return nil, err
	}
	all = inProfile(all, opts.Profile)
	compiler, err := typeCheck(modules)
	if err != nil {
		return nil, err
	}

	e := &Engine{rules: all}
	for _, r := range all {
		s := e.scopeOf(r)
		s.rules = append(s.rules, r)
	}
	for _, s := range []*scope{&e.sampled, &e.bucket, &e.origins, &e.parted, &e.global} {
		if err := s.prepare(ctx, compiler, pkgs); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// checkRuleModules applies the load-time checks on rule METADATA to the
// modules of srcs (those still in modules): a deny rule needs package
// METADATA with a valid custom.id and severity; IDs and packages are
// unique; a user library may not reuse a built-in package. It returns the
// rules sorted by ID and each rule's package path. Load and RunTests share
// it, so a rule that passes `rules test` also loads.
func checkRuleModules(srcs []source, modules map[string]*ast.Module) ([]findings.Rule, map[string]string, error) {
	var all []findings.Rule
	pkgs := map[string]string{} // rule ID → package path
	byID := map[string]string{} // rule ID → source
	byPkg := map[string]string{}
	builtin := map[string]string{} // package path → embedded file
	for _, src := range srcs {
		if m, ok := modules[src.name]; ok && strings.HasPrefix(src.name, embeddedPrefix) {
			builtin[m.Package.Path.String()] = src.name
		}
	}
	// Embedded modules come first, so that a user rule reusing an embedded
	// ID is the one reported.
	for _, src := range srcs {
		name := src.name
		m, ok := modules[name]
		if !ok || strings.HasSuffix(name, "_test.rego") {
			continue // replaced by a user package (rules test DIR), or a test
		}
		a := packageAnnotation(m)
		hasDeny := definesDeny(m)
		if a == nil || a.Custom == nil || a.Custom["id"] == nil {
			if hasDeny {
				return nil, nil, fmt.Errorf("%s:%d: bad rule metadata: package %s defines deny but has no package-scoped METADATA with custom.id",
					name, m.Package.Location.Row, m.Package.Path)
			}
			// A library module. One in a user directory that reuses a
			// built-in package (a copy of policies/lib, say) would
			// otherwise fail to compile with OPA's bare "package
			// annotation redeclared".
			if prev, ok := builtin[m.Package.Path.String()]; ok && !strings.HasPrefix(name, embeddedPrefix) {
				return nil, nil, fmt.Errorf("%s:%d: package %s is a built-in package (%s): --rules adds to the built-in rules and cannot replace them; give your module its own package (user rules can import data.hoofprint.lib as it is)",
					name, m.Package.Location.Row, m.Package.Path, prev)
			}
			continue
		}
		r, err := ruleFromAnnotations(a, name)
		if err != nil {
			return nil, nil, err
		}
		if !hasDeny {
			return nil, nil, metadataError(a, name, "rule %s: package %s does not define deny", r.ID, m.Package.Path)
		}
		if prev, ok := byID[r.ID]; ok {
			return nil, nil, metadataError(a, name, "rule ID %s is already defined in %s", r.ID, prev)
		}
		pkg := m.Package.Path.String()
		if prev, ok := byPkg[pkg]; ok {
			return nil, nil, metadataError(a, name, "rule %s: package %s is already used by %s (one rule per package)", r.ID, pkg, prev)
		}
		byID[r.ID], byPkg[pkg], pkgs[r.ID] = name, name, pkg
		all = append(all, r)
	}
	if len(all) == 0 {
		return nil, nil, errors.New("load rules: no rules found")
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })

	return all, pkgs, nil
}

// typeCheck compiles the modules with the inventory's input schema, so the
// type checker rejects references to fields the inventory does not have
// (input.bukets would otherwise never fire), with the file and line. Test
// modules are left out: their mocked inputs (`with input as`) need not be
// whole inventories.
func typeCheck(modules map[string]*ast.Module) (*ast.Compiler, error) {
	rulesOnly := make(map[string]*ast.Module, len(modules))
	for name, m := range modules {
		if !strings.HasSuffix(name, "_test.rego") {
			rulesOnly[name] = m
		}
	}
	compiler := ast.NewCompiler().WithSchemas(inputSchemaSet()).WithCapabilities(capabilities())
	compiler.Compile(rulesOnly)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile rules: %w", compiler.Errors)
	}
	return compiler, nil
}

// prepare builds and prepares the query `x = data.pkg.deny` for each rule.
func (s *scope) prepare(ctx context.Context, c *ast.Compiler, pkgs map[string]string) error {
	for _, r := range s.rules {
		body, err := ast.ParseBodyWithOpts("x = "+pkgs[r.ID]+".deny", ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return fmt.Errorf("build query for rule %s: %w", r.ID, err)
		}
		pq, err := rego.New(rego.ParsedQuery(body), rego.Compiler(c)).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare query for rule %s: %w", r.ID, err)
		}
		s.queries = append(s.queries, &pq)
	}
	return nil
}

// definesDeny reports whether a module defines a rule named deny.
func definesDeny(m *ast.Module) bool {
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		if len(ref) > 0 && ref[0].Value.Compare(ast.Var("deny")) == 0 {
			return true
		}
	}
	return false
}

// scopeOf is the scope a rule is evaluated in.
func (e *Engine) scopeOf(r findings.Rule) *scope {
	switch {
	case r.Sampled:
		return &e.sampled
	case r.Scope == findings.ScopeBucket:
		return &e.bucket
	case r.Scope == findings.ScopeOrigins && strings.HasPrefix(r.Source, embeddedPrefix):
		return &e.parted
	case r.Scope == findings.ScopeOrigins:
		return &e.origins
	default:
		return &e.global
	}
}

// Rules returns the metadata of every loaded rule, sorted by ID.
func (e *Engine) Rules() []findings.Rule {
	return append([]findings.Rule(nil), e.rules...)
}

// Evaluate runs every rule over the snapshot and returns the findings
// sorted with findings.SortFindings. It gives exactly what a streaming
// evaluation gives (pipeline.Stream): BucketEvaluator.Evaluate on each
// bucket as it is collected, then BucketEvaluator.EvaluateOrganization on
// the map and the bucket configurations Keep asked for; and that is what
// EvaluateWhole gives.
//
// Evaluation honours ctx: OPA checks for cancellation as it evaluates, so a
// rule that runs too long (a huge comprehension in a user rule) stops when
// ctx is cancelled or its deadline passes. Evaluate then returns the
// findings of every rule that finished on every input it finished, and a
// *StoppedError naming the rules that were running and what was left.
func (e *Engine) Evaluate(ctx context.Context, inv *inventory.Snapshot) ([]findings.Finding, error) {
	if inv == nil {
		return nil, errors.New("evaluate rules: no inventory")
	}
	be, err := e.ForMap(inv)
	if err != nil {
		return nil, err
	}
	out, err := be.EvaluateOrganization(ctx, inv)
	if err != nil {
		return nil, err
	}
	if be.ix != nil {
		fs, err := be.evalBuckets(ctx, inv)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	findings.SortFindings(out)
	if err := be.Stopped(ctx); err != nil {
		return out, err
	}
	return out, nil
}

// EvaluateWhole evaluates every rule once on the whole snapshot: the
// sampled rules on it with every object, the others on it with each
// bucket's objects.objects removed. It is what Evaluate and a streaming
// evaluation, which cut the snapshot by scope, must give exactly, and tests
// use it as their reference. It converts the whole snapshot into one OPA
// value, so it is not for large organizations; being stopped is an error.
func (e *Engine) EvaluateWhole(ctx context.Context, inv *inventory.Snapshot) ([]findings.Finding, error) {
	if inv == nil {
		return nil, errors.New("evaluate rules: no inventory")
	}
	var out []findings.Finding
	if len(e.sampled.rules) > 0 {
		whole, err := newConverter().value(inv)
		if err != nil {
			return nil, fmt.Errorf("convert inventory for rules: %w", err)
		}
		if out, err = e.sampled.eval(ctx, whole, "the whole snapshot"); err != nil {
			return nil, err
		}
	}
	in, err := globalInput(inv, nil)
	if err != nil {
		return nil, err
	}
	for _, s := range []*scope{&e.bucket, &e.origins, &e.parted, &e.global} {
		fs, err := s.eval(ctx, in, "the whole snapshot")
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	findings.SortFindings(out)
	return out, nil
}

// BucketEvaluator evaluates the rules of one organization map: the sampled
// and bucket-scope rules one bucket at a time (Evaluate, safe for
// concurrent use), then the origins- and organization-scope rules once
// (EvaluateOrganization) on the buckets Keep asked for. It records what a
// cancelled context kept from finishing (Stopped).
type BucketEvaluator struct {
	e  *Engine
	ix *index
	// origins are the names of the buckets distributions name as origins.
	origins map[string]bool
	// partAccounts is the size of a part of the origins input (originParts).
	partAccounts int
	stop         stopRecorder
}

// ForMap prepares the evaluation of one organization map. orgMap needs its
// accounts, distributions (origins resolved), OAIs, OACs and canonical IDs;
// its buckets are not read.
func (e *Engine) ForMap(orgMap *inventory.Snapshot) (*BucketEvaluator, error) {
	if orgMap == nil {
		return nil, errors.New("evaluate rules: no inventory")
	}
	be := &BucketEvaluator{e: e, origins: originBuckets(orgMap), partAccounts: partAccounts}
	if len(e.sampled.rules) == 0 && len(e.bucket.rules) == 0 {
		return be, nil
	}
	ix, err := newIndex(orgMap)
	if err != nil {
		return nil, err
	}
	be.ix = ix
	return be, nil
}

// Evaluate runs the rules of one bucket, the sampled rules (when it has
// sampled objects) and the bucket-scope rules, and returns their findings
// (unsorted). When ctx stops the evaluation, the findings of the rules that
// finished are returned, and Stopped says what did not.
func (be *BucketEvaluator) Evaluate(ctx context.Context, b *inventory.Bucket) ([]findings.Finding, error) {
	if be.ix == nil {
		return nil, nil
	}
	var out []findings.Finding
	if len(be.e.bucket.rules) > 0 {
		cfg := *b
		cfg.Objects.Objects = nil
		fs, err := be.evalBucket(ctx, &be.e.bucket, &cfg, true)
		if err != nil {
			return nil, err
		}
		out = fs
	}
	if len(be.e.sampled.rules) > 0 && len(b.Objects.Objects) > 0 {
		// Sampled rules judge objects; a bucket without any gives none.
		fs, err := be.evalBucket(ctx, &be.e.sampled, b, false)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// evalBucket runs the rules of scope s on one bucket's input.
func (be *BucketEvaluator) evalBucket(ctx context.Context, s *scope, b *inventory.Bucket, trails bool) ([]findings.Finding, error) {
	if ctx.Err() != nil {
		be.stop.record(s.rules, 0, false, b.ARN, b.AccountID)
		return nil, nil
	}
	in, err := be.ix.bucketInput(b, trails)
	if err != nil {
		return nil, err
	}
	fs, done, cut, err := s.evalRules(ctx, in, "bucket "+b.ARN)
	if err != nil {
		return nil, err
	}
	be.stop.record(s.rules, done, cut, b.ARN, b.AccountID)
	return fs, nil
}

// Keep reports whether EvaluateOrganization needs bucket b's
// configuration: every bucket when an organization-scope rule is loaded
// (the one case where what is kept grows with the buckets), else the
// buckets distributions name as origins when an origins-scope rule is.
// A stream keeps the configurations Keep asks for and drops the rest.
func (be *BucketEvaluator) Keep(b *inventory.Bucket) bool {
	if len(be.e.global.rules) > 0 {
		return true
	}
	return (len(be.e.origins.rules) > 0 || len(be.e.parted.rules) > 0) && be.origins[b.Name]
}

// EvaluateOrganization runs the origins- and organization-scope rules on
// inv: the origins rules on its header and the buckets distributions name
// as origins, the organization rules on all of it. They never read sampled
// objects, so inv's buckets may have had theirs dropped already, and inv
// need only hold the buckets Keep asked for.
func (be *BucketEvaluator) EvaluateOrganization(ctx context.Context, inv *inventory.Snapshot) ([]findings.Finding, error) {
	e := be.e
	out, err := be.evalParts(ctx, inv)
	if err != nil {
		return nil, err
	}
	for _, sc := range []struct {
		s    *scope
		keep func(*inventory.Bucket) bool
	}{
		{&e.origins, originFilter(inv)},
		{&e.global, nil},
	} {
		if len(sc.s.rules) == 0 {
			continue
		}
		if ctx.Err() != nil {
			be.stop.record(sc.s.rules, 0, false, "organization", inv.CallerAccountID)
			continue
		}
		in, err := globalInput(inv, sc.keep)
		if err != nil {
			return nil, err
		}
		fs, done, cut, err := sc.s.evalRules(ctx, in, "organization")
		if err != nil {
			return nil, err
		}
		be.stop.record(sc.s.rules, done, cut, "organization", inv.CallerAccountID)
		out = append(out, fs...)
	}
	return out, nil
}

// evalParts runs the built-in origins-scope rules on the origins input of
// inv part by part (originParts). Each unfinished part counts as one input
// the rules did not finish on; the findings of the parts that finished are
// kept.
func (be *BucketEvaluator) evalParts(ctx context.Context, inv *inventory.Snapshot) ([]findings.Finding, error) {
	s := &be.e.parted
	if len(s.rules) == 0 {
		return nil, nil
	}
	if ctx.Err() != nil {
		be.stop.record(s.rules, 0, false, "organization", inv.CallerAccountID)
		return nil, nil
	}
	parts, err := originParts(inv, originFilter(inv), be.partAccounts)
	if err != nil {
		return nil, fmt.Errorf("convert inventory for rules: %w", err)
	}
	var out []findings.Finding
	for i := range parts.parts {
		if ctx.Err() != nil {
			be.stop.record(s.rules, 0, false, "organization", inv.CallerAccountID)
			continue
		}
		in, err := parts.value(i)
		if err != nil {
			return nil, fmt.Errorf("convert inventory for rules: %w", err)
		}
		fs, done, cut, err := s.evalRules(ctx, in, "organization")
		if err != nil {
			return nil, err
		}
		be.stop.record(s.rules, done, cut, "organization", inv.CallerAccountID)
		out = append(out, fs...)
	}
	return out, nil
}

// Stopped is the *StoppedError describing what ctx (the context the
// evaluations ran under) kept from finishing, or nil.
func (be *BucketEvaluator) Stopped(ctx context.Context) error {
	return be.stop.err(ctx)
}

// evalBuckets evaluates the sampled and bucket-scope rules bucket by
// bucket on all cores.
func (be *BucketEvaluator) evalBuckets(ctx context.Context, inv *inventory.Snapshot) ([]findings.Finding, error) {
	results := make([][]findings.Finding, len(inv.Buckets))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range inv.Buckets {
		b := &inv.Buckets[i]
		g.Go(func() error {
			fs, err := be.Evaluate(ctx, b)
			results[i] = fs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []findings.Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	return out, nil
}

// eval runs every rule of the scope on one input; being stopped is an
// error.
func (s *scope) eval(ctx context.Context, in ast.Value, what string) ([]findings.Finding, error) {
	out, done, _, err := s.evalRules(ctx, in, what)
	if err == nil && done < len(s.rules) {
		err = fmt.Errorf("evaluate rule %s on %s: %w", s.rules[done].ID, what, context.Cause(ctx))
	}
	return out, err
}

// evalRules runs each rule of the scope on one input and converts its deny
// set. It returns the findings of the rules that finished and how many did
// (rules[:done]). When ctx stops it, done < len(s.rules), err is nil and cut
// says whether rules[done] was cut short (rather than never started).
func (s *scope) evalRules(ctx context.Context, in ast.Value, what string) (out []findings.Finding, done int, cut bool, err error) {
	for i, r := range s.rules {
		if ctx.Err() != nil {
			return out, i, false, nil
		}
		rs, err := s.queries[i].Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			if ctx.Err() != nil {
				return out, i, true, nil
			}
			return nil, i, false, fmt.Errorf("evaluate rule %s (%s) on %s: %w", r.ID, r.Source, what, err)
		}
		if len(rs) != 1 {
			return nil, i, false, fmt.Errorf("evaluate rule %s on %s: query gave %d results, want 1", r.ID, what, len(rs))
		}
		v := rs[0].Bindings["x"]
		list, ok := v.([]any)
		if !ok {
			return nil, i, false, fmt.Errorf("rule %s (%s): deny is %T, want a set of objects", r.ID, r.Source, v)
		}
		for _, x := range list {
			f, err := toFinding(r, x)
			if err != nil {
				return nil, i, false, err
			}
			out = append(out, f)
		}
	}
	return out, len(s.rules), false, nil
}

// toFinding checks one deny entry and converts it.
func toFinding(r findings.Rule, x any) (findings.Finding, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return findings.Finding{}, fmt.Errorf("rule %s (%s): deny entry is %T, want an object", r.ID, r.Source, x)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	f := findings.Finding{
		RuleID:       r.ID,
		Severity:     r.Severity,
		AccountID:    str("account_id"),
		Region:       str("region"),
		ResourceType: str("resource_type"),
		ResourceARN:  str("resource_arn"),
		ResourceName: str("resource_name"),
		Message:      str("message"),
	}
	if f.ResourceType == "" {
		f.ResourceType = r.ResourceType
	}
	if f.ResourceARN == "" || f.Message == "" || f.AccountID == "" {
		return findings.Finding{}, fmt.Errorf("rule %s (%s): deny entry lacks account_id, resource_arn or message: %v", r.ID, r.Source, m)
	}
	if ev, ok := m["evidence"]; ok && ev != nil {
		em, ok := ev.(map[string]any)
		if !ok {
			return findings.Finding{}, fmt.Errorf("rule %s (%s): evidence is %T, want an object", r.ID, r.Source, ev)
		}
		f.Evidence = em
	}
	return f, nil
}

// globalInput is the snapshot without sampled objects, as an AST value;
// with keep, only the buckets keep accepts.
func globalInput(inv *inventory.Snapshot, keep func(*inventory.Bucket) bool) (ast.Value, error) {
	cp := *inv
	cp.Buckets = make([]inventory.Bucket, 0, len(inv.Buckets))
	for i := range inv.Buckets {
		if keep != nil && !keep(&inv.Buckets[i]) {
			continue
		}
		b := inv.Buckets[i]
		b.Objects.Objects = nil
		cp.Buckets = append(cp.Buckets, b)
	}
	v, err := newConverter().value(&cp)
	if err != nil {
		return nil, fmt.Errorf("convert inventory for rules: %w", err)
	}
	return v, nil
}

// originBuckets are the names of the buckets that inv's distributions name
// as origins (any origin type: the rules look them up by name).
func originBuckets(inv *inventory.Snapshot) map[string]bool {
	names := map[string]bool{}
	for i := range inv.Distributions {
		for _, o := range inv.Distributions[i].Origins {
			if o.BucketName != "" {
				names[o.BucketName] = true
			}
		}
	}
	return names
}

// originFilter keeps the buckets inv's distributions name as origins.
func originFilter(inv *inventory.Snapshot) func(*inventory.Bucket) bool {
	names := originBuckets(inv)
	return func(b *inventory.Bucket) bool { return names[b.Name] }
}

// embeddedSources returns the embedded modules; tests only when withTests.
func embeddedSources(withTests bool) ([]source, error) {
	var out []source
	err := fs.WalkDir(embeddedPolicies, embeddedRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !wanted(p, withTests) {
			return err
		}
		b, err := embeddedPolicies.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, source{name: embeddedPrefix + p, text: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded rules: %w", err)
	}
	return out, nil
}

// dirSources returns the .rego files under dir.
func dirSources(dir string, withTests bool) ([]source, error) {
	var out []source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !wanted(p, withTests) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, source{name: p, text: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rules in %s: %w", dir, err)
	}
	return out, nil
}

// wanted selects .rego files, leaving out tests unless withTests.
func wanted(p string, withTests bool) bool {
	if path.Ext(p) != ".rego" {
		return false
	}
	return withTests || !strings.HasSuffix(p, "_test.rego")
}

// parseSources parses Rego v1 with annotations; parse errors carry file:line.
func parseSources(srcs []source) (map[string]*ast.Module, error) {
	mods := make(map[string]*ast.Module, len(srcs))
	var errs []error
	for _, s := range srcs {
		m, err := ast.ParseModuleWithOpts(s.name, s.text, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mods[s.name] = m
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse rules: %w", errors.Join(errs...))
	}
	return mods, nil
}

// inProfile keeps the rules that run in profile ("" keeps all). Rules that
// are left out are still compiled and checked. User rules join every
// profile, whatever their METADATA says.
func inProfile(all []findings.Rule, profile string) []findings.Rule {
	var out []findings.Rule
	for _, r := range all {
		if !strings.HasPrefix(r.Source, embeddedPrefix) {
			r.Profiles = slices.Clone(Profiles)
		} else if profile != "" && !slices.Contains(r.Profiles, profile) {
			continue
		}
		out = append(out, r)
	}
	return out
}
