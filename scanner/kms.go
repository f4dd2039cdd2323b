package scanner

import (
	"cmp"
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/inventory"
)

// SSE-KMS behind CloudFront. An OAI cannot read objects encrypted with
// SSE-KMS at all; an OAC can only when the KMS key policy allows the
// service principal cloudfront.amazonaws.com kms:Decrypt for its
// distribution ("Restricting access to an Amazon S3 origin", CloudFront
// Developer Guide). So for the buckets CloudFront reads through an OAI or
// OAC, and only those, the scan reads the encryption of each sampled
// object (HeadObject: x-amz-server-side-encryption and its key) and the
// policy of every key involved (kms:GetKeyPolicy), with the role of the
// key's own account when that is another scanned account of the
// organization. A key outside the organization is a gap, not a pass.
// kms:DescribeKey first: S3 names the AWS managed key aws/s3 by its key ARN,
// which only the key's KeyManager tells from a customer managed key, and a
// bucket's default key may be an alias, which GetKeyPolicy does not take.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
// https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html

// identityOriginBuckets names the buckets read through an OAI or an OAC.
func identityOriginBuckets(ds []inventory.Distribution) map[string]bool {
	out := map[string]bool{}
	for _, d := range ds {
		for _, o := range d.Origins {
			if o.Type == inventory.OriginS3 && o.BucketName != "" && (o.OAIID != "" || o.OACID != "") {
				out[o.BucketName] = true
			}
		}
	}
	return out
}

// readObjectEncryption sends one HeadObject per sampled object with the
// bucket owner's role. An object another account owns answers 403 to the
// bucket owner (only its owner may read it): that is expected and no gap.
func (a *accountScan) readObjectEncryption(api headAPI, b *inventory.Bucket, sample *inventory.ObjectSample, keys []string) {
	var mu sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(DefaultACLConcurrency)
	for i := range sample.Objects {
		if !a.s.objectReads.enter(a.ctx) {
			break
		}
		o := &sample.Objects[i]
		foreign := o.OwnerCanonicalID != "" && o.OwnerCanonicalID != b.OwnerCanonicalID
		g.Go(func() error {
			defer a.s.objectReads.leave()
			out, err := api.HeadObject(a.ctx, &s3.HeadObjectInput{Bucket: aws.String(b.Name), Key: aws.String(keys[i])})
			if err != nil {
				if (!foreign || !isAccessDenied(err)) && !isObjectGone(err) {
					a.fail(b.Region, "s3", "HeadObject", b.ARN+"/"+o.KeyHash, err)
				}
				return nil
			}
			enc := &inventory.ObjectEncryption{SSEAlgorithm: string(out.ServerSideEncryption), KMSKeyID: aws.ToString(out.SSEKMSKeyId), BucketKeyEnabled: aws.ToBool(out.BucketKeyEnabled)}
			mu.Lock()
			o.Encryption = enc
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
}

// kmsKeysOf reads the policy of every KMS key the bucket's default
// encryption or its sampled objects name.
func (a *accountScan) kmsKeysOf(b *inventory.Bucket) []inventory.KMSKey {
	var arns []string
	add := func(id string) {
		if id == "" {
			return
		}
		arn := keyARN(id, a.arnPrefix(), cmp.Or(b.Region, a.region()), a.id)
		for _, x := range arns {
			if x == arn {
				return
			}
		}
		arns = append(arns, arn)
	}
	if b.Encryption != nil {
		for _, r := range b.Encryption.Rules {
			if strings.HasPrefix(r.SSEAlgorithm, inventory.SSEKMS) {
				add(cmp.Or(r.KMSMasterKeyID, "alias/aws/s3"))
			}
		}
	}
	for _, o := range b.Objects.Objects {
		if o.Encryption != nil && strings.HasPrefix(o.Encryption.SSEAlgorithm, inventory.SSEKMS) {
			add(cmp.Or(o.Encryption.KMSKeyID, "alias/aws/s3"))
		}
	}
	out := make([]inventory.KMSKey, 0, len(arns))
	for _, arn := range arns {
		out = append(out, a.s.kmsKey(arn))
	}
	return out
}

// keyARN turns a key ID, key ARN, alias name or alias ARN into an ARN; a
// bare ID or alias is in the bucket owner's account and the bucket's region
// (S3 SSE-KMS keys must be in the bucket's region).
func keyARN(id, arnPrefix, region, account string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	if strings.HasPrefix(id, "alias/") {
		return arnPrefix + "kms:" + region + ":" + account + ":" + id
	}
	return arnPrefix + "kms:" + region + ":" + account + ":key/" + id
}

type kmsEntry struct {
	once sync.Once
	key  inventory.KMSKey
}

// kmsKey returns the key's entry, reading its policy once per scan.
func (s *scan) kmsKey(arn string) inventory.KMSKey {
	v, _ := s.kmsKeys.LoadOrStore(arn, &kmsEntry{})
	e := v.(*kmsEntry)
	e.once.Do(func() { e.key = s.readKMSKey(arn) })
	return e.key
}

func (s *scan) readKMSKey(arn string) inventory.KMSKey {
	parts := strings.SplitN(arn, ":", 6)
	k := inventory.KMSKey{ARN: arn}
	if len(parts) < 6 {
		return k
	}
	region, account, res := parts[3], parts[4], parts[5]
	k.AccountID = account
	if res == "alias/aws/s3" {
		// The AWS managed key for S3: its policy allows use through S3 by
		// principals of the account only, and cannot be changed.
		// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
		k.AWSManaged = true
		return k
	}
	owner := s.byID[account]
	if owner != nil && !owner.ready() {
		// Another shard's account whose role could not be assumed: the
		// AssumeRole gap says so.
		return k
	}
	if owner == nil {
		s.cov.addGap(inventory.Gap{AccountID: account, Region: region, Service: "kms", Operation: "GetKeyPolicy", Resource: arn,
			Code: "OutsideOrganization", Message: "the key's account was not scanned (outside the organization or not in scope): its policy is unknown"})
		return k
	}
	// The read is made with the owner's role on behalf of whichever
	// bucket met the key first, so it runs under the owner's deadline for
	// reads outside its own buckets (owneracl.go), not under the context of
	// the owner's bucket collection: that one is replaced when phase 2
	// reaches the owner, concurrently with this read.
	ctx, cancel := context.WithDeadline(s.ctx, owner.owner.start(s.opts.AccountTimeout))
	defer cancel()
	client := kms.NewFromConfig(owner.config(region), func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, s.counters.countAttempts)
	})
	desc, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		if !isStopped(err) || s.ctx.Err() == nil {
			s.cov.add(account, region, "kms", "DescribeKey", arn, err)
		}
		return k
	}
	if m := desc.KeyMetadata; m != nil && m.KeyManager == kmstypes.KeyManagerTypeAws {
		// aws/s3 named by its key ARN (or alias): see above.
		k.AWSManaged = true
		return k
	}
	keyID := arn
	if m := desc.KeyMetadata; m != nil && aws.ToString(m.Arn) != "" {
		keyID = aws.ToString(m.Arn) // an alias resolved
	}
	out, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")})
	if err != nil {
		// An interrupted scan is one gap for the whole scan; the owner's
		// deadline is a "timeout" gap on this key.
		if !isStopped(err) || s.ctx.Err() == nil {
			s.cov.add(account, region, "kms", "GetKeyPolicy", arn, err)
		}
		return k
	}
	k.Policy = parsePolicy(aws.ToString(out.Policy))
	k.ReadByAccountID = account
	return k
}
