# METADATA
# title: CloudFront S3 origin names a bucket that does not exist
# description: |
#   An S3 origin names a bucket that S3 says does not exist. Bucket names are
#   global: anyone can create a bucket with that name and have this
#   distribution serve their content under the organization's domain. An
#   origin bucket that exists outside the organization (bucketExists
#   "unknown") is not reported as missing.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistS3AndCustomOrigins.html
# custom:
#   id: cloudfront-origin-bucket-missing
#   severity: critical
#   hipaa: ["164.312(c)(1)", "164.312(a)(1)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   remediation: |
#     Create the bucket in an account of the organization at once (to hold the
#     name), or remove the origin and its cache behaviours, or disable the
#     distribution. In us-east-1 leave out --create-bucket-configuration
#     (S3 rejects LocationConstraint us-east-1).
#   remediation_cli: aws s3api create-bucket --bucket BUCKET --region REGION --create-bucket-configuration LocationConstraint=REGION
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistS3AndCustomOrigins.html
package hoofprint.rules.cloudfront_origin_bucket_missing

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	bad := [x |
		some o in d.origins
		o.type in {"s3", "s3-website"}
		o.bucketExists == "no"
		x := {"originId": o.id, "domainName": o.domainName, "bucket": o.bucketName}
	]
	count(bad) > 0
	names := concat(", ", [x.bucket | some x in bad])
	msg := sprintf("Distribution %s has an S3 origin naming bucket %s, which does not exist: anyone can create it and serve content through this distribution.", [d.id, names])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"origins": bad, "enabled": d.enabled})
}
