package scanner

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// accountResult is what one account contributed to the snapshot.
type accountResult struct {
	buckets       []inventory.Bucket
	distributions []inventory.Distribution
	oais          []inventory.OriginAccessIdentity
	oacs          []inventory.OriginAccessControl
	// denied are the sampled objects whose ACL the bucket owner may not
	// read, kept (with their keys, in memory only) for the object-owner
	// pass that runs once every account is collected.
	denied []deniedObject
}

// accountScan is the collection of one account: its credentials, its
// clients (one S3 client per region) and its deadline.
type accountScan struct {
	s   *scan
	id  string
	ctx context.Context
	cfg aws.Config

	mu        sync.Mutex
	s3Clients map[string]*s3.Client

	deniedMu sync.Mutex
	denied   []deniedObject
}

// scanAccount collects one account. It never fails: what it cannot read is
// recorded in coverage, and acct is updated in place (Scanned, canonical ID,
// account BPA).
func (s *scan) scanAccount(parent context.Context, acct *inventory.Account) accountResult {
	ctx, cancel := context.WithTimeout(parent, s.opts.AccountTimeout)
	defer cancel()
	log := s.log.With(slog.String("account", acct.ID))

	cfg, err := s.base.Account(ctx, acct.ID)
	if err != nil {
		if isStopped(err) && ctx.Err() != nil {
			s.cov.addStop(acct.ID, ctx)
		} else {
			s.cov.add(acct.ID, "", "sts", "AssumeRole", "", err)
		}
		return accountResult{}
	}
	acct.Scanned = true
	a := &accountScan{s: s, id: acct.ID, ctx: ctx, cfg: cfg, s3Clients: map[string]*s3.Client{}}

	var (
		wg  sync.WaitGroup
		res accountResult
		cf  cloudFrontResult
	)
	wg.Go(func() { acct.PublicAccessBlock = a.accountPublicAccessBlock() })
	wg.Go(func() { res.buckets = a.collectS3(acct) })
	wg.Go(func() { cf = a.collectCloudFront() })
	wg.Wait()
	res.distributions, res.oais, res.oacs = cf.distributions, cf.oais, cf.oacs
	res.denied = a.denied

	if ctx.Err() != nil {
		// The deadline or an interruption cut this account short: calls
		// that were abandoned are not listed one by one, this gap says the
		// account as a whole is incomplete.
		s.cov.addStop(acct.ID, ctx)
	}
	log.Debug("account collected", slog.Int("buckets", len(res.buckets)), slog.Int("distributions", len(res.distributions)))
	return res
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
	defer a.mu.Unlock()
	if c, ok := a.s3Clients[region]; ok {
		return c
	}
	c := s3.NewFromConfig(awsclient.InRegion(a.cfg, region), a.s.base.S3Options(), func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
	a.s3Clients[region] = c
	return c
}

func (a *accountScan) s3Control() *s3control.Client {
	return s3control.NewFromConfig(a.cfg, a.s.base.S3ControlOptions(), func(o *s3control.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}

func (a *accountScan) cloudFront() *cloudfront.Client {
	return cloudfront.NewFromConfig(a.cfg, func(o *cloudfront.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}

// arnPrefix is "arn:<partition>:".
func (a *accountScan) arnPrefix() string { return "arn:" + a.s.base.Caller.Partition + ":" }
