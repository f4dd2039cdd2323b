# METADATA
# title: CloudFront cannot decrypt SSE-KMS objects of its origin bucket
# description: |
#   A sampled object of a bucket that a distribution reads through an OAI or OAC is encrypted with SSE-KMS, and CloudFront cannot decrypt it: an OAI can never read SSE-KMS objects, and an OAC only when the KMS key policy allows the service principal cloudfront.amazonaws.com kms:Decrypt for this distribution (its conditions judged against the OAC's request context, as for bucket policies). The AWS managed key aws/s3 can never allow it. CloudFront answers 403 for the object. A key whose policy could not be read (outside the organization, or denied) is a coverage gap and is not judged; a key policy whose conditions cannot be decided is reported as uncertain.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
# - https://repost.aws/knowledge-center/s3-troubleshoot-403-cloudfront
# - https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
# custom:
#   id: cloudfront-origin-kms-unreadable
#   severity: high
#   hipaa: ["164.308(a)(7)(i)", "164.312(a)(1)", "164.312(a)(2)(iv)"]
#   resource_type: AwsS3Object
#   sampled: true
#   remediation: |
#     Move the origin to an origin access control (an OAI cannot use SSE-KMS) and add a statement to the customer managed key's policy allowing the service principal cloudfront.amazonaws.com kms:Decrypt with the condition StringEquals AWS:SourceArn set to the distribution's ARN. Objects encrypted with the AWS managed key aws/s3 must be re-encrypted with a customer managed key (or SSE-S3).
#   remediation_cli: aws kms put-key-policy --key-id KEY_ARN --policy-name default --policy file://key-policy-with-cloudfront-decrypt.json
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
package hoofprint.rules.cloudfront_origin_kms_unreadable

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	origins := [x | some x in lib.identity_origins(b)]
	count(origins) > 0
	keys := {k.arn: k | some k in object.get(b, "kmsKeys", [])}
	sample := lib.sample_evidence(b)
	some obj in b.objects.objects
	startswith(obj.encryption.sseAlgorithm, "aws:kms")
	key := object_key(b, obj)
	blocked := [r |
		some x in origins
		lib.object_in_origin_path(lib.origin_key_prefix(x.origin), obj)
		r := blocked_origin(keys, key, x.dist, x.origin)
	]
	count(blocked) > 0
	ref := lib.object_ref(b.arn, b.name, obj)
	dists := concat(", ", sort({r.distributionId | some r in blocked}))
	why := concat("; ", sort({r.reason | some r in blocked}))
	msg := sprintf("In origin bucket %s (account %s), %s is encrypted with SSE-KMS key %s and CloudFront distribution %s cannot decrypt it (%s): viewers get 403.", [b.name, b.accountId, ref.label, key, dists, why])
	f := {
		"account_id": b.accountId,
		"region": b.region,
		"resource_type": "AwsS3Object",
		"resource_arn": ref.arn,
		"resource_name": ref.name,
		"message": msg,
		"evidence": {
			"sseAlgorithm": obj.encryption.sseAlgorithm,
			"kmsKeyArn": key,
			"origins": blocked,
			"keyHash": obj.keyHash,
			"sample": sample,
		},
	}
}

# object_key is the ARN of the object's key as the scanner recorded it
# (kmsKeys): an alias or bare ID is in the bucket's account and region.
object_key(b, obj) := k if {
	k := obj.encryption.kmsKeyId
	startswith(k, "arn:")
} else := sprintf("arn:%s:kms:%s:%s:%s", [lib.partition, b.region, b.accountId, k]) if {
	k := object.get(obj.encryption, "kmsKeyId", "alias/aws/s3")
	startswith(k, "alias/")
} else := sprintf("arn:%s:kms:%s:%s:key/%s", [lib.partition, b.region, b.accountId, obj.encryption.kmsKeyId]) if {
	obj.encryption.kmsKeyId != ""
} else := sprintf("arn:%s:kms:%s:%s:alias/aws/s3", [lib.partition, b.region, b.accountId])

# An OAI cannot read SSE-KMS objects whatever the key policy says.
blocked_origin(_, _, d, o) := object.union(lib.origin_ref(d, o), {"reason": "an OAI cannot read SSE-KMS objects"}) if {
	o.oaiId != ""
}

blocked_origin(keys, key, d, o) := object.union(lib.origin_ref(d, o), {"reason": "the AWS managed key aws/s3 cannot allow CloudFront"}) if {
	object.get(o, "oaiId", "") == ""
	keys[key].awsManaged == true
}

blocked_origin(keys, key, d, o) := object.union(lib.origin_ref(d, o), r) if {
	object.get(o, "oaiId", "") == ""
	not keys[key].awsManaged
	doc := keys[key].policy.document
	state := decrypt_state(doc, d, o)
	state != "allowed"
	r := state_reason(state, doc, d, o)
}

decrypt_state(doc, d, o) := "denied" if {
	some x in decrypt_statements(doc, d, o, "Deny")
	x.eval == "true"
} else := "allowed" if {
	some x in decrypt_statements(doc, d, o, "Allow")
	x.eval == "true"
} else := "uncertain" if {
	some x in decrypt_statements(doc, d, o, "Allow")
	x.eval == "uncertain"
} else := "not-allowed"

state_reason("denied", _, _, _) := {"reason": "a Deny of the key policy refuses cloudfront.amazonaws.com kms:Decrypt"}

state_reason("not-allowed", _, _, _) := {"reason": "the key policy does not allow cloudfront.amazonaws.com kms:Decrypt for this distribution"}

state_reason("uncertain", doc, d, o) := {
	"reason": "the key policy allows cloudfront.amazonaws.com kms:Decrypt only under conditions that cannot be decided (uncertain)",
	"uncertain": true,
	"uncertainConditions": sort({u | some x in decrypt_statements(doc, d, o, "Allow"); some u in x.uncertain}),
}

# decrypt_statements: the key policy's statements of the given effect that
# name CloudFront's service principal (or every principal) for
# kms:Decrypt, with their conditions judged against the OAC's request.
decrypt_statements(doc, d, o, effect) := [{"eval": lib.cond_eval(lib.statement_cond(st), ctx), "uncertain": lib.cond_uncertain(lib.statement_cond(st), ctx)} |
	ctx := lib.cf_context(d, o)
	some st in lib.statements(doc)
	st.Effect == effect
	names_cloudfront(st)
	lib.allows_action(st, "kms:Decrypt")
]

names_cloudfront(st) if lib.wildcard_principal(st)

names_cloudfront(st) if "cloudfront.amazonaws.com" in lib.principal_values(st.Principal, "Service")
