package hoofprint.rules.s3_bucket_versioning_off_test

import data.hoofprint.rules.s3_bucket_versioning_off as rule

inp(name, extra) := {"buckets": [object.union({"name": name, "arn": concat("", ["arn:aws:s3:::", name]), "accountId": "111111111111",
	"region": "us-east-1", "objects": {"keysListed": 3}}, extra)]}

test_fires_when_never_enabled if {
	fs := rule.deny with input as inp("phi", {"versioning": {"status": ""}})
	count(fs) == 1
	some f in fs
	f.evidence.note == ""
	f.message == "Bucket phi holds objects and its versioning is never enabled."
}

test_fires_when_suspended_with_object_lock_recorded if {
	fs := rule.deny with input as inp("phi", {"versioning": {"status": "Suspended", "mfaDelete": "Disabled"}, "objectLock": {"enabled": false}})
	some f in fs
	contains(f.message, "suspended")
	f.evidence.objectLock == {"enabled": false}
}

test_notes_build_artefacts if {
	fs := rule.deny with input as inp("tools-build-cache", {"versioning": {"status": ""}})
	some f in fs
	contains(f.evidence.note, "build artefacts")
}

test_silent_when_enabled if {
	count(rule.deny) == 0 with input as inp("phi", {"versioning": {"status": "Enabled", "mfaDelete": "Enabled"}})
}

test_silent_when_empty_or_unread if {
	count(rule.deny) == 0 with input as inp("phi", {"versioning": {"status": ""}, "objects": {"keysListed": 0}})
	count(rule.deny) == 0 with input as inp("phi", {})
}
