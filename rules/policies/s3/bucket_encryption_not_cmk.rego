# METADATA
# title: Bucket default encryption does not use a customer managed KMS key
# description: |
#   Opt-in (profile all): a bucket that holds objects is encrypted by
#   default with SSE-S3, or with SSE-KMS/DSSE-KMS under the AWS managed key
#   aws/s3, rather than a customer managed KMS key. Only a customer managed
#   key lets you restrict who may decrypt (key policy), audit every decrypt
#   in CloudTrail, and revoke access by disabling the key; many HIPAA
#   programmes require it for ePHI. A key named by alias is taken as
#   customer managed unless the alias is aws/s3.
# related_resources:
# - https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
# custom:
#   id: s3-bucket-encryption-not-cmk
#   severity: low
#   hipaa: ["164.312(a)(2)(iv)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   profiles: [all]
#   remediation: |
#     Create a customer managed KMS key whose policy allows only the roles
#     that need the data (and CloudFront's OAC, for origins), then make it
#     the bucket's default encryption key. Existing objects keep their old
#     encryption until they are copied over themselves.
#   remediation_cli: aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
package hoofprint.rules.s3_bucket_encryption_not_cmk

import data.hoofprint.lib

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

aws_managed(key) if key == ""

aws_managed(key) if endswith(key, "alias/aws/s3")

uses_cmk(r) if {
	r.sseAlgorithm in kms_algorithms
	not aws_managed(object.get(r, "kmsMasterKeyId", ""))
}

what(r) := "SSE-S3" if r.sseAlgorithm == "AES256"

what(r) := sprintf("%s with the AWS managed key aws/s3", [r.sseAlgorithm]) if {
	r.sseAlgorithm in kms_algorithms
	aws_managed(object.get(r, "kmsMasterKeyId", ""))
}

deny contains f if {
	some b in input.buckets
	b.objects.keysListed > 0
	b.encryption.configured == true
	some r in b.encryption.rules
	not uses_cmk(r)
	msg := sprintf("Bucket %s holds objects and encrypts them by default with %s, not a customer managed KMS key.", [b.name, what(r)])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"encryption": b.encryption})
}
