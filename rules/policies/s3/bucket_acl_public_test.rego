package hoofprint.rules.s3_bucket_acl_public_test

import data.hoofprint.rules.s3_bucket_acl_public as rule

off := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}

ignore := object.union(off, {"configured": true, "ignorePublicAcls": true})

all_users := {"granteeType": "Group", "granteeUri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}

auth_users := {"granteeType": "Group", "granteeUri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "permission": "WRITE"}

owner := {"granteeType": "CanonicalUser", "granteeId": "c1", "permission": "FULL_CONTROL"}

inp(grants, ownership, account_bpa, bucket_bpa) := {
	"accounts": [{"id": "111111111111", "publicAccessBlock": account_bpa}],
	"buckets": [{
		"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1",
		"publicAccessBlock": bucket_bpa,
		"ownershipControls": {"objectOwnership": ownership},
		"acl": {"ownerCanonicalId": "c1", "grants": grants},
	}],
}

test_fires_on_all_users_read if {
	fs := rule.deny with input as inp([owner, all_users], "ObjectWriter", off, off)
	count(fs) == 1
	some f in fs
	contains(f.message, "READ to AllUsers")
}

test_fires_on_authenticated_users if {
	count(rule.deny) == 1 with input as inp([auth_users], "BucketOwnerPreferred", off, off)
}

test_silent_when_ignore_public_acls_on_account if {
	count(rule.deny) == 0 with input as inp([all_users], "ObjectWriter", ignore, off)
}

test_silent_when_ignore_public_acls_on_bucket if {
	count(rule.deny) == 0 with input as inp([all_users], "ObjectWriter", off, ignore)
}

test_silent_when_acls_disabled if {
	count(rule.deny) == 0 with input as inp([all_users], "BucketOwnerEnforced", off, off)
}

test_silent_for_private_acl if {
	count(rule.deny) == 0 with input as inp([owner], "ObjectWriter", off, off)
}

test_silent_for_log_delivery_group if {
	g := {"granteeType": "Group", "granteeUri": "http://acs.amazonaws.com/groups/s3/LogDelivery", "permission": "WRITE"}
	count(rule.deny) == 0 with input as inp([g], "ObjectWriter", off, off)
}
