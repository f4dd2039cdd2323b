// Package deploy keeps the deployment templates (deploy/cloudformation)
// honest: Permissions is the one list of AWS operations hoofprint calls and
// the IAM action that authorises each, and the tests hold the templates'
// policies, the code's calls and this list in step.
package deploy

import "slices"

// Role says which IAM role needs a permission.
type Role string

const (
	// RoleMember is the read-only audit role in every member account
	// (deploy/cloudformation/member-role.yaml, logical ID AuditRole). The
	// scanner's task role holds the same reads for its own account, which
	// hoofprint scans with its own credentials.
	RoleMember Role = "member"
	// RoleMemberSecurityHub is the Security Hub import added to the audit
	// role when the template's EnableSecurityHubImport is "true": Security
	// Hub accepts a finding only from the account it is about, so the import
	// runs with each account's assumed role.
	RoleMemberSecurityHub Role = "member-securityhub"
	// RoleScanner is the scanner's ECS task role in the security tooling
	// account (deploy/cloudformation/scanner-account.yaml, logical ID
	// TaskRole): organization listing, role assumption, report upload.
	RoleScanner Role = "scanner"
	// RoleScannerKMS is added to the task role when the reports bucket
	// uses a KMS key.
	RoleScannerKMS Role = "scanner-kms"
	// RoleAnonymous is no role at all: unsigned requests, sent the way
	// anyone on the internet would (the anonymous probe). They need no
	// permission and no template grants anything for them.
	RoleAnonymous Role = "anonymous"
	// RoleBatch is added to the scanner's calls for the job role of a
	// sharded run (deploy/cloudformation/batch.yaml, logical ID JobRole):
	// plan, shards and merge read the run folder back.
	RoleBatch Role = "batch"
)

// Permission is one AWS operation hoofprint calls and the IAM action that
// authorises it.
type Permission struct {
	// Service is the SDK package name (aws-sdk-go-v2/service/<Service>).
	Service string
	// Operation is the API operation, as the SDK's <Operation>Input type
	// and the request log name it.
	Operation string
	// Action is the IAM action, from the Service Authorization Reference.
	// Empty means the operation needs no permission.
	Action string
	// Role is who needs it.
	Role Role
	// Why the scan needs it (docs/deploy.md lists these).
	Why string
	// Kind says who makes the call and whether the templates grant it.
	Kind CallKind
}

// CallKind says who makes a call and whether the templates grant it.
type CallKind int

const (
	// Direct calls are made by hoofprint and granted by the templates.
	Direct CallKind = iota
	// Indirect calls are made by another service on hoofprint's behalf
	// (S3 asks KMS for a data key), so the code never makes them.
	Indirect
	// EmulatorOnly calls are made only against emulators that answer less
	// than AWS does, so the templates do not grant them; on AWS a denied
	// call would show as a coverage gap, never as a pass.
	EmulatorOnly
)

// Permissions is every AWS operation hoofprint calls. Action names follow
// the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/):
// several S3 operations are authorised by an action of another name
// (ListBuckets by s3:ListAllMyBuckets, ListObjectsV2 and HeadBucket by
// s3:ListBucket, bucket GetPublicAccessBlock by
// s3:GetBucketPublicAccessBlock, GetBucketEncryption by
// s3:GetEncryptionConfiguration, S3 Control GetPublicAccessBlock by
// s3:GetAccountPublicAccessBlock).
var Permissions = []Permission{
	// Member accounts: read-only inventory.
	{"s3", "ListBuckets", "s3:ListAllMyBuckets", RoleMember, "list the account's buckets; the owner's canonical ID maps object owners to accounts", Direct},
	{"s3", "GetBucketLocation", "s3:GetBucketLocation", RoleMember, "find a bucket's region when ListBuckets does not return it, so later calls go to the right endpoint", Direct},
	{"s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", RoleMember, "bucket Block Public Access settings", Direct},
	{"s3", "GetBucketPolicy", "s3:GetBucketPolicy", RoleMember, "public grants, TLS-only statements, OAI/OAC grants", Direct},
	{"s3", "GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", RoleMember, "whether ACLs are disabled (BucketOwnerEnforced); skips object ACL reads when they are", Direct},
	{"s3", "GetBucketAcl", "s3:GetBucketAcl", RoleMember, "public bucket ACL grants", Direct},
	{"s3", "GetBucketLogging", "s3:GetBucketLogging", RoleMember, "server access logging (HIPAA 164.312(b) audit controls)", Direct},
	{"s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration", RoleMember, "default encryption (SSE-S3/SSE-KMS and key): CloudFront cannot read SSE-KMS objects without a key policy for its OAC", Direct},
	{"s3", "GetBucketVersioning", "s3:GetBucketVersioning", RoleMember, "versioning and MFA delete (HIPAA 164.312(c)(1) integrity)", Direct},
	{"s3", "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", RoleMember, "Object Lock state, recorded beside versioning", Direct},
	{"s3", "ListObjectsV2", "s3:ListBucket", RoleMember, "sample object keys and owners (FetchOwner), never object contents", Direct},
	{"s3", "GetObjectAcl", "s3:GetObjectAcl", RoleMember, "public or foreign-owned sampled objects", Direct},
	{"s3", "HeadObject", "s3:GetObject", RoleMember, "encryption (SSE-KMS and its key) of sampled objects in buckets CloudFront reads through an OAI/OAC; HEAD only, no object body is ever read", Direct},
	{"kms", "DescribeKey", "kms:DescribeKey", RoleMember, "whether those objects' KMS key is the AWS managed aws/s3 (S3 names it by its key ARN), and the key an alias names", Direct},
	{"kms", "GetKeyPolicy", "kms:GetKeyPolicy", RoleMember, "the policy of the KMS keys of those objects: CloudFront's OAC can decrypt only when it allows cloudfront.amazonaws.com kms:Decrypt", Direct},
	{"s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock", RoleMember, "account-level Block Public Access", Direct},
	{"cloudfront", "ListDistributions", "cloudfront:ListDistributions", RoleMember, "distributions, their S3 origins, OAI/OAC use and viewer protocol", Direct},
	{"cloudfront", "ListCloudFrontOriginAccessIdentities", "cloudfront:ListCloudFrontOriginAccessIdentities", RoleMember, "OAI canonical user IDs, to tell an OAI's grants and objects from an external account's", Direct},
	{"cloudfront", "GetDistributionConfig", "cloudfront:GetDistributionConfig", RoleMember, "legacy standard access logging, which only the configuration carries (one call per distribution; HIPAA 164.312(b))", Direct},
	{"cloudwatchlogs", "DescribeDeliverySources", "logs:DescribeDeliverySources", RoleMember, "CloudFront standard logging v2 sources (us-east-1, once per account)", Direct},
	{"cloudwatchlogs", "DescribeDeliveries", "logs:DescribeDeliveries", RoleMember, "CloudFront standard logging v2 deliveries (us-east-1, once per account)", Direct},
	{"cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails", RoleMember, "trails that could record S3 data events for the account's buckets (HIPAA 164.312(b))", Direct},
	{"cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus", RoleMember, "whether an owned trail is logging", Direct},
	{"cloudtrail", "GetEventSelectors", "cloudtrail:GetEventSelectors", RoleMember, "an owned trail's S3 data event selectors (an organization trail's only in the account that owns it)", Direct},
	{"cloudfront", "ListOriginAccessControls", "cloudfront:ListOriginAccessControls", RoleMember, "OACs that origins refer to", Direct},

	// No credentials: what anyone on the internet sees (--no-anonymous-probe turns it off).
	{"s3", "HeadObject", "", RoleAnonymous, "unsigned HEAD (no body) of sampled objects that could be public: 200 verifies they are readable by anyone", Direct},

	// Member accounts, only with --securityhub.
	{"securityhub", "BatchImportFindings", "securityhub:BatchImportFindings", RoleMemberSecurityHub, "import the account's findings (Security Hub accepts a finding only from the account it is about)", Direct},
	{"securityhub", "GetFindings", "securityhub:GetFindings", RoleMemberSecurityHub, "find earlier hoofprint findings to archive once fixed", Direct},
	{"securityhub", "BatchUpdateFindings", "securityhub:BatchUpdateFindings", RoleMemberSecurityHub, "set an accepted risk's existing finding to workflow SUPPRESSED, and back to NEW when the acceptance expires (BatchImportFindings sets the workflow only when it creates a finding)", Direct},

	// The scanner's own account.
	{"sts", "GetCallerIdentity", "", RoleScanner, "who the scanner is (needs no permission)", Direct},
	{"organizations", "DescribeOrganization", "organizations:DescribeOrganization", RoleScanner, "the organization and its management account", Direct},
	{"organizations", "ListAccounts", "organizations:ListAccounts", RoleScanner, "every member account to scan (management account or a delegated administrator only)", Direct},
	{"s3", "HeadBucket", "s3:ListBucket", RoleScanner, "tell whether a CloudFront origin's bucket exists, from the scanner's account (an unclaimed name can be taken by anyone)", Direct},
	{"sts", "AssumeRole", "sts:AssumeRole", RoleScanner, "the audit role in each member account, with the ExternalId", Direct},
	{"s3", "PutObject", "s3:PutObject", RoleScanner, "upload the reports to the reports bucket (--output)", Direct},
	{"s3", "GetObject", "s3:GetObject", RoleBatch, "read the plan and the shards' files back from the run folder of a sharded run (plan, scan --plan, merge)", Direct},
	{"s3", "GetObject", "s3:GetObject", RoleScanner, "read the accepted risks (suppressions.yaml) under the --output prefix when no --suppressions file is given", Direct},
	{"s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", RoleScanner, "refuse a public reports bucket (upload pre-flight)", Direct},
	{"s3", "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", RoleScanner, "refuse a public reports bucket (upload pre-flight)", Direct},
	{"s3", "GetBucketAcl", "s3:GetBucketAcl", RoleScanner, "refuse a public reports bucket (upload pre-flight)", Direct},
	{"kms", "GenerateDataKey", "kms:GenerateDataKey", RoleScannerKMS, "S3 asks KMS for a data key to encrypt each report (SSE-KMS); called by S3 on the scanner's behalf", Indirect},
	{"kms", "Decrypt", "kms:Decrypt", RoleScannerKMS, "S3 asks KMS to decrypt suppressions.yaml when it is stored with SSE-KMS; called by S3 on the scanner's behalf", Indirect},
}

// Actions returns the sorted, distinct IAM actions the templates grant the
// given roles.
func Actions(roles ...Role) []string {
	var out []string
	for _, p := range Permissions {
		if p.Action != "" && p.Kind != EmulatorOnly && slices.Contains(roles, p.Role) && !slices.Contains(out, p.Action) {
			out = append(out, p.Action)
		}
	}
	slices.Sort(out)
	return out
}
