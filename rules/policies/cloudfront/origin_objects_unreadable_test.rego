package hoofprint.rules.cloudfront_origin_objects_unreadable_test

import data.hoofprint.rules.cloudfront_origin_objects_unreadable as rule
import data.hoofprint.test.origin_fixtures as fx

grant_arn := fx.oai_policy({"AWS": fx.oai_arn})

test_fires_on_healthcorp_prod_with_acl_caveat if {
	fs := rule.deny with input as fx.healthcorp_prod
	count(fs) == 1
	some f in fs
	f.resource_arn == "arn:aws:s3:::site/sha256:0a0b"
	f.evidence.ownerAccountId == fx.tools
	f.evidence.aclKnown == false
	contains(f.message, "account 333333333333")
	contains(f.message, "unless its ACL")
}

test_fires_on_foreign_public_read_object_under_ignore_public_acls if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("ctools", fx.public_read("ctools"))])
	some f in rule.deny with input as i
	f.evidence.aclKnown == true
	not contains(f.message, "unless")
}

test_fires_for_cross_account_distribution if {
	i := fx.inventory(fx.oai_origin, fx.tools, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("ctools", fx.private("ctools"))])
	some f in rule.deny with input as i
	f.account_id == fx.prod
	f.evidence.origins[0].distributionAccountId == fx.tools
}

test_fires_for_oac_on_foreign_object_even_with_matching_policy if {
	i := fx.inventory(fx.oac_origin, fx.prod, fx.oac_policy(fx.dist_arn), fx.bpa_on, "ObjectWriter", [fx.obj("ctools", fx.private("ctools"))])
	count(rule.deny) == 1 with input as i
}

test_silent_when_object_acl_grants_oai_read if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("ctools", fx.oai_read("ctools"))])
	count(rule.deny) == 0 with input as i
}

test_silent_on_healthcorp_dev_which_still_reads_through_the_public_acl if {
	count(rule.deny) == 0 with input as fx.healthcorp_dev
}

test_silent_when_bucket_owner_enforced if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "BucketOwnerEnforced", [fx.obj("ctools", null)])
	count(rule.deny) == 0 with input as i
}

test_silent_for_objects_the_bucket_owner_owns if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("cprod", fx.private("cprod"))])
	count(rule.deny) == 0 with input as i
}

test_silent_when_acl_hidden_and_public_acls_may_apply if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_off, "ObjectWriter", [fx.obj("ctools", null)])
	count(rule.deny) == 0 with input as i
}

test_silent_when_acl_not_requested if {
	o := {"keyHash": "sha256:0a0b", "ownerCanonicalId": "ctools", "aclStatus": "not-requested"}
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [o])
	count(rule.deny) == 0 with input as i
}

test_silent_for_custom_or_identityless_origins if {
	i := fx.inventory({}, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("ctools", null)])
	count(rule.deny) == 0 with input as i
}

# An ACL the bucket owner was denied but the object owner's role read
# (aclReadByAccountId) is known: the object is judged on it, and the
# evidence says whose role read it.
test_judges_an_acl_read_by_the_object_owner_account if {
	o := object.union(fx.obj("ctools", fx.private("ctools")), {"aclReadByAccountId": fx.tools})
	i := fx.inventory(fx.oai_origin, fx.prod, fx.oai_policy({"AWS": fx.oai_arn}), fx.bpa_off, "ObjectWriter", [o])
	some f in rule.deny with input as i
	f.evidence.aclKnown == true
	f.evidence.aclReadByAccountId == fx.tools
	not contains(f.message, "may not read")
	granted := object.union(fx.obj("ctools", fx.oai_read("ctools")), {"aclReadByAccountId": fx.tools})
	count(rule.deny) == 0 with input as fx.inventory(fx.oai_origin, fx.prod, fx.oai_policy({"AWS": fx.oai_arn}), fx.bpa_off, "ObjectWriter", [granted])
}

# CloudFront only asks for objects under the origin path: a foreign-owned
# object elsewhere in the bucket is not unreadable "by that distribution".
in_path(i, path, key_prefix) := object.union(i, {
	"distributions": [object.union(i.distributions[0], {"origins": [object.union(i.distributions[0].origins[0], {"originPath": path})]})],
	"buckets": [object.union(i.buckets[0], {"objects": object.union(i.buckets[0].objects, {"objects": [object.union(o, {"keyPrefix": key_prefix}) | some o in i.buckets[0].objects.objects]})})],
})

test_objects_outside_the_origin_path_are_not_reported if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [fx.obj("ctools", fx.private("ctools"))])
	count(rule.deny) == 0 with input as in_path(i, "/web", "uploads/")
	count(rule.deny) == 1 with input as in_path(i, "/web", "web/")
	# Deeper origin paths cannot be judged from the first segment alone.
	count(rule.deny) == 0 with input as in_path(i, "/web/v2", "web/")
}

test_objects_with_keys_are_judged_against_the_whole_origin_path if {
	i := fx.inventory(fx.oai_origin, fx.prod, grant_arn, fx.bpa_on, "ObjectWriter", [object.union(fx.obj("ctools", fx.private("ctools")), {"key": "web/v2/app.js"})])
	count(rule.deny) == 1 with input as in_path(i, "/web/v2", "web/")
	count(rule.deny) == 0 with input as in_path(i, "/web/v1", "web/")
}
