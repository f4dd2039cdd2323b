package scanner

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoofprint/hoofprint/inventory"
)

// Reading an object's ACL as its owner.
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
//
// Phase 1 of the scan learns every account's canonical ID, so when the
// listing shows an object owned by another scanned account of the
// organization, its ACL is read with that account's role straight away:
// no denied first attempt with the bucket owner's role. Only when the
// owner's read fails (its role is denied too, an error, its deadline) is
// the bucket owner asked, whose AccessDenied is then the evidence of
// foreign ownership it always was.

// ownerReader reads object ACLs with the role of the account that owns
// the objects.
type ownerReader struct {
	accountID string
	api       objectSampleAPI
	// scan is the scan's context and deadline the owner's: its reads stop
	// when the scan stops, or either the owner's or the bucket's deadline
	// ends.
	scan     context.Context
	deadline time.Time
	// stopped counts the reads the owner's deadline stopped.
	stopped *atomic.Int64
	// release lets go of the owner's clients (nil in unit tests).
	release func()
}

// ownerDeadline is the deadline of the reads made with one account's role
// for other accounts' buckets (the ACLs of objects it owns there, the
// policies of KMS keys it owns, kms.go): AccountTimeout from its first
// such read, like any other work of the account. A time, not a context:
// every account of the organization has one for the whole run, and a
// context with a timer, plus the map of children its concurrent reads
// left behind (Go maps do not shrink), cost about 1.5 KB an account
// (BENCHMARKS.md "Scale"). Each read's own context carries it instead.
type ownerDeadline struct {
	once    sync.Once
	at      time.Time
	stopped atomic.Int64
}

// start starts the deadline on the first read that needs it and returns
// it.
func (d *ownerDeadline) start(timeout time.Duration) time.Time {
	d.once.Do(func() { d.at = time.Now().Add(timeout) })
	return d.at
}

// expired reports whether the reader's reads must stop before they start:
// the scan stopped, or the owner's deadline passed.
func (r *ownerReader) expired() bool {
	return (r.scan != nil && r.scan.Err() != nil) || (!r.deadline.IsZero() && !time.Now().Before(r.deadline))
}

// ownerFor returns the reader that reads, as their owner, the ACLs of the
// objects whose listed owner is ownerCanonical in a bucket of region, or
// nil when that owner is not another scanned account of the organization
// (then the bucket owner's role asks, as for any object). The reader holds
// the owner's clients, built again if the owner's own buckets are long
// done, until its release.
func (a *accountScan) ownerFor(ownerCanonical, region string) *ownerReader {
	o := a.s.owners[ownerCanonical]
	if o == nil || o.id == a.id || !o.ready() {
		return nil
	}
	d := &o.owner
	at := d.start(a.s.opts.AccountTimeout)
	o.hold()
	return &ownerReader{accountID: o.id, api: o.s3In(region), scan: a.s.ctx, deadline: at, stopped: &d.stopped, release: o.release}
}

// closeOwners records, per owner account, how many object ACLs its
// deadline kept it from reading.
func (s *scan) closeOwners() {
	for _, a := range s.owners {
		d := &a.owner
		if n := d.stopped.Load(); n > 0 {
			s.cov.addGap(inventory.Gap{
				AccountID: a.id, Service: "s3", Operation: "GetObjectAcl", Code: "timeout",
				Message: fmt.Sprintf("the per-account deadline stopped reading, as their owner, the ACLs of %d objects in other accounts' buckets", n),
			})
		}
	}
}
