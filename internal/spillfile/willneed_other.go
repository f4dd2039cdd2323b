//go:build !linux

package spillfile

import "os"

// WillNeed is a hint this platform is not given: reads wait for the disk
// themselves.
func WillNeed(*os.File, int64, int64) {}
