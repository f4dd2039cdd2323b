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

// BenchmarkAppendPublicBucket converts one public bucket's findings (100
// objects readable by anyone) into the chunk `hoofprint scan` keeps until
// the bucket's turn in the ASFF file: what it allocates for that, with
// B/op, is the chunk's size plus the conversion's own garbage.
func BenchmarkAppendPublicBucket(b *testing.B) {
	doc := fixture.Document()
	doc.Findings = nil
	var fs []findings.Finding
	for i := range 100 {
		arn := fmt.Sprintf("arn:aws:s3:::public-site/img/%03d.png", i)
		fs = append(fs, findings.Finding{
			RuleID: "s3-object-public-acl", Severity: findings.SeverityHigh, AccountID: fixture.Prod, Region: "us-east-1",
			ResourceType: findings.ResourceS3Object, ResourceARN: arn, ResourceName: arn,
			Message:  "Object is readable by anyone through its ACL.",
			Evidence: map[string]any{"grantee": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"},
		})
	}
	enc := asff.NewEncoder(doc, asff.Options{})
	b.ReportAllocs()
	var n int
	for b.Loop() {
		chunk, err := enc.Append(nil, fs...)
		if err != nil {
			b.Fatal(err)
		}
		n = len(chunk)
	}
	b.ReportMetric(float64(n), "chunk-bytes")
}
