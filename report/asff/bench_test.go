package asff_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
)

// BenchmarkWrite10k writes 10,000 findings as ASFF.
func BenchmarkWrite10k(b *testing.B) {
	doc := fixture.Document()
	doc.Findings = nil
	for i := range 10000 {
		bucket := fmt.Sprintf("bucket-%04d", i)
		doc.Findings = append(doc.Findings, findings.Finding{
			RuleID: "s3-bucket-access-logging-off", Severity: findings.SeverityLow, AccountID: fixture.Prod, Region: "us-east-1",
			ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::" + bucket, ResourceName: bucket,
			Message: "Bucket does not log server access.", Evidence: map[string]any{"enabled": false},
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := asff.Write(io.Discard, doc, asff.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
