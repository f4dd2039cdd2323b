package shard

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// ManifestSchemaVersion names the manifest's layout and what the shard's
// files mean. v2: the findings are those of the sampled and the
// bucket-scope rules (rules/README.md "Evaluation scopes"; v1 held the
// sampled rules' only, and a merge would run the bucket-scope rules on
// nothing), and Inventory.Records counts the buckets. A v1 shard is not
// merged: its accounts are ShardIncomplete gaps, and running the shard
// again with this version fixes it.
const ManifestSchemaVersion = "hoofprint.shard/v2"

// Manifest is written last by a shard: it names the shard's inventory and
// findings with their SHA-256, so that Merge takes the two files only as
// the pair one attempt wrote whole.
type Manifest struct {
	SchemaVersion string    `json:"schemaVersion"`
	RunID         string    `json:"runId"`
	Shard         int       `json:"shard"`
	Of            int       `json:"of"`
	Attempt       int       `json:"attempt"`
	StartedAt     time.Time `json:"startedAt"`
	FinishedAt    time.Time `json:"finishedAt"`
	Accounts      []string  `json:"accounts"`
	Inventory     FileRef   `json:"inventory"`
	Findings      FileRef   `json:"findings"`
	// Rules are the IDs of the rules the shard evaluated; Merge refuses
	// shards evaluated with other rules than its own.
	Rules []string `json:"rules"`
	// EvaluationGaps are evaluations that did not finish in the shard.
	EvaluationGaps []inventory.Gap `json:"evaluationGaps"`
	// EvaluationStopped says why evaluation stopped early ("" if it did not).
	EvaluationStopped string `json:"evaluationStopped,omitempty"`
}

// FileRef names one file of a shard and what it must hash to.
type FileRef struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// Records counts findings (for the findings file) or buckets (for the
	// inventory).
	Records int `json:"records,omitempty"`
}

// WritePlan writes p into store as PlanName.
func WritePlan(ctx context.Context, store Store, p *Plan) error {
	return putJSON(ctx, store, PlanName, p)
}

// ErrRunExists is CheckNewRun's answer for a run folder that already holds
// a plan.
var ErrRunExists = errors.New("the run folder already holds a plan")

// CheckNewRun refuses a run folder that already holds a plan. A second
// plan over a reused run ID would leave the first run's shard files beside
// it, made with another map, sample or shard count, and a merge would mix
// the two runs.
func CheckNewRun(ctx context.Context, store Store) error {
	_, done, err := store.Fetch(ctx, PlanName)
	switch {
	case err == nil:
		done()
		return fmt.Errorf("%s: %w (a run ID is used once: choose another, or remove the folder)", store.URI(PlanName), ErrRunExists)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return err
	}
}

// ReadPlan reads the plan of the run folder store.
func ReadPlan(ctx context.Context, store Store) (*Plan, error) {
	var p Plan
	if err := getJSON(ctx, store, PlanName, &p); err != nil {
		return nil, err
	}
	if p.SchemaVersion != PlanSchemaVersion {
		return nil, fmt.Errorf("%s: plan schema %q is not supported (this hoofprint reads %q)", store.URI(PlanName), p.SchemaVersion, PlanSchemaVersion)
	}
	if p.Map == nil || p.Map.Snapshot == nil || len(p.Shards) == 0 {
		return nil, fmt.Errorf("%s: the plan has no organization map or no shards", store.URI(PlanName))
	}
	return &p, nil
}

func putJSON(ctx context.Context, store Store, name string, v any) error {
	dir, err := os.MkdirTemp("", "hoofprint-shard-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	p := filepath.Join(dir, name)
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return store.Put(ctx, name, p)
}

func getJSON(ctx context.Context, store Store, name string, v any) error {
	p, done, err := store.Fetch(ctx, name)
	if err != nil {
		return err
	}
	defer done()
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("read %s: %w", store.URI(name), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", store.URI(name), err)
	}
	return nil
}

// ShardOptions run one shard.
type ShardOptions struct {
	Shard   int
	Attempt int
	// Scanner are the scan options; the plan's sample size and key
	// setting override theirs, and Sink is the shard's.
	Scanner scanner.Options
	// Pipeline holds the rules (Prepared) and the evaluation limits.
	Pipeline pipeline.Options
	Logger   *slog.Logger
}

// RunShard scans shard opts.Shard of plan and writes its inventory,
// findings and manifest into store, in that order. It returns the shard's
// snapshot (map, buckets without objects, phase two's coverage).
//
// It drops from plan.Map.Buckets the bucket lists of the other shards'
// accounts: a shard needs only its own, and the others (ten names an
// account, for every account of the organization) would otherwise stay in
// memory for the whole run.
func RunShard(ctx context.Context, base *awsclient.Base, store Store, plan *Plan, opts ShardOptions) (*inventory.Snapshot, *Manifest, error) {
	k, n := opts.Shard, len(plan.Shards)
	if k < 0 || k >= n {
		return nil, nil, fmt.Errorf("shard %d: the plan has shards 0 to %d", k, n-1)
	}
	own := make(map[string][]scanner.ListedBucket, len(plan.Shards[k].Accounts))
	for _, id := range plan.Shards[k].Accounts {
		if l, ok := plan.Map.Buckets[id]; ok {
			own[id] = l
		}
	}
	plan.Map.Buckets = own
	log := orDiscard(opts.Logger)
	dir, err := os.MkdirTemp("", "hoofprint-shard-")
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	invPath := filepath.Join(dir, InventoryName(k, n))
	popts := opts.Pipeline
	popts.InventoryPath = invPath
	popts.SARIFPath, popts.ASFFPath, popts.Output, popts.SecurityHub, popts.Summary = "", "", "", false, nil
	// The rules see object keys only when the plan kept them; merge then
	// needs --show-object-keys too.
	popts.ShowObjectKeys = plan.ShowObjectKeys
	st, err := pipeline.Start(ctx, popts)
	if err != nil {
		return nil, nil, err
	}
	defer st.Abort()
	sopts := opts.Scanner
	sopts.SampleSize, sopts.ShowObjectKeys, sopts.NoAnonymousProbe, sopts.Sink = plan.SampleSize, plan.ShowObjectKeys, plan.NoAnonymousProbe, st
	started := time.Now().UTC()
	snap, err := scanner.ScanAccounts(ctx, base, plan.Map, plan.Shards[k].Accounts, sopts)
	if err != nil {
		return snap, nil, err
	}
	out, err := st.FinishShard(snap)
	if err != nil {
		return snap, nil, err
	}
	findPath := filepath.Join(dir, FindingsName(k, n))
	if err := writeFindings(findPath, out.Findings); err != nil {
		return snap, nil, err
	}
	if err := st.FindingsErr(); err != nil {
		return snap, nil, fmt.Errorf("findings: %w", err)
	}
	m := &Manifest{
		SchemaVersion: ManifestSchemaVersion, RunID: plan.RunID, Shard: k, Of: n, Attempt: opts.Attempt,
		StartedAt: started, FinishedAt: time.Now().UTC(), Accounts: plan.Shards[k].Accounts,
		Rules: out.Rules, EvaluationGaps: out.Gaps, EvaluationStopped: out.Stopped,
	}
	if m.EvaluationGaps == nil {
		m.EvaluationGaps = []inventory.Gap{}
	}
	if m.Inventory, err = ref(invPath); err != nil {
		return snap, nil, err
	}
	if m.Findings, err = ref(findPath); err != nil {
		return snap, nil, err
	}
	m.Findings.Records = out.Count
	m.Inventory.Records = out.Buckets
	// The files go first and the manifest last: a shard stopped between
	// them leaves a manifest that does not match (an earlier attempt's) or
	// none, and Merge then treats the shard as not done.
	// The uploads must finish even after SIGTERM: what was collected is
	// worth keeping (ECS/Batch give a stopped container 30 s by default).
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, p := range []string{invPath, findPath} {
		if err := store.Put(wctx, filepath.Base(p), p); err != nil {
			return snap, m, err
		}
	}
	if err := putJSON(wctx, store, ManifestName(k, n), m); err != nil {
		return snap, m, err
	}
	log.Info("shard written", "shard", k, "of", n, "attempt", opts.Attempt, "manifest", store.URI(ManifestName(k, n)),
		"buckets", out.Buckets, "findings", out.Count, "gaps", len(snap.Coverage.Gaps)+len(out.Gaps))
	return snap, m, nil
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// writeFindings writes one finding per line, gzip-compressed.
func writeFindings(path string, fs iter.Seq[findings.Finding]) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write findings %s: %w", path, err)
	}
	gz := gzip.NewWriter(f)
	bw := bufio.NewWriter(gz)
	enc := json.NewEncoder(bw)
	for f := range fs {
		if err = enc.Encode(&f); err != nil {
			break
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = gz.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write findings %s: %w", path, err)
	}
	return nil
}

// readFindings reads a findings file, one finding at a time, and returns
// how many it read. Evidence numbers stay json.Number, so a finding is
// written into the reports exactly as the shard had it.
func readFindings(path string, add func(findings.Finding) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return 0, err
	}
	dec := json.NewDecoder(bufio.NewReader(gz))
	dec.UseNumber()
	n := 0
	for {
		var x findings.Finding
		if err := dec.Decode(&x); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, err
		}
		if err := add(x); err != nil {
			return n, err
		}
		n++
	}
}

func ref(path string) (FileRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileRef{}, err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileRef{}, err
	}
	return FileRef{Name: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}
