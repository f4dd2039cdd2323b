package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
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

// peakHeapProfile writes a heap profile to path each time the heap in use
// reaches a new high (HOOFPRINT_MEMPROFILE, for the scale benchmark): a
// profile taken at the end shows what is left, not what made the peak. It
// samples every half second; the returned function stops it.
func peakHeapProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var peak uint64
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			// A new high by 5% is worth a profile; smaller steps would
			// rewrite it every tick while the heap creeps up.
			if ms.HeapInuse < peak+peak/20 {
				continue
			}
			peak = ms.HeapInuse
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
