# METADATA
# title: CloudFront access logging is off
# description: |
#   Neither standard logging (legacy, to an S3 bucket, in the distribution
#   configuration) nor standard logging v2 (a CloudWatch Logs delivery of the
#   distribution's ACCESS_LOGS) is configured, so there is no record of who
#   fetched what through the distribution. Fires only when both were read.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html
# custom:
#   id: cloudfront-access-logging-off
#   severity: low
#   hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   profiles: [hipaa, all]
#   remediation: |
#     Turn on standard logging v2: create a delivery source for the
#     distribution's ACCESS_LOGS in us-east-1, a delivery destination (S3,
#     CloudWatch Logs or Firehose) and a delivery between them.
#   remediation_cli: aws logs put-delivery-source --region us-east-1 --name DIST-access --resource-arn DISTRIBUTION_ARN --log-type ACCESS_LOGS && aws logs put-delivery-destination --region us-east-1 --name DIST-logs --delivery-destination-configuration destinationResourceArn=LOG_BUCKET_ARN && aws logs create-delivery --region us-east-1 --delivery-source-name DIST-access --delivery-destination-arn DESTINATION_ARN
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
package hoofprint.rules.cloudfront_access_logging_off

import data.hoofprint.lib

deny contains f if {
	some d in input.distributions
	d.logging.standard.enabled == false
	count(d.logging.v2.deliveries) == 0
	msg := sprintf("Distribution %s has no access logging: standard logging is off and no standard logging v2 delivery exists.", [d.id])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg, {"logging": d.logging})
}
