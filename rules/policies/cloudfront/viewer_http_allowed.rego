# METADATA
# title: CloudFront cache behaviour lets viewers use plain HTTP
# description: |
#   A cache behaviour has ViewerProtocolPolicy allow-all, so viewers can fetch
#   content (and send cookies or credentials) over unencrypted HTTP.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html
# - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-3
# custom:
#   id: cloudfront-viewer-http-allowed
#   severity: medium
#   hipaa: ["164.312(e)(1)", "164.312(e)(2)(ii)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   remediation: |
#     Set ViewerProtocolPolicy to redirect-to-https (or https-only) on every
#     cache behaviour, including the default one: save the configuration,
#     edit DefaultCacheBehavior and every CacheBehaviors item in
#     dist-config.json, then update the distribution with the ETag that
#     aws cloudfront get-distribution-config --id DISTRIBUTION_ID --query ETag
#     --output text returns.
#   remediation_cli: aws cloudfront get-distribution-config --id DISTRIBUTION_ID --query DistributionConfig --output json > dist-config.json && aws cloudfront update-distribution --id DISTRIBUTION_ID --if-match ETAG --distribution-config file://dist-config.json
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html
package hoofprint.rules.cloudfront_viewer_http_allowed

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	bad := [{"pathPattern": cb.pathPattern, "targetOriginId": cb.targetOriginId} |
		some cb in d.cacheBehaviors
		cb.viewerProtocolPolicy == "allow-all"
	]
	count(bad) > 0
	patterns := concat(", ", [sprintf("%q", [x.pathPattern]) | some x in bad])
	msg := sprintf("Distribution %s lets viewers use plain HTTP for path pattern %s.", [d.id, patterns])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"cacheBehaviors": bad})
}
