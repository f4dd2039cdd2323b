package rules

import (
	"testing"

	"github.com/hoofprint/hoofprint/inventory"
)

// TestTraps evaluates the HealthCorp fixture and checks, trap by trap, that
// the rule fires where S3 or CloudFront really misbehaves and stays silent
// where a setting elsewhere already neutralises the problem.
func TestTraps(t *testing.T) {
	fs, err := loadEmbedded(t).Evaluate(t.Context(), healthcorpSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	obj := func(bucket, key string) string {
		return "arn:aws:s3:::" + bucket + "/" + inventory.HashKey(bucket, key)
	}
	dist := func(account, id string) string { return "arn:aws:cloudfront::" + account + ":distribution/" + id }
	tests := []struct {
		name   string
		rule   string
		arn    string
		prefix bool
		want   bool
	}{
		{"account-level BPA covers a bucket whose own BPA is off", "s3-bucket-public-access-block-off", "arn:aws:s3:::sandbox-public-site", false, false},
		{"account-level BPA neutralises a public-read bucket ACL", "s3-bucket-acl-public", "arn:aws:s3:::sandbox-public-site", false, false},
		{"account-level BPA neutralises a public bucket policy", "s3-bucket-policy-public", "arn:aws:s3:::sandbox-public-site", false, false},
		{"an account without BPA is reported", "s3-account-public-access-block-off", "AWS::::Account:" + acctDev, false, true},
		{"an account with BPA on is not reported", "s3-account-public-access-block-off", "AWS::::Account:" + acctProd, false, false},
		{"a bucket with BPA off in an account with BPA off is reported", "s3-bucket-public-access-block-off", "arn:aws:s3:::healthcorp-web-dev", false, true},
		{"IgnorePublicAcls on the bucket neutralises a public-read bucket ACL", "s3-bucket-acl-public", "arn:aws:s3:::dev-ignore-public-acls", false, false},
		{"IgnorePublicAcls on the bucket neutralises a public-read object ACL", "s3-object-acl-public", "arn:aws:s3:::dev-ignore-public-acls/", true, false},
		{"RestrictPublicBuckets on the bucket neutralises a public policy", "s3-bucket-policy-public", "arn:aws:s3:::dev-restrict-public-buckets", false, false},
		{"a public policy without RestrictPublicBuckets is reported", "s3-bucket-policy-public", "arn:aws:s3:::dev-public-policy", false, true},
		{"a public-read object with BPA off is reported", "s3-object-acl-public", obj("healthcorp-web-dev", "index.html"), false, true},
		{"BucketOwnerEnforced buckets get no ownership finding", "s3-object-foreign-owner", "arn:aws:s3:::healthcorp-phi/", true, false},
		{"BucketOwnerEnforced buckets get no external-owner finding", "s3-object-external-owner", "arn:aws:s3:::healthcorp-phi/", true, false},
		{"BucketOwnerEnforced buckets are not reported as ACLs enabled", "s3-bucket-acls-enabled", "arn:aws:s3:::healthcorp-phi", false, false},
		{"an object uploaded by the tools account is foreign-owned", "s3-object-foreign-owner", obj("healthcorp-web-prod", "index.html"), false, true},
		{"an object owned outside the organization is external", "s3-object-external-owner", obj("healthcorp-web-dev", "patients/jane-doe.pdf"), false, true},
		{"HealthCorp prod: tools-owned objects under BPA are unreadable by the OAI", "cloudfront-origin-objects-unreadable", obj("healthcorp-web-prod", "index.html"), false, true},
		{"HealthCorp prod: the bucket owner's own object is readable", "cloudfront-origin-objects-unreadable", obj("healthcorp-web-prod", "robots.txt"), false, false},
		{"HealthCorp prod: nothing reads through a public ACL any more", "cloudfront-origin-breaks-on-block-public-access", "arn:aws:s3:::healthcorp-web-prod/", true, false},
		{"HealthCorp dev: public-read objects break when BPA is turned on", "cloudfront-origin-breaks-on-block-public-access", obj("healthcorp-web-dev", "index.html"), false, true},
		{"HealthCorp dev: objects still readable today are not unreadable", "cloudfront-origin-objects-unreadable", obj("healthcorp-web-dev", "index.html"), false, false},
		{"an OAI granted by canonical ID is granted", "cloudfront-oai-not-granted", dist(acctTools, "ETOOLSREPORTS"), false, false},
		{"an OAI that the policy does not grant (it grants another OAI) is reported", "cloudfront-oai-not-granted", dist(acctProd, "EDOCS"), false, true},
		{"an AuthenticatedUsers bucket ACL without IgnorePublicAcls is public", "s3-bucket-acl-public", "arn:aws:s3:::dev-public-policy", false, true},
		{"an OAI granted by ARN is granted", "cloudfront-oai-not-granted", dist(acctProd, "EPRODSITE"), false, false},
		{"an OAC whose policy names another distribution is a mismatch", "cloudfront-oac-source-arn-mismatch", dist(acctProd, "EASSETS"), false, true},
		{"cross-account distribution: object ACL READ to the OAI makes it readable", "cloudfront-origin-objects-unreadable", obj("healthcorp-reports", "weekly/granted.html"), false, false},
		{"cross-account distribution: a tools-owned private object is unreadable", "cloudfront-origin-objects-unreadable", obj("healthcorp-reports", "weekly/private.html"), false, true},
		{"cross-account distribution: the bucket owner's object is readable", "cloudfront-origin-objects-unreadable", obj("healthcorp-reports", "weekly/owned.html"), false, false},
		{"an origin bucket that does not exist is missing", "cloudfront-origin-bucket-missing", dist(acctSandbox, "ELEGACY"), false, true},
		{"a website-endpoint origin is a public bucket origin", "cloudfront-origin-public-bucket", dist(acctSandbox, "ELEGACY"), false, true},
		{"an OAI origin is not a public bucket origin", "cloudfront-origin-public-bucket", dist(acctProd, "EPRODSITE"), false, false},
		{"allow-all viewer protocol is reported", "cloudfront-viewer-http-allowed", dist(acctDev, "EDEVSITE"), false, true},
		{"redirect-to-https is not reported", "cloudfront-viewer-http-allowed", dist(acctProd, "EPRODSITE"), false, false},
		{"a bucket without a TLS-only policy is reported", "s3-bucket-insecure-transport", "arn:aws:s3:::healthcorp-phi", false, true},
		{"a bucket denying aws:SecureTransport false is not", "s3-bucket-insecure-transport", "arn:aws:s3:::healthcorp-web-prod", false, false},
		{"logging off is reported", "s3-bucket-access-logging-off", "arn:aws:s3:::healthcorp-phi", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := has(fs, tc.rule, tc.arn)
			if tc.prefix {
				got = hasPrefix(fs, tc.rule, tc.arn)
			}
			if got != tc.want {
				t.Errorf("%s on %s: fired = %v, want %v", tc.rule, tc.arn, got, tc.want)
			}
		})
	}

	t.Run("the partner bucket outside the organization is not called missing", func(t *testing.T) {
		for _, f := range fs {
			if f.RuleID == "cloudfront-origin-bucket-missing" {
				if origins := f.Evidence["origins"].([]any); len(origins) != 1 {
					t.Fatalf("bucket-missing names %d origins, want only the missing one: %v", len(origins), origins)
				}
			}
		}
	})
}
