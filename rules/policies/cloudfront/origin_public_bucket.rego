# METADATA
# title: CloudFront S3 origin uses neither OAI nor OAC
# description: |
#   A distribution reads an S3 bucket without an origin access identity or
#   origin access control (or with an OAC whose signing behaviour is "never",
#   which does not sign): through the REST endpoint with anonymous requests,
#   or through the S3 website endpoint, which serves only public content and
#   supports neither. Either way the bucket's objects must be public, so
#   anyone can bypass CloudFront (and any authentication at the edge) and read
#   them straight from S3.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistS3AndCustomOrigins.html
# custom:
#   id: cloudfront-origin-public-bucket
#   severity: high
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   remediation: |
#     Create an origin access control, attach it to the origin (use the
#     bucket's REST endpoint, not the website endpoint), grant it in the bucket
#     policy, then remove public access from the bucket.
#   remediation_cli: aws cloudfront create-origin-access-control --origin-access-control-config Name=BUCKET,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
package hoofprint.rules.cloudfront_origin_public_bucket

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	bad := [x |
		some o in d.origins
		reason := unprotected(o)
		x := {"originId": o.id, "domainName": o.domainName, "type": o.type, "bucket": object.get(o, "bucketName", ""), "reason": reason}
	]
	count(bad) > 0
	names := concat(", ", [sprintf("%s (%s)", [x.domainName, x.reason]) | some x in bad])
	msg := sprintf("Distribution %s reads S3 without an OAI or OAC: %s; the objects must be public to be served.", [d.id, names])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"origins": bad})
}

unprotected(o) := "REST endpoint without OAI or OAC" if {
	o.type == "s3"
	object.get(o, "oaiId", "") == ""
	object.get(o, "oacId", "") == ""
}

unprotected(o) := "website endpoint" if o.type == "s3-website"

unprotected(o) := "OAC that never signs requests" if {
	o.type == "s3"
	object.get(o, "oaiId", "") == ""
	o.oacId != ""
	lib.oac_never_signs(o)
}
