# METADATA
# title: Sampled object ACL grants access to everyone
# description: |
#   A sampled object's ACL grants a permission to AllUsers or
#   AuthenticatedUsers, ACLs are enabled on the bucket, and IgnorePublicAcls
#   is off on both the bucket and its account, so anyone can read the object
#   directly from S3, bypassing CloudFront and any authentication in front of
#   it. When the ACL is hidden from the bucket owner (another account, e.g. a
#   vendor outside the organization, owns the object), the anonymous probe's
#   unsigned HEAD decides: 200 is reported, verified. Judged on a sample:
#   silence means none of the sampled objects.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# custom:
#   id: s3-object-acl-public
#   severity: critical
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     If a CloudFront distribution serves the bucket, keep the site up:
#     first grant the distribution's OAC in the bucket policy and set Object
#     Ownership to BucketOwnerEnforced (the site remediation below gives the
#     order). Then enable IgnorePublicAcls on the bucket or the
#     account, and stop uploaders from sending --acl public-read.
#   site_remediation: |
#     A CloudFront distribution reads this bucket's objects only through
#     public access (cloudfront-origin-breaks-on-block-public-access):
#     turning Block Public Access on, or removing the public grant, first
#     takes the site down. Keep this order:
#     1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.
#     2. Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns every object).
#     3. Check that the site still loads.
#     4. Then remove the public grants and turn on Block Public Access.
#   remediation_cli: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
package hoofprint.rules.s3_object_acl_public

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	lib.acls_enabled(b)
	lib.bpa_off(b, "ignorePublicAcls")
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	grants := lib.public_grants(obj.acl)
	count(grants) > 0
	perms := concat(", ", sort({g.permission | some g in grants}))
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In bucket %s, %s has an ACL granting %s to everyone, and IgnorePublicAcls is off on the bucket and account %s%s.", [b.name, ref.label, perms, b.accountId, lib.verified_text(obj)])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": object.union(
			{
				"grants": grants,
				"keyHash": obj.keyHash,
				"sample": sample,
			},
			lib.probe_evidence(obj),
		),
	}
}

# An object whose ACL the bucket owner may not read (S3 shows it only to
# the object owner: an outside vendor's upload) but which answered an
# unsigned HEAD with 200 is readable by anyone: the bucket policy cannot
# grant access to an object the bucket owner does not own, so its own ACL
# does. Verified the way an outsider would, not inferred.
deny contains f if {
	some b in input.buckets
	lib.acls_enabled(b)
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	obj.aclStatus != "read"
	obj.anonymousHead.status == 200
	facts := lib.bucket_facts(b)
	lib.owned_by_other(facts, obj)
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In bucket %s, %s is owned by %s and its ACL is hidden from the bucket owner, but an unsigned HEAD request read it (HTTP 200 at %s): anyone on the internet can read it (verified: readable anonymously).", [b.name, ref.label, owner_text(obj), obj.anonymousHead.at])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": object.union(
			{
				"aclStatus": obj.aclStatus,
				"aclKnown": false,
				"ownerCanonicalId": object.get(obj, "ownerCanonicalId", ""),
				"keyHash": obj.keyHash,
				"sample": sample,
			},
			lib.probe_evidence(obj),
		),
	}
}

owner_text(obj) := sprintf("account %s of the organization", [input.canonicalIds[obj.ownerCanonicalId].accountId]) if {
	input.canonicalIds[obj.ownerCanonicalId].kind == "account"
} else := sprintf("canonical user %s outside the organization", [obj.ownerCanonicalId]) if {
	object.get(obj, "ownerCanonicalId", "") != ""
} else := "another account"
