// Package pipeline runs the part of a scan after collection: it saves the
// inventory, evaluates the rules, and writes every report the user asked
// for. `scan`, `demo` and `evaluate` all go through it, so the three commands
// cannot drift apart.
//
// Reports are written even when the context is already cancelled (SIGTERM
// during collection): completed work is never lost. Only the optional
// network steps (Security Hub import, S3 upload) are bounded by
// FinishTimeout once the run has been interrupted.
package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/htmlreport"
	"github.com/hoofprint/hoofprint/report/sarif"
	"github.com/hoofprint/hoofprint/report/securityhub"
	"github.com/hoofprint/hoofprint/report/summary"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/suppress"
	"github.com/hoofprint/hoofprint/upload"
)

// Options say which reports to write and how to judge the outcome.
type Options struct {
	// InventoryPath, SARIFPath, ASFFPath: files to write ("" = don't).
	InventoryPath string
	SARIFPath     string
	ASFFPath      string
	// HTMLPath is the self-contained HTML report for auditors ("" = don't).
	HTMLPath string
	// BaselinePath is last night's SARIF file, for baselineState.
	BaselinePath string
	// ShowObjectKeys shows object keys in the reports (--show-object-keys).
	// The output side decides: without it, keys that an inventory made with
	// --show-object-keys still holds are hidden from the rules and the
	// reports, so no message or report can show one.
	ShowObjectKeys bool
	// RuleDirs hold extra user Rego rules.
	RuleDirs []string
	// Profile chooses the built-in rules: incident, hipaa or all
	// (--profile; "" means hipaa, the CLI's default).
	Profile string
	// FailOn is the severity at or above which the run fails (exit 1).
	// Suppressed findings never count.
	FailOn findings.Severity
	// Suppressions are the accepted risks (--suppressions); nil for none.
	Suppressions *suppress.Set
	// SecurityHub imports findings into each account's Security Hub.
	SecurityHub bool
	// Accounts gives per-account AWS configurations for Security Hub import
	// and the caller's configuration for upload; nil for offline evaluation.
	Accounts AccountConfigs
	// CallerConfig and S3Options are used for the S3 upload.
	CallerConfig aws.Config
	S3Options    func(*s3.Options)
	// Output is an s3://bucket/prefix/ to upload the reports to.
	Output    string
	SSEKMSKey string
	// ExpectedBucketOwner is the account that must own the --output bucket
	// (the caller's), so reports never land in someone else's bucket.
	ExpectedBucketOwner string
	// Summary receives the terminal summary (nil = none).
	Summary io.Writer
	Logger  *slog.Logger
	// FinishTimeout bounds network steps after an interruption (ECS gives a
	// stopped task 30 seconds by default before SIGKILL).
	FinishTimeout time.Duration
	// EvalTimeout bounds rule evaluation (--eval-timeout; 0 means
	// DefaultEvalTimeout). When it runs out, what was evaluated is reported
	// and the run is incomplete (exit 3).
	EvalTimeout time.Duration
	// SignalGrace is how long evaluation may go on once ctx is cancelled (a
	// signal), within EvalTimeout; 0 means DefaultSignalGrace.
	SignalGrace time.Duration
	// Prepared holds the rules and baseline loaded by Prepare before the
	// scan; nil means Run loads them itself.
	Prepared *Prepared
	// FindingsInMemory is how many findings are kept in memory before
	// they spill to a temporary file (0 means findings.DefaultInMemory).
	FindingsInMemory int
	// InventoryBufferBytes is how many bytes of encoded bucket records may
	// wait in memory for their turn in the inventory (0 means 1 MiB); the
	// rest wait in a temporary file.
	InventoryBufferBytes int
	// Now is the clock (tests).
	Now func() time.Time
}

// AccountConfigs returns the AWS configuration to act as an account.
type AccountConfigs interface {
	Account(ctx context.Context, accountID string) (aws.Config, error)
}

// Outcome is what a run produced.
type Outcome struct {
	Document findings.Document
	// Buckets counts the buckets evaluated (or recorded, for a merge),
	// also when Finish fails.
	Buckets int
	// Files are the reports written: local paths, then s3:// URIs.
	Files []summary.File
	// AtOrAboveFailOn counts findings at or above Options.FailOn.
	AtOrAboveFailOn int
	// Import is the Security Hub import result, nil when not asked.
	Import *securityhub.Result
}

// DefaultEvalTimeout is --eval-timeout's default. Evaluating a synthetic
// organization of 1,000 accounts × 10 buckets takes 23–41 s (BENCHMARKS.md);
// after a signal, a minute of evaluation plus FinishTimeout of network steps
// stays inside the 120 s StopTimeout of the documented ECS task.
const DefaultEvalTimeout = time.Minute

// DefaultSignalGrace is how long evaluation goes on after SIGTERM or
// SIGINT: with FinishTimeout for the network steps, well inside the 120 s
// StopTimeout of the documented ECS task.
const DefaultSignalGrace = 15 * time.Second

// Prepared is what Run needs that can be checked before any AWS call: the
// compiled rules and the parsed baseline. A syntax error in --rules or a
// truncated --baseline must not cost a night's scan.
type Prepared struct {
	Engine   *rules.Engine
	Baseline *sarif.Log
	// Profile is the rule profile the engine was loaded with; Controls the
	// HIPAA sections with the loaded rules behind each.
	Profile  string
	Controls []findings.Control
}

// Prepare loads the rules in opts.RuleDirs and parses opts.BaselinePath.
func Prepare(ctx context.Context, opts Options) (*Prepared, error) {
	profile := cmp.Or(opts.Profile, findings.ProfileHIPAA)
	engine, err := rules.Load(ctx, rules.Options{Dirs: opts.RuleDirs, Profile: profile})
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	mapping, err := rules.HIPAA()
	if err != nil {
		return nil, err
	}
	p := &Prepared{Engine: engine, Profile: profile, Controls: rules.Controls(mapping, engine.Rules())}
	if opts.BaselinePath != "" {
		// The baseline only marks the SARIF log's results; without one it
		// would be read and do nothing, and the user believe it applied.
		if opts.SARIFPath == "" {
			return nil, fmt.Errorf("--baseline %s needs --sarif: it marks the SARIF log's results new, unchanged, updated or absent", opts.BaselinePath)
		}
		if p.Baseline, err = sarif.ReadBaseline(opts.BaselinePath); err != nil {
			return nil, fmt.Errorf("--baseline %s: %w", opts.BaselinePath, err)
		}
	}
	return p, nil
}

// Sentinel errors that the CLI maps to exit codes. Run returns them wrapped
// (errors.Is) after every report is written.
var (
	// ErrFindingsAtThreshold: findings at or above --fail-on (exit 1).
	ErrFindingsAtThreshold = errors.New("findings at or above the --fail-on severity")
	// ErrIncomplete: something could not be read (exit 3).
	ErrIncomplete = errors.New("some accounts or resources could not be read")
)

// Run evaluates inv and writes the reports. It returns an error wrapping
// ErrFindingsAtThreshold or ErrIncomplete when the run should exit non-zero
// for those reasons; any other error is a failure to evaluate or write.
//
// Run is the whole-snapshot form of a Stream: Start, Map, every bucket,
// Finish. A scan streams instead (scanner.Options.Sink), so that no more
// than the buckets in flight hold their objects.
func Run(ctx context.Context, inv *inventory.Snapshot, opts Options) (Outcome, error) {
	st, err := Start(ctx, opts)
	if err != nil {
		return Outcome{}, err
	}
	defer st.Abort()
	if err := st.Map(ctx, inv); err != nil {
		return Outcome{}, err
	}
	for i := range inv.Buckets {
		if err := st.Bucket(ctx, i, &inv.Buckets[i]); err != nil {
			return Outcome{}, err
		}
	}
	return st.Finish(ctx, inv)
}

// report writes the reports of an evaluated run. out lists the inventory
// when one was written; writeErrs are the outputs that already failed. The
// ASFF file was written by the stream as buckets were recorded; asffErr
// says why it could not be.
//
// facts, when not nil, are the summary's facts gathered as the findings were
// recorded (summary.Tally); else the summary and summary.json read the
// findings beside the report files.
func report(ctx context.Context, doc findings.Document, evalStop *rules.StoppedError, caller string, prep *Prepared, out Outcome, writeErrs []error, asffErr error, facts *summary.Facts, opts Options) (Outcome, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// A signal that came before the reports (ctx is the run's: cancelled
	// by SIGINT or SIGTERM). --eval-timeout is not one: it leaves the
	// network steps as they are.
	signalled := ctx.Err() != nil
	if evalStop != nil {
		markStopped(&doc, evalStop, caller)
	}
	if opts.Suppressions != nil {
		reportSuppressions(log, &doc, opts.Suppressions)
	}
	out.Document = doc
	log.Info("rules evaluated", "rules", len(doc.Rules), "findings", doc.Count(), "suppressed", doc.SuppressedCount())

	// The report files do not depend on each other: they are written at
	// once, sharing one read of the findings (findings.Broadcast: a large
	// run decodes its spill file once, not once per report), so that the
	// end of a run takes about as long as the slowest report rather than
	// the sum of them. They are listed in this order whatever finishes
	// first; ASFF is already written.
	type reportFile struct {
		kind, path string
		write      func(io.Writer, findings.Document) error
		err        error
	}
	var files, toWrite []*reportFile
	if opts.SARIFPath != "" {
		sopts := sarif.Options{Baseline: prep.Baseline}
		files = append(files, &reportFile{kind: "SARIF", path: opts.SARIFPath, write: func(w io.Writer, d findings.Document) error { return sarif.Write(w, d, sopts) }})
	}
	if opts.ASFFPath != "" {
		files = append(files, &reportFile{kind: "ASFF", path: opts.ASFFPath, err: asffErr})
	}
	if opts.HTMLPath != "" {
		hopts := htmlreport.Options{Now: now()}
		files = append(files, &reportFile{kind: "HTML", path: opts.HTMLPath, write: func(w io.Writer, d findings.Document) error { return htmlreport.Write(w, d, hopts) }})
	}
	for _, f := range files {
		if f.write != nil {
			toWrite = append(toWrite, f)
		}
	}
	// The terminal summary and summary.json, made last, gather what they
	// need from the same read.
	gatherFacts := (opts.Summary != nil || opts.Output != "") && facts == nil
	readers := len(toWrite)
	if gatherFacts {
		readers++
	}
	docs, done := findings.Broadcast(doc, readers)
	var wg sync.WaitGroup
	for i, f := range toWrite {
		wg.Go(func() {
			defer done(i)
			f.err = writeFile(f.path, func(w io.Writer) error { return f.write(w, docs[i]) })
		})
	}
	failing := &findings.Failing{}
	if facts != nil {
		failing = facts.Failing()
	}
	if gatherFacts {
		i := len(toWrite)
		wg.Go(func() {
			defer done(i)
			if opts.Summary == nil {
				// summary.json needs only the controls' failing accounts.
				for f := range docs[i].All() {
					failing.Add(f)
				}
				return
			}
			facts = summary.Gather(docs[i])
			failing = facts.Failing()
		})
	}
	wg.Wait()
	for _, f := range files {
		if f.err != nil {
			writeErrs = append(writeErrs, fmt.Errorf("%s: %w", f.kind, f.err))
		} else {
			out.Files = append(out.Files, summary.File{Kind: f.kind, Location: f.path})
		}
	}

	// The network steps below never stop the summary from being printed:
	// a failed upload is an error (exit 2) and failed imports make the run
	// incomplete (exit 3), but the user still sees what was found.
	var stepErr error
	if opts.SecurityHub {
		switch {
		case signalled:
			// An interrupted run has not seen everything; importing would be
			// safe (archiving checks coverage) but may not finish in time,
			// and the upload below matters more: the task's files go with it.
			log.Warn("Security Hub import skipped: the run was interrupted")
		case opts.Accounts == nil:
			return out, errors.New("--securityhub needs AWS credentials")
		default:
			// A signal during the import stops it at once, for the same
			// reason.
			res, err := securityhub.Import(ctx, opts.Accounts, doc, securityhub.Options{Now: now(), Logger: log})
			out.Import = &res
			if err != nil {
				stepErr = fmt.Errorf("import to Security Hub: %w", err)
				if ctx.Err() != nil {
					// A signal cut the import short: an incomplete run (exit
					// 3), not a configuration error.
					stepErr = fmt.Errorf("%w (%w)", stepErr, ErrIncomplete)
				}
				log.Warn("Security Hub import stopped", "error", err)
			}
		}
	}
	// Accepted risks never count towards --fail-on.
	for sev, n := range doc.ActiveOnly().CountBySeverity() {
		if opts.FailOn != findings.SeverityNone && sev >= opts.FailOn {
			out.AtOrAboveFailOn += n
		}
	}
	// The reports are uploaded even when a signal cut the import short:
	// on ECS the task's local files go with it.
	if opts.Output != "" && (stepErr == nil || errors.Is(stepErr, ErrIncomplete)) {
		dest, err := upload.ParseDestination(opts.Output)
		if err != nil {
			return out, fmt.Errorf("--output %w", err)
		}
		runSummary, err := writeRunSummary(doc, failing, out, opts)
		if err != nil {
			return out, errors.Join(append(writeErrs, err)...)
		}
		defer func() { _ = os.RemoveAll(filepath.Dir(runSummary)) }()
		var files []upload.File
		kinds := map[string]string{}
		for _, f := range out.Files {
			files = append(files, upload.File{Path: f.Location})
			kinds[filepath.Base(f.Location)] = f.Kind
		}
		files = append(files, upload.File{Path: runSummary})
		kinds[filepath.Base(runSummary)] = "run summary"
		// A signal, before the upload or during it, leaves it
		// finishTimeout from the signal's arrival.
		upCtx, cancelUp := graceContext(ctx, finishTimeout(opts))
		defer cancelUp()
		uris, err := upload.Upload(upCtx, opts.CallerConfig, opts.S3Options, dest, files, upload.Options{SSEKMSKeyID: opts.SSEKMSKey, Now: now(), ExpectedBucketOwner: opts.ExpectedBucketOwner})
		for _, u := range uris {
			out.Files = append(out.Files, summary.File{Kind: kinds[path.Base(u)] + " (uploaded)", Location: u})
		}
		if err != nil {
			upErr := fmt.Errorf("upload reports to %s: %w", opts.Output, err)
			if ctx.Err() != nil {
				upErr = fmt.Errorf("%w (%w)", upErr, ErrIncomplete)
			}
			log.Warn("upload stopped", "error", err)
			if stepErr == nil || errors.Is(upErr, ErrIncomplete) {
				stepErr = errors.Join(stepErr, upErr)
			} else {
				// A failed upload is exit 2 even after a cut import: the
				// import is told, not wrapped.
				stepErr = fmt.Errorf("%w\nalso: %s", upErr, stepErr.Error())
			}
		}
	}

	if opts.Summary != nil {
		if err := summary.Write(opts.Summary, doc, summary.Options{Files: out.Files, FailOn: opts.FailOn, SecurityHub: out.Import, Facts: facts}); err != nil {
			writeErrs = append(writeErrs, fmt.Errorf("summary: %w", err))
		}
	}
	var importFailed, importFailures int
	if out.Import != nil {
		t := out.Import.Totals()
		// Failures also holds what no finding count shows: an account whose
		// role could not be assumed with nothing to import tonight, a region
		// whose earlier findings could not be read (so nothing there was
		// archived or kept in step).
		importFailed, importFailures = t.Failed, len(t.Failures)
	}
	switch {
	case len(writeErrs) > 0:
		// Exit 2 whatever else happened: the step error is told, not
		// wrapped, so that its sentinel cannot turn this into exit 3.
		what := "outputs"
		if len(writeErrs) == 1 {
			what = "output"
		}
		err := fmt.Errorf("%d %s could not be written:\n%w", len(writeErrs), what, errors.Join(writeErrs...))
		if stepErr != nil {
			err = fmt.Errorf("%w\nalso: %s", err, stepErr.Error())
		}
		return out, err
	case stepErr != nil && !errors.Is(stepErr, ErrIncomplete):
		return out, stepErr
	case out.AtOrAboveFailOn > 0:
		// Exit 1 takes precedence over 3 (README "Exit codes").
		return out, fmt.Errorf("%d %w (%s)", out.AtOrAboveFailOn, ErrFindingsAtThreshold, opts.FailOn)
	case stepErr != nil:
		return out, stepErr
	case !doc.Coverage.Complete || len(doc.Coverage.Gaps) > 0:
		return out, fmt.Errorf("%d gaps: %w", len(doc.Coverage.Gaps), ErrIncomplete)
	case importFailures > 0:
		return out, fmt.Errorf("import to Security Hub: %d findings not accepted, %d failures (the summary and the log name them): %w", importFailed, importFailures, ErrIncomplete)
	}
	return out, nil
}

// reportSuppressions records in doc what each accepted risk did (the
// stream marked the findings as they were evaluated) and says in the log
// which entries expired (their findings are active again), which matched
// nothing (stale) and which name a rule that is not evaluated. None of
// these stops the run: a night's scan is not lost to a typo, and
// 'hoofprint suppressions check' catches them in review.
func reportSuppressions(log *slog.Logger, doc *findings.Document, set *suppress.Set) {
	ids := make([]string, len(doc.Rules))
	for i, r := range doc.Rules {
		ids[i] = r.ID
	}
	if err := set.UnknownRules(ids); err != nil {
		log.Warn("suppressions name rules that are not evaluated", "file", set.Source, "error", err)
	}
	doc.Suppressions = set.Report()
	doc.SuppressionsSource = set.Source
	for _, e := range doc.Suppressions {
		switch {
		case e.Expired && e.Matched > 0:
			log.Warn("suppression expired: its findings are active again", "entry", e.Source, "rule", e.Rule, "resource", e.Resource,
				"owner", e.Owner, "expired", e.Expires.UTC().Format(time.RFC3339), "findings", e.Matched)
		case e.Expired:
			log.Warn("suppression expired (and matched nothing tonight): remove it", "entry", e.Source, "rule", e.Rule, "owner", e.Owner,
				"expired", e.Expires.UTC().Format(time.RFC3339))
		case e.Stale():
			log.Warn("suppression is stale: it matched no finding tonight", "entry", e.Source, "rule", e.Rule, "resource", e.Resource, "owner", e.Owner)
		}
	}
}

// RunSummary is the small JSON document uploaded next to the reports
// (summary.json), so a dashboard or a person can see how a night went
// without opening the SARIF file.
type RunSummary struct {
	Tool           string    `json:"tool"`
	Version        string    `json:"version"`
	StartedAt      time.Time `json:"startedAt"`
	FinishedAt     time.Time `json:"finishedAt"`
	OrganizationID string    `json:"organizationId,omitempty"`
	Accounts       int       `json:"accounts"`
	// Findings, BySeverity and ByRule count active findings; Suppressed
	// those an accepted risk covers.
	Findings        int            `json:"findings"`
	Suppressed      int            `json:"suppressed"`
	BySeverity      map[string]int `json:"bySeverity"`
	ByRule          map[string]int `json:"byRule"`
	FailOn          string         `json:"failOn"`
	AtOrAboveFailOn int            `json:"atOrAboveFailOn"`
	Complete        bool           `json:"complete"`
	Interrupted     string         `json:"interrupted,omitempty"`
	Gaps            int            `json:"gaps"`
	// SuppressionsExpired and SuppressionsStale count entries of the
	// suppressions file that no longer suppress, or matched nothing.
	SuppressionsExpired int           `json:"suppressionsExpired,omitempty"`
	SuppressionsStale   int           `json:"suppressionsStale,omitempty"`
	SecurityHub         *ImportCounts `json:"securityHub,omitempty"`
	// Profile is the --profile that chose the rules; Controls are the
	// HIPAA Security Rule sections with the accounts passing, failing and
	// not evaluated because of gaps, and the rules behind each.
	Profile  string                   `json:"profile,omitempty"`
	Controls []findings.ControlStatus `json:"controls,omitempty"`
}

// ImportCounts are the Security Hub import totals of a run.
type ImportCounts struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Archived int `json:"archived"`
	Kept     int `json:"kept"`
	Failed   int `json:"failed"`
	// Failures counts what went wrong: rejected findings, accounts whose
	// role could not be assumed, regions whose earlier findings could not
	// be read. Any makes the run incomplete (exit 3).
	Failures int `json:"failures"`
	// Suppressed were set to workflow SUPPRESSED; Reactivated set back to
	// NEW when their accepted risk expired.
	Suppressed  int `json:"suppressed"`
	Reactivated int `json:"reactivated"`
}

// writeRunSummary writes summary.json into a new temporary directory and
// returns its path.
func writeRunSummary(doc findings.Document, failing *findings.Failing, out Outcome, opts Options) (string, error) {
	rs := RunSummary{
		Tool: doc.ToolName, Version: doc.ToolVersion, StartedAt: doc.StartedAt, FinishedAt: doc.FinishedAt,
		OrganizationID: doc.OrganizationID, Accounts: len(doc.Accounts), Findings: doc.ActiveOnly().Count(), Suppressed: doc.SuppressedCount(),
		BySeverity: map[string]int{}, ByRule: map[string]int{}, FailOn: opts.FailOn.String(),
		AtOrAboveFailOn: out.AtOrAboveFailOn, Complete: doc.Coverage.Complete,
		Interrupted: doc.Coverage.Interrupted, Gaps: len(doc.Coverage.Gaps),
		Profile: doc.Profile, Controls: doc.ControlStatusesOf(failing),
	}
	active := doc.ActiveOnly()
	for sev, n := range active.CountBySeverity() {
		rs.BySeverity[sev.String()] += n
	}
	for id, n := range active.CountByRule() {
		rs.ByRule[id] += n
	}
	for _, e := range doc.Suppressions {
		switch {
		case e.Expired:
			rs.SuppressionsExpired++
		case e.Stale():
			rs.SuppressionsStale++
		}
	}
	if out.Import != nil {
		t := out.Import.Totals()
		rs.SecurityHub = &ImportCounts{Imported: t.Imported, Updated: t.Updated, Archived: t.Archived, Kept: t.Kept, Failed: t.Failed, Failures: len(t.Failures),
			Suppressed: t.Suppressed, Reactivated: t.Reactivated}
	}
	dir, err := os.MkdirTemp("", "hoofprint-run-")
	if err != nil {
		return "", fmt.Errorf("write run summary: %w", err)
	}
	path := filepath.Join(dir, "summary.json")
	err = writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rs)
	})
	return path, err
}

// markStopped records an evaluation that stopped early in the document's
// coverage: the run is incomplete, and each rule that did not run
// everywhere is a gap naming the first resource it did not finish on.
func markStopped(doc *findings.Document, st *rules.StoppedError, caller string) {
	doc.Coverage.Complete = false
	doc.Coverage.Interrupted = st.Error()
	doc.Coverage.Gaps = append([]inventory.Gap(nil), doc.Coverage.Gaps...)
	for _, u := range st.Unfinished {
		code := "EvaluationStopped"
		if contains(st.Running, u.RuleID) {
			code = "EvaluationTimeout"
		}
		resource := u.Resource
		if resource == "organization" {
			resource = ""
		}
		doc.Coverage.Gaps = append(doc.Coverage.Gaps, inventory.Gap{
			AccountID: cmp.Or(u.AccountID, caller),
			Service:   "hoofprint",
			Operation: "evaluate rule " + u.RuleID,
			Resource:  resource,
			Code:      code,
			Message:   fmt.Sprintf("rule %s did not finish on %d inputs: %v", u.RuleID, u.Inputs, st.Cause),
		})
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

// graceContext is a context for a step that must outlive a signal on ctx
// by grace: a signal that already came leaves it grace from now, one that
// comes while it runs grace from its arrival. Never cancelled otherwise.
func graceContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	step, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel(fmt.Errorf("%w, and its %s of grace are over", context.Cause(ctx), grace))
		case <-step.Done():
		}
	})
	return step, func() {
		stop()
		cancel(context.Canceled)
	}
}

func finishTimeout(opts Options) time.Duration {
	if opts.FinishTimeout > 0 {
		return opts.FinishTimeout
	}
	return 20 * time.Second
}

// writeFile writes through a temporary file and a rename, so a report is
// either whole or absent, and creates the directory if needed.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return commitTemp(tmp, path)
}

// createTemp creates the temporary file that becomes path (commitTemp), in
// path's directory so that the rename stays on one file system.
func createTemp(path string) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".hoofprint-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return tmp, nil
}

// commitTemp closes tmp and renames it to path; on failure tmp is removed.
func commitTemp(tmp *os.File, path string) error {
	err := tmp.Close()
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
