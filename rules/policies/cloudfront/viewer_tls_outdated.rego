# METADATA
# title: CloudFront accepts viewer TLS older than TLS 1.2
# description: |
#   A distribution serving S3 origins of the organization (where PHI lives)
#   uses the default *.cloudfront.net certificate, with which CloudFront
#   accepts TLSv1 whatever the configuration asks, or a custom certificate
#   whose security policy is older than TLSv1.2_2021 (SSLv3, TLSv1,
#   TLSv1_2016, TLSv1.1_2016, TLSv1.2_2018, TLSv1.2_2019). hoofprint cannot see
#   what a bucket holds, so every organization bucket counts as PHI-bearing;
#   distributions with only custom origins are not judged.
# related_resources:
# - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
# - https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html
# custom:
#   id: cloudfront-viewer-tls-outdated
#   severity: medium
#   hipaa: ["164.312(e)(1)", "164.312(e)(2)(ii)"]
#   resource_type: AwsCloudFrontDistribution
#   sampled: false
#   scope: origins
#   profiles: [hipaa, all]
#   remediation: |
#     Serve the distribution with a custom certificate from ACM (us-east-1)
#     and the TLSv1.2_2021 (or newer) security policy: in dist-config.json set
#     ViewerCertificate to {"ACMCertificateArn": CERT_ARN, "SSLSupportMethod":
#     "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}, then update the
#     distribution with the ETag that get-distribution-config returned.
#   remediation_cli: aws cloudfront get-distribution-config --id DISTRIBUTION_ID --query DistributionConfig --output json > dist-config.json && aws cloudfront update-distribution --id DISTRIBUTION_ID --if-match ETAG --distribution-config file://dist-config.json
#   help_url: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
package hoofprint.rules.cloudfront_viewer_tls_outdated

import data.hoofprint.lib

# outdated_policies are the viewer security policies older than
# TLSv1.2_2021. A policy not listed here (a newer one) is not judged.
outdated_policies := {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019"}

phi_origins(d) := [o.id | some o in d.origins; o.bucketExists == "yes"]

weakness(vc) := "the default CloudFront certificate, which accepts TLSv1" if vc.cloudFrontDefault == true

weakness(vc) := sprintf("security policy %s, older than TLSv1.2_2021", [vc.minimumProtocolVersion]) if {
	vc.cloudFrontDefault == false
	vc.minimumProtocolVersion in outdated_policies
}

deny contains f if {
	some d in input.distributions
	origins := phi_origins(d)
	count(origins) > 0
	why := weakness(d.viewerCertificate)
	msg := sprintf("Distribution %s serves organization buckets (%s) to viewers with %s.", [d.id, concat(", ", origins), why])
	f := lib.finding(d.accountId, lib.cloudfront_region, "AwsCloudFrontDistribution", d.arn, d.id, msg,
		{"viewerCertificate": d.viewerCertificate, "origins": origins})
}
