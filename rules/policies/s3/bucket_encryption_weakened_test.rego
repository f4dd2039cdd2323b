package hoofprint.rules.s3_bucket_encryption_weakened_test

import data.hoofprint.rules.s3_bucket_encryption_weakened as rule

kms := {"configured": true, "rules": [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:111111111111:key/k", "bucketKeyEnabled": true}]}

sse_s3 := {"configured": true, "rules": [{"sseAlgorithm": "AES256", "bucketKeyEnabled": false}]}

inp(enc, statements) := {"buckets": [{"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "111111111111", "region": "us-east-1",
	"encryption": enc, "policy": {"exists": true, "document": {"Version": "2012-10-17", "Statement": statements}}}]}

allow_aes := {"Sid": "Uploader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/up"}, "Action": "s3:PutObject",
	"Resource": "arn:aws:s3:::phi/*", "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}

require_aes := {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::phi/*",
	"Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}

require_kms := {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::phi/*",
	"Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}

test_fires_when_policy_allows_aes256_on_a_kms_bucket if {
	fs := rule.deny with input as inp(kms, [allow_aes])
	count(fs) == 1
	some f in fs
	f.evidence.statements[0].sid == "Uploader"
}

test_fires_when_policy_requires_aes256_on_a_kms_bucket if {
	count(rule.deny) == 1 with input as inp(kms, [require_aes])
}

test_fires_without_default_encryption if {
	fs := rule.deny with input as inp({"configured": false, "rules": []}, [])
	some f in fs
	contains(f.message, "no default encryption")
}

test_silent_when_policy_requires_kms if {
	count(rule.deny) == 0 with input as inp(kms, [require_kms])
}

test_silent_on_sse_s3_default if {
	# S3's own default: nothing to weaken.
	count(rule.deny) == 0 with input as inp(sse_s3, [allow_aes])
}

test_silent_when_encryption_or_policy_unread if {
	count(rule.deny) == 0 with input as {"buckets": [{"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "1", "region": "r",
		"policy": {"exists": true, "document": {"Statement": [allow_aes]}}}]}
	count(rule.deny) == 0 with input as {"buckets": [{"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "1", "region": "r", "encryption": kms}]}
}
