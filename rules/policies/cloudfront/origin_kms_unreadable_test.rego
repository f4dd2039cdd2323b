package hoofprint.rules.cloudfront_origin_kms_unreadable_test

import data.hoofprint.rules.cloudfront_origin_kms_unreadable as rule
import data.hoofprint.test.origin_fixtures as fx

key_arn := "arn:aws:kms:us-west-2:222222222222:key/1111"

kms_obj := object.union(fx.obj("cprod", fx.private("cprod")), {"encryption": {"sseAlgorithm": "aws:kms", "kmsKeyId": key_arn}})

with_key(i, key) := object.union(i, {"buckets": [object.union(i.buckets[0], {"kmsKeys": [key]})]})

key_with(stmts) := {"arn": key_arn, "accountId": fx.prod, "policy": {"exists": true, "document": {"Statement": stmts}}}

root_only := {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"}

cf_decrypt(cond) := {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": cond}

oac_inv(key) := with_key(fx.inventory(fx.oac_origin, fx.prod, fx.oac_policy(fx.dist_arn), fx.bpa_on, "BucketOwnerEnforced", [kms_obj]), key)

test_fires_when_the_key_policy_does_not_allow_cloudfront if {
	fs := rule.deny with input as oac_inv(key_with([root_only]))
	count(fs) == 1
	some f in fs
	f.evidence.kmsKeyArn == key_arn
	contains(f.evidence.origins[0].reason, "does not allow")
	contains(f.message, "403")
}

test_silent_when_the_key_policy_allows_this_distribution if {
	count(rule.deny) == 0 with input as oac_inv(key_with([root_only, cf_decrypt({"StringEquals": {"AWS:SourceArn": fx.dist_arn}})]))
	count(rule.deny) == 0 with input as oac_inv(key_with([root_only, cf_decrypt({})]))
}

test_fires_when_the_key_policy_allows_another_distribution if {
	count(rule.deny) == 1 with input as oac_inv(key_with([cf_decrypt({"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::222222222222:distribution/EOTHER"}})]))
	count(rule.deny) == 1 with input as oac_inv(key_with([cf_decrypt({"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})]))
}

test_uncertain_when_the_condition_cannot_be_decided if {
	some f in rule.deny with input as oac_inv(key_with([cf_decrypt({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})]))
	f.evidence.origins[0].uncertain == true
	f.evidence.origins[0].uncertainConditions == ["IpAddress aws:SourceIp"]
}

test_fires_when_a_deny_refuses_cloudfront if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"Null": {"aws:PrincipalOrgID": "true"}}}
	some f in rule.deny with input as oac_inv(key_with([cf_decrypt({}), d]))
	contains(f.evidence.origins[0].reason, "Deny")
}

test_fires_for_the_aws_managed_key if {
	some f in rule.deny with input as oac_inv({"arn": key_arn, "accountId": fx.prod, "awsManaged": true})
	contains(f.evidence.origins[0].reason, "aws/s3")
}

test_an_oai_never_reads_sse_kms if {
	i := with_key(fx.inventory(fx.oai_origin, fx.prod, fx.oai_policy({"AWS": fx.oai_arn}), fx.bpa_on, "BucketOwnerEnforced", [kms_obj]), key_with([cf_decrypt({})]))
	some f in rule.deny with input as i
	contains(f.evidence.origins[0].reason, "OAI")
}

# A key whose policy is unknown (outside the organization: a gap) is not
# judged, and SSE-S3 objects are not concerned.
test_silent_when_the_key_policy_is_unknown_or_the_object_is_sse_s3 if {
	count(rule.deny) == 0 with input as oac_inv({"arn": key_arn, "accountId": "999999999999"})
	i := with_key(fx.inventory(fx.oac_origin, fx.prod, fx.oac_policy(fx.dist_arn), fx.bpa_on, "BucketOwnerEnforced", [object.union(kms_obj, {"encryption": {"sseAlgorithm": "AES256"}})]), key_with([root_only]))
	count(rule.deny) == 0 with input as i
}

test_silent_for_objects_outside_the_origin_path if {
	i := oac_inv(key_with([root_only]))
	ip := object.union(i, {"distributions": [object.union(i.distributions[0], {"origins": [object.union(i.distributions[0].origins[0], {"originPath": "/web"})]})]})
	count(rule.deny) == 0 with input as ip
}
