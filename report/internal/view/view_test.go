package view

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

func TestFullyEvaluated(t *testing.T) {
	doc := findings.Document{
		Coverage: inventory.Coverage{Complete: true, Gaps: []inventory.Gap{
			{AccountID: "222222222222", Region: "us-west-2", Service: "s3", Operation: "GetBucketPolicy", Code: "AccessDenied"},
			{AccountID: "333333333333", Service: "cloudfront", Operation: "ListDistributions", Code: "AccessDenied"},
		}},
		Accounts: []string{"111111111111", "222222222222", "333333333333"},
		Rules: []findings.Rule{
			{ID: "s3-bucket-access-logging-off"}, {ID: "s3-object-acl-public", Sampled: true}, {ID: "cloudfront-viewer-http-allowed"},
		},
		FullySampledBuckets: []string{"all-read"},
	}
	s := NewScope(doc)
	tests := []struct {
		name                              string
		rule, account, region, rtype, arn string
		want                              bool
	}{
		{"a rule in a clean account and region is fully evaluated", "s3-bucket-access-logging-off", "111111111111", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b", true},
		{"an S3 gap in the same region blocks S3 rules", "s3-bucket-access-logging-off", "222222222222", "us-west-2", findings.ResourceS3Bucket, "arn:aws:s3:::b", false},
		{"an S3 gap in another region does not", "s3-bucket-access-logging-off", "222222222222", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b", true},
		{"a global CloudFront gap blocks CloudFront rules in that account", "cloudfront-viewer-http-allowed", "333333333333", "us-east-1", findings.ResourceDistribution, "", false},
		{"a CloudFront gap does not block S3 rules", "s3-bucket-access-logging-off", "333333333333", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b", true},
		{"an S3 gap anywhere blocks CloudFront rules, which read buckets in any account", "cloudfront-viewer-http-allowed", "111111111111", "us-east-1", findings.ResourceDistribution, "", false},
		{"an unscanned account is never fully evaluated", "s3-bucket-access-logging-off", "444444444444", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b", false},
		{"a rule not evaluated tonight is not", "s3-bucket-policy-public", "111111111111", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b", false},
		{"a sampled rule on an object of a partly sampled bucket is not", "s3-object-acl-public", "111111111111", "us-east-1", findings.ResourceS3Object, "arn:aws:s3:::some/sha256:0011223344556677", false},
		{"a sampled rule on an object of a fully sampled bucket is", "s3-object-acl-public", "111111111111", "us-east-1", findings.ResourceS3Object, "arn:aws:s3:::all-read/sha256:0011223344556677", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.FullyEvaluated(tc.rule, tc.account, tc.region, tc.rtype, tc.arn); got != tc.want {
				t.Errorf("FullyEvaluated = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("an interrupted scan evaluates nothing fully", func(t *testing.T) {
		d := doc
		d.Coverage.Complete = false
		if NewScope(d).FullyEvaluated("s3-bucket-access-logging-off", "111111111111", "us-east-1", findings.ResourceS3Bucket, "arn:aws:s3:::b") {
			t.Error("fully evaluated after an interruption")
		}
	})
}

func TestParseResource(t *testing.T) {
	key := "patients/jane.pdf"
	hash := inventory.HashKey("b", key)
	tests := []struct {
		name     string
		f        findings.Finding
		show     bool
		uri, arn string
	}{
		{"a bucket is located by account and name", findings.Finding{AccountID: "1", ResourceType: findings.ResourceS3Bucket, ResourceARN: "arn:aws:s3:::b"}, false, "aws/1/s3/b", "arn:aws:s3:::b"},
		{"a hashed object is located by its hash", findings.Finding{AccountID: "1", ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::b/" + hash}, false, "aws/1/s3/b/objects/" + strings.TrimPrefix(hash, "sha256:"), "arn:aws:s3:::b/" + hash},
		{"a raw key is hashed when keys are hidden", findings.Finding{AccountID: "1", ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::b/" + key}, false, "aws/1/s3/b/objects/" + strings.TrimPrefix(hash, "sha256:"), "arn:aws:s3:::b/" + hash},
		{"a raw key is shown, escaped, when keys may be shown", findings.Finding{AccountID: "1", ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::b/a b/c"}, true, "aws/1/s3/b/a%20b/c", "arn:aws:s3:::b/a b/c"},
		{"a distribution is located by its ID", findings.Finding{AccountID: "1", ResourceType: findings.ResourceDistribution, ResourceARN: "arn:aws:cloudfront::1:distribution/E1"}, false, "aws/1/cloudfront/E1", "arn:aws:cloudfront::1:distribution/E1"},
		{"an account is located by its ID", findings.Finding{AccountID: "1", ResourceType: findings.ResourceAccount, ResourceARN: "arn:aws:iam::1:root"}, false, "aws/1/account", "arn:aws:iam::1:root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ParseResource(tc.f, tc.show)
			if r.URI() != tc.uri || r.ARN != tc.arn {
				t.Errorf("URI %q ARN %q, want %q %q", r.URI(), r.ARN, tc.uri, tc.arn)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{0.03: "3%", 0.025: "2.5%", 1.0 / 12: "8.33%", 1: "100%"} {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSampleNoteSaysWhatTheSilenceMeans(t *testing.T) {
	rule := findings.Rule{ID: "cloudfront-origin-objects-unreadable", Sampled: true}
	objRule := findings.Rule{ID: "s3-object-acl-public", Sampled: true}
	cfGap := inventory.Coverage{Gaps: []inventory.Gap{{AccountID: "111111111111", Service: "cloudfront", Operation: "ListCloudFrontOriginAccessIdentities", Code: "NotImplemented"}}}
	tests := []struct {
		name string
		rule findings.Rule
		doc  findings.Document
		want string
	}{
		{"a CloudFront gap: not judged, not a clean sample", rule, findings.Document{Coverage: cfGap, Sample: findings.SampleStats{ObjectsSampled: 3, ACLsRead: 3}},
			"not judged where CloudFront could not be read (1 account(s)"},
		{"three objects bound nothing", objRule, findings.Document{Sample: findings.SampleStats{ObjectsSampled: 3, ACLsRead: 3}},
			"0 of 3 sampled objects affected; too few objects to bound"},
		{"a CloudFront gap does not touch an S3 rule", objRule, findings.Document{Coverage: cfGap, Sample: findings.SampleStats{ObjectsSampled: 300, ACLsRead: 300}},
			"0 of 300 sampled objects affected; at 95% confidence under 1% of objects are affected."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SampleNote(tc.doc, tc.rule)
			if !strings.Contains(got, tc.want) || strings.Contains(got, "under 100%") {
				t.Errorf("SampleNote = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
