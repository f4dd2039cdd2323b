package inventory

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Issue 10 item 10: trailing data is refused whatever it is, and a file
// beyond a limit fails with an error naming the limit.
func TestReaderRefusesTrailingDataAndInputsBeyondTheLimits(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	v1, _ := json.Marshal(func() *Snapshot { s := sample(); s.SchemaVersion = SchemaVersionV1; return s }())

	// A zip bomb: one bucket of 300,000 identical objects compresses to a
	// few hundred kilobytes.
	big := sample()
	obj := big.Buckets[0].Objects.Objects[0]
	big.Buckets[0].Objects.Objects = make([]Object, 300_000)
	for i := range big.Buckets[0].Objects.Objects {
		big.Buckets[0].Objects.Objects[i] = obj
	}
	var bomb bytes.Buffer
	gz := gzip.NewWriter(&bomb)
	if err := Encode(gz, big); err != nil {
		t.Fatal(err)
	}
	_ = gz.Close()
	t.Logf("bomb: %d bytes compressed", bomb.Len())

	small := DefaultLimits
	small.MaxRecordBytes = 64 << 10
	tiny := DefaultLimits
	tiny.MaxBytes = 200

	tests := []struct {
		name   string
		in     string
		limits Limits
		want   string
		limit  bool
	}{
		{"a stray brace after the trailer", good + "}", DefaultLimits, "after the last record", false},
		{"a stray bracket after the trailer", good + "]\n", DefaultLimits, "after the last record", false},
		{"garbage after a v1 document", string(v1) + "\nxyz", DefaultLimits, "after the last record", false},
		{"two v1 documents", string(v1) + string(v1), DefaultLimits, "after the last record", false},
		{"a v1 document and a brace", string(v1) + "}", DefaultLimits, "after the last record", false},
		{"too many objects in one bucket (gzip bomb)", bomb.String(), DefaultLimits, "300000 sampled objects (limit 100000)", true},
		{"a record larger than MaxRecordBytes", bomb.String(), small, "larger than 65536 bytes", true},
		{"a file larger than MaxBytes", good, tiny, "larger than 200 bytes decompressed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewLimitedReader(strings.NewReader(tt.in), tt.limits)
			if err == nil {
				_, err = ReadAll(r)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			if errors.Is(err, ErrLimit) != tt.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v", !tt.limit)
			}
			if tt.limit && !strings.Contains(err.Error(), "--inventory-limit-scale") {
				t.Errorf("the error does not say how to raise the limit: %v", err)
			}
		})
	}
	// Raised limits accept the big (trusted) file.
	r, err := NewLimitedReader(bytes.NewReader(bomb.Bytes()), DefaultLimits.Scale(4))
	if err == nil {
		_, err = ReadAll(r)
	}
	if err != nil {
		t.Errorf("with the limits scaled 4x: %v", err)
	}
	if got := fmt.Sprint(DefaultLimits.Scale(0) == DefaultLimits); got != "true" {
		t.Error("Scale(0) changed the limits")
	}
}

func TestShowablePrefixIsTheDocumentedRule(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		listed int
		want   bool
	}{
		{"static/", MinPrefixKeys, true},
		{"assets-v2/", 500, true},
		{"static/", MinPrefixKeys - 1, false},
		{"Jane Doe DOB 1970-01-01 MRN 12345/", 1000, false},
		{"jane.doe@example.com/", 1000, false},
		{"2024/", 1000, false},
		{"mrn12345/", 1000, false},
		{"a1b2/", 1000, true},
		{"", 1000, false},
		{"this-folder-name-is-longer-than-forty-characters/", 1000, false},
		{"naïve/", 1000, false},
	} {
		if got := ShowablePrefix(tc.prefix, tc.listed); got != tc.want {
			t.Errorf("ShowablePrefix(%q, %d) = %v, want %v", tc.prefix, tc.listed, got, tc.want)
		}
	}
	h := NewKeyHasher([]byte("0123456789abcdef"))
	if a, b := h.HashPrefix("b", "Jane Doe/"), h.HashPrefix("b", "Jane Doe/"); a != b || !strings.HasPrefix(a, "hmac:") || !strings.HasSuffix(a, "/") {
		t.Errorf("HashPrefix = %q, %q: want a stable hmac:…/", a, b)
	}
}
