package hoofprint.rules.s3_bucket_public_access_block_off_test

import data.hoofprint.rules.s3_bucket_public_access_block_off as rule

on := {"configured": true, "blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}

off := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}

inp(account_bpa, bucket_bpa) := {
	"accounts": [{"id": "111111111111", "publicAccessBlock": account_bpa}],
	"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1", "publicAccessBlock": bucket_bpa}],
}

test_fires_when_bucket_and_account_are_off if {
	fs := rule.deny with input as inp(off, off)
	count(fs) == 1
	some f in fs
	f.resource_arn == "arn:aws:s3:::b"
	count(f.evidence.settingsOff) == 4
}

test_silent_when_account_covers_the_bucket if {
	count(rule.deny) == 0 with input as inp(on, off)
}

test_silent_when_bucket_is_on if {
	count(rule.deny) == 0 with input as inp(off, on)
}

test_reports_only_settings_off_in_both if {
	fs := rule.deny with input as inp(object.union(off, {"ignorePublicAcls": true}), object.union(off, {"blockPublicAcls": true}))
	some f in fs
	f.evidence.settingsOff == ["blockPublicPolicy", "restrictPublicBuckets"]
}

test_silent_when_account_setting_unread if {
	i := {
		"accounts": [{"id": "111111111111"}],
		"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1", "publicAccessBlock": off}],
	}
	count(rule.deny) == 0 with input as i
}
