package scanner

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
	"unique"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// The two phases of Scan, each on its own, so that phase one can run once
// for the whole organization (`hoofprint plan`) and phase two on several
// machines, each on a subset of the accounts (`hoofprint scan --shard`).

// OrgMap is phase one of a scan as a value that can be saved and read back:
// the organization map and every mapped account's bucket list.
type OrgMap struct {
	// Snapshot is the organization map: accounts with canonical IDs and
	// account Block Public Access, distributions with their origins
	// resolved, OAIs, OACs and canonical IDs. Its Buckets are empty; its
	// Coverage holds phase one's gaps (an account that cannot be assumed,
	// a CloudFront listing denied…); StartedAt is when the scan started,
	// the "now" that sampling leans towards.
	Snapshot *inventory.Snapshot `json:"map"`
	// Buckets lists, per mapped account, its buckets as ListBuckets
	// returned them (sorted by name). An account absent here could not
	// be mapped: a gap in Snapshot.Coverage says why.
	Buckets map[string][]ListedBucket `json:"buckets"`
	// Seed is the sampling seed the scan used (Options.Seed after
	// defaults), so that phase two samples as one scan would.
	Seed int64 `json:"seed"`
}

// ListedBucket is one bucket of an account's ListBuckets answer.
type ListedBucket struct {
	Name         string    `json:"name"`
	Region       string    `json:"region,omitempty"`
	CreationDate time.Time `json:"creationDate,omitzero"`
}

// listedBucket is b in the form phase two keeps: the values themselves
// rather than the SDK's pointers to them, and the region interned (a
// handful of regions for the organization's thousands of buckets).
func listedBucket(b s3types.Bucket) ListedBucket {
	lb := ListedBucket{Name: aws.ToString(b.Name), CreationDate: aws.ToTime(b.CreationDate)}
	if r := aws.ToString(b.BucketRegion); r != "" {
		lb.Region = unique.Make(r).Value()
	}
	return lb
}

// MapOrganization runs phase one of a scan (see Scan) and returns the
// organization map. Cancellation stops it as it stops Scan: the map is
// returned with Coverage.Complete=false.
func MapOrganization(ctx context.Context, base *awsclient.Base, opts Options) (*OrgMap, error) {
	s, snap, err := newScan(ctx, base, opts)
	if err != nil {
		return nil, err
	}
	accounts := s.discover(ctx, snap)
	maps := s.mapOrganization(ctx, snap, accounts)
	m := &OrgMap{Buckets: map[string][]ListedBucket{}, Seed: s.opts.Seed}
	for _, a := range maps {
		m.Buckets[a.id] = a.listed
		a.listed = nil
		s.counters.accountsDone.Add(1)
	}
	m.Snapshot, err = s.finish(ctx, snap, nil)
	return m, err
}

// ScanAccounts runs phase two of a scan (see Scan) on the accounts of m
// named in accounts: their buckets are collected and handed to
// opts.Sink, whose Map receives m's snapshot. An object another account
// of the organization owns has its ACL read with that account's role,
// whether or not the account is in accounts, exactly as in one Scan.
//
// The returned snapshot holds the map, only phase two's gaps (phase one's
// are m's) and, without opts.Sink, the buckets collected (with a Sink, the
// sink has them). opts.Seed and the sampling clock are m's, so that the
// buckets are sampled as one Scan would have sampled them.
func ScanAccounts(ctx context.Context, base *awsclient.Base, m *OrgMap, accounts []string, opts Options) (*inventory.Snapshot, error) {
	if m == nil || m.Snapshot == nil {
		return nil, fmt.Errorf("scanner: no organization map")
	}
	opts.Seed = m.Seed
	s, snap, err := newScan(ctx, base, opts)
	if err != nil {
		return nil, err
	}
	s.now = m.Snapshot.StartedAt
	*snap = *m.Snapshot
	snap.Tool.Version = opts.ToolVersion
	snap.Buckets = nil
	snap.Coverage = inventory.Coverage{}
	snap.StartedAt = s.opts.Now().UTC()
	for id, ident := range m.Snapshot.CanonicalIDs {
		s.canonical[id] = ident
	}
	snap.CanonicalIDs = s.canonical

	// As at the end of phase 1 in Scan (kms.go): another shard's account
	// may own a KMS key, read with its role, assumed on first use.
	s.byID, s.originBuckets = map[string]*accountScan{}, identityOriginBuckets(snap.Distributions)
	want := map[string]bool{}
	for _, id := range accounts {
		want[id] = true
	}
	var maps []*accountScan
	var mu sync.Mutex
	var wg sync.WaitGroup
	limit := make(chan struct{}, s.opts.AccountConcurrency)
	for _, acct := range snap.Accounts {
		if !acct.Scanned {
			continue
		}
		// Everything mapAccount keeps for phase 2 comes from the map.
		a := &accountScan{s: s, id: acct.ID, canonical: acct.CanonicalUserID, accountBPA: acct.PublicAccessBlock, ctx: ctx, cancel: func() {}}
		if a.canonical != "" {
			s.owners[a.canonical] = a
		}
		s.byID[a.id] = a
		listed, mapped := m.Buckets[acct.ID]
		if !want[acct.ID] || !mapped {
			// Another shard's account: its role is assumed only if one of
			// this shard's buckets holds objects it owns.
			a.lazy = &lazyRole{}
			continue
		}
		s.counters.accountsTotal.Add(1)
		// Shared with m, which keeps this shard's lists anyway (RunShard
		// drops the others'); phase two only reads it.
		a.listed = listed
		wg.Go(func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			if !a.assume(ctx) {
				s.counters.accountsDone.Add(1)
				return
			}
			mu.Lock()
			maps = append(maps, a)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.SortFunc(maps, func(x, y *accountScan) int { return cmp.Compare(x.id, y.id) })
	for id := range want {
		if _, ok := m.Buckets[id]; !ok {
			s.log.Warn("account not in the organization map: nothing to scan", slog.String("account", id))
		}
	}
	sinkErr := s.streamBuckets(ctx, snap, maps)
	return s.finish(ctx, snap, sinkErr)
}

// assume obtains the account's credentials for phase two; a failure is a
// gap, as in phase one.
func (a *accountScan) assume(ctx context.Context) bool {
	actx, cancel := context.WithTimeout(ctx, a.s.opts.AccountTimeout)
	defer cancel()
	cfg, err := a.s.base.Account(actx, a.id)
	if err != nil {
		if isStopped(err) && actx.Err() != nil {
			a.s.cov.addStop(a.id, actx)
		} else {
			a.s.cov.add(a.id, "", "sts", "AssumeRole", "", err)
		}
		return false
	}
	a.mu.Lock()
	a.creds = cfg.Credentials
	a.mu.Unlock()
	return true
}

// lazyRole is the credentials of an account that phase two needs only as
// the owner of objects or keys in other accounts' buckets.
type lazyRole struct {
	once sync.Once
	ok   bool
}

// credentials returns the account's credentials, assuming its role on
// first use when it is another shard's account or its own buckets are
// done; false when the role could not be assumed (a gap says why).
func (a *accountScan) credentials() (aws.CredentialsProvider, bool) {
	for {
		a.mu.Lock()
		creds, lazy := a.creds, a.lazy
		a.mu.Unlock()
		if creds != nil {
			return creds, true
		}
		if lazy == nil {
			return nil, false
		}
		lazy.once.Do(func() { lazy.ok = a.assume(a.s.ctx) })
		if !lazy.ok {
			return nil, false
		}
		// Assumed, by this call or another: creds is set. (The account
		// lets go of its credentials once, when it is done, which may
		// have happened since this read, with a new lazyRole.)
	}
}

// ready reports whether the account's credentials are at hand, assuming
// its role on first use when needed (credentials).
func (a *accountScan) ready() bool {
	_, ok := a.credentials()
	return ok
}
