package hoofprint.rules.cloudfront_oai_not_granted_test

import data.hoofprint.rules.cloudfront_oai_not_granted as rule

oai_arn := "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2OAI"

inp(policy) := {
	"distributions": [{
		"id": "EDIST", "arn": "arn:aws:cloudfront::111111111111:distribution/EDIST", "accountId": "111111111111",
		"origins": [{"id": "o1", "type": "s3", "bucketName": "site", "bucketExists": "yes", "bucketAccountId": "222222222222", "oaiId": "E2OAI"}],
	}],
	"originAccessIdentities": [{"id": "E2OAI", "accountId": "111111111111", "s3CanonicalUserId": "oaicanon"}],
	"buckets": [{"name": "site", "arn": "arn:aws:s3:::site", "accountId": "222222222222", "region": "us-west-2", "policy": policy}],
}

grant(principal) := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}}

test_fires_when_bucket_in_other_account_has_no_policy if {
	fs := rule.deny with input as inp({"exists": false})
	count(fs) == 1
	some f in fs
	f.account_id == "111111111111"
	f.evidence.origins[0].bucketAccountId == "222222222222"
}

test_fires_when_policy_grants_another_oai if {
	count(rule.deny) == 1 with input as inp(grant({"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOTHER"}))
}

test_silent_when_granted_by_arn if {
	count(rule.deny) == 0 with input as inp(grant({"AWS": oai_arn}))
	count(rule.deny) == 0 with input as inp(grant({"AWS": ["arn:aws:iam::1:root", oai_arn]}))
}

test_silent_when_granted_by_canonical_id if {
	count(rule.deny) == 0 with input as inp(grant({"CanonicalUser": "oaicanon"}))
}

test_silent_when_policy_unreadable if {
	count(rule.deny) == 0 with input as inp({"exists": true, "parseError": "bad"})
}

test_silent_when_bucket_outside_organization if {
	i := json.patch(inp({"exists": false}), [{"op": "replace", "path": "/buckets", "value": []}])
	count(rule.deny) == 0 with input as i
}

# RestrictPublicBuckets blocks cross-account grants inside a public policy,
# the OAI's included ('Blocking public access to your Amazon S3 storage').
public_with_oai := {"exists": true, "document": {"Statement": [
	{"Effect": "Allow", "Principal": {"AWS": oai_arn}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"},
	{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site"},
]}}

rpb_on := {"configured": true, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": true}

rpb_off := object.union(rpb_on, {"restrictPublicBuckets": false})

with_bpa(policy, bucket_bpa) := object.union(inp(policy), {
	"accounts": [{"id": "222222222222", "publicAccessBlock": rpb_off}],
	"buckets": [object.union(inp(policy).buckets[0], {"publicAccessBlock": bucket_bpa})],
})

test_fires_when_restrict_public_buckets_blocks_the_oai_grant if {
	fs := rule.deny with input as with_bpa(public_with_oai, rpb_on)
	count(fs) == 1
	some f in fs
	f.evidence.origins[0].reason == "granted in a public policy that RestrictPublicBuckets restricts"
}

test_silent_when_public_policy_grants_oai_and_restrict_public_buckets_is_off if {
	count(rule.deny) == 0 with input as with_bpa(public_with_oai, rpb_off)
}

# In the China partition the OAI's IAM ARN carries the partition
# (arn:aws-cn:iam::cloudfront:user/…).
test_silent_when_granted_by_arn_in_the_scan_partition if {
	i := object.union(inp(grant({"AWS": "arn:aws-cn:iam::cloudfront:user/CloudFront Origin Access Identity E2OAI"})), {"partition": "aws-cn"})
	count(rule.deny) == 0 with input as i
}

# An explicit Deny wins over any Allow ('Policy evaluation logic'): a "deny
# unless from my VPC" statement also refuses the OAI, whose requests come
# from CloudFront, not from the VPC.
vpc_deny := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}

with_statements(stmts) := {"exists": true, "document": {"Statement": stmts}}

oai_grant := {"Effect": "Allow", "Principal": {"AWS": oai_arn}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}

test_fires_when_a_vpc_deny_refuses_the_oai if {
	fs := rule.deny with input as inp(with_statements([oai_grant, vpc_deny]))
	count(fs) == 1
	some f in fs
	f.evidence.origins[0].reason == "refused by a Deny statement of the bucket policy"
}

test_fires_when_a_deny_not_principal_leaves_the_oai_out if {
	d := {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:role/admin"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}
	count(rule.deny) == 1 with input as inp(with_statements([oai_grant, d]))
}

test_silent_when_the_deny_exempts_the_oai_arn if {
	d := object.union(vpc_deny, {"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}, "ArnNotEquals": {"aws:PrincipalArn": oai_arn}}})
	count(rule.deny) == 0 with input as inp(with_statements([oai_grant, d]))
}

test_silent_when_the_deny_covers_only_a_prefix_or_has_other_conditions if {
	prefix := object.union(vpc_deny, {"Resource": "arn:aws:s3:::site/private/*"})
	count(rule.deny) == 0 with input as inp(with_statements([oai_grant, prefix]))
	tls := object.union(vpc_deny, {"Condition": {"Bool": {"aws:SecureTransport": "false"}}})
	count(rule.deny) == 0 with input as inp(with_statements([oai_grant, tls]))
	ip := object.union(vpc_deny, {"Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
	count(rule.deny) == 0 with input as inp(with_statements([oai_grant, ip]))
}

# A public GetObject grant lets the OAI read today (RestrictPublicBuckets
# off): the OAI is still not granted, and the reason says that only the
# public grant serves the site.
test_reason_says_the_site_lives_on_a_public_grant if {
	public := {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}
	some f in rule.deny with input as with_bpa(with_statements([public]), rpb_off)
	f.evidence.origins[0].reason == "not named in the bucket policy; read today only through its public grant, which RestrictPublicBuckets would cut"
	contains(f.message, "unless the object is public")
}

# ---- conditions judged against the request context of an OAI request

cond_grant(cond) := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": oai_arn}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*", "Condition": cond}]}}

with_behaviors(i, vpp) := object.union(i, {"distributions": [object.union(i.distributions[0], {"cacheBehaviors": [{"pathPattern": "*", "targetOriginId": "o1", "viewerProtocolPolicy": vpp}]})]})

# CloudFront is in no organization: a grant pinned to one fails for it.
test_fires_when_the_oai_grant_needs_an_organization if {
	some f in rule.deny with input as inp(cond_grant({"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}))
	contains(f.evidence.origins[0].reason, "never meet")
	not f.evidence.origins[0].uncertain
}

test_fires_when_the_oai_grant_needs_a_vpc_endpoint if {
	count(rule.deny) == 1 with input as inp(cond_grant({"StringEquals": {"aws:SourceVpce": "vpce-1"}}))
}

# A negated condition on a key the request lacks holds ("Condition
# operators": StringNotEquals on a missing key is true).
test_silent_when_the_condition_is_negated_on_a_missing_key if {
	count(rule.deny) == 0 with input as inp(cond_grant({"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}))
	count(rule.deny) == 0 with input as inp(cond_grant({"Null": {"aws:PrincipalOrgID": "true"}}))
	count(rule.deny) == 0 with input as inp(cond_grant({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}))
}

test_silent_when_the_condition_names_the_oai if {
	count(rule.deny) == 0 with input as inp(cond_grant({"ArnEquals": {"aws:PrincipalArn": oai_arn}}))
	count(rule.deny) == 0 with input as inp(cond_grant({"Bool": {"aws:PrincipalIsAWSService": "false"}}))
}

# A key whose value a CloudFront request may or may not match is uncertain:
# reported, and the evidence says which condition and that it is uncertain.
test_uncertain_when_the_grant_tests_the_source_ip if {
	some f in rule.deny with input as inp(cond_grant({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
	f.evidence.origins[0].uncertain == true
	f.evidence.origins[0].uncertainConditions == ["IpAddress aws:SourceIp"]
	contains(f.evidence.origins[0].reason, "uncertain")
}

test_uncertain_on_an_unknown_operator if {
	some f in rule.deny with input as inp(cond_grant({"NumericLessThan": {"s3:max-keys": "10"}}))
	f.evidence.origins[0].uncertain == true
}

# aws:SecureTransport follows the viewer's protocol for an S3 origin.
test_secure_transport_is_true_only_when_viewers_must_use_https if {
	p := cond_grant({"Bool": {"aws:SecureTransport": "true"}})
	count(rule.deny) == 0 with input as with_behaviors(inp(p), "redirect-to-https")
	some f in rule.deny with input as with_behaviors(inp(p), "allow-all")
	f.evidence.origins[0].uncertain == true
}

test_fires_when_a_deny_requires_an_organization if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::site/*", "Condition": {"Null": {"aws:PrincipalOrgID": "true"}}}
	p := {"exists": true, "document": {"Statement": [grant({"AWS": oai_arn}).document.Statement[0], d]}}
	some f in rule.deny with input as inp(p)
	contains(f.evidence.origins[0].reason, "Deny")
}

# ---- OriginPath: CloudFront asks for site/KEY

with_path(i, path) := object.union(i, {"distributions": [object.union(i.distributions[0], {"origins": [object.union(i.distributions[0].origins[0], {"originPath": path})]})]})

path_grant(resource) := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": oai_arn}, "Action": "s3:GetObject", "Resource": resource}]}}

test_fires_when_the_grant_is_outside_the_origin_path if {
	some f in rule.deny with input as with_path(inp(path_grant("arn:aws:s3:::site/assets/*")), "/web")
	contains(f.evidence.origins[0].reason, "origin path /web")
	f.evidence.origins[0].originPath == "/web"
}

test_silent_when_the_grant_covers_the_origin_path if {
	count(rule.deny) == 0 with input as with_path(inp(path_grant("arn:aws:s3:::site/web/*")), "/web")
	count(rule.deny) == 0 with input as with_path(inp(path_grant("arn:aws:s3:::site/*")), "/web")
	count(rule.deny) == 0 with input as with_path(inp(path_grant("arn:aws:s3:::site/web/img/*")), "/web/")
	count(rule.deny) == 0 with input as with_path(inp(path_grant("*")), "/web")
}

test_silent_without_origin_path_for_a_prefix_grant if {
	count(rule.deny) == 0 with input as inp(path_grant("arn:aws:s3:::site/assets/*"))
}
