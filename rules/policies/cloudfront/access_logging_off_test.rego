package hoofprint.rules.cloudfront_access_logging_off_test

import data.hoofprint.rules.cloudfront_access_logging_off as rule

dist(logging) := {"distributions": [{"id": "EDIST", "arn": "arn:aws:cloudfront::111111111111:distribution/EDIST",
	"accountId": "111111111111", "logging": logging}]}

test_fires_when_both_off if {
	count(rule.deny) == 1 with input as dist({"standard": {"enabled": false}, "v2": {"deliveries": []}})
}

test_silent_with_legacy_logging if {
	count(rule.deny) == 0 with input as dist({"standard": {"enabled": true, "bucket": "logs.s3.amazonaws.com"}, "v2": {"deliveries": []}})
}

test_silent_with_v2_delivery if {
	count(rule.deny) == 0 with input as dist({"standard": {"enabled": false}, "v2": {"deliveries": [{"id": "d1", "destinationType": "S3"}]}})
}

test_silent_when_either_unread if {
	count(rule.deny) == 0 with input as dist({"standard": {"enabled": false}})
	count(rule.deny) == 0 with input as dist({"v2": {"deliveries": []}})
	count(rule.deny) == 0 with input as dist(null)
}

# Outside the aws partition the finding goes to that partition's home
# region, where its Security Hub is.
test_region_follows_the_partition if {
	some f in rule.deny with input as object.union(dist({"standard": {"enabled": false}, "v2": {"deliveries": []}}), {"partition": "aws-cn"})
	f.region == "cn-north-1"
	some g in rule.deny with input as dist({"standard": {"enabled": false}, "v2": {"deliveries": []}})
	g.region == "us-east-1"
}
