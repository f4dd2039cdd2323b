package findings

import (
	"io"
	"os"
)

// The runs of a spill file are merged by reading them all at once, a
// buffer at a time each: hundreds of small reads at scattered offsets of
// one file. After a long night the kernel may have dropped the file from
// its page cache, and at the end of a scan the disk is busy writing the
// ASFF report back; each of those reads then waits on the disk in turn,
// and the reports of a 1,000-account scan took seconds to write
// (BENCHMARKS.md "Scale"). So every stretch is read through a
// sectionReader, which asks the kernel to read ahead of it (willNeed):
// the reads of all runs are queued at once, and the merge finds them in
// the page cache.

// readAhead is how far ahead of its reader a sectionReader asks for: a few
// read buffers, so that all runs together ask for a few tens of MiB of
// page cache, which the kernel may drop again (it is not the process's
// memory).
func readAhead(buf int) int64 { return int64(max(8*buf, 128<<10)) }

// sectionReader reads [off, end) of file, asking the kernel to read ahead
// of it.
type sectionReader struct {
	file     *os.File
	off, end int64
	advised  int64 // the kernel has been asked for the file up to here
	ahead    int64
}

// newSectionReader asks for the stretch's first readAhead bytes at once,
// before anything is read.
func newSectionReader(file *os.File, off, length, ahead int64) *sectionReader {
	r := &sectionReader{file: file, off: off, end: off + length, advised: off, ahead: ahead}
	r.advise(0)
	return r
}

// advise makes sure the kernel has been asked for the next n bytes and
// for ahead bytes past them, asking again only once less than half of
// ahead is left: one hint per few reads.
func (r *sectionReader) advise(n int64) {
	to := min(r.end, r.off+n)
	if r.advised >= r.end || r.advised-to > r.ahead/2 {
		return
	}
	from := max(r.advised, r.off)
	r.advised = min(r.end, to+r.ahead)
	willNeed(r.file, from, r.advised-from)
}

func (r *sectionReader) Read(p []byte) (int, error) {
	if r.off >= r.end {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.end-r.off)]
	r.advise(int64(len(p)))
	n, err := r.file.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n == len(p) {
		err = nil
	}
	return n, err
}
