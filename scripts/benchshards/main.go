// Command benchshards measures sharded runs (`hoofprint plan`, `hoofprint
// scan --plan --shard K/N`, `hoofprint merge`) on organizations of growing
// size, in the shape of the scale benchmark: a generated organization on
// the project's emulator (served from this process) with 10 buckets × 100
// objects per member account, `--concurrency 64`, the real binary in its
// own process under /usr/bin/time for each step.
//
//	go run ./scripts/benchshards -accounts 500,1000,2000,4000 -per-shard 250 -run-shards 2
//	make bench-shards
//
// For each organization size it runs `plan` with N shards (N = accounts ÷
// -per-shard, so that a shard's accounts stay the same while the
// organization grows, or -shards N for a fixed N), then shard processes
// in parallel, and prints the plan's max RSS, every shard's max RSS and
// requests, and, when every shard ran, `merge`'s max RSS. With -compare
// (and every shard run) it also runs one `hoofprint scan` of the same
// organization first and checks that plan + shards made the single scan's
// requests, operation by operation, STS aside (a sharded run assumes an
// account's role once per process that needs it): it exits 1 when they
// differ. The end-to-end test TestShardedRunEqualsOneScan (cmd/hoofprint)
// asserts the same on a small organization in CI.
//
// -run-shards K runs only the first K of the N shards: a shard's memory
// does not depend on the others, and the largest organizations would
// otherwise take hours on a small machine. -latency defaults to 0: memory
// does not depend on latency (the scanner holds at most 128 buckets in
// flight whatever their speed) while 100 ms a request makes a
// 2,500-bucket shard take minutes of waiting per size. BENCHMARKS.md
// ("Sharded runs") records the output.
//
// -memprofile DIR has every process write a heap profile at each new peak
// (HOOFPRINT_MEMPROFILE) and its log into DIR, to read with
// `go tool pprof -sample_index=inuse_space -top DIR/<accounts>-shard-0of4.heap.pprof`.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/scripts/internal/machine"
)

type config struct {
	sizes                []int
	buckets, objects     int
	perShard, shards     int
	runShards            int
	concurrency          int
	latency              time.Duration
	compare              bool
	memDir, bin, workDir string
}

func main() {
	var c config
	sizes := flag.String("accounts", "500,1000,2000,4000", "comma-separated member account counts, one run each")
	flag.IntVar(&c.buckets, "buckets", 10, "buckets per account")
	flag.IntVar(&c.objects, "objects", 100, "objects per bucket")
	flag.IntVar(&c.perShard, "per-shard", 250, "accounts per shard: N = accounts ÷ this, rounded up (ignored with -shards)")
	flag.IntVar(&c.shards, "shards", 0, "a fixed N for every size (0: from -per-shard)")
	flag.IntVar(&c.runShards, "run-shards", 0, "run only the first K shards of each size (0: all); merge and -compare need all")
	flag.IntVar(&c.concurrency, "concurrency", 64, "--concurrency of every hoofprint process")
	flag.DurationVar(&c.latency, "latency", 0, "added by the emulator to every request (memory does not depend on it)")
	flag.BoolVar(&c.compare, "compare", true, "also run one scan of the organization and compare requests per operation (sizes whose shards all run)")
	flag.StringVar(&c.memDir, "memprofile", "", "directory: every hoofprint process writes a heap profile at its peak there (HOOFPRINT_MEMPROFILE), and its log")
	flag.Parse()
	log.SetFlags(0)
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("benchshards: -accounts %q: want positive counts", s)
		}
		c.sizes = append(c.sizes, n)
	}
	if c.perShard < 1 && c.shards < 1 {
		log.Fatal("benchshards: -per-shard or -shards must be at least 1")
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		log.Fatal("benchshards: /usr/bin/time is needed for each process's own max RSS (Debian: apt-get install time)")
	}
	dir, err := os.MkdirTemp("", "benchshards-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	c.workDir = dir
	c.bin = filepath.Join(dir, "hoofprint")
	if out, err := exec.Command("go", "build", "-o", c.bin, "./cmd/hoofprint").CombinedOutput(); err != nil {
		log.Fatalf("benchshards: build: %v\n%s", err, out)
	}
	if c.memDir != "" {
		if err := os.MkdirAll(c.memDir, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("shape: %d buckets x %d objects per account, --concurrency %d, latency %s; load average %s\n\n",
		c.buckets, c.objects, c.concurrency, c.latency, machine.LoadAverage())
	fmt.Println("| accounts | N | accounts a shard | shards run | shard requests | plan max RSS | shard max RSS (min–max) | merge max RSS | scan max RSS | plan + shards = scan, STS aside | plan wall | shards wall |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	failed := false
	for _, n := range c.sizes {
		ok, err := one(c, n)
		if err != nil {
			log.Fatalf("benchshards: %d accounts: %v", n, err)
		}
		failed = failed || !ok
	}
	fmt.Printf("\nload average after: %s\n", machine.LoadAverage())
	if failed {
		log.Fatal("benchshards: plan + shards did not make the single scan's requests (see above)")
	}
}

// result is one hoofprint process.
type result struct {
	rssKiB int64
	wall   time.Duration
}

// proc runs hoofprint processes against one emulator.
type proc struct {
	c        config
	accounts int
	env      []string
	common   []string
}

func (p proc) run(name string, args ...string) (result, error) {
	if args[0] == "merge" {
		args = append(args, "-q") // offline: no AWS flags
	} else {
		args = append(args, p.common...)
	}
	// Through /usr/bin/time: on Linux a child's ru_maxrss starts at the RSS
	// of the process that forked it (the high-water mark survives execve),
	// and this process holds the emulator's whole organization. time(1) is
	// small, so %M is hoofprint's own.
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "maxrss-kib %M", p.c.bin}, args...)...)
	cmd.Env = p.env
	prefix := ""
	if p.c.memDir != "" {
		prefix = filepath.Join(p.c.memDir, fmt.Sprintf("%d-%s", p.accounts, name))
		cmd.Env = append(slices.Clone(p.env), "HOOFPRINT_MEMPROFILE="+prefix+".heap.pprof")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{wall: time.Since(start)}
	if prefix != "" {
		_ = os.WriteFile(prefix+".log", stderr.Bytes(), 0o644)
	}
	if cmd.ProcessState == nil {
		return r, err
	}
	if i := strings.LastIndex(stderr.String(), "maxrss-kib "); i >= 0 {
		r.rssKiB, _ = strconv.ParseInt(strings.TrimSpace(stderr.String()[i+len("maxrss-kib "):]), 10, 64)
	}
	// 0, 1 and 3 are runs that finished; 2 is an error.
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 && code != 3 {
		return r, fmt.Errorf("%s: exit %d\n%s", name, code, stderr.String())
	}
	return r, nil
}

func one(c config, accounts int) (bool, error) {
	ctx := context.Background()
	n := c.shards
	if n < 1 {
		n = (accounts + c.perShard - 1) / c.perShard
	}
	runN := n
	if c.runShards > 0 && c.runShards < n {
		runN = c.runShards
	}
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: accounts, BucketsPerAccount: c.buckets, ObjectsPerBucket: c.objects, Seed: 1})
	if err != nil {
		return false, err
	}
	var faults []emulator.FaultRule
	if c.latency > 0 {
		faults = append(faults, emulator.FaultRule{Latency: c.latency})
	}
	emu, err := emulator.Start(ctx, sc, emulator.Options{Faults: faults})
	if err != nil {
		return false, err
	}
	defer func() { _ = emu.Close() }()
	// The emulator counts every attempt; a retry (a connection reset
	// under load) would read as a difference between the runs. Served
	// through retryCounter, retried JSON-protocol calls are named.
	rc := &retryCounter{next: emu, ops: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	url := "http://" + ln.Addr().String()
	p := proc{c: c, accounts: accounts, env: os.Environ()}
	for k, v := range emu.Environ() {
		if k == "AWS_ENDPOINT_URL" {
			v = url
		}
		p.env = append(p.env, k+"="+v)
	}
	p.env = append(p.env, "HOOFPRINT_KEY_SECRET=00112233445566778899aabbccddeeff")
	p.common = []string{"--endpoint-url", url, "--role-name", sc.MemberRoleName, "--concurrency", strconv.Itoa(c.concurrency), "-q"}
	byOperation := func() (ops, retried map[string]int) {
		ops = map[string]int{}
		for k, v := range emu.Requests() {
			ops[k.Service+" "+k.Operation] += v
		}
		emu.ResetRequests()
		return ops, rc.reset()
	}

	compare := c.compare && runN == n
	var single result
	var singleOps, singleRetried map[string]int
	if compare {
		byOperation()
		if single, err = p.run("scan", "scan", "--seed", "7", "--sarif", filepath.Join(c.workDir, "single.sarif")); err != nil {
			return false, err
		}
		singleOps, singleRetried = byOperation()
	}

	runs := filepath.Join(c.workDir, fmt.Sprintf("runs-%d", accounts))
	byOperation()
	plan, err := p.run("plan", "plan", "--output", runs, "--shards", strconv.Itoa(n), "--run-id", "bench", "--seed", "7")
	if err != nil {
		return false, err
	}
	planOps, planRetried := byOperation()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		shards = make([]result, runN)
		errs   []error
	)
	start := time.Now()
	for k := range runN {
		wg.Go(func() {
			r, err := p.run(fmt.Sprintf("shard-%dof%d", k, n), "scan", "--plan", filepath.Join(runs, "bench"), "--shard", fmt.Sprintf("%d/%d", k, n))
			mu.Lock()
			defer mu.Unlock()
			shards[k] = r
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	shardsWall := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return false, err
	}
	shardOps, shardRetried := byOperation()
	// The emulator counts requests by calling account, not by process: the
	// shards' total is exact, a shard's share is their average.
	shardTotal := sum(shardOps)

	mergeRSS := "not run (shards missing)"
	if runN == n {
		m, err := p.run("merge", "merge", "--run", filepath.Join(runs, "bench"), "--sarif", filepath.Join(c.workDir, "merged.sarif"))
		if err != nil {
			return false, err
		}
		mergeRSS = mib(m.rssKiB)
	}
	ok := true
	verdict, scanRSS := "not compared", "not run"
	if compare {
		scanRSS = mib(single.rssKiB)
		sharded, shardedRetried := union(planOps, shardOps), union(planRetried, shardRetried)
		var diffs, retries []string
		for _, op := range slices.Sorted(maps.Keys(union(singleOps, sharded))) {
			if strings.HasPrefix(op, "sts ") || singleOps[op] == sharded[op] {
				continue
			}
			name := op[strings.Index(op, " ")+1:]
			if singleOps[op]-singleRetried[name] == sharded[op]-shardedRetried[name] {
				retries = append(retries, fmt.Sprintf("%s retried %d / %d", op, singleRetried[name], shardedRetried[name]))
				continue
			}
			diffs = append(diffs, fmt.Sprintf("%s: scan %d, plan + shards %d", op, singleOps[op], sharded[op]))
		}
		verdict = fmt.Sprintf("yes (%d requests; STS %d / %d)", sum(singleOps)-stsOf(singleOps), stsOf(singleOps), stsOf(sharded))
		if len(retries) > 0 {
			verdict = fmt.Sprintf("yes but retries (%d requests; STS %d / %d; %s)", sum(singleOps)-stsOf(singleOps), stsOf(singleOps), stsOf(sharded), strings.Join(retries, ", "))
		}
		if len(diffs) > 0 {
			ok = false
			verdict = "NO: " + strings.Join(diffs, "; ")
		}
	}
	minRSS, maxRSS := shards[0].rssKiB, shards[0].rssKiB
	for _, r := range shards {
		minRSS, maxRSS = min(minRSS, r.rssKiB), max(maxRSS, r.rssKiB)
	}
	fmt.Printf("| %d | %d | %d | %d | %d in all (%d a shard) | %s | %s–%s | %s | %s | %s | %.1f s | %.1f s |\n",
		accounts, n, (accounts+n-1)/n, runN, shardTotal, shardTotal/runN, mib(plan.rssKiB), mib(minRSS), mib(maxRSS), mergeRSS, scanRSS, verdict,
		plan.wall.Seconds(), shardsWall.Seconds())
	return ok, nil
}

// retryCounter passes requests to the emulator and counts, by operation,
// the retries the SDK marks (amz-sdk-request: attempt=N, N > 1) whose
// operation the X-Amz-Target header names (the JSON protocols:
// Organizations, CloudTrail, CloudWatch Logs, KMS); others count as
// "unnamed", which no difference is excused by.
type retryCounter struct {
	next http.Handler
	mu   sync.Mutex
	ops  map[string]int
}

func (r *retryCounter) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if a := req.Header.Get("Amz-Sdk-Request"); a != "" && !strings.HasPrefix(a, "attempt=1;") && !strings.HasPrefix(a, "attempt=1 ") {
		op := "unnamed"
		if t := req.Header.Get("X-Amz-Target"); t != "" {
			op = t[strings.LastIndex(t, ".")+1:]
		}
		r.mu.Lock()
		r.ops[op]++
		r.mu.Unlock()
	}
	r.next.ServeHTTP(w, req)
}

func (r *retryCounter) reset() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = map[string]int{}
	return ops
}

func union(a, b map[string]int) map[string]int {
	u := maps.Clone(a)
	for k, v := range b {
		u[k] += v
	}
	return u
}

func sum(ops map[string]int) int {
	n := 0
	for _, v := range ops {
		n += v
	}
	return n
}

func stsOf(ops map[string]int) int {
	n := 0
	for op, v := range ops {
		if strings.HasPrefix(op, "sts ") {
			n += v
		}
	}
	return n
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }
