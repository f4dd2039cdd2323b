# METADATA
# title: Bucket policy or configuration disables or weakens default encryption
# description: |
#   Since January 2023 S3 encrypts every new object (SSE-S3 at least), so a
#   bucket's encryption is only worth a finding where something undoes it:
#   no default encryption at all (an S3-compatible service answered
#   ServerSideEncryptionConfigurationNotFoundError), or a default of SSE-KMS
#   or DSSE-KMS that the bucket policy steers uploads away from: an Allow of
#   s3:PutObject conditioned on s3:x-amz-server-side-encryption AES256, or a
#   Deny of s3:PutObject unless that header is a value other than the
#   default's algorithm (an explicit header overrides the default, so such
#   objects are stored with SSE-S3 and the KMS key policy no longer guards
#   them). A bucket whose default encryption or policy could not be read is
#   skipped.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
# custom:
#   id: s3-bucket-encryption-weakened
#   severity: medium
#   hipaa: ["164.312(a)(2)(iv)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   profiles: [hipaa, all]
#   remediation: |
#     Set default encryption to SSE-KMS with your key and remove the policy
#     statements that allow or require AES256 uploads; to insist on KMS, deny
#     s3:PutObject when s3:x-amz-server-side-encryption is not aws:kms.
#   remediation_cli: aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
package hoofprint.rules.s3_bucket_encryption_weakened

import data.hoofprint.lib

sse_key := "s3:x-amz-server-side-encryption"

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

# cond_values(st, ops) are the values the statement's conditions give the
# SSE header under the operators ops (keys compared case-insensitively).
cond_values(st, ops) := {v |
	some op, entries in st.Condition
	op in ops
	some k, vals in entries
	lower(k) == sse_key
	some v in lib.as_array(vals)
}

covers_put(st) if lib.allows_action(st, "s3:PutObject")

weakening(doc, default_alg) := [{"index": i, "sid": object.get(st, "Sid", ""), "effect": st.Effect, "why": why} |
	some i, st in lib.statements(doc)
	covers_put(st)
	why := statement_weakens(st, default_alg)
]

statement_weakens(st, _) := "allows uploads that ask for AES256 (SSE-S3)" if {
	st.Effect == "Allow"
	"AES256" in cond_values(st, {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ForAnyValue:StringEquals"})
}

statement_weakens(st, default_alg) := sprintf("denies uploads unless they ask for %s, not the default %s", [concat(" or ", sort(allowed)), default_alg]) if {
	st.Effect == "Deny"
	allowed := cond_values(st, {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"})
	count(allowed) > 0
	not default_alg in allowed
	"AES256" in allowed
}

default_algorithm(b) := r.sseAlgorithm if {
	some r in b.encryption.rules
	r.sseAlgorithm in kms_algorithms
}

deny contains f if {
	some b in input.buckets
	b.encryption.configured == false
	msg := sprintf("Bucket %s has no default encryption: objects uploaded without an encryption header are stored unencrypted.", [b.name])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"encryption": b.encryption})
}

deny contains f if {
	some b in input.buckets
	alg := default_algorithm(b)
	doc := lib.policy_doc(b)
	ws := weakening(doc, alg)
	count(ws) > 0
	msg := sprintf("Bucket %s encrypts with %s by default, but its bucket policy %s (statement %d): such objects are stored with SSE-S3, outside the KMS key's policy.", [b.name, alg, ws[0].why, ws[0].index])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"encryption": b.encryption, "statements": ws})
}
