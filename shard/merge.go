package shard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// Gap codes of a shard whose output cannot be used: its accounts' buckets
// were not read as far as the merged run knows.
const (
	// CodeShardMissing: no manifest (never started, killed, still running).
	CodeShardMissing = "ShardMissing"
	// CodeShardIncomplete: a manifest that does not match the files next to
	// it, or files that cannot be read.
	CodeShardIncomplete = "ShardIncomplete"
)

// ShardStatus is what Merge made of one shard.
type ShardStatus struct {
	Shard    int
	Accounts int
	// Code is "" for a shard merged, else CodeShardMissing or
	// CodeShardIncomplete; Reason says why.
	Code   string
	Reason string
	// Attempt is the manifest's attempt of a merged shard.
	Attempt int
}

// Merge reads every shard of plan from store and writes the reports of the
// whole run with popts (popts.Prepared must hold the rules, the same the
// shards evaluated). It returns the merged snapshot (the map and the
// coverage; Outcome.Buckets counts the buckets), the outcome and each shard's status; the
// error is pipeline.Run's (exit codes). A shard without a matching
// manifest is never merged in part: each of its accounts is a gap naming
// the shard, and the account counts as not scanned.
func Merge(ctx context.Context, store Store, plan *Plan, popts pipeline.Options, log *slog.Logger) (*inventory.Snapshot, pipeline.Outcome, []ShardStatus, error) {
	log = orDiscard(log)
	if popts.Prepared == nil {
		p, err := pipeline.Prepare(ctx, popts)
		if err != nil {
			return nil, pipeline.Outcome{}, nil, err
		}
		popts.Prepared = p
	}
	var ruleIDs []string
	for _, r := range popts.Prepared.Engine.Rules() {
		ruleIDs = append(ruleIDs, r.ID)
	}
	slices.Sort(ruleIDs)

	// A shard that could not be read because a signal stopped the merge is
	// not the shard's fault: say so, rather than "the shard is incomplete".
	why := func(err error) string {
		if ctx.Err() != nil {
			return fmt.Sprintf("the merge was interrupted (%v) before this shard was read", context.Cause(ctx))
		}
		return err.Error()
	}
	n := len(plan.Shards)
	manifests := make([]*Manifest, n)
	status := make([]ShardStatus, n)
	for k := range plan.Shards {
		status[k] = ShardStatus{Shard: k, Accounts: len(plan.Shards[k].Accounts)}
		var m Manifest
		err := getJSON(ctx, store, ManifestName(k, n), &m)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			status[k].Code, status[k].Reason = CodeShardMissing, "no manifest "+store.URI(ManifestName(k, n))+": the shard never finished (not started, killed, or still running)"
		case err != nil:
			status[k].Code, status[k].Reason = CodeShardIncomplete, why(err)
		case m.SchemaVersion != ManifestSchemaVersion || m.RunID != plan.RunID || m.Shard != k || m.Of != n:
			status[k].Code, status[k].Reason = CodeShardIncomplete, fmt.Sprintf("%s is not this run's shard %d of %d (run %q, shard %d of %d, schema %q)", store.URI(ManifestName(k, n)), k, n, m.RunID, m.Shard, m.Of, m.SchemaVersion)
		case !slices.Equal(m.Rules, ruleIDs):
			return nil, pipeline.Outcome{}, nil, fmt.Errorf("shard %d of %d was evaluated with other rules than this merge's (%d rules there, %d here): give merge the same --rules as the shards", k, n, len(m.Rules), len(ruleIDs))
		default:
			manifests[k] = &m
			status[k].Attempt = m.Attempt
		}
	}

	header := *plan.Map.Snapshot
	header.Accounts = slices.Clone(header.Accounts)
	header.Buckets = []inventory.Bucket{}
	st, err := pipeline.Start(ctx, popts)
	if err != nil {
		return nil, pipeline.Outcome{}, nil, err
	}
	defer st.Abort()
	if err := st.Map(ctx, &header); err != nil {
		return nil, pipeline.Outcome{}, nil, err
	}

	gaps := slices.Clone(plan.Map.Snapshot.Coverage.Gaps)
	complete := plan.Map.Snapshot.Coverage.Complete
	interrupted := []string{}
	if plan.Map.Snapshot.Coverage.Interrupted != "" {
		interrupted = append(interrupted, "plan: "+plan.Map.Snapshot.Coverage.Interrupted)
	}
	finished := plan.Map.Snapshot.FinishedAt
	// Every shard's files are checked against its manifest before any
	// bucket is recorded, so a shard that does not match is left out
	// whole. Then the buckets go to the pipeline in one scan's order
	// (accounts by ID, then bucket names): each shard's inventory is in
	// that order and the shards' accounts are disjoint, so a merge of the
	// N inventories, one bucket of each at a time, gives the order
	// docs/inventory.md promises without holding any shard in memory.
	var open []*shardFiles
	defer func() {
		for _, f := range open {
			f.close()
		}
	}()
	for k, m := range manifests {
		if m == nil {
			continue
		}
		f, err := openShard(ctx, store, m)
		if err != nil {
			status[k].Code, status[k].Reason = CodeShardIncomplete, why(err)
			continue
		}
		open = append(open, f)
	}
	if err := mergeBuckets(st, open); err != nil {
		// Buckets of the shards are already in the merged inventory: the
		// run cannot be told apart any more.
		return nil, pipeline.Outcome{}, nil, err
	}
	for _, f := range open {
		m := f.manifest
		cov, fin, err := f.finish(st)
		if err != nil {
			return nil, pipeline.Outcome{}, nil, fmt.Errorf("merge shard %d of %d: %w", m.Shard, n, err)
		}
		gaps = append(gaps, cov.Gaps...)
		gaps = append(gaps, m.EvaluationGaps...)
		if !cov.Complete || m.EvaluationStopped != "" {
			complete = false
			interrupted = append(interrupted, fmt.Sprintf("shard %d of %d: %s", m.Shard, n, strings.TrimSpace(cov.Interrupted+" "+m.EvaluationStopped)))
		}
		if fin.After(finished) {
			finished = fin
		}
	}
	notScanned := map[string]bool{}
	for k, s := range status {
		if s.Code == "" {
			continue
		}
		log.Error("shard not merged: its accounts are gaps", "shard", k, "of", n, "accounts", s.Accounts, "code", s.Code, "reason", s.Reason)
		for _, id := range plan.Shards[k].Accounts {
			notScanned[id] = true
			// Service s3: the buckets are what is missing (phase one read
			// the account's CloudFront), and an S3 gap anywhere keeps
			// CloudFront findings from being called fixed (report/internal/view).
			gaps = append(gaps, inventory.Gap{
				AccountID: id, Service: "s3", Operation: "ScanShard", Code: s.Code,
				Message: fmt.Sprintf("shard %d of %d of run %s: %s; this account's buckets were not read", k, n, plan.RunID, s.Reason),
			})
		}
	}
	for i := range header.Accounts {
		if notScanned[header.Accounts[i].ID] {
			header.Accounts[i].Scanned = false
		}
	}
	if ctx.Err() != nil {
		// The merged run is as incomplete as a scan a signal stopped: the
		// reports must not say it finished.
		complete = false
		interrupted = append(interrupted, fmt.Sprintf("merge: %v", context.Cause(ctx)))
	}
	merged := header
	merged.FinishedAt = finished
	merged.Coverage = inventory.Coverage{Complete: complete, Interrupted: strings.Join(interrupted, "; "), Gaps: scanner.SortGaps(gaps)}
	out, err := st.Finish(ctx, &merged)
	return &merged, out, status, err
}

// shardFiles is one shard's checked files, its inventory open at the
// next bucket.
type shardFiles struct {
	manifest *Manifest
	store    Store
	findings string
	inv      *inventory.Reader
	next     *inventory.Bucket
	done     []func()
}

// openShard fetches one shard's files, checks them against the manifest
// and reads the inventory's first bucket.
func openShard(ctx context.Context, store Store, m *Manifest) (*shardFiles, error) {
	f := &shardFiles{manifest: m, store: store}
	findPath, doneF, err := fetchChecked(ctx, store, m.Findings)
	if err != nil {
		return nil, err
	}
	f.done = append(f.done, doneF)
	f.findings = findPath
	invPath, doneI, err := fetchChecked(ctx, store, m.Inventory)
	if err != nil {
		f.close()
		return nil, err
	}
	f.done = append(f.done, doneI)
	if f.inv, err = inventory.Open(invPath); err != nil {
		f.close()
		return nil, err
	}
	if err := f.advance(); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// advance reads the next bucket (nil after the last).
func (f *shardFiles) advance() error {
	b, err := f.inv.Next()
	switch {
	case errors.Is(err, io.EOF):
		f.next = nil
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", f.store.URI(f.manifest.Inventory.Name), err)
	}
	f.next = b
	return nil
}

func (f *shardFiles) close() {
	if f.inv != nil {
		_ = f.inv.Close()
		f.inv = nil
	}
	for _, d := range f.done {
		d()
	}
	f.done = nil
}

// mergeBuckets records the buckets of every shard in st, by account ID
// then name (st keeps the configurations its rules at the end need).
func mergeBuckets(st *pipeline.Stream, shards []*shardFiles) error {
	for seq := 0; ; seq++ {
		var first *shardFiles
		for _, f := range shards {
			if f.next != nil && (first == nil || cmp.Or(cmp.Compare(f.next.AccountID, first.next.AccountID), cmp.Compare(f.next.Name, first.next.Name)) < 0) {
				first = f
			}
		}
		if first == nil {
			return nil
		}
		if err := st.Record(seq, first.next, nil); err != nil {
			return err
		}
		if err := first.advance(); err != nil {
			return fmt.Errorf("merge shard %d of %d: %w", first.manifest.Shard, first.manifest.Of, err)
		}
	}
}

// finish reads the shard's findings into st (they match the manifest's
// hash, so they are the shard's whole: they go in as they are read, never
// all in memory) and returns the shard's coverage and finish time, which
// its inventory's trailer gave.
func (f *shardFiles) finish(st *pipeline.Stream) (inventory.Coverage, time.Time, error) {
	m := f.manifest
	nf, err := readFindings(f.findings, func(x findings.Finding) error { return st.AddFindings(x) })
	if err != nil {
		return inventory.Coverage{}, time.Time{}, fmt.Errorf("read %s: %w", f.store.URI(m.Findings.Name), err)
	}
	if nf != m.Findings.Records {
		return inventory.Coverage{}, time.Time{}, fmt.Errorf("%s holds %d findings, its manifest says %d", f.store.URI(m.Findings.Name), nf, m.Findings.Records)
	}
	h := f.inv.Header()
	return h.Coverage, h.FinishedAt, nil
}

// fetchChecked fetches one of a shard's files and checks it against its
// manifest entry.
func fetchChecked(ctx context.Context, store Store, want FileRef) (string, func(), error) {
	p, done, err := store.Fetch(ctx, want.Name)
	if err != nil {
		return "", done, err
	}
	got, err := ref(p)
	if err != nil {
		done()
		return "", func() {}, fmt.Errorf("read %s: %w", store.URI(want.Name), err)
	}
	if got.SHA256 != want.SHA256 || got.Bytes != want.Bytes {
		done()
		return "", func() {}, fmt.Errorf("%s does not match its manifest (%d bytes, sha256 %s; the manifest says %d bytes, %s): it was rewritten after the manifest (a retried shard that did not finish)", store.URI(want.Name), got.Bytes, got.SHA256[:12], want.Bytes, want.SHA256[:min(12, len(want.SHA256))])
	}
	return p, done, nil
}
