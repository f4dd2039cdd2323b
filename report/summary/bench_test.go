package summary_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/summary"
)

// BenchmarkWriteSpilled50k writes the summary of a 50,000-finding night
// whose findings are in a spill file, as a large scan's are: every read of
// the findings decodes them again.
func BenchmarkWriteSpilled50k(b *testing.B) {
	set := findings.NewSet(0, b.TempDir())
	defer func() { _ = set.Close() }()
	for i := range 50000 {
		bucket := fmt.Sprintf("bucket-%04d", i%1000)
		if err := set.Add(findings.Finding{
			RuleID: []string{"s3-object-foreign-owner", "s3-object-acl-public"}[i%2], Severity: findings.SeverityHigh, AccountID: fixture.Prod, Region: "us-east-1",
			ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN(bucket, fmt.Sprintf("k/%d", i)), ResourceName: bucket,
			Message: "An object is owned by account 111111111111.", Evidence: map[string]any{"ownerAccount": fixture.Tools, "keyPrefix": "k/"},
		}); err != nil {
			b.Fatal(err)
		}
	}
	doc := fixture.Document()
	doc.Findings, doc.Set = nil, set
	b.ReportAllocs()
	for b.Loop() {
		if err := summary.Write(io.Discard, doc, summary.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
