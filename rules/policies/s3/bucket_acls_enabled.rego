# METADATA
# title: Bucket ACLs are enabled (Object Ownership is not BucketOwnerEnforced)
# description: |
#   With ACLs enabled, an object uploaded by another account stays owned by
#   that account: the bucket policy no longer applies to it and the bucket
#   owner may not even read its ACL. This is the root cause of the
#   cross-account CloudFront 403s and public-read leaks. BucketOwnerEnforced
#   makes the bucket owner own every object and turns ACLs off.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html
# custom:
#   id: s3-bucket-acls-enabled
#   severity: low
#   hipaa: ["164.312(a)(1)", "164.308(a)(3)(ii)(A)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Move any access granted by ACLs into the bucket policy, then set Object
#     Ownership to BucketOwnerEnforced.
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
package hoofprint.rules.s3_bucket_acls_enabled

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	lib.acls_enabled(b)
	own := b.ownershipControls.objectOwnership
	msg := sprintf("Bucket %s has Object Ownership %s, so objects uploaded by other accounts stay theirs and ACLs still grant access.", [b.name, own])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"objectOwnership": own})
}
