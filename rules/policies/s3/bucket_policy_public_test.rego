package hoofprint.rules.s3_bucket_policy_public_test

import data.hoofprint.rules.s3_bucket_policy_public as rule

off := {"configured": false, "blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false}

rpb := object.union(off, {"configured": true, "restrictPublicBuckets": true})

inp(doc, account_bpa, bucket_bpa) := {
	"accounts": [{"id": "111111111111", "publicAccessBlock": account_bpa}],
	"buckets": [{
		"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1",
		"publicAccessBlock": bucket_bpa,
		"policy": {"exists": true, "document": doc},
	}],
}

allow(principal, action) := {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "arn:aws:s3:::b/*"}

test_fires_on_star_principal if {
	fs := rule.deny with input as inp({"Statement": [allow("*", "s3:GetObject")]}, off, off)
	count(fs) == 1
}

test_fires_on_aws_star_in_a_list_with_single_statement_object if {
	fs := rule.deny with input as inp({"Statement": allow({"AWS": ["arn:aws:iam::222222222222:root", "*"]}, ["s3:Get*"])}, off, off)
	some f in fs
	f.evidence.publicStatements[0].index == 0
}

test_fires_on_not_principal if {
	st := {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:*", "Resource": "*"}
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
}

test_fires_on_action_wildcard_and_notaction if {
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "*")]}, off, off)
	st := {"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteBucket", "Resource": "*"}
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
}

test_fires_when_condition_is_if_exists if {
	st := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
}

test_fires_when_condition_value_is_wildcard if {
	st := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringLike": {"aws:SourceAccount": "*"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
}

test_silent_when_restrict_public_buckets_on_account if {
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject")]}, rpb, off)
}

test_silent_when_restrict_public_buckets_on_bucket if {
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject")]}, off, rpb)
}

test_silent_when_bpa_unread if {
	i := {
		"accounts": [{"id": "111111111111"}],
		"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1", "publicAccessBlock": off, "policy": {"exists": true, "document": {"Statement": [allow("*", "s3:GetObject")]}}}],
	}
	count(rule.deny) == 0 with input as i
}

test_silent_on_deny_statement if {
	st := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	count(rule.deny) == 0 with input as inp({"Statement": [st]}, off, off)
}

test_silent_when_pinned_to_org_or_vpc_or_source_arn if {
	for_org := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [for_org]}, off, off)
	for_vpc := object.union(allow({"AWS": "*"}, "s3:GetObject"), {"Condition": {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}})
	count(rule.deny) == 0 with input as inp({"Statement": [for_vpc]}, off, off)
	for_arn := object.union(allow({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject"), {"Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::111111111111:distribution/E1"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [for_arn]}, off, off)
}

# An account ID written as a JSON number is the same fixed value.
test_silent_when_pinned_by_an_account_id_written_as_a_number if {
	st := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEquals": {"aws:SourceAccount": 111111111111}}})
	count(rule.deny) == 0 with input as inp({"Statement": [st]}, off, off)
}

test_silent_for_named_principal if {
	count(rule.deny) == 0 with input as inp({"Statement": [allow({"AWS": "arn:aws:iam::222222222222:root"}, "s3:GetObject")]}, off, off)
}

test_silent_when_deny_pins_everyone_else_to_a_vpc if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

test_fires_on_any_get_action_as_s3_does if {
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetBucketLocation")]}, off, off)
}

test_silent_on_non_data_action if {
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:ReplicateObject")]}, off, off)
}

test_silent_when_policy_did_not_parse if {
	i := {
		"accounts": [{"id": "111111111111", "publicAccessBlock": off}],
		"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1", "publicAccessBlock": off, "policy": {"exists": true, "raw": "{", "parseError": "unexpected end"}}],
	}
	count(rule.deny) == 0 with input as i
}

# "The meaning of public": a policy is non-public only when it grants to
# fixed values, that is values without a wildcard.
test_fires_when_pinning_value_holds_a_wildcard if {
	vpc := object.union(allow("*", "s3:PutObject"), {"Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [vpc]}, off, off)
	arn := object.union(allow("*", "s3:GetObject"), {"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [arn]}, off, off)
	q := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringLike": {"aws:SourceAccount": "11111111111?"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [q]}, off, off)
}

test_silent_when_pinned_to_a_data_access_point if {
	ap := object.union(allow({"AWS": "*"}, "s3:GetObject"), {"Condition": {"StringEquals": {"s3:DataAccessPointAccount": "111111111111"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [ap]}, off, off)
	arn := object.union(allow({"AWS": "*"}, "s3:GetObject"), {"Condition": {"StringEquals": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:111111111111:accesspoint/ap"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [arn]}, off, off)
}

test_source_ip_is_public_when_broader_than_slash_8_or_ipv6_slash_32 if {
	v4 := object.union(allow("*", "s3:GetObject"), {"Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [v4]}, off, off)
	v6 := object.union(allow("*", "s3:GetObject"), {"Condition": {"IpAddress": {"aws:SourceIp": "2001:db8::/16"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [v6]}, off, off)
	v4ok := object.union(allow("*", "s3:GetObject"), {"Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.7"]}}})
	count(rule.deny) == 0 with input as inp({"Statement": [v4ok]}, off, off)
	v6ok := object.union(allow("*", "s3:GetObject"), {"Condition": {"IpAddress": {"aws:SourceIp": "2001:db8:1234::/48"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [v6ok]}, off, off)
}

test_org_paths_are_not_on_the_aws_list_of_pinning_keys if {
	st := object.union(allow({"AWS": "*"}, "s3:GetObject"), {"Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-abc/r-ab12/ou-ab12-11111111/"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
}

# A Deny neutralises a public Allow only when it refuses the same actions on
# the same resources to everyone outside fixed values, with no other
# condition: IAM ANDs condition blocks, so an extra condition narrows what
# the Deny refuses.
test_fires_when_deny_covers_only_the_bucket_not_its_objects if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

# A Deny whose NotAction leaves out s3:GetObject covers the text "s3:*" of
# the Allow but not the GetObject it grants to everyone.
test_fires_when_the_deny_not_action_leaves_a_public_action_out if {
	a := {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}
	d := {"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
	count(rule.deny) == 1 with input as inp({"Statement": [a, d]}, off, off)
}

# A NotResource inside the Allow's resources (b/public/*) leaves that part
# readable by anyone.
test_fires_when_the_deny_not_resource_leaves_part_of_the_allow_out if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/public/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

# The same Deny with a NotResource outside the Allow's resources covers it.
test_silent_when_the_deny_not_resource_is_outside_the_allow if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

test_fires_when_deny_has_an_extra_condition if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {
		"StringNotEquals": {"aws:SourceVpce": "vpce-1"},
		"Bool": {"aws:SecureTransport": "false"},
	}}
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

test_silent_when_deny_names_the_object_resources if {
	d := {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}, "NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

# The data perimeter pattern exempts AWS service principals from its Deny
# (BoolIfExists aws:PrincipalIsAWSService false): everyone else outside the
# organization is still refused, so the grant is not public.
test_silent_with_the_data_perimeter_deny if {
	d := {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {
		"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"},
		"BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
	}}
	count(rule.deny) == 0 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

# aws:ViaAWSService exempts any principal's requests made through an AWS
# service, so it does leave a way in.
test_fires_when_the_deny_exempts_requests_via_aws_services if {
	d := {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*", "Condition": {
		"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"},
		"BoolIfExists": {"aws:ViaAWSService": "false"},
	}}
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

# A policy variable is not a fixed value ("The meaning of public", S3 User
# Guide): ${aws:ResourceOrgID} is whatever organization the bucket is in,
# and pins nothing about the caller.
test_fires_when_condition_value_is_a_policy_variable if {
	st := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
	st2 := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEquals": {"aws:PrincipalAccount": ["111111111111", "${aws:ResourceAccount}"]}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st2]}, off, off)
	st3 := object.union(allow("*", "s3:GetObject"), {"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/app"}}})
	count(rule.deny) == 1 with input as inp({"Statement": [st3]}, off, off)
}

test_silent_when_pinned_by_a_fixed_org_id if {
	st := object.union(allow("*", "s3:GetObject"), {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [st]}, off, off)
}

# Access point delegation: a wildcard access point name with a fixed
# account ID is not public (same page); a wildcard account or region, or a
# variable, is.
test_silent_on_access_point_delegation_to_a_fixed_account if {
	st := object.union(allow("*", "s3:*"), {"Condition": {"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [st]}, off, off)
	st2 := object.union(allow("*", "s3:*"), {"Condition": {"StringEquals": {"s3:DataAccessPointAccount": "123456789012"}}})
	count(rule.deny) == 0 with input as inp({"Statement": [st2]}, off, off)
}

test_fires_on_every_non_fixed_access_point_value if {
	fired := [v |
		some v in [
			"arn:aws:s3:us-west-2:*:accesspoint/*",
			"arn:aws:s3:*:123456789012:accesspoint/*",
			"arn:aws:s3:us-west-2:${aws:PrincipalAccount}:accesspoint/*",
			"arn:aws:s3:us-west-2:123456789012:*",
			"arn:aws:s3:::accesspoint/*",
		]
		st := object.union(allow("*", "s3:*"), {"Condition": {"ArnLike": {"s3:DataAccessPointArn": v}}})
		count(rule.deny) == 1 with input as inp({"Statement": [st]}, off, off)
	]
	count(fired) == 5
}

# A Deny "unless from my organization" written with a variable pins nothing
# either, so it does not neutralise a public grant.
test_a_deny_pinned_by_a_variable_does_not_neutralise if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
		"Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}}
	count(rule.deny) == 1 with input as inp({"Statement": [allow("*", "s3:GetObject"), d]}, off, off)
}

test_verified_when_an_anonymous_head_read_an_object_the_acl_does_not_open if {
	i := inp({"Statement": [allow("*", "s3:GetObject")]}, off, off)
	iv := object.union(i, {"buckets": [object.union(i.buckets[0], {"objects": {"anonymousReadableByPolicy": 2}})]})
	some f in rule.deny with input as iv
	f.evidence.verified == "readable anonymously"
	contains(f.message, "Verified")
	some g in rule.deny with input as i
	not g.evidence.verified
}
