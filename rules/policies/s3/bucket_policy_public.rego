# METADATA
# title: Bucket policy grants public access
# description: |
#   A statement of the bucket policy allows a data action (read, list, write,
#   delete) to every principal ("*", {"AWS": "*"} or NotPrincipal) without a
#   condition that pins it to fixed accounts, VPCs, source ARNs, IP ranges or
#   the organization, and RestrictPublicBuckets (bucket or account) does not
#   neutralise it. Deny statements that refuse the same actions to everyone
#   outside fixed accounts or VPCs make the grant non-public.
# related_resources:
# - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
# - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
# custom:
#   id: s3-bucket-policy-public
#   severity: critical
#   hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.312(c)(1)"]
#   resource_type: AwsS3Bucket
#   sampled: false
#   scope: bucket
#   remediation: |
#     Remove the public statements from the bucket policy (grant the CloudFront
#     OAC or named principals instead), then enable RestrictPublicBuckets and
#     BlockPublicPolicy.
#   site_remediation: |
#     A CloudFront distribution reads this bucket's objects only through
#     public access (cloudfront-origin-breaks-on-block-public-access):
#     turning Block Public Access on, or removing the public grant, first
#     takes the site down. Keep this order:
#     1. Grant the distribution's OAC (or OAI) s3:GetObject in the bucket policy.
#     2. Set Object Ownership to BucketOwnerEnforced (the bucket owner then owns every object).
#     3. Check that the site still loads.
#     4. Then remove the public grants and turn on Block Public Access.
#   remediation_cli: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   help_url: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
package hoofprint.rules.s3_bucket_policy_public

import data.hoofprint.lib

deny contains f if {
	some b in input.buckets
	stmts := lib.public_statements(lib.policy_doc(b))
	count(stmts) > 0
	lib.bpa_off(b, "restrictPublicBuckets")
	idx := [sprintf("%d", [s.index]) | some s in stmts]
	msg := sprintf("Bucket %s policy grants anonymous access (statement %s) and RestrictPublicBuckets is off on the bucket and account %s.", [b.name, concat(", ", idx), b.accountId])
	f := lib.finding(b.accountId, b.region, "AwsS3Bucket", b.arn, b.name, sprintf("%s%s", [msg, verified_text(b)]), object.union({"publicStatements": stmts}, verified(b)))
}

# verified: an unsigned HEAD read a sampled object whose ACL grants the
# public nothing, so the policy let it in (scanner/probe.go).
verified(b) := {"verified": "readable anonymously", "anonymousReadableByPolicy": b.objects.anonymousReadableByPolicy} if {
	b.objects.anonymousReadableByPolicy > 0
} else := {}

verified_text(b) := sprintf(" Verified: %d sampled object(s) answered an unsigned HEAD with 200 (readable anonymously).", [b.objects.anonymousReadableByPolicy]) if {
	b.objects.anonymousReadableByPolicy > 0
} else := ""
