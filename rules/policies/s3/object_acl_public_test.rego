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

# ---- the anonymous probe (one unsigned HEAD per object that could be public)

vendor_obj(status) := {
	"keyHash": "sha256:44556677", "keyPrefix": "inbound/", "ownerCanonicalId": "cvendor",
	"aclStatus": "denied-owner-is-other-account",
	"anonymousHead": {"status": status, "at": "2026-12-01T02:00:00Z"},
}

# The vendor's public-read upload: the ACL is hidden from the bucket owner,
# the HEAD answered 200, so it is public, verified.
test_fires_on_a_hidden_acl_that_an_anonymous_head_read if {
	fs := rule.deny with input as inp([vendor_obj(200)], "ObjectWriter", off, off)
	count(fs) == 1
	some f in fs
	f.evidence.verified == "readable anonymously"
	f.evidence.aclKnown == false
	f.evidence.anonymousHead.status == 200
	contains(f.message, "verified: readable anonymously")
	contains(f.message, "outside the organization")
}

test_silent_when_the_anonymous_head_was_refused if {
	count(rule.deny) == 0 with input as inp([vendor_obj(403)], "ObjectWriter", off, off)
	o := object.remove(vendor_obj(200), ["anonymousHead"])
	count(rule.deny) == 0 with input as inp([o], "ObjectWriter", off, off)
}

# An object the bucket owner owns may be readable through the policy: the
# ACL rule does not claim it.
test_silent_when_a_readable_object_is_the_bucket_owners if {
	o := object.union(vendor_obj(200), {"ownerCanonicalId": "c1", "aclStatus": "error"})
	count(rule.deny) == 0 with input as inp([o], "ObjectWriter", off, off)
}

test_a_read_public_acl_is_marked_verified_only_by_a_200 if {
	some f in rule.deny with input as inp([object.union(obj(public_read), {"anonymousHead": {"status": 200, "at": "2026-12-01T02:00:00Z"}})], "ObjectWriter", off, off)
	f.evidence.verified == "readable anonymously"
	some g in rule.deny with input as inp([object.union(obj(public_read), {"anonymousHead": {"status": 403, "at": "2026-12-01T02:00:00Z"}})], "ObjectWriter", off, off)
	not g.evidence.verified
	g.evidence.anonymousHead.status == 403
	some h in rule.deny with input as inp([obj(public_read)], "ObjectWriter", off, off)
	not h.evidence.anonymousHead
}
