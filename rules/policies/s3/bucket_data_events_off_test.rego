package hoofprint.rules.s3_bucket_data_events_off_test

import data.hoofprint.rules.s3_bucket_data_events_off as rule

bucket := {"name": "phi", "arn": "arn:aws:s3:::phi", "accountId": "222222222222", "region": "us-west-2", "objects": {"keysListed": 5}}

org_trail(extra) := object.union({
	"arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", "name": "org", "accountId": "111111111111",
	"homeRegion": "us-east-1", "multiRegion": true, "organizationTrail": true, "isLogging": true, "selectorsRead": true,
}, extra)

inp(trails) := {
	"partition": "aws",
	"organization": {"id": "o-1", "managementAccountId": "111111111111"},
	"accounts": [{"id": "111111111111", "trailsRead": true}, {"id": "222222222222", "trailsRead": true}],
	"buckets": [bucket],
	"trails": trails,
}

data_sel(arn_field) := {"name": "s3", "fieldSelectors": array.concat(
	[{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}],
	arn_field,
)}

test_fires_without_trails if {
	fs := rule.deny with input as inp([])
	count(fs) == 1
	some f in fs
	f.evidence.missing == ["read", "write"]
}

test_fires_on_management_events_only if {
	count(rule.deny) == 1 with input as inp([org_trail({"eventSelectors": [{"readWriteType": "All"}]})])
}

test_silent_with_basic_selector_for_every_bucket if {
	t := org_trail({"eventSelectors": [{"readWriteType": "All", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})
	count(rule.deny) == 0 with input as inp([t])
}

test_silent_with_basic_selector_for_the_bucket if {
	t := org_trail({"eventSelectors": [{"readWriteType": "All", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::phi/"]}]}]})
	count(rule.deny) == 0 with input as inp([t])
}

test_write_only_selector_misses_reads if {
	t := org_trail({"eventSelectors": [{"readWriteType": "WriteOnly", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})
	fs := rule.deny with input as inp([t])
	some f in fs
	f.evidence.missing == ["read"]
}

test_prefix_only_is_partial if {
	t := org_trail({"eventSelectors": [{"readWriteType": "All", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::phi/reports/"]}]}]})
	fs := rule.deny with input as inp([t])
	some f in fs
	f.evidence.partialPrefixes == ["arn:aws:s3:::phi/reports/"]
}

test_silent_with_advanced_selector_arn_prefix if {
	t := org_trail({"advancedEventSelectors": [data_sel([{"field": "resources.ARN", "startsWith": ["arn:aws:s3:::phi/"]}])]})
	count(rule.deny) == 0 with input as inp([t])
}

test_silent_with_advanced_selector_broader_prefix if {
	t := org_trail({"advancedEventSelectors": [data_sel([{"field": "resources.ARN", "startsWith": ["arn:aws:s3:::ph"]}])]})
	count(rule.deny) == 0 with input as inp([t])
}

test_silent_with_advanced_selector_without_arn_condition if {
	count(rule.deny) == 0 with input as inp([org_trail({"advancedEventSelectors": [data_sel([])]})])
}

test_advanced_selector_of_another_bucket_fires if {
	t := org_trail({"advancedEventSelectors": [data_sel([{"field": "resources.ARN", "startsWith": ["arn:aws:s3:::other/"]}])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_advanced_selector_excluding_part_fires if {
	t := org_trail({"advancedEventSelectors": [data_sel([{"field": "resources.ARN", "startsWith": ["arn:aws:s3:::"], "notStartsWith": ["arn:aws:s3:::phi/cache/"]}])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_advanced_selector_narrowed_by_event_name_fires if {
	t := org_trail({"advancedEventSelectors": [data_sel([{"field": "eventName", "equals": ["PutObject"]}])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_read_only_advanced_selectors_together_cover if {
	r := data_sel([{"field": "readOnly", "equals": ["true"]}])
	w := data_sel([{"field": "readOnly", "equals": ["false"]}])
	count(rule.deny) == 0 with input as inp([org_trail({"advancedEventSelectors": [r, w]})])
	fs := rule.deny with input as inp([org_trail({"advancedEventSelectors": [r]})])
	some f in fs
	f.evidence.missing == ["write"]
}

test_stopped_trail_does_not_count if {
	t := org_trail({"isLogging": false, "advancedEventSelectors": [data_sel([])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_single_region_trail_elsewhere_does_not_count if {
	t := org_trail({"multiRegion": false, "advancedEventSelectors": [data_sel([])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_account_trail_of_the_bucket_account_counts if {
	t := org_trail({"organizationTrail": false, "accountId": "222222222222", "arn": "arn:aws:cloudtrail:us-east-1:222222222222:trail/own",
		"advancedEventSelectors": [data_sel([])]})
	count(rule.deny) == 0 with input as inp([t])
}

test_account_trail_of_another_account_does_not_count if {
	t := org_trail({"organizationTrail": false, "advancedEventSelectors": [data_sel([])]})
	count(rule.deny) == 1 with input as inp([t])
}

test_skips_when_org_trail_selectors_unread if {
	count(rule.deny) == 0 with input as inp([org_trail({"selectorsRead": false})])
}

test_skips_when_trails_unread_or_bucket_empty if {
	i := inp([])
	count(rule.deny) == 0 with input as object.union(i, {"accounts": [{"id": "222222222222", "trailsRead": false}]})
	count(rule.deny) == 0 with input as object.union(i, {"buckets": [object.union(bucket, {"objects": {"keysListed": 0}})]})
}
