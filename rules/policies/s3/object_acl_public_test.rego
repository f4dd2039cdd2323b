package hoofprint.rules.s3_object_acl_public_test

import data.hoofprint.rules.s3_object_acl_public as rule

off := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}

ignore := object.union(off, {"configured": true, "ignorePublicAcls": true})

public_read := {"ownerCanonicalId": "c1", "grants": [
	{"granteeType": "CanonicalUser", "granteeId": "c1", "permission": "FULL_CONTROL"},
	{"granteeType": "Group", "granteeUri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"},
]}

obj(acl) := {"keyHash": "sha256:00112233", "keyPrefix": "site/", "ownerCanonicalId": "c1", "acl": acl, "aclStatus": "read"}

inp(objects, ownership, account_bpa, bucket_bpa) := {
	"accounts": [{"id": "111111111111", "publicAccessBlock": account_bpa}],
	"buckets": [{
		"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1",
		"ownerCanonicalId": "c1",
		"publicAccessBlock": bucket_bpa,
		"ownershipControls": {"objectOwnership": ownership},
		"objects": {"keysListed": 10, "listingComplete": true, "aclsRead": 1, "objects": objects},
	}],
}

test_fires_on_public_read_object_with_hash_arn if {
	fs := rule.deny with input as inp([obj(public_read)], "ObjectWriter", off, off)
	count(fs) == 1
	some f in fs
	f.resource_arn == "arn:aws:s3:::b/sha256:00112233"
	not contains(f.message, "index.html")
}

test_uses_key_when_kept if {
	o := object.union(obj(public_read), {"key": "site/index.html"})
	some f in rule.deny with input as inp([o], "ObjectWriter", off, off)
	f.resource_arn == "arn:aws:s3:::b/site/index.html"
	contains(f.message, "site/index.html")
}

test_silent_when_ignore_public_acls_on_account if {
	count(rule.deny) == 0 with input as inp([obj(public_read)], "ObjectWriter", ignore, off)
}

test_silent_when_acls_disabled if {
	count(rule.deny) == 0 with input as inp([obj(public_read)], "BucketOwnerEnforced", off, off)
}

test_silent_when_acl_not_read if {
	o := {"keyHash": "sha256:00112233", "ownerCanonicalId": "c1", "aclStatus": "not-requested"}
	count(rule.deny) == 0 with input as inp([o], "ObjectWriter", off, off)
}

test_silent_when_account_bpa_unread if {
	i := json.patch(inp([obj(public_read)], "ObjectWriter", off, off), [{"op": "remove", "path": "/accounts/0/publicAccessBlock"}])
	count(rule.deny) == 0 with input as i
}
