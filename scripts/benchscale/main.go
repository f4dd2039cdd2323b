// Command benchscale measures a whole scan at scale: it generates an
// organization on the project's emulator, serves it from a process of its
// own with a fixed latency on every request, runs the real `hoofprint scan`
// binary against it in another process, then `hoofprint evaluate` on the
// inventory the scan wrote, and prints what BENCHMARKS.md records.
//
//	go run ./scripts/benchscale -accounts 200
//	make bench-scale ACCOUNTS=1000
//	go run ./scripts/benchscale -accounts 1000,200 -runs 3   # make bench-flat
//
// With several sizes or runs it measures each size in turn, round after
// round (so that a slow stretch of the machine falls on both sizes), and
// ends with the max RSS of every run, each size's median and how far the
// larger sizes' are from the smallest's: one run's max RSS moves by a few
// MiB from one run to the next, so the medians say more than any single
// pair of runs.
//
// Figures: requests (and per bucket), wall time, the latency lower bound
// (requests × latency ÷ concurrency) and the ratio of the two, requests in
// flight on average, the scanner's CPU seconds per 1,000 requests, its max
// RSS, how long it ran after its last API call, what the emulator's
// process spent meanwhile (CPU, collections, live heap), and evaluate's
// wall time and max RSS. With -cpuprofile the scanner writes a CPU profile
// (HOOFPRINT_CPUPROFILE) to read with `go tool pprof`.
//
// The scanner also runs with GODEBUG=gctrace=1, and the collector's own
// figures are printed beside max RSS: the highest heap goal and the
// highest heap live after a collection. Max RSS moves by ±10 MiB from one
// run to the next on a shared machine (it is the heap at its fullest,
// when a collection ends, plus what the runtime has not yet returned);
// the live heap is what the scan holds, and moves much less.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/scripts/internal/machine"
)

type config struct {
	sizes                      []int // -accounts
	runs                       int
	accounts, buckets, objects int
	latency                    time.Duration
	concurrency                int
	seed                       uint64
	out                        string
	binary                     string
	cpuProfile                 bool
	memProfile                 bool
	serve                      bool
}

func main() {
	var c config
	accounts := flag.String("accounts", "200", "member accounts of the generated organization; a comma-separated list measures each size in turn")
	flag.IntVar(&c.runs, "runs", 1, "rounds: every size of -accounts is measured this many times, then the medians of max RSS compared")
	flag.IntVar(&c.buckets, "buckets", 10, "buckets per account")
	flag.IntVar(&c.objects, "objects", 100, "objects per bucket")
	flag.DurationVar(&c.latency, "latency", 100*time.Millisecond, "latency the emulator adds to every request")
	flag.IntVar(&c.concurrency, "concurrency", 64, "hoofprint scan --concurrency")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed")
	flag.StringVar(&c.out, "out", "", "directory for the binary, inventory and reports (default: a new temporary one)")
	flag.StringVar(&c.binary, "hoofprint", "", "hoofprint binary to measure (default: built from this checkout)")
	flag.BoolVar(&c.cpuProfile, "cpuprofile", false, "have the scanner write a CPU profile (scan.pprof in -out)")
	flag.BoolVar(&c.memProfile, "memprofile", false, "have the scanner write a heap profile at its peak live heap (scan.heap.pprof in -out) and its memory classes each second (scan.heap.pprof.tsv)")
	flag.BoolVar(&c.serve, "serve", false, "internal: be the emulator process")
	flag.Parse()
	log.SetFlags(0)
	sizes, err := parseSizes(*accounts)
	if err != nil {
		log.Fatalf("benchscale: -accounts %q: %v", *accounts, err)
	}
	c.sizes, c.accounts = sizes, sizes[0]
	if c.runs < 1 {
		log.Fatalf("benchscale: -runs %d: at least 1", c.runs)
	}
	if c.serve {
		if err := serve(c); err != nil {
			log.Fatalf("benchscale emulator: %v", err)
		}
		return
	}
	if err := runAll(c); err != nil {
		log.Fatalf("benchscale: %v", err)
	}
}

// parseSizes reads -accounts: one or more positive counts, comma-separated.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number of accounts", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// runAll measures every size of c.sizes c.runs times, round by round, each
// run in a directory of its own under c.out when there are several, and
// compares their max RSS. The binary is built once, for every run.
func runAll(c config) error {
	if c.out == "" {
		dir, err := os.MkdirTemp("", "hoofprint-benchscale-")
		if err != nil {
			return err
		}
		c.out = dir
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	if c.binary == "" {
		c.binary = filepath.Join(c.out, "hoofprint")
		build := exec.Command("go", "build", "-o", c.binary, "./cmd/hoofprint")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build hoofprint: %w", err)
		}
	}
	if len(c.sizes) == 1 && c.runs == 1 {
		_, err := run(c)
		return err
	}
	var results []result
	for round := 1; round <= c.runs; round++ {
		for _, n := range c.sizes {
			rc := c
			rc.accounts, rc.out = n, filepath.Join(c.out, fmt.Sprintf("%d-accounts-run-%d", n, round))
			fmt.Printf("\n== %d accounts, run %d of %d\n", n, round, c.runs)
			r, err := run(rc)
			if err != nil {
				return fmt.Errorf("%d accounts, run %d: %w", n, round, err)
			}
			results = append(results, r)
		}
	}
	fmt.Print("\n" + flatness(results))
	return nil
}

// result is what runAll compares of one run.
type result struct {
	accounts int
	maxRSS   int64 // bytes
}

// flatness lists every run's max RSS by size, each size's median, and how
// far each larger size is from the smallest: by the medians, and run by
// run (the n-th run of each size against the n-th of the smallest).
func flatness(results []result) string {
	by := map[int][]float64{}
	var sizes []int
	for _, r := range results {
		if _, ok := by[r.accounts]; !ok {
			sizes = append(sizes, r.accounts)
		}
		by[r.accounts] = append(by[r.accounts], float64(r.maxRSS)/(1<<20))
	}
	slices.Sort(sizes)
	pct := func(a, b float64) string { return fmt.Sprintf("%+.1f%%", 100*(b-a)/a) }
	var out strings.Builder
	out.WriteString("scanner max RSS (MiB):\n")
	med := map[int]float64{}
	for _, n := range sizes {
		var each []string
		for _, v := range by[n] {
			each = append(each, fmt.Sprintf("%.0f", v))
		}
		med[n] = median(by[n])
		fmt.Fprintf(&out, "  %5d accounts  %s; median %.1f\n", n, strings.Join(each, ", "), med[n])
	}
	base := sizes[0]
	for _, n := range sizes[1:] {
		var each []string
		for i, v := range by[n] {
			if i < len(by[base]) {
				each = append(each, pct(by[base][i], v))
			}
		}
		fmt.Fprintf(&out, "  %d vs %d accounts: medians %s; run by run %s\n", n, base, pct(med[base], med[n]), strings.Join(each, ", "))
	}
	return out.String()
}

// ready is what the emulator process tells the parent on its first line.
type ready struct {
	URL  string            `json:"url"`
	Env  map[string]string `json:"env"`
	Role string            `json:"role"`
	Load time.Duration     `json:"load"`
}

// stats is what the emulator process measured, served at statsPath.
type stats struct {
	Requests  int64 `json:"requests"`
	FirstNano int64 `json:"firstNano"`
	LastNano  int64 `json:"lastNano"` // when the last answer was sent
	// BusyNano is the sum of every request's time in the server: divided
	// by a duration, the average number of requests in flight.
	BusyNano    int64 `json:"busyNano"`
	MaxInFlight int64 `json:"maxInFlight"`
	// ByOperation counts requests per API operation.
	ByOperation map[string]int `json:"byOperation"`
	// CPUNano is the emulator process's CPU time so far (user and system),
	// GCCycles its collections and HeapLive its live heap after the last
	// one: the emulator shares the machine with the scanner, and holds
	// more the larger the organization, so its share of the cores is part
	// of what a figure at 1,000 accounts means.
	CPUNano  int64  `json:"cpuNano"`
	GCCycles uint64 `json:"gcCycles"`
	HeapLive uint64 `json:"heapLive"`
}

const statsPath = "/__benchscale/stats"

// meter wraps the emulator's handler and measures every request.
type meter struct {
	next                        http.Handler
	emu                         *emulator.Emulator
	requests, busy, inFlight    atomic.Int64
	maxInFlight, first, lastEnd atomic.Int64
}

func (m *meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == statsPath {
		ops := map[string]int{}
		for k, n := range m.emu.Requests() {
			ops[k.Operation] += n
		}
		st := stats{Requests: m.requests.Load(), FirstNano: m.first.Load(), LastNano: m.lastEnd.Load(),
			BusyNano: m.busy.Load(), MaxInFlight: m.maxInFlight.Load(), ByOperation: ops}
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			st.CPUNano = ru.Utime.Nano() + ru.Stime.Nano()
		}
		rt := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/live:bytes"}}
		metrics.Read(rt)
		if rt[0].Value.Kind() == metrics.KindUint64 && rt[1].Value.Kind() == metrics.KindUint64 {
			st.GCCycles, st.HeapLive = rt[0].Value.Uint64(), rt[1].Value.Uint64()
		}
		_ = json.NewEncoder(w).Encode(st)
		return
	}
	start := time.Now()
	m.first.CompareAndSwap(0, start.UnixNano())
	n := m.inFlight.Add(1)
	for {
		old := m.maxInFlight.Load()
		if n <= old || m.maxInFlight.CompareAndSwap(old, n) {
			break
		}
	}
	m.next.ServeHTTP(w, r)
	end := time.Now()
	m.inFlight.Add(-1)
	m.requests.Add(1)
	m.busy.Add(int64(end.Sub(start)))
	for {
		old := m.lastEnd.Load()
		if end.UnixNano() <= old || m.lastEnd.CompareAndSwap(old, end.UnixNano()) {
			break
		}
	}
}

// serve is the emulator process: it loads the generated organization,
// prints ready on stdout, and serves until stdin closes.
func serve(c config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: c.accounts, BucketsPerAccount: c.buckets, ObjectsPerBucket: c.objects, Seed: c.seed})
	if err != nil {
		return err
	}
	emu, err := emulator.Start(ctx, sc, emulator.Options{Faults: []emulator.FaultRule{{Latency: c.latency}}})
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: &meter{next: emu, emu: emu}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	env := emu.Environ()
	env["AWS_ENDPOINT_URL"] = url
	if err := json.NewEncoder(os.Stdout).Encode(ready{URL: url, Env: env, Role: sc.MemberRoleName, Load: time.Since(t0)}); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return srv.Close()
}

// measured is one hoofprint process.
type measured struct {
	wall   time.Duration
	end    time.Time
	cpu    time.Duration
	maxRSS int64 // bytes
	// maxAnon and maxFile are the highest anonymous (heap, stacks) and
	// file-backed (the binary's pages) resident sizes seen while the
	// process ran, sampled every 100 ms from /proc (0 elsewhere).
	maxAnon, maxFile int64
	maxAnonAt        time.Duration // when, from the start, anonymous memory was highest
	// io are the process's reads from storage and major page faults,
	// sampled with the resident sizes, to tell what it waited on the disk
	// for and when.
	io       []ioSample
	exitCode int
}

// ioSample is what a process had read from storage (/proc/PID/io
// read_bytes: not from the page cache) and how many major page faults it
// had taken (pages of its binary or of a mapped file read back from
// storage), at a time.
type ioSample struct {
	at      time.Time
	read    int64
	majflts int64
	// cpu is the process's CPU time so far, in clock ticks (utime+stime),
	// and machine the machine's CPU time by state (/proc/stat): together
	// they tell whether the end of a run computed, waited on the disk, or
	// waited for a CPU.
	cpu     int64
	machine machineCPU
	// diskWait is where the process's threads in uninterruptible sleep
	// (state D: waiting on the disk, mostly) were waiting: their kernel
	// functions (/proc/PID/task/TID/wchan); empty when none was.
	diskWait []string
}

// machineCPU is the first line of /proc/stat (proc(5)), in clock ticks
// summed over the cores: busy (user, nice, system, irq, softirq), iowait,
// steal (taken by the hypervisor) and idle.
type machineCPU struct{ busy, iowait, steal, idle int64 }

func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}
	}
	v := make([]int64, 8)
	for i := range v {
		v[i], _ = strconv.ParseInt(f[i+1], 10, 64)
	}
	// user nice system idle iowait irq softirq steal
	return machineCPU{busy: v[0] + v[1] + v[2] + v[5] + v[6], idle: v[3], iowait: v[4], steal: v[7]}
}

// clockTick is USER_HZ, the unit of /proc's CPU times: 100 on Linux.
const clockTick = 10 * time.Millisecond

// cpuAfter says how the time after t was spent: the process's CPU time,
// and the machine's share of busy, iowait, steal and idle time.
func cpuAfter(all []ioSample, t time.Time) string {
	if len(all) == 0 {
		return ""
	}
	last, before := all[len(all)-1], sampleAt(all, t)
	var samples, waiting int
	where := map[string]int{}
	for _, s := range all {
		if s.at.After(before.at) {
			samples++
			if len(s.diskWait) > 0 {
				waiting++
			}
			for _, w := range s.diskWait {
				where[w]++
			}
		}
	}
	var in []string
	for w, n := range where {
		in = append(in, fmt.Sprintf("%s %d", w, n))
	}
	slices.Sort(in)
	waitedIn := ""
	if len(in) > 0 {
		waitedIn = " (in " + strings.Join(in, ", ") + ")"
	}
	m0, m1 := before.machine, last.machine
	total := float64((m1.busy + m1.iowait + m1.steal + m1.idle) - (m0.busy + m0.iowait + m0.steal + m0.idle))
	if total <= 0 {
		return ""
	}
	pct := func(a, b int64) float64 { return 100 * float64(b-a) / total }
	return fmt.Sprintf("scanner on CPU %.2f s of %.2f s, a thread waiting on the disk in %d of %d samples%s; machine busy %.0f%%, iowait %.0f%%, steal %.0f%%, idle %.0f%%",
		(time.Duration(last.cpu-before.cpu) * clockTick).Seconds(), last.at.Sub(before.at).Seconds(), waiting, samples, waitedIn,
		pct(m0.busy, m1.busy), pct(m0.iowait, m1.iowait), pct(m0.steal, m1.steal), pct(m0.idle, m1.idle))
}

// ioAfter is how much of what the samples count came after t.
func ioAfter(samples []ioSample, t time.Time) (read, majflts int64) {
	if len(samples) == 0 {
		return 0, 0
	}
	last, before := samples[len(samples)-1], sampleAt(samples, t)
	return last.read - before.read, last.majflts - before.majflts
}

// sampleAt is the last of samples (not empty) taken at or before t, or the
// first one if none was.
func sampleAt(samples []ioSample, t time.Time) ioSample {
	before := samples[0]
	for _, s := range samples {
		if s.at.After(t) {
			break
		}
		before = s
	}
	return before
}

func runMeasured(bin string, args []string, env []string, stderr io.Writer) (measured, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measured{}, err
	}
	done := make(chan struct{})
	var maxAnon, maxFile, maxAnonAt atomic.Int64
	var ios []ioSample // the sampler's, until it has stopped
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			anon, file := residentKinds(cmd.Process.Pid)
			if anon > maxAnon.Load() {
				maxAnon.Store(anon)
				maxAnonAt.Store(int64(time.Since(start)))
			}
			maxFile.Store(max(maxFile.Load(), file))
			if n, ok := diskReadBytes(cmd.Process.Pid); ok {
				majflts, cpu := procStat(cmd.Process.Pid)
				ios = append(ios, ioSample{at: time.Now(), read: n, majflts: majflts, cpu: cpu, machine: readMachineCPU(), diskWait: inDiskWait(cmd.Process.Pid)})
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	wall, end := time.Since(start), time.Now()
	close(done)
	<-stopped
	m := measured{wall: wall, end: end, maxAnon: maxAnon.Load(), maxFile: maxFile.Load(), maxAnonAt: time.Duration(maxAnonAt.Load()), io: ios}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return m, err
	}
	m.exitCode = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	if m.exitCode == 2 {
		return m, fmt.Errorf("%s %s exited 2 (see its log above)", bin, args[0])
	}
	return m, nil
}

// run measures one scan of c.accounts accounts with c.binary and prints
// its figures; its files go to c.out.
func run(c config) (result, error) {
	res := result{accounts: c.accounts}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return res, err
	}
	self, err := os.Executable()
	if err != nil {
		return res, err
	}
	emu := exec.Command(self, "-serve", "-accounts", fmt.Sprint(c.accounts), "-buckets", fmt.Sprint(c.buckets),
		"-objects", fmt.Sprint(c.objects), "-latency", c.latency.String(), "-seed", fmt.Sprint(c.seed))
	emu.Stderr = os.Stderr
	stdin, err := emu.StdinPipe()
	if err != nil {
		return res, err
	}
	stdout, err := emu.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := emu.Start(); err != nil {
		return res, err
	}
	defer func() { _ = stdin.Close(); _ = emu.Wait() }()
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		return res, fmt.Errorf("emulator process: %w", err)
	}
	var rd ready
	if err := json.Unmarshal(line, &rd); err != nil {
		return res, fmt.Errorf("emulator process said %q: %w", line, err)
	}
	fmt.Printf("emulator: %d accounts x %d buckets x %d objects loaded in %s, %s latency per request, at %s\n",
		c.accounts, c.buckets, c.objects, rd.Load.Round(time.Millisecond), c.latency, rd.URL)

	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOOFPRINT_") {
			env = append(env, kv)
		}
	}
	for k, v := range rd.Env {
		env = append(env, k+"="+v)
	}
	scanEnv := append(append([]string(nil), env...), "GODEBUG=gctrace=1")
	if c.cpuProfile {
		scanEnv = append(scanEnv, "HOOFPRINT_CPUPROFILE="+filepath.Join(c.out, "scan.pprof"))
	}
	if c.memProfile {
		scanEnv = append(append([]string(nil), scanEnv...), "HOOFPRINT_MEMPROFILE="+filepath.Join(c.out, "scan.heap.pprof"))
	}
	inv := filepath.Join(c.out, "inventory.json.gz")
	emu0, err := fetchStats(rd.URL)
	if err != nil {
		return res, err
	}
	load0 := machine.LoadAverage()
	var logs lockedBuffer
	scan, err := runMeasured(c.binary, []string{"scan", "--role-name", rd.Role, "--concurrency", fmt.Sprint(c.concurrency),
		"--inventory", inv, "--sarif", filepath.Join(c.out, "scan.sarif"), "--asff", filepath.Join(c.out, "scan.asff.json"),
		"--log-format", "json"}, scanEnv, &logs)
	if err != nil {
		_, _ = os.Stderr.Write(logs.Bytes())
		return res, err
	}
	load1 := machine.LoadAverage()
	gc := parseGCTrace(logs.Bytes())
	if err := os.WriteFile(filepath.Join(c.out, "scan.log"), logs.Bytes(), 0o600); err != nil {
		return res, err
	}
	st, err := fetchStats(rd.URL)
	if err != nil {
		return res, err
	}
	last := time.Unix(0, st.LastNano)
	steps := endSteps(logs.Bytes(), last)
	var evalLogs lockedBuffer
	eval, err := runMeasured(c.binary, []string{"evaluate", "--inventory", inv, "--sarif", filepath.Join(c.out, "evaluate.sarif"),
		"--log-format", "json", "--quiet"}, env, &evalLogs)
	if err != nil {
		_, _ = os.Stderr.Write(evalLogs.Bytes())
		return res, err
	}

	buckets := c.accounts * c.buckets
	lower := time.Duration(float64(st.Requests) * float64(c.latency) / float64(c.concurrency))
	fi, _ := os.Stat(inv)
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	fmt.Printf("scan (exit %d):\n", scan.exitCode)
	fmt.Printf("  requests                   %d (%.1f per bucket, %d buckets)\n", st.Requests, float64(st.Requests)/float64(cmp.Or(buckets, 1)), buckets)
	var ops []string
	for op, n := range st.ByOperation {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	slices.Sort(ops)
	fmt.Printf("  by operation               %s\n", strings.Join(ops, ", "))
	fmt.Printf("  wall                       %s\n", scan.wall.Round(10*time.Millisecond))
	fmt.Printf("  lower bound                %s (requests x %s / %d)\n", lower.Round(10*time.Millisecond), c.latency, c.concurrency)
	fmt.Printf("  wall / lower bound         %.3f\n", scan.wall.Seconds()/lower.Seconds())
	fmt.Printf("  in flight on average       %.1f (max %d)\n", float64(st.BusyNano)/float64(scan.wall), st.MaxInFlight)
	fmt.Printf("  after the last API call    %s%s\n", scan.end.Sub(last).Round(10*time.Millisecond), steps)
	if len(scan.io) > 0 {
		all := scan.io[len(scan.io)-1]
		endRead, endFaults := ioAfter(scan.io, last)
		fmt.Printf("  read from storage          %.1f MiB, %d major page faults (after the last API call: %.1f MiB, %d)\n",
			mib(all.read), all.majflts, mib(endRead), endFaults)
		if how := cpuAfter(scan.io, last); how != "" {
			fmt.Printf("  the end, sampled           %s\n", how)
		}
	}
	fmt.Printf("  CPU per 1,000 requests     %.3f s (%.1f s in all)\n", scan.cpu.Seconds()/float64(st.Requests)*1000, scan.cpu.Seconds())
	emuCPU := time.Duration(st.CPUNano - emu0.CPUNano)
	fmt.Printf("  the emulator meanwhile     CPU %.1f s (%.2f cores; the scanner %.2f), %d collections, live heap %.0f MiB\n",
		emuCPU.Seconds(), emuCPU.Seconds()/scan.wall.Seconds(), scan.cpu.Seconds()/scan.wall.Seconds(), st.GCCycles-emu0.GCCycles, mib(int64(st.HeapLive)))
	fmt.Printf("  max RSS                    %.0f MiB (sampled: anonymous %.0f MiB at %s, file-backed %.0f MiB)\n", mib(scan.maxRSS), mib(scan.maxAnon), scan.maxAnonAt.Round(100*time.Millisecond), mib(scan.maxFile))
	fmt.Printf("  GC                         %d cycles, peak heap goal %d MB, peak live heap %d MB (%s)\n",
		gc.cycles, gc.peakGoal, gc.peakLive, gc.peakLiveAt.Round(100*time.Millisecond))
	if c.memProfile {
		if s := memoryClasses(filepath.Join(c.out, "scan.heap.pprof.tsv")); s != "" {
			fmt.Printf("  memory, sampled each second %s\n", s)
		}
	}
	if fi != nil {
		fmt.Printf("  inventory                  %.1f MiB (gzip)\n", mib(fi.Size()))
	}
	fmt.Printf("evaluate (exit %d):\n", eval.exitCode)
	fmt.Printf("  wall                       %s\n", eval.wall.Round(10*time.Millisecond))
	fmt.Printf("  CPU                        %.1f s\n", eval.cpu.Seconds())
	fmt.Printf("  max RSS                    %.0f MiB\n", mib(eval.maxRSS))
	fmt.Printf("load average (1, 5, 15 min) before the scan: %s; after: %s\n", load0, load1)
	fmt.Printf("output in %s\n", c.out)
	res.maxRSS = scan.maxRSS
	return res, nil
}

func fetchStats(url string) (stats, error) {
	var st stats
	resp, err := http.Get(url + statsPath)
	if err != nil {
		return st, fmt.Errorf("emulator stats: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("emulator stats: %w", err)
	}
	return st, nil
}

// lockedBuffer keeps the hoofprint process's log, printed only on failure.
type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b...)
}

// gcSummary is what the scanner's GODEBUG=gctrace=1 lines say.
type gcSummary struct {
	cycles             int
	peakGoal, peakLive int // MB, as the runtime prints them
	peakLiveAt         time.Duration
}

// gcLine matches the start of a gctrace line, "gc 12 @3.456s 2%: ...",
// and its heap figures, "4->5->2 MB, 5 MB goal": the heap when the
// cycle started and ended, the heap marked live, the next goal.
// https://pkg.go.dev/runtime#hdr-Environment_Variables
var (
	gcStart = regexp.MustCompile(`^gc \d+ @([0-9.]+)s `)
	gcHeap  = regexp.MustCompile(`(\d+)->(\d+)->(\d+) MB, (\d+) MB goal`)
)

// endMilestones are the scanner's log messages that mark the steps of the
// end of a run, in order: the inventory closed, the rules at the end
// evaluated (with the findings document), the reports written.
var endMilestones = []struct{ msg, label string }{
	{"inventory written", "inventory closed"},
	{"rules evaluated", "rules at the end"},
	{"hoofprint finished", "reports written"},
}

// endSteps says when, after the last API call, each step of the end of
// the run was done, from the times of the scanner's JSON log lines.
func endSteps(log []byte, last time.Time) string {
	at := map[string]time.Time{}
	for _, line := range strings.Split(string(log), "\n") {
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		at[l.Msg] = l.Time
	}
	var parts []string
	for _, m := range endMilestones {
		if t, ok := at[m.msg]; ok {
			parts = append(parts, fmt.Sprintf("%s at +%.2f s", m.label, t.Sub(last).Seconds()))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func parseGCTrace(log []byte) gcSummary {
	var g gcSummary
	for _, line := range strings.Split(string(log), "\n") {
		start := gcStart.FindStringSubmatch(line)
		heap := gcHeap.FindStringSubmatch(line)
		if start == nil || heap == nil {
			continue
		}
		g.cycles++
		live, _ := strconv.Atoi(heap[3])
		goal, _ := strconv.Atoi(heap[4])
		g.peakGoal = max(g.peakGoal, goal)
		if live > g.peakLive {
			at, _ := strconv.ParseFloat(start[1], 64)
			g.peakLive, g.peakLiveAt = live, time.Duration(at*float64(time.Second))
		}
	}
	return g
}

// inDiskWait returns where the process's threads in uninterruptible sleep
// (state D in /proc/PID/task/TID/stat, proc(5)) wait: the kernel function
// in /proc/PID/task/TID/wchan of each.
func inDiskWait(pid int) []string {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	var where []string
	for _, t := range tasks {
		dir := fmt.Sprintf("/proc/%d/task/%s/", pid, t.Name())
		b, err := os.ReadFile(dir + "stat")
		if err != nil {
			continue
		}
		if _, rest, ok := strings.Cut(string(b), ") "); ok && strings.HasPrefix(rest, "D") {
			w, _ := os.ReadFile(dir + "wchan")
			where = append(where, cmp.Or(strings.TrimSpace(string(w)), "?"))
		}
	}
	return where
}

// procStat is a process's major page faults and CPU time (utime+stime,
// in clock ticks) so far: fields 12, 14 and 15 of /proc/PID/stat
// (proc(5)); zeros when it cannot be read.
func procStat(pid int) (majflts, cpu int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, 0
	}
	f := strings.Fields(rest) // from field 3 on
	if len(f) < 13 {
		return 0, 0
	}
	majflts, _ = strconv.ParseInt(f[9], 10, 64)
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return majflts, utime + stime
}

// diskReadBytes reads read_bytes of a process from /proc/PID/io (proc(5)):
// the bytes it caused to be read from storage, page-cache hits excluded.
func diskReadBytes(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "read_bytes: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// residentKinds reads RssAnon and RssFile of a process from
// /proc/PID/status (proc(5)), in bytes; zeros when it cannot.
func residentKinds(pid int) (anon, file int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "RssAnon":
			anon = kb << 10
		case "RssFile":
			file = kb << 10
		}
	}
	return anon, file
}
