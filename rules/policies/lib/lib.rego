# METADATA
# title: hoofprint shared helpers
# description: |
#   Helpers shared by the hoofprint rules: effective Block Public Access,
#   bucket-policy public-ness, ownership via canonical IDs, and whether a
#   CloudFront origin identity (OAI or OAC) can read a sampled object.
#   Every helper is undefined (not false) when a fact it needs was not read,
#   so that a coverage gap never reads as compliant or as a violation.
package hoofprint.lib

# ---------------------------------------------------------------------------
# Generic helpers

# as_array turns a JSON value that IAM allows as "one or many" into an array.
as_array(x) := x if is_array(x)

as_array(x) := [x] if not is_array(x)

# statements returns a parsed policy's statements (IAM allows one object or
# a list), each with its index in the policy.
statements(doc) := [st | some st in as_array(doc.Statement)]

# ---------------------------------------------------------------------------
# Accounts and canonical IDs

# accounts_by_id indexes input.accounts once per evaluation. It is a
# complete rule on purpose: OPA caches its value, whereas a partial object
# rule queried by key re-runs its body (a scan of every account) per lookup.
accounts_by_id := {a.id: a | some a in input.accounts}

# account returns the inventory account with the given ID.
account(id) := accounts_by_id[id]

# bucket_owner_cid is the canonical ID of the bucket owner: the bucket's own
# record, falling back to the owning account's ListBuckets owner.
bucket_owner_cid(b) := b.ownerCanonicalId if b.ownerCanonicalId != ""

bucket_owner_cid(b) := account(b.accountId).canonicalUserId if {
	object.get(b, "ownerCanonicalId", "") == ""
	account(b.accountId).canonicalUserId != ""
}

# acls_disabled: Object Ownership BucketOwnerEnforced disables ACLs; S3 then
# ignores every ACL and the bucket owner owns every object.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
acls_disabled(b) if b.ownershipControls.objectOwnership == "BucketOwnerEnforced"

acls_enabled(b) if {
	b.ownershipControls.objectOwnership
	b.ownershipControls.objectOwnership != "BucketOwnerEnforced"
}

# owner_account returns the organization account that a canonical ID maps
# to; undefined when the ID belongs to no account of the organization.
owner_account(cid) := id if {
	ident := input.canonicalIds[cid]
	ident.kind == "account"
	id := ident.accountId
}

# external_owner is true when a canonical ID maps to nothing the scan knows.
external_owner(cid) if {
	cid != ""
	not input.canonicalIds[cid]
}

# ---------------------------------------------------------------------------
# Effective Block Public Access: the bucket's and the account's settings
# combine and the most restrictive wins.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html

bpa_settings := ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"]

# bpa_on is true when the bucket or its account has the setting on.
bpa_on(b, setting) if b.publicAccessBlock[setting] == true

bpa_on(b, setting) if account(b.accountId).publicAccessBlock[setting] == true

# bpa_off is true only when both the bucket's and the account's settings
# were read and neither enables the setting.
bpa_off(b, setting) if {
	b.publicAccessBlock[setting] == false
	account(b.accountId).publicAccessBlock[setting] == false
}

# bpa_state is "on", "off" or "unknown", for evidence.
bpa_state(b, setting) := "on" if {
	bpa_on(b, setting)
} else := "off" if {
	bpa_off(b, setting)
} else := "unknown"

# ---------------------------------------------------------------------------
# ACL grants

public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

read_permissions := {"READ", "FULL_CONTROL"}

# public_grants lists the grants of an ACL to AllUsers or AuthenticatedUsers.
public_grants(acl) := [g |
	some g in acl.grants
	g.granteeType == "Group"
	g.granteeUri in public_groups
]

# public_read_grants lists public grants that allow reading the object.
public_read_grants(acl) := [g |
	some g in public_grants(acl)
	g.permission in read_permissions
]

# acl_grants_read_to(acl, cid) is true when the ACL grants READ or
# FULL_CONTROL to the canonical user cid.
acl_grants_read_to(acl, cid) if {
	some g in acl.grants
	g.granteeType == "CanonicalUser"
	g.granteeId == cid
	g.permission in read_permissions
}

# ---------------------------------------------------------------------------
# Policy statements

# principal_values returns the values of one principal type ("AWS",
# "Service", "CanonicalUser", "Federated") as an array; "*" as a bare
# string stands for every type.
principal_values(p, kind) := ["*"] if p == "*"

principal_values(p, kind) := as_array(p[kind]) if is_object(p)

# wildcard_principal: Principal "*" or {"AWS": "*"} (or a list holding "*").
wildcard_principal(st) if st.Principal == "*"

wildcard_principal(st) if {
	is_object(st.Principal)
	some kind, _ in st.Principal
	"*" in as_array(st.Principal[kind])
}

# grants_everyone: an Allow that names every principal, either directly or
# with NotPrincipal (which allows everyone except the listed principals).
grants_everyone(st) if {
	st.Effect == "Allow"
	wildcard_principal(st)
}

grants_everyone(st) if {
	st.Effect == "Allow"
	st.NotPrincipal
}

# actions returns the statement's actions, lower-cased (IAM action names are
# case-insensitive).
actions(st) := [lower(a) | some a in as_array(st.Action)]

# action_matches(pattern, action): IAM wildcards * and ? in action names.
action_matches(pattern, action) if glob.match(lower(pattern), null, lower(action))

# allows_action(st, action): the statement covers action through Action, or
# through NotAction that does not exclude it.
allows_action(st, action) if {
	some p in as_array(st.Action)
	action_matches(p, action)
}

allows_action(st, action) if {
	st.NotAction
	not excluded_by_not_action(st, action)
}

excluded_by_not_action(st, action) if {
	some p in as_array(st.NotAction)
	action_matches(p, action)
}

# "Bad actions" from the S3 definition of public: s3:Get*, s3:List*,
# s3:Put*, s3:Delete*, s3:AbortMultipartUpload and s3:RestoreObject, with
# every action those patterns match.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
bad_prefixes := ["s3:get", "s3:list", "s3:put", "s3:delete", "s3:abortmultipartupload", "s3:restoreobject"]

# Representative actions, to test action patterns such as "s3:G*" or
# NotAction lists against the bad-action patterns.
bad_examples := [
	"s3:getobject", "s3:getobjectversion", "s3:getobjectacl", "s3:getbucketacl",
	"s3:listbucket", "s3:listbucketversions", "s3:putobject", "s3:putobjectacl",
	"s3:putbucketpolicy", "s3:deleteobject", "s3:deletebucket",
	"s3:abortmultipartupload", "s3:restoreobject",
]

bad_action(a) if {
	some p in bad_prefixes
	startswith(lower(a), p)
}

bad_action(a) if {
	some e in bad_examples
	action_matches(a, e)
}

# public_actions lists the bad actions a statement allows: its Action
# entries that are bad, or for NotAction the bad examples it does not
# exclude.
public_actions(st) := [a | some a in actions(st); bad_action(a)] if st.Action

public_actions(st) := [a | some a in bad_examples; allows_action(st, a)] if {
	not st.Action
	st.NotAction
}

# Condition keys that pin a statement to fixed principals or networks: the
# keys of "The meaning of public" (Blocking public access to your Amazon S3
# storage). IAM condition keys are case-insensitive, so they are compared
# lower-cased. aws:PrincipalOrgPaths is not on AWS's list: S3 treats a
# statement pinned only by it as public, and so does this rule.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
pinning_keys := {
	"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
	"aws:sourceaccount", "aws:sourceip", "aws:userid",
	"s3:x-amz-server-side-encryption-aws-kms-key-id",
	"aws:principalorgid", "aws:principalaccount", "aws:principalarn",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount",
}

# Operators that only match the listed values. IfExists variants are not
# here on purpose: a request without the key (any anonymous request) passes
# them.
positive_operators := {
	"StringEquals", "StringEqualsIgnoreCase", "StringLike",
	"ArnEquals", "ArnLike", "IpAddress",
	"ForAnyValue:StringEquals", "ForAnyValue:StringLike",
}

negative_operators := {
	"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
	"ArnNotEquals", "ArnNotLike", "NotIpAddress",
	"StringNotEqualsIfExists", "StringNotLikeIfExists",
	"ArnNotEqualsIfExists", "ArnNotLikeIfExists", "NotIpAddressIfExists",
	"ForAllValues:StringNotEquals", "ForAllValues:StringNotLike",
}

# fixed_value: a condition value that names something specific. AWS counts
# only "fixed values (values that don't contain a wildcard or an AWS
# Identity and Access Management Policy variable)": any * or ? makes the
# value non-fixed ("vpc-*", "arn:aws:iam::111122223333:role/*", a userid
# "AROA…:*"), and so does any ${…} variable ("${aws:ResourceOrgID}" is
# whatever the request's resource says, which pins nothing). An
# aws:SourceIp range broader than /8 (IPv4) or /32 (IPv6) is public too.
# The one exception AWS names is access point delegation:
# s3:DataAccessPointArn with a wildcard access point name and a fixed
# account ID (access_point_delegation).
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
fixed_value(key, v) if {
	is_string(v)
	not contains(v, "*")
	not contains(v, "?")
	not contains(v, "${")
	not wildcard_account_arn(key, v)
	not broad_cidr(key, v)
}

fixed_value(key, v) if access_point_delegation(key, v)

# A number (an account ID written without quotes, which IAM reads as the
# same text) holds no wildcard or variable: it pins.
fixed_value(_, v) if is_number(v)

# access_point_delegation: "arn:aws:s3:us-west-2:123456789012:accesspoint/*"
# names every access point of one fixed account, which the S3 User Guide
# says is not public ("a wildcard … for the access point name … with a
# fixed account ID"). Partition, service, region and account must be
# literal (the account 12 digits); only the access point name may hold
# wildcards, and no part a policy variable.
access_point_delegation(key, v) if {
	key == "s3:dataaccesspointarn"
	is_string(v)
	not contains(v, "${")
	parts := split(v, ":")
	count(parts) == 6
	parts[0] == "arn"
	regex.match(`^aws(-cn|-us-gov)?$`, parts[1])
	parts[2] == "s3"
	regex.match(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`, parts[3])
	regex.match(`^[0-9]{12}$`, parts[4])
	startswith(parts[5], "accesspoint/")
	count(parts[5]) > count("accesspoint/")
}

# An ARN too short to name an account pins nothing.
wildcard_account_arn(key, v) if {
	key in {"aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn"}
	parts := split(v, ":")
	count(parts) < 5
}

broad_cidr(key, v) if {
	key == "aws:sourceip"
	not contains(v, ":")
	parts := split(v, "/")
	count(parts) == 2
	to_number(parts[1]) < 8
}

broad_cidr(key, v) if {
	key == "aws:sourceip"
	contains(v, ":")
	parts := split(v, "/")
	count(parts) == 2
	to_number(parts[1]) < 32
}

# pinned_by(cond, ops) is true when some operator in ops tests a pinning key
# and every value it lists is fixed.
pinned_by(cond, ops) if {
	some op, kv in cond
	op in ops
	some k, vals in kv
	key := lower(k)
	key in pinning_keys
	values := as_array(vals)
	count(values) > 0
	every v in values {
		fixed_value(key, v)
	}
}

# pinned: the statement's own conditions restrict it to fixed values.
pinned(st) if pinned_by(st.Condition, positive_operators)

# neutralised_by_deny: some Deny statement for every principal denies all of
# the statement's public actions, on all of its resources, to requests that
# do not come from fixed accounts, VPCs or ARNs (the "deny unless from my
# VPC" pattern). Every condition of the Deny must be such a negated pin: IAM
# ANDs a statement's conditions, so any other condition (say
# aws:SecureTransport false) narrows what the Deny refuses.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
neutralised_by_deny(doc, st) if {
	some d in statements(doc)
	d.Effect == "Deny"
	wildcard_principal(d)
	every a in public_actions(st) {
		deny_covers_action(d, a)
	}
	covers_resources(d, st)
	only_negated_pins(d.Condition)
}

# only_negated_pins: a condition block with at least one negated pin whose
# every entry is a negated pin (a pinning key with fixed values under a
# negated operator) or the data perimeter's exemption of AWS service
# principals (Bool/BoolIfExists aws:PrincipalIsAWSService false), which
# lets in no one but AWS services.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
only_negated_pins(cond) if {
	some op, kv in cond
	op in negative_operators
	some k, _ in kv
	lower(k) in pinning_keys
	every op2, kv2 in cond {
		every k2, vals in kv2 {
			allowed_deny_condition(op2, lower(k2), as_array(vals))
		}
	}
}

allowed_deny_condition(op, k, vals) if {
	op in negative_operators
	k in pinning_keys
	count(vals) > 0
	every v in vals {
		fixed_value(k, v)
	}
}

allowed_deny_condition(op, "aws:principalisawsservice", vals) if {
	op in {"Bool", "BoolIfExists"}
	count(vals) > 0
	every v in vals {
		lower(sprintf("%v", [v])) == "false"
	}
}

# resources returns the resource patterns a statement applies to; a
# statement with NotResource is taken to apply to everything.
resources(st) := as_array(st.Resource) if st.Resource

resources(st) := ["*"] if not st.Resource

# covers_resources(d, st): every resource pattern of st is matched by a
# Resource pattern of d (st's pattern read as a literal ARN), and by none of
# d's NotResource patterns.
covers_resources(d, st) if {
	d.Resource
	every r in resources(st) {
		some p in as_array(d.Resource)
		glob.match(p, null, r)
	}
}

covers_resources(d, st) if {
	not d.Resource
	d.NotResource
	every r in resources(st) {
		not resource_excluded(d, r)
	}
}

resource_excluded(d, r) if {
	some p in as_array(d.NotResource)
	glob.match(p, null, r)
}

# A NotResource inside the Allow's pattern (b/public/* of b/*) leaves that
# part of it allowed: the Deny does not cover the whole pattern.
resource_excluded(d, r) if {
	some p in as_array(d.NotResource)
	glob.match(r, null, p)
}

# deny_covers_action(d, a): the Deny refuses everything the Allow's action
# a grants. a may be a pattern (s3:*): a Deny whose NotAction leaves out
# s3:GetObject covers the text "s3:*" but not the GetObject it grants, so
# each bad example a matches must be refused too, and no NotAction entry
# may lie inside a.
deny_covers_action(d, a) if {
	allows_action(d, a)
	not not_action_inside(d, a)
	every e in bad_examples {
		refuses_example(d, a, e)
	}
}

not_action_inside(d, a) if {
	some p in as_array(d.NotAction)
	action_matches(a, p)
}

refuses_example(_, a, e) if not action_matches(a, e)

refuses_example(d, _, e) if allows_action(d, e)

# public_statements lists, with their index, the statements of a parsed
# policy that grant a bad action to everyone without pinning conditions.
public_statements(doc) := [{"index": i, "sid": object.get(st, "Sid", ""), "actions": public_actions(st), "getObject": allows_get_object(st)} |
	some i, st in as_array(doc.Statement)
	grants_everyone(st)
	count(public_actions(st)) > 0
	not pinned(st)
	not neutralised_by_deny(doc, st)
]

# allows_get_object is true or false (never undefined), for evidence.
allows_get_object(st) := true if {
	allows_action(st, "s3:GetObject")
} else := false

# public_get_object_statements: public statements that allow s3:GetObject.
public_get_object_statements(doc) := [s |
	some s in public_statements(doc)
	s.getObject == true
]

# policy_doc returns a bucket's parsed policy; undefined when the policy
# could not be read or did not parse.
policy_doc(b) := b.policy.document if {
	b.policy.exists == true
	b.policy.document
}

# policy_known is true when the bucket's policy was read: either there is
# none, or it parsed.
policy_known(b) if b.policy.exists == false

policy_known(b) if policy_doc(b)

# policy_statements_or_empty: the statements of a bucket's policy, [] when
# the bucket has no policy; undefined when not known.
policy_statements_or_empty(b) := [] if b.policy.exists == false

policy_statements_or_empty(b) := statements(policy_doc(b))

# ---------------------------------------------------------------------------
# CloudFront origin identities

oai_arn(oai_id) := sprintf("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity %s", [oai_id])

# oai_arns: the OAI's IAM ARN in the commercial partition and in the scan's
# own partition (China: arn:aws-cn:…).
oai_arns(oai_id) := {oai_arn(oai_id), sprintf("arn:%s:iam::cloudfront:user/CloudFront Origin Access Identity %s", [partition, oai_id])}

oais_by_id := {x.id: x | some x in input.originAccessIdentities}

# oai returns the inventory OAI with the given ID.
oai(id) := oais_by_id[id]

# ---------------------------------------------------------------------------
# What CloudFront asks the origin for. CloudFront prepends the origin's
# OriginPath to every request ("/site": a viewer's /index.html is the
# object site/index.html), so only objects under that prefix are ever
# requested, and only grants whose Resource reaches them let CloudFront in.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath

# origin_key_prefix is the key prefix CloudFront's requests carry: "" or
# "site/" (for OriginPath "/site" or "/site/").
origin_key_prefix(o) := "" if {
	trim(object.get(o, "originPath", ""), "/") == ""
} else := sprintf("%s/", [trim(o.originPath, "/")])

# origin_objects_arn is the ARN prefix of every object CloudFront can ask
# this origin for: "arn:aws:s3:::b/" or "arn:aws:s3:::b/site/".
origin_objects_arn(bucket_arn, o) := sprintf("%s/%s", [bucket_arn, origin_key_prefix(o)])

# grants_bucket_objects: some Resource of the statement can name an object
# of the bucket ("*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/site/*", …). A grant
# on the bucket ARN alone, or on another bucket, reads no object.
grants_bucket_objects(st, bucket_arn) if reaches_objects(st, sprintf("%s/", [bucket_arn]))

# reaches_objects(st, prefix): some Resource of the statement can name an
# object whose ARN starts with prefix: a resource under the prefix
# ("b/site/img/*", "b/site/index.html"), or a pattern whose literal part
# before its first wildcard is a prefix of it ("*", "b/*", "b/s*").
# "b/assets/*" reaches nothing under "b/site/".
reaches_objects(st, prefix) if {
	some r in resources(st)
	startswith(r, prefix)
}

reaches_objects(st, prefix) if {
	some r in resources(st)
	regex.match(`[*?]`, r)
	lit := regex.split(`[*?]`, r)[0]
	startswith(prefix, lit)
}

# object_in_origin_path: CloudFront can ask the origin for this sampled
# object. Without the key (no --show-object-keys) only the first path
# segment is known: an object whose first segment differs from the origin
# path's is outside it; under a deeper origin path ("/site/v2") an object
# in "site/" may or may not be, and is not judged.
object_in_origin_path(prefix, _) if prefix == ""

object_in_origin_path(prefix, obj) if {
	prefix != ""
	object.get(obj, "key", "") != ""
	startswith(obj.key, prefix)
}

object_in_origin_path(prefix, obj) if {
	prefix != ""
	object.get(obj, "key", "") == ""
	prefix == object.get(obj, "keyPrefix", "")
}

# ---------------------------------------------------------------------------
# The request context of CloudFront's origin requests. Grants and Denies
# are evaluated against what such a request actually carries, with the
# operators' reading of a missing key ("Condition operators": a missing key
# fails every operator except the negated ones, …IfExists, Null "true" and
# ForAllValues).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
#
# Both kinds of request are made by CloudFront, which is in no
# organization, from no VPC and through no access point. An OAI request is
# signed as the OAI, a CloudFront user (its IAM ARN is the principal ARN);
# it is not an AWS service principal and has no aws:SourceArn. An OAC
# request is signed by the service principal cloudfront.amazonaws.com with
# aws:SourceArn (the distribution's ARN) and aws:SourceAccount (its
# account). For an S3 REST origin CloudFront uses the viewer's protocol
# ("Requiring HTTPS for communication between CloudFront and your Amazon S3
# origin"), so aws:SecureTransport is true only when every cache behaviour
# of the origin redirects or refuses HTTP. Every other key (aws:SourceIp:
# an edge address; aws:userid; aws:PrincipalAccount; aws:CurrentTime; tags;
# aws:SourceOrgID …) is "uncertain": a condition on it is neither met nor
# failed, and the evidence says so.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html

cf_absent_keys := {
	"aws:principalorgid", "aws:principalorgpaths", "aws:sourcevpc", "aws:sourcevpce",
	"aws:vpcsourceip", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
	"s3:accesspointnetworkorigin",
}

cf_context(d, o) := {
	"identity": "oai",
	"known": object.union(
		{"aws:principalarn": oai_arn_in_partition(o.oaiId), "aws:principalisawsservice": "false"},
		secure_transport_context(d, o),
	),
	"absent": cf_absent_keys | {"aws:sourcearn", "aws:sourceaccount", "aws:principalservicename"},
} if o.oaiId != ""

cf_context(d, o) := {
	"identity": "oac",
	"known": object.union(
		{
			"aws:sourcearn": d.arn, "aws:sourceaccount": d.accountId,
			"aws:principalisawsservice": "true", "aws:principalservicename": "cloudfront.amazonaws.com",
		},
		secure_transport_context(d, o),
	),
	"absent": cf_absent_keys,
} if object.get(o, "oaiId", "") == ""

oai_arn_in_partition(oai_id) := sprintf("arn:%s:iam::cloudfront:user/CloudFront Origin Access Identity %s", [partition, oai_id])

secure_transport_context(d, o) := {"aws:securetransport": "true"} if {
	bs := [x | some x in d.cacheBehaviors; x.targetOriginId == o.id]
	count(bs) > 0
	every x in bs {
		x.viewerProtocolPolicy in {"https-only", "redirect-to-https"}
	}
} else := {}

ctx_absent(ctx, k) if k in ctx.absent

ctx_absent(_, k) if startswith(k, "aws:principaltag/")

# cond_eval(cond, ctx) is "true" when every condition of the block holds for
# the request, "false" when one fails, and "uncertain" otherwise.
cond_eval(cond, ctx) := "false" if {
	some op, kv in cond
	some k, vals in kv
	entry_eval(op, lower(k), as_array(vals), ctx) == "false"
} else := "uncertain" if {
	some op, kv in cond
	some k, vals in kv
	entry_eval(op, lower(k), as_array(vals), ctx) == "uncertain"
} else := "true"

# cond_uncertain lists the condition entries that could not be decided, for
# evidence ("StringEquals aws:SourceIp").
cond_uncertain(cond, ctx) := sort([sprintf("%s %s", [op, k]) |
	some op, kv in cond
	some k, vals in kv
	entry_eval(op, lower(k), as_array(vals), ctx) == "uncertain"
])

statement_cond(st) := object.get(st, "Condition", {})

# entry_eval evaluates one operator/key/values entry.
entry_eval(op, k, vals, ctx) := r if {
	not ctx.known[k]
	ctx_absent(ctx, k)
	r := absent_result(op, vals)
} else := r if {
	v := ctx.known[k]
	r := present_result(op, vals, v)
} else := "uncertain"

# A key the request lacks: the negated operators, …IfExists and
# ForAllValues hold; Null holds when it asks for "true"; all others fail.
absent_result(op, _) := "true" if endswith(op, "IfExists")

absent_result(op, _) := "true" if {
	not endswith(op, "IfExists")
	startswith(op, "ForAllValues:")
}

absent_result(op, vals) := r if {
	not endswith(op, "IfExists")
	not startswith(op, "ForAllValues:")
	op == "Null"
	r := every_value_text(vals, "true")
}

absent_result(op, _) := "true" if {
	not endswith(op, "IfExists")
	not startswith(op, "ForAllValues:")
	op != "Null"
	negated_operator(op)
}

absent_result(op, _) := "false" if {
	not endswith(op, "IfExists")
	not startswith(op, "ForAllValues:")
	op != "Null"
	not negated_operator(op)
}

# every_value_text is "true" when every value reads as want, else "false"
# (never undefined, unlike a bare test).
every_value_text(vals, want) := "true" if {
	every v in vals {
		lower(sprintf("%v", [v])) == want
	}
} else := "false"

# A key the request carries with a known value.
present_result("Null", vals, _) := every_value_text(vals, "false")

present_result(op, vals, v) := "uncertain" if {
	op != "Null"
	some x in vals
	contains(sprintf("%v", [x]), "${")
} else := "true" if {
	op != "Null"
	base_operator(op) in string_operators
	string_operator_holds(op, vals, v)
} else := "false" if {
	op != "Null"
	base_operator(op) in string_operators
} else := "true" if {
	base_operator(op) == "Bool"
	any_value_is(vals, lower(v))
} else := "false" if {
	base_operator(op) == "Bool"
} else := "uncertain" if op != "Null"

string_operators := {
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
}

string_operator_holds(op, vals, v) if {
	not negated_operator(op)
	some x in vals
	condition_value_matches(op, sprintf("%v", [x]), v)
}

string_operator_holds(op, vals, v) if {
	negated_operator(op)
	not any_value_matches(op, [sprintf("%v", [x]) | some x in vals], v)
}

any_value_is(vals, want) if {
	some x in vals
	lower(sprintf("%v", [x])) == want
}

# ---------------------------------------------------------------------------
# Grants to an origin identity, judged against the request context.

# oai_grant_statement: an Allow of s3:GetObject reaching what the origin
# asks for, naming the OAI by its IAM ARN or by its S3 canonical user ID.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#private-content-restricting-access-to-s3-oai
oai_grant_statement(st, objects_arn, oai_id, cid) if {
	st.Effect == "Allow"
	allows_action(st, "s3:GetObject")
	reaches_objects(st, objects_arn)
	oai_named(st, oai_id, cid)
}

oai_named(st, oai_id, _) if {
	some v in principal_values(st.Principal, "AWS")
	v in oai_arns(oai_id)
}

oai_named(st, _, cid) if {
	cid != ""
	cid in principal_values(st.Principal, "CanonicalUser")
}

# oac_statement: an Allow of s3:GetObject reaching what the origin asks
# for, to the CloudFront service principal, whatever its conditions.
oac_statement(st, objects_arn) if {
	st.Effect == "Allow"
	allows_action(st, "s3:GetObject")
	reaches_objects(st, objects_arn)
	"cloudfront.amazonaws.com" in principal_values(st.Principal, "Service")
}

# identity_grant_statements lists the Allow statements that name the
# origin's identity and reach what it asks for, with their conditions'
# verdict for its requests.
identity_grant_statements(b, d, o) := [{"st": st, "eval": cond_eval(statement_cond(st), ctx), "uncertain": cond_uncertain(statement_cond(st), ctx)} |
	ctx := cf_context(d, o)
	objects_arn := origin_objects_arn(b.arn, o)
	some st in statements(policy_doc(b))
	identity_statement(st, objects_arn, o)
]

identity_statement(st, objects_arn, o) if {
	o.oaiId != ""
	oai_grant_statement(st, objects_arn, o.oaiId, object.get(oai(o.oaiId), "s3CanonicalUserId", ""))
}

identity_statement(st, objects_arn, o) if {
	object.get(o, "oaiId", "") == ""
	oac_statement(st, objects_arn)
}

# oai_grant_state is "granted" (a grant whose conditions hold for the OAI's
# requests), "uncertain" (none holds, one cannot be decided),
# "conditions-not-met" (the grants there are need what CloudFront's
# requests never carry, e.g. aws:PrincipalOrgID), or "none". Undefined when
# the policy is unknown.
oai_grant_state(b, d, o) := "granted" if {
	some x in identity_grant_statements(b, d, o)
	x.eval == "true"
} else := "uncertain" if {
	some x in identity_grant_statements(b, d, o)
	x.eval == "uncertain"
} else := "conditions-not-met" if {
	count(identity_grant_statements(b, d, o)) > 0
} else := "none" if {
	policy_known(b)
}

# grant_uncertainties lists, for evidence, the conditions of the origin's
# grants that could not be decided.
grant_uncertainties(b, d, o) := sort({u |
	some x in identity_grant_statements(b, d, o)
	some u in x.uncertain
}) if policy_doc(b)

grant_uncertainties(b, _, _) := [] if b.policy.exists == false

# source_arns returns the values an Allow statement's conditions accept
# for aws:SourceArn (any operator that tests the key positively).
source_arns(st) := [v |
	some op, kv in st.Condition
	op in {"StringEquals", "StringLike", "ArnEquals", "ArnLike"}
	some k, vals in kv
	lower(k) == "aws:sourcearn"
	some v in as_array(vals)
]

# CloudFront signs OAC requests with aws:SourceArn (the distribution's ARN)
# and aws:SourceAccount (its account) in the request context.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
source_keys := {"aws:sourcearn", "aws:sourceaccount"}

has_source_condition(st) if {
	some _, kv in st.Condition
	some k, _ in kv
	lower(k) in source_keys
}

# source_conditions_match: every condition on aws:SourceArn or
# aws:SourceAccount accepts this distribution (the other keys aside).
source_conditions_match(st, dist_arn) if {
	every op, kv in object.get(st, "Condition", {}) {
		every k, vals in kv {
			source_condition_ok(op, lower(k), as_array(vals), dist_arn)
		}
	}
}

source_condition_ok(_, k, _, _) if not k in source_keys

source_condition_ok(op, k, vals, dist_arn) if {
	k in source_keys
	not negated_operator(op)
	some v in vals
	condition_value_matches(op, v, source_value(k, dist_arn))
}

source_condition_ok(op, k, vals, dist_arn) if {
	k in source_keys
	negated_operator(op)
	not any_value_matches(op, vals, source_value(k, dist_arn))
}

any_value_matches(op, vals, target) if {
	some v in vals
	condition_value_matches(op, v, target)
}

source_value("aws:sourcearn", dist_arn) := dist_arn

source_value("aws:sourceaccount", dist_arn) := split(dist_arn, ":")[4]

# base_operator strips the set prefix and the IfExists suffix.
base_operator(op) := trim_suffix(trim_prefix(trim_prefix(op, "ForAnyValue:"), "ForAllValues:"), "IfExists")

negated_operator(op) if contains(base_operator(op), "Not")

# condition_value_matches: the IAM string and ARN operators. StringEquals
# compares literally; the Like operators and the ARN operators take * and ?
# as wildcards.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
condition_value_matches(op, v, target) if {
	base_operator(op) in {"StringEquals", "StringNotEquals"}
	v == target
}

condition_value_matches(op, v, target) if {
	base_operator(op) in {"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
	lower(v) == lower(target)
}

condition_value_matches(op, v, target) if {
	base_operator(op) in {"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
	glob.match(v, null, target)
}

# Other operators on these keys (Null "false", …) hold for a CloudFront
# request, which always carries both keys.
condition_value_matches(op, _, _) if {
	not base_operator(op) in {
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	}
}

# ---------------------------------------------------------------------------
# Deny statements that refuse an origin identity. An explicit Deny wins over
# every Allow and every ACL grant ("Policy evaluation logic"; "How Amazon S3
# authorizes a request for an object operation"). A Deny refuses the
# identity when it names it (Principal "*", its ARN or service, or a
# NotPrincipal that leaves it out), covers s3:GetObject on every object the
# origin can ask for, and its conditions hold for the identity's requests
# (cond_eval "true": unconditional, "deny unless from my organization /
# VPC / account", Null aws:PrincipalOrgID …). A Deny whose conditions cannot
# be decided (aws:SourceIp, aws:SecureTransport under allow-all) is not
# taken to refuse; deny_uncertainties names it.

denies_all_objects(d, objects_arn) if {
	d.Effect == "Deny"
	allows_action(d, "s3:GetObject")
	covers_resources(d, {"Resource": [sprintf("%s*", [objects_arn])]})
}

deny_names_oai(d, oai_id) if wildcard_principal(d)

deny_names_oai(d, oai_id) if {
	some v in principal_values(d.Principal, "AWS")
	v in oai_arns(oai_id)
}

deny_names_oai(d, oai_id) if {
	d.NotPrincipal
	not oai_listed(d.NotPrincipal, oai_id)
}

oai_listed(p, oai_id) if {
	some v in principal_values(p, "AWS")
	v in oai_arns(oai_id)
}

deny_names_oac(d) if wildcard_principal(d)

deny_names_oac(d) if "cloudfront.amazonaws.com" in principal_values(d.Principal, "Service")

deny_names_oac(d) if {
	d.NotPrincipal
	not "cloudfront.amazonaws.com" in principal_values(d.NotPrincipal, "Service")
}

deny_names_identity(d, o) if {
	o.oaiId != ""
	deny_names_oai(d, o.oaiId)
}

deny_names_identity(d, o) if {
	object.get(o, "oaiId", "") == ""
	deny_names_oac(d)
}

identity_deny_statements(b, d, o) := [{"st": st, "eval": cond_eval(statement_cond(st), ctx), "uncertain": cond_uncertain(statement_cond(st), ctx)} |
	ctx := cf_context(d, o)
	objects_arn := origin_objects_arn(b.arn, o)
	some st in statements(policy_doc(b))
	denies_all_objects(st, objects_arn)
	deny_names_identity(st, o)
]

# policy_denies_identity: a Deny of the bucket policy refuses the origin's
# identity (OAI, or this distribution's OAC).
policy_denies_identity(b, d, o) if {
	some x in identity_deny_statements(b, d, o)
	x.eval == "true"
}

policy_denies_identity_bool(b, d, o) := true if {
	policy_denies_identity(b, d, o)
} else := false

deny_uncertainties(b, d, o) := sort({u |
	some x in identity_deny_statements(b, d, o)
	x.eval == "uncertain"
	some u in x.uncertain
}) if policy_doc(b)

deny_uncertainties(b, _, _) := [] if b.policy.exists == false

# oac_grant_state tells how the bucket policy lets this distribution's OAC
# read: "pinned" (a grant whose conditions hold for its requests, with an
# AWS:SourceArn / AWS:SourceAccount condition), "denied" (a Deny refuses
# it, whatever the grants), "unscoped" (a grant to cloudfront.amazonaws.com
# that holds without such a condition: it works, but for every distribution
# of every AWS account), "uncertain" (a grant whose conditions cannot be
# decided), "conditions-not-met" (a grant that names this distribution but
# whose other conditions CloudFront's requests never meet, e.g.
# aws:PrincipalOrgID), or "none". Undefined when the policy is unknown.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
oac_grant_state(b, d, o) := "denied" if {
	policy_denies_identity(b, d, o)
} else := "pinned" if {
	some x in identity_grant_statements(b, d, o)
	x.eval == "true"
	has_source_condition(x.st)
} else := "unscoped" if {
	some x in identity_grant_statements(b, d, o)
	x.eval == "true"
	not has_source_condition(x.st)
} else := "uncertain" if {
	some x in identity_grant_statements(b, d, o)
	x.eval == "uncertain"
} else := "conditions-not-met" if {
	some x in identity_grant_statements(b, d, o)
	has_source_condition(x.st)
	source_conditions_match(x.st, d.arn)
} else := "none" if {
	policy_known(b)
}

policy_grants_oac(b, d, o) if oac_grant_state(b, d, o) in {"pinned", "unscoped"}

# cloudfront_source_arns: every aws:SourceArn value that statements for the
# CloudFront service principal accept (evidence for a mismatch).
cloudfront_source_arns(b) := [v |
	some st in statements(policy_doc(b))
	st.Effect == "Allow"
	"cloudfront.amazonaws.com" in principal_values(st.Principal, "Service")
	some v in source_arns(st)
]

buckets_by_name := {b.name: b | some b in input.buckets}

# bucket_by_name returns the inventory bucket with the given name.
bucket_by_name(name) := buckets_by_name[name]

# identity_origins lists, for a bucket, every S3 REST origin that reads it
# through an OAI or OAC: {dist, origin}.
identity_origins(b) := [{"dist": d, "origin": o} |
	some d in input.distributions
	some o in d.origins
	o.type == "s3"
	o.bucketName == b.name
	origin_identity(o)
]

origin_identity(o) if o.oaiId != ""

origin_identity(o) if {
	o.oacId != ""
	not oac_never_signs(o)
}

oacs_by_id := {x.id: x | some x in input.originAccessControls}

# oac_never_signs: an OAC with SigningBehavior "never" does not sign origin
# requests; CloudFront then reads the bucket anonymously, as without an OAC.
# https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html
oac_never_signs(o) if oacs_by_id[o.oacId].signingBehavior == "never"

# ---------------------------------------------------------------------------
# Sampled objects.
#
# Rules over objects first take the bucket's facts (bucket_facts) and its
# origins (origin_grants) once, then test each object against those small
# values: passing the whole bucket to a function per object would make OPA
# hash it (with all its objects) on every call.

# bucket_facts summarises what object rules need to know about a bucket.
bucket_facts(b) := {
	"ownerCid": owner_cid_or_empty(b),
	"aclsDisabled": acls_disabled_bool(b),
	"ignorePublicAcls": bpa_state(b, "ignorePublicAcls"),
	"restrictPublicBuckets": bpa_state(b, "restrictPublicBuckets"),
	"publicGetPolicy": public_get_policy_state(b),
	"publicPolicy": public_policy_state(b),
}

owner_cid_or_empty(b) := c if {
	c := bucket_owner_cid(b)
} else := ""

# The *_bool helpers turn a test into true or false (never undefined), so
# that it can be stored in facts and evidence.
acls_disabled_bool(b) := true if {
	acls_disabled(b)
} else := false

policy_known_bool(b) := true if {
	policy_known(b)
} else := false


# public_get_policy_state is "yes" when the policy allows s3:GetObject to
# everyone, "no" when it does not (or there is no policy), "unknown" when
# the policy could not be read or parsed.
public_get_policy_state(b) := "yes" if {
	count(public_get_object_statements(policy_doc(b))) > 0
} else := "no" if {
	policy_known(b)
} else := "unknown"

# public_policy_state is "yes" when some statement of the policy is public
# (any bad action), "no" when none is (or there is no policy), "unknown"
# when the policy could not be read or parsed.
public_policy_state(b) := "yes" if {
	count(public_statements(policy_doc(b))) > 0
} else := "no" if {
	policy_known(b)
} else := "unknown"

# restricted_cross_account is true when RestrictPublicBuckets cuts every
# cross-account grant of the bucket policy: "public and cross-account access
# within any public bucket policy, including non-public delegation to
# specific accounts, is blocked". Only AWS service principals (an OAC) and
# the bucket owner's account keep access; an OAI is a CloudFront user of
# another account and loses it.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
restricted_cross_account(policy_state, rpb_state) if {
	policy_state == "yes"
	rpb_state == "on"
}

restricted_cross_account_bool(b) := true if {
	restricted_cross_account(public_policy_state(b), bpa_state(b, "restrictPublicBuckets"))
} else := false

# owned_by_bucket_owner is true when the bucket owner owns the object:
# always under BucketOwnerEnforced, else when the listing's owner is it.
owned_by_bucket_owner(facts, o) if facts.aclsDisabled == true

owned_by_bucket_owner(facts, o) if {
	facts.aclsDisabled == false
	o.ownerCanonicalId != ""
	o.ownerCanonicalId == facts.ownerCid
}

# owned_by_other is true when the object is known to be owned by someone
# other than the bucket owner: a listed owner that differs, or GetObjectAcl
# denied to the bucket owner, which real S3 does for objects another account
# owns (docs/inventory.md, "the sample").
owned_by_other(facts, o) if {
	facts.aclsDisabled == false
	facts.ownerCid != ""
	o.ownerCanonicalId != ""
	o.ownerCanonicalId != facts.ownerCid
}

owned_by_other(facts, o) if {
	facts.aclsDisabled == false
	object.get(o, "ownerCanonicalId", "") == ""
	o.aclStatus == "denied-owner-is-other-account"
}

# origin_grants describes, once per bucket, each OAI/OAC origin reading it
# and whether the bucket policy grants its identity. Origins whose OAI is not
# in the inventory (its canonical ID unknown) are left out: whether an ACL
# grants them cannot be judged.
origin_grants(b) := [g |
	some x in identity_origins(b)
	g := origin_grant(b, x.dist, x.origin)
]

origin_grant(b, d, o) := {
	"ref": origin_grant_ref(b, d, o, state),
	"kind": "oai",
	"oaiCanonicalId": cid,
	"pathPrefix": origin_key_prefix(o),
	"policyKnown": policy_known_bool(b),
	"policyGrants": state == "granted",
	"policyDenies": policy_denies_identity_bool(b, d, o),
} if {
	o.oaiId != ""
	cid := oai(o.oaiId).s3CanonicalUserId
	cid != ""
	state := grant_state_or_unknown(b, d, o)
}

origin_grant(b, d, o) := {
	"ref": origin_grant_ref(b, d, o, state),
	"kind": "oac",
	"oaiCanonicalId": "",
	"pathPrefix": origin_key_prefix(o),
	"policyKnown": policy_known_bool(b),
	"policyGrants": state in {"pinned", "unscoped"},
	"policyDenies": policy_denies_identity_bool(b, d, o),
} if {
	object.get(o, "oaiId", "") == ""
	o.oacId != ""
	not oac_never_signs(o)
	state := grant_state_or_unknown(b, d, o)
}

grant_state_or_unknown(b, d, o) := s if {
	o.oaiId != ""
	s := oai_grant_state(b, d, o)
} else := s if {
	s := oac_grant_state(b, d, o)
} else := "unknown"

# origin_grant_ref is the origin's evidence: where a grant or a Deny could
# not be decided for CloudFront's requests, it says which conditions and
# that the verdict is uncertain, rather than calling the grant good.
origin_grant_ref(b, d, o, state) := object.union(origin_ref(d, o), {"policyGrant": state, "uncertain": true, "uncertainConditions": us}) if {
	us := uncertainties(b, d, o)
	count(us) > 0
} else := origin_ref(d, o)

uncertainties(b, d, o) := array.concat(grant_uncertainties(b, d, o), deny_uncertainties(b, d, o)) if {
	policy_known(b)
} else := []

# identity_path(p, facts, g, obj) is true when origin g's own identity
# reads the object by way p, without any public grant.
#
# An OAI reads through the bucket policy only objects the bucket owner owns
# (a bucket policy cannot grant access to objects of another account), or
# through an object ACL granting READ to its canonical ID.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
identity_path("bucket policy grants the OAI", facts, g, obj) if {
	g.kind == "oai"
	g.policyGrants == true
	owned_by_bucket_owner(facts, obj)
	not restricted_cross_account(facts.publicPolicy, facts.restrictPublicBuckets)
}

identity_path("object ACL grants the OAI", facts, g, obj) if {
	g.kind == "oai"
	facts.aclsDisabled == false
	acl_grants_read_to(obj.acl, g.oaiCanonicalId)
}

# An OAC signs as the cloudfront.amazonaws.com service principal, which no
# ACL can name: only the bucket policy can grant it, and only on objects the
# bucket owner owns.
identity_path("bucket policy grants this distribution", facts, g, obj) if {
	g.kind == "oac"
	g.policyGrants == true
	owned_by_bucket_owner(facts, obj)
}

identity_path_names := ["bucket policy grants the OAI", "object ACL grants the OAI", "bucket policy grants this distribution"]

# identity_paths is the set of ways the origin identity reads the object.
# A Deny of the bucket policy that refuses the identity closes every path.
identity_paths(facts, g, obj) := {p |
	g.policyDenies == false
	some p in identity_path_names
	identity_path(p, facts, g, obj)
}

# identity_paths_under_bpa is the set of ways the origin identity would
# read the object once all four Block Public Access settings are on: an
# OAI's grant in the bucket policy survives only if the policy is not public
# (RestrictPublicBuckets then cuts every cross-account grant in it).
identity_paths_under_bpa(facts, g, obj) := {p |
	some p in identity_paths(facts, g, obj)
	not cut_by_restrict_public_buckets(p, facts)
}

cut_by_restrict_public_buckets("bucket policy grants the OAI", facts) if facts.publicPolicy != "no"

# public_path(p, facts, obj) is true when a public grant p lets anyone (the
# origin identity included) read the object today, and Block Public Access
# would cut it: a public-read object ACL while IgnorePublicAcls is off, or a
# public bucket policy while RestrictPublicBuckets is off.
public_path("public object ACL", facts, obj) if {
	facts.aclsDisabled == false
	count(public_read_grants(obj.acl)) > 0
	facts.ignorePublicAcls == "off"
}

public_path("public bucket policy", facts, obj) if {
	owned_by_bucket_owner(facts, obj)
	facts.publicGetPolicy == "yes"
	facts.restrictPublicBuckets == "off"
}

public_path_names := ["public object ACL", "public bucket policy"]

# public_paths is the set of public ways anyone reads the object today.
public_paths(facts, obj) := {p | some p in public_path_names; public_path(p, facts, obj)}

# public_path_unknown: whether a public grant lets anyone read the object
# could not be decided (BPA or the policy could not be read).
public_path_unknown(facts, obj) if {
	facts.aclsDisabled == false
	count(public_read_grants(obj.acl)) > 0
	facts.ignorePublicAcls == "unknown"
}

public_path_unknown(facts, obj) if {
	owned_by_bucket_owner(facts, obj)
	facts.publicGetPolicy == "yes"
	facts.restrictPublicBuckets == "unknown"
}

public_path_unknown(facts, obj) if {
	owned_by_bucket_owner(facts, obj)
	facts.publicGetPolicy == "unknown"
	facts.restrictPublicBuckets != "on"
}

# origin_ref describes an origin in evidence.
origin_ref(d, o) := {
	"distributionId": d.id,
	"distributionArn": d.arn,
	"distributionAccountId": d.accountId,
	"originId": o.id,
	"oaiId": object.get(o, "oaiId", ""),
	"oacId": object.get(o, "oacId", ""),
}

# object_ref names an object for a finding, in one call per finding:
# its ARN, display name and message label. With --show-object-keys the key
# is used; otherwise the key hash (and the first path segment in the label),
# since keys may hold patient data.
object_ref(bucket_arn, bucket_name, obj) := {
	"arn": sprintf("%s/%s", [bucket_arn, obj.key]),
	"name": sprintf("%s/%s", [bucket_name, obj.key]),
	"label": sprintf("object %q", [obj.key]),
} if obj.key != ""

object_ref(bucket_arn, bucket_name, obj) := {
	"arn": sprintf("%s/%s", [bucket_arn, obj.keyHash]),
	"name": sprintf("%s/%s", [bucket_name, obj.keyHash]),
	"label": sprintf("object %s (prefix %q)", [obj.keyHash, object.get(obj, "keyPrefix", "")]),
} if object.get(obj, "key", "") == ""

# public_path_possible: some object of the bucket could be public through an
# ACL or the policy (a cheap test before looking at each object).
public_path_possible(facts) if {
	facts.aclsDisabled == false
	facts.ignorePublicAcls == "off"
}

public_path_possible(facts) if {
	facts.publicPolicy == "yes"
	facts.restrictPublicBuckets == "off"
}

count_or_zero(x) := count(x) if is_array(x)

count_or_zero(x) := 0 if not is_array(x)

# sample_evidence describes the sample a sampled rule judged.
sample_evidence(b) := {
	"keysListed": b.objects.keysListed,
	"listingComplete": b.objects.listingComplete,
	"objectsSampled": count_or_zero(object.get(b.objects, "objects", [])),
	"aclsRead": b.objects.aclsRead,
}

# ---------------------------------------------------------------------------
# The anonymous probe: one unsigned HEAD of a sampled object, as anyone on
# the internet would send it (scanner/probe.go). 200 verifies public read.

# probe_evidence is {} when the object was not probed, else its answer and,
# for 200, the verified mark the reports show.
probe_evidence(obj) := {"anonymousHead": obj.anonymousHead, "verified": "readable anonymously"} if {
	obj.anonymousHead.status == 200
} else := {"anonymousHead": obj.anonymousHead} if {
	obj.anonymousHead
} else := {}

verified_text(obj) := " (verified: readable anonymously)" if {
	obj.anonymousHead.status == 200
} else := ""

# partition is the AWS partition of the scan ("aws" when not recorded).
partition := p if {
	p := input.partition
	p != ""
} else := "aws"

# finding builds one deny entry in the shape the Go engine reads.
finding(account_id, region, resource_type, arn, name, message, evidence) := {
	"account_id": account_id,
	"region": region,
	"resource_type": resource_type,
	"resource_arn": arn,
	"resource_name": name,
	"message": message,
	"evidence": evidence,
}

# account_arn is the identity Security Hub gives an account resource.
account_arn(id) := sprintf("AWS::::Account:%s", [id])

# cloudfront_region: CloudFront is global; Security Hub records its
# findings in the partition's home region: US East (N. Virginia) in aws,
# where CloudFront itself is, and the region each other partition has
# (there is no us-east-1 in China or GovCloud).
cloudfront_region := r if {
	r := {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}[input.partition]
} else := "us-east-1"
