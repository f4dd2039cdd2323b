package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/suppress"
)

const rootLong = `hoofprint scans every account of an AWS Organization for the S3 and CloudFront
mistakes that leak or break health data: public objects, objects owned by another
account, CloudFront origin access identities or controls that the bucket does not
really grant, and the Block Public Access change that would take a site down.

It only reads what it scans. Findings go to a SARIF file (auditors, GitHub code
scanning), an ASFF file and Security Hub (dashboards), a self-contained HTML page
(--html, for people without a SARIF viewer), and a terminal summary. Accepted
risks (--suppressions) stay in every report, marked.

Start here:
  hoofprint demo                       scan an embedded emulated organization (no AWS needed)
  hoofprint scan --sarif out.sarif     scan the organization your AWS credentials can see
  hoofprint rules list                 what is checked, with HIPAA references

Exit codes: 0 ran clean (nothing at or above --fail-on), 1 findings at or above
--fail-on, 2 usage or configuration error, 3 ran but some accounts or resources
could not be read (reports are still written and list the gaps).`

func newRootCommand(stdout, stderr io.Writer, rec *runRecord) *cobra.Command {
	root := &cobra.Command{
		Use:           "hoofprint",
		Short:         "Find the S3 and CloudFront mistakes that leak or break health data, org-wide",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("%v%s\nRun '%s --help' for usage.", err, flagSuggestion(c, err), c.CommandPath())}
	})
	root.AddCommand(
		newScanCommand(stdout, stderr, rec),
		newDemoCommand(stdout, stderr, rec),
		newEvaluateCommand(stdout, stderr, rec),
		newPlanCommand(stdout, stderr),
		newMergeCommand(stdout, stderr, rec),
		newRulesCommand(stdout, stderr),
		newKeysCommand(stdout, stderr),
		newSuppressionsCommand(stdout, stderr),
		newVersionCommand(stdout),
	)
	countSets(root)
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return checkRepeatedFlags(c) }
	return root
}

// countedValue counts how often a flag that takes one value was given.
// pflag keeps the last value without a word, so `--sarif a.sarif …
// --sarif b.sarif` (a script's default overridden further down its
// line) would write one report where two were asked for, and
// `--fail-on high … --fail-on none` would turn a nightly gate off.
type countedValue struct {
	pflag.Value
	sets int
}

func (v *countedValue) Set(s string) error {
	v.sets++
	return v.Value.Set(s)
}

// IsBoolFlag keeps a wrapped bool flag one that needs no value (--quiet),
// as pflag tells them apart.
func (v *countedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// countSets wraps every single-value flag of c and its subcommands in a
// countedValue. List flags (--accounts, --rules) add up when repeated and
// are left as they are.
func countSets(c *cobra.Command) {
	wrap := func(f *pflag.Flag) {
		if _, done := f.Value.(*countedValue); done {
			return
		}
		if _, list := f.Value.(pflag.SliceValue); list {
			return
		}
		f.Value = &countedValue{Value: f.Value}
		if f.DefValue == "0s" {
			// pflag's help hides a zero default by the value's concrete
			// type, which the wrapper hides; "0" is zero to it whatever
			// the type (--timeout).
			f.DefValue = "0"
		}
	}
	c.Flags().VisitAll(wrap)
	c.PersistentFlags().VisitAll(wrap)
	for _, sub := range c.Commands() {
		countSets(sub)
	}
}

// checkRepeatedFlags refuses a single-value flag given more than once.
// Values are not echoed: --external-id is one of these flags.
func checkRepeatedFlags(c *cobra.Command) error {
	var repeated []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if v, ok := f.Value.(*countedValue); ok && v.sets > 1 {
			repeated = append(repeated, fmt.Sprintf("--%s (%d times)", f.Name, v.sets))
		}
	})
	if len(repeated) == 0 {
		return nil
	}
	return usageErr("%s given more than once; each takes one value and only the last would count. Give it once.\nRun '%s --help' for usage.", strings.Join(repeated, ", "), c.CommandPath())
}

// flagSuggestion returns "\nDid you mean --X?" for an unknown flag close
// to one the command has (pflag's error names the flag it did not know).
func flagSuggestion(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if best := closest(name, names); best != "" {
		return "\nDid you mean --" + best + "?"
	}
	return ""
}

// closest returns the candidate nearest to s by edit distance, if it is
// near enough to be a typo (at most a third of the word, and 2 edits), or
// one that s is a prefix of.
func closest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(s, c)
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	limit := min(2, max(1, len(s)/3))
	if best != "" && bestD <= limit {
		return best
	}
	for _, c := range candidates {
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			return c
		}
	}
	return ""
}

// editDistance is the optimal-string-alignment distance between a and b:
// Levenshtein plus the swap of two neighbours as one edit, the commonest
// typo (--sarfi).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// unknownSubcommand makes a command that only groups subcommands refuse an
// argument that is none of them (cobra would print the help and exit 0).
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if best := closest(args[0], names); best != "" {
		msg += "\nDid you mean " + cmd.CommandPath() + " " + best + "?"
	}
	return &exitError{code: exitUsage, msg: msg + "\nRun '" + cmd.CommandPath() + " --help' for usage."}
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(stdout, "hoofprint %s (commit %s, built %s, %s %s/%s)\n", version, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

// reportFlags are shared by scan, demo and evaluate.
type reportFlags struct {
	sarif, asff    string
	html           string
	baseline       string
	rulesDirs      []string
	profile        string
	showObjectKeys bool
	failOn         string
	logFormat      string
	verbose        bool
	quiet          bool
	evalTimeout    time.Duration
	keySecret      keySecretFlags
	failOnSeverity findings.Severity
	// suppressionsFile and suppressionsMaxDays are --suppressions and
	// --suppressions-max-days; suppressions is the loaded file.
	suppressionsFile    string
	suppressionsMaxDays int
	suppressions        *suppress.Set
	logger              *slog.Logger
	stderrIsTerm        bool
	// final logs the "hoofprint finished" record at info level even under
	// --quiet: CloudWatch metric filters and alarms read it.
	final *slog.Logger
}

func (r *reportFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&r.sarif, "sarif", "", "write a SARIF 2.1.0 report to `FILE` (auditors, GitHub code scanning)")
	uploaded := ""
	if fs.Lookup("output") != nil { // scan and merge register --output before the report flags
		uploaded = "; uploaded with --output"
	}
	fs.StringVar(&r.html, "html", "", "write a self-contained HTML report to `FILE` for auditors (opens offline in any browser; lists the 5,000 most severe findings when there are more"+uploaded+")")
	fs.StringVar(&r.asff, "asff", "", "write Security Hub findings (ASFF JSON, ready for batch-import-findings) to `FILE`")
	fs.StringVar(&r.baseline, "baseline", "", "previous SARIF `FILE`: mark each result new, unchanged, updated or absent")
	fs.StringSliceVar(&r.rulesDirs, "rules", nil, "extra Rego rules from `DIR` (repeatable), evaluated with the built-in ones")
	fs.StringVar(&r.profile, "profile", findings.ProfileHIPAA, "built-in rules to run: incident (the incident's controls), hipaa (plus transmission, integrity and audit controls) or all (plus opt-in stricter rules); --rules join any profile")
	fs.BoolVar(&r.showObjectKeys, "show-object-keys", false, "show object keys in reports (they may contain patient data; default: a stable hash and the first path segment)")
	fs.StringVar(&r.failOn, "fail-on", "none", "exit 1 when a finding is at or above `SEVERITY`: none, informational, low, medium, high, critical (accepted risks never count)")
	fs.StringVar(&r.suppressionsFile, "suppressions", "", "accepted risks from `FILE` (YAML; see 'hoofprint suppressions check --help'): their findings stay in the reports, marked, and do not count")
	fs.IntVar(&r.suppressionsMaxDays, "suppressions-max-days", 365, "refuse a suppression whose expiry is more than `DAYS` away")
	fs.StringVar(&r.logFormat, "log-format", "text", "log format on stderr: text or json (json suits CloudWatch Logs)")
	fs.BoolVarP(&r.quiet, "quiet", "q", false, "print only warnings, errors and no summary")
	fs.BoolVarP(&r.verbose, "verbose", "v", false, "also log each account and bucket as it is collected (names only, never object keys)")
	r.keySecret.register(fs)
	fs.DurationVar(&r.evalTimeout, "eval-timeout", pipeline.DefaultEvalTimeout, "stop evaluating the rules after this long, report what was evaluated and exit 3 naming the rule that ran out (raise it for very large organizations)")
}

// finish validates the shared flags and builds the logger.
func (r *reportFlags) finish(stderr io.Writer) error {
	if !slices.Contains(rules.Profiles, r.profile) {
		return usageErr("--profile %q: want %s", r.profile, strings.Join(rules.Profiles, ", "))
	}
	sev, err := findings.ParseSeverity(r.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	r.failOnSeverity = sev
	if r.evalTimeout <= 0 {
		return usageErr("--eval-timeout %s: want a positive duration such as 60s or 5m", r.evalTimeout)
	}
	// 0 is refused like any value below 1, as 'suppressions check' does:
	// replacing it with the default would accept a year-long suppression
	// the user meant to forbid. (plan, which has no such flag, sets it.)
	if r.suppressionsMaxDays < 1 {
		return usageErr("--suppressions-max-days %d: want 1 or more", r.suppressionsMaxDays)
	}
	if r.suppressionsFile != "" {
		// Loaded before any scanning: a bad file costs seconds, not a night.
		set, err := suppress.Load(r.suppressionsFile, r.suppressOptions())
		if err != nil {
			return usageErr("--suppressions: %v", err)
		}
		r.suppressions = set
	}
	level := slog.LevelInfo
	switch {
	case r.quiet && r.verbose:
		return usageErr("--quiet and --verbose: choose one")
	case r.quiet:
		level = slog.LevelWarn
	case r.verbose:
		level = slog.LevelDebug
	}
	hopts := &slog.HandlerOptions{Level: level}
	finalOpts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch r.logFormat {
	case "text":
		r.logger = slog.New(slog.NewTextHandler(stderr, hopts))
		r.final = slog.New(slog.NewTextHandler(stderr, finalOpts))
	case "json":
		r.logger = slog.New(slog.NewJSONHandler(stderr, hopts))
		r.final = slog.New(slog.NewJSONHandler(stderr, finalOpts))
	default:
		return usageErr("--log-format %q: want text or json", r.logFormat)
	}
	if f, ok := stderr.(*os.File); ok {
		r.stderrIsTerm = term.IsTerminal(int(f.Fd()))
	}
	return nil
}

func (r *reportFlags) suppressOptions() suppress.Options {
	return suppress.Options{MaxAge: time.Duration(r.suppressionsMaxDays) * 24 * time.Hour}
}

func (r *reportFlags) pipelineOptions(stdout io.Writer) pipeline.Options {
	o := pipeline.Options{
		SARIFPath:    r.sarif,
		ASFFPath:     r.asff,
		HTMLPath:     r.html,
		BaselinePath: r.baseline,
		RuleDirs:     r.rulesDirs,
		Profile:      r.profile,
		FailOn:       r.failOnSeverity,
		Suppressions: r.suppressions,
		Logger:       r.logger,
		EvalTimeout:  r.evalTimeout,

		ShowObjectKeys: r.showObjectKeys,
	}
	if !r.quiet {
		o.Summary = stdout
	}
	return o
}

// prepare loads the rules and parses the baseline before any AWS call, so
// that a typo in --rules or a truncated --baseline fails in seconds, not
// after a night's scan.
func (r *reportFlags) prepare(ctx context.Context, o *pipeline.Options) error {
	p, err := pipeline.Prepare(ctx, *o)
	if err != nil {
		return usageErr("%v", err)
	}
	o.Prepared = p
	return nil
}

// pathFlag is a local file a command reads or writes, and the flag (or
// description) that names it, for the error.
type pathFlag struct {
	flag, path string
	// rolledBy is the one output flag that may replace this input: it is
	// read whole before that output is written.
	rolledBy string
}

// outputs are the report files every command with reportFlags writes.
func (r *reportFlags) outputs() []pathFlag {
	return []pathFlag{{flag: "--sarif", path: r.sarif}, {flag: "--asff", path: r.asff}, {flag: "--html", path: r.html}}
}

// inputs are the files every command with reportFlags reads.
func (r *reportFlags) inputs() []pathFlag {
	// A rolling baseline (tonight's SARIF log over last night's) is safe:
	// the baseline is read whole before the run, and the log is written to
	// a temporary file renamed into place.
	return []pathFlag{{flag: "--baseline", path: r.baseline, rolledBy: "--sarif"}, {flag: "--suppressions", path: r.suppressionsFile}, {flag: "--key-secret-file", path: r.keySecret.file}}
}

// checkPaths refuses, before any AWS call, two outputs that are the same
// file (the last one written would silently replace the others), an
// output that is one of the inputs (the run would overwrite what it reads:
// the inventory it evaluates, last night's --baseline), and an output that
// cannot be written: found after a night's scan, that would lose the scan.
// Empty paths are not used.
func checkPaths(outputs, inputs []pathFlag) error {
	if err := checkConflicts(outputs, inputs); err != nil {
		return err
	}
	for _, o := range outputs {
		if o.path == "" {
			continue
		}
		if err := checkWritable(o.path); err != nil {
			return usageErr("%s %s: %v", o.flag, o.path, err)
		}
	}
	return nil
}

// checkWritable says whether a file could be created at path, without
// creating the folders a run would create for it: path must not be a
// folder, and its nearest existing ancestor must be a folder this process
// can create a file in.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("is a folder, not a file")
	}
	dir := filepath.Dir(absPath(path))
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is a file, not a folder", dir)
			}
			break
		}
		// ENOTDIR: an ancestor is a file; the walk up finds and names it.
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
	f, err := os.CreateTemp(dir, ".hoofprint-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

// checkConflicts is checkPaths' comparison of the paths.
func checkConflicts(outputs, inputs []pathFlag) error {
	for i, o := range outputs {
		if o.path == "" {
			continue
		}
		for _, p := range outputs[:i] {
			if p.path != "" && sameFile(o.path, p.path) {
				return usageErr("%s %s and %s %s are the same file: each output needs its own, or one would replace the other", p.flag, p.path, o.flag, o.path)
			}
		}
		for _, in := range inputs {
			if in.path != "" && in.rolledBy != o.flag && sameFile(o.path, in.path) {
				return usageErr("%s %s is the %s file %s: writing it would overwrite the input; choose another file", o.flag, o.path, in.flag, in.path)
			}
		}
	}
	return nil
}

// sameFile reports whether a and b name one file: the same cleaned
// absolute path, or, when both exist, the same file through a symbolic or
// hard link or a case-insensitive file system.
func sameFile(a, b string) bool {
	if absPath(a) == absPath(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs // Abs cleans
	}
	return filepath.Clean(p)
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// setupErr is usageErr for a step that calls AWS before the scan (the
// credentials, the accepted risks under --output, the run folder): when a
// signal cut it short, the run was interrupted (exit 3), not misconfigured
// (exit 2), and an alarm on exit 2 must not page anyone about it.
func setupErr(ctx context.Context, format string, args ...any) error {
	if ctx.Err() != nil {
		return &exitError{code: exitIncomplete, msg: fmt.Sprintf("interrupted before the scan began (%v); nothing was scanned: ", context.Cause(ctx)) + fmt.Sprintf(format, args...)}
	}
	return usageErr(format, args...)
}

// outcomeErr maps a pipeline error to an exit code.
func outcomeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pipeline.ErrFindingsAtThreshold):
		return &exitError{code: exitFindings}
	case errors.Is(err, pipeline.ErrIncomplete):
		// Said, not only coded: a cut upload or import shows nowhere else
		// when --quiet hides the summary.
		return &exitError{code: exitIncomplete, msg: err.Error()}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitUsage, msg: err.Error()}
}

func splitIDs(v []string) []string {
	var out []string
	for _, s := range v {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// checkAccountLists checks --accounts and --exclude-accounts before any
// AWS call: an ID in both would be asked for and skipped, and a run that
// scans nothing must never look clean.
func checkAccountLists(accounts, exclude []string) error {
	if err := validAccountIDs("--accounts", accounts); err != nil {
		return err
	}
	if err := validAccountIDs("--exclude-accounts", exclude); err != nil {
		return err
	}
	for _, id := range accounts {
		if slices.Contains(exclude, id) {
			return usageErr("--accounts and --exclude-accounts both name %s: an account is either scanned or skipped", id)
		}
	}
	return nil
}

// checkAccountsInScope refuses a selection that left no account to scan
// (known only once the organization is listed): every account excluded by
// --exclude-accounts, or --accounts naming only accounts that are not
// ACTIVE. The reports of such a run would say "0 findings" about nothing.
func checkAccountsInScope(snap *inventory.Snapshot, accounts, exclude []string) error {
	if snap == nil || len(accounts)+len(exclude) == 0 {
		// Without the flags the caller's own account is always in scope.
		return nil
	}
	// Only a complete account list proves the selection empty. When the
	// listing was denied, throttled or stopped, the scan fell back to what
	// it could list; that is a gap, and the run writes its reports and
	// exits 3 (which AWS Batch retries), never 2 blaming the flags.
	if !snap.Coverage.Complete || snap.Coverage.Interrupted != "" ||
		slices.ContainsFunc(snap.Coverage.Gaps, func(g inventory.Gap) bool { return g.Service == "organizations" }) {
		return nil
	}
	reasons := map[string]int{}
	for _, a := range snap.Accounts {
		if a.Skipped == "" {
			return nil
		}
		reasons[a.Skipped]++
	}
	var why []string
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		why = append(why, fmt.Sprintf("%d %s", reasons[r], r))
	}
	return usageErr("--accounts/--exclude-accounts leave no account to scan (of the %d account(s) in scope: %s); nothing was scanned", len(snap.Accounts), strings.Join(why, ", "))
}

func validAccountIDs(flag string, ids []string) error {
	for _, id := range ids {
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return usageErr("%s: %q is not a 12-digit AWS account ID", flag, id)
		}
	}
	return nil
}

// runRecord is what the final log record says about a run of scan, demo or
// evaluate. Commands fill it; run logs it after the exit code is known.
type runRecord struct {
	// command is set by the commands of a sharded run ("plan", "shard",
	// "merge"), so that alarms can count merges only (deploy/cloudformation/batch.yaml).
	command    string
	logger     *slog.Logger
	started    time.Time
	accounts   int
	buckets    int
	findings   int
	suppressed int
	gaps       int
}

// observe records the outcome of the pipeline for the final log record.
func (r *runRecord) observe(logger *slog.Logger, inv *inventory.Snapshot, out pipeline.Outcome) {
	r.logger = logger
	if inv != nil {
		for _, a := range inv.Accounts {
			if a.Scanned {
				r.accounts++
			}
		}
		r.gaps = len(inv.Coverage.Gaps)
	}
	// The report's coverage adds what evaluation could not finish (a rule
	// stopped by --eval-timeout or a signal) to what collection missed.
	r.gaps = max(r.gaps, len(out.Document.Coverage.Gaps))
	// The stream counted the buckets; a scan's snapshot holds none
	// (scanner.Options.Sink).
	r.buckets = out.Buckets
	// Accepted risks are not findings to act on: they are counted apart.
	r.findings = out.Document.ActiveOnly().Count()
	r.suppressed = out.Document.SuppressedCount()
}

// log writes the run summary as the last record on stderr: the contract
// that docs/deploy.md's metric filters and alarms rely on.
func (r *runRecord) log(exitCode int) {
	if r.logger == nil {
		return
	}
	attrs := []any{"exit_code", exitCode}
	if r.command != "" {
		attrs = append(attrs, "command", r.command)
	}
	r.logger.Info("hoofprint finished", append(attrs,
		"accounts", r.accounts,
		"buckets", r.buckets,
		"findings", r.findings,
		"suppressed", r.suppressed,
		"gaps", r.gaps,
		"duration_seconds", int(time.Since(r.started).Round(time.Second).Seconds()))...)
}
