package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// accountScan is the collection of one account: its credentials, its
// clients (one S3 client per region, while in use), what phase 1 mapped,
// and the deadline of the phase in progress.
type accountScan struct {
	s  *scan
	id string
	// acct is the account's entry in the snapshot during phase 1 only:
	// the snapshot's accounts are sorted afterwards. canonical is its
	// canonical user ID, kept for phase 2.
	acct      *inventory.Account
	canonical string
	// ctx is the account's deadline: the mapping deadline during phase 1,
	// then a fresh one (AccountTimeout again) for its buckets, so that an
	// account streamed late in a long scan still gets its full time.
	ctx     context.Context
	cancel  context.CancelFunc
	started bool

	// accountBPA is the account's Block Public Access from phase 1 (nil:
	// unread), which the anonymous probe needs in phase 2 (probe.go).
	accountBPA *inventory.PublicAccessBlock

	// listed and cf are what phase 1 found. Between the phases, Scan moves
	// listed to a temporary file (parked, waiting.go) until phase 2 starts
	// the account's buckets; ListedBucket is its compact form (the SDK's
	// s3types.Bucket points to four separately allocated values a bucket).
	listed []ListedBucket
	parked listSpan
	cf     cloudFrontResult
	trails []inventory.Trail
	// pending counts the account's buckets not yet collected (plus one
	// while they are being started); the account is done at zero.
	pending atomic.Int64

	// owner is the deadline of the ACL reads made with this account's role
	// on objects it owns in other accounts' buckets (owneracl.go).
	owner ownerDeadline

	// mu guards creds, lazy, s3Clients and holds.
	//
	// creds are the account's cached credentials (nil until assumed, and
	// again once the account is done): its configuration is the base's
	// with these credentials (config). Not an aws.Config, 720 bytes, for
	// every account of the organization for the whole run, when clients
	// are built from it only now and then. lazy is set for an account
	// phase two needs only as the owner of objects or keys elsewhere:
	// another shard's account, or one whose own buckets are done; its role
	// is assumed (again) on first use (credentials).
	//
	// The S3 clients (one per region, about 6 KB each) are built on first
	// use and dropped when the last holder lets go: phase one's mapping of
	// the account, its own buckets in phase two, and each bucket of
	// another account that is reading the ACLs of objects this account
	// owns (owneracl.go). Kept for the whole run, they made a shard's
	// memory grow with its accounts. Building them again is cheap and
	// calls nothing while the account's credentials are at hand; once it
	// is done, the first such reader assumes its role again.
	mu        sync.Mutex
	creds     aws.CredentialsProvider
	lazy      *lazyRole
	s3Clients map[string]*s3.Client
	holds     int
}

// hold keeps the account's S3 clients until the matching release.
func (a *accountScan) hold() {
	a.mu.Lock()
	a.holds++
	a.mu.Unlock()
}

// release lets go of a hold; the last one drops the clients.
func (a *accountScan) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.holds--
	if a.holds <= 0 {
		a.holds = 0
		a.s3Clients = nil
	}
}

// mapAccount is phase 1 for one account: credentials, account Block Public
// Access, the bucket list (whose owner is the account's canonical ID) and
// CloudFront. It returns nil when the account cannot be assumed or its
// mapping deadline passed (a gap says which); acct is updated in place
// (Scanned, canonical ID, account BPA).
func (s *scan) mapAccount(parent context.Context, acct *inventory.Account) *accountScan {
	ctx, cancel := context.WithTimeout(parent, s.opts.AccountTimeout)
	defer cancel()
	cfg, err := s.base.Account(ctx, acct.ID)
	if err != nil {
		if isStopped(err) && ctx.Err() != nil {
			s.cov.addStop(acct.ID, ctx)
		} else {
			s.cov.add(acct.ID, "", "sts", "AssumeRole", "", err)
		}
		s.counters.accountsDone.Add(1)
		return nil
	}
	acct.Scanned = true
	a := &accountScan{s: s, id: acct.ID, acct: acct, ctx: ctx, creds: cfg.Credentials}
	// The mapping's clients are dropped when it ends: `hoofprint plan`
	// needs none afterwards, and phase two builds them again when it
	// reaches the account's buckets.
	a.hold()
	defer a.release()
	var wg sync.WaitGroup
	wg.Go(func() { acct.PublicAccessBlock = a.accountPublicAccessBlock() })
	wg.Go(func() {
		a.listed = a.listBuckets()
		// Trails are listed where the buckets are (trails.go).
		a.trails = a.collectTrails(acct, trailRegions(a.region(), a.listed))
	})
	wg.Go(func() { a.cf = a.collectCloudFront(acct) })
	wg.Wait()
	a.canonical = acct.CanonicalUserID
	a.accountBPA = acct.PublicAccessBlock
	if ctx.Err() != nil {
		// The deadline or an interruption cut the mapping short: calls that
		// were abandoned are not listed one by one, this gap says the
		// account as a whole is incomplete, and its buckets are not
		// collected.
		s.cov.addStop(acct.ID, ctx)
		a.listed = nil
	}
	s.log.Debug("account mapped", slog.String("account", acct.ID), slog.Int("buckets", len(a.listed)), slog.Int("distributions", len(a.cf.distributions)))
	// Phase 2 starts the bucket deadline when it reaches this account.
	a.ctx, a.cancel = parent, func() {}
	return a
}

// startBuckets gives the account its phase-2 deadline.
func (a *accountScan) startBuckets(parent context.Context) {
	a.ctx, a.cancel = context.WithTimeout(parent, a.s.opts.AccountTimeout)
	a.started = true
	a.hold()
}

// bucketDone is called once per collected bucket (and once more when all
// of them are started); the last call closes the account.
func (a *accountScan) bucketDone() {
	if a.pending.Add(-1) != 0 {
		return
	}
	if a.started && a.ctx.Err() != nil {
		// The deadline or an interruption cut the account's buckets short.
		a.s.cov.addStop(a.id, a.ctx)
	}
	a.cancel()
	// Keep an account that is done as cheaply as an owner (owneracl.go)
	// needs: its deadline's timer and context are dropped, and a.ctx stays
	// a stopped context, as it was, for anything still asking.
	a.ctx, a.cancel = a.s.stopped, func() {}
	if a.started {
		a.release()
	}
	// Its credentials are let go too: a session for every account of the
	// organization kept to the end of the run was the largest part of
	// what the scan held per account (about 1 KB, and a live session for
	// each account in the process's memory for hours). Objects or keys
	// this account owns in buckets collected later have its role assumed
	// again (credentials), once.
	a.mu.Lock()
	a.creds, a.lazy = nil, &lazyRole{}
	a.mu.Unlock()
	a.s.base.Forget(a.id)
	a.s.counters.accountsDone.Add(1)
	a.s.log.Debug("account collected", slog.String("account", a.id))
}

// fail records a gap unless err is only this account's own cancellation,
// which scanAccount reports once for the whole account.
func (a *accountScan) fail(region, service, operation, resource string, err error) {
	if isStopped(err) && a.ctx.Err() != nil {
		return
	}
	a.s.cov.add(a.id, region, service, operation, resource, err)
}

// s3In returns the account's S3 client for region. Bucket calls must go to
// the bucket's region: another region answers 301 PermanentRedirect.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func (a *accountScan) s3In(region string) *s3.Client {
	a.mu.Lock()
	c, ok := a.s3Clients[region]
	a.mu.Unlock()
	if ok {
		return c
	}
	// Outside the lock: config may assume the account's role (again).
	cfg := a.config(region)
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.s3Clients[region]; ok {
		return c
	}
	if a.s3Clients == nil {
		a.s3Clients = map[string]*s3.Client{}
	}
	c = s3.NewFromConfig(cfg, a.s.base.S3Options(), func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
	a.s3Clients[region] = c
	return c
}

func (a *accountScan) s3Control() *s3control.Client {
	return s3control.NewFromConfig(a.config(""), a.s.base.S3ControlOptions(), func(o *s3control.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}

func (a *accountScan) cloudFront() *cloudfront.Client {
	return cloudfront.NewFromConfig(a.config(""), func(o *cloudfront.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}

// config is the account's configuration in region ("": the scan's
// region): the base configuration with the account's credentials, as
// awsclient.Base.Account returned it. When the role cannot be assumed,
// every call made with it fails with the AssumeRole error's gap already
// recorded (never unsigned: nil credentials would make the SDK send
// anonymous requests).
func (a *accountScan) config(region string) aws.Config {
	c := awsclient.InRegion(a.s.base.Config, region)
	creds, ok := a.credentials()
	if !ok {
		creds = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, fmt.Errorf("account %s: no credentials: its role could not be assumed", a.id)
		})
	}
	c.Credentials = creds
	return c
}

// region is the scan's region, where account-wide calls go.
func (a *accountScan) region() string { return a.s.base.Config.Region }

// arnPrefix is "arn:<partition>:".
func (a *accountScan) arnPrefix() string { return "arn:" + a.s.base.Caller.Partition + ":" }
