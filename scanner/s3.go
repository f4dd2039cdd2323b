package scanner

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// accountPublicAccessBlock reads the account-level S3 Block Public Access.
// No configuration at all means every setting is off (Configured=false);
// nil means it could not be read (a gap).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
func (a *accountScan) accountPublicAccessBlock() *inventory.PublicAccessBlock {
	out, err := a.s3Control().GetPublicAccessBlock(a.ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(a.id)})
	switch {
	case err == nil:
		return controlBPA(out.PublicAccessBlockConfiguration)
	case isNoPublicAccessBlock(err):
		return &inventory.PublicAccessBlock{Configured: false}
	default:
		a.fail(a.region(), "s3control", "GetPublicAccessBlock", "", err)
		return nil
	}
}

// controlBPA reads the account-level setting through bucketBPA: S3 Control
// and S3 have their own types for the same four settings.
func controlBPA(c *s3ctltypes.PublicAccessBlockConfiguration) *inventory.PublicAccessBlock {
	if c == nil {
		return bucketBPA(nil)
	}
	return bucketBPA(&s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls:       c.BlockPublicAcls,
		IgnorePublicAcls:      c.IgnorePublicAcls,
		BlockPublicPolicy:     c.BlockPublicPolicy,
		RestrictPublicBuckets: c.RestrictPublicBuckets,
	})
}

// listBuckets lists the account's buckets (phase 1). The ListBuckets owner
// is the account's canonical user ID, which is how object owners and ACL
// grantees are later recognised as this account.
//
// The listing is paginated (MaxBuckets) for two reasons given in the
// ListBuckets API reference: S3 returns each bucket's BucketRegion only
// when the request carries at least one parameter (so an unpaginated call
// would cost a GetBucketLocation per bucket), and unpaginated requests are
// rejected for accounts whose bucket quota is above 10,000.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
func (a *accountScan) listBuckets() []ListedBucket {
	client := a.s3In(a.region())
	var listed []ListedBucket
	p := s3.NewListBucketsPaginator(client, &s3.ListBucketsInput{MaxBuckets: aws.Int32(listBucketsPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(a.ctx)
		if err != nil {
			a.fail(a.region(), "s3", "ListBuckets", "", err)
			break
		}
		if page.Owner != nil && aws.ToString(page.Owner.ID) != "" {
			a.acct.CanonicalUserID = aws.ToString(page.Owner.ID)
		}
		for _, b := range page.Buckets {
			listed = append(listed, listedBucket(b))
		}
	}
	if a.acct.CanonicalUserID != "" {
		a.s.addCanonical(a.acct.CanonicalUserID, inventory.CanonicalIdentity{Kind: inventory.KindAccount, AccountID: a.id})
	}
	return listed
}

// collectBucket is phase 2 for one bucket: its configuration, then a
// sample of its objects.
func (a *accountScan) collectBucket(lb ListedBucket) inventory.Bucket {
	name := lb.Name
	b := inventory.Bucket{
		Name:             name,
		ARN:              a.arnPrefix() + "s3:::" + name,
		AccountID:        a.id,
		OwnerCanonicalID: a.canonical,
		CreationDate:     lb.CreationDate,
	}
	b.Region = a.bucketRegion(lb, b.ARN)
	client := a.s3In(cmp.Or(b.Region, a.region()))
	a.collectBucketConfig(client, &b)
	b.Objects = a.sampleObjects(client, &b)
	if a.s.originBuckets[b.Name] {
		b.KMSKeys = a.kmsKeysOf(&b)
	}
	a.s.log.Debug("bucket collected", slog.String("account", a.id), slog.String("bucket", name),
		slog.Int("keysListed", b.Objects.KeysListed), slog.Int("aclsRead", b.Objects.ACLsRead))
	return b
}

// collectBucketConfig reads one bucket's configuration into b, in the
// bucket's region: every per-bucket configuration read belongs here. Each
// read that fails leaves its field nil and records a gap; "not configured"
// answers are values, not gaps.
func (a *accountScan) collectBucketConfig(client *s3.Client, b *inventory.Bucket) {
	ctx, name, arn := a.ctx, b.Name, b.ARN

	if out, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &name}); err == nil {
		b.Policy = parsePolicy(aws.ToString(out.Policy))
	} else if isNoBucketPolicy(err) {
		b.Policy = &inventory.BucketPolicy{Exists: false}
	} else {
		a.fail(b.Region, "s3", "GetBucketPolicy", arn, err)
	}

	if out, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name}); err == nil {
		b.PublicAccessBlock = bucketBPA(out.PublicAccessBlockConfiguration)
	} else if isNoPublicAccessBlock(err) {
		b.PublicAccessBlock = &inventory.PublicAccessBlock{Configured: false}
	} else {
		a.fail(b.Region, "s3", "GetPublicAccessBlock", arn, err)
	}

	if out, err := client.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &name}); err == nil {
		b.OwnershipControls = &inventory.OwnershipControls{ObjectOwnership: objectOwnership(out.OwnershipControls)}
	} else if isNoOwnershipControls(err) {
		// No Object Ownership setting is the pre-2023 default: ObjectWriter,
		// ACLs enabled, the uploader owns the object.
		b.OwnershipControls = &inventory.OwnershipControls{ObjectOwnership: inventory.OwnershipObjectWriter}
	} else {
		a.fail(b.Region, "s3", "GetBucketOwnershipControls", arn, err)
	}

	if out, err := client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: &name}); err == nil {
		b.ACL = convertACL(out.Owner, out.Grants)
		if b.OwnerCanonicalID == "" {
			b.OwnerCanonicalID = b.ACL.OwnerCanonicalID
		}
	} else {
		a.fail(b.Region, "s3", "GetBucketAcl", arn, err)
	}

	if out, err := client.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: &name}); err == nil {
		b.Logging = &inventory.Logging{}
		if le := out.LoggingEnabled; le != nil {
			b.Logging = &inventory.Logging{Enabled: true, TargetBucket: aws.ToString(le.TargetBucket), TargetPrefix: aws.ToString(le.TargetPrefix)}
		}
	} else {
		a.fail(b.Region, "s3", "GetBucketLogging", arn, err)
	}

	b.Encryption = a.bucketEncryption(client, name, b.Region, arn)
	b.Versioning = a.bucketVersioning(client, b)
	b.ObjectLock = a.bucketObjectLock(client, b)
}

// bucketEncryptionAPI is the part of the S3 client bucketEncryption uses.
type bucketEncryptionAPI interface {
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
}

// bucketEncryption reads the bucket's default encryption; nil means it
// could not be read (a gap is recorded). The answer decides whether new
// objects are SSE-KMS, which CloudFront can read only through an OAC the
// key policy allows.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
func (a *accountScan) bucketEncryption(client bucketEncryptionAPI, name, region, arn string) *inventory.BucketEncryption {
	out, err := client.GetBucketEncryption(a.ctx, &s3.GetBucketEncryptionInput{Bucket: &name})
	switch {
	case err == nil:
		return convertEncryption(out.ServerSideEncryptionConfiguration)
	case isNoEncryptionConfiguration(err):
		return &inventory.BucketEncryption{Configured: false, Rules: []inventory.EncryptionRule{}}
	default:
		a.fail(region, "s3", "GetBucketEncryption", arn, err)
		return nil
	}
}

func convertEncryption(c *s3types.ServerSideEncryptionConfiguration) *inventory.BucketEncryption {
	enc := &inventory.BucketEncryption{Configured: true, Rules: []inventory.EncryptionRule{}}
	if c == nil {
		return enc
	}
	for _, r := range c.Rules {
		rule := inventory.EncryptionRule{BucketKeyEnabled: aws.ToBool(r.BucketKeyEnabled)}
		if d := r.ApplyServerSideEncryptionByDefault; d != nil {
			rule.SSEAlgorithm = string(d.SSEAlgorithm)
			rule.KMSMasterKeyID = aws.ToString(d.KMSMasterKeyID)
		}
		enc.Rules = append(enc.Rules, rule)
	}
	return enc
}

// listBucketsPageSize is the MaxBuckets of each ListBuckets page. Older
// revisions of the API reference give 1,000 as the maximum and newer ones
// 10,000; 1,000 is valid under both.
const listBucketsPageSize = 1000

// bucketRegion is the bucket's region: ListBuckets now returns it
// (BucketRegion), which saves a call; otherwise GetBucketLocation, whose
// empty answer means us-east-1 and whose legacy "EU" means eu-west-1.
// "" means unknown (a gap is recorded).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
func (a *accountScan) bucketRegion(lb ListedBucket, arn string) string {
	if lb.Region != "" {
		return lb.Region
	}
	out, err := a.s3In(a.region()).GetBucketLocation(a.ctx, &s3.GetBucketLocationInput{Bucket: aws.String(lb.Name)})
	if err != nil {
		a.fail(a.region(), "s3", "GetBucketLocation", arn, err)
		return ""
	}
	return normalizeLocation(string(out.LocationConstraint))
}

func normalizeLocation(loc string) string {
	switch loc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return loc
}

// parsePolicy keeps the policy as S3 returned it and its parsed form; a
// policy that does not parse is recorded, not fatal (rules see ParseError).
func parsePolicy(raw string) *inventory.BucketPolicy {
	p := &inventory.BucketPolicy{Exists: true, Raw: raw}
	var doc any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		p.ParseError = err.Error()
	} else {
		p.Document = doc
	}
	return p
}

func bucketBPA(c *s3types.PublicAccessBlockConfiguration) *inventory.PublicAccessBlock {
	if c == nil {
		return &inventory.PublicAccessBlock{Configured: false}
	}
	return &inventory.PublicAccessBlock{
		Configured:            true,
		BlockPublicAcls:       aws.ToBool(c.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(c.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets),
	}
}

func objectOwnership(c *s3types.OwnershipControls) string {
	if c != nil {
		for _, r := range c.Rules {
			if r.ObjectOwnership != "" {
				return string(r.ObjectOwnership)
			}
		}
	}
	return inventory.OwnershipObjectWriter
}

func convertACL(owner *s3types.Owner, grants []s3types.Grant) *inventory.ACL {
	acl := &inventory.ACL{Grants: []inventory.Grant{}}
	if owner != nil {
		acl.OwnerCanonicalID = aws.ToString(owner.ID)
	}
	for _, g := range grants {
		ig := inventory.Grant{Permission: string(g.Permission)}
		if g.Grantee != nil {
			ig.GranteeType = string(g.Grantee.Type)
			ig.GranteeID = aws.ToString(g.Grantee.ID)
			ig.GranteeURI = aws.ToString(g.Grantee.URI)
		}
		acl.Grants = append(acl.Grants, ig)
	}
	return acl
}
