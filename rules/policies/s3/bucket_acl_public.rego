# METADATA
# title: Bucket ACL grants access to everyone
# description: |
#   The bucket ACL grants a permission to the AllUsers (anyone) or
#   AuthenticatedUsers (any AWS account) group, ACLs are enabled (Object
#   Ownership is not BucketOwnerEnforced), and IgnorePublicAcls is off on both
#   the bucket and its account, so S3 honours the grant.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# custom:
#   id: s3-bucket-acl-public
#   severity: critical
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.312(c)(1)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Reset the bucket ACL to private and disable ACLs with Object Ownership
#     BucketOwnerEnforced; enable IgnorePublicAcls on the bucket or account.
#   site_remediation: |
#     A CloudFront distribution reads this bucket's objects only through
#     public access (cloudfront-origin-breaks-on-block-public-access):
#     turning Block Public Access on, or removing the public grant, first
#     takes the site down. Keep this order:
#     1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.
#     2. Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns every object).
#     3. Check that the site still loads.
#     4. Then remove the public grants and turn on Block Public Access.
#   remediation_cli: aws s3api put-bucket-acl --bucket BUCKET --acl private && aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
package hoofprint.rules.s3_bucket_acl_public

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	lib.acls_enabled(b)
	grants := lib.public_grants(b.acl)
	count(grants) > 0
	lib.bpa_off(b, "ignorePublicAcls")
	perms := concat(", ", sort({sprintf("%s to %s", [g.permission, group_name(g.granteeUri)]) | some g in grants}))
	msg := sprintf("Bucket %s ACL grants %s and IgnorePublicAcls is off on the bucket and account %s.", [b.name, perms, b.accountId])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"grants": grants})
}

group_name(uri) := name if {
	parts := split(uri, "/")
	name := parts[count(parts) - 1]
}
