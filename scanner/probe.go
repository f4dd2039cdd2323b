package scanner

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// The anonymous probe checks what an outsider sees. The bucket owner may
// not read the ACL of an object another account uploaded (S3 lets only the
// object owner or a READ_ACP grantee read it), so an outside vendor's
// public-read upload stays an unknown ACL; and a public grant read from an
// ACL or policy is a claim the rules make from configuration. One unsigned
// HEAD request per object settles both the way anyone on the internet
// would: 200 is readable by anyone. HEAD reads no body ("HeadObject",
// Amazon S3 API Reference), needs no IAM permission, and shows in the
// bucket's server access logs as an anonymous request.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html

// maxPolicyProbes bounds the probes per bucket spent only because its
// policy could make objects public (their ACLs being known and private):
// a few answers verify a public policy, the rest would cost without
// telling more.
const maxPolicyProbes = 5

// headAPI is the part of the S3 client the probe uses.
type headAPI interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// probeFacts is what decides which objects of a bucket are probed.
type probeFacts struct {
	// ignorePublicACLs: IgnorePublicAcls is on for the bucket or the
	// account (an unread setting counts as off: probing costs one HEAD,
	// missing a public object costs more).
	ignorePublicACLs bool
	// policyMayBePublic: the bucket policy has an Allow for every
	// principal (or could not be read) and RestrictPublicBuckets is not on.
	policyMayBePublic bool
	aclsDisabled      bool
}

func bucketProbeFacts(b *inventory.Bucket, account *inventory.PublicAccessBlock) probeFacts {
	on := func(f func(*inventory.PublicAccessBlock) bool) bool {
		return (b.PublicAccessBlock != nil && f(b.PublicAccessBlock)) || (account != nil && f(account))
	}
	return probeFacts{
		ignorePublicACLs:  on(func(p *inventory.PublicAccessBlock) bool { return p.IgnorePublicAcls }),
		policyMayBePublic: !on(func(p *inventory.PublicAccessBlock) bool { return p.RestrictPublicBuckets }) && policyMayBePublic(b.Policy),
		aclsDisabled:      b.OwnershipControls != nil && b.OwnershipControls.ObjectOwnership == inventory.OwnershipBucketOwnerEnforced,
	}
}

// policyMayBePublic: an unread or unparsable policy, or one with an Allow
// for "*" (or NotPrincipal). Conditions are left to the rules; the probe
// only needs a reason to look.
func policyMayBePublic(p *inventory.BucketPolicy) bool {
	if p == nil {
		return true
	}
	if !p.Exists {
		return false
	}
	doc, ok := p.Document.(map[string]any)
	if !ok {
		return true
	}
	sts, ok := doc["Statement"].([]any)
	if !ok {
		sts = []any{doc["Statement"]}
	}
	for _, x := range sts {
		st, _ := x.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		if _, ok := st["NotPrincipal"]; ok {
			return true
		}
		if principalHasStar(st["Principal"]) {
			return true
		}
	}
	return false
}

func principalHasStar(p any) bool {
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		for _, x := range v {
			if principalHasStar(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if principalHasStar(x) {
				return true
			}
		}
	}
	return false
}

// probeReason says why an object is probed ("" for not at all): its ACL
// is unknown while public ACLs are honoured, its ACL grants AllUsers read
// (verify it), or the policy could make it public.
func (f probeFacts) probeReason(o *inventory.Object) string {
	if !f.aclsDisabled && !f.ignorePublicACLs {
		switch {
		case o.ACLStatus == inventory.ACLStatusDeniedForeignOwner || o.ACLStatus == inventory.ACLStatusError:
			return "acl-unknown"
		case o.ACL != nil && grantsAllUsersRead(o.ACL):
			return "acl-public"
		}
	}
	if f.policyMayBePublic {
		return "policy"
	}
	return ""
}

func grantsAllUsersRead(a *inventory.ACL) bool {
	for _, g := range a.Grants {
		if g.GranteeURI == inventory.AllUsersURI && (g.Permission == "READ" || g.Permission == "FULL_CONTROL") {
			return true
		}
	}
	return false
}

// probeAnonymously sends one unsigned HEAD for each sampled object that
// could be public and records the answer on it. keys are the objects'
// keys, index for index; they are used for the requests only.
func (a *accountScan) probeAnonymously(b *inventory.Bucket, sample *inventory.ObjectSample, keys []string) {
	facts := bucketProbeFacts(b, a.accountBPA)
	var idx []int
	policyOnly := 0
	for i := range sample.Objects {
		switch facts.probeReason(&sample.Objects[i]) {
		case "":
			continue
		case "policy":
			if policyOnly >= maxPolicyProbes {
				continue
			}
			policyOnly++
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return
	}
	api := a.anonymousS3(cmp.Or(b.Region, a.region()))
	probeObjects(a.ctx, a.s.objectReads, api, b.Name, sample, keys, idx, facts.aclsDisabled, a.s.opts.Now)
}

// probeObjects sends the HEADs a few at a time, within the scan's gate
// (gate.go), and counts them on the sample.
func probeObjects(ctx context.Context, gate readGate, api headAPI, bucket string, sample *inventory.ObjectSample, keys []string, idx []int, aclsDisabled bool, now func() time.Time) {
	var mu sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(DefaultACLConcurrency)
	for _, i := range idx {
		if !gate.enter(ctx) {
			break
		}
		g.Go(func() error {
			defer gate.leave()
			r := anonymousHead(ctx, api, bucket, keys[i], now)
			if r == nil {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			sample.Objects[i].AnonymousHead = r
			sample.AnonymousProbes++
			if r.Status == 200 {
				sample.AnonymousReadable++
				o := &sample.Objects[i]
				if aclsDisabled || (o.ACLStatus == inventory.ACLStatusRead && o.ACL != nil && !grantsAllUsersRead(o.ACL)) {
					sample.AnonymousReadableByPolicy++
				}
			}
			return nil
		})
	}
	_ = g.Wait()
}

// anonymousHead sends one unsigned HEAD; nil when the scan was stopped
// before an answer came.
func anonymousHead(ctx context.Context, api headAPI, bucket, key string, now func() time.Time) *inventory.AnonymousHead {
	_, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	r := &inventory.AnonymousHead{Status: 200, At: now().UTC()}
	if err == nil {
		return r
	}
	if isStopped(err) && ctx.Err() != nil {
		return nil
	}
	r.Status = httpStatus(err)
	if r.Status == 0 {
		r.Error = gapCode(err)
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() {
			r.Error = "timeout"
		}
	}
	return r
}

// anonymousS3 is an S3 client in region that signs nothing: the SDK sends
// requests made with aws.AnonymousCredentials unsigned. It shares the
// base's HTTP client, so its requests count against --concurrency and in
// the request totals like every other.
func (a *accountScan) anonymousS3(region string) *s3.Client {
	return s3.NewFromConfig(awsclient.InRegion(a.s.base.Config, region), a.s.base.S3Options(), func(o *s3.Options) {
		o.Credentials = aws.AnonymousCredentials{}
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}
