package hoofprint.rules.cloudfront_origin_bucket_missing_test

import data.hoofprint.rules.cloudfront_origin_bucket_missing as rule

inp(exists) := {"distributions": [{"id": "EDIST", "arn": "arn:aws:cloudfront::1:distribution/EDIST", "accountId": "111111111111", "enabled": true,
	"origins": [{"id": "o", "domainName": "gone.s3.amazonaws.com", "type": "s3", "bucketName": "gone", "bucketExists": exists, "oacId": "E1"}]}]}

test_fires_when_bucket_does_not_exist if {
	fs := rule.deny with input as inp("no")
	count(fs) == 1
	some f in fs
	contains(f.message, "gone")
}

test_silent_when_bucket_exists_outside_the_organization if {
	count(rule.deny) == 0 with input as inp("unknown")
}

test_silent_when_bucket_exists if {
	count(rule.deny) == 0 with input as inp("yes")
}
