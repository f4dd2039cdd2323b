// Package report_test checks what every report writer must do alike.
package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/sarif"
	"github.com/hoofprint/hoofprint/report/summary"
)

type writer struct {
	name  string
	write func(*bytes.Buffer, findings.Document) error
}

var writers = []writer{
	{"SARIF", func(b *bytes.Buffer, d findings.Document) error { return sarif.Write(b, d, sarif.Options{}) }},
	{"ASFF", func(b *bytes.Buffer, d findings.Document) error { return asff.Write(b, d, asff.Options{}) }},
	{"summary", func(b *bytes.Buffer, d findings.Document) error { return summary.Write(b, d, summary.Options{}) }},
}

// TestObjectKeysStayOutOfReports feeds every writer a finding whose ARN,
// message and evidence carry a key holding patient data, as a careless rule
// might, and checks that no part of the key's file name reaches the output
// unless the scan ran with --show-object-keys.
func TestObjectKeysStayOutOfReports(t *testing.T) {
	doc := fixture.WithPHIKey(fixture.Document())
	leaks := []string{fixture.PHIKey, "Jane-Q-Public", "MRN-00912345", "DOB-1980-02-29"}
	hash := inventory.HashKey("healthcorp-prod-uploads", fixture.PHIKey)
	for _, w := range writers {
		t.Run(w.name+" shows the key's hash and first segment, never the key, by default", func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b, doc); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, l := range leaks {
				if strings.Contains(out, l) {
					t.Errorf("%s output contains %q", w.name, l)
				}
			}
			if !strings.Contains(out, strings.TrimPrefix(hash, "sha256:")) {
				t.Errorf("%s output lacks the key hash %s", w.name, hash)
			}
		})
		t.Run(w.name+" shows the whole key with --show-object-keys", func(t *testing.T) {
			shown := doc
			shown.ShowObjectKeys = true
			var b bytes.Buffer
			if err := w.write(&b, shown); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "Jane-Q-Public") {
				t.Errorf("%s output hides the key although keys may be shown", w.name)
			}
		})
	}
}
