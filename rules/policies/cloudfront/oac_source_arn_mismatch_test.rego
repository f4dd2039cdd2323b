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

# Without an AWS:SourceArn or AWS:SourceAccount condition the grant works
# for this distribution (no 403) but also for every distribution of every
# account (the confused deputy): still reported, with a reason that says so.
test_fires_when_service_principal_has_no_source_arn if {
	p := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "*"}]}}
	fs := rule.deny with input as inp(p)
	count(fs) == 1
	some f in fs
	f.evidence.origins[0].reason == "unscoped"
	not contains(f.message, "403")
}

test_reason_is_not_allowed_when_the_arn_differs if {
	some f in rule.deny with input as inp(oac_policy("StringEquals", "arn:aws:cloudfront::111111111111:distribution/EOTHER"))
	f.evidence.origins[0].reason == "not-allowed"
	contains(f.message, "403")
}

# StringEquals compares literally: "*" in its value is not a wildcard.
test_fires_when_string_equals_holds_a_literal_star if {
	count(rule.deny) == 1 with input as inp(oac_policy("StringEquals", "arn:aws:cloudfront::111111111111:distribution/*"))
}

test_silent_when_pinned_by_source_account if {
	p := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*", "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}]}}
	count(rule.deny) == 0 with input as inp(p)
}

test_fires_when_source_account_is_another_account if {
	p := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*", "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}]}}
	count(rule.deny) == 1 with input as inp(p)
}

# The grant must cover the bucket's objects: s3:GetObject on the bucket ARN
# alone, or on another bucket, reads nothing.
test_fires_when_grant_names_only_the_bucket_arn if {
	p := json.patch(oac_policy("StringEquals", dist_arn), [{"op": "replace", "path": "/document/Statement/0/Resource", "value": "arn:aws:s3:::site"}])
	count(rule.deny) == 1 with input as inp(p)
}

# An OAC whose signing behaviour is "never" does not sign: CloudFront reads
# anonymously and the bucket policy's grant to CloudFront is never used
# (cloudfront-origin-public-bucket reports the origin instead).
test_silent_when_oac_never_signs if {
	i := object.union(inp({"exists": false}), {"originAccessControls": [{"id": "EOAC", "accountId": "111111111111", "signingBehavior": "never"}]})
	count(rule.deny) == 0 with input as i
}

test_silent_on_matching_source_arn if {
	count(rule.deny) == 0 with input as inp(oac_policy("StringEquals", dist_arn))
	count(rule.deny) == 0 with input as inp(oac_policy("ArnLike", "arn:aws:cloudfront::111111111111:distribution/*"))
	count(rule.deny) == 0 with input as inp(oac_policy("StringEquals", ["arn:aws:cloudfront::111111111111:distribution/EOTHER", dist_arn]))
}

test_silent_when_policy_unreadable if {
	count(rule.deny) == 0 with input as {"distributions": inp({}).distributions, "buckets": [{"name": "site", "arn": "arn:aws:s3:::site", "accountId": "2", "region": "us-west-2"}]}
}

# A "deny unless from my organization" statement also refuses CloudFront's
# service principal unless it exempts AWS services or this distribution.
org_deny(extra) := object.union({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"]}, {"Condition": object.union({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, extra)})

test_fires_when_an_org_deny_refuses_cloudfront if {
	p := {"exists": true, "document": {"Statement": array.concat(oac_policy("StringEquals", dist_arn).document.Statement, [org_deny({})])}}
	some f in rule.deny with input as inp(p)
	f.evidence.origins[0].reason == "denied"
	contains(f.message, "403")
}

# A Deny that leaves a folder out (NotResource site/public/*) does not
# refuse all the origin serves: no "CloudFront gets 403" for the site.
test_silent_when_the_deny_leaves_part_of_the_origin_out if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::site/public/*"}
	p := {"exists": true, "document": {"Statement": array.concat(oac_policy("StringEquals", dist_arn).document.Statement, [d])}}
	count(rule.deny) == 0 with input as inp(p)
}

test_silent_when_the_org_deny_exempts_aws_services_or_this_distribution if {
	svc := {"exists": true, "document": {"Statement": array.concat(oac_policy("StringEquals", dist_arn).document.Statement, [org_deny({"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})])}}
	count(rule.deny) == 0 with input as inp(svc)
	src := {"exists": true, "document": {"Statement": array.concat(oac_policy("StringEquals", dist_arn).document.Statement, [org_deny({"ArnNotEquals": {"aws:SourceArn": dist_arn}})])}}
	count(rule.deny) == 0 with input as inp(src)
}

# ---- conditions judged against the request context of an OAC request

oac_with(extra) := {"exists": true, "document": {"Statement": [{
	"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
	"Resource": "arn:aws:s3:::site/*", "Condition": object.union({"StringEquals": {"AWS:SourceArn": dist_arn}}, extra),
}]}}

# The right AWS:SourceArn plus aws:PrincipalOrgID: CloudFront's service
# principal is in no organization, so the grant never holds.
test_fires_when_the_oac_grant_also_needs_an_organization if {
	some f in rule.deny with input as inp(oac_with({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/*"}, "StringEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-abcdefghij"}}))
	f.evidence.origins[0].reason == "conditions-not-met"
	contains(f.message, "403")
}

test_silent_when_the_extra_condition_holds_for_cloudfront if {
	count(rule.deny) == 0 with input as inp(oac_with({"Bool": {"aws:PrincipalIsAWSService": "true"}, "StringEquals": {"AWS:SourceArn": dist_arn, "aws:SourceAccount": "111111111111"}}))
	count(rule.deny) == 0 with input as inp(oac_with({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdefghij"}}))
}

test_uncertain_when_the_extra_condition_cannot_be_decided if {
	some f in rule.deny with input as inp(oac_with({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
	f.evidence.origins[0].reason == "uncertain"
	f.evidence.origins[0].uncertainConditions == ["IpAddress aws:SourceIp"]
	contains(f.message, "uncertain")
}

test_fires_when_the_oac_grant_misses_the_origin_path if {
	p := {"exists": true, "document": {"Statement": [{
		"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::site/assets/*", "Condition": {"StringEquals": {"AWS:SourceArn": dist_arn}},
	}]}}
	i := inp(p)
	ip := object.union(i, {"distributions": [object.union(i.distributions[0], {"origins": [object.union(i.distributions[0].origins[0], {"originPath": "/web"})]})]})
	some f in rule.deny with input as ip
	f.evidence.origins[0].reason == "not-allowed"
	count(rule.deny) == 0 with input as i
}
