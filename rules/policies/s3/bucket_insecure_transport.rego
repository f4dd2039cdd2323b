# METADATA
# title: Bucket policy does not deny requests over plain HTTP
# description: |
#   The bucket policy has no Deny statement for every principal that covers
#   object reads and writes on the bucket and all its objects under the sole
#   condition aws:SecureTransport false, so S3
#   serves and accepts the bucket's data over unencrypted HTTP. Buckets whose
#   policy could not be read or parsed are not judged.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
# - https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
# custom:
#   id: s3-bucket-insecure-transport
#   severity: medium
#   hipaa: ["164.312(e)(1)", "164.312(e)(2)(ii)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Add to the bucket policy a statement that denies s3:* to Principal "*"
#     on the bucket and its objects when aws:SecureTransport is false.
#     put-bucket-policy replaces the whole policy: add the statement to the
#     current one (aws s3api get-bucket-policy --bucket BUCKET --query Policy
#     --output text) instead of overwriting it.
#   remediation_cli: aws s3api put-bucket-policy --bucket BUCKET --policy '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'
#   help_url: https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
package hoofprint.rules.s3_bucket_insecure_transport

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	stmts := lib.policy_statements_or_empty(b)
	not denies_insecure_transport(b, stmts)
	msg := sprintf("Bucket %s policy does not deny requests made without TLS (aws:SecureTransport false).", [b.name])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"policyExists": b.policy.exists, "statements": count(stmts)})
}

# The Deny must cover object reads and writes, on the bucket and on all of
# its objects, and have aws:SecureTransport false as its only condition: IAM
# ANDs conditions, so any other one narrows the Deny to some requests.
# https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
denies_insecure_transport(b, stmts) if {
	some st in stmts
	st.Effect == "Deny"
	lib.wildcard_principal(st)
	lib.allows_action(st, "s3:GetObject")
	lib.allows_action(st, "s3:PutObject")
	lib.covers_resources(st, {"Resource": [b.arn, sprintf("%s/*", [b.arn])]})
	only_insecure_transport(st.Condition)
}

only_insecure_transport(cond) if {
	count(cond) == 1
	some op, kv in cond
	op in {"Bool", "BoolIfExists"}
	count(kv) == 1
	some k, v in kv
	lower(k) == "aws:securetransport"
	vals := lib.as_array(v)
	count(vals) > 0
	every x in vals {
		lower(sprintf("%v", [x])) == "false"
	}
}
