package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// The object-owner pass.
//
// S3 lets the bucket owner list every object, but only the object's owner
// (or a READ_ACP grantee) may read an object's ACL: the bucket context of
// an object operation can only add an explicit Deny, and the object owner
// holds READ_ACP through its own ACL ("How Amazon S3 authorizes a request
// for an object operation",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html).
// So in the seed incident the dev and prod accounts get AccessDenied on the
// ACLs of the objects the tools account uploaded, and without those ACLs no
// rule can tell that dev's site is served only through a public-read ACL.
// When the owner is another account of the scan, hoofprint holds a role
// there too: this pass asks again with that role.

// deniedObject is a sampled object whose ACL was denied to the bucket
// owner. It carries the key, which GetObjectAcl needs: the key lives in
// memory only, from the sampling of its bucket to the end of this pass, and
// there are at most SampleSize+MaxForeignObjects of them per bucket.
type deniedObject struct {
	bucketAccount string
	bucket        string
	bucketARN     string
	region        string
	index         int    // in Bucket.Objects.Objects
	key           string // never logged, never stored unless ShowObjectKeys
	owner         string // the listed owner's canonical ID
}

// ownerRead is one deniedObject whose owner is another scanned account,
// resolved to the object in the snapshot.
type ownerRead struct {
	d      deniedObject
	bucket *inventory.Bucket
}

// planOwnerReads keeps the denied objects whose owner's canonical ID is a
// scanned account other than the bucket's, grouped by that owner account.
// Owners outside the organization (or accounts not scanned) are left
// alone: their objects stay "denied-owner-is-other-account".
func planOwnerReads(snap *inventory.Snapshot, canonical map[string]inventory.CanonicalIdentity, denied []deniedObject) map[string][]ownerRead {
	scanned := map[string]bool{}
	for _, a := range snap.Accounts {
		if a.Scanned {
			scanned[a.ID] = true
		}
	}
	type bucketKey struct{ account, arn string }
	buckets := make(map[bucketKey]*inventory.Bucket, len(snap.Buckets))
	for i := range snap.Buckets {
		b := &snap.Buckets[i]
		buckets[bucketKey{b.AccountID, b.ARN}] = b
	}
	plan := map[string][]ownerRead{}
	for _, d := range denied {
		id, ok := canonical[d.owner]
		if !ok || id.Kind != inventory.KindAccount || id.AccountID == d.bucketAccount || !scanned[id.AccountID] {
			continue
		}
		b := buckets[bucketKey{d.bucketAccount, d.bucketARN}]
		if b == nil || d.index < 0 || d.index >= len(b.Objects.Objects) ||
			b.Objects.Objects[d.index].ACLStatus != inventory.ACLStatusDeniedForeignOwner {
			continue
		}
		plan[id.AccountID] = append(plan[id.AccountID], ownerRead{d: d, bucket: b})
	}
	return plan
}

// readACLsAsObjectOwner is the object-owner pass. It runs once every
// account is collected, because only then is the canonical ID → account
// map complete. Each owner account gets its own deadline (AccountTimeout),
// like its collection had; an interruption stops the pass, and what it did
// not reach keeps ACLStatus "denied-owner-is-other-account", which is
// still true.
func (s *scan) readACLsAsObjectOwner(ctx context.Context, snap *inventory.Snapshot, denied []deniedObject) {
	if len(denied) == 0 || ctx.Err() != nil {
		return
	}
	plan := planOwnerReads(snap, s.canonical, denied)
	p := &ownerPass{s: s}
	g := new(errgroup.Group)
	g.SetLimit(s.opts.AccountConcurrency)
	for _, owner := range slices.Sorted(maps.Keys(plan)) {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			p.readAs(ctx, owner, plan[owner])
			return nil
		})
	}
	_ = g.Wait()
}

// ownerPass serialises the pass's writes into the snapshot: one bucket can
// hold objects of several owner accounts, read concurrently.
type ownerPass struct {
	s  *scan
	mu sync.Mutex
}

// readAs reads, with owner's role, the ACLs of the objects owner owns in
// other accounts' buckets.
func (p *ownerPass) readAs(parent context.Context, owner string, reads []ownerRead) {
	s := p.s
	ctx, cancel := context.WithTimeout(parent, s.opts.AccountTimeout)
	defer cancel()
	cfg, err := s.base.Account(ctx, owner)
	if err != nil {
		if !isStopped(err) {
			s.cov.add(owner, "", "sts", "AssumeRole", "", err)
		} else if parent.Err() == nil {
			p.deadline(owner, len(reads))
		}
		return
	}
	clients := map[string]*s3.Client{}
	g := new(errgroup.Group)
	g.SetLimit(DefaultACLConcurrency)
	var stopped atomic.Int64
	left := len(reads)
	for _, r := range reads {
		if ctx.Err() != nil {
			break
		}
		left--
		c, ok := clients[r.d.region]
		if !ok {
			c = s3.NewFromConfig(awsclient.InRegion(cfg, r.d.region), s.base.S3Options(), func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, s.counters.countAttempts)
			})
			clients[r.d.region] = c
		}
		p.mu.Lock()
		r.bucket.Objects.ACLsRequestedByObjectOwner++
		p.mu.Unlock()
		s.counters.ownerACLCalls.Add(1)
		g.Go(func() error {
			out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(r.d.bucket), Key: aws.String(r.d.key)})
			if !p.settle(ctx, owner, r, out, err) {
				stopped.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil && parent.Err() == nil {
		p.deadline(owner, left+int(stopped.Load()))
	}
}

// settle records the answer to one owner GetObjectAcl. It returns false
// when the call was abandoned because ctx ended.
func (p *ownerPass) settle(ctx context.Context, owner string, r ownerRead, out *s3.GetObjectAclOutput, err error) bool {
	s := p.s
	p.mu.Lock()
	defer p.mu.Unlock()
	o := &r.bucket.Objects.Objects[r.d.index]
	switch {
	case err == nil:
		o.ACL = convertACL(out.Owner, out.Grants)
		o.ACLStatus = inventory.ACLStatusRead
		o.ACLReadByAccountID = owner
		r.bucket.Objects.ACLsRead++
		r.bucket.Objects.ACLsReadByObjectOwner++
		s.counters.aclsRead.Add(1)
		s.counters.ownerACLReads.Add(1)
	case isAccessDenied(err):
		// The owner may be denied too (an SCP, a permissions boundary, a
		// role without s3:GetObjectAcl, or an explicit Deny in the bucket
		// policy): the bucket owner's answer still stands as evidence.
		s.log.Debug("object owner denied its own object's ACL", slog.String("account", r.d.bucketAccount),
			slog.String("owner", owner), slog.String("resource", r.d.bucketARN+"/"+o.KeyHash))
	case isStopped(err) && ctx.Err() != nil:
		// Counted by deadline, or part of the interruption.
		return false
	case isObjectGone(err):
		// Deleted since it was listed: nothing to evaluate, as in the
		// bucket owner's pass.
		o.ACLStatus = inventory.ACLStatusError
	default:
		s.cov.addVia(r.d.bucketAccount, owner, r.d.region, "s3", "GetObjectAcl", r.d.bucketARN+"/"+o.KeyHash, err)
	}
	return true
}

// deadline records that owner's deadline ended the pass before n of its
// objects' ACLs were read.
func (p *ownerPass) deadline(owner string, n int) {
	if n <= 0 {
		return
	}
	p.s.cov.addGap(inventory.Gap{
		AccountID: owner, Service: "s3", Operation: "GetObjectAcl", Code: "timeout",
		Message: fmt.Sprintf("the per-account deadline stopped reading, as their owner, the ACLs of %d objects in other accounts' buckets", n),
	})
}
