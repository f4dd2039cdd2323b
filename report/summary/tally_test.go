package summary_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/summary"
)

// tallyOf feeds doc's findings to a Tally as a stream records them: each
// bucket's findings (the bucket's and its objects') together, the buckets
// and the findings within each in reverse order, then the rest.
func tallyOf(t *testing.T, doc findings.Document) *summary.Facts {
	t.Helper()
	byBucket := map[string][]findings.Finding{}
	var buckets []string
	var rest []findings.Finding
	for f := range doc.All() {
		b := bucketOf(f)
		if b == "" {
			rest = append(rest, f)
			continue
		}
		if _, ok := byBucket[b]; !ok {
			buckets = append(buckets, b)
		}
		byBucket[b] = append(byBucket[b], f)
	}
	tally := summary.NewTally(doc.Partition, doc.ShowObjectKeys)
	slices.Reverse(buckets)
	for _, b := range buckets {
		fs := byBucket[b]
		slices.Reverse(fs)
		tally.AddBucket(b, fs)
	}
	tally.Add(rest)
	fx := tally.Facts(doc.ShowObjectKeys)
	if fx == nil {
		t.Fatal("the Tally gave no facts for findings recorded bucket by bucket")
	}
	return fx
}

// bucketOf is the bucket a finding about a bucket or an object is in.
func bucketOf(f findings.Finding) string {
	if f.ResourceType != findings.ResourceS3Bucket && f.ResourceType != findings.ResourceS3Object {
		return ""
	}
	_, res, _ := strings.Cut(f.ResourceARN, ":::")
	b, _, _ := strings.Cut(res, "/")
	return b
}

// manyResources is a document with more resources than the summary lists:
// 40 buckets with objects of mixed severities and counts, and findings
// about distributions and accounts.
func manyResources() findings.Document {
	doc := fixture.Document()
	doc.Findings = nil
	sevs := []findings.Severity{findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow}
	for i := range 40 {
		b := fmt.Sprintf("bucket-%02d", i)
		acct := []string{fixture.Prod, fixture.Dev}[i%2]
		for r := range 1 + i%4 {
			doc.Findings = append(doc.Findings, findings.Finding{RuleID: fmt.Sprintf("s3-bucket-rule-%d", r), Severity: sevs[(i+r)%4], AccountID: acct,
				Region: "us-east-1", ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::" + b, ResourceName: b, Message: "bucket"})
		}
		for o := range i % 7 {
			for r := range 1 + (i+o)%3 {
				doc.Findings = append(doc.Findings, findings.Finding{RuleID: fmt.Sprintf("s3-object-rule-%d", r), Severity: sevs[(i*o+r)%4], AccountID: acct,
					Region: "us-east-1", ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN(b, fmt.Sprintf("k%d.pdf", o)), ResourceName: b, Message: "object"})
			}
		}
	}
	for d := range 6 {
		for r := range 1 + d%4 {
			doc.Findings = append(doc.Findings, findings.Finding{RuleID: fmt.Sprintf("cloudfront-rule-%d", r), Severity: findings.SeverityCritical, AccountID: fixture.Prod,
				ResourceType: findings.ResourceDistribution, ResourceARN: fmt.Sprintf("arn:aws:cloudfront::%s:distribution/E%d", fixture.Prod, d), ResourceName: fmt.Sprintf("E%d", d), Message: "distribution"})
		}
	}
	doc.Findings = append(doc.Findings, findings.Finding{RuleID: "s3-account-rule", Severity: findings.SeverityHigh, AccountID: fixture.Dev,
		ResourceType: "AwsAccount", ResourceARN: "arn:aws:iam::" + fixture.Dev + ":root", ResourceName: fixture.Dev, Message: "account"})
	findings.SortFindings(doc.Findings)
	return doc
}

// TestATallyGivesWhatGatherGives checks the Tally against Gather where the
// Tally keeps only the worst few resources of the buckets: the summary,
// its worst resources and their count, are the same.
func TestATallyGivesWhatGatherGives(t *testing.T) {
	doc := manyResources()
	var want, got bytes.Buffer
	if err := summary.Write(&want, doc, summary.Options{Facts: summary.Gather(doc)}); err != nil {
		t.Fatal(err)
	}
	if err := summary.Write(&got, doc, summary.Options{Facts: tallyOf(t, doc)}); err != nil {
		t.Fatal(err)
	}
	// 40 buckets, 115 objects, 6 distributions and an account.
	if !strings.Contains(want.String(), "Worst resources (10 of 162)") {
		t.Fatalf("the fixture should list 10 of many worst resources:\n%s", want.String())
	}
	if got.String() != want.String() {
		t.Errorf("the Tally's summary differs from Gather's\n got:\n%s\nwant:\n%s", got.String(), want.String())
	}
}

// TestATallyDefersToGatherWhenABucketIsNamedOutsideItsFindings: a finding
// about a bucket that does not come with that bucket's findings (a user's
// rule at the end) could add to a resource the Tally already ranked and
// dropped, so the Tally gives no facts and the findings are read again.
func TestATallyDefersToGatherWhenABucketIsNamedOutsideItsFindings(t *testing.T) {
	doc := manyResources()
	tally := summary.NewTally(doc.Partition, doc.ShowObjectKeys)
	for f := range doc.All() {
		if b := bucketOf(f); b != "" {
			tally.AddBucket(b, []findings.Finding{f})
		}
	}
	if tally.Facts(doc.ShowObjectKeys) == nil {
		t.Fatal("no facts for findings recorded with their buckets")
	}
	tally = summary.NewTally(doc.Partition, doc.ShowObjectKeys)
	i := slices.IndexFunc(doc.Findings, func(f findings.Finding) bool { return bucketOf(f) != "" })
	tally.Add(doc.Findings[i : i+1])
	if tally.Facts(doc.ShowObjectKeys) != nil {
		t.Error("facts for a bucket's finding recorded outside its bucket's findings")
	}
	if summary.NewTally(doc.Partition, false).Facts(true) != nil {
		t.Error("facts for a document that redacts differently")
	}
}
