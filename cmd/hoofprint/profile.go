package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// cpuProfile writes a CPU profile of the whole run to path when it is set
// (HOOFPRINT_CPUPROFILE, for BENCHMARKS.md's scale benchmark: go tool
// pprof reads it). It returns the function that stops it.
func cpuProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "HOOFPRINT_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "HOOFPRINT_CPUPROFILE: %v\n", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// peakHeapProfile writes a heap profile to path each time the heap live
// after a collection reaches a new high (HOOFPRINT_MEMPROFILE, for the scale
// benchmark): a profile taken at the end shows what is left, not what made
// the peak. The live heap, not the heap in use, is what sets the
// collector's goal and so the process's size; a heap profile describes the
// last completed collection, the one whose live heap was read. Objects are
// sampled every 64 KiB allocated instead of 512 KiB, so that the profile
// also names the small allocations a spike is made of. It polls every 100
// ms, and writes the runtime's memory classes (KiB) every second to
// path.tsv, so that the process's size can be taken apart over time; the
// returned function stops it.
//
// Without a path the runtime's heap profiler is turned off: nothing reads
// its samples then, and its records, one per allocation stack it has
// sampled, grow for as long as the run meets new stacks, outside the heap,
// where no collection frees them (1.5 MiB ten seconds into a 200-account
// scale run, 3.8 MiB at its end).
func peakHeapProfile(path string) func() {
	if path == "" {
		runtime.MemProfileRate = 0
		return func() {}
	}
	runtime.MemProfileRate = 64 << 10
	classes, err := os.Create(path + ".tsv")
	if err != nil {
		fmt.Fprintf(os.Stderr, "HOOFPRINT_MEMPROFILE: %v\n", err)
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer func() { _ = classes.Close() }()
		samples := make([]metrics.Sample, len(memoryClasses))
		for i, name := range memoryClasses {
			samples[i].Name = name
		}
		fmt.Fprintf(classes, "seconds\t%s\n", strings.Join(memoryClasses, "\t"))
		start := time.Now()
		var peak uint64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(samples)
			if n%10 == 0 {
				fmt.Fprintf(classes, "%.1f", time.Since(start).Seconds())
				for _, s := range samples {
					fmt.Fprintf(classes, "\t%d", byteCount(s.Value)>>10)
				}
				fmt.Fprintln(classes)
			}
			// A new high of the live heap by 2% is worth a profile; smaller
			// steps would rewrite it every tick while the heap creeps up.
			live := byteCount(samples[0].Value)
			if live < peak+peak/50 {
				continue
			}
			peak = live
			if err := writeHeapProfile(path); err != nil {
				fmt.Fprintf(os.Stderr, "HOOFPRINT_MEMPROFILE: %v\n", err)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// byteCount is a metric's value; 0 for a metric this Go release does not
// have (its Uint64 would panic).
func byteCount(v metrics.Value) uint64 {
	if v.Kind() != metrics.KindUint64 {
		return 0
	}
	return v.Uint64()
}

// memoryClasses are the runtime/metrics peakHeapProfile records, the live
// heap first.
var memoryClasses = []string{
	"/gc/heap/live:bytes",
	"/gc/heap/goal:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/memory/classes/total:bytes",
}

func writeHeapProfile(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// memoryLimitRatio is the share of the container's memory the Go heap may
// grow to before the collector works harder; the rest is for the stacks,
// the runtime and the kernel's page cache of the spill and inventory files.
const memoryLimitRatio = 0.9

// setMemoryLimit gives the Go runtime the container's memory limit (the
// cgroup's, as ECS and AWS Batch set it from the task's memory) as a soft
// limit, unless GOMEMLIMIT is set or AUTOMEMLIMIT=off. Without it the heap
// grows to about twice what is live between two collections, whatever the
// task's size, and a scan that fits the task can still be killed for
// memory. It returns the limit set, 0 when none was.
// https://pkg.go.dev/runtime/debug#SetMemoryLimit
func setMemoryLimit(provider memlimit.Provider) int64 {
	limit, err := memlimit.SetGoMemLimitWithOpts(memlimit.WithRatio(memoryLimitRatio), memlimit.WithProvider(provider))
	if err != nil {
		return 0
	}
	return limit
}
