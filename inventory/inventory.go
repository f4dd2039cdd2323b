// Package inventory defines the snapshot that sits between collection and
// evaluation. Collectors fill it and decide nothing; the rules engine reads
// only it; it is written to disk so that rules can be re-run offline
// (`hoofprint evaluate --inventory FILE`).
//
// The JSON form is a public contract (docs/inventory.md). Add fields freely;
// renaming or removing one needs a new SchemaVersion.
package inventory

import "time"

// SchemaVersion identifies the file layout of an inventory: v2 is the
// streamed layout of stream.go (a header, one record per bucket, a
// trailer). The Snapshot's own JSON shape is the one v1 had.
const SchemaVersion = "hoofprint.inventory/v2"

// Snapshot is everything one scan learned about an organization, including
// what it could not learn (Coverage).
type Snapshot struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	StartedAt     time.Time `json:"startedAt"`
	FinishedAt    time.Time `json:"finishedAt"`
	// Partition is the AWS partition scanned ("aws", "aws-us-gov", "aws-cn").
	Partition string `json:"partition"`
	// Organization is nil when the caller is not in an organization or may
	// not describe it; then only the caller's own account is scanned.
	Organization *Organization `json:"organization,omitempty"`
	// CallerAccountID is the account whose credentials ran the scan.
	CallerAccountID string `json:"callerAccountId"`
	// Scope says which accounts the scan set out to cover: "organization"
	// (every account ListAccounts returned, less filters) or
	// "caller-account" (the caller is not in an organization or may not
	// list it; ScopeReason says which).
	Scope       string `json:"scope,omitempty"`
	ScopeReason string `json:"scopeReason,omitempty"`
	// ShowObjectKeys records whether Object.Key was kept. When false every
	// key is replaced by its hash at collection time, so the file itself
	// carries no patient data that a key might hold.
	ShowObjectKeys bool `json:"showObjectKeys"`
	// KeyHashing says how Object.KeyHash was computed and with which secret
	// (by its SecretID); nil in inventories made before keyed hashing.
	KeyHashing *KeyHashing `json:"keyHashing,omitempty"`
	// AnonymousProbe records whether sampled objects were checked with an
	// unsigned HEAD (off with --no-anonymous-probe).
	AnonymousProbe bool `json:"anonymousProbe"`

	Accounts      []Account      `json:"accounts"`
	Buckets       []Bucket       `json:"buckets"`
	Distributions []Distribution `json:"distributions"`
	// Trails are the CloudTrail trails seen: each account's own trails
	// with their event selectors, and organization trails as member
	// accounts see them (selectors read only in the owning account).
	Trails                 []Trail                `json:"trails,omitempty"`
	OriginAccessIdentities []OriginAccessIdentity `json:"originAccessIdentities"`
	OriginAccessControls   []OriginAccessControl  `json:"originAccessControls"`
	// CanonicalIDs maps an S3 canonical user ID to the account or OAI it
	// belongs to. An owner or grantee missing from this map is external to
	// the organization.
	CanonicalIDs map[string]CanonicalIdentity `json:"canonicalIds"`

	Coverage Coverage `json:"coverage"`
}

// Scan scopes.
const (
	ScopeOrganization  = "organization"
	ScopeCallerAccount = "caller-account"
)

// Tool names the program that wrote the snapshot.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Organization is what DescribeOrganization returned.
type Organization struct {
	ID                  string `json:"id"`
	ARN                 string `json:"arn,omitempty"`
	ManagementAccountID string `json:"managementAccountId"`
}

// Account is one AWS account in scope.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Status is ACTIVE, SUSPENDED, PENDING_CLOSURE… as Organizations says.
	Status string `json:"status,omitempty"`
	// CanonicalUserID comes from the ListBuckets owner of this account.
	CanonicalUserID string `json:"canonicalUserId,omitempty"`
	// Scanned is true when credentials for the account were obtained and its
	// collectors ran (possibly with gaps, see Coverage).
	Scanned bool `json:"scanned"`
	// Skipped says why an account of the organization was not scanned
	// ("excluded", "not ACTIVE", "not in --accounts").
	Skipped string `json:"skipped,omitempty"`
	// PublicAccessBlock is the account-level S3 Block Public Access. nil means
	// it could not be read (a gap is in Coverage); a value with
	// Configured=false means no configuration exists, which is "off".
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// TrailsRead is true when the account's CloudTrail trails were listed
	// (DescribeTrails); false means unknown, never "no trail".
	TrailsRead bool `json:"trailsRead,omitempty"`
	// LogDeliveriesRead is true when the account's CloudWatch Logs
	// deliveries (CloudFront standard logging v2) were read.
	LogDeliveriesRead bool `json:"logDeliveriesRead,omitempty"`
}

// PublicAccessBlock is an S3 Block Public Access configuration (account or bucket).
type PublicAccessBlock struct {
	Configured            bool `json:"configured"`
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// AllOn reports whether all four settings are enabled.
func (p *PublicAccessBlock) AllOn() bool {
	return p != nil && p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// CanonicalIdentity is what an S3 canonical user ID stands for.
type CanonicalIdentity struct {
	// Kind is "account" or "oai".
	Kind      string `json:"kind"`
	AccountID string `json:"accountId"`
	// OAIID is set when Kind is "oai".
	OAIID string `json:"oaiId,omitempty"`
}

// Canonical identity kinds.
const (
	KindAccount = "account"
	KindOAI     = "oai"
)

// Bucket is one S3 bucket and its access configuration.
type Bucket struct {
	Name      string `json:"name"`
	ARN       string `json:"arn"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	// OwnerCanonicalID is the bucket owner's canonical user ID.
	OwnerCanonicalID string    `json:"ownerCanonicalId,omitempty"`
	CreationDate     time.Time `json:"creationDate,omitzero"`

	// Each of the following is nil when it could not be read (see Coverage).
	Policy            *BucketPolicy      `json:"policy,omitempty"`
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// OwnershipControls is nil when unreadable; ObjectOwnership is
	// "ObjectWriter" when the bucket has no ownership controls at all.
	OwnershipControls *OwnershipControls `json:"ownershipControls,omitempty"`
	ACL               *ACL               `json:"acl,omitempty"`
	Logging           *Logging           `json:"logging,omitempty"`
	// Encryption is the bucket's default encryption (GetBucketEncryption).
	Encryption *BucketEncryption `json:"encryption,omitempty"`
	// KMSKeys are the KMS keys of the bucket's default encryption and of
	// its sampled objects, with their key policies; collected only for
	// buckets that CloudFront reads through an OAI or OAC.
	KMSKeys []KMSKey `json:"kmsKeys,omitempty"`
	// Versioning is nil when it could not be read.
	Versioning *Versioning `json:"versioning,omitempty"`
	// ObjectLock is nil when it could not be read.
	ObjectLock *ObjectLock `json:"objectLock,omitempty"`

	Objects ObjectSample `json:"objects"`
}

// BucketEncryption is a bucket's default encryption configuration. Since
// January 2023 every bucket has one (SSE-S3 unless set otherwise), so
// Configured=false is seen only from older S3-compatible services that
// answer ServerSideEncryptionConfigurationNotFoundError.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
type BucketEncryption struct {
	Configured bool             `json:"configured"`
	Rules      []EncryptionRule `json:"rules"`
}

// EncryptionRule is one ServerSideEncryptionRule.
type EncryptionRule struct {
	// SSEAlgorithm is AES256 (SSE-S3), aws:kms (SSE-KMS) or aws:kms:dsse.
	SSEAlgorithm string `json:"sseAlgorithm"`
	// KMSMasterKeyID is the key ID, key ARN or alias ARN S3 was given; ""
	// with aws:kms means the account's AWS managed key aws/s3.
	KMSMasterKeyID   string `json:"kmsMasterKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled"`
}

// Server-side encryption algorithms (x-amz-server-side-encryption).
const (
	SSEAES256  = "AES256"
	SSEKMS     = "aws:kms"
	SSEKMSDSSE = "aws:kms:dsse"
)

// BucketPolicy keeps the policy as S3 returned it plus its parsed form.
type BucketPolicy struct {
	// Exists is false when the bucket has no policy (NoSuchBucketPolicy).
	Exists bool   `json:"exists"`
	Raw    string `json:"raw,omitempty"`
	// Document is the parsed JSON (map/list/strings as encoding/json gives
	// them), nil when Raw did not parse; ParseError then says why.
	Document   any    `json:"document,omitempty"`
	ParseError string `json:"parseError,omitempty"`
}

// OwnershipControls is the bucket's S3 Object Ownership setting.
type OwnershipControls struct {
	// ObjectOwnership is BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.
	ObjectOwnership string `json:"objectOwnership"`
}

// Object Ownership values.
const (
	OwnershipBucketOwnerEnforced  = "BucketOwnerEnforced"
	OwnershipBucketOwnerPreferred = "BucketOwnerPreferred"
	OwnershipObjectWriter         = "ObjectWriter"
)

// ACL is an S3 access control list.
type ACL struct {
	OwnerCanonicalID string  `json:"ownerCanonicalId,omitempty"`
	Grants           []Grant `json:"grants"`
}

// Grant is one ACL grant.
type Grant struct {
	// GranteeType is CanonicalUser, Group or AmazonCustomerByEmail.
	GranteeType string `json:"granteeType"`
	// GranteeID is the canonical user ID (CanonicalUser).
	GranteeID string `json:"granteeId,omitempty"`
	// GranteeURI is the group URI (Group), e.g. AllUsersURI.
	GranteeURI string `json:"granteeUri,omitempty"`
	// Permission is FULL_CONTROL, READ, WRITE, READ_ACP or WRITE_ACP.
	Permission string `json:"permission"`
}

// Well-known ACL group URIs.
const (
	AllUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDeliveryURI        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Logging is the bucket's server access logging configuration.
type Logging struct {
	Enabled      bool   `json:"enabled"`
	TargetBucket string `json:"targetBucket,omitempty"`
	TargetPrefix string `json:"targetPrefix,omitempty"`
}

// Versioning is the bucket's versioning state (GetBucketVersioning).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
type Versioning struct {
	// Status is "Enabled", "Suspended" or "" (never enabled).
	Status string `json:"status"`
	// MFADelete is "Enabled", "Disabled" or "" (never configured).
	MFADelete string `json:"mfaDelete,omitempty"`
}

// Versioning statuses.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// ObjectLock is the bucket's Object Lock configuration
// (GetObjectLockConfiguration; ObjectLockConfigurationNotFoundError means
// Enabled=false).
type ObjectLock struct {
	Enabled bool `json:"enabled"`
	// Mode is GOVERNANCE or COMPLIANCE for a default retention rule.
	Mode  string `json:"mode,omitempty"`
	Days  int32  `json:"days,omitempty"`
	Years int32  `json:"years,omitempty"`
}

// ObjectSample is what the scanner learned about a bucket's objects. It keeps
// only the sample, never the whole listing, so memory does not grow with the
// number of keys.
type ObjectSample struct {
	// KeysListed counts keys returned by ListObjectsV2 (owners are known for
	// all of them; only the notable ones are kept in Objects).
	KeysListed int `json:"keysListed"`
	// ListingComplete is true when every key of the bucket was listed.
	ListingComplete bool `json:"listingComplete"`
	// Pages is the number of ListObjectsV2 calls spent.
	Pages int `json:"pages"`
	// ForeignOwnedListed counts listed keys whose owner is not the bucket
	// owner (all of them, including those not kept in Objects).
	ForeignOwnedListed int `json:"foreignOwnedListed"`
	// ACLsRequested counts GetObjectAcl calls made with the bucket owner's
	// role. ACLsRead counts the objects whose ACL is known (ACLStatus
	// "read"), whoever read it: it includes ACLsReadByObjectOwner, so
	// ACLsRead <= ACLsRequested still holds (each owner read follows a
	// bucket-owner call that was denied).
	ACLsRequested int `json:"aclsRequested"`
	ACLsRead      int `json:"aclsRead"`
	// ACLsRequestedByObjectOwner counts GetObjectAcl calls made again with
	// the role of the organization account that owns the object, after the
	// bucket owner was denied; ACLsReadByObjectOwner how many succeeded.
	ACLsRequestedByObjectOwner int `json:"aclsRequestedByObjectOwner,omitempty"`
	ACLsReadByObjectOwner      int `json:"aclsReadByObjectOwner,omitempty"`
	// AnonymousProbes counts unsigned HEAD requests sent for sampled
	// objects; AnonymousReadable how many answered 200 (readable by
	// anyone). Both stay when rules see the bucket without its objects.
	AnonymousProbes   int `json:"anonymousProbes,omitempty"`
	AnonymousReadable int `json:"anonymousReadable,omitempty"`
	// AnonymousReadableByPolicy counts the 200 answers for objects whose
	// ACL is known to grant the public nothing (or ACLs are disabled): only
	// the bucket policy can have let the anonymous request in.
	AnonymousReadableByPolicy int `json:"anonymousReadableByPolicy,omitempty"`
	// ACLsSkipped says why no object ACLs were read, e.g.
	// "BucketOwnerEnforced" (ACLs disabled) or "listing failed".
	ACLsSkipped string `json:"aclsSkipped,omitempty"`
	// Seed is the reservoir sampling seed, so a sample can be reproduced.
	Seed int64 `json:"seed"`
	// PrefixesFound is the number of top-level prefixes the delimiter
	// listing returned; PrefixesListed how many of them the page budget
	// reached.
	PrefixesFound  int `json:"prefixesFound"`
	PrefixesListed int `json:"prefixesListed"`
	// Objects are the sampled objects and the foreign-owned ones (bounded).
	Objects []Object `json:"objects"`
}

// Object is one sampled object.
type Object struct {
	// Key is the object key, present only when the scan ran with
	// --show-object-keys. Keys may hold patient data.
	Key string `json:"key,omitempty"`
	// KeyHash is a stable identity of the key that cannot be reversed
	// without the deployment's key secret: KeyHasher.Hash, "hmac:" + 32 hex
	// digits (older inventories: "sha256:" + 16, see KeyHashUnkeyed).
	KeyHash string `json:"keyHash"`
	// KeyPrefix is the key's first path segment followed by "/", or "" when
	// the key has no "/". It is shown in reports to give context.
	KeyPrefix    string    `json:"keyPrefix,omitempty"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified,omitzero"`
	// OwnerCanonicalID is the owner from the listing (FetchOwner=true).
	OwnerCanonicalID string `json:"ownerCanonicalId,omitempty"`
	// ACL is nil when the ACL was not read; ACLStatus says why.
	ACL *ACL `json:"acl,omitempty"`
	// ACLStatus is one of the ACLStatus* constants.
	ACLStatus string `json:"aclStatus"`
	// ACLReadByAccountID is set when the ACL of an object owned by another
	// org account was read with that account's role: the bucket owner was
	// denied (S3 lets only the object owner, or a READ_ACP grantee, read an
	// object's ACL), so the scanner asked the owner. It is the owner
	// account's ID; "" when the bucket owner's role read the ACL.
	ACLReadByAccountID string `json:"aclReadByAccountId,omitempty"`
	// SampledBecause is "reservoir" or "foreign-owner".
	SampledBecause string `json:"sampledBecause"`
	// AnonymousHead is the answer to one unsigned HEAD of the object, sent
	// the way anyone on the internet would: 200 means readable by anyone.
	// nil when not probed (see docs/inventory.md for when it is).
	AnonymousHead *AnonymousHead `json:"anonymousHead,omitempty"`
	// Encryption is how the object is encrypted at rest, from HeadObject;
	// read only for sampled objects of buckets that CloudFront reads
	// through an OAI or OAC (nil otherwise, or when unreadable: a gap).
	Encryption *ObjectEncryption `json:"encryption,omitempty"`
}

// ObjectEncryption is HeadObject's x-amz-server-side-encryption headers.
type ObjectEncryption struct {
	// SSEAlgorithm is AES256, aws:kms or aws:kms:dsse.
	SSEAlgorithm string `json:"sseAlgorithm"`
	// KMSKeyID is the key ARN S3 names for SSE-KMS.
	KMSKeyID         string `json:"kmsKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled,omitempty"`
}

// KMSKey is a KMS key that encrypts (by default or per object) a bucket
// CloudFront reads, with its key policy: only an OAC whose distribution the
// key policy allows kms:Decrypt can read SSE-KMS objects, and an OAI never
// can.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
type KMSKey struct {
	// ARN is the key ARN (or the alias ARN S3 reported).
	ARN       string `json:"arn"`
	AccountID string `json:"accountId,omitempty"`
	// AWSManaged is true for the AWS managed key aws/s3, whose policy
	// nobody can change: CloudFront can never decrypt with it.
	AWSManaged bool `json:"awsManaged,omitempty"`
	// Policy is the key policy (GetKeyPolicy "default"), nil when it was
	// not read: a key outside the organization, or a failed read (a gap
	// says which).
	Policy *BucketPolicy `json:"policy,omitempty"`
	// ReadByAccountID is the account whose role read the policy.
	ReadByAccountID string `json:"readByAccountId,omitempty"`
}

// AnonymousHead is the result of one unsigned HEAD request.
type AnonymousHead struct {
	// Status is the HTTP status (200, 403, 404…); 0 when no answer came.
	Status int       `json:"status"`
	At     time.Time `json:"at"`
	// Error is the error code or a short word when there is no status.
	Error string `json:"error,omitempty"`
}

// Object ACL statuses.
const (
	ACLStatusRead = "read"
	// ACLStatusDeniedForeignOwner: GetObjectAcl answered AccessDenied to the
	// bucket owner. Real S3 denies the bucket owner the ACL of an object that
	// another account owns and has not granted READ_ACP, so this is evidence
	// of foreign ownership, not a coverage gap.
	ACLStatusDeniedForeignOwner = "denied-owner-is-other-account"
	ACLStatusNotRequested       = "not-requested"
	ACLStatusError              = "error"
)

// Reasons an object is in the sample.
const (
	SampledReservoir    = "reservoir"
	SampledForeignOwner = "foreign-owner"
)

// Distribution is one CloudFront distribution.
type Distribution struct {
	ID         string   `json:"id"`
	ARN        string   `json:"arn"`
	AccountID  string   `json:"accountId"`
	DomainName string   `json:"domainName"`
	Aliases    []string `json:"aliases,omitempty"`
	Enabled    bool     `json:"enabled"`
	Status     string   `json:"status,omitempty"`
	Origins    []Origin `json:"origins"`
	// CacheBehaviors includes the default behaviour with PathPattern "*".
	CacheBehaviors []CacheBehavior `json:"cacheBehaviors"`
	// ViewerCertificate is nil when the summary carried none.
	ViewerCertificate *ViewerCertificate `json:"viewerCertificate,omitempty"`
	// Logging is nil when neither kind of access logging could be read.
	Logging *DistributionLogging `json:"logging,omitempty"`
}

// ViewerCertificate is how a distribution serves HTTPS to viewers.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html
type ViewerCertificate struct {
	// CloudFrontDefault is true for the *.cloudfront.net certificate, with
	// which CloudFront accepts TLSv1 whatever MinimumProtocolVersion says.
	CloudFrontDefault bool `json:"cloudFrontDefault"`
	// MinimumProtocolVersion is the security policy, e.g. TLSv1.2_2021.
	MinimumProtocolVersion string `json:"minimumProtocolVersion,omitempty"`
	// SSLSupportMethod is sni-only, vip or static-ip.
	SSLSupportMethod string `json:"sslSupportMethod,omitempty"`
	// Source is cloudfront, acm or iam.
	Source string `json:"source,omitempty"`
}

// DistributionLogging is the distribution's access logging: legacy
// standard logging (in the distribution configuration) and standard
// logging v2 (CloudWatch Logs deliveries). Each part is nil when unread.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
type DistributionLogging struct {
	Standard *StandardLogging `json:"standard,omitempty"`
	// V2 is standard logging v2; nil when the account's deliveries were
	// not read.
	V2 *LoggingV2 `json:"v2,omitempty"`
}

// LoggingV2 lists the deliveries of the distribution's ACCESS_LOGS
// delivery source (none: v2 logging is off).
type LoggingV2 struct {
	Deliveries []LogDelivery `json:"deliveries"`
}

// StandardLogging is DistributionConfig.Logging.
type StandardLogging struct {
	Enabled bool   `json:"enabled"`
	Bucket  string `json:"bucket,omitempty"`
	Prefix  string `json:"prefix,omitempty"`
}

// LogDelivery is one CloudWatch Logs delivery of a distribution's logs.
type LogDelivery struct {
	ID              string `json:"id"`
	DestinationType string `json:"destinationType,omitempty"`
	DestinationARN  string `json:"destinationArn,omitempty"`
}

// Trail is one CloudTrail trail.
type Trail struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// AccountID owns the trail (from its ARN).
	AccountID         string `json:"accountId"`
	HomeRegion        string `json:"homeRegion"`
	MultiRegion       bool   `json:"multiRegion"`
	OrganizationTrail bool   `json:"organizationTrail"`
	// IsLogging is nil when GetTrailStatus was not read.
	IsLogging *bool `json:"isLogging,omitempty"`
	// SelectorsRead is true when GetEventSelectors answered (only the
	// owning account can read an organization trail's selectors).
	SelectorsRead          bool                    `json:"selectorsRead"`
	EventSelectors         []EventSelector         `json:"eventSelectors,omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
}

// EventSelector is a basic CloudTrail event selector.
type EventSelector struct {
	// ReadWriteType is All, ReadOnly or WriteOnly.
	ReadWriteType string         `json:"readWriteType"`
	DataResources []DataResource `json:"dataResources,omitempty"`
}

// DataResource is a basic selector's data resource, e.g. Type
// AWS::S3::Object with Values ["arn:aws:s3:::bucket/"].
type DataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values,omitempty"`
}

// AdvancedEventSelector is a named AND of field selectors.
type AdvancedEventSelector struct {
	Name           string          `json:"name,omitempty"`
	FieldSelectors []FieldSelector `json:"fieldSelectors"`
}

// FieldSelector is one condition of an advanced event selector.
type FieldSelector struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	StartsWith    []string `json:"startsWith,omitempty"`
	EndsWith      []string `json:"endsWith,omitempty"`
	NotEquals     []string `json:"notEquals,omitempty"`
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	NotEndsWith   []string `json:"notEndsWith,omitempty"`
}

// Origin is one origin of a distribution.
type Origin struct {
	ID         string `json:"id"`
	DomainName string `json:"domainName"`
	// Type is "s3" (REST endpoint), "s3-website" (website endpoint, which
	// can use neither OAI nor OAC) or "custom".
	Type string `json:"type"`
	// BucketName is resolved from DomainName for s3 and s3-website origins.
	BucketName string `json:"bucketName,omitempty"`
	// BucketRegion is the region in DomainName, if it names one.
	BucketRegion string `json:"bucketRegion,omitempty"`
	// BucketAccountID is the organization account owning BucketName, ""
	// when the bucket was not found in any scanned account.
	BucketAccountID string `json:"bucketAccountId,omitempty"`
	// BucketExists is "yes" (found in the organization), "no" (S3 says it
	// does not exist) or "unknown" (exists outside the organization or
	// could not be checked).
	BucketExists string `json:"bucketExists,omitempty"`
	// OAIID is the bare OAI ID from S3OriginConfig.OriginAccessIdentity.
	OAIID string `json:"oaiId,omitempty"`
	// OACID is OriginAccessControlId.
	OACID string `json:"oacId,omitempty"`
	// OriginPath is prepended by CloudFront to every request it sends the
	// origin ("/site": a viewer's /index.html is the object
	// site/index.html); "" for none. Only objects under it can be asked for.
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath
	OriginPath string `json:"originPath,omitempty"`
}

// Origin types.
const (
	OriginS3        = "s3"
	OriginS3Website = "s3-website"
	OriginCustom    = "custom"
)

// CacheBehavior is one cache behaviour of a distribution.
type CacheBehavior struct {
	PathPattern    string `json:"pathPattern"`
	TargetOriginID string `json:"targetOriginId"`
	// ViewerProtocolPolicy is allow-all, redirect-to-https or https-only.
	ViewerProtocolPolicy string `json:"viewerProtocolPolicy"`
}

// OriginAccessIdentity is a CloudFront origin access identity.
type OriginAccessIdentity struct {
	ID                string `json:"id"`
	AccountID         string `json:"accountId"`
	S3CanonicalUserID string `json:"s3CanonicalUserId"`
	Comment           string `json:"comment,omitempty"`
}

// OriginAccessControl is a CloudFront origin access control.
type OriginAccessControl struct {
	ID              string `json:"id"`
	AccountID       string `json:"accountId"`
	Name            string `json:"name"`
	OriginType      string `json:"originType"`
	SigningBehavior string `json:"signingBehavior"`
	SigningProtocol string `json:"signingProtocol"`
}

// Coverage is what the scan could not see. Rules and reports use it so that
// "could not read" is never mistaken for "compliant".
type Coverage struct {
	// Complete is false when the scan was interrupted or hit its deadline.
	Complete bool `json:"complete"`
	// Interrupted names the signal or deadline that stopped the scan early.
	Interrupted string `json:"interrupted,omitempty"`
	Gaps        []Gap  `json:"gaps"`
}

// Gap is one thing that could not be read.
type Gap struct {
	AccountID string `json:"accountId"`
	Region    string `json:"region,omitempty"`
	// Service is the AWS service: organizations, sts, s3, s3control, cloudfront.
	Service string `json:"service"`
	// Operation is the API operation, e.g. GetBucketPolicy.
	Operation string `json:"operation"`
	// Resource is the ARN of what could not be read ("" for account-wide).
	// Object ARNs use the key hash, never the key.
	Resource string `json:"resource,omitempty"`
	// Code is the AWS error code (AccessDenied, Throttling…) or a short
	// word for non-AWS failures (timeout, canceled).
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	// ViaAccountID is the account whose credentials made the failed call
	// when it is not AccountID: reading the ACL of an object in AccountID's
	// bucket with the role of the org account that owns the object.
	ViaAccountID string `json:"viaAccountId,omitempty"`
}
