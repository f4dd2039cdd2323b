// Package scanner collects an AWS Organization into one inventory snapshot:
// accounts, S3 buckets with their access configuration and a sample of
// their objects, CloudFront distributions with their origins and origin
// identities, and the coverage gaps of everything it could not read.
//
// It decides nothing: rules read the snapshot. A failure to read one thing
// (AccessDenied, throttling past the retries, a timeout) becomes an
// inventory.Gap and the scan goes on; cancellation stops new work and still
// returns what was collected, marked incomplete.
package scanner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// Defaults for Options fields left zero.
const (
	DefaultSampleSize         = 100
	DefaultMaxForeignObjects  = 100
	DefaultListPages          = 10
	DefaultAccountTimeout     = 30 * time.Minute
	DefaultAccountConcurrency = 16
	DefaultBucketConcurrency  = 8
	DefaultACLConcurrency     = 8
	DefaultProgressInterval   = 5 * time.Second
	// DefaultDistributionConfigReads bounds GetDistributionConfig calls
	// per account (one per distribution; CloudFront allows 200
	// distributions per account unless raised).
	DefaultDistributionConfigReads = 1000
)

// Options control a scan. The zero value of every field is usable.
type Options struct {
	// Accounts limits the scan to these account IDs (--accounts).
	Accounts []string
	// ExcludeAccounts are never scanned (--exclude-accounts).
	ExcludeAccounts []string
	// SampleSize is how many listed objects per bucket get their ACL read
	// (--sample; 0 means DefaultSampleSize).
	SampleSize int
	// MaxForeignObjects bounds the objects kept (and ACL-read) per bucket
	// because their owner is not the bucket owner, on top of SampleSize
	// (0 means DefaultMaxForeignObjects).
	MaxForeignObjects int
	// ListPages is the ListObjectsV2 page budget per bucket, 1,000 keys a
	// page (0 means DefaultListPages).
	ListPages int
	// DistributionConfigReads bounds the GetDistributionConfig calls per
	// account, one per distribution, for legacy access logging (0 means
	// DefaultDistributionConfigReads). Distributions past it are a gap.
	DistributionConfigReads int
	// AccountTimeout bounds the collection of one account; what it did not
	// reach is a "timeout" gap (0 means DefaultAccountTimeout).
	AccountTimeout time.Duration
	// AccountConcurrency and BucketConcurrency bound how many accounts, and
	// buckets within one account, are collected at once. They bound
	// goroutines and memory; the load on AWS is bounded by the base's
	// awsclient.Limiter (--concurrency), shared by everything.
	AccountConcurrency int
	BucketConcurrency  int
	// NoAnonymousProbe turns off the unsigned HEAD of sampled objects that
	// could be public (--no-anonymous-probe); see probe.go.
	NoAnonymousProbe bool
	// ShowObjectKeys keeps object keys in the snapshot (--show-object-keys).
	// Otherwise only the key's hash and inventory.KeyPrefix are kept.
	ShowObjectKeys bool
	// KeyHasher hashes object keys with the deployment's secret. The zero
	// value is the unkeyed legacy hash, for tests only: the CLI always sets
	// a secret.
	KeyHasher inventory.KeyHasher
	// Seed makes object sampling reproducible: the same seed and the same
	// bucket contents give the same sample. 0 means a seed derived from the
	// scan's UTC date (20261127), so one night's sample can be reproduced
	// and successive nights look at different objects.
	Seed int64
	// ToolVersion is written into the snapshot's Tool.Version.
	ToolVersion string
	// Logger receives warnings, progress records and the final summary
	// (nil means discard).
	Logger *slog.Logger
	// Progress turns progress reporting on (nil means none). With
	// ProgressTTY a live line is rewritten on Progress; without it a
	// structured "scan progress" record goes to Logger every
	// ProgressInterval.
	Progress         io.Writer
	ProgressTTY      bool
	ProgressInterval time.Duration
	// Now is the clock (nil means time.Now); sampling leans to objects
	// modified recently relative to it.
	Now func() time.Time
	// Sink, when set, receives the organization map and then each bucket
	// as soon as it is collected; the snapshot Scan returns then holds no
	// bucket (the sink keeps what it needs). nil keeps everything in the
	// returned snapshot.
	Sink Sink
}

func (o *Options) setDefaults() error {
	if o.SampleSize < 0 {
		return fmt.Errorf("--sample must not be negative (got %d)", o.SampleSize)
	}
	if err := validateAccountIDs("--accounts", o.Accounts); err != nil {
		return err
	}
	if err := validateAccountIDs("--exclude-accounts", o.ExcludeAccounts); err != nil {
		return err
	}
	o.SampleSize = cmp.Or(o.SampleSize, DefaultSampleSize)
	o.MaxForeignObjects = cmp.Or(max(o.MaxForeignObjects, 0), DefaultMaxForeignObjects)
	o.ListPages = cmp.Or(max(o.ListPages, 0), DefaultListPages)
	o.DistributionConfigReads = cmp.Or(max(o.DistributionConfigReads, 0), DefaultDistributionConfigReads)
	o.AccountTimeout = cmp.Or(max(o.AccountTimeout, 0), DefaultAccountTimeout)
	o.AccountConcurrency = cmp.Or(max(o.AccountConcurrency, 0), DefaultAccountConcurrency)
	o.BucketConcurrency = cmp.Or(max(o.BucketConcurrency, 0), DefaultBucketConcurrency)
	o.ProgressInterval = cmp.Or(max(o.ProgressInterval, 0), DefaultProgressInterval)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Seed == 0 {
		y, m, d := o.Now().UTC().Date()
		o.Seed = int64(y*10000 + int(m)*100 + d)
	}
	return nil
}

// Sink receives a scan as it is collected (see Options.Sink).
type Sink interface {
	// Map is called once, before any bucket, with the organization map:
	// the snapshot's accounts (canonical IDs, account Block Public Access),
	// distributions with their origins resolved, OAIs, OACs and canonical
	// IDs. Its Buckets are empty and its Coverage not yet final. The map is
	// not modified afterwards; the sink may keep it.
	Map(ctx context.Context, orgMap *inventory.Snapshot) error
	// Bucket is called once per collected bucket, with its sampled
	// objects, from several goroutines at once. seq numbers the buckets in
	// the scan's order (accounts by ID, then bucket names as ListBuckets
	// returns them) from 0, without holes but for a bucket the scan failed
	// on (a panic: a gap with Code InternalError). When Bucket returns, the scanner
	// drops the bucket: the sink keeps what it needs of it.
	Bucket(ctx context.Context, seq int, b *inventory.Bucket) error
}

// scan is the state shared by all accounts of one Scan call.
type scan struct {
	// ctx is Scan's context, the parent of every per-account deadline.
	ctx      context.Context
	base     *awsclient.Base
	opts     Options
	log      *slog.Logger
	counters *counters
	cov      *coverage
	now      time.Time

	mu        sync.Mutex
	canonical map[string]inventory.CanonicalIdentity
	// owners maps the canonical ID of every scanned account to its
	// collection, so that an object another org account owns has its ACL
	// read with that account's role straight away (owneracl.go).
	owners map[string]*accountScan

	progress *progressReporter

	// byID maps each scanned account's ID to its collection, and
	// originBuckets names the buckets CloudFront reads through an OAI or
	// OAC; both are filled at the end of phase 1 (kms.go). kmsKeys caches
	// key policies by key ARN.
	byID          map[string]*accountScan
	originBuckets map[string]bool
	kmsKeys       sync.Map

	// objectReads bounds the object reads under way (gate.go).
	objectReads readGate
	// waiting holds the bucket lists phase two has not reached (waiting.go).
	waiting *waitingLists
	// stopped is a context already cancelled: the deadline of every
	// account that is done (accountScan.bucketDone).
	stopped context.Context
}

func (s *scan) addCanonical(id string, ident inventory.CanonicalIdentity) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.canonical[id]; !ok {
		s.canonical[id] = ident
	}
}

// Scan collects every account in scope, in two phases.
//
//  1. The organization map: accounts, each account's canonical ID (its
//     ListBuckets owner) and bucket list, account Block Public Access,
//     CloudFront distributions, OAIs and OACs. It is small and stays in
//     memory; with it, every origin is joined to its bucket and every
//     canonical ID is known before the first object is sampled.
//  2. The buckets, as a stream: per bucket its configuration, a listing
//     and a sample of objects, whose ACLs are read with the role of the
//     org account that owns each object. With opts.Sink set, each bucket
//     goes to the sink as soon as it is collected and its objects are then
//     dropped, so memory does not grow with the number of buckets; the
//     returned snapshot holds the map and the coverage, no bucket. Without
//     a Sink the returned snapshot keeps every bucket with its objects.
//
// It returns an error only when nothing can be done (invalid options, no
// base configuration) or the sink failed. Everything else (an account
// whose role cannot be assumed, a call denied, a deadline) is a gap in the
// snapshot's Coverage. When ctx is cancelled (SIGINT/SIGTERM) Scan stops
// starting new work, returns what was collected so far with
// Coverage.Complete=false and Coverage.Interrupted saying why, and does not
// wait for anything but the calls already in flight to be abandoned.
func Scan(ctx context.Context, base *awsclient.Base, opts Options) (*inventory.Snapshot, error) {
	s, snap, err := newScan(ctx, base, opts)
	if err != nil {
		return nil, err
	}
	accounts := s.discover(ctx, snap)
	maps := s.mapOrganization(ctx, snap, accounts)
	s.waiting.park(maps)
	sinkErr := s.streamBuckets(ctx, snap, maps)
	return s.finish(ctx, snap, sinkErr)
}

// newScan validates opts and starts a scan's shared state, its snapshot
// and its progress reporting.
func newScan(ctx context.Context, base *awsclient.Base, opts Options) (*scan, *inventory.Snapshot, error) {
	if base == nil {
		return nil, nil, errors.New("scanner: no AWS configuration")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, nil, err
	}
	s := &scan{
		ctx:       ctx,
		base:      base,
		opts:      opts,
		log:       opts.Logger,
		counters:  &counters{limiter: base.Limiter},
		now:       opts.Now(),
		canonical: map[string]inventory.CanonicalIdentity{},
		owners:    map[string]*accountScan{},
		waiting:   newWaitingLists(opts.Logger),
	}
	stopped, stop := context.WithCancel(context.Background())
	stop()
	s.stopped = stopped
	if base.Limiter != nil {
		s.objectReads = newReadGate(objectReadsPerSlot * base.Limiter.Cap())
	}
	s.cov = &coverage{logger: s.log, c: s.counters}
	snap := &inventory.Snapshot{
		SchemaVersion:   inventory.SchemaVersion,
		Tool:            inventory.Tool{Name: "hoofprint", Version: opts.ToolVersion},
		StartedAt:       s.now.UTC(),
		Partition:       base.Caller.Partition,
		CallerAccountID: base.Caller.AccountID,
		ShowObjectKeys:  opts.ShowObjectKeys,
		KeyHashing:      opts.KeyHasher.Describe(),
		AnonymousProbe:  !opts.NoAnonymousProbe,
	}
	if opts.Progress != nil {
		s.progress = startProgress(s.counters, opts.Progress, opts.ProgressTTY, opts.ProgressInterval, s.log)
	}
	return s, snap, nil
}

// finish closes a scan: owner deadlines, coverage, the final log record.
func (s *scan) finish(ctx context.Context, snap *inventory.Snapshot, sinkErr error) (*inventory.Snapshot, error) {
	s.waiting.close()
	s.closeOwners()
	sortSnapshot(snap)
	snap.Coverage.Gaps = s.cov.sorted()
	snap.Coverage.Complete = ctx.Err() == nil
	if ctx.Err() != nil {
		snap.Coverage.Interrupted = context.Cause(ctx).Error()
	}
	snap.FinishedAt = s.opts.Now().UTC()
	if s.progress != nil {
		s.progress.finish()
	}
	s.log.Info("scan finished", append(s.counters.attrs(),
		slog.Int("gaps", len(snap.Coverage.Gaps)),
		slog.Bool("complete", snap.Coverage.Complete),
		// Seconds, not a Duration: slog's JSON handler writes a Duration as
		// integer nanoseconds.
		slog.Float64("took_seconds", snap.FinishedAt.Sub(snap.StartedAt).Round(time.Millisecond).Seconds()))...)
	if sinkErr != nil {
		return snap, sinkErr
	}
	return snap, nil
}

// mapOrganization is phase 1: every account in scope is assumed and mapped
// (a bounded number at a time), then origins are joined to buckets and the
// map is complete. accounts is updated in place and becomes snap.Accounts.
func (s *scan) mapOrganization(ctx context.Context, snap *inventory.Snapshot, accounts []inventory.Account) []*accountScan {
	maps := make([]*accountScan, len(accounts))
	g := new(errgroup.Group)
	g.SetLimit(s.opts.AccountConcurrency)
	for i := range accounts {
		if accounts[i].Skipped != "" {
			continue
		}
		s.counters.accountsTotal.Add(1)
	}
	for i := range accounts {
		if accounts[i].Skipped != "" {
			continue
		}
		if ctx.Err() != nil {
			// Stop starting new accounts, but say which ones were not reached.
			s.cov.addStop(accounts[i].ID, ctx)
			continue
		}
		g.Go(func() error {
			maps[i] = s.mapAccount(ctx, &accounts[i])
			// Never an error: one account's failure must not cancel the others.
			return nil
		})
	}
	_ = g.Wait()
	maps = slices.DeleteFunc(maps, func(a *accountScan) bool { return a == nil })

	owners := map[string]string{} // bucket name → account
	for _, a := range maps {
		snap.Distributions = append(snap.Distributions, a.cf.distributions...)
		snap.OriginAccessIdentities = append(snap.OriginAccessIdentities, a.cf.oais...)
		snap.OriginAccessControls = append(snap.OriginAccessControls, a.cf.oacs...)
		a.cf = cloudFrontResult{}
		snap.Trails = mergeTrails(snap.Trails, a.trails)
		a.trails = nil
		slices.SortFunc(a.listed, func(x, y ListedBucket) int { return cmp.Compare(x.Name, y.Name) })
		for _, lb := range a.listed {
			owners[lb.Name] = a.id
		}
		if a.canonical != "" {
			s.owners[a.canonical] = a
		}
		a.acct = nil
	}
	snap.Accounts = accounts
	s.resolveOrigins(ctx, snap, owners)
	s.byID, s.originBuckets = map[string]*accountScan{}, identityOriginBuckets(snap.Distributions)
	for _, a := range maps {
		s.byID[a.id] = a
	}
	snap.CanonicalIDs = s.canonical
	slices.SortFunc(maps, func(a, b *accountScan) int { return cmp.Compare(a.id, b.id) })
	return maps
}

// streamBuckets is phase 2: every listed bucket of every mapped account is
// collected, at most AccountConcurrency × BucketConcurrency at a time, and
// handed to the sink. It returns the sink's first error, after which no
// new bucket is started.
func (s *scan) streamBuckets(ctx context.Context, snap *inventory.Snapshot, maps []*accountScan) error {
	sortSnapshot(snap)
	sink := s.opts.Sink
	if sink != nil {
		if err := sink.Map(ctx, snap); err != nil {
			for _, a := range maps {
				a.cancel()
			}
			return err
		}
	}
	var (
		mu      sync.Mutex
		sinkErr error
	)
	g := new(errgroup.Group)
	g.SetLimit(s.opts.AccountConcurrency * s.opts.BucketConcurrency)
	seq := 0
	for _, a := range maps {
		listed, err := s.waiting.take(a)
		if err != nil {
			s.cov.add(a.id, "", "s3", "ListBuckets", "", err)
		}
		a.pending.Add(int64(len(listed)) + 1)
		for i, lb := range listed {
			mu.Lock()
			failed := sinkErr != nil
			mu.Unlock()
			if i == 0 {
				a.startBuckets(ctx)
			}
			if failed || a.ctx.Err() != nil {
				a.pending.Add(-int64(len(listed) - i))
				break
			}
			n := seq
			seq++
			g.Go(func() error {
				defer a.bucketDone()
				defer s.recoverBucket(a, lb.Name)
				b := a.collectBucket(lb)
				s.counters.buckets.Add(1)
				if sink != nil {
					// The sink has the bucket and keeps what it needs of it
					// (pipeline.Stream: the configurations its
					// rules at the end read); the scan keeps none,
					// so its memory does not grow with the buckets.
					if err := sink.Bucket(ctx, n, &b); err != nil {
						mu.Lock()
						sinkErr = cmp.Or(sinkErr, err)
						mu.Unlock()
					}
					return nil
				}
				mu.Lock()
				snap.Buckets = append(snap.Buckets, b)
				mu.Unlock()
				return nil
			})
		}
		a.bucketDone() // the +1 above: the account is done once its buckets are
	}
	_ = g.Wait()
	return sinkErr
}

// recoverBucket turns a panic while one bucket is collected or evaluated
// (a bug meeting data no test had) into a gap naming the bucket, so that
// the night's other buckets are still reported; the log has the stack.
// It must be deferred by the bucket's goroutine: the reads that bucket
// starts in goroutines of their own are not covered.
func (s *scan) recoverBucket(a *accountScan, bucket string) {
	v := recover()
	if v == nil {
		return
	}
	arn := a.arnPrefix() + "s3:::" + bucket
	s.log.Error("internal error in one bucket: it is a gap, the scan goes on; please report this with the stack",
		slog.String("account", a.id), slog.String("bucket", bucket), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	s.cov.addGap(inventory.Gap{AccountID: a.id, Service: "hoofprint", Operation: "Bucket", Resource: arn, Code: "InternalError",
		Message: fmt.Sprintf("hoofprint failed on this bucket (%v); its configuration and objects were not reported", v)})
}

// discover finds the accounts in scope and records the scope in snap.
func (s *scan) discover(ctx context.Context, snap *inventory.Snapshot) []inventory.Account {
	caller := s.base.Caller.AccountID
	api := organizations.NewFromConfig(s.base.Config, func(o *organizations.Options) {
		o.APIOptions = append(o.APIOptions, s.counters.countAttempts)
	})
	org, err := describeOrganization(ctx, api)
	var orgAccounts []orgAccount
	if err == nil {
		orgAccounts, err = listAccounts(ctx, api)
	}
	// A listing that fails part-way (throttled past the retries on page 3)
	// still names accounts worth scanning: keep them, and record the gap
	// for the pages that were not read, rather than fall back to the
	// caller's account alone.
	partial := err != nil && len(orgAccounts) > 0 && !isStopped(err)
	inOrg := err == nil || partial
	switch {
	case partial:
		snap.Organization = org
		snap.Scope = inventory.ScopeOrganization
		snap.ScopeReason = fmt.Sprintf("ListAccounts failed after %d accounts (%s): accounts on the pages not read were not scanned", len(orgAccounts), gapCode(err))
		s.cov.add(caller, "", "organizations", operationOf(err, "ListAccounts"), "", err)
		s.log.Warn("the organization's account list is incomplete: scanning the accounts listed so far",
			slog.Int("listed", len(orgAccounts)), slog.String("code", gapCode(err)))
		if !slices.ContainsFunc(orgAccounts, func(a orgAccount) bool { return a.ID == caller }) {
			orgAccounts = append(orgAccounts, orgAccount{ID: caller, State: "ACTIVE"})
		}
	case inOrg:
		snap.Organization = org
		snap.Scope = inventory.ScopeOrganization
	case isNotInOrganization(err):
		snap.Scope = inventory.ScopeCallerAccount
		snap.ScopeReason = "account " + caller + " is not a member of an AWS Organization"
		s.log.Info("not in an organization: scanning the caller's own account only", slog.String("account", caller))
	case ctx.Err() != nil && isStopped(err):
		// The scan's deadline (--timeout) or a signal came before the
		// organization was listed: say that, not "cannot list".
		snap.Organization = org
		snap.Scope = inventory.ScopeCallerAccount
		snap.ScopeReason = "stopped before the organization's accounts were listed (" + context.Cause(ctx).Error() + "); only the caller's own account was in scope"
		s.log.Warn("stopped before the organization's accounts were listed",
			slog.String("account", caller), slog.String("cause", context.Cause(ctx).Error()))
	default:
		// A member account may describe its organization but not list it;
		// the accounts it cannot see are not covered, which is a gap.
		snap.Organization = org
		snap.Scope = inventory.ScopeCallerAccount
		snap.ScopeReason = "cannot list the organization's accounts (" + gapCode(err) + "); scanning the caller's own account only"
		if !isStopped(err) {
			s.cov.add(caller, "", "organizations", operationOf(err, "ListAccounts"), "", err)
		}
		s.log.Warn("cannot list the organization: scanning the caller's own account only",
			slog.String("account", caller), slog.String("code", gapCode(err)))
	}
	accounts, extras := selectAccounts(caller, orgAccounts, inOrg, s.opts.Accounts, s.opts.ExcludeAccounts)
	for _, id := range extras {
		s.log.Warn("--accounts names an account that is not in the organization; scanning it anyway", slog.String("account", id))
	}
	return accounts
}

// operationOf names the Organizations operation that failed.
func operationOf(err error, fallback string) string {
	var oe interface{ Operation() string }
	if errors.As(err, &oe) {
		return oe.Operation()
	}
	return fallback
}

func sortSnapshot(snap *inventory.Snapshot) {
	slices.SortFunc(snap.Accounts, func(a, b inventory.Account) int { return cmp.Compare(a.ID, b.ID) })
	// Buckets in the order they are streamed (accounts by ID, then names),
	// so a snapshot and its streamed inventory list them alike.
	slices.SortFunc(snap.Buckets, func(a, b inventory.Bucket) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(snap.Distributions, func(a, b inventory.Distribution) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortFunc(snap.OriginAccessIdentities, func(a, b inventory.OriginAccessIdentity) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(snap.Trails, func(a, b inventory.Trail) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortFunc(snap.OriginAccessControls, func(a, b inventory.OriginAccessControl) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	// Empty lists are written as [] rather than null: consumers (Rego in
	// particular) then need no null checks.
	if snap.Accounts == nil {
		snap.Accounts = []inventory.Account{}
	}
	if snap.Buckets == nil {
		snap.Buckets = []inventory.Bucket{}
	}
	if snap.Distributions == nil {
		snap.Distributions = []inventory.Distribution{}
	}
	if snap.OriginAccessIdentities == nil {
		snap.OriginAccessIdentities = []inventory.OriginAccessIdentity{}
	}
	if snap.OriginAccessControls == nil {
		snap.OriginAccessControls = []inventory.OriginAccessControl{}
	}
}
