// Package scenario describes an emulated AWS organization declaratively:
// accounts, S3 buckets with their objects (and which account wrote each
// one), CloudFront distributions, OAIs and OACs, and faults. The emulator
// (package emulator) serves a loaded scenario directly; Apply builds the same
// scenario through the AWS API (in the emulator or in moto), which is what
// the contract tests compare.
//
// Resources refer to each other by name, never by generated ID, so one file
// works wherever it is applied: a bucket policy says ${oai-arn:prod-site}
// and ${account:tools}, and Resolve (or Apply) replaces them with the IDs
// of the place the scenario lives in.
package scenario

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Scenario is one emulated organization.
type Scenario struct {
	// Name identifies the scenario in logs and the demo summary.
	Name string `json:"name"`
	// Description says what the scenario shows.
	Description string `json:"description,omitempty"`
	// Organization is nil for a lone account without AWS Organizations
	// (DescribeOrganization then answers AWSOrganizationsNotInUseException).
	Organization *Organization `json:"organization,omitempty"`
	// MemberRoleName is the role every member account has (the role that
	// Organizations creates in accounts it creates).
	MemberRoleName string              `json:"memberRoleName,omitempty"`
	Accounts       []Account           `json:"accounts"`
	Buckets        []Bucket            `json:"buckets,omitempty"`
	OAIs           []OAI               `json:"originAccessIdentities,omitempty"`
	OACs           []OAC               `json:"originAccessControls,omitempty"`
	KMSKeys        []KMSKey            `json:"kmsKeys,omitempty"`
	Distributions  []Distribution      `json:"distributions,omitempty"`
	Trails         []Trail             `json:"trails,omitempty"`
	Faults         []Fault             `json:"faults,omitempty"`
	ids            map[string]string   // placeholder → value, filled by Resolve
	byName         map[string]*Account // account name → account
	oaiByName      map[string]*OAI     // OAI name → OAI
	oacByName      map[string]*OAC     // OAC name → OAC
	distByName     map[string]*Distribution
}

// Organization is the AWS Organizations organization.
type Organization struct {
	// ID like o-abcdefghij; derived from the scenario name when empty.
	ID string `json:"id,omitempty"`
	// ManagementAccount names the management account (an Accounts name).
	ManagementAccount string `json:"managementAccount"`
}

// Account is one AWS account.
type Account struct {
	// Name is the Organizations account name and how the scenario refers to it.
	Name string `json:"name"`
	// ID is the 12-digit account ID; derived from Name when empty.
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	// Status is ACTIVE unless set (SUSPENDED, PENDING_CLOSURE).
	Status string `json:"status,omitempty"`
	// Roles are the IAM role names that exist in the account (besides
	// MemberRoleName in member accounts). AssumeRole into any other role is
	// denied, as AWS denies it.
	Roles []string `json:"roles,omitempty"`
	// PublicAccessBlock is the account-level S3 Block Public Access; nil
	// means no configuration (everything off).
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// SecurityHubDisabled models an account where Security Hub is not
	// enabled: its calls answer InvalidAccessException.
	SecurityHubDisabled bool `json:"securityHubDisabled,omitempty"`
	// Outside marks an account that exists but is not a member of the
	// organization (a vendor, a former member): ListAccounts omits it, and
	// objects it writes are owned by an external account.
	Outside bool `json:"outside,omitempty"`
}

// PublicAccessBlock is an S3 Block Public Access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// AllOn is a configuration with all four settings enabled.
func AllOn() *PublicAccessBlock {
	return &PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

// Bucket is one S3 bucket.
type Bucket struct {
	Name string `json:"name"`
	// Account names the owning account.
	Account string `json:"account"`
	// Region defaults to us-east-1.
	Region string `json:"region,omitempty"`
	// Policy is the bucket policy JSON with placeholders; "" means none.
	Policy string `json:"policy,omitempty"`
	// PublicAccessBlock nil means no bucket-level configuration.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// Ownership is BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter
	// or "" (no ownership controls: a bucket from before they existed,
	// which behaves as ObjectWriter).
	Ownership string `json:"ownership,omitempty"`
	// ACL is a canned ACL (private when empty); Grants are added to it.
	ACL    string  `json:"acl,omitempty"`
	Grants []Grant `json:"grants,omitempty"`
	// Logging nil means server access logging off.
	Logging *Logging `json:"logging,omitempty"`
	// Encryption is the bucket's default encryption; nil means S3's
	// default since January 2023, SSE-S3 (AES256).
	Encryption *Encryption `json:"encryption,omitempty"`
	// CreationDate defaults to a fixed date so scenarios are reproducible.
	CreationDate time.Time `json:"creationDate,omitzero"`
	// Versioning is Enabled, Suspended or "" (never enabled); MFADelete
	// models a bucket whose root user turned MFA delete on.
	Versioning string `json:"versioning,omitempty"`
	MFADelete  bool   `json:"mfaDelete,omitempty"`
	// ObjectLock nil means the bucket was created without Object Lock.
	ObjectLock *ObjectLock `json:"objectLock,omitempty"`
	Objects    []Object    `json:"objects,omitempty"`
}

// ObjectLock is a bucket's Object Lock configuration; Mode and Days make a
// default retention rule.
type ObjectLock struct {
	Mode string `json:"mode,omitempty"`
	Days int    `json:"days,omitempty"`
}

// Encryption is server-side encryption: a bucket's default, or what an
// object's writer asked for.
type Encryption struct {
	// SSEAlgorithm is AES256, aws:kms or aws:kms:dsse.
	SSEAlgorithm string `json:"sseAlgorithm"`
	// KMSKeyID is the key (ID or ARN, placeholders allowed) for aws:kms;
	// "" means the account's AWS managed key aws/s3.
	KMSKeyID         string `json:"kmsKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled,omitempty"`
}

// Logging is a bucket's server access logging target.
type Logging struct {
	TargetBucket string `json:"targetBucket"`
	TargetPrefix string `json:"targetPrefix,omitempty"`
}

// Object is one object (or, with Count > 1, a run of them).
type Object struct {
	Key string `json:"key"`
	// Count > 1 makes Key a fmt pattern with one %d (0-based), e.g.
	// "assets/img-%04d.png", for buckets with many similar objects.
	Count int `json:"count,omitempty"`
	// Writer names the account that wrote the object (default: the bucket's).
	Writer string `json:"writer,omitempty"`
	// ACL is the canned ACL the writer sent (x-amz-acl), "" for none.
	ACL string `json:"acl,omitempty"`
	// Grants are explicit grants the writer sent (x-amz-grant-*).
	Grants []Grant `json:"grants,omitempty"`
	// Encryption is the x-amz-server-side-encryption the writer sent; nil
	// means the bucket's default applies.
	Encryption   *Encryption `json:"encryption,omitempty"`
	Size         int64       `json:"size,omitempty"`
	LastModified time.Time   `json:"lastModified,omitzero"`
}

// Keys expands Count into the object's keys.
func (o Object) Keys() []string {
	if o.Count <= 1 {
		return []string{o.Key}
	}
	keys := make([]string, o.Count)
	for i := range keys {
		keys[i] = fmt.Sprintf(o.Key, i)
	}
	return keys
}

// Grant is one ACL grant. Grantee is "account:NAME", "oai:NAME",
// "id:CANONICALID", "group:AllUsers", "group:AuthenticatedUsers" or
// "group:LogDelivery".
type Grant struct {
	Grantee    string `json:"grantee"`
	Permission string `json:"permission"`
}

// KMSKey is a customer managed KMS key. Buckets and objects refer to it as
// ${kms-key-arn:NAME} (or ${kms-key:NAME} for the bare ID).
type KMSKey struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// Region defaults to us-east-1.
	Region string `json:"region,omitempty"`
	// ID is a UUID; derived from Name when empty.
	ID string `json:"id,omitempty"`
	// Policy is the key policy JSON with placeholders; "" means the
	// default key policy (the account's principals only).
	Policy string `json:"policy,omitempty"`
	// Alias is an alias name for the key (alias/NAME), which a bucket's
	// default encryption may name instead of the key.
	Alias string `json:"alias,omitempty"`
}

// ARN is the key's ARN in account.
func (k KMSKey) ARN(account string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", k.Region, account, k.ID)
}

// KeyPolicy is the key's policy with placeholders replaced, or the
// default key policy.
func (sc *Scenario) KeyPolicy(k *KMSKey, accountID string) string {
	if k.Policy == "" {
		return DefaultKeyPolicy(accountID)
	}
	s, _ := Substitute(k.Policy, sc.ids) // checked by Resolve
	return s
}

// DefaultKeyPolicy is the policy KMS gives a key created without one: the
// account's principals may use it, as IAM allows them ("Default key
// policy", AWS KMS Developer Guide).
func DefaultKeyPolicy(accountID string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// ManagedS3KeyPolicy is the policy of an account's AWS managed key for S3
// (aws/s3), which no one can change: use through S3 by the account's own
// principals only, so no CloudFront OAC can decrypt with it.
// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
func ManagedS3KeyPolicy(accountID, region string) string {
	return `{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + accountID + `","kms:ViaService":"s3.` + region + `.amazonaws.com"}}},` +
		`{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`
}

// OAI is a CloudFront origin access identity.
type OAI struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// ID like E2QWRUHAPOMQZL; derived from Name when empty.
	ID      string `json:"id,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// OAC is a CloudFront origin access control.
type OAC struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	ID      string `json:"id,omitempty"`
	// SigningBehavior is always (default), never or no-override.
	SigningBehavior string `json:"signingBehavior,omitempty"`
}

// Distribution is a CloudFront distribution.
type Distribution struct {
	Name    string   `json:"name"`
	Account string   `json:"account"`
	ID      string   `json:"id,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// Disabled distributions still exist and still reach their origins'
	// buckets once enabled.
	Disabled        bool       `json:"disabled,omitempty"`
	Comment         string     `json:"comment,omitempty"`
	Origins         []Origin   `json:"origins"`
	DefaultBehavior Behavior   `json:"defaultBehavior"`
	Behaviors       []Behavior `json:"behaviors,omitempty"`
	// MinimumProtocolVersion is the viewer security policy of a custom
	// (ACM) certificate, e.g. TLSv1.2_2021; "" means the default
	// *.cloudfront.net certificate.
	MinimumProtocolVersion string `json:"minimumProtocolVersion,omitempty"`
	// Logging is legacy standard logging (nil: off).
	Logging *DistributionLogging `json:"logging,omitempty"`
	// LoggingV2 are standard logging v2 destinations (CloudWatch Logs
	// deliveries of an ACCESS_LOGS delivery source).
	LoggingV2 []LogDestination `json:"loggingV2,omitempty"`
}

// DistributionLogging is legacy standard logging to an S3 bucket.
type DistributionLogging struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix,omitempty"`
}

// LogDestination is a standard logging v2 destination.
type LogDestination struct {
	// Type is S3, CWL or FH.
	Type string `json:"type"`
	ARN  string `json:"arn"`
}

// Trail is a CloudTrail trail.
type Trail struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// HomeRegion defaults to us-east-1.
	HomeRegion   string `json:"homeRegion,omitempty"`
	MultiRegion  bool   `json:"multiRegion,omitempty"`
	Organization bool   `json:"organization,omitempty"`
	// Stopped models StopLogging.
	Stopped bool `json:"stopped,omitempty"`
	// S3Bucket names the scenario bucket the trail delivers to (Apply
	// needs it: CreateTrail refuses a bucket that does not exist).
	S3Bucket               string                  `json:"s3Bucket,omitempty"`
	EventSelectors         []EventSelector         `json:"eventSelectors,omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
}

// ARN is the trail's ARN once its account has an ID.
func (t Trail) ARN(accountID string) string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":" + accountID + ":trail/" + t.Name
}

// EventSelector is a basic event selector; Values of an AWS::S3::Object
// data resource are ARNs ("arn:aws:s3" for every bucket, or
// "arn:aws:s3:::BUCKET/" and "arn:aws:s3:::BUCKET/PREFIX").
type EventSelector struct {
	ReadWriteType string         `json:"readWriteType,omitempty"`
	DataResources []DataResource `json:"dataResources,omitempty"`
}

// DataResource is a basic selector's data resource.
type DataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// AdvancedEventSelector is an AND of field selectors.
type AdvancedEventSelector struct {
	Name           string          `json:"name,omitempty"`
	FieldSelectors []FieldSelector `json:"fieldSelectors"`
}

// FieldSelector is one advanced selector condition.
type FieldSelector struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	StartsWith    []string `json:"startsWith,omitempty"`
	EndsWith      []string `json:"endsWith,omitempty"`
	NotEquals     []string `json:"notEquals,omitempty"`
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	NotEndsWith   []string `json:"notEndsWith,omitempty"`
}

// Origin is a distribution origin.
type Origin struct {
	ID string `json:"id"`
	// Bucket names an S3 bucket: the domain becomes its regional REST
	// endpoint (BUCKET.s3.REGION.amazonaws.com), or its website endpoint
	// when Website is true. Bucket need not exist in the scenario (the
	// "bucket missing" case); Region then defaults to us-east-1.
	Bucket  string `json:"bucket,omitempty"`
	Region  string `json:"region,omitempty"`
	Website bool   `json:"website,omitempty"`
	// DomainName for a custom origin (when Bucket is empty).
	DomainName string `json:"domainName,omitempty"`
	// Path is the OriginPath ("/site": CloudFront asks the origin for
	// /site/KEY when a viewer asks for /KEY); "" for none.
	Path string `json:"path,omitempty"`
	// OAI and OAC name the scenario's OAI / OAC used by this origin.
	OAI string `json:"oai,omitempty"`
	OAC string `json:"oac,omitempty"`
}

// Domain is the origin's domain name as CloudFront stores it.
func (o Origin) Domain() string {
	if o.Bucket == "" {
		return o.DomainName
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	if o.Website {
		return fmt.Sprintf("%s.s3-website-%s.amazonaws.com", o.Bucket, region)
	}
	return fmt.Sprintf("%s.s3.%s.amazonaws.com", o.Bucket, region)
}

// Behavior is a cache behaviour; the default one has no PathPattern.
type Behavior struct {
	PathPattern    string `json:"pathPattern,omitempty"`
	TargetOrigin   string `json:"targetOrigin"`
	ViewerProtocol string `json:"viewerProtocolPolicy,omitempty"`
}

// Fault is a fault rule as a scenario file states it; see emulator.FaultRule.
type Fault struct {
	// Service (sts, organizations, s3, s3control, cloudfront, securityhub),
	// Operation (e.g. GetObjectAcl) and Account (a name or ID) select the
	// requests; empty matches all.
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Account   string `json:"account,omitempty"`
	// Latency is added before answering, e.g. "50ms".
	Latency string `json:"latency,omitempty"`
	// ThrottleRate in [0,1] answers with the protocol's throttling error.
	ThrottleRate float64 `json:"throttleRate,omitempty"`
	// ErrorRate in [0,1] answers HTTP 500 InternalError.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// SlowBody spreads the response body over this long, e.g. "2s".
	SlowBody string `json:"slowBody,omitempty"`
	// AccessDenied answers every matching request with AccessDenied.
	AccessDenied bool `json:"accessDenied,omitempty"`
}

// Load reads a scenario from a YAML or JSON file and resolves it.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	sc, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return sc, nil
}

// Parse reads a scenario from YAML or JSON and resolves it.
func Parse(b []byte) (*Scenario, error) {
	var sc Scenario
	if err := yaml.UnmarshalStrict(b, &sc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := sc.checkSize(); err != nil {
		return nil, err
	}
	if err := sc.Resolve(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// Fixed default dates keep a scenario's listing the same on every run.
var (
	defaultCreationDate = time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC)
	defaultModified     = time.Date(2019, 6, 30, 16, 0, 0, 0, time.UTC)
)

// MaxObjectsPerEntry and MaxObjects bound the objects a scenario file may
// make the emulator hold (the largest benchmark organization has 500,000;
// Generate, for the scale benchmark, is not bounded).
const (
	MaxObjectsPerEntry = 1_000_000
	MaxObjects         = 5_000_000
)

// checkSize refuses a scenario file whose object counts would make the
// emulator build millions of keys before serving anything ("count":
// 1000000000 parses fine).
func (sc *Scenario) checkSize() error {
	total := 0
	for _, b := range sc.Buckets {
		for _, o := range b.Objects {
			if o.Count > MaxObjectsPerEntry {
				return fmt.Errorf("bucket %s: object count %d is over %d", b.Name, o.Count, MaxObjectsPerEntry)
			}
			total += max(o.Count, 1)
		}
	}
	if total > MaxObjects {
		return fmt.Errorf("the scenario has %d objects, over %d", total, MaxObjects)
	}
	return nil
}

// Resolve fills defaults and derived IDs, checks references, and substitutes
// the placeholders in bucket policies. It is idempotent.
func (sc *Scenario) Resolve() error {
	if sc.MemberRoleName == "" {
		sc.MemberRoleName = "OrganizationAccountAccessRole"
	}
	sc.byName = map[string]*Account{}
	sc.oaiByName = map[string]*OAI{}
	sc.oacByName = map[string]*OAC{}
	sc.distByName = map[string]*Distribution{}
	var errs []error
	seenIDs := map[string]bool{}
	for i := range sc.Accounts {
		a := &sc.Accounts[i]
		if a.Name == "" {
			errs = append(errs, fmt.Errorf("account %d has no name", i))
			continue
		}
		if a.ID == "" {
			a.ID = DeriveAccountID(sc.Name, a.Name)
		}
		if !regexp.MustCompile(`^\d{12}$`).MatchString(a.ID) {
			errs = append(errs, fmt.Errorf("account %s: ID %q is not 12 digits", a.Name, a.ID))
		}
		if a.Email == "" {
			a.Email = a.Name + "@" + slug(sc.Name) + ".example"
		}
		if a.Status == "" {
			a.Status = "ACTIVE"
		}
		if sc.byName[a.Name] != nil || seenIDs[a.ID] {
			errs = append(errs, fmt.Errorf("account %s (%s) is defined twice", a.Name, a.ID))
		}
		sc.byName[a.Name] = a
		seenIDs[a.ID] = true
	}
	if len(sc.Accounts) == 0 {
		errs = append(errs, errors.New("a scenario needs at least one account"))
	}
	if sc.Organization != nil {
		if sc.byName[sc.Organization.ManagementAccount] == nil {
			errs = append(errs, fmt.Errorf("organization: management account %q is not an account", sc.Organization.ManagementAccount))
		}
		if sc.Organization.ID == "" {
			sc.Organization.ID = "o-" + hashAlnum("org/"+sc.Name, 10, "abcdefghijklmnopqrstuvwxyz0123456789")
		}
	}
	account := func(what, name string) {
		if sc.byName[name] == nil {
			errs = append(errs, fmt.Errorf("%s: account %q is not defined", what, name))
		}
	}
	for i := range sc.OAIs {
		o := &sc.OAIs[i]
		account("oai "+o.Name, o.Account)
		if o.ID == "" {
			o.ID = "E" + hashAlnum("oai/"+sc.Name+"/"+o.Name, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		}
		sc.oaiByName[o.Name] = o
	}
	for i := range sc.OACs {
		o := &sc.OACs[i]
		account("oac "+o.Name, o.Account)
		if o.ID == "" {
			o.ID = "E" + hashAlnum("oac/"+sc.Name+"/"+o.Name, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		}
		if o.SigningBehavior == "" {
			o.SigningBehavior = "always"
		}
		sc.oacByName[o.Name] = o
	}
	for i := range sc.Distributions {
		d := &sc.Distributions[i]
		account("distribution "+d.Name, d.Account)
		if d.ID == "" {
			d.ID = "E" + hashAlnum("dist/"+sc.Name+"/"+d.Name, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		}
		if d.DefaultBehavior.ViewerProtocol == "" {
			d.DefaultBehavior.ViewerProtocol = "redirect-to-https"
		}
		for j := range d.Behaviors {
			if d.Behaviors[j].ViewerProtocol == "" {
				d.Behaviors[j].ViewerProtocol = "redirect-to-https"
			}
		}
		for j, o := range d.Origins {
			if o.OAI != "" && sc.oaiByName[o.OAI] == nil {
				errs = append(errs, fmt.Errorf("distribution %s origin %s: OAI %q is not defined", d.Name, o.ID, o.OAI))
			}
			if o.OAC != "" && sc.oacByName[o.OAC] == nil {
				errs = append(errs, fmt.Errorf("distribution %s origin %s: OAC %q is not defined", d.Name, o.ID, o.OAC))
			}
			if o.Bucket != "" && o.Region == "" {
				if b := sc.Bucket(o.Bucket); b != nil {
					d.Origins[j].Region = b.Region
				}
			}
		}
		sc.distByName[d.Name] = d
	}
	bucketNames := map[string]bool{}
	for i := range sc.Buckets {
		b := &sc.Buckets[i]
		account("bucket "+b.Name, b.Account)
		if bucketNames[b.Name] {
			errs = append(errs, fmt.Errorf("bucket %s is defined twice (bucket names are global)", b.Name))
		}
		bucketNames[b.Name] = true
		if b.Region == "" {
			b.Region = "us-east-1"
		}
		if b.CreationDate.IsZero() {
			b.CreationDate = defaultCreationDate
		}
		for j := range b.Objects {
			o := &b.Objects[j]
			if o.Writer == "" {
				o.Writer = b.Account
			}
			account("bucket "+b.Name+" object writer", o.Writer)
			if o.LastModified.IsZero() {
				o.LastModified = defaultModified
			}
			if o.Count > 1 && strings.Count(o.Key, "%") != 1 {
				errs = append(errs, fmt.Errorf("bucket %s: object pattern with count %d needs exactly one %%d verb", b.Name, o.Count))
			}
			for _, g := range o.Grants {
				if _, err := sc.checkGrantee(g.Grantee); err != nil {
					errs = append(errs, fmt.Errorf("bucket %s object grant: %w", b.Name, err))
				}
			}
		}
		for _, g := range b.Grants {
			if _, err := sc.checkGrantee(g.Grantee); err != nil {
				errs = append(errs, fmt.Errorf("bucket %s grant: %w", b.Name, err))
			}
		}
	}
	for _, b := range sc.Buckets {
		if b.Logging == nil {
			continue
		}
		// S3 requires the log target in the same account and region
		// ("Enabling Amazon S3 server access logging", Amazon S3 User Guide).
		t := sc.Bucket(b.Logging.TargetBucket)
		if t == nil || t.Account != b.Account || t.Region != b.Region {
			errs = append(errs, fmt.Errorf("bucket %s: logging target %s must be a bucket of the same account in the same region", b.Name, b.Logging.TargetBucket))
		}
	}
	for i := range sc.Trails {
		t := &sc.Trails[i]
		account("trail "+t.Name, t.Account)
		if t.HomeRegion == "" {
			t.HomeRegion = "us-east-1"
		}
		if t.S3Bucket != "" {
			if b := sc.Bucket(t.S3Bucket); b == nil || b.Account != t.Account {
				errs = append(errs, fmt.Errorf("trail %s: s3Bucket %s must be a bucket of the trail's account", t.Name, t.S3Bucket))
			}
		}
		if t.Organization && (sc.Organization == nil || t.Account != sc.Organization.ManagementAccount) {
			errs = append(errs, fmt.Errorf("trail %s: an organization trail belongs to the management account", t.Name))
		}
	}
	for _, f := range sc.Faults {
		if f.Account != "" && sc.byName[f.Account] == nil && !regexp.MustCompile(`^\d{12}$`).MatchString(f.Account) {
			errs = append(errs, fmt.Errorf("fault: account %q is neither a name nor an ID", f.Account))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ids := IDs{}
	for _, a := range sc.Accounts {
		ids.Accounts = append(ids.Accounts, NamedID{a.Name, a.ID})
	}
	for _, o := range sc.OAIs {
		ids.OAIs = append(ids.OAIs, NamedID{o.Name, o.ID})
	}
	for _, d := range sc.Distributions {
		ids.Distributions = append(ids.Distributions, NamedID{d.Name, d.ID + "@" + sc.byName[d.Account].ID})
	}
	for i := range sc.KMSKeys {
		k := &sc.KMSKeys[i]
		if k.Region == "" {
			k.Region = "us-east-1"
		}
		if k.ID == "" {
			h := sha256.Sum256([]byte("kms/" + sc.Name + "/" + k.Name))
			x := hex.EncodeToString(h[:16])
			k.ID = x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
		}
		if sc.byName[k.Account] == nil {
			errs = append(errs, fmt.Errorf("kms key %s: no such account %q", k.Name, k.Account))
			continue
		}
		if k.Alias != "" && (!strings.HasPrefix(k.Alias, "alias/") || strings.HasPrefix(k.Alias, "alias/aws/")) {
			errs = append(errs, fmt.Errorf("kms key %s: alias %q is not alias/NAME (alias/aws/ names are AWS's own)", k.Name, k.Alias))
		}
		ids.KMSKeys = append(ids.KMSKeys, NamedID{k.Name, k.ARN(sc.byName[k.Account].ID)})
	}
	sc.ids = ids.placeholders()
	for _, k := range sc.KMSKeys {
		if _, err := Substitute(k.Policy, sc.ids); err != nil {
			errs = append(errs, fmt.Errorf("kms key %s policy: %w", k.Name, err))
		}
	}
	for _, b := range sc.Buckets {
		if _, err := Substitute(b.Policy, sc.ids); err != nil {
			errs = append(errs, fmt.Errorf("bucket %s policy: %w", b.Name, err))
		}
		encs := []*Encryption{b.Encryption}
		for _, o := range b.Objects {
			encs = append(encs, o.Encryption)
		}
		for _, e := range encs {
			if err := e.check(sc.ids); err != nil {
				errs = append(errs, fmt.Errorf("bucket %s encryption: %w", b.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (e *Encryption) check(ids map[string]string) error {
	if e == nil {
		return nil
	}
	switch e.SSEAlgorithm {
	case "AES256":
		if e.KMSKeyID != "" {
			return errors.New("kmsKeyId needs sseAlgorithm aws:kms")
		}
	case "aws:kms", "aws:kms:dsse":
	default:
		return fmt.Errorf("sseAlgorithm %q is not AES256, aws:kms or aws:kms:dsse", e.SSEAlgorithm)
	}
	_, err := Substitute(e.KMSKeyID, ids)
	return err
}

// KMSKeyID is e's key with the placeholders replaced ("" for none).
func (sc *Scenario) KMSKeyID(e *Encryption) string {
	if e == nil {
		return ""
	}
	s, _ := Substitute(e.KMSKeyID, sc.ids) // checked by Resolve
	return s
}

func (sc *Scenario) checkGrantee(g string) (string, error) {
	kind, name, ok := strings.Cut(g, ":")
	if !ok {
		return "", fmt.Errorf("grantee %q is not KIND:NAME", g)
	}
	switch kind {
	case "account":
		if sc.byName[name] == nil {
			return "", fmt.Errorf("grantee %q: no such account", g)
		}
	case "oai":
		if sc.oaiByName[name] == nil {
			return "", fmt.Errorf("grantee %q: no such OAI", g)
		}
	case "group":
		if GroupURI(name) == "" {
			return "", fmt.Errorf("grantee %q: group is AllUsers, AuthenticatedUsers or LogDelivery", g)
		}
	case "id":
	default:
		return "", fmt.Errorf("grantee %q: kind is account, oai, group or id", g)
	}
	return kind, nil
}

// GroupURI is the ACL group URI for a group name ("" when unknown).
func GroupURI(name string) string {
	switch name {
	case "AllUsers":
		return "http://acs.amazonaws.com/groups/global/AllUsers"
	case "AuthenticatedUsers":
		return "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	case "LogDelivery":
		return "http://acs.amazonaws.com/groups/s3/LogDelivery"
	}
	return ""
}

// Account returns the named account, nil when there is none.
func (sc *Scenario) Account(name string) *Account { return sc.byName[name] }

// OAI returns the named OAI, nil when there is none.
func (sc *Scenario) OAI(name string) *OAI { return sc.oaiByName[name] }

// OAC returns the named OAC, nil when there is none.
func (sc *Scenario) OAC(name string) *OAC { return sc.oacByName[name] }

// Distribution returns the named distribution, nil when there is none.
func (sc *Scenario) Distribution(name string) *Distribution { return sc.distByName[name] }

// Bucket returns the named bucket, nil when there is none.
func (sc *Scenario) Bucket(name string) *Bucket {
	for i := range sc.Buckets {
		if sc.Buckets[i].Name == name {
			return &sc.Buckets[i]
		}
	}
	return nil
}

// ManagementAccount is the organization's management account, or the first
// account when there is no organization.
func (sc *Scenario) ManagementAccount() *Account {
	if sc.Organization != nil {
		return sc.byName[sc.Organization.ManagementAccount]
	}
	return &sc.Accounts[0]
}

// PolicyJSON is the bucket's policy with placeholders replaced by the
// scenario's own IDs.
func (sc *Scenario) PolicyJSON(b *Bucket) string {
	s, _ := Substitute(b.Policy, sc.ids) // checked by Resolve
	return s
}

// NamedID pairs a scenario name with the ID it has in one place.
type NamedID struct{ Name, ID string }

// IDs are the IDs a scenario's names have in one place (the emulator's
// deterministic ones, or those moto generated while Apply ran).
type IDs struct {
	Accounts []NamedID
	OAIs     []NamedID
	// Distributions hold "DISTRIBUTIONID@ACCOUNTID".
	Distributions []NamedID
	// KMSKeys hold key ARNs.
	KMSKeys []NamedID
}

func (ids IDs) placeholders() map[string]string {
	m := map[string]string{}
	for _, a := range ids.Accounts {
		m["account:"+a.Name] = a.ID
		m["canonical:"+a.Name] = CanonicalUserID(a.ID)
	}
	for _, o := range ids.OAIs {
		m["oai:"+o.Name] = o.ID
		m["oai-arn:"+o.Name] = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity " + o.ID
		m["oai-canonical:"+o.Name] = OAICanonicalUserID(o.ID)
	}
	for _, d := range ids.Distributions {
		id, acct, _ := strings.Cut(d.ID, "@")
		m["distribution:"+d.Name] = id
		m["distribution-arn:"+d.Name] = fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", acct, id)
	}
	for _, k := range ids.KMSKeys {
		m["kms-key-arn:"+k.Name] = k.ID
		m["kms-key:"+k.Name] = k.ID[strings.LastIndex(k.ID, "/")+1:]
	}
	return m
}

var placeholderRE = regexp.MustCompile(`\$\{([a-z-]+:[^}]+)\}`)

// Substitute replaces ${kind:name} placeholders (account, canonical, oai,
// oai-arn, oai-canonical, distribution, distribution-arn) using values.
func Substitute(s string, values map[string]string) (string, error) {
	var missing []string
	out := placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		k := m[2 : len(m)-1]
		if ns, _, _ := strings.Cut(k, ":"); ns == "aws" || ns == "s3" {
			// An IAM policy variable (${aws:ResourceOrgID}), which the
			// policy keeps for IAM to resolve.
			return m
		}
		v, ok := values[k]
		if !ok {
			missing = append(missing, k)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown placeholders %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// CanonicalUserID is the emulator's S3 canonical user ID for an account: 64
// hex digits like real ones, distinct per account and the same on every run.
// Real IDs are opaque and not derivable from the account ID ("Find the
// canonical user ID for your AWS account", AWS Account Management guide);
// only their shape is copied.
func CanonicalUserID(accountID string) string {
	h := sha256.Sum256([]byte("hoofprint-emulator/canonical/" + accountID))
	return hex.EncodeToString(h[:])
}

// OAICanonicalUserID is the S3 canonical user ID of an OAI: 96 hex digits,
// the length CloudFront's S3CanonicalUserId has.
func OAICanonicalUserID(oaiID string) string {
	h := sha512.Sum384([]byte("hoofprint-emulator/oai/" + oaiID))
	return hex.EncodeToString(h[:])
}

// DeriveAccountID gives an account without an explicit ID a stable one.
func DeriveAccountID(scenario, name string) string {
	h := sha256.Sum256([]byte("account/" + scenario + "/" + name))
	var b strings.Builder
	for i := 0; b.Len() < 12; i++ {
		b.WriteByte('0' + h[i%len(h)]%10)
	}
	s := []byte(b.String())
	if s[0] == '0' {
		s[0] = '1'
	}
	return string(s)
}

func hashAlnum(seed string, n int, alphabet string) string {
	h := sha256.Sum256([]byte(seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(h[i%len(h)]+byte(i/len(h)))%len(alphabet)]
	}
	return string(out)
}

func slug(s string) string {
	s = strings.ToLower(s)
	s = regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(s, "-")
	s = strings.Trim(s, "-")
	if s == "" {
		return "scenario"
	}
	return s
}

// S3 Object Ownership settings.
const (
	OwnershipBucketOwnerEnforced  = "BucketOwnerEnforced"
	OwnershipBucketOwnerPreferred = "BucketOwnerPreferred"
	OwnershipObjectWriter         = "ObjectWriter"
)
