# METADATA
# title: Sampled object is owned by an account outside the organization
# description: |
#   A sampled object's owner canonical ID maps to no account the scan knows:
#   an account outside the organization (a vendor, a former pipeline, an
#   attacker with write access) owns data in the bucket and controls its ACL.
#   When some accounts of the organization were not scanned their canonical
#   IDs are unknown, and the owner may be one of
#   them (see the report's coverage). Buckets with BucketOwnerEnforced are
#   never reported.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/finding-canonical-user-id.html
# custom:
#   id: s3-object-external-owner
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.314(a)(1)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     Find who writes to the bucket (bucket policy, ACL WRITE grants, access
#     points), remove external write access, and set Object Ownership to
#     BucketOwnerEnforced so the bucket owner owns every object.
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
package hoofprint.rules.s3_object_external_owner

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	not lib.acls_disabled(b)
	owner := lib.bucket_owner_cid(b)
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	obj.ownerCanonicalId != owner
	lib.external_owner(obj.ownerCanonicalId)
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In bucket %s (account %s), %s is owned by canonical user %s, which is no scanned account of the organization.", [b.name, b.accountId, ref.label, obj.ownerCanonicalId])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": {
			"ownerCanonicalId": obj.ownerCanonicalId,
			"bucketOwnerCanonicalId": owner,
			"aclStatus": obj.aclStatus,
			"keyHash": obj.keyHash,
			"sample": sample,
		},
	}
}
