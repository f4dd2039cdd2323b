// Package securityhub imports a scan's findings into AWS Security Hub and
// keeps them in step night after night: findings still observed are
// updated in place, findings no longer observed are archived as passed, and
// nothing is archived where the scan could not look.
//
// Security Hub accepts a finding with the default product ARN only from the
// account it is about, so each account's findings are imported with that
// account's own (assumed-role) configuration, per region (Security Hub User
// Guide, "BatchImportFindings for finding providers"). Requests respect the
// partner guide's limits ("Guidelines for using the BatchImportFindings
// API"): at most 100 findings and 6 MB a batch, 240 KB a finding, and
// 10 requests a second per account and region.
package securityhub

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// Limits from the Security Hub partner guide.
const (
	MaxBatchFindings = 100
	MaxBatchBytes    = 6 * 1024 * 1024
	MaxFindingBytes  = 240 * 1024
	// DefaultRequestsPerSecond stays under Security Hub's 10 requests a
	// second per account and region (BatchImportFindings,
	// BatchUpdateFindings), leaving room for other callers.
	DefaultRequestsPerSecond = 8
	// DefaultReadsPerSecond paces GetFindings, whose own limit is 3
	// requests a second (burst 6) per account and region, shared with the
	// console and every other reader of the account's findings.
	// https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html
	DefaultReadsPerSecond = 2
)

// AccountConfigs gives the AWS configuration to use for an account: the
// caller's own, or an assumed role in a member account.
// *awsclient.Base satisfies it.
type AccountConfigs interface {
	Account(ctx context.Context, accountID string) (aws.Config, error)
}

// Options configure an import.
type Options struct {
	// ASFF tunes how findings are built (partition, default region).
	ASFF asff.Options
	// Regions are extra regions to look for earlier findings in, besides
	// doc.Regions, the regions of tonight's findings and the default region.
	Regions []string
	// ClientOptions are applied to every Security Hub client.
	ClientOptions []func(*sh.Options)
	// RequestsPerSecond per account and region (0 means 8), for every
	// operation but GetFindings.
	RequestsPerSecond float64
	// ReadsPerSecond paces GetFindings per account and region (0 means 2).
	ReadsPerSecond float64
	// MaxAttempts per request, retries on throttling included (0 means 10).
	MaxAttempts int
	// Backoff overrides the retry delay (tests); nil keeps the SDK's
	// exponential backoff with jitter, capped at 20 s.
	Backoff retry.BackoffDelayer
	// Adjust, when set, may change each finding just before it is sent
	// (e.g. to add organization-specific ProductFields). Tests use it to
	// send a finding Security Hub must reject.
	Adjust func(*types.AwsSecurityFinding)
	// Concurrency is how many accounts are imported at once (0 means 4).
	Concurrency int
	// Now is the import time when doc.FinishedAt is zero.
	Now time.Time
	// Logger receives progress; nil discards it. Keys are never logged:
	// findings carry hashes.
	Logger *slog.Logger
}

// Result is what an import did, per account.
type Result struct {
	Accounts []AccountResult
}

// AccountResult counts one account's findings.
type AccountResult struct {
	AccountID string
	// Imported were new to Security Hub; Updated existed and were
	// re-imported in place; Archived were no longer observed where the scan
	// looked fully and were sent back as PASSED and ARCHIVED.
	Imported, Updated, Archived int
	// Kept were not observed tonight but not archived, because the rule,
	// account and region were not fully evaluated (coverage gap, unread
	// account, sampled objects). Security Hub keeps them ACTIVE.
	Kept int
	// Failed counts findings Security Hub rejected or that could not be
	// sent; Failures says why.
	Failed   int
	Failures []Failure
	// Suppressed counts tonight's findings an accepted risk covers that
	// were put in workflow SUPPRESSED (at creation, or by
	// BatchUpdateFindings for a finding that already existed);
	// Reactivated those hoofprint had suppressed earlier whose accepted
	// risk expired or was removed, set back to NEW.
	Suppressed, Reactivated int
}

// Failure is one finding (or a whole request) that did not import.
type Failure struct {
	AccountID string
	Region    string
	// FindingID is "" when a whole request or the account failed.
	FindingID string
	Code      string
	Message   string
}

func (f Failure) String() string {
	id := f.FindingID
	if id == "" {
		id = "(whole request)"
	}
	return fmt.Sprintf("account %s %s: %s: %s: %s", f.AccountID, f.Region, id, f.Code, f.Message)
}

// Totals sums the per-account counts.
func (r Result) Totals() AccountResult {
	var t AccountResult
	for _, a := range r.Accounts {
		t.Imported += a.Imported
		t.Updated += a.Updated
		t.Archived += a.Archived
		t.Kept += a.Kept
		t.Failed += a.Failed
		t.Failures = append(t.Failures, a.Failures...)
		t.Suppressed += a.Suppressed
		t.Reactivated += a.Reactivated
	}
	return t
}

// Err joins every failure into one error, nil when there were none, so the
// caller can report "ran with gaps" (exit code 3).
func (r Result) Err() error {
	var errs []error
	for _, a := range r.Accounts {
		for _, f := range a.Failures {
			errs = append(errs, errors.New("security hub import: "+f.String()))
		}
	}
	return errors.Join(errs...)
}

// Import sends doc's findings to Security Hub, account by account (with
// configs' configuration for each) and region by region, and archives
// earlier findings that were fixed. A
// failure in one account or region is recorded in the Result and never
// stops the others; the error is non-nil only for invalid options or a
// cancelled context.
func Import(ctx context.Context, configs AccountConfigs, doc findings.Document, opts Options) (Result, error) {
	if configs == nil {
		return Result{}, errors.New("security hub import: no account configurations")
	}
	if opts.RequestsPerSecond <= 0 {
		opts.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if opts.ReadsPerSecond <= 0 {
		opts.ReadsPerSecond = DefaultReadsPerSecond
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ASFF.Now.IsZero() {
		opts.ASFF.Now = opts.Now
	}
	// Global findings go to the partition's home region (GovCloud and China
	// have no us-east-1), with product ARNs in that partition.
	opts.ASFF = opts.ASFF.ForDocument(doc)
	scope := view.NewScope(doc)

	current, err := groupFindings(doc, opts.ASFF)
	if err != nil {
		return Result{}, fmt.Errorf("security hub import: %w", err)
	}
	defer func() { _ = current.close() }()
	accounts := map[string]bool{}
	regionSet := map[string]bool{opts.ASFF.Region(findings.Finding{}): true}
	for _, r := range doc.Regions {
		regionSet[r] = true
	}
	for _, r := range opts.Regions {
		regionSet[r] = true
	}
	for k := range current.count {
		accounts[k.account] = true
		regionSet[k.region] = true
	}
	// Scanned accounts with no finding tonight may hold earlier findings
	// that are now fixed.
	for _, a := range doc.Accounts {
		accounts[a] = true
	}
	regions := view.SortedKeys(regionSet)

	imp := &importer{opts: opts, doc: doc, scope: scope, limiters: map[string]*rate.Limiter{}}
	results := make([]AccountResult, 0, len(accounts))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for _, acct := range view.SortedKeys(accounts) {
		g.Go(func() error {
			res := AccountResult{AccountID: acct}
			cfg, err := configs.Account(gctx, acct)
			if err != nil {
				// An account we cannot assume into keeps its findings as
				// they are; tonight's findings for it are reported failed.
				n := 0
				for k, c := range current.count {
					if k.account == acct {
						n += c
					}
				}
				res.Failed = n
				res.Failures = append(res.Failures, Failure{AccountID: acct, Code: errorCode(err), Message: "get account credentials: " + err.Error()})
			} else {
				for _, region := range regions {
					if gctx.Err() != nil {
						break
					}
					fs, err := current.load(acct, region, doc, opts.ASFF)
					if err != nil {
						res.Failed += current.count[groupKey{acct, region}]
						res.Failures = append(res.Failures, Failure{AccountID: acct, Region: region, Code: "ReadFindings", Message: err.Error()})
						continue
					}
					imp.importRegion(gctx, cfg, acct, region, fs, &res)
				}
			}
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
			// Never return an error: one account must not cancel the rest.
			return nil
		})
	}
	_ = g.Wait()
	slices.SortFunc(results, func(a, b AccountResult) int { return cmp.Compare(a.AccountID, b.AccountID) })
	if err := ctx.Err(); err != nil {
		return Result{Accounts: results}, fmt.Errorf("security hub import: %w", err)
	}
	return Result{Accounts: results}, nil
}

type importer struct {
	opts  Options
	doc   findings.Document
	scope *view.Scope

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// limiter is the request budget of one account and region for GetFindings
// (reads) or for the other operations, shared by every request (retries
// included) of that kind to that pair.
func (im *importer) limiter(account, region string, reads bool) *rate.Limiter {
	im.mu.Lock()
	defer im.mu.Unlock()
	k, perSecond := account+"/"+region+"/write", im.opts.RequestsPerSecond
	if reads {
		k, perSecond = account+"/"+region+"/read", im.opts.ReadsPerSecond
	}
	l, ok := im.limiters[k]
	if !ok {
		l = rate.NewLimiter(rate.Limit(perSecond), 1)
		im.limiters[k] = l
	}
	return l
}

// client builds a Security Hub client for account and region whose every
// HTTP attempt waits for the pair's rate limiter of its kind, and which
// retries throttling with backoff.
func (im *importer) client(cfg aws.Config, account, region string) *sh.Client {
	c := cfg.Copy()
	c.Region = region
	inner := c.HTTPClient
	if inner == nil {
		inner = http.DefaultClient
	}
	c.HTTPClient = limitedClient{inner: inner, reads: im.limiter(account, region, true), writes: im.limiter(account, region, false)}
	opts := append([]func(*sh.Options){func(o *sh.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = im.opts.MaxAttempts
			so.MaxBackoff = 20 * time.Second
			// Throttling is expected at 10 requests a second; the limiter
			// above and backoff pace us, so do not give up on a retry quota.
			so.RateLimiter = ratelimit.None
			if im.opts.Backoff != nil {
				so.Backoff = im.opts.Backoff
			}
		})
	}}, im.opts.ClientOptions...)
	return sh.NewFromConfig(c, opts...)
}

// limitedClient waits for the limiter of the request's operation: the
// SDK's request context names it.
type limitedClient struct {
	inner         aws.HTTPClient
	reads, writes *rate.Limiter
}

func (l limitedClient) Do(req *http.Request) (*http.Response, error) {
	lim := l.writes
	if awsmiddleware.GetOperationName(req.Context()) == "GetFindings" {
		lim = l.reads
	}
	if err := lim.Wait(req.Context()); err != nil {
		return nil, err
	}
	return l.inner.Do(req)
}

func (im *importer) importRegion(ctx context.Context, cfg aws.Config, account, region string, current []asff.Finding, res *AccountResult) {
	log := im.opts.Logger.With("account", account, "region", region)
	// res accumulates the account's regions; the log record counts this
	// region only, so that summing records (CloudWatch metric filters)
	// counts each finding once.
	before := *res
	client := im.client(cfg, account, region)
	productARN := asff.ProductARN(im.opts.ASFF.PartitionFor(im.doc), region, account)

	existing, err := im.existing(ctx, client, productARN)
	if err != nil && len(current) == 0 && errorCode(err) == "InvalidAccessException" {
		// Security Hub is not enabled in this account and region, and there
		// is nothing to import here: nothing to keep in step either.
		log.Info("Security Hub not enabled; nothing to import or archive here")
		return
	}
	if err != nil {
		// Without the earlier findings we cannot preserve first-observed
		// times or archive, but tonight's findings can still be imported.
		log.Warn("could not read earlier Security Hub findings", "error", err)
		res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, Code: errorCode(err), Message: "GetFindings: " + err.Error()})
		existing = nil
	}

	var batch []types.AwsSecurityFinding
	kinds := map[string]string{} // finding Id -> imported|updated|archived
	seen := map[string]bool{}
	// Workflow changes that only BatchUpdateFindings can make, by note.
	var workflow []workflowChange
	for _, f := range current {
		seen[f.Id] = true
		suppressed := f.Workflow != nil && f.Workflow.Status == asff.WorkflowSuppressed
		old, exists := existing[f.Id]
		if exists && earlier(f.UpdatedAt, aws.ToString(old.UpdatedAt)) {
			// Security Hub ignores an update older than what it holds: a
			// run merged or re-imported after a newer one. Said, not sent.
			res.Failures = append(res.Failures, olderThanStored(account, region, f.Id, f.UpdatedAt, aws.ToString(old.UpdatedAt)))
			continue
		}
		if exists {
			// Keep the history: a re-run changes only UpdatedAt and
			// LastObservedAt. Workflow and Note belong to the customer once
			// the finding exists (BatchImportFindings cannot update them).
			f.CreatedAt = cmp.Or(aws.ToString(old.CreatedAt), f.CreatedAt)
			f.FirstObservedAt = cmp.Or(aws.ToString(old.FirstObservedAt), f.FirstObservedAt)
			if c, ok := workflowFor(f, old, suppressed, now(im)); ok {
				workflow = append(workflow, c)
			}
			f.Workflow = nil
			f.Note = nil
			kinds[f.Id] = "updated"
		} else {
			kinds[f.Id] = "imported"
			if suppressed {
				// Created SUPPRESSED by the import, unless Security Hub
				// already holds it ARCHIVED (fixed once, back tonight): then
				// the import's Workflow and Note are ignored, and only
				// BatchUpdateFindings suppresses it. Archived findings are not
				// read (there may be years of them), so every accepted risk
				// new to the ACTIVE findings is also set this way, once; it
				// is counted when that succeeds.
				workflow = append(workflow, workflowChange{id: f.Id, status: asff.WorkflowSuppressed, note: f.Note.Text})
			}
		}
		sdk, err := asff.ToSDK(f)
		if err != nil {
			res.Failed++
			res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, FindingID: f.Id, Code: "Encode", Message: err.Error()})
			delete(kinds, f.Id)
			continue
		}
		batch = append(batch, sdk)
	}
	for _, id := range view.SortedKeys(existing) {
		if seen[id] {
			continue
		}
		old := existing[id]
		rtype, rid := "", ""
		if len(old.Resources) > 0 {
			rtype, rid = aws.ToString(old.Resources[0].Type), aws.ToString(old.Resources[0].Id)
		}
		if !im.scope.FullyEvaluated(aws.ToString(old.GeneratorId), account, regionOfFinding(old, region), rtype, rid) {
			res.Kept++
			continue
		}
		if at := now(im).UTC().Format(time.RFC3339); earlier(at, aws.ToString(old.UpdatedAt)) {
			res.Failures = append(res.Failures, olderThanStored(account, region, id, at, aws.ToString(old.UpdatedAt)))
			continue
		}
		batch = append(batch, archived(old, now(im)))
		kinds[id] = "archived"
	}

	importFailed := map[string]bool{}
	for _, b := range batches(batch) {
		failed := im.send(ctx, client, account, region, b, res)
		for _, f := range b {
			id := aws.ToString(f.Id)
			if failed[id] {
				importFailed[id] = true
				continue
			}
			switch kinds[id] {
			case "imported":
				res.Imported++
			case "updated":
				res.Updated++
			case "archived":
				res.Archived++
			}
		}
	}
	im.updateWorkflow(ctx, client, account, region, productARN, workflow, importFailed, res)
	log.Info("security hub import", "findings", len(current), "imported", res.Imported-before.Imported, "updated", res.Updated-before.Updated,
		"archived", res.Archived-before.Archived, "kept", res.Kept-before.Kept, "failed", res.Failed-before.Failed,
		"suppressed", res.Suppressed-before.Suppressed, "reactivated", res.Reactivated-before.Reactivated)
}

// earlier is true when timestamp a is before b (both RFC 3339; false
// when either does not parse).
func earlier(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	return errA == nil && errB == nil && ta.Before(tb)
}

// olderThanStored is the failure of a finding this run would update with an
// UpdatedAt older than Security Hub's: "If UpdatedAt on the update occurs
// before UpdatedAt on the existing finding, then the update is ignored"
// (User Guide, "Using BatchImportFindings to create and update findings").
func olderThanStored(account, region, id, at, stored string) Failure {
	return Failure{AccountID: account, Region: region, FindingID: id, Code: "OlderThanStored",
		Message: fmt.Sprintf("this run's time %s is older than the finding's in Security Hub (%s): Security Hub would ignore the update (an older run imported after a newer one)", at, stored)}
}

func now(im *importer) time.Time {
	switch {
	case !im.doc.FinishedAt.IsZero():
		return im.doc.FinishedAt
	case !im.opts.Now.IsZero():
		return im.opts.Now
	}
	return time.Now()
}

// workflowChange is a BatchUpdateFindings a finding needs.
type workflowChange struct {
	id, status, note string
}

// workflowFor says whether an existing finding's workflow must change:
// an accepted risk that is not yet SUPPRESSED is suppressed, and a
// finding hoofprint suppressed (its note says so) whose accepted risk
// expired or was removed goes back to NEW. A status a person set (their
// own SUPPRESSED, NOTIFIED, RESOLVED) is left alone.
func workflowFor(f asff.Finding, old types.AwsSecurityFinding, suppressed bool, at time.Time) (workflowChange, bool) {
	status := ""
	if old.Workflow != nil {
		status = string(old.Workflow.Status)
	}
	ours := old.Note != nil && aws.ToString(old.Note.UpdatedBy) == asff.NoteAuthor
	switch {
	case suppressed && status != asff.WorkflowSuppressed:
		return workflowChange{id: f.Id, status: asff.WorkflowSuppressed, note: f.Note.Text}, true
	case suppressed && ours && aws.ToString(old.Note.Text) != f.Note.Text:
		// Still suppressed, but the entry changed (new expiry or reason).
		return workflowChange{id: f.Id, status: asff.WorkflowSuppressed, note: f.Note.Text}, true
	case !suppressed && status == asff.WorkflowSuppressed && ours:
		return workflowChange{id: f.Id, status: asff.WorkflowNew,
			note: "The accepted risk hoofprint suppressed this finding for expired or was removed on " + at.UTC().Format(time.DateOnly) + "; the finding is active again."}, true
	}
	return workflowChange{}, false
}

// updateWorkflow sends the workflow changes with BatchUpdateFindings, one
// request per note and at most 100 findings (its limit), skipping findings
// whose import failed. Security Hub applies the same Note to every finding
// of a request, hence the grouping.
func (im *importer) updateWorkflow(ctx context.Context, client *sh.Client, account, region, productARN string, changes []workflowChange, skip map[string]bool, res *AccountResult) {
	type group struct{ status, note string }
	ids := map[group][]string{}
	var order []group
	for _, c := range changes {
		if skip[c.id] {
			continue
		}
		g := group{c.status, c.note}
		if _, ok := ids[g]; !ok {
			order = append(order, g)
		}
		ids[g] = append(ids[g], c.id)
	}
	for _, g := range order {
		all := ids[g]
		for len(all) > 0 {
			n := min(len(all), MaxBatchFindings)
			chunk := all[:n]
			all = all[n:]
			in := &sh.BatchUpdateFindingsInput{
				Workflow: &types.WorkflowUpdate{Status: types.WorkflowStatus(g.status)},
				Note:     &types.NoteUpdate{Text: aws.String(g.note), UpdatedBy: aws.String(asff.NoteAuthor)},
			}
			for _, id := range chunk {
				in.FindingIdentifiers = append(in.FindingIdentifiers, types.AwsSecurityFindingIdentifier{Id: aws.String(id), ProductArn: aws.String(productARN)})
			}
			out, err := client.BatchUpdateFindings(ctx, in)
			if err != nil {
				res.Failed += len(chunk)
				res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, Code: errorCode(err),
					Message: fmt.Sprintf("BatchUpdateFindings (workflow %s) of %d findings: %v", g.status, len(chunk), err)})
				continue
			}
			for _, u := range out.UnprocessedFindings {
				id := ""
				if u.FindingIdentifier != nil {
					id = aws.ToString(u.FindingIdentifier.Id)
				}
				res.Failed++
				res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, FindingID: id, Code: aws.ToString(u.ErrorCode),
					Message: "BatchUpdateFindings (workflow " + g.status + "): " + aws.ToString(u.ErrorMessage)})
			}
			done := len(out.ProcessedFindings)
			if g.status == asff.WorkflowSuppressed {
				res.Suppressed += done
			} else {
				res.Reactivated += done
			}
		}
	}
}

// regionOfFinding is the region a finding's rule was evaluated for: its
// resource's region, or the import region for global resources.
func regionOfFinding(f types.AwsSecurityFinding, importRegion string) string {
	if len(f.Resources) > 0 && f.Resources[0].Region != nil {
		return aws.ToString(f.Resources[0].Region)
	}
	return importRegion
}

// existing returns hoofprint's ACTIVE findings in this account and region,
// by Id. The filters are also applied here, because emulators may ignore
// them and another custom provider may share the default product ARN.
func (im *importer) existing(ctx context.Context, client *sh.Client, productARN string) (map[string]types.AwsSecurityFinding, error) {
	eq := types.StringFilterComparisonEquals
	in := &sh.GetFindingsInput{
		Filters: &types.AwsSecurityFindingFilters{
			ProductArn:  []types.StringFilter{{Comparison: eq, Value: aws.String(productARN)}},
			Id:          []types.StringFilter{{Comparison: types.StringFilterComparisonPrefix, Value: aws.String(asff.IDPrefix)}},
			RecordState: []types.StringFilter{{Comparison: eq, Value: aws.String(asff.RecordActive)}},
		},
		MaxResults: aws.Int32(100),
	}
	out := map[string]types.AwsSecurityFinding{}
	p := sh.NewGetFindingsPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range page.Findings {
			id := aws.ToString(f.Id)
			if aws.ToString(f.ProductArn) != productARN || !strings.HasPrefix(id, asff.IDPrefix) || (f.RecordState != "" && string(f.RecordState) != asff.RecordActive) {
				continue
			}
			out[id] = f
		}
	}
	return out, nil
}

// archived is an earlier finding sent back as fixed: Compliance PASSED,
// RecordState ARCHIVED, UpdatedAt now. Only fields a provider may send are
// copied; Security Hub's own (ProcessedAt, Workflow, Note, "aws/" product
// fields) are left out.
func archived(old types.AwsSecurityFinding, now time.Time) types.AwsSecurityFinding {
	pf := map[string]string{}
	for k, v := range old.ProductFields {
		if !strings.HasPrefix(k, "aws/") {
			pf[k] = v
		}
	}
	comp := &types.Compliance{Status: types.ComplianceStatusPassed}
	if old.Compliance != nil {
		comp.RelatedRequirements = old.Compliance.RelatedRequirements
	}
	return types.AwsSecurityFinding{
		SchemaVersion:         old.SchemaVersion,
		Id:                    old.Id,
		ProductArn:            old.ProductArn,
		ProductName:           old.ProductName,
		CompanyName:           old.CompanyName,
		GeneratorId:           old.GeneratorId,
		AwsAccountId:          old.AwsAccountId,
		Types:                 old.Types,
		FindingProviderFields: old.FindingProviderFields,
		FirstObservedAt:       old.FirstObservedAt,
		LastObservedAt:        old.LastObservedAt,
		CreatedAt:             old.CreatedAt,
		UpdatedAt:             aws.String(now.UTC().Format(time.RFC3339)),
		Severity:              old.Severity,
		Title:                 old.Title,
		Description:           old.Description,
		Remediation:           old.Remediation,
		SourceUrl:             old.SourceUrl,
		ProductFields:         pf,
		Resources:             old.Resources,
		Compliance:            comp,
		RecordState:           types.RecordStateArchived,
	}
}

// batches splits findings into requests of at most MaxBatchFindings and
// MaxBatchBytes (measured as JSON, with headroom for the request envelope).
func batches(fs []types.AwsSecurityFinding) [][]types.AwsSecurityFinding {
	const budget = MaxBatchBytes - 64*1024
	var out [][]types.AwsSecurityFinding
	var cur []types.AwsSecurityFinding
	size := 0
	for _, f := range fs {
		n := findingSize(f)
		if len(cur) > 0 && (len(cur) == MaxBatchFindings || size+n > budget) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, f)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func findingSize(f types.AwsSecurityFinding) int {
	b, err := json.Marshal(f)
	if err != nil {
		return MaxFindingBytes
	}
	return len(b)
}

// send imports one batch and returns the Ids that failed. A finding over
// 240 KB first loses its evidence product fields; if still too large it is
// reported failed without being sent.
func (im *importer) send(ctx context.Context, client *sh.Client, account, region string, batch []types.AwsSecurityFinding, res *AccountResult) map[string]bool {
	failed := map[string]bool{}
	var ok []types.AwsSecurityFinding
	for _, f := range batch {
		if findingSize(f) > MaxFindingBytes {
			f = trimEvidence(f)
		}
		if findingSize(f) > MaxFindingBytes {
			id := aws.ToString(f.Id)
			failed[id] = true
			res.Failed++
			res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, FindingID: id, Code: "FindingTooLarge", Message: "over 240 KB even without evidence"})
			continue
		}
		if im.opts.Adjust != nil {
			im.opts.Adjust(&f)
		}
		ok = append(ok, f)
	}
	if len(ok) == 0 {
		return failed
	}
	out, err := client.BatchImportFindings(ctx, &sh.BatchImportFindingsInput{Findings: ok})
	if err != nil {
		for _, f := range ok {
			failed[aws.ToString(f.Id)] = true
		}
		res.Failed += len(ok)
		res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, Code: errorCode(err),
			Message: fmt.Sprintf("BatchImportFindings of %d findings: %v", len(ok), err)})
		return failed
	}
	for _, ff := range out.FailedFindings {
		id := aws.ToString(ff.Id)
		failed[id] = true
		res.Failed++
		res.Failures = append(res.Failures, Failure{AccountID: account, Region: region, FindingID: id, Code: aws.ToString(ff.ErrorCode), Message: aws.ToString(ff.ErrorMessage)})
	}
	return failed
}

func trimEvidence(f types.AwsSecurityFinding) types.AwsSecurityFinding {
	pf := map[string]string{}
	for k, v := range f.ProductFields {
		if !strings.HasPrefix(k, "hoofprint/evidence/") {
			pf[k] = v
		}
	}
	pf["hoofprint/evidenceTrimmed"] = "finding exceeded 240 KB; see the SARIF or ASFF file"
	f.ProductFields = pf
	return f
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "canceled"
	}
	return "error"
}
