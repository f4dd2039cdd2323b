# METADATA
# title: Account-level S3 Block Public Access is not fully on
# description: |
#   The account's S3 Block Public Access configuration does not enable all four
#   settings, so a bucket of the account can be made public through an ACL or a
#   bucket policy. Turning all four on at the account covers every bucket,
#   present and future.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html
# custom:
#   id: s3-account-public-access-block-off
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#   resource_type: AwsAccount
#   sampled: false
#   scope: origins
#   remediation: |
#     Check first that no site depends on public access (see the
#     cloudfront-origin-breaks-on-block-public-access findings), then enable all
#     four Block Public Access settings for the account.
#   site_remediation: |
#     A CloudFront distribution reads this bucket's objects only through
#     public access (cloudfront-origin-breaks-on-block-public-access):
#     turning Block Public Access on, or removing the public grant, first
#     takes the site down. Keep this order:
#     1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.
#     2. Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns every object).
#     3. Check that the site still loads.
#     4. Then remove the public grants and turn on Block Public Access.
#   remediation_cli: aws s3control put-public-access-block --account-id ACCOUNT_ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html
package hoofprint.rules.s3_account_public_access_block_off

import data.hoofprint.lib

deny contains f if {
	some a in input.accounts
	bpa := a.publicAccessBlock
	off := [s | some s in lib.bpa_settings; bpa[s] == false]
	count(off) > 0
	msg := sprintf("Account %s has S3 Block Public Access %s; off: %s.", [a.id, configured_word(bpa), concat(", ", off)])
	f := lib.finding(a.id, "", "AwsAccount", lib.account_arn(a.id), a.id, msg, {"publicAccessBlock": bpa, "settingsOff": off})
}

configured_word(bpa) := "partly on" if bpa.configured == true

configured_word(bpa) := "not configured" if bpa.configured == false
