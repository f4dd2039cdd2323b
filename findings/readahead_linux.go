package findings

import (
	"os"

	"golang.org/x/sys/unix"
)

// willNeed asks the kernel to read [off, off+n) of f into its page cache
// without waiting for it (posix_fadvise(2) POSIX_FADV_WILLNEED). It is a
// hint: an error only means the reads will wait for the disk themselves.
func willNeed(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.Fadvise(int(fd), off, n, unix.FADV_WILLNEED)
	})
}
