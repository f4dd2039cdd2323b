package main

import (
	"slices"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"200", []int{200}, true},
		{"200,1000", []int{200, 1000}, true},
		{" 200 , 1000 ", []int{200, 1000}, true},
		{"", nil, false},
		{"200,", nil, false},
		{"0", nil, false},
		{"-5", nil, false},
		{"two hundred", nil, false},
	} {
		got, err := parseSizes(tc.in)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestFlatness(t *testing.T) {
	const mib = 1 << 20
	// Two rounds of -accounts 1000,200, in the order runAll makes them:
	// the sizes are listed smallest first, and the n-th run of each size
	// is compared with the n-th of the smallest.
	got := flatness([]result{
		{accounts: 1000, maxRSS: 159 * mib},
		{accounts: 200, maxRSS: 145 * mib},
		{accounts: 1000, maxRSS: 154 * mib},
		{accounts: 200, maxRSS: 140 * mib},
	})
	want := "scanner max RSS (MiB):\n" +
		"    200 accounts  145, 140; median 142.5\n" +
		"   1000 accounts  159, 154; median 156.5\n" +
		"  1000 vs 200 accounts: medians +9.8%; run by run +9.7%, +10.0%\n"
	if got != want {
		t.Errorf("flatness:\n%s\nwant:\n%s", got, want)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
