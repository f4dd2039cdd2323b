# METADATA
# title: CloudFront origin reads objects only through public access that Block Public Access would cut
# description: |
#   A distribution reads a bucket through an OAI or OAC, but its identity
#   cannot read some sampled objects by itself (they are owned by another
#   account, or the bucket policy does not grant it): CloudFront reads them
#   today only because they are public, through a public-read ACL while
#   IgnorePublicAcls is off or a public bucket policy while
#   RestrictPublicBuckets is off, or an OAI reads them through its grant in a
#   bucket policy that is public (RestrictPublicBuckets blocks every
#   cross-account grant of a public policy, an OAI's included; an OAC, a
#   service principal, keeps access). Turning Block Public Access on will break
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
#     sure the bucket policy grants the distribution's OAC (or OAI) and has
#     no public statement left (RestrictPublicBuckets cuts an OAI's grant in a
#     public policy; migrating to an OAC avoids that); then turn on all four
#     Block Public Access settings.
#   do_first: |
#     On BUCKET, grant the distribution's OAC (or OAI) in the bucket policy,
#     then set Object Ownership to BucketOwnerEnforced, check the site, and
#     only then turn on Block Public Access (turning it on first takes the
#     site down).
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]' && aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
package hoofprint.rules.cloudfront_origin_breaks_on_block_public_access

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	grants := lib.origin_grants(b)
	count(grants) > 0
	facts := lib.bucket_facts(b)
	lib.public_path_possible(facts)
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	cuts := [{"ref": g.ref, "paths": ps} |
		some g in grants
		lib.object_in_origin_path(g.pathPrefix, obj)
		g.policyDenies == false
		identity_judgeable(facts, g, obj)
		count(lib.identity_paths_under_bpa(facts, g, obj)) == 0
		ps := cut_paths(facts, g, obj)
		count(ps) > 0
	]
	count(cuts) > 0
	blocked := [c.ref | some c in cuts]
	paths := {p | some c in cuts; some p in c.paths}
	dists := concat(", ", sort({r.distributionId | some r in blocked}))
	how := concat(" and ", sort(paths))
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In origin bucket %s (account %s), CloudFront distribution %s reads %s only through its %s: enabling Block Public Access will make it answer 403.", [b.name, b.accountId, dists, ref.label, how])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": {
			"publicPaths": sort(paths),
			"ownedByBucketOwner": owned(facts, obj),
			"ownerCanonicalId": object.get(obj, "ownerCanonicalId", ""),
			"aclStatus": obj.aclStatus,
			"origins": blocked,
			"keyHash": obj.keyHash,
			"sample": sample,
		},
	}
}

# Whether the origin identity reads the object by itself is known when the
# bucket owner owns it and the policy was read (and, for an OAI, the ACL was
# read or ACLs are off), or when another account owns it and its ACL was
# read.
identity_judgeable(facts, g, obj) if {
	lib.owned_by_bucket_owner(facts, obj)
	g.policyKnown == true
	acl_ruled_out(facts, g, obj)
}

# An OAI may also be granted READ in the object's ACL: that is known when the
# ACL was read or ACLs are disabled. No ACL can name an OAC.
acl_ruled_out(facts, g, obj) if g.kind == "oac"

acl_ruled_out(facts, g, obj) if facts.aclsDisabled == true

acl_ruled_out(facts, g, obj) if obj.aclStatus == "read"

identity_judgeable(facts, g, obj) if {
	lib.owned_by_other(facts, obj)
	obj.aclStatus == "read"
}

# cut_paths are the ways the origin reads the object today that Block
# Public Access would cut: a public grant, or an OAI's grant inside a bucket
# policy that is public (RestrictPublicBuckets blocks cross-account grants in
# a public policy, the OAI's included).
cut_paths(facts, g, obj) := lib.public_paths(facts, obj) | oai_in_public_policy(facts, g, obj)

oai_in_public_policy(facts, g, obj) := {"OAI grant in a public bucket policy"} if {
	facts.restrictPublicBuckets == "off"
	"bucket policy grants the OAI" in lib.identity_paths(facts, g, obj)
	facts.publicPolicy == "yes"
} else := set()

owned(facts, obj) := true if lib.owned_by_bucket_owner(facts, obj)

owned(facts, obj) := false if lib.owned_by_other(facts, obj)
