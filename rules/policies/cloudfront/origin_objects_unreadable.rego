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
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://repost.aws/knowledge-center/s3-troubleshoot-403-cloudfront
package hoofprint.rules.cloudfront_origin_objects_unreadable

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	origins := lib.identity_origins(b)
	count(origins) > 0
	some obj in b.objects.objects
	lib.owned_by_other(b, obj)
	acl_judgeable(b, obj)
	blocked := [lib.origin_ref(x.dist, x.origin) |
		some x in origins
		lib.origin_identity_known(x.origin)
		count(lib.identity_paths(b, x.dist, x.origin, obj)) == 0
	]
	count(blocked) > 0
	count(lib.public_paths(b, obj)) == 0
	not lib.public_path_unknown(b, obj)
	owner := owner_text(obj)
	dists := concat(", ", sort({r.distributionId | some r in blocked}))
	msg := sprintf("In origin bucket %s (account %s), %s is owned by %s and CloudFront distribution %s cannot read it%s.", [b.name, b.accountId, lib.object_label(obj), owner, dists, acl_caveat(obj)])
	f := lib.finding(b.accountId, b.region, "AwsS3Object", lib.object_arn(b, obj), lib.object_name(b, obj), msg, {
		"ownerCanonicalId": object.get(obj, "ownerCanonicalId", ""),
		"ownerAccountId": object.get(input, ["canonicalIds", object.get(obj, "ownerCanonicalId", ""), "accountId"], ""),
		"aclStatus": obj.aclStatus,
		"aclKnown": obj.aclStatus == "read",
		"ignorePublicAcls": lib.bpa_state(b, "ignorePublicAcls"),
		"origins": blocked,
		"keyHash": obj.keyHash,
		"sample": lib.sample_evidence(b),
	})
}

# The object's ACL must be known, or hidden from the bucket owner (evidence
# of foreign ownership) while IgnorePublicAcls already rules out a public
# grant. With a hidden ACL and IgnorePublicAcls off the object may be read
# through a public ACL today: that is not judged.
acl_judgeable(b, obj) if obj.aclStatus == "read"

acl_judgeable(b, obj) if {
	obj.aclStatus == "denied-owner-is-other-account"
	lib.bpa_on(b, "ignorePublicAcls")
}

owner_text(obj) := sprintf("account %s", [input.canonicalIds[obj.ownerCanonicalId].accountId]) if {
	input.canonicalIds[obj.ownerCanonicalId].kind == "account"
} else := sprintf("canonical user %s outside the organization", [obj.ownerCanonicalId]) if {
	obj.ownerCanonicalId != ""
} else := "another account"

acl_caveat(obj) := "" if obj.aclStatus == "read"

acl_caveat(obj) := " unless its ACL, which the bucket owner may not read, grants an OAI READ" if obj.aclStatus != "read"
