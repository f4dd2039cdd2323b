// Command benchshards measures a sharded run against one scan: it
// generates an organization on the project's emulator (served from this
// process), builds the hoofprint binary, and for each organization size
// runs one `hoofprint scan`, then `hoofprint plan`, N `hoofprint scan
// --plan --shard K/N` processes in parallel and `hoofprint merge`, each in
// its own process under /usr/bin/time. It prints, per size, the requests of each phase (the
// plan's and the shards' sum against the single scan's), each process's
// max RSS (the shards' largest and smallest) and wall times.
//
//	go run ./scripts/benchshards -accounts 1000,2000,4000 -shards 4
//
// BENCHMARKS.md ("Sharded runs") records its output. The figures that
// matter: the shards' max RSS stays flat as the organization grows (a
// shard holds the map and the buckets in flight), and plan + shards make
// the single scan's requests, plus one AssumeRole per account a shard
// touches beyond the plan's (STS, listed apart).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

func main() {
	sizes := flag.String("accounts", "1000,2000,4000", "comma-separated member account counts, one run each")
	buckets := flag.Int("buckets", 2, "buckets per account")
	objects := flag.Int("objects", 4, "objects per bucket")
	shards := flag.Int("shards", 4, "N, shard processes run in parallel")
	concurrency := flag.Int("concurrency", 16, "--concurrency of every process (modest: the emulator shares the machine)")
	latency := flag.Duration("latency", 0, "added to every request by the emulator")
	flag.Parse()

	dir, err := os.MkdirTemp("", "benchshards-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := filepath.Join(dir, "hoofprint")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/hoofprint").CombinedOutput(); err != nil {
		log.Fatalf("build: %v\n%s", err, out)
	}
	fmt.Printf("| accounts | buckets | N | requests, scan | requests, plan + shards | of which STS: scan / plan + shards | other requests equal | scan max RSS | plan max RSS | shard max RSS (min–max) | merge max RSS | scan wall | plan + shards + merge wall |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("-accounts %q: %v", s, err)
		}
		if err := one(bin, dir, n, *buckets, *objects, *shards, *concurrency, *latency); err != nil {
			log.Fatal(err)
		}
	}
}

type result struct {
	rssKiB int64
	wall   time.Duration
}

func one(bin, dir string, accounts, buckets, objects, n, concurrency int, latency time.Duration) error {
	ctx := context.Background()
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: accounts, BucketsPerAccount: buckets, ObjectsPerBucket: objects, Seed: 1})
	if err != nil {
		return err
	}
	var faults []emulator.FaultRule
	if latency > 0 {
		faults = append(faults, emulator.FaultRule{Latency: latency})
	}
	emu, err := emulator.Start(ctx, sc, emulator.Options{Faults: faults})
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	env := os.Environ()
	for k, v := range emu.Environ() {
		env = append(env, k+"="+v)
	}
	env = append(env, "HOOFPRINT_KEY_SECRET=00112233445566778899aabbccddeeff")
	common := []string{"--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--concurrency", strconv.Itoa(concurrency), "-q"}
	run := func(args ...string) (result, error) {
		if args[0] == "merge" {
			args = append(args, "-q") // offline: no AWS flags
		} else {
			args = append(args, common...)
		}
		// Through /usr/bin/time: on Linux a child's ru_maxrss starts at
		// the RSS of the process that forked it (the high-water mark
		// survives execve), and this process holds the emulator's whole
		// organization. time(1) is small, so %M is hoofprint's own.
		c := exec.Command("/usr/bin/time", append([]string{"-f", "maxrss-kib %M", bin}, args...)...)
		c.Env = env
		var stderr bytes.Buffer
		c.Stderr = &stderr
		start := time.Now()
		err := c.Run()
		r := result{wall: time.Since(start)}
		if c.ProcessState != nil {
			if i := strings.LastIndex(stderr.String(), "maxrss-kib "); i >= 0 {
				r.rssKiB, _ = strconv.ParseInt(strings.TrimSpace(stderr.String()[i+len("maxrss-kib "):]), 10, 64)
			}
			// 0, 1 and 3 are runs that finished; 2 is an error.
			if c.ProcessState.ExitCode() == 2 {
				return r, fmt.Errorf("%s: exit 2\n%s", args[0], stderr.String())
			}
			err = nil
		}
		return r, err
	}
	var byOp []map[string]int
	requests := func() (all, sts int) {
		ops := map[string]int{}
		for k, v := range emu.Requests() {
			all += v
			ops[k.Service+" "+k.Operation] += v
			if k.Service == "sts" {
				sts += v
			}
		}
		byOp = append(byOp, ops)
		emu.ResetRequests()
		return all, sts
	}

	emu.ResetRequests()
	single, err := run("scan", "--seed", "7", "--sarif", filepath.Join(dir, "single.sarif"))
	if err != nil {
		return err
	}
	sReq, sSTS := requests()

	runs := filepath.Join(dir, fmt.Sprintf("runs-%d", accounts))
	plan, err := run("plan", "--output", runs, "--shards", strconv.Itoa(n), "--run-id", "bench", "--seed", "7")
	if err != nil {
		return err
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		shardRs []result
		errs    []error
	)
	start := time.Now()
	for k := range n {
		wg.Go(func() {
			r, err := run("scan", "--plan", filepath.Join(runs, "bench"), "--shard", fmt.Sprintf("%d/%d", k, n))
			mu.Lock()
			defer mu.Unlock()
			shardRs = append(shardRs, r)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	shardsWall := time.Since(start)
	if len(errs) > 0 {
		return errs[0]
	}
	pReq, pSTS := requests()
	merge, err := run("merge", "--run", filepath.Join(runs, "bench"), "--sarif", filepath.Join(dir, "merged.sarif"))
	if err != nil {
		return err
	}
	minRSS, maxRSS := shardRs[0].rssKiB, shardRs[0].rssKiB
	for _, r := range shardRs {
		minRSS, maxRSS = min(minRSS, r.rssKiB), max(maxRSS, r.rssKiB)
	}
	mib := func(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }
	equal := "yes"
	if sReq-sSTS != pReq-pSTS {
		equal = fmt.Sprintf("no (%d vs %d)", sReq-sSTS, pReq-pSTS)
		for op, n := range byOp[0] {
			if byOp[1][op] != n {
				log.Printf("%s: scan %d, plan + shards %d", op, n, byOp[1][op])
			}
		}
		for op, n := range byOp[1] {
			if _, ok := byOp[0][op]; !ok {
				log.Printf("%s: scan 0, plan + shards %d", op, n)
			}
		}
	}
	fmt.Printf("| %d | %d | %d | %d | %d | %d / %d | %s | %s | %s | %s–%s | %s | %.1f s | %.1f s |\n",
		accounts, accounts*buckets, n, sReq, pReq, sSTS, pSTS, equal, mib(single.rssKiB), mib(plan.rssKiB), mib(minRSS), mib(maxRSS), mib(merge.rssKiB),
		single.wall.Seconds(), (plan.wall + shardsWall + merge.wall).Seconds())
	return nil
}
