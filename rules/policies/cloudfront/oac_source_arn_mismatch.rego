# METADATA
# title: CloudFront OAC origin's bucket policy does not allow this distribution
# description: |
#   A distribution reads an S3 origin through an origin access control, but
#   the bucket policy has no Allow of s3:GetObject to the
#   cloudfront.amazonaws.com service principal whose aws:SourceArn condition
#   matches this distribution's ARN (a policy copied from another
#   distribution, or written for the wrong account). CloudFront gets 403.
#   A grant to cloudfront.amazonaws.com without an AWS:SourceArn or
#   AWS:SourceAccount condition is reported too (reason "unscoped"): it works,
#   but lets any distribution of any AWS account read the bucket (the confused
#   deputy). OACs that never sign are left to cloudfront-origin-public-bucket.
#   Not modelled: with SSE-KMS objects the KMS key policy must also allow
#   cloudfront.amazonaws.com kms:Decrypt.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
# - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn
# custom:
#   id: cloudfront-oac-source-arn-mismatch
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(7)(i)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   remediation: |
#     Allow s3:GetObject on arn:aws:s3:::BUCKET/* to the service principal
#     cloudfront.amazonaws.com with the condition StringEquals AWS:SourceArn
#     set to this distribution's ARN.
#     put-bucket-policy replaces the whole policy: add the statement to the
#     current one (aws s3api get-bucket-policy --bucket BUCKET --query Policy
#     --output text) instead of overwriting it.
#   remediation_cli: aws s3api put-bucket-policy --bucket BUCKET --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEquals":{"AWS:SourceArn":"DISTRIBUTION_ARN"}}}]}'
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
package hoofprint.rules.cloudfront_oac_source_arn_mismatch

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	bad := [x |
		some o in d.origins
		o.type == "s3"
		o.oacId != ""
		not lib.oac_never_signs(o)
		b := lib.bucket_by_name(o.bucketName)
		state := lib.oac_grant_state(b, d, o)
		state != "pinned"
		x := object.union(
			{
				"originId": o.id, "bucket": b.name, "bucketAccountId": b.accountId, "oacId": o.oacId,
				"policyExists": b.policy.exists,
				"sourceArnsAllowed": source_arns(b),
				"reason": reason[state],
			},
			extras(b, d, o),
		)
	]
	count(bad) > 0
	msg := message(d, bad)
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"origins": bad})
}

reason := {
	"none": "not-allowed", "denied": "denied", "unscoped": "unscoped",
	"conditions-not-met": "conditions-not-met", "uncertain": "uncertain",
}

# extras adds the origin path and, when a grant's or a Deny's conditions
# could not be decided for the OAC's requests, which ones.
extras(b, d, o) := object.union(path_extra(o), uncertain_extra(b, d, o))

path_extra(o) := {"originPath": o.originPath} if object.get(o, "originPath", "") != ""

path_extra(o) := {} if object.get(o, "originPath", "") == ""

uncertain_extra(b, d, o) := {"uncertain": true, "uncertainConditions": us} if {
	us := lib.uncertainties(b, d, o)
	count(us) > 0
} else := {}

# message names the most serious reason first: one message per finding,
# every origin in evidence.
message(d, bad) := sprintf("Distribution %s reads %s through an OAC, but a Deny statement of the bucket policy refuses cloudfront.amazonaws.com: CloudFront gets 403.", [d.id, names(bad, "denied")]) if {
	names(bad, "denied") != ""
} else := sprintf("Distribution %s reads %s through an OAC that the bucket policy does not allow (CloudFront gets 403), and %s through an OAC grant without an AWS:SourceArn condition (any distribution of any AWS account can read it).", [d.id, names(bad, "not-allowed"), names(bad, "unscoped")]) if {
	names(bad, "not-allowed") != ""
	names(bad, "unscoped") != ""
} else := sprintf("Distribution %s reads %s through an OAC, but the bucket policy does not allow cloudfront.amazonaws.com with AWS:SourceArn %s: CloudFront gets 403.", [d.id, names(bad, "not-allowed"), d.arn]) if {
	names(bad, "not-allowed") != ""
} else := sprintf("Distribution %s reads %s through an OAC whose grant in the bucket policy names this distribution but also requires what CloudFront's requests never carry (CloudFront is in no organization, VPC or account of yours): CloudFront gets 403.", [d.id, names(bad, "conditions-not-met")]) if {
	names(bad, "conditions-not-met") != ""
} else := sprintf("Distribution %s reads %s through an OAC whose grant in the bucket policy has conditions that cannot be decided for CloudFront's requests (uncertain; see uncertainConditions): CloudFront may get 403.", [d.id, names(bad, "uncertain")]) if {
	names(bad, "uncertain") != ""
} else := sprintf("Distribution %s reads %s through an OAC, and the bucket policy allows cloudfront.amazonaws.com without an AWS:SourceArn or AWS:SourceAccount condition: any distribution of any AWS account can read the bucket.", [d.id, names(bad, "unscoped")])

names(bad, r) := concat(", ", [x.bucket | some x in bad; x.reason == r])

source_arns(b) := [] if b.policy.exists == false

source_arns(b) := lib.cloudfront_source_arns(b) if b.policy.exists == true
