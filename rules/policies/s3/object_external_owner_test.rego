package hoofprint.rules.s3_object_external_owner_test

import data.hoofprint.rules.s3_object_external_owner as rule

inp(owner, ownership) := {
	"canonicalIds": {"cprod": {"kind": "account", "accountId": "222222222222"}, "ctools": {"kind": "account", "accountId": "333333333333"}},
	"accounts": [{"id": "222222222222", "canonicalUserId": "cprod", "scanned": true}],
	"buckets": [{
		"name": "prod", "arn": "arn:aws:s3:::prod", "accountId": "222222222222", "region": "us-west-2",
		"ownerCanonicalId": "cprod",
		"ownershipControls": {"objectOwnership": ownership},
		"objects": {"keysListed": 1, "listingComplete": true, "aclsRead": 1, "objects": [{"keyHash": "sha256:bb", "ownerCanonicalId": owner, "aclStatus": "read"}]},
	}],
}

test_fires_on_unknown_canonical_id if {
	fs := rule.deny with input as inp("cstranger", "ObjectWriter")
	count(fs) == 1
	some f in fs
	f.evidence.ownerCanonicalId == "cstranger"
}

test_silent_for_org_account_owner if {
	count(rule.deny) == 0 with input as inp("ctools", "ObjectWriter")
}

test_silent_for_bucket_owner if {
	count(rule.deny) == 0 with input as inp("cprod", "ObjectWriter")
}

test_silent_when_bucket_owner_enforced if {
	count(rule.deny) == 0 with input as inp("cstranger", "BucketOwnerEnforced")
}

test_silent_when_owner_not_listed if {
	count(rule.deny) == 0 with input as inp("", "ObjectWriter")
}
