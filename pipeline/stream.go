package pipeline

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/spillfile"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/summary"
	"github.com/hoofprint/hoofprint/rules"
)

// Stream evaluates and records a scan while it is collected. It is the
// scanner.Sink of `hoofprint scan`, and `hoofprint evaluate` feeds it from
// an inventory file one bucket at a time:
//
//   - Map takes the organization map and writes the inventory's header;
//   - Bucket, called concurrently, evaluates the sampled and bucket-scope
//     rules on one bucket at once, counts it for the report, keeps its
//     configuration if the rules at the end need it
//     (rules.BucketEvaluator.Keep: an origin bucket, or every bucket when an
//     organization-scope rule is loaded), and appends its record to the
//     inventory and its findings to the ASFF file (both in the scan's
//     order, whatever the order buckets finish in); after it returns the
//     caller may drop the bucket;
//   - Finish writes the inventory's trailer, runs the origins- and
//     organization-scope rules on the map plus the configurations kept,
//     ends the ASFF file with their findings, and writes the other
//     reports.
//
// So neither a scan nor an evaluation ever holds more sampled objects than
// the buckets in flight, nor, with the embedded rules, more bucket
// configurations than the origin buckets.
//
// Evaluation budget: each evaluation (one bucket's rules, or the rules at
// the end) may take EvalTimeout; once one has run out, the
// evaluations after it are not started. After a signal (ctx cancelled),
// evaluation goes on for SignalGrace. What did not finish is a gap, and the
// run is incomplete (exit 3).
type Stream struct {
	opts Options
	log  *slog.Logger
	prep *Prepared
	be   *rules.BucketEvaluator
	inv  *inventory.Writer
	// asff is the ASFF file while it is written, asffEnc its encoder (set
	// by Map), asffErr why it could not be written.
	asff    *asffFile
	asffEnc *asff.Encoder
	asffErr error

	// evalCtx ends SignalGrace after the run's context (a signal);
	// stopEval ends it at once, when an evaluation ran out of EvalTimeout.
	evalCtx   context.Context
	stopEval  context.CancelCauseFunc
	endGrace  func() bool
	evalSlots chan struct{}

	// sites marks the findings a CloudFront site changes the fix of
	// (findings.Sites), as they are recorded: the findings stored, spilled
	// and written as ASFF are final.
	sites *findings.Sites

	mu    sync.Mutex
	tally findings.Tally
	// facts gathers the summary's facts as findings are recorded (nil
	// without a summary or summary.json to write).
	facts     *summary.Tally
	set       *findings.Set
	pending   *reorderBuffer  // encoded bucket records waiting for their turn
	ordered   bool            // some file lists buckets in order (inventory, ASFF)
	kept      []keptBucket    // configurations the rules at the end need
	keptFile  *spillfile.File // where they wait
	recorded  int             // buckets recorded
	next      int             // the seq of the next record to write
	writeErrs []error         // outputs that could not be written
	out       Outcome
}

// keptBucket is where a bucket configuration (no objects) kept for Finish
// waits in keptFile, encoded (inventory.EncodeBucket), with its place in
// the inventory. On disk rather than in memory: origin buckets pile up
// over the whole scan (about 1.7 KB each, the policy most of it), and
// while an organization-scope rule is loaded every bucket is kept.
type keptBucket struct {
	seq    int
	off, n int64
}

// Start loads the rules (unless opts.Prepared holds them) and, with
// opts.InventoryPath, starts the inventory file. ctx is the run's context:
// its cancellation (a signal) starts the evaluation grace period.
func Start(ctx context.Context, opts Options) (*Stream, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	prep := opts.Prepared
	if prep == nil {
		var err error
		if prep, err = Prepare(context.WithoutCancel(ctx), opts); err != nil {
			return nil, err
		}
	}
	st := &Stream{opts: opts, log: log, prep: prep, pending: newReorderBuffer(cmp.Or(opts.InventoryBufferBytes, defaultReorderBudget)), keptFile: spillfile.New(".hoofprint-kept-"), evalSlots: make(chan struct{}, runtime.GOMAXPROCS(0)),
		set: findings.NewSet(opts.FindingsInMemory, ""), sites: findings.NewSites(prep.Engine.Rules())}
	st.evalCtx, st.stopEval = context.WithCancelCause(context.WithoutCancel(ctx))
	grace := cmp.Or(opts.SignalGrace, DefaultSignalGrace)
	// context.AfterFunc runs at once when ctx is already cancelled (SIGTERM
	// during collection): what was collected still gets the grace period.
	st.endGrace = context.AfterFunc(ctx, func() {
		log.Warn("interrupted: rule evaluation stops soon", "grace", grace.String())
		t := time.AfterFunc(grace, func() {
			st.stopEval(fmt.Errorf("interrupted, and the %s grace for evaluation is over", grace))
		})
		context.AfterFunc(st.evalCtx, func() { t.Stop() })
	})
	if opts.InventoryPath != "" {
		err := os.MkdirAll(filepath.Dir(opts.InventoryPath), 0o755)
		if err == nil {
			st.inv, err = inventory.Create(opts.InventoryPath)
		}
		if err != nil {
			st.inventoryFailed(err)
		}
	}
	if opts.ASFFPath != "" {
		if tmp, err := createTemp(opts.ASFFPath); err != nil {
			st.asffErr = err
		} else {
			st.asff = newASFFFile(tmp)
		}
	}
	st.ordered = st.inv != nil || st.asff != nil
	return st, nil
}

// inventoryFailed records that the inventory cannot be written; the other
// outputs still are (exit 2 at the end).
func (st *Stream) inventoryFailed(err error) {
	st.writeErrs = append(st.writeErrs, fmt.Errorf("inventory %s: %w", st.opts.InventoryPath, err))
	if st.inv != nil {
		st.inv.Abort()
		st.inv = nil
	}
	st.orderedFilesChanged()
}

// asffFailed records that the ASFF file cannot be written; the other
// outputs still are (exit 2 at the end).
func (st *Stream) asffFailed(err error) {
	if st.asffErr == nil {
		st.asffErr = fmt.Errorf("write %s: %w", st.opts.ASFFPath, err)
	}
	if st.asff != nil {
		st.asff.abort()
		st.asff = nil
	}
	st.orderedFilesChanged()
}

// orderedFilesChanged drops the records waiting for their turn once no
// file takes them any more.
func (st *Stream) orderedFilesChanged() {
	st.ordered = st.inv != nil || st.asff != nil
	if !st.ordered {
		st.pending.close()
	}
}

// orderFailed: the records waiting for their turn are lost (their spill
// file failed), so neither ordered file can be completed.
func (st *Stream) orderFailed(err error) {
	if st.inv != nil {
		st.inventoryFailed(err)
	}
	if st.asff != nil {
		st.asffFailed(err)
	}
}

// Map takes the organization map (scanner.Sink).
func (st *Stream) Map(_ context.Context, orgMap *inventory.Snapshot) error {
	seen := st.hideKeys(orgMap)
	be, err := st.prep.Engine.ForMap(seen)
	if err != nil {
		return fmt.Errorf("evaluate rules: %w", err)
	}
	st.be = be
	if st.opts.Summary != nil || st.opts.Output != "" {
		st.facts = summary.NewTally(seen.Partition, seen.ShowObjectKeys)
	}
	// The ASFF encoder reads only the report's header fields, which the
	// map already has (the findings' time is the run's start).
	var none findings.Tally
	st.asffEnc = asff.NewEncoder(none.Document(seen, st.prep.Engine.Rules(), nil), asff.Options{Now: st.now()})
	if st.inv != nil {
		if err := st.inv.Header(orgMap); err != nil {
			st.mu.Lock()
			st.inventoryFailed(err)
			st.mu.Unlock()
		}
	}
	return nil
}

// evalContext is the context of one evaluation: EvalTimeout from now,
// within evalCtx. When it runs out, later evaluations are not started.
func (st *Stream) evalContext() (context.Context, func()) {
	budget := cmp.Or(st.opts.EvalTimeout, DefaultEvalTimeout)
	cause := fmt.Errorf("--eval-timeout %s reached", budget)
	ctx, cancel := context.WithTimeoutCause(st.evalCtx, budget, cause)
	return ctx, func() {
		if errors.Is(context.Cause(ctx), cause) {
			st.stopEval(cause)
		}
		cancel()
	}
}

// Bucket evaluates one bucket's sampled and bucket-scope rules and
// records it (scanner.Sink). seq is the bucket's place in the inventory; every seq
// from 0 up comes at most once. It is safe for concurrent use.
func (st *Stream) Bucket(_ context.Context, seq int, b *inventory.Bucket) error {
	if st.be == nil {
		return errors.New("pipeline: Bucket before Map")
	}
	// At most one evaluation per core: a scan calls Bucket from up to 128
	// goroutines, and each evaluation's working memory is many times its
	// bucket's size. The slot is held while the bucket's records are
	// encoded too (a public bucket's findings are hundreds of kilobytes of
	// ASFF).
	st.evalSlots <- struct{}{}
	defer func() { <-st.evalSlots }()
	ctx, done := st.evalContext()
	eb := b
	if !st.opts.ShowObjectKeys {
		eb = inventory.BucketWithoutKeys(b)
	}
	fs, err := st.be.Evaluate(ctx, eb)
	done()
	if err != nil {
		return fmt.Errorf("evaluate rules: %w", err)
	}
	return st.Record(seq, b, fs)
}

// Record counts and records one bucket whose sampled and bucket-scope
// rules were already evaluated elsewhere (by a shard, `hoofprint merge`),
// with their findings, and keeps its configuration if Finish's rules need
// it. It is Bucket without the evaluation, and as safe for concurrent use.
func (st *Stream) Record(seq int, b *inventory.Bucket, fs []findings.Finding) error {
	st.mu.Lock()
	withInv, withASFF := st.inv != nil, st.asff != nil
	st.mu.Unlock()
	var rec record
	if withInv {
		var err error
		if rec.inv, err = inventory.EncodeBucket(b); err != nil {
			return err
		}
	}
	// Accepted risks and site fixes are marked before the findings are
	// stored (and maybe spilled) or written as ASFF: every report then
	// reads them marked.
	st.opts.Suppressions.Mark(fs)
	st.sites.Annotate(fs)
	if err := st.set.Add(fs...); err != nil {
		return err
	}
	if st.facts != nil {
		st.facts.AddBucket(b.Name, fs)
	}
	var asffErr error
	if withASFF && st.asffEnc != nil {
		// Converted here, by the caller's goroutine, while other buckets are
		// collected: the end of a large run no longer converts every finding.
		rec.asff, asffErr = st.asffEnc.Append(nil, fs...)
	}
	var kept []byte
	if st.be != nil && st.be.Keep(b) {
		cfg := *b
		cfg.Objects.Objects = nil
		var err error
		if kept, err = inventory.EncodeBucket(&cfg); err != nil {
			return err
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.tally.Add(b)
	st.recorded++
	if kept != nil {
		off, err := st.keptFile.Append(kept)
		if err != nil {
			return fmt.Errorf("keep bucket %s for the rules at the end: %w", b.ARN, err)
		}
		st.kept = append(st.kept, keptBucket{seq: seq, off: off, n: int64(len(kept))})
	}
	if asffErr != nil && st.asff != nil {
		st.asffFailed(asffErr)
	}
	if st.ordered {
		// Every bucket takes its turn, with findings or not, so that the
		// buckets after it are written as soon as they can be.
		if err := st.pending.put(seq, rec); err != nil {
			st.orderFailed(err)
		}
		st.flushLocked(false)
	}
	return nil
}

// flushLocked writes the records whose turn has come; with all, every
// pending record in seq order (at the end, when a seq will never come).
func (st *Stream) flushLocked(all bool) {
	for st.ordered && st.pending.len() > 0 {
		rec, ok, err := st.pending.take(st.next)
		if err != nil {
			st.orderFailed(err)
			return
		}
		if !ok {
			if !all {
				return
			}
			st.next++
			continue
		}
		st.next++
		if st.inv != nil && rec.inv != nil {
			if err := st.inv.WriteRaw(rec.inv); err != nil {
				st.inventoryFailed(err)
			}
		}
		if st.asff != nil {
			if err := st.asff.aw.WriteChunk(rec.asff); err != nil {
				st.asffFailed(err)
			}
		}
	}
}

// Finish closes the inventory with inv's coverage and finish time, runs the
// origins- and organization-scope rules on inv's header plus the bucket
// configurations Bucket and Record kept, and writes the reports. inv is the
// snapshot the scan returned, or the inventory file's header; its Buckets
// are not read (every bucket came through Bucket or Record).
func (st *Stream) Finish(ctx context.Context, inv *inventory.Snapshot) (Outcome, error) {
	defer st.endGrace()
	st.mu.Lock()
	st.out.Buckets = st.recorded
	// The configurations kept, in the inventory's order, as the snapshot
	// the rules at the end read.
	slices.SortFunc(st.kept, func(a, b keptBucket) int { return cmp.Compare(a.seq, b.seq) })
	atEnd := *inv
	atEnd.Buckets = make([]inventory.Bucket, len(st.kept))
	for i, k := range st.kept {
		b, err := st.readKept(k)
		if err != nil {
			st.mu.Unlock()
			return st.out, fmt.Errorf("bucket configurations for the rules at the end: %w", err)
		}
		atEnd.Buckets[i] = *b
	}
	st.kept = nil
	st.keptFile.Close()
	hdr := *inv
	hdr.Buckets = []inventory.Bucket{}
	inv = &hdr
	st.flushLocked(true)
	st.pending.close()
	if st.inv != nil {
		if err := st.inv.Close(inv); err != nil {
			st.inventoryFailed(err)
		} else {
			st.inv = nil
			st.out.Files = append(st.out.Files, summary.File{Kind: "inventory", Location: st.opts.InventoryPath})
			st.log.Info("inventory written", "path", st.opts.InventoryPath)
		}
	}
	st.mu.Unlock()

	if st.be == nil {
		if err := st.Map(ctx, inv); err != nil {
			return st.out, err
		}
	}
	// The rules at the end convert the organization map to OPA values (the
	// built-in ones a part at a time, a user's origins or organization rule
	// all of it at once): the findings still in memory go to the spill file
	// first rather than add to that peak.
	if err := st.set.SpillHeld(); err != nil {
		return st.out, err
	}
	evalCtx, done := st.evalContext()
	org, err := st.be.EvaluateOrganization(evalCtx, &atEnd)
	done()
	if err != nil {
		return st.out, errors.Join(append(st.writeErrs, fmt.Errorf("evaluate rules: %w", err))...)
	}
	var stopped *rules.StoppedError
	if err := st.be.Stopped(st.evalCtx); err != nil {
		if !errors.As(err, &stopped) {
			return st.out, err
		}
		st.log.Error("rule evaluation stopped", "rules_running", stopped.Running, "rules_unfinished", len(stopped.Unfinished), "cause", stopped.Cause.Error())
	}
	st.opts.Suppressions.Mark(org)
	st.sites.Annotate(org)
	if err := st.set.Add(org...); err != nil {
		return st.out, err
	}
	if st.facts != nil {
		st.facts.Add(org)
	}
	st.finishASFF(org)
	// Few findings stay a list; many are read from the spill file, in
	// order, by each report (findings.Set).
	var doc findings.Document
	if st.set.Spilled() {
		st.log.Info("findings spilled to a temporary file", "findings", st.set.Len())
		doc = st.tally.DocumentSet(st.hideKeys(inv), st.prep.Engine.Rules(), st.set)
	} else {
		doc = st.tally.Document(st.hideKeys(inv), st.prep.Engine.Rules(), slices.Collect(st.set.All()))
	}
	doc.Profile, doc.Controls = st.prep.Profile, st.prep.Controls
	var facts *summary.Facts
	if st.facts != nil {
		facts = st.facts.Facts(doc.ShowObjectKeys)
		st.facts = nil
	}
	out, err := report(ctx, doc, stopped, inv.CallerAccountID, st.prep, st.out, st.writeErrs, st.asffErr, facts, st.opts)
	if serr := st.set.Err(); serr != nil && err == nil {
		err = fmt.Errorf("findings: %w", serr)
	}
	return out, err
}

// readKept reads back a configuration Record kept; st.mu is held.
func (st *Stream) readKept(k keptBucket) (*inventory.Bucket, error) {
	rec, err := st.keptFile.Read(k.off, k.n)
	if err != nil {
		return nil, err
	}
	return inventory.DecodeBucket(rec)
}

// hideKeys is what the rules and reports see of a snapshot: without
// Options.ShowObjectKeys, no object key, whatever the inventory holds (the
// output side decides; an inventory made with --show-object-keys and
// evaluated without it shows none). The inventory file itself is written
// as collected.
func (st *Stream) hideKeys(s *inventory.Snapshot) *inventory.Snapshot {
	if st.opts.ShowObjectKeys {
		return s
	}
	return inventory.WithoutKeys(s)
}

// Abort removes an unfinished inventory or ASFF file and the findings'
// spill file. After Finish, the Outcome's Document keeps the counts of a
// spilled run's findings but no longer reads them.
func (st *Stream) Abort() {
	_ = st.set.Close()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.inv != nil {
		st.inv.Abort()
		st.inv = nil
	}
	if st.asff != nil {
		st.asff.abort()
		st.asff = nil
	}
	st.pending.close()
	st.kept = nil
	st.keptFile.Close()
	st.endGrace()
}

// EvaluateReader runs the rules on an inventory one bucket at a time and
// writes the reports (`hoofprint evaluate`). It returns the inventory's
// header with its coverage (no bucket: Outcome.Buckets counts them), for
// the run's final record.
func EvaluateReader(ctx context.Context, r *inventory.Reader, opts Options) (*inventory.Snapshot, Outcome, error) {
	st, err := Start(ctx, opts)
	if err != nil {
		return nil, Outcome{}, err
	}
	defer st.Abort()
	h := r.Header()
	if err := st.Map(ctx, h); err != nil {
		return nil, Outcome{}, err
	}
	// A bucket goes once its rules have run, on every core, while the next
	// buckets are read; the stream keeps the configurations the rules at
	// the end need.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for seq := 0; ; seq++ {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = g.Wait()
			return nil, Outcome{}, err
		}
		g.Go(func() error { return st.Bucket(ctx, seq, b) })
	}
	if err := g.Wait(); err != nil {
		return nil, Outcome{}, err
	}
	inv := *h
	out, err := st.Finish(ctx, &inv)
	return &inv, out, err
}

// ShardOutcome is what one shard of a sharded run produced
// (`hoofprint scan --shard`): the findings of its buckets' sampled and
// bucket-scope rules, to be merged with the other shards' and the
// origins- and organization-scope rules.
type ShardOutcome struct {
	// Rules are the IDs of the rules evaluated, sorted.
	Rules []string
	// Buckets counts the buckets recorded.
	Buckets int
	// Findings yields the sampled rules' findings on the shard's buckets,
	// in order, from memory or the spill file, until Abort; Count is how
	// many there are.
	Findings iter.Seq[findings.Finding]
	Count    int
	// Gaps are the evaluations that did not finish (--eval-timeout, a
	// signal), as a single run would list them.
	Gaps []inventory.Gap
	// Stopped says why evaluation stopped early ("" when it did not).
	Stopped string
}

// FindingsErr is the first error reading the findings that
// ShardOutcome.Findings yielded (a spill file that cannot be read).
func (st *Stream) FindingsErr() error { return st.set.Err() }

// FinishShard closes the inventory with inv's coverage and finish time and
// returns the shard's findings. The origins- and organization-scope rules
// and the reports are `hoofprint merge`'s, once every shard is in.
func (st *Stream) FinishShard(inv *inventory.Snapshot) (ShardOutcome, error) {
	defer st.endGrace()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.be == nil {
		return ShardOutcome{}, errors.New("pipeline: FinishShard before Map")
	}
	st.flushLocked(true)
	st.pending.close()
	if st.inv != nil {
		if err := st.inv.Close(inv); err != nil {
			st.inventoryFailed(err)
		}
		st.inv = nil
	}
	if st.asff != nil {
		// A shard writes no report; `hoofprint merge` does.
		st.asff.abort()
		st.asff = nil
	}
	if len(st.writeErrs) > 0 {
		return ShardOutcome{}, errors.Join(st.writeErrs...)
	}
	if err := st.set.Err(); err != nil {
		return ShardOutcome{}, fmt.Errorf("findings: %w", err)
	}
	out := ShardOutcome{Findings: st.set.All(), Count: st.set.Len(), Buckets: st.recorded}
	st.kept = nil // the merge's stream keeps them
	st.keptFile.Close()
	for _, r := range st.prep.Engine.Rules() {
		out.Rules = append(out.Rules, r.ID)
	}
	slices.Sort(out.Rules)
	var stopped *rules.StoppedError
	if err := st.be.Stopped(st.evalCtx); err != nil {
		if !errors.As(err, &stopped) {
			return ShardOutcome{}, err
		}
		st.log.Error("rule evaluation stopped", "rules_running", stopped.Running, "rules_unfinished", len(stopped.Unfinished), "cause", stopped.Cause.Error())
		doc := findings.Document{}
		markStopped(&doc, stopped, inv.CallerAccountID)
		out.Gaps, out.Stopped = doc.Coverage.Gaps, doc.Coverage.Interrupted
	}
	return out, nil
}

// AddFindings adds findings evaluated elsewhere: a shard's sampled rules
// on the buckets `hoofprint merge` passes to Record. It is safe for
// concurrent use.
//
// Their ASFF is written at once, after the buckets recorded so far: a
// merge adds each shard's findings once every bucket is recorded.
func (st *Stream) AddFindings(fs ...findings.Finding) error {
	// The merge's accepted risks decide, whatever a shard marked. A shard
	// marked the site fixes of its buckets' findings already; marking them
	// again changes nothing.
	st.opts.Suppressions.Mark(fs)
	st.sites.Annotate(fs)
	if err := st.set.Add(fs...); err != nil {
		return err
	}
	if st.facts != nil {
		st.facts.Add(fs)
	}
	st.appendASFF(fs)
	return nil
}

// appendASFF writes fs to the ASFF file after what it holds.
func (st *Stream) appendASFF(fs []findings.Finding) {
	st.mu.Lock()
	enabled := st.asff != nil && st.asffEnc != nil
	st.mu.Unlock()
	if !enabled || len(fs) == 0 {
		return
	}
	// A few at a time: the rules at the end can give thousands of findings
	// (every distribution, every account), megabytes of ASFF at once.
	var chunk []byte
	for batch := range slices.Chunk(fs, asffBatch) {
		var err error
		chunk, err = st.asffEnc.Append(chunk[:0], batch...)
		if !st.writeASFFChunk(chunk, err) {
			return
		}
	}
}

// writeASFFChunk writes a converted chunk (or records the conversion's
// error); false once the ASFF file is failed or gone.
func (st *Stream) writeASFFChunk(chunk []byte, err error) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.asff == nil {
		return false
	}
	if err == nil {
		err = st.asff.aw.WriteChunk(chunk)
	}
	if err != nil {
		st.asffFailed(err)
		return false
	}
	return true
}

// asffBatch is how many findings appendASFF converts at a time.
const asffBatch = 256

// finishASFF writes the findings of the rules at the end, then ends the
// ASFF file and puts it in its place.
func (st *Stream) finishASFF(org []findings.Finding) {
	st.appendASFF(org)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.asff == nil {
		return
	}
	if err := st.asff.commit(st.opts.ASFFPath); err != nil {
		// commit names the file already.
		st.asffErr = err
		st.asffFailed(err)
		return
	}
	st.asff = nil
	st.log.Info("ASFF written", "path", st.opts.ASFFPath)
}

func (st *Stream) now() time.Time {
	if st.opts.Now != nil {
		return st.opts.Now()
	}
	return time.Now()
}

// asffFile is the ASFF report while buckets are recorded: a temporary file
// beside its final path, renamed into place when the run ends, so that the
// report is either whole or absent.
type asffFile struct {
	tmp *os.File
	bw  *bufio.Writer
	aw  *asff.ArrayWriter
}

func newASFFFile(tmp *os.File) *asffFile {
	bw := bufio.NewWriterSize(tmp, 64<<10)
	return &asffFile{tmp: tmp, bw: bw, aw: asff.NewArrayWriter(bw)}
}

// commit ends the array and renames the file to path.
func (f *asffFile) commit(path string) error {
	err := f.aw.Close()
	if err == nil {
		err = f.bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return commitTemp(f.tmp, path)
}

func (f *asffFile) abort() {
	_ = f.tmp.Close()
	_ = os.Remove(f.tmp.Name())
}
