package hoofprint.rules.cloudfront_viewer_http_allowed_test

import data.hoofprint.rules.cloudfront_viewer_http_allowed as rule

inp(policies) := {"distributions": [{"id": "EDIST", "arn": "arn:aws:cloudfront::1:distribution/EDIST", "accountId": "111111111111",
	"cacheBehaviors": [{"pathPattern": p, "targetOriginId": "o", "viewerProtocolPolicy": v} | some p, v in policies]}]}

test_fires_on_allow_all_default_behaviour if {
	fs := rule.deny with input as inp({"*": "allow-all", "/api/*": "https-only"})
	count(fs) == 1
	some f in fs
	f.evidence.cacheBehaviors == [{"pathPattern": "*", "targetOriginId": "o"}]
}

test_silent_when_https_enforced if {
	count(rule.deny) == 0 with input as inp({"*": "redirect-to-https", "/api/*": "https-only"})
}
