package inventory

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// Limits bound what reading an inventory may cost. An inventory is input
// from outside (a file handed over, an S3 object): without limits a 400 KB
// .gz of repeated objects decompresses to hundreds of megabytes and
// millions of findings. A file beyond a limit is refused with an error
// naming the limit and how to raise it.
type Limits struct {
	// MaxBytes bounds the decompressed size of the whole file.
	MaxBytes int64
	// MaxRecordBytes bounds one record: the header, one bucket, or a whole
	// v1 file. The reader holds at most one record at a time.
	MaxRecordBytes int64
	// MaxBuckets bounds bucket records; MaxAccounts, MaxDistributions and
	// MaxCanonicalIDs the organization map; MaxGaps the coverage.
	MaxBuckets       int
	MaxAccounts      int
	MaxDistributions int
	MaxCanonicalIDs  int
	MaxGaps          int
	// MaxObjectsPerBucket bounds a bucket's object sample (a scan keeps at
	// most --sample plus 100 foreign-owned objects).
	MaxObjectsPerBucket int
	// MaxGrantsPerACL bounds an ACL's grants (S3 allows 100).
	MaxGrantsPerACL int
}

// DefaultLimits are generous for any real organization (the largest have a
// few thousand accounts) and a 1,000-account benchmark inventory is far
// inside them; `--inventory-limit-scale N` multiplies them.
var DefaultLimits = Limits{
	MaxBytes:            8 << 30,
	MaxRecordBytes:      256 << 20,
	MaxBuckets:          2_000_000,
	MaxAccounts:         100_000,
	MaxDistributions:    1_000_000,
	MaxCanonicalIDs:     2_000_000,
	MaxGaps:             2_000_000,
	MaxObjectsPerBucket: 100_000,
	MaxGrantsPerACL:     1_000,
}

// Scale returns l with every limit multiplied by n (n < 1 counts as 1). A
// product past the largest int64 (or int) is that largest value, not a
// wrapped negative limit that would refuse every file.
func (l Limits) Scale(n int) Limits {
	if n <= 1 {
		return l
	}
	return Limits{
		MaxBytes: mulSat(l.MaxBytes, int64(n), math.MaxInt64), MaxRecordBytes: mulSat(l.MaxRecordBytes, int64(n), math.MaxInt64),
		MaxBuckets: mulSat(l.MaxBuckets, n, math.MaxInt), MaxAccounts: mulSat(l.MaxAccounts, n, math.MaxInt),
		MaxDistributions: mulSat(l.MaxDistributions, n, math.MaxInt), MaxCanonicalIDs: mulSat(l.MaxCanonicalIDs, n, math.MaxInt),
		MaxGaps: mulSat(l.MaxGaps, n, math.MaxInt), MaxObjectsPerBucket: mulSat(l.MaxObjectsPerBucket, n, math.MaxInt),
		MaxGrantsPerACL: mulSat(l.MaxGrantsPerACL, n, math.MaxInt),
	}
}

// mulSat returns a*b for non-negative a and positive b, or limit (the
// type's largest value) when that overflows.
func mulSat[T int | int64](a, b, limit T) T {
	if a > limit/b {
		return limit
	}
	return a * b
}

// ErrLimit is wrapped by every error about a limit.
var ErrLimit = errors.New("inventory limit exceeded (raise the limits with --inventory-limit-scale N if the file is trusted)")

func limitErr(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrLimit)
}

// limitedReader counts the decompressed bytes read and fails past MaxBytes,
// or when the decoder has read MaxRecordBytes past the start of the record
// it is decoding (recordStart, the decoder's input offset at the last
// record boundary).
type limitedReader struct {
	r           io.Reader
	limits      Limits
	read        int64
	recordStart func() int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.read >= l.limits.MaxBytes {
		return 0, limitErr("the inventory is larger than %d bytes decompressed", l.limits.MaxBytes)
	}
	if start := l.recordStart(); l.read-start >= l.limits.MaxRecordBytes {
		return 0, limitErr("one inventory record is larger than %d bytes", l.limits.MaxRecordBytes)
	}
	if rem := l.limits.MaxBytes - l.read; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// checkHeader checks the organization map's element counts (and, for v1,
// the whole snapshot's).
func (l Limits) checkHeader(s *Snapshot) error {
	switch {
	case len(s.Accounts) > l.MaxAccounts:
		return limitErr("%d accounts (limit %d)", len(s.Accounts), l.MaxAccounts)
	case len(s.Distributions) > l.MaxDistributions:
		return limitErr("%d distributions (limit %d)", len(s.Distributions), l.MaxDistributions)
	case len(s.CanonicalIDs) > l.MaxCanonicalIDs:
		return limitErr("%d canonical IDs (limit %d)", len(s.CanonicalIDs), l.MaxCanonicalIDs)
	case len(s.Buckets) > l.MaxBuckets:
		return limitErr("%d buckets (limit %d)", len(s.Buckets), l.MaxBuckets)
	}
	if err := l.checkCoverage(s.Coverage); err != nil {
		return err
	}
	for i := range s.Buckets {
		if err := l.checkBucket(&s.Buckets[i]); err != nil {
			return err
		}
	}
	return nil
}

func (l Limits) checkCoverage(c Coverage) error {
	if len(c.Gaps) > l.MaxGaps {
		return limitErr("%d coverage gaps (limit %d)", len(c.Gaps), l.MaxGaps)
	}
	return nil
}

func (l Limits) checkBucket(b *Bucket) error {
	if n := len(b.Objects.Objects); n > l.MaxObjectsPerBucket {
		return limitErr("bucket %q holds %d sampled objects (limit %d)", b.Name, n, l.MaxObjectsPerBucket)
	}
	if b.ACL != nil && len(b.ACL.Grants) > l.MaxGrantsPerACL {
		return limitErr("bucket %q: an ACL of %d grants (limit %d)", b.Name, len(b.ACL.Grants), l.MaxGrantsPerACL)
	}
	for _, o := range b.Objects.Objects {
		if o.ACL != nil && len(o.ACL.Grants) > l.MaxGrantsPerACL {
			return limitErr("bucket %q: an object ACL of %d grants (limit %d)", b.Name, len(o.ACL.Grants), l.MaxGrantsPerACL)
		}
	}
	return nil
}
