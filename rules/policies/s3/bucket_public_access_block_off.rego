# METADATA
# title: Bucket Block Public Access is not fully on and the account does not cover it
# description: |
#   A Block Public Access setting is off both on the bucket and on its account.
#   S3 applies the most restrictive combination of the account's and the
#   bucket's settings, so a bucket is reported only when neither enables a
#   setting.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html
# custom:
#   id: s3-bucket-public-access-block-off
#   severity: medium
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Enable all four Block Public Access settings on the bucket (or on the
#     account). If a CloudFront distribution serves the bucket, fix the
#     cloudfront-origin-breaks-on-block-public-access findings first.
#   site_remediation: |
#     A CloudFront distribution reads this bucket's objects only through
#     public access (cloudfront-origin-breaks-on-block-public-access):
#     turning Block Public Access on, or removing the public grant, first
#     takes the site down. Keep this order:
#     1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.
#     2. Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns every object).
#     3. Check that the site still loads.
#     4. Then remove the public grants and turn on Block Public Access.
#   remediation_cli: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html
package hoofprint.rules.s3_bucket_public_access_block_off

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	off := [s | some s in lib.bpa_settings; lib.bpa_off(b, s)]
	count(off) > 0
	msg := sprintf("Bucket %s has Block Public Access off (%s) and account %s does not enable it either.", [b.name, concat(", ", off), b.accountId])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {
		"settingsOff": off,
		"bucketPublicAccessBlock": b.publicAccessBlock,
		"accountPublicAccessBlock": lib.account(b.accountId).publicAccessBlock,
	})
}
