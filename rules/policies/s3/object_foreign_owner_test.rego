package hoofprint.rules.s3_object_foreign_owner_test

import data.hoofprint.rules.s3_object_foreign_owner as rule

canon := {
	"cprod": {"kind": "account", "accountId": "222222222222"},
	"ctools": {"kind": "account", "accountId": "333333333333"},
}

obj(owner, status) := {"keyHash": "sha256:aa", "ownerCanonicalId": owner, "aclStatus": status}

inp(objects, ownership) := {
	"canonicalIds": canon,
	"accounts": [{"id": "222222222222", "canonicalUserId": "cprod"}],
	"buckets": [{
		"name": "prod", "arn": "arn:aws:s3:::prod", "accountId": "222222222222", "region": "us-west-2",
		"ownerCanonicalId": "cprod",
		"ownershipControls": {"objectOwnership": ownership},
		"objects": {"keysListed": 2, "listingComplete": true, "aclsRead": 0, "objects": objects},
	}],
}

test_fires_on_object_owned_by_tools_account if {
	fs := rule.deny with input as inp([obj("ctools", "denied-owner-is-other-account")], "ObjectWriter")
	count(fs) == 1
	some f in fs
	f.evidence.ownerAccountId == "333333333333"
	f.account_id == "222222222222"
}

test_silent_when_bucket_owner_enforced if {
	count(rule.deny) == 0 with input as inp([obj("ctools", "read")], "BucketOwnerEnforced")
}

test_silent_for_bucket_owner_objects if {
	count(rule.deny) == 0 with input as inp([obj("cprod", "read")], "ObjectWriter")
}

test_silent_for_external_owner if {
	count(rule.deny) == 0 with input as inp([obj("cstranger", "read")], "ObjectWriter")
}

test_falls_back_to_account_canonical_id_and_unknown_ownership_controls if {
	i := json.patch(inp([obj("ctools", "read")], "ObjectWriter"), [
		{"op": "remove", "path": "/buckets/0/ownerCanonicalId"},
		{"op": "remove", "path": "/buckets/0/ownershipControls"},
	])
	count(rule.deny) == 1 with input as i
}
