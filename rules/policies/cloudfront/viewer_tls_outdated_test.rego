package hoofprint.rules.cloudfront_viewer_tls_outdated_test

import data.hoofprint.rules.cloudfront_viewer_tls_outdated as rule

dist(vc, exists) := {"distributions": [object.union(
	{"id": "EDIST", "arn": "arn:aws:cloudfront::111111111111:distribution/EDIST", "accountId": "111111111111",
		"origins": [{"id": "o1", "type": "s3", "bucketName": "b", "bucketExists": exists}]},
	vc,
)]}

test_fires_on_default_certificate if {
	fs := rule.deny with input as dist({"viewerCertificate": {"cloudFrontDefault": true, "minimumProtocolVersion": "TLSv1"}}, "yes")
	count(fs) == 1
	some f in fs
	contains(f.message, "default CloudFront certificate")
	f.evidence.origins == ["o1"]
}

test_fires_on_old_policy if {
	fs := rule.deny with input as dist({"viewerCertificate": {"cloudFrontDefault": false, "minimumProtocolVersion": "TLSv1.2_2019"}}, "yes")
	count(fs) == 1
}

test_silent_on_current_and_newer_policies if {
	every p in ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] {
		count(rule.deny) == 0 with input as dist({"viewerCertificate": {"cloudFrontDefault": false, "minimumProtocolVersion": p}}, "yes")
	}
}

test_silent_without_organization_bucket_origin if {
	count(rule.deny) == 0 with input as dist({"viewerCertificate": {"cloudFrontDefault": true}}, "unknown")
}

test_silent_when_certificate_unknown if {
	count(rule.deny) == 0 with input as dist({}, "yes")
}
