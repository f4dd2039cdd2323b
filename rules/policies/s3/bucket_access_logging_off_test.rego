package hoofprint.rules.s3_bucket_access_logging_off_test

import data.hoofprint.rules.s3_bucket_access_logging_off as rule

inp(extra) := {"buckets": [object.union({"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1"}, extra)]}

test_fires_when_off if {
	count(rule.deny) == 1 with input as inp({"logging": {"enabled": false}})
}

test_silent_when_on if {
	count(rule.deny) == 0 with input as inp({"logging": {"enabled": true, "targetBucket": "logs"}})
}

test_silent_when_unread if {
	count(rule.deny) == 0 with input as inp({})
}
