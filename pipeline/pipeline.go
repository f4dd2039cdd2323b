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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/sarif"
	"github.com/hoofprint/hoofprint/report/securityhub"
	"github.com/hoofprint/hoofprint/report/summary"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/upload"
)

// Options say which reports to write and how to judge the outcome.
type Options struct {
	// InventoryPath, SARIFPath, ASFFPath: files to write ("" = don't).
	InventoryPath string
	SARIFPath     string
	ASFFPath      string
	// BaselinePath is last night's SARIF file, for baselineState.
	BaselinePath string
	// RuleDirs hold extra user Rego rules.
	RuleDirs []string
	// FailOn is the severity at or above which the run fails (exit 1).
	FailOn findings.Severity
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
	// Files are the reports written: local paths, then s3:// URIs.
	Files []summary.File
	// AtOrAboveFailOn counts findings at or above Options.FailOn.
	AtOrAboveFailOn int
	// Import is the Security Hub import result, nil when not asked.
	Import *securityhub.Result
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
func Run(ctx context.Context, inv *inventory.Snapshot, opts Options) (Outcome, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	interrupted := ctx.Err() != nil
	// Reports are local files and must be written even after a signal.
	writeCtx := context.WithoutCancel(ctx)
	var out Outcome

	// The inventory first: it is the most expensive thing to get again.
	if opts.InventoryPath != "" {
		if err := os.MkdirAll(filepath.Dir(opts.InventoryPath), 0o755); err != nil {
			return out, fmt.Errorf("write inventory: %w", err)
		}
		if err := inventory.WriteFile(opts.InventoryPath, inv); err != nil {
			return out, err
		}
		out.Files = append(out.Files, summary.File{Kind: "inventory", Location: opts.InventoryPath})
		log.Info("inventory written", "path", opts.InventoryPath)
	}

	engine, err := rules.Load(writeCtx, rules.Options{Dirs: opts.RuleDirs})
	if err != nil {
		return out, fmt.Errorf("load rules: %w", err)
	}
	fs, err := engine.Evaluate(writeCtx, inv)
	if err != nil {
		return out, fmt.Errorf("evaluate rules: %w", err)
	}
	doc := findings.NewDocument(inv, engine.Rules(), fs)
	out.Document = doc
	log.Info("rules evaluated", "rules", len(doc.Rules), "findings", len(doc.Findings))

	if opts.SARIFPath != "" {
		sopts := sarif.Options{}
		if opts.BaselinePath != "" {
			base, err := sarif.ReadBaseline(opts.BaselinePath)
			if err != nil {
				return out, fmt.Errorf("--baseline %s: %w", opts.BaselinePath, err)
			}
			sopts.Baseline = base
		}
		if err := writeFile(opts.SARIFPath, func(w io.Writer) error { return sarif.Write(w, doc, sopts) }); err != nil {
			return out, err
		}
		out.Files = append(out.Files, summary.File{Kind: "SARIF", Location: opts.SARIFPath})
	}
	if opts.ASFFPath != "" {
		aopts := asff.Options{Now: now()}
		if err := writeFile(opts.ASFFPath, func(w io.Writer) error { return asff.Write(w, doc, aopts) }); err != nil {
			return out, err
		}
		out.Files = append(out.Files, summary.File{Kind: "ASFF", Location: opts.ASFFPath})
	}

	netCtx := ctx
	if interrupted {
		var cancel context.CancelFunc
		netCtx, cancel = context.WithTimeout(writeCtx, finishTimeout(opts))
		defer cancel()
	}
	// The network steps below never stop the summary from being printed:
	// a failed upload is an error (exit 2) and failed imports make the run
	// incomplete (exit 3), but the user still sees what was found.
	var stepErr error
	if opts.SecurityHub {
		switch {
		case interrupted:
			// An interrupted run has not seen everything; importing would be
			// safe (archiving checks coverage) but may not finish in time.
			log.Warn("Security Hub import skipped: the scan was interrupted")
		case opts.Accounts == nil:
			return out, errors.New("--securityhub needs AWS credentials")
		default:
			res, err := securityhub.Import(netCtx, opts.Accounts, doc, securityhub.Options{Now: now(), Logger: log})
			out.Import = &res
			if err != nil {
				stepErr = fmt.Errorf("import to Security Hub: %w", err)
			}
		}
	}
	for _, f := range doc.Findings {
		if opts.FailOn != findings.SeverityNone && f.Severity >= opts.FailOn {
			out.AtOrAboveFailOn++
		}
	}
	if opts.Output != "" && stepErr == nil {
		dest, err := upload.ParseDestination(opts.Output)
		if err != nil {
			return out, err
		}
		runSummary, err := writeRunSummary(doc, out, opts)
		if err != nil {
			return out, err
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
		uris, err := upload.Upload(netCtx, opts.CallerConfig, opts.S3Options, dest, files, upload.Options{SSEKMSKeyID: opts.SSEKMSKey, Now: now(), ExpectedBucketOwner: opts.ExpectedBucketOwner})
		for _, u := range uris {
			out.Files = append(out.Files, summary.File{Kind: kinds[path.Base(u)] + " (uploaded)", Location: u})
		}
		if err != nil {
			stepErr = fmt.Errorf("upload reports to %s: %w", opts.Output, err)
		}
	}

	if opts.Summary != nil {
		if err := summary.Write(opts.Summary, doc, summary.Options{Files: out.Files, FailOn: opts.FailOn, SecurityHub: out.Import}); err != nil {
			return out, err
		}
	}
	var importFailed int
	if out.Import != nil {
		importFailed = out.Import.Totals().Failed
	}
	switch {
	case stepErr != nil:
		return out, stepErr
	case out.AtOrAboveFailOn > 0:
		return out, fmt.Errorf("%d %w (%s)", out.AtOrAboveFailOn, ErrFindingsAtThreshold, opts.FailOn)
	case !doc.Coverage.Complete || len(doc.Coverage.Gaps) > 0:
		return out, fmt.Errorf("%d gaps: %w", len(doc.Coverage.Gaps), ErrIncomplete)
	case importFailed > 0:
		return out, fmt.Errorf("%d findings Security Hub did not accept: %w", importFailed, ErrIncomplete)
	}
	return out, nil
}

// RunSummary is the small JSON document uploaded next to the reports
// (summary.json), so a dashboard or a person can see how a night went
// without opening the SARIF file.
type RunSummary struct {
	Tool            string         `json:"tool"`
	Version         string         `json:"version"`
	StartedAt       time.Time      `json:"startedAt"`
	FinishedAt      time.Time      `json:"finishedAt"`
	OrganizationID  string         `json:"organizationId,omitempty"`
	Accounts        int            `json:"accounts"`
	Findings        int            `json:"findings"`
	BySeverity      map[string]int `json:"bySeverity"`
	ByRule          map[string]int `json:"byRule"`
	FailOn          string         `json:"failOn"`
	AtOrAboveFailOn int            `json:"atOrAboveFailOn"`
	Complete        bool           `json:"complete"`
	Interrupted     string         `json:"interrupted,omitempty"`
	Gaps            int            `json:"gaps"`
	SecurityHub     *ImportCounts  `json:"securityHub,omitempty"`
}

// ImportCounts are the Security Hub import totals of a run.
type ImportCounts struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Archived int `json:"archived"`
	Kept     int `json:"kept"`
	Failed   int `json:"failed"`
}

// writeRunSummary writes summary.json into a new temporary directory and
// returns its path.
func writeRunSummary(doc findings.Document, out Outcome, opts Options) (string, error) {
	rs := RunSummary{
		Tool: doc.ToolName, Version: doc.ToolVersion, StartedAt: doc.StartedAt, FinishedAt: doc.FinishedAt,
		OrganizationID: doc.OrganizationID, Accounts: len(doc.Accounts), Findings: len(doc.Findings),
		BySeverity: map[string]int{}, ByRule: map[string]int{}, FailOn: opts.FailOn.String(),
		AtOrAboveFailOn: out.AtOrAboveFailOn, Complete: doc.Coverage.Complete,
		Interrupted: doc.Coverage.Interrupted, Gaps: len(doc.Coverage.Gaps),
	}
	for _, f := range doc.Findings {
		rs.BySeverity[f.Severity.String()]++
		rs.ByRule[f.RuleID]++
	}
	if out.Import != nil {
		t := out.Import.Totals()
		rs.SecurityHub = &ImportCounts{Imported: t.Imported, Updated: t.Updated, Archived: t.Archived, Kept: t.Kept, Failed: t.Failed}
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

func finishTimeout(opts Options) time.Duration {
	if opts.FinishTimeout > 0 {
		return opts.FinishTimeout
	}
	return 20 * time.Second
}

// writeFile writes through a temporary file and a rename, so a report is
// either whole or absent, and creates the directory if needed.
func writeFile(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".hoofprint-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
