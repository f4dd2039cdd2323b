//go:build linux

package findings

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkReadColdSpill reads back the spill file of a 1,000-account
// scan (155 runs of DefaultInMemory findings, about 110 MiB) after the
// kernel has dropped it from the page cache, as it may over a long night:
// All as the shared read of the reports, Limited as SARIF's 25,000. In
// the busy-disk cases another goroutine writes a file and syncs it all
// the while, as the kernel writes a scan's gigabyte of ASFF back at its
// end. The storage-MB/op metric (/proc/self/io read_bytes) shows that the
// reads did reach the disk.
func BenchmarkReadColdSpill(b *testing.B) {
	set := NewSet(DefaultInMemory, b.TempDir())
	defer func() { _ = set.Close() }()
	const runs = 155
	rules := []string{"s3-object-acl-public", "s3-object-foreign-owner", "s3-bucket-no-logging", "s3-object-unencrypted"}
	for i := range runs * DefaultInMemory {
		bucket := fmt.Sprintf("bucket-%06d", i/100)
		if err := set.Add(Finding{
			RuleID: rules[i%len(rules)], Severity: Severity(i % 3), AccountID: fmt.Sprintf("%012d", i/1000), Region: "us-east-1",
			ResourceType: ResourceS3Object, ResourceARN: fmt.Sprintf("arn:aws:s3:::%s/k/%d", bucket, i), ResourceName: bucket,
			Message:  "An object is owned by account 111111111111 and readable by everyone.",
			Evidence: map[string]any{"ownerAccount": "111111111111", "keyPrefix": "k/", "n": json.Number(fmt.Sprint(i))},
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := set.SpillHeld(); err != nil {
		b.Fatal(err)
	}
	cold := func(b *testing.B, read func() int, want int, busy bool) {
		if busy {
			defer busyDisk(b)()
		}
		var fromStorage int64
		for b.Loop() {
			b.StopTimer()
			// Dirty pages are not dropped: write them back first.
			if err := set.file.Sync(); err != nil {
				b.Fatal(err)
			}
			if err := unix.Fadvise(int(set.file.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
				b.Fatal(err)
			}
			before := readBytes(b)
			b.StartTimer()
			if n := read(); n != want {
				b.Fatalf("read %d findings, want %d", n, want)
			}
			fromStorage += readBytes(b) - before
		}
		b.ReportMetric(float64(fromStorage)/float64(b.N)/1e6, "storage-MB/op")
	}
	all := func() (n int) {
		for range set.All() {
			n++
		}
		return n
	}
	limited := func() (n int) {
		for range set.Limited(func(rule string, sev Severity) int {
			if rule == rules[0] && sev == 0 {
				return 25000
			}
			return 0
		}) {
			n++
		}
		return n
	}
	for _, busy := range []bool{false, true} {
		name := map[bool]string{false: "quiet-disk", true: "busy-disk"}[busy]
		b.Run("All/"+name, func(b *testing.B) { cold(b, all, set.Len(), busy) })
		b.Run("Limited/"+name, func(b *testing.B) { cold(b, limited, 25000, busy) })
	}
}

// busyDisk writes a file and syncs it, over and over, until the function
// it returns is called.
func busyDisk(b *testing.B) (stop func()) {
	f, err := os.CreateTemp(b.TempDir(), "busy-")
	if err != nil {
		b.Fatal(err)
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		chunk := make([]byte, 1<<20)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if i%64 == 0 {
				// Start over rather than fill the disk.
				_, _ = f.Seek(0, 0)
			}
			_, _ = f.Write(chunk)
			if i%8 == 7 {
				_ = f.Sync()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		_ = f.Close()
	}
}

// readBytes is this process's read_bytes (proc(5)): what it read from
// storage rather than from the page cache.
func readBytes(b *testing.B) int64 {
	io, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(io)) {
		if v, ok := strings.CutPrefix(line, "read_bytes: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no read_bytes in /proc/self/io")
	return 0
}
