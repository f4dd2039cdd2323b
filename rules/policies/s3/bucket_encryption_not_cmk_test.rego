package hoofprint.rules.s3_bucket_encryption_not_cmk_test

import data.hoofprint.rules.s3_bucket_encryption_not_cmk as rule

inp(rules, keys) := {"buckets": [{"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "111111111111", "region": "us-east-1",
	"objects": {"keysListed": keys}, "encryption": {"configured": true, "rules": rules}}]}

test_fires_on_sse_s3 if {
	fs := rule.deny with input as inp([{"sseAlgorithm": "AES256"}], 3)
	some f in fs
	contains(f.message, "SSE-S3")
}

test_fires_on_the_aws_managed_key if {
	count(rule.deny) == 1 with input as inp([{"sseAlgorithm": "aws:kms"}], 3)
	count(rule.deny) == 1 with input as inp([{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:111111111111:alias/aws/s3"}], 3)
}

test_silent_on_a_customer_managed_key if {
	count(rule.deny) == 0 with input as inp([{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:111111111111:key/1234"}], 3)
	count(rule.deny) == 0 with input as inp([{"sseAlgorithm": "aws:kms:dsse", "kmsMasterKeyId": "alias/phi"}], 3)
}

test_silent_when_empty_or_unread if {
	count(rule.deny) == 0 with input as inp([{"sseAlgorithm": "AES256"}], 0)
	count(rule.deny) == 0 with input as {"buckets": [{"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "1", "region": "r", "objects": {"keysListed": 2}}]}
}
