# METADATA
# title: No CloudTrail trail records the bucket's object-level (data) events
# description: |
#   The bucket holds objects, but no logging CloudTrail trail that covers it
#   (an organization trail, or a trail of the bucket's account, multi-region
#   or homed in the bucket's region) records S3 data events for all of its
#   objects, reads and writes: there is no record of who read which object.
#   Basic selectors count with an AWS::S3::Object value of every bucket
#   (arn:PARTITION:s3 or arn:PARTITION:s3:::) or of the whole bucket
#   (arn:PARTITION:s3:::BUCKET/); advanced selectors with eventCategory Data,
#   resources.type AWS::S3::Object, readOnly absent (or one selector each
#   for true and false) and no resources.ARN condition, or a StartsWith
#   prefix of the bucket's object ARNs and no Not* condition that excludes
#   any of them. A selector narrowed by another field (eventName, userIdentity…)
#   or to a key prefix is partial and does not count (its prefixes are in the
#   evidence). Skipped when the account's trails, or the selectors or status
#   of a trail that could cover the bucket, were not read.
# related_resources:
# - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
# - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-cloudtrail-logging-for-s3.html
# custom:
#   id: s3-bucket-data-events-off
#   severity: low
#   hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   profiles: [hipaa, all]
#   remediation: |
#     Add an advanced event selector for S3 data events on the bucket to the
#     organization trail (in the account that owns it), or to a trail of the
#     bucket's account.
#   remediation_cli: aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors '[{"Name":"S3 data events","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::BUCKET/"]}]}]'
#   help_url: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
package hoofprint.rules.s3_bucket_data_events_off

import data.hoofprint.lib

# candidate: a trail that records events of the bucket's account in the
# bucket's region.
candidate(t, b) if {
	t.organizationTrail == true
	input.organization
	lib.account(b.accountId)
}

candidate(t, b) if t.accountId == b.accountId

in_region(t, b) if t.multiRegion == true

in_region(t, b) if t.homeRegion == b.region

candidates(b) := [t | some t in input.trails; candidate(t, b); in_region(t, b)]

# unknown: a candidate whose selectors or status were not read.
unknown(t) if t.selectorsRead != true

unknown(t) if not is_boolean(t.isLogging)

object_prefix(b) := concat("", [b.arn, "/"])

all_buckets_values := {sprintf("arn:%s:s3", [input.partition]), sprintf("arn:%s:s3:::", [input.partition])}

rw_covers("All", _)

rw_covers("ReadOnly", "read")

rw_covers("WriteOnly", "write")

value_covers(v, b) if v in all_buckets_values

value_covers(v, b) if v == object_prefix(b)

basic_covers(t, b, kind) if {
	some s in t.eventSelectors
	rw_covers(s.readWriteType, kind)
	some d in s.dataResources
	d.type == "AWS::S3::Object"
	some v in d.values
	value_covers(v, b)
}

judged_fields := {"eventCategory", "resources.type", "readOnly", "resources.ARN"}

fields(a) := {f.field: f | some f in a.fieldSelectors}

readonly_ok(fs, _) if not fs.readOnly

readonly_ok(fs, "read") if "true" in fs.readOnly.equals

readonly_ok(fs, "write") if "false" in fs.readOnly.equals

arn_ok(fs, _) if not fs["resources.ARN"]

arn_ok(fs, b) if {
	f := fs["resources.ARN"]
	some p in object.get(f, "startsWith", [])
	startswith(object_prefix(b), p)
	not excludes_some(f, b)
}

excludes_some(f, b) if {
	some p in object.get(f, "notStartsWith", [])
	startswith(object_prefix(b), p)
}

excludes_some(f, b) if {
	some p in object.get(f, "notStartsWith", [])
	startswith(p, object_prefix(b))
}

excludes_some(f, b) if {
	some v in object.get(f, "notEquals", [])
	startswith(v, object_prefix(b))
}

excludes_some(f, _) if count(object.get(f, "notEndsWith", [])) > 0

advanced_covers(t, b, kind) if {
	some a in t.advancedEventSelectors
	fs := fields(a)
	"Data" in fs.eventCategory.equals
	"AWS::S3::Object" in fs["resources.type"].equals
	every f in a.fieldSelectors {
		f.field in judged_fields
	}
	readonly_ok(fs, kind)
	arn_ok(fs, b)
}

covers(t, b, kind) if basic_covers(t, b, kind)

covers(t, b, kind) if advanced_covers(t, b, kind)

covered(b, kind) if {
	some t in candidates(b)
	t.isLogging == true
	covers(t, b, kind)
}

# partial: selector values that name only part of the bucket's objects.
partial(b) := sort(array.concat(
	[v |
		some t in candidates(b)
		some s in t.eventSelectors
		some d in s.dataResources
		some v in d.values
		startswith(v, object_prefix(b))
		v != object_prefix(b)
	],
	[p |
		some t in candidates(b)
		some a in t.advancedEventSelectors
		some f in a.fieldSelectors
		f.field == "resources.ARN"
		some p in object.get(f, "startsWith", [])
		startswith(p, object_prefix(b))
		p != object_prefix(b)
	],
))

missing(b) := [k | some k in ["read", "write"]; not covered(b, k)]

deny contains f if {
	some b in input.buckets
	b.objects.keysListed > 0
	lib.account(b.accountId).trailsRead == true
	cands := candidates(b)
	not any_unknown(cands)
	m := missing(b)
	count(m) > 0
	what := concat(" and ", [sprintf("%ss", [k]) | some k in m])
	msg := sprintf("Bucket %s holds objects, but no logging CloudTrail trail records S3 data events (object-level %s) for all of them.", [b.name, what])
	ev := {"missing": m, "trails": [t.arn | some t in cands], "partialPrefixes": partial(b)}
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, ev)
}

any_unknown(ts) if {
	some t in ts
	unknown(t)
}
