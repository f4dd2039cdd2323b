# METADATA
# title: Bucket versioning is off
# description: |
#   A bucket that holds objects does not keep object versions (versioning
#   never enabled, or suspended), so an overwrite or delete, by mistake or by
#   ransomware, cannot be undone. MFA delete and Object Lock are recorded in
#   the evidence. Buckets that only hold caches or build artefacts, which can
#   be rebuilt, need no versioning: suppress the finding for them.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
# custom:
#   id: s3-bucket-versioning-off
#   severity: low
#   hipaa: ["164.312(c)(1)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   profiles: [hipaa, all]
#   remediation: |
#     Enable versioning, and a lifecycle rule that expires noncurrent versions
#     after the retention you need. For PHI consider MFA delete (root user
#     only) or Object Lock.
#   remediation_cli: aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/manage-versioning-examples.html
package hoofprint.rules.s3_bucket_versioning_off

import data.hoofprint.lib

# rebuildable names suggest a cache or build artefacts: the finding then
# says so, so that a reviewer can suppress it with a reason.
rebuildable_words := ["cache", "build", "artifact", "artefact", "tmp", "temp", "scratch"]

note(b) := "The name suggests caches or build artefacts: if its objects can be rebuilt, suppress this finding." if any_word(b)

note(b) := "" if {
	not any_word(b)
}

any_word(b) if {
	some w in rebuildable_words
	contains(lower(b.name), w)
}

state(v) := "suspended" if v.status == "Suspended"

state(v) := "never enabled" if v.status == ""

deny contains f if {
	some b in input.buckets
	b.objects.keysListed > 0
	s := state(b.versioning)
	n := note(b)
	msg := trim_space(sprintf("Bucket %s holds objects and its versioning is %s. %s", [b.name, s, n]))
	ev := {"versioning": b.versioning, "objectLock": object.get(b, "objectLock", null), "keysListed": b.objects.keysListed, "note": n}
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, msg, ev)
}
