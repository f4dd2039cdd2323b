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
