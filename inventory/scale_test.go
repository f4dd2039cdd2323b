package inventory

import (
	"math"
	"testing"
)

// TestScaleSaturatesInsteadOfOverflowing: a huge --inventory-limit-scale
// once wrapped MaxBytes to a negative number ("larger than
// -8003512272938860544 bytes"), refusing every file; the product stops
// at the largest value instead.
func TestScaleSaturatesInsteadOfOverflowing(t *testing.T) {
	l := Limits{MaxBytes: 8 << 30, MaxRecordBytes: 256 << 20, MaxBuckets: 2_000_000, MaxGrantsPerACL: 1_000}
	for _, tc := range []struct {
		name            string
		n               int
		bytes, record   int64
		buckets, grants int
	}{
		{"below one leaves the limits", -5, 8 << 30, 256 << 20, 2_000_000, 1_000},
		{"one leaves the limits", 1, 8 << 30, 256 << 20, 2_000_000, 1_000},
		{"a thousand multiplies", 1000, 8000 << 30, 256_000 << 20, 2_000_000_000, 1_000_000},
		{"the product past int64 is the largest int64", 99_999_999_999, math.MaxInt64, math.MaxInt64, 2_000_000 * 99_999_999_999, 1_000 * 99_999_999_999},
		{"the largest int saturates every limit", math.MaxInt, math.MaxInt64, math.MaxInt64, math.MaxInt, math.MaxInt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := l.Scale(tc.n)
			if got.MaxBytes != tc.bytes || got.MaxRecordBytes != tc.record || got.MaxBuckets != tc.buckets || got.MaxGrantsPerACL != tc.grants {
				t.Errorf("Scale(%d) = bytes %d, record %d, buckets %d, grants %d; want %d, %d, %d, %d",
					tc.n, got.MaxBytes, got.MaxRecordBytes, got.MaxBuckets, got.MaxGrantsPerACL, tc.bytes, tc.record, tc.buckets, tc.grants)
			}
			if got.MaxBytes < 1 || got.MaxRecordBytes < 1 || got.MaxBuckets < 1 || got.MaxAccounts < 0 || got.MaxGrantsPerACL < 1 {
				t.Errorf("Scale(%d) made a limit negative or zero: %+v", tc.n, got)
			}
		})
	}
}
