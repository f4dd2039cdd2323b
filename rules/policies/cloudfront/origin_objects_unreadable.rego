# METADATA
# title: CloudFront origin identity cannot read objects owned by another account
# description: |
#   A sampled object of a bucket that a distribution reads through an OAI or
#   OAC is owned by another account than the bucket's, and the origin
#   identity has no way to read it: a bucket policy never grants access to
#   objects the bucket owner does not own, an OAC cannot be named in an ACL,
#   and a public-read ACL is ignored under IgnorePublicAcls. CloudFront
#   answers 403 for it (the seed incident). When the bucket owner was denied
#   the object's ACL (which S3 does for objects another account owns), the
#   ACL is unknown: the finding then says so, as an OAI could still be
#   granted READ there. Objects whose ACL was not requested are not judged.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
# - https://repost.aws/knowledge-center/s3-troubleshoot-403-cloudfront
# custom:
#   id: cloudfront-origin-objects-unreadable
#   severity: high
#   hipaa: ["164.308(a)(7)(i)", "164.312(a)(1)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     Set Object Ownership to BucketOwnerEnforced on the origin bucket: the
#     bucket owner then owns every object and the bucket policy's grant to the
#     OAI/OAC applies. Change the uploader (in the other account) to stop
#     setting ACLs.
#   do_first: |
#     Make sure the bucket policy of BUCKET grants the distribution's OAC or
#     OAI s3:GetObject, then set Object Ownership to BucketOwnerEnforced (the
#     bucket owner then owns every object, so that grant applies to all).
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://repost.aws/knowledge-center/s3-troubleshoot-403-cloudfront
package hoofprint.rules.cloudfront_origin_objects_unreadable

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	grants := lib.origin_grants(b)
	count(grants) > 0
	facts := lib.bucket_facts(b)
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	lib.owned_by_other(facts, obj)
	acl_judgeable(facts, obj)
	blocked := [g.ref |
		some g in grants
		lib.object_in_origin_path(g.pathPrefix, obj)
		count(lib.identity_paths(facts, g, obj)) == 0
	]
	count(blocked) > 0
	count(lib.public_paths(facts, obj)) == 0
	not lib.public_path_unknown(facts, obj)
	owner := owner_text(obj)
	dists := concat(", ", sort({r.distributionId | some r in blocked}))
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In origin bucket %s (account %s), %s is owned by %s and CloudFront distribution %s cannot read it%s.", [b.name, b.accountId, ref.label, owner, dists, acl_caveat(obj)])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": {
			"ownerCanonicalId": object.get(obj, "ownerCanonicalId", ""),
			"ownerAccountId": object.get(input, ["canonicalIds", object.get(obj, "ownerCanonicalId", ""), "accountId"], ""),
			"aclStatus": obj.aclStatus,
			"aclKnown": obj.aclStatus == "read",
			"aclReadByAccountId": object.get(obj, "aclReadByAccountId", ""),
			"ignorePublicAcls": facts.ignorePublicAcls,
			"origins": blocked,
			"keyHash": obj.keyHash,
			"sample": sample,
		},
	}
}

# The object's ACL must be known, or hidden from the bucket owner (evidence
# of foreign ownership) while IgnorePublicAcls already rules out a public
# grant. With a hidden ACL and IgnorePublicAcls off the object may be read
# through a public ACL today: that is not judged.
acl_judgeable(facts, obj) if obj.aclStatus == "read"

acl_judgeable(facts, obj) if {
	obj.aclStatus == "denied-owner-is-other-account"
	facts.ignorePublicAcls == "on"
}

owner_text(obj) := sprintf("account %s", [input.canonicalIds[obj.ownerCanonicalId].accountId]) if {
	input.canonicalIds[obj.ownerCanonicalId].kind == "account"
} else := sprintf("canonical user %s outside the organization", [obj.ownerCanonicalId]) if {
	obj.ownerCanonicalId != ""
} else := "another account"

acl_caveat(obj) := "" if obj.aclStatus == "read"

acl_caveat(obj) := " unless its ACL, which the bucket owner may not read, grants an OAI READ" if obj.aclStatus != "read"
