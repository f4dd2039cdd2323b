# METADATA
# title: Sampled object is owned by another account of the organization
# description: |
#   A sampled object is owned by a different account of the organization than
#   the bucket's (typically a pipeline in a tools account that uploaded it
#   with a cross-account role). The bucket policy does not apply to objects
#   the bucket owner does not own, so CloudFront OAIs/OACs and roles granted by
#   the bucket policy cannot read it, and the bucket owner cannot read its ACL.
#   Buckets with Object Ownership BucketOwnerEnforced are never reported: the
#   bucket owner owns every object there.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/finding-canonical-user-id.html
# custom:
#   id: s3-object-foreign-owner
#   severity: medium
#   hipaa: ["164.312(a)(1)", "164.308(a)(3)(ii)(A)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns
#     every object and ACLs stop mattering); existing objects change owner at
#     once. If ACLs must stay, have the uploader copy the objects again with
#     --acl bucket-owner-full-control under BucketOwnerPreferred.
#   remediation_cli: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
package hoofprint.rules.s3_object_foreign_owner

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	not lib.acls_disabled(b)
	owner := lib.bucket_owner_cid(b)
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	obj.ownerCanonicalId != ""
	obj.ownerCanonicalId != owner
	acct := lib.owner_account(obj.ownerCanonicalId)
	acct != b.accountId
	ref := lib.object_ref(b.arn, b.name, obj)
	msg := sprintf("In bucket %s (account %s), %s is owned by account %s of the organization, so the bucket policy does not apply to it.", [b.name, b.accountId, ref.label, acct])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": {
			"ownerAccountId": acct,
			"ownerCanonicalId": obj.ownerCanonicalId,
			"bucketOwnerCanonicalId": owner,
			"aclStatus": obj.aclStatus,
			"objectOwnership": object.get(b, ["ownershipControls", "objectOwnership"], "unknown"),
			"keyHash": obj.keyHash,
			"sample": sample,
		},
	}
}
