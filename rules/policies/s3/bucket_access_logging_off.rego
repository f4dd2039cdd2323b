# METADATA
# title: Bucket server access logging is off
# description: |
#   S3 server access logging is not enabled, so there is no record of who read
#   or wrote the bucket's objects (the record that found the seed incident's
#   403s). CloudTrail data events are an alternative this rule does not see.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
# custom:
#   id: s3-bucket-access-logging-off
#   severity: low
#   hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Enable server access logging to a dedicated log bucket in the same
#     region (or enable CloudTrail S3 data events).
#   remediation_cli: aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"BUCKET/"}}'
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
package hoofprint.rules.s3_bucket_access_logging_off

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	b.logging.enabled == false
	msg := sprintf("Bucket %s has server access logging off.", [b.name])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, {"logging": b.logging})
}
