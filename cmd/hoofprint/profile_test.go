package main

import (
	"runtime/debug"
	"testing"
)

// The container's memory limit becomes the Go runtime's soft limit, at
// memoryLimitRatio of it; GOMEMLIMIT and AUTOMEMLIMIT=off win over it.
func TestSetMemoryLimitFollowsTheContainer(t *testing.T) {
	const container = 2 << 30 // a 2 GiB task
	cgroup := func() (uint64, error) { return container, nil }
	tests := []struct {
		name string
		env  map[string]string
		want int64
	}{
		{"the container's limit", nil, int64(container * 9 / 10)},
		{"GOMEMLIMIT is set", map[string]string{"GOMEMLIMIT": "300MiB"}, 0},
		{"turned off", map[string]string{"AUTOMEMLIMIT": "off"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := debug.SetMemoryLimit(-1)
			t.Cleanup(func() { debug.SetMemoryLimit(before) })
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got := setMemoryLimit(cgroup)
			if got != tt.want {
				t.Errorf("setMemoryLimit = %d, want %d", got, tt.want)
			}
			if tt.want != 0 {
				if now := debug.SetMemoryLimit(-1); now != tt.want {
					t.Errorf("runtime memory limit = %d, want %d", now, tt.want)
				}
			} else if now := debug.SetMemoryLimit(-1); now != before {
				t.Errorf("runtime memory limit changed to %d with %v", now, tt.env)
			}
		})
	}
}
