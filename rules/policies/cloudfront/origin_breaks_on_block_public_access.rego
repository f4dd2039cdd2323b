# METADATA
# title: CloudFront origin reads objects only through public access that Block Public Access would cut
# description: |
#   A distribution reads a bucket through an OAI or OAC, but its identity
#   cannot read some sampled objects by itself (they are owned by another
#   account, or the bucket policy does not grant it): CloudFront reads them
#   today only because they are public, through a public-read ACL while
#   IgnorePublicAcls is off or a public bucket policy while
#   RestrictPublicBuckets is off. Turning Block Public Access on will break
#   the site; leaving it off leaves the objects readable by anyone, bypassing
#   CloudFront (the seed's dev bucket).
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
# custom:
#   id: cloudfront-origin-breaks-on-block-public-access
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(7)(i)", "164.308(a)(4)(ii)(B)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     Before enabling Block Public Access, set Object Ownership to
#     BucketOwnerEnforced (so the bucket owner owns every object) and make
#     sure the bucket policy grants the distribution's OAC (or OAI); then turn
#     on all four Block Public Access settings.
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]' && aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
package hoofprint.rules.cloudfront_origin_breaks_on_block_public_access

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	origins := lib.identity_origins(b)
	count(origins) > 0
	some obj in b.objects.objects
	paths := lib.public_paths(b, obj)
	count(paths) > 0
	identity_judgeable(b, obj)
	blocked := [lib.origin_ref(x.dist, x.origin) |
		some x in origins
		lib.origin_identity_known(x.origin)
		count(lib.identity_paths(b, x.dist, x.origin, obj)) == 0
	]
	count(blocked) > 0
	dists := concat(", ", sort({r.distributionId | some r in blocked}))
	how := concat(" and ", sort(paths))
	msg := sprintf("In origin bucket %s (account %s), CloudFront distribution %s reads %s only through its %s: enabling Block Public Access will make it answer 403.", [b.name, b.accountId, dists, lib.object_label(obj), how])
	f := lib.finding(b.accountId, b.region, "AwsS3Object", lib.object_arn(b, obj), lib.object_name(b, obj), msg, {
		"publicPaths": sort(paths),
		"ownedByBucketOwner": owned(b, obj),
		"ownerCanonicalId": object.get(obj, "ownerCanonicalId", ""),
		"aclStatus": obj.aclStatus,
		"origins": blocked,
		"keyHash": obj.keyHash,
		"sample": lib.sample_evidence(b),
	})
}

# Whether the origin identity reads the object by itself is known when the
# owner is known and, for objects of another account, their ACL was read.
identity_judgeable(b, obj) if lib.owned_by_bucket_owner(b, obj)

identity_judgeable(b, obj) if {
	lib.owned_by_other(b, obj)
	obj.aclStatus == "read"
}

owned(b, obj) := true if lib.owned_by_bucket_owner(b, obj)

owned(b, obj) := false if lib.owned_by_other(b, obj)
