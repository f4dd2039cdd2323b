//go:build !linux

package findings

import "os"

// willNeed is a hint this platform is not given: reads wait for the disk
// themselves.
func willNeed(*os.File, int64, int64) {}
