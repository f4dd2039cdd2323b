package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// memoryClasses summarises the file the scanner writes beside its peak heap
// profile (HOOFPRINT_MEMPROFILE + ".tsv": the runtime's memory classes in
// KiB, one line a second). Max RSS is one moment of a run; the medians say
// what the scan holds most of the time, and the live heap's median in the
// first and last thirds of the run whether it grows as accounts are done.
// It returns "" when the file is missing or too short to say anything.
func memoryClasses(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return ""
	}
	col := map[string]int{}
	for i, name := range strings.Split(sc.Text(), "\t") {
		col[name] = i
	}
	need := []string{"/gc/heap/live:bytes", "/gc/heap/goal:bytes", "/memory/classes/heap/stacks:bytes",
		"/memory/classes/total:bytes", "/memory/classes/heap/released:bytes"}
	for _, name := range need {
		if _, ok := col[name]; !ok {
			return ""
		}
	}
	var live, goal, stacks, resident []float64
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != len(col) {
			continue
		}
		v := func(name string) float64 {
			n, _ := strconv.ParseFloat(fields[col[name]], 64)
			return n / 1024 // KiB → MiB
		}
		live = append(live, v(need[0]))
		goal = append(goal, v(need[1]))
		stacks = append(stacks, v(need[2]))
		resident = append(resident, v(need[3])-v(need[4]))
	}
	// The first 30 s are the organization map and the runtime's warm-up.
	const skip = 30
	if len(live) < skip+30 {
		return ""
	}
	live, goal, stacks, resident = live[skip:], goal[skip:], stacks[skip:], resident[skip:]
	third := len(live) / 3
	return fmt.Sprintf("live heap median %.1f MiB (first third %.1f, last third %.1f), max %.1f; heap goal median %.1f, max %.1f; "+
		"stacks median %.1f; Go's resident memory (all classes less released) median %.1f, max %.1f",
		median(live), median(live[:third]), median(live[len(live)-third:]), slices.Max(live),
		median(goal), slices.Max(goal), median(stacks), median(resident), slices.Max(resident))
}

// median of a non-empty list: the mean of the middle two of an even one.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}
