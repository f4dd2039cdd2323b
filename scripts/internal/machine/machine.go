// Package machine describes the machine a benchmark ran on, for the figures
// BENCHMARKS.md records beside each run.
package machine

import (
	"os"
	"strings"
)

// LoadAverage is the machine's load (the first three fields of
// /proc/loadavg), printed with the figures: the reference machine is
// shared, and wall times mean little at a high load. "unknown" where the
// file cannot be read.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
