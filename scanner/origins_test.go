package scanner

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/hoofprint/hoofprint/inventory"
)

func TestResolveOriginDomain(t *testing.T) {
	tests := []struct {
		name, domain             string
		wantType, bucket, region string
	}{
		{"the legacy global REST endpoint names a bucket and no region", "assets.s3.amazonaws.com", inventory.OriginS3, "assets", ""},
		{"a regional REST endpoint names the bucket and its region", "assets.s3.eu-west-1.amazonaws.com", inventory.OriginS3, "assets", "eu-west-1"},
		{"the legacy dash form names the region too", "assets.s3-us-west-2.amazonaws.com", inventory.OriginS3, "assets", "us-west-2"},
		{"s3-external-1 is us-east-1", "assets.s3-external-1.amazonaws.com", inventory.OriginS3, "assets", "us-east-1"},
		{"a dualstack endpoint is a REST endpoint", "assets.s3.dualstack.ap-southeast-2.amazonaws.com", inventory.OriginS3, "assets", "ap-southeast-2"},
		{"a FIPS endpoint is a REST endpoint", "phi-site.s3-fips.us-gov-west-1.amazonaws.com", inventory.OriginS3, "phi-site", "us-gov-west-1"},
		{"a FIPS dualstack endpoint is a REST endpoint", "phi-site.s3-fips.dualstack.us-east-1.amazonaws.com", inventory.OriginS3, "phi-site", "us-east-1"},
		{"a website endpoint with a dash is a website origin", "www.example.com.s3-website-us-east-1.amazonaws.com", inventory.OriginS3Website, "www.example.com", "us-east-1"},
		{"a website endpoint with a dot is a website origin", "site.s3-website.eu-central-1.amazonaws.com", inventory.OriginS3Website, "site", "eu-central-1"},
		{"a bucket name with dots keeps its dots", "my.dotted.bucket.s3.us-east-2.amazonaws.com", inventory.OriginS3, "my.dotted.bucket", "us-east-2"},
		{"a China-partition endpoint is recognised", "assets.s3.cn-north-1.amazonaws.com.cn", inventory.OriginS3, "assets", "cn-north-1"},
		{"a GovCloud region is recognised", "assets.s3.us-gov-west-1.amazonaws.com", inventory.OriginS3, "assets", "us-gov-west-1"},
		{"case and a trailing dot do not matter", "Assets.S3.Amazonaws.com.", inventory.OriginS3, "assets", ""},
		{"a load balancer is a custom origin", "my-alb-123.us-east-1.elb.amazonaws.com", inventory.OriginCustom, "", ""},
		{"an API Gateway domain is a custom origin", "abc.execute-api.us-east-1.amazonaws.com", inventory.OriginCustom, "", ""},
		{"an access point alias is not mistaken for a bucket", "ap-123.s3-accesspoint.us-east-1.amazonaws.com", inventory.OriginCustom, "", ""},
		{"a bare S3 endpoint names no bucket", "s3.amazonaws.com", inventory.OriginCustom, "", ""},
		{"a domain outside AWS is a custom origin", "origin.example.org", inventory.OriginCustom, "", ""},
		{"a look-alike domain is a custom origin", "assets.s3.amazonaws.com.evil.example", inventory.OriginCustom, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, b, r := resolveOriginDomain(tt.domain)
			if typ != tt.wantType || b != tt.bucket || r != tt.region {
				t.Errorf("resolveOriginDomain(%q) = %q, %q, %q; want %q, %q, %q", tt.domain, typ, b, r, tt.wantType, tt.bucket, tt.region)
			}
		})
	}
}

func TestConvertOriginKeepsBareOAIAndOACIDs(t *testing.T) {
	o := convertOrigin(cftypes.Origin{
		Id: aws.String("s3"), DomainName: aws.String("records.s3.amazonaws.com"),
		OriginAccessControlId: aws.String("E3OAC"),
		S3OriginConfig:        &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("origin-access-identity/cloudfront/E2QWRUHAPOMQZL")},
	})
	if o.OAIID != "E2QWRUHAPOMQZL" || o.OACID != "E3OAC" || o.BucketName != "records" || o.Type != inventory.OriginS3 {
		t.Errorf("origin %+v", o)
	}
	if none := convertOrigin(cftypes.Origin{DomainName: aws.String("x.s3.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}); none.OAIID != "" {
		t.Errorf("an empty OriginAccessIdentity gave OAI %q", none.OAIID)
	}
}

func TestConvertDistributionListsTheDefaultBehaviourFirst(t *testing.T) {
	d := convertDistribution("111111111111", cftypes.DistributionSummary{
		Id: aws.String("E1"), ARN: aws.String("arn:aws:cloudfront::111111111111:distribution/E1"), Enabled: aws.Bool(true),
		Origins:              &cftypes.Origins{Items: []cftypes.Origin{{Id: aws.String("o"), DomainName: aws.String("b.s3.amazonaws.com")}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("o"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps},
		CacheBehaviors: &cftypes.CacheBehaviors{Items: []cftypes.CacheBehavior{{
			PathPattern: aws.String("/img/*"), TargetOriginId: aws.String("o"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
		}}},
	})
	if len(d.CacheBehaviors) != 2 || d.CacheBehaviors[0].PathPattern != "*" || d.CacheBehaviors[1].ViewerProtocolPolicy != "allow-all" {
		t.Errorf("cache behaviours %+v", d.CacheBehaviors)
	}
	if len(d.Origins) != 1 || d.Origins[0].BucketName != "b" || !d.Enabled {
		t.Errorf("distribution %+v", d)
	}
}

func TestBucketExistsTellsMissingFromTaken(t *testing.T) {
	s := &scan{cov: &coverage{logger: discardLogger(), c: &counters{}}}
	s.base = testBase()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a 404 means nobody owns the name", apiErr("NotFound", 404), bucketExistsNo},
		{"a 403 means someone outside the scan owns it", apiErr("Forbidden", 403), bucketExistsUnknown},
		{"a 301 means it exists in another region", apiErr("PermanentRedirect", 301), bucketExistsUnknown},
		{"a readable bucket exists", nil, bucketExistsUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.bucketExists(t.Context(), fakeHead{err: tt.err}, "b", "us-east-1")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if gaps := s.cov.sorted(); len(gaps) != 0 {
		t.Errorf("expected answers recorded gaps: %+v", gaps)
	}
	t.Run("a server error is unknown and a gap", func(t *testing.T) {
		if got := s.bucketExists(t.Context(), fakeHead{err: apiErr("InternalError", 500)}, "b", "us-east-1"); got != bucketExistsUnknown {
			t.Errorf("got %q", got)
		}
		if gaps := s.cov.sorted(); len(gaps) != 1 || gaps[0].Operation != "HeadBucket" || gaps[0].Code != "InternalError" {
			t.Errorf("gaps %+v", gaps)
		}
	})
}
