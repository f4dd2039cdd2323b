# Shared fixtures for the CloudFront origin object rules' tests: the
# HealthCorp shapes from the seed incident and the OAI/OAC traps.
package hoofprint.test.origin_fixtures

tools := "333333333333"

prod := "222222222222"

oai_canon := "oaicanon0001"

canonical_ids := {
	"cprod": {"kind": "account", "accountId": prod},
	"ctools": {"kind": "account", "accountId": tools},
	oai_canon: {"kind": "oai", "accountId": prod, "oaiId": "E2OAI"},
}

bpa_on := {"configured": true, "blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}

bpa_off := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}

oai_arn := "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2OAI"

dist_arn := "arn:aws:cloudfront::222222222222:distribution/EDIST"

oai_policy(principal) := {"exists": true, "document": {"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}}

oac_policy(arn) := {"exists": true, "document": {"Statement": [{
	"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
	"Resource": "arn:aws:s3:::site/*", "Condition": {"StringEquals": {"AWS:SourceArn": arn}},
}]}}

owner_grant(cid) := {"granteeType": "CanonicalUser", "granteeId": cid, "permission": "FULL_CONTROL"}

public_read(owner) := {"ownerCanonicalId": owner, "grants": [owner_grant(owner), {"granteeType": "Group", "granteeUri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}

private(owner) := {"ownerCanonicalId": owner, "grants": [owner_grant(owner)]}

oai_read(owner) := {"ownerCanonicalId": owner, "grants": [owner_grant(owner), {"granteeType": "CanonicalUser", "granteeId": oai_canon, "permission": "READ"}]}

# object owned by owner; acl null means the ACL was denied to the bucket owner.
obj(owner, acl) := {"keyHash": "sha256:0a0b", "keyPrefix": "", "ownerCanonicalId": owner, "acl": acl, "aclStatus": "read", "sampledBecause": "foreign-owner"} if acl != null

obj(owner, null) := {"keyHash": "sha256:0a0b", "keyPrefix": "", "ownerCanonicalId": owner, "aclStatus": "denied-owner-is-other-account", "sampledBecause": "foreign-owner"}

# inventory: distribution (in dist_account) reads bucket "site" (in prod)
# through origin (an OAI or OAC origin).
inventory(origin, dist_account, policy, bucket_bpa, ownership, objects) := {
	"partition": "aws",
	"canonicalIds": canonical_ids,
	"accounts": [{"id": prod, "canonicalUserId": "cprod", "scanned": true, "publicAccessBlock": bpa_off}],
	"buckets": [{
		"name": "site", "arn": "arn:aws:s3:::site", "accountId": prod, "region": "us-west-2",
		"ownerCanonicalId": "cprod", "policy": policy, "publicAccessBlock": bucket_bpa,
		"ownershipControls": {"objectOwnership": ownership},
		"objects": {"keysListed": count(objects), "listingComplete": true, "aclsRead": 1, "objects": objects},
	}],
	"distributions": [{
		"id": "EDIST", "arn": sprintf("arn:aws:cloudfront::%s:distribution/EDIST", [dist_account]), "accountId": dist_account,
		"origins": [object.union({"id": "site-origin", "type": "s3", "bucketName": "site", "bucketExists": "yes", "bucketAccountId": prod}, origin)],
	}],
	"originAccessIdentities": [{"id": "E2OAI", "accountId": dist_account, "s3CanonicalUserId": oai_canon}],
	"originAccessControls": [{"id": "EOAC", "accountId": dist_account, "name": "site"}],
}

oai_origin := {"oaiId": "E2OAI"}

oac_origin := {"oacId": "EOAC"}

# The seed's prod bucket: objects uploaded by tools with public-read, OAI
# granted by the bucket policy, Block Public Access on, ACL hidden from the
# bucket owner.
healthcorp_prod := inventory(oai_origin, prod, oai_policy({"AWS": oai_arn}), bpa_on, "ObjectWriter", [obj("ctools", null)])

# The seed's dev bucket the day before: same objects, Block Public Access
# off, and the collector could read the public-read ACL.
healthcorp_dev := inventory(oai_origin, prod, oai_policy({"AWS": oai_arn}), bpa_off, "ObjectWriter", [obj("ctools", public_read("ctools"))])
