package hoofprint.rules.s3_bucket_acls_enabled_test

import data.hoofprint.rules.s3_bucket_acls_enabled as rule

inp(oc) := {"buckets": [object.union({"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1"}, oc)]}

test_fires_for_object_writer_and_preferred if {
	count(rule.deny) == 1 with input as inp({"ownershipControls": {"objectOwnership": "ObjectWriter"}})
	count(rule.deny) == 1 with input as inp({"ownershipControls": {"objectOwnership": "BucketOwnerPreferred"}})
}

test_silent_for_bucket_owner_enforced if {
	count(rule.deny) == 0 with input as inp({"ownershipControls": {"objectOwnership": "BucketOwnerEnforced"}})
}

test_silent_when_unread if {
	count(rule.deny) == 0 with input as inp({})
}
