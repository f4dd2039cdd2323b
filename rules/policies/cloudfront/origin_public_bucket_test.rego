package hoofprint.rules.cloudfront_origin_public_bucket_test

import data.hoofprint.rules.cloudfront_origin_public_bucket as rule

inp(origins) := {"distributions": [{"id": "EDIST", "arn": "arn:aws:cloudfront::1:distribution/EDIST", "accountId": "111111111111", "origins": origins}]}

test_fires_on_rest_origin_without_identity if {
	fs := rule.deny with input as inp([{"id": "o", "domainName": "b.s3.amazonaws.com", "type": "s3", "bucketName": "b"}])
	count(fs) == 1
}

test_fires_on_website_origin if {
	fs := rule.deny with input as inp([{"id": "o", "domainName": "b.s3-website-us-east-1.amazonaws.com", "type": "s3-website", "bucketName": "b"}])
	some f in fs
	f.evidence.origins[0].reason == "website endpoint"
}

test_one_finding_per_distribution if {
	fs := rule.deny with input as inp([
		{"id": "o1", "domainName": "a.s3.amazonaws.com", "type": "s3", "bucketName": "a"},
		{"id": "o2", "domainName": "b.s3.amazonaws.com", "type": "s3", "bucketName": "b", "oaiId": ""},
	])
	count(fs) == 1
	some f in fs
	count(f.evidence.origins) == 2
}

test_silent_with_oai_or_oac_or_custom if {
	count(rule.deny) == 0 with input as inp([
		{"id": "o1", "domainName": "a.s3.amazonaws.com", "type": "s3", "bucketName": "a", "oaiId": "E1"},
		{"id": "o2", "domainName": "b.s3.amazonaws.com", "type": "s3", "bucketName": "b", "oacId": "E2"},
		{"id": "o3", "domainName": "api.example.com", "type": "custom"},
	])
}

# An OAC with SigningBehavior "never" never signs origin requests: the
# origin is read anonymously, as without an OAC.
test_fires_when_oac_never_signs if {
	i := object.union(inp([{"id": "o", "domainName": "b.s3.amazonaws.com", "type": "s3", "bucketName": "b", "oacId": "EOAC"}]), {"originAccessControls": [{"id": "EOAC", "accountId": "111111111111", "signingBehavior": "never"}]})
	some f in rule.deny with input as i
	f.evidence.origins[0].reason == "OAC that never signs requests"
}

test_silent_when_oac_signs_always_or_no_override if {
	o := [{"id": "o", "domainName": "b.s3.amazonaws.com", "type": "s3", "bucketName": "b", "oacId": "EOAC"}]
	count(rule.deny) == 0 with input as object.union(inp(o), {"originAccessControls": [{"id": "EOAC", "accountId": "111111111111", "signingBehavior": "always"}]})
	count(rule.deny) == 0 with input as object.union(inp(o), {"originAccessControls": [{"id": "EOAC", "accountId": "111111111111", "signingBehavior": "no-override"}]})
}
