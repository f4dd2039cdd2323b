package hoofprint.rules.cloudfront_origin_breaks_on_block_public_access_test

import data.hoofprint.rules.cloudfront_origin_breaks_on_block_public_access as rule
import data.hoofprint.test.origin_fixtures as fx

grant_arn := fx.oai_policy({"AWS": fx.oai_arn})

ignore_only := object.union(fx.bpa_off, {"configured": true, "ignorePublicAcls": true})

test_fires_on_healthcorp_dev if {
	fs := rule.deny with input as fx.healthcorp_dev
	count(fs) == 1
	some f in fs
	f.evidence.publicPaths == ["public object ACL"]
	f.evidence.ownedByBucketOwner == false
	contains(f.message, "EDIST")
}

test_fires_when_bucket_owner_object_is_public_but_oai_not_granted if {
	i := fx.inventory(fx.oai_origin, fx.prod, {"exists": false}, fx.bpa_off, "ObjectWriter", [fx.obj("cprod", fx.public_read("cprod"))])
	count(rule.deny) == 1 with input as i
}

test_fires_when_oac_source_arn_is_wrong_and_policy_is_public if {
	wrong := fx.oac_policy("arn:aws:cloudfront::222222222222:distribution/EOTHER")
	public := {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}
	p := {"exists": true, "document": {"Statement": array.concat(wrong.document.Statement, [public])}}
	i := fx.inventory(fx.oac_origin, fx.prod, p, fx.bpa_off, "ObjectWriter", [fx.obj("cprod", fx.private("cprod"))])
	some f in rule.deny with input as i
	f.evidence.publicPaths == ["public bucket policy"]
}

test_silent_on_healthcorp_prod if {
	count(rule.deny) == 0 with input as fx.healthcorp_prod
}

test_silent_when_ignore_public_acls_neutralises_the_acl if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, ignore_only, "ObjectWriter", [fx.obj("ctools", fx.public_read("ctools"))])
	count(rule.deny) == 0 with input as i
}

test_silent_when_oai_reads_through_policy if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_off, "ObjectWriter", [fx.obj("cprod", fx.public_read("cprod"))])
	count(rule.deny) == 0 with input as i
}

test_silent_when_oai_granted_by_canonical_id if {
	i := fx.inventory(fx.oai_origin, fx.prod, fx.oai_policy({"CanonicalUser": fx.oai_canon}), fx.bpa_off, "ObjectWriter", [fx.obj("cprod", fx.public_read("cprod"))])
	count(rule.deny) == 0 with input as i
}

test_silent_when_foreign_object_acl_also_grants_oai if {
	acl := {"ownerCanonicalId": "ctools", "grants": array.concat(fx.public_read("ctools").grants, fx.oai_read("ctools").grants)}
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_off, "ObjectWriter", [fx.obj("ctools", acl)])
	count(rule.deny) == 0 with input as i
}

test_silent_when_account_bpa_unread if {
	i := json.patch(fx.healthcorp_dev, [{"op": "remove", "path": "/accounts/0/publicAccessBlock"}])
	count(rule.deny) == 0 with input as i
}

# RestrictPublicBuckets blocks "public and cross-account access within any
# public bucket policy, including non-public delegation to specific
# accounts": an OAI (a CloudFront user, another account) granted in a policy
# that is public today loses access when Block Public Access goes on. An OAC
# (a service principal) keeps it.
public_and_oai_policy := {"exists": true, "document": {"Statement": [
	{"Effect": "Allow", "Principal": {"AWS": fx.oai_arn}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"},
	{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site"},
]}}

test_fires_when_oai_grant_sits_in_a_public_policy if {
	i := fx.inventory(fx.oai_origin, fx.prod, public_and_oai_policy, fx.bpa_off, "BucketOwnerEnforced", [fx.obj("cprod", null)])
	fs := rule.deny with input as i
	count(fs) == 1
	some f in fs
	f.evidence.publicPaths == ["OAI grant in a public bucket policy"]
}

test_silent_when_oac_grant_sits_in_a_public_policy if {
	public := {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site"}
	oac := fx.oac_policy(fx.dist_arn)
	p := {"exists": true, "document": {"Statement": array.concat(oac.document.Statement, [public])}}
	i := fx.inventory(fx.oac_origin, fx.prod, p, fx.bpa_off, "BucketOwnerEnforced", [fx.obj("cprod", null)])
	count(rule.deny) == 0 with input as i
}

# An OAI can also read an object through a READ grant in the object's ACL:
# when that ACL was not read, whether the OAI keeps access is not judged.
test_silent_when_oai_is_not_in_the_policy_and_the_object_acl_was_not_read if {
	public := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}}
	o := {"keyHash": "sha256:0a0b", "keyPrefix": "", "ownerCanonicalId": "cprod", "aclStatus": "not-requested", "sampledBecause": "reservoir"}
	i := fx.inventory(fx.oai_origin, fx.prod, public, fx.bpa_off, "ObjectWriter", [o])
	count(rule.deny) == 0 with input as i
}

test_fires_for_an_oac_when_the_object_acl_was_not_read if {
	public := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}}
	o := {"keyHash": "sha256:0a0b", "keyPrefix": "", "ownerCanonicalId": "cprod", "aclStatus": "not-requested", "sampledBecause": "reservoir"}
	i := fx.inventory(fx.oac_origin, fx.prod, public, fx.bpa_off, "ObjectWriter", [o])
	count(rule.deny) == 1 with input as i
}
