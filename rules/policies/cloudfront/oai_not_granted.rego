# METADATA
# title: CloudFront OAI is not granted by the origin bucket's policy
# description: |
#   A distribution reads an S3 origin through an origin access identity, but
#   the bucket's policy has no Allow of s3:GetObject naming that OAI, neither
#   by its IAM ARN ("arn:aws:iam::cloudfront:user/CloudFront Origin Access
#   Identity ID") nor by its S3 canonical user ID, or names it in a policy
#   that is public while RestrictPublicBuckets is on (which blocks every
#   cross-account grant of a public policy, the OAI's included), or a Deny
#   statement refuses it (for example "deny unless from my VPC"). CloudFront
#   then gets 403 for every object unless an object ACL grants the OAI or the
#   object is public (and no Deny refuses it). The distribution and the
#   bucket may be in different accounts of the organization; origins whose
#   bucket is outside the organization, or whose policy could not be read,
#   are not judged. Deny statements that test aws:SourceIp, aws:userid or
#   conditions other than negated organization/VPC/account pins are not
#   judged.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#private-content-updating-s3-bucket-policies
# custom:
#   id: cloudfront-oai-not-granted
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(7)(i)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   remediation: |
#     Migrate the origin to an origin access control (OAC) and grant it in the
#     bucket policy, or add a statement allowing s3:GetObject on
#     arn:aws:s3:::BUCKET/* to the OAI's ARN.
#     put-bucket-policy replaces the whole policy: add the statement to the
#     current one (aws s3api get-bucket-policy --bucket BUCKET --query Policy
#     --output text) instead of overwriting it.
#   remediation_cli: aws s3api put-bucket-policy --bucket BUCKET --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity OAI_ID"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}]}'
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#migrate-from-oai-to-oac
package hoofprint.rules.cloudfront_oai_not_granted

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	bad := [x |
		some o in d.origins
		o.type == "s3"
		o.oaiId != ""
		b := lib.bucket_by_name(o.bucketName)
		lib.policy_known(b)
		cid := lib.oai(o.oaiId).s3CanonicalUserId
		reason := not_granted_reason(b, d, o)
		x := object.union(
			{
				"originId": o.id, "bucket": b.name, "bucketAccountId": b.accountId,
				"oaiId": o.oaiId, "oaiArn": lib.oai_arn(o.oaiId), "oaiCanonicalUserId": cid,
				"policyExists": b.policy.exists, "reason": reason,
			},
			origin_extras(b, d, o),
		)
	]
	count(bad) > 0
	names := concat(", ", [sprintf("%s (OAI %s: %s)", [x.bucket, x.oaiId, x.reason]) | some x in bad])
	msg := sprintf("Distribution %s reads %s through an OAI that the bucket policy does not let in: CloudFront gets 403 unless the object is public or its ACL grants the OAI READ (and no Deny refuses it).", [d.id, names])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"origins": bad})
}

# origin_extras adds the origin path and, when a grant's or a Deny's
# conditions could not be decided for the OAI's requests, which ones.
origin_extras(b, d, o) := object.union(path_extra(o), uncertain_extra(b, d, o))

path_extra(o) := {"originPath": o.originPath} if object.get(o, "originPath", "") != ""

path_extra(o) := {} if object.get(o, "originPath", "") == ""

uncertain_extra(b, d, o) := {"uncertain": true, "uncertainConditions": us} if {
	us := lib.uncertainties(b, d, o)
	count(us) > 0
} else := {}

# An explicit Deny wins over every Allow and every ACL grant.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
not_granted_reason(b, d, o) := "refused by a Deny statement of the bucket policy" if {
	lib.policy_denies_identity(b, d, o)
} else := "granted only under conditions that cannot be decided for CloudFront's requests (uncertain)" if {
	lib.oai_grant_state(b, d, o) == "uncertain"
} else := "granted only under conditions CloudFront's requests never meet (CloudFront is in no organization, VPC or account of yours)" if {
	lib.oai_grant_state(b, d, o) == "conditions-not-met"
} else := "not named in the bucket policy; read today only through its public grant, which RestrictPublicBuckets would cut" if {
	lib.oai_grant_state(b, d, o) == "none"
	lib.public_get_policy_state(b) == "yes"
	lib.bpa_state(b, "restrictPublicBuckets") == "off"
} else := sprintf("the bucket policy grants nothing under the origin path %s", [o.originPath]) if {
	lib.oai_grant_state(b, d, o) == "none"
	lib.origin_key_prefix(o) != ""
	some st in lib.statements(lib.policy_doc(b))
	lib.oai_grant_statement(st, sprintf("%s/", [b.arn]), o.oaiId, object.get(lib.oai(o.oaiId), "s3CanonicalUserId", ""))
} else := "not named in the bucket policy" if {
	lib.oai_grant_state(b, d, o) == "none"
} else := "granted in a public policy that RestrictPublicBuckets restricts" if {
	# RestrictPublicBuckets blocks "public and cross-account access within
	# any public bucket policy, including non-public delegation to specific
	# accounts": an OAI is a CloudFront user of another account.
	# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
	lib.restricted_cross_account_bool(b) == true
}
