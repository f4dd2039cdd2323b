package hoofprint.rules.s3_account_public_access_block_off_test

import data.hoofprint.rules.s3_account_public_access_block_off as rule

all_on := {"configured": true, "blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}

test_fires_when_account_has_no_configuration if {
	bpa := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}
	fs := rule.deny with input as {"accounts": [{"id": "111111111111", "publicAccessBlock": bpa}]}
	count(fs) == 1
	some f in fs
	f.resource_arn == "AWS::::Account:111111111111"
	count(f.evidence.settingsOff) == 4
}

test_fires_when_one_setting_is_off if {
	bpa := object.union(all_on, {"restrictPublicBuckets": false})
	fs := rule.deny with input as {"accounts": [{"id": "111111111111", "publicAccessBlock": bpa}]}
	some f in fs
	f.evidence.settingsOff == ["restrictPublicBuckets"]
}

test_silent_when_all_on if {
	count(rule.deny) == 0 with input as {"accounts": [{"id": "111111111111", "publicAccessBlock": all_on}]}
}

test_silent_when_unread if {
	count(rule.deny) == 0 with input as {"accounts": [{"id": "111111111111", "scanned": true}]}
}
