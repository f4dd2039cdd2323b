package sarif_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/sarif"
)

// manyFindings is a large organization's night: n object findings.
func manyFindings(n int) findings.Document {
	doc := fixture.Document()
	doc.Findings = make([]findings.Finding, 0, n)
	for i := range n {
		bucket := fmt.Sprintf("bucket-%04d", i%1000)
		doc.Findings = append(doc.Findings, findings.Finding{
			RuleID: "s3-object-foreign-owner", Severity: findings.SeverityHigh, AccountID: fixture.Prod, Region: "us-east-1",
			ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN(bucket, fmt.Sprintf("k/%d", i)), ResourceName: bucket,
			Message: "An object is owned by account 111111111111.", Evidence: map[string]any{"ownerAccount": fixture.Tools, "keyPrefix": "k/"},
		})
	}
	return doc
}

// BenchmarkWrite30k writes a 30,000-finding night (past GitHub's limit, so
// the cap runs too) with a baseline of the same size.
func BenchmarkWrite30k(b *testing.B) {
	doc := manyFindings(30000)
	base, err := sarif.Build(doc, sarif.Options{MaxResults: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := sarif.Write(io.Discard, doc, sarif.Options{Baseline: base}); err != nil {
			b.Fatal(err)
		}
	}
}
