package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/shard"
)

// shardEnv runs processes of the real binary against one emulator.
type shardEnv struct {
	bin  string
	emu  *emulator.Emulator
	role string
	env  []string
}

func newShardEnv(t *testing.T, bin string, sc *scenario.Scenario) *shardEnv {
	t.Helper()
	emu := startEmulator(t, sc, emulator.Options{})
	env := os.Environ()
	for k, v := range emu.Environ() {
		env = append(env, k+"="+v)
	}
	// Not inside an AWS Batch array job unless a test says so.
	env = append(env, "AWS_BATCH_JOB_ARRAY_INDEX=", "AWS_BATCH_JOB_ARRAY_SIZE=", "AWS_BATCH_JOB_ATTEMPT=",
		// Every process of a run hashes keys with one secret, as the
		// deployment injects it from Secrets Manager.
		keySecretEnv+"=00112233445566778899aabbccddeeff")
	return &shardEnv{bin: bin, emu: emu, role: sc.MemberRoleName, env: env}
}

// cmd is one hoofprint process; args get the emulator's endpoint and role
// where the command takes them.
func (e *shardEnv) cmd(extraEnv []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	if args[0] != "merge" || slices.Contains(args, "--securityhub") {
		args = append(args, "--endpoint-url", e.emu.URL(), "--role-name", e.role)
	}
	c := exec.Command(e.bin, args...)
	c.Env = append(slices.Clone(e.env), extraEnv...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	return c, &stdout, &stderr
}

// run runs one process to its end and returns its exit code and stdout.
func (e *shardEnv) run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, stdout, err := e.runProcess(args...)
	if err != nil {
		t.Fatal(err)
	}
	return code, stdout
}

// runProcess is run for goroutines other than the test's, which must not
// stop the test: a process that could not run, or that exited 2 (the
// test's arguments are wrong), is an error for the caller to fail on.
func (e *shardEnv) runProcess(args ...string) (int, string, error) {
	c, stdout, stderr := e.cmd(nil, args...)
	err := c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1, "", fmt.Errorf("%v: %w", args, err)
	}
	code := c.ProcessState.ExitCode()
	if code == exitUsage {
		return code, stdout.String(), fmt.Errorf("%s exited 2\nstderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return code, stdout.String(), nil
}

// calls counts the emulator's requests by service and operation, STS
// aside, since the last call (or ResetRequests).
func (e *shardEnv) calls() map[string]int {
	out := map[string]int{}
	for k, n := range e.emu.Requests() {
		if k.Service != "sts" {
			out[k.Service+" "+k.Operation] += n
		}
	}
	e.emu.ResetRequests()
	return out
}

// plan runs 'hoofprint plan' and returns the run folder it printed.
func (e *shardEnv) plan(t *testing.T, dir string, n int, extra ...string) string {
	t.Helper()
	code, out := e.run(t, append([]string{"plan", "--output", dir, "--shards", fmt.Sprint(n), "--run-id", "test-run", "--seed", "7", "-q"}, extra...)...)
	if code != exitOK {
		t.Fatalf("plan exited %d", code)
	}
	return strings.TrimSpace(out)
}

// shards runs the given shards of run as parallel processes.
func (e *shardEnv) shards(t *testing.T, run string, n int, which []int) {
	t.Helper()
	var wg sync.WaitGroup
	codes := make([]int, len(which))
	errs := make([]error, len(which))
	for i, k := range which {
		wg.Go(func() {
			codes[i], _, errs[i] = e.runProcess("scan", "--plan", run, "--shard", fmt.Sprintf("%d/%d", k, n), "-q")
		})
	}
	wg.Wait()
	for i, c := range codes {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v", which[i], errs[i])
		}
		if c != exitOK {
			t.Fatalf("shard %d exited %d", which[i], c)
		}
	}
}

// reports reads a SARIF and an ASFF file with the run's times taken out,
// the ASFF findings in Id order: one scan writes them bucket by bucket as
// they are evaluated, a merge each shard's in turn (docs/architecture.md),
// the same findings in an order Security Hub does not depend on.
func reports(t *testing.T, dir string) (sarif, asff any) {
	t.Helper()
	list, ok := readTimeless(t, filepath.Join(dir, "out.asff.json")).([]any)
	if !ok {
		t.Fatalf("%s is not a JSON array", filepath.Join(dir, "out.asff.json"))
	}
	id := func(f any) string { s, _ := f.(map[string]any)["Id"].(string); return s }
	slices.SortStableFunc(list, func(a, b any) int { return cmp.Compare(id(a), id(b)) })
	return readTimeless(t, filepath.Join(dir, "out.sarif")), list
}

// timeKeys are the fields that hold the time of a run (SARIF
// invocations; ASFF CreatedAt/UpdatedAt/…ObservedAt), all a run's own.
// Any other time in a string (SARIF's automationDetails.id, the time the
// anonymous probe's HEAD was answered, in evidence and messages) is
// replaced (runTime).
var timeKeys = map[string]bool{
	"startTimeUtc": true, "endTimeUtc": true,
	"CreatedAt": true, "UpdatedAt": true, "FirstObservedAt": true, "LastObservedAt": true,
	// When the anonymous probe's HEAD was answered (evidence anonymousHead.at).
	"at": true,
}

var runTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

func readTimeless(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var strip func(any) any
	strip = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if timeKeys[k] {
					delete(x, k)
					continue
				}

				x[k] = strip(v)
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		case string:
			return runTime.ReplaceAllString(x, "<time>")
		}
		return x
	}
	return strip(v)
}

// firstDiff names the first place where a and b differ.
func firstDiff(a, b any, at string) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return at + ": object vs " + fmt.Sprintf("%T", b)
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range keys {
				if !yield(k) {
					return
				}
			}
		}) {
			if d := firstDiff(av[k], bv[k], at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: %d items vs %v", at, len(av), describeLen(b))
		}
		for i := range av {
			if d := firstDiff(av[i], bv[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v vs %v", at, a, b)
	}
	return ""
}

func describeLen(x any) string {
	if v, ok := x.([]any); ok {
		return fmt.Sprintf("%d items", len(v))
	}
	return fmt.Sprintf("%T", x)
}

func readPlan(t *testing.T, run string) *shard.Plan {
	t.Helper()
	p, err := shard.ReadPlan(t.Context(), mustStore(t, run))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustStore(t *testing.T, run string) shard.Store {
	t.Helper()
	s, err := shard.OpenStore(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// spreadDistributions moves every other distribution (and its OAI) of a
// generated organization to the next member account, so that
// distributions and their origin buckets sit in different accounts.
func spreadDistributions(t *testing.T, sc *scenario.Scenario) {
	t.Helper()
	members := sc.Accounts[1:]
	for i := range sc.Distributions {
		if i%2 == 1 {
			continue
		}
		d := &sc.Distributions[i]
		at := slices.IndexFunc(members, func(a scenario.Account) bool { return a.Name == d.Account })
		to := members[(at+len(members)/2)%len(members)].Name
		for j := range sc.OAIs {
			if sc.OAIs[j].Name == d.Origins[0].OAI {
				sc.OAIs[j].Account = to
			}
		}
		d.Account = to
	}
	if err := sc.Resolve(); err != nil {
		t.Fatal(err)
	}
}

// Issue 12: plan, N shard processes in parallel, merge give the SARIF and
// ASFF of one scan (times aside) and its exit code, for HealthCorp (whose
// incident crosses accounts) and for a generated organization whose object
// owners, buckets and distributions the plan put in different shards.
func TestShardedRunEqualsOneScan(t *testing.T) {
	bin := buildBinary(t)
	gen, err := scenario.Generate(scenario.GenOptions{Accounts: 12, BucketsPerAccount: 3, ObjectsPerBucket: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	spreadDistributions(t, gen)
	for _, tc := range []struct {
		name   string
		sc     *scenario.Scenario
		shards int
		spread bool
	}{
		{"healthcorp", scenario.HealthCorp(), 3, false},
		{"generated", gen, 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newShardEnv(t, bin, tc.sc)
			single, sharded := t.TempDir(), t.TempDir()
			e.emu.ResetRequests()
			wantCode, _ := e.run(t, "scan", "--seed", "7", "-q", "--sarif", filepath.Join(single, "out.sarif"),
				"--asff", filepath.Join(single, "out.asff.json"), "--inventory", filepath.Join(single, "inv.json"))
			wantCalls := e.calls()

			run := e.plan(t, filepath.Join(sharded, "runs"), tc.shards)
			if want := filepath.Join(sharded, "runs", "test-run"); run != want {
				t.Fatalf("plan printed %q, want the run folder %q", run, want)
			}
			all := make([]int, tc.shards)
			for k := range all {
				all[k] = k
			}
			e.shards(t, run, tc.shards, all)
			// The plan's map plus the shards' buckets are one scan's work:
			// the same calls, but for STS (each process has its caller
			// and the credentials of the accounts it touches).
			if got := e.calls(); !maps.Equal(got, wantCalls) {
				for op, n := range wantCalls {
					if got[op] != n {
						t.Errorf("%s: one scan %d calls, plan + shards %d", op, n, got[op])
					}
				}
				for op, n := range got {
					if _, ok := wantCalls[op]; !ok {
						t.Errorf("%s: one scan 0 calls, plan + shards %d", op, n)
					}
				}
			}
			code, _ := e.run(t, "merge", "--run", run, "-q", "--sarif", filepath.Join(sharded, "out.sarif"), "--asff", filepath.Join(sharded, "out.asff.json"),
				"--inventory", filepath.Join(sharded, "inv.json"))
			if code != wantCode {
				t.Errorf("merge exited %d, one scan %d", code, wantCode)
			}
			// The merged inventory lists the buckets in one scan's order
			// (accounts by ID, then names; docs/inventory.md), not shard
			// by shard.
			order := func(path string) []string {
				var names []string
				for _, b := range readInventory(t, path).Buckets {
					names = append(names, b.AccountID+"/"+b.Name)
				}
				return names
			}
			if w, g := order(filepath.Join(single, "inv.json")), order(filepath.Join(sharded, "inv.json")); !slices.Equal(w, g) {
				t.Errorf("merged inventory's buckets:\n%v\none scan's:\n%v", g, w)
			}
			ws, wa := reports(t, single)
			gs, ga := reports(t, sharded)
			if d := firstDiff(ws, gs, "sarif"); d != "" {
				t.Errorf("merged SARIF differs from one scan's: %s", d)
			}
			if d := firstDiff(wa, ga, "asff"); d != "" {
				t.Errorf("merged ASFF differs from one scan's: %s", d)
			}
			if n := len(wa.([]any)); n == 0 {
				t.Fatal("no findings at all: the comparison proves nothing")
			}
			if tc.spread {
				checkSpread(t, readPlan(t, run), filepath.Join(single, "inv.json"))
			}
		})
	}
}

// checkSpread fails unless some object owner and some distribution are in
// another shard than the bucket they touch: the cases a shard can only get
// right through the plan's whole-organization map.
func checkSpread(t *testing.T, p *shard.Plan, invPath string) {
	t.Helper()
	shardOf := map[string]int{}
	for k, s := range p.Shards {
		for _, a := range s.Accounts {
			shardOf[a] = k
		}
	}
	inv := readInventory(t, invPath)
	owners, dists := 0, 0
	for _, b := range inv.Buckets {
		for _, o := range b.Objects.Objects {
			if id, ok := inv.CanonicalIDs[o.OwnerCanonicalID]; ok && id.AccountID != b.AccountID && shardOf[id.AccountID] != shardOf[b.AccountID] {
				owners++
			}
		}
	}
	for _, d := range inv.Distributions {
		for _, o := range d.Origins {
			if o.BucketAccountID != "" && shardOf[o.BucketAccountID] != shardOf[d.AccountID] {
				dists++
			}
		}
	}
	if owners == 0 || dists == 0 {
		t.Fatalf("the split does not cross shards: %d objects owned from another shard, %d origins in another shard", owners, dists)
	}
	t.Logf("%d sampled objects owned by another shard's account, %d origins in another shard", owners, dists)
}

func readInventory(t *testing.T, path string) *inventory.Snapshot {
	t.Helper()
	r, err := inventory.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	s, err := inventory.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Issue 12: a shard never started, a shard killed mid-run, a retry that
// replaced its files but died before its manifest, and a shard run twice.
// The merge names the missing shards' accounts as gaps (exit 3), never
// reads a shard in part, and keeps one copy of a shard run twice.
func TestShardedRunFailures(t *testing.T) {
	bin := buildBinary(t)
	sc := scenario.HealthCorp()
	e := newShardEnv(t, bin, sc)
	const n = 3
	single := t.TempDir()
	wantCode, _ := e.run(t, "scan", "--seed", "7", "-q", "--sarif", filepath.Join(single, "out.sarif"), "--asff", filepath.Join(single, "out.asff.json"))
	ws, wa := reports(t, single)

	// merge runs a merge into a new directory and returns its exit code,
	// its stdout (the summary) and the directory.
	merge := func(run string) (int, string, string) {
		out := t.TempDir()
		code, stdout := e.run(t, "merge", "--run", run, "--sarif", filepath.Join(out, "out.sarif"), "--asff", filepath.Join(out, "out.asff.json"))
		return code, stdout, out
	}
	// wantGaps checks that every account of shard k is named as a gap with
	// code, in the summary and in the SARIF, and is not counted as scanned.
	wantGaps := func(t *testing.T, p *shard.Plan, k int, code, summary, dir string) {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, "out.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Shards[k].Accounts) == 0 {
			t.Fatalf("shard %d has no accounts: nothing to check", k)
		}
		for _, a := range p.Shards[k].Accounts {
			if !strings.Contains(summary, a) {
				t.Errorf("the summary does not name account %s of the missing shard %d", a, k)
			}
			if !strings.Contains(string(raw), "ScanShard on account "+a+" failed with "+code) {
				t.Errorf("the SARIF has no %s gap for account %s of shard %d", code, a, k)
			}
		}
	}

	t.Run("never started", func(t *testing.T) {
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 2})
		code, summary, dir := merge(run)
		if code != exitIncomplete {
			t.Fatalf("merge exited %d with shard 1 missing, want %d", code, exitIncomplete)
		}
		wantGaps(t, readPlan(t, run), 1, shard.CodeShardMissing, summary, dir)
	})

	t.Run("killed mid-run", func(t *testing.T) {
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 1})
		// Slow S3 down so that shard 2 is killed while collecting.
		e.emu.SetFaults([]emulator.FaultRule{{Service: "s3", Latency: 300 * time.Millisecond}})
		defer e.emu.SetFaults(nil)
		e.emu.ResetRequests()
		c, _, stderr := e.cmd(nil, "scan", "--plan", run, "--shard", "2/3")
		proc := startChild(t, c)
		deadline := time.Now().Add(30 * time.Second)
		for len(e.emu.RequestLog()) < 3 {
			if time.Now().After(deadline) {
				proc.kill()
				t.Fatalf("shard 2 made no requests\n%s", stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := c.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = proc.wait()
		e.emu.SetFaults(nil)
		code, summary, dir := merge(run)
		if code != exitIncomplete {
			t.Fatalf("merge exited %d with shard 2 killed, want %d", code, exitIncomplete)
		}
		wantGaps(t, readPlan(t, run), 2, shard.CodeShardMissing, summary, dir)
		leftovers, _ := filepath.Glob(filepath.Join(run, ".hoofprint-*"))
		if len(leftovers) > 0 {
			t.Errorf("the killed shard left partial files in the run folder: %v", leftovers)
		}
	})

	t.Run("stopped by SIGTERM", func(t *testing.T) {
		// AWS Batch stops a job that runs past its timeout with SIGTERM:
		// the shard writes what it collected, incomplete, and exits 3 so
		// that Batch retries it; merged as is, the run is incomplete.
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 1})
		e.emu.SetFaults([]emulator.FaultRule{{Service: "s3", Latency: 300 * time.Millisecond}})
		defer e.emu.SetFaults(nil)
		e.emu.ResetRequests()
		c, _, stderr := e.cmd(nil, "scan", "--plan", run, "--shard", "2/3")
		proc := startChild(t, c)
		deadline := time.Now().Add(30 * time.Second)
		for len(e.emu.RequestLog()) < 3 {
			if time.Now().After(deadline) {
				proc.kill()
				t.Fatalf("shard 2 made no requests\n%s", stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := c.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		_ = proc.wait()
		e.emu.SetFaults(nil)
		if code := c.ProcessState.ExitCode(); code != exitIncomplete {
			t.Fatalf("the stopped shard exited %d, want %d\n%s", code, exitIncomplete, stderr.String())
		}
		if _, err := os.Stat(filepath.Join(run, shard.ManifestName(2, n))); err != nil {
			t.Fatalf("the stopped shard wrote no manifest: %v", err)
		}
		code, _, dir := merge(run)
		if code != exitIncomplete {
			t.Fatalf("merge exited %d, want %d", code, exitIncomplete)
		}
		if l := readSARIF(t, filepath.Join(dir, "out.sarif")); l.Runs[0].Invocations[0].ExecutionSuccessful {
			t.Error("the merged SARIF says the run was successful")
		}
	})

	t.Run("retry died before its manifest", func(t *testing.T) {
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 1, 2})
		// A retry of shard 0 that wrote its inventory but was stopped
		// before its manifest: the files no longer match the manifest.
		inv := filepath.Join(run, shard.InventoryName(0, n))
		if err := os.WriteFile(inv, []byte("a later attempt's inventory"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, summary, dir := merge(run)
		if code != exitIncomplete {
			t.Fatalf("merge exited %d, want %d", code, exitIncomplete)
		}
		wantGaps(t, readPlan(t, run), 0, shard.CodeShardIncomplete, summary, dir)
	})

	t.Run("a shard of an earlier version", func(t *testing.T) {
		// A v1 shard's findings are its sampled rules' only: merged, its
		// buckets would miss the bucket-scope rules' findings.
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 1, 2})
		path := filepath.Join(run, shard.ManifestName(0, n))
		var m map[string]any
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m["schemaVersion"] = "hoofprint.shard/v1"
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		code, summary, dir := merge(run)
		if code != exitIncomplete {
			t.Fatalf("merge exited %d with a v1 shard, want %d", code, exitIncomplete)
		}
		wantGaps(t, readPlan(t, run), 0, shard.CodeShardIncomplete, summary, dir)
		raw, err := os.ReadFile(filepath.Join(dir, "out.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `schema \"hoofprint.shard/v1\"`) {
			t.Error("the gap does not name the shard's schema version")
		}
	})

	t.Run("another key secret", func(t *testing.T) {
		run := e.plan(t, t.TempDir(), n)
		c, _, stderr := e.cmd([]string{keySecretEnv + "=ffeeddccbbaa99887766554433221100"}, "scan", "--plan", run, "--shard", "0/3")
		_ = c.Run()
		if code := c.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(stderr.String(), "key secret") {
			t.Fatalf("a shard with another key secret than the plan's exited %d, want %d naming the secret\n%s", code, exitUsage, stderr.String())
		}
	})

	t.Run("run twice", func(t *testing.T) {
		run := e.plan(t, t.TempDir(), n)
		e.shards(t, run, n, []int{0, 1, 2})
		before := snapshotDir(t, run)
		// AWS Batch retries shard 1: index and size from the environment.
		c, _, stderr := e.cmd([]string{"AWS_BATCH_JOB_ARRAY_INDEX=1", "AWS_BATCH_JOB_ARRAY_SIZE=3", "AWS_BATCH_JOB_ATTEMPT=2"}, "scan", "--plan", run, "-q")
		if err := c.Run(); err != nil {
			t.Fatalf("the retried shard: %v\n%s", err, stderr.String())
		}
		after := snapshotDir(t, run)
		for name, sum := range before {
			if after[name] != sum && !strings.HasPrefix(name, "shard-0001-of-0003.") {
				t.Errorf("the retry of shard 1 changed %s", name)
			}
		}
		if len(after) != len(before) {
			t.Errorf("the retry left %d files, the first run %d", len(after), len(before))
		}
		var m shard.Manifest
		b, err := os.ReadFile(filepath.Join(run, shard.ManifestName(1, n)))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil || m.Attempt != 2 {
			t.Fatalf("manifest of shard 1: attempt %d (%v), want 2", m.Attempt, err)
		}
		code, _, dir := merge(run)
		if code != wantCode {
			t.Errorf("merge exited %d, one scan %d", code, wantCode)
		}
		gs, ga := reports(t, dir)
		if d := firstDiff(ws, gs, "sarif"); d != "" {
			t.Errorf("merged SARIF differs from one scan's: %s", d)
		}
		if d := firstDiff(wa, ga, "asff"); d != "" {
			t.Errorf("merged ASFF differs from one scan's: %s", d)
		}
	})
}

// snapshotDir maps each file of dir to its contents.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// The run folder in S3 (the deployment's): plan refuses nothing on a
// private bucket of the caller's account, shards and merge read it back,
// and a shard that never wrote its manifest is NoSuchKey: a gap, not an
// error.
func TestShardedRunInS3(t *testing.T) {
	bin := buildBinary(t)
	sc := scenario.HealthCorp()
	e := newShardEnv(t, bin, sc)
	const bucket = "hoofprint-runs-test"
	api := s3.NewFromConfig(e.emu.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := api.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	on := aws.Bool(true)
	if _, err := api.PutPublicAccessBlock(t.Context(), &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
		t.Fatal(err)
	}
	single := t.TempDir()
	wantCode, _ := e.run(t, "scan", "--seed", "7", "-q", "--sarif", filepath.Join(single, "out.sarif"), "--asff", filepath.Join(single, "out.asff.json"))
	ws, wa := reports(t, single)

	run := e.plan(t, "s3://"+bucket+"/runs/", 2)
	if want := "s3://" + bucket + "/runs/test-run/"; run != want {
		t.Fatalf("plan printed %q, want %q", run, want)
	}
	mergeS3 := func() (int, string) {
		out := t.TempDir()
		// merge reads an S3 run folder with the caller's credentials.
		code, _ := e.run(t, "merge", "--run", run, "--endpoint-url", e.emu.URL(), "-q", "--sarif", filepath.Join(out, "out.sarif"), "--asff", filepath.Join(out, "out.asff.json"))
		return code, out
	}
	e.shards(t, run, 2, []int{0})
	if code, _ := mergeS3(); code != exitIncomplete {
		t.Fatalf("merge with shard 1 missing exited %d, want %d", code, exitIncomplete)
	}
	e.shards(t, run, 2, []int{1})
	code, dir := mergeS3()
	if code != wantCode {
		t.Fatalf("merge exited %d, one scan %d", code, wantCode)
	}
	gs, ga := reports(t, dir)
	// The run folder's bucket is in the caller's account, so the shards
	// scanned it with the plan in it, and the single scan empty: leave it
	// and the sample totals aside.
	ws, wa, gs, ga = without(t, ws, bucket), without(t, wa, bucket), without(t, gs, bucket), without(t, ga, bucket)
	if len(ga.([]any)) < 50 {
		t.Fatalf("only %d findings left to compare", len(ga.([]any)))
	}
	if d := firstDiff(ws, gs, "sarif"); d != "" {
		t.Errorf("merged SARIF differs from one scan's: %s", d)
	}
	if d := firstDiff(wa, ga, "asff"); d != "" {
		t.Errorf("merged ASFF differs from one scan's: %s", d)
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("runs/test-run/")})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), "runs/test-run/"))
		}
	}
	want := []string{"plan.json", shard.FindingsName(0, 2), shard.InventoryName(0, 2), shard.ManifestName(0, 2), shard.FindingsName(1, 2), shard.InventoryName(1, 2), shard.ManifestName(1, 2)}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("the run folder holds %q, want %q", keys, want)
	}

	// A signal while the shards' files are fetched: the merged reports say
	// the run was interrupted, and do not blame the shards alone (the
	// merge once wrote complete: true and blamed them).
	e.emu.SetFaults([]emulator.FaultRule{{Service: "s3", Operation: "GetObject", Latency: 3 * time.Second, After: 1}})
	out := t.TempDir()
	c, _, stderr := e.cmd(nil, "merge", "--run", run, "--endpoint-url", e.emu.URL(), "-q", "--inventory", filepath.Join(out, "inv.json"), "--sarif", filepath.Join(out, "out.sarif"))
	proc := startChild(t, c)
	time.Sleep(1500 * time.Millisecond)
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = proc.wait()
	e.emu.SetFaults(nil)
	if code := c.ProcessState.ExitCode(); code != exitIncomplete {
		t.Fatalf("merge after SIGTERM exited %d, want %d\n%s", code, exitIncomplete, stderr.String())
	}
	inv := readInventory(t, filepath.Join(out, "inv.json"))
	if inv.Coverage.Complete || !strings.Contains(inv.Coverage.Interrupted, "merge:") {
		t.Errorf("the merged inventory's coverage = complete %v, interrupted %q; want incomplete, interrupted by the merge's signal", inv.Coverage.Complete, inv.Coverage.Interrupted)
	}
	if !strings.Contains(stderr.String(), "the merge was interrupted") {
		t.Errorf("the shards not merged are not said to be the merge's interruption:\n%s", stderr.String())
	}
	if l := readSARIF(t, filepath.Join(out, "out.sarif")); l.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Error("the merged SARIF says the run was successful")
	}
}

// without drops from a SARIF log or an ASFF list every result or finding
// that names bucket, and the SARIF run's sample totals.
func without(t *testing.T, doc any, bucket string) any {
	t.Helper()
	keep := func(items []any) []any {
		var out []any
		for _, it := range items {
			b, err := json.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), bucket) {
				out = append(out, it)
			}
		}
		return out
	}
	switch d := doc.(type) {
	case []any:
		return keep(d)
	case map[string]any:
		for _, r := range d["runs"].([]any) {
			run := r.(map[string]any)
			run["results"] = keep(run["results"].([]any))
			if p, ok := run["properties"].(map[string]any); ok {
				delete(p, "hoofprint/sample")
				delete(p, "hoofprint/fullySampledBuckets")
			}
		}
	}
	return doc
}

// merge --securityhub archives as one scan would, and never a finding of
// an account whose shard is missing: those accounts were not read, so
// their findings are not known to be fixed.
func TestShardedRunSecurityHubKeepsAMissingShardsFindings(t *testing.T) {
	bin := buildBinary(t)
	sc := scenario.HealthCorp()
	e := newShardEnv(t, bin, sc)
	regions := map[string]bool{"us-east-1": true}
	for _, b := range sc.Buckets {
		if b.Region != "" {
			regions[b.Region] = true
		}
	}
	// state counts the findings in every account's hub by record state.
	state := func() map[string]map[string]int {
		out := map[string]map[string]int{}
		for _, a := range sc.Accounts {
			for r := range regions {
				for _, f := range e.emu.Findings(a.ID, r) {
					if out[a.ID] == nil {
						out[a.ID] = map[string]int{}
					}
					out[a.ID][fmt.Sprint(f["RecordState"])]++
				}
			}
		}
		return out
	}
	if code, _ := e.run(t, "scan", "--seed", "7", "-q", "--securityhub"); code == exitUsage {
		t.Fatal("scan --securityhub failed")
	}
	before := state()
	const n = 3
	run := e.plan(t, t.TempDir(), n)
	p := readPlan(t, run)
	e.shards(t, run, n, []int{0, 2})
	code, _ := e.run(t, "merge", "--run", run, "-q", "--securityhub")
	if code != exitIncomplete {
		t.Fatalf("merge --securityhub with shard 1 missing exited %d, want %d", code, exitIncomplete)
	}
	after := state()
	missing := 0
	for _, a := range p.Shards[1].Accounts {
		missing += before[a]["ACTIVE"]
		if after[a]["ARCHIVED"] > before[a]["ARCHIVED"] {
			t.Errorf("account %s of the missing shard: %d findings archived (before %d)", a, after[a]["ARCHIVED"], before[a]["ARCHIVED"])
		}
	}
	if missing == 0 {
		t.Fatal("the missing shard's accounts had no findings in Security Hub: the test proves nothing")
	}
	// Complete, the sharded run imports as one scan: the same states.
	e.shards(t, run, n, []int{1})
	if code, _ := e.run(t, "merge", "--run", run, "-q", "--securityhub"); code == exitUsage {
		t.Fatalf("merge exited %d", code)
	}
	if got := state(); !reflect.DeepEqual(got, before) {
		t.Errorf("after a complete sharded run Security Hub holds %v, after one scan %v", got, before)
	}
}
