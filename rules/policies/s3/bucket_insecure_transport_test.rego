package hoofprint.rules.s3_bucket_insecure_transport_test

import data.hoofprint.rules.s3_bucket_insecure_transport as rule

inp(policy) := {"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "111111111111", "region": "us-east-1", "policy": policy}]}

deny_http(action, value) := {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": value}}}

test_fires_without_policy if {
	count(rule.deny) == 1 with input as inp({"exists": false})
}

test_fires_when_policy_only_allows if {
	doc := {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "Resource": "*"}]}
	count(rule.deny) == 1 with input as inp({"exists": true, "document": doc})
}

test_fires_when_deny_covers_only_one_action if {
	count(rule.deny) == 1 with input as inp({"exists": true, "document": {"Statement": [deny_http("s3:GetObject", "false")]}})
}

test_silent_with_deny_statement if {
	count(rule.deny) == 0 with input as inp({"exists": true, "document": {"Statement": [deny_http("s3:*", "false")]}})
	count(rule.deny) == 0 with input as inp({"exists": true, "document": {"Statement": deny_http(["*"], false)}})
}

test_silent_when_policy_unread_or_unparsed if {
	count(rule.deny) == 0 with input as {"buckets": [{"name": "b", "arn": "arn:aws:s3:::b", "accountId": "1", "region": "us-east-1"}]}
	count(rule.deny) == 0 with input as inp({"exists": true, "raw": "{", "parseError": "bad"})
}

# The Deny must apply to the bucket and to its objects: a Deny on the bucket
# ARN alone leaves GetObject over HTTP allowed.
test_fires_when_deny_names_only_the_bucket if {
	st := object.union(deny_http("s3:*", "false"), {"Resource": "arn:aws:s3:::b"})
	count(rule.deny) == 1 with input as inp({"exists": true, "document": {"Statement": [st]}})
}

test_fires_when_deny_names_only_a_prefix if {
	st := object.union(deny_http("s3:*", "false"), {"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/public/*"]})
	count(rule.deny) == 1 with input as inp({"exists": true, "document": {"Statement": [st]}})
}

# IAM ANDs conditions: a second condition narrows the Deny to some requests.
test_fires_when_deny_has_another_condition if {
	st := object.union(deny_http("s3:*", "false"), {"Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:SourceVpce": "vpce-1"}}})
	count(rule.deny) == 1 with input as inp({"exists": true, "document": {"Statement": [st]}})
}

test_silent_with_resource_star_bool_if_exists_and_aws_star_principal if {
	st := {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": ["False"]}}}
	count(rule.deny) == 0 with input as inp({"exists": true, "document": {"Statement": [st]}})
}
