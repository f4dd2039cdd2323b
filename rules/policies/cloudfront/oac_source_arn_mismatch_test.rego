package hoofprint.rules.cloudfront_oac_source_arn_mismatch_test

import data.hoofprint.rules.cloudfront_oac_source_arn_mismatch as rule

dist_arn := "arn:aws:cloudfront::111111111111:distribution/EDIST"

inp(policy) := {
	"distributions": [{
		"id": "EDIST", "arn": dist_arn, "accountId": "111111111111",
		"origins": [{"id": "o1", "type": "s3", "bucketName": "site", "bucketExists": "yes", "oacId": "EOAC"}],
	}],
	"buckets": [{"name": "site", "arn": "arn:aws:s3:::site", "accountId": "222222222222", "region": "us-west-2", "policy": policy}],
}

oac_policy(op, arn) := {"exists": true, "document": {"Statement": [{
	"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
	"Resource": "arn:aws:s3:::site/*", "Condition": {op: {"AWS:SourceArn": arn}},
}]}}

test_fires_on_wrong_source_arn if {
	fs := rule.deny with input as inp(oac_policy("StringEquals", "arn:aws:cloudfront::111111111111:distribution/EOTHER"))
	count(fs) == 1
	some f in fs
	f.evidence.origins[0].sourceArnsAllowed == ["arn:aws:cloudfront::111111111111:distribution/EOTHER"]
}

test_fires_without_policy if {
	count(rule.deny) == 1 with input as inp({"exists": false})
}

test_fires_when_service_principal_has_no_source_arn if {
	p := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "*"}]}}
	count(rule.deny) == 1 with input as inp(p)
}

test_silent_on_matching_source_arn if {
	count(rule.deny) == 0 with input as inp(oac_policy("StringEquals", dist_arn))
	count(rule.deny) == 0 with input as inp(oac_policy("ArnLike", "arn:aws:cloudfront::111111111111:distribution/*"))
	count(rule.deny) == 0 with input as inp(oac_policy("StringEquals", ["arn:aws:cloudfront::111111111111:distribution/EOTHER", dist_arn]))
}

test_silent_when_policy_unreadable if {
	count(rule.deny) == 0 with input as {"distributions": inp({}).distributions, "buckets": [{"name": "site", "arn": "arn:aws:s3:::site", "accountId": "2", "region": "us-west-2"}]}
}
