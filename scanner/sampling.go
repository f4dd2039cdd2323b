package scanner

import (
	"cmp"
	"container/heap"
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/inventory"
)

// objectSampleAPI is the part of the S3 client object sampling uses.
type objectSampleAPI interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObjectAcl(ctx context.Context, in *s3.GetObjectAclInput, optFns ...func(*s3.Options)) (*s3.GetObjectAclOutput, error)
}

// sampleConfig is how one bucket is sampled.
type sampleConfig struct {
	bucket      string
	bucketARN   string
	bucketOwner string // canonical ID; "" when unknown
	// aclsDisabled is true for BucketOwnerEnforced: ACLs are off and the
	// bucket owner owns every object, so no GetObjectAcl is spent.
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
	aclsDisabled   bool
	size           int
	maxForeign     int
	pages          int
	aclConcurrency int
	// gate bounds the reads of the whole scan (gate.go; nil: none).
	gate      readGate
	seed      int64
	now       time.Time
	showKeys  bool
	keyHasher inventory.KeyHasher
	// onListed and onACLRead feed the progress counters.
	onListed  func(n int)
	onACLRead func()
	// ownerFor returns, for an object's listed owner that is another
	// scanned account of the organization, a reader acting as that owner
	// (owneracl.go); nil otherwise. onOwnerACL feeds the progress counters.
	ownerFor   func(owner string) *ownerReader
	onOwnerACL func(read bool)
	// onSampled is given the keys of ObjectSample.Objects, index for index,
	// once the ACL pass is over (for the anonymous probe, probe.go). The
	// keys must stay in memory only.
	onSampled func(keys []string)
}

// sampleFailure is one call that failed while sampling. resource is the
// bucket ARN or an object ARN built from the key hash, never the key.
type sampleFailure struct {
	operation string
	resource  string
	// via is the account whose role made the call when it is not the
	// bucket owner's (an object owner's read).
	via string
	err error
}

// recencyHalfLife sets how strongly the sample leans to recent objects: an
// object modified now weighs 10, one modified a half-life ago 5.5, and a
// very old one 1, so old objects are still sampled, only less often.
const recencyHalfLife = 30 * 24 * time.Hour

// maxPrefixes bounds the top-level prefixes remembered from the delimiter
// listing (one page of them).
const maxPrefixes = 1000

// candidate is a listed object kept for the ACL pass. It holds the key
// because GetObjectAcl needs it; only SampleSize+MaxForeignObjects of them
// exist at any time, whatever the number of keys listed.
type candidate struct {
	key      string
	size     int64
	modified time.Time
	owner    string
	priority float64
}

// reservoir keeps the k candidates with the highest priority: weighted
// reservoir sampling, algorithm A-Res of Efraimidis and Spirakis
// ("Weighted random sampling with a reservoir", 2006), with priority
// u^(1/w) kept as ln(u)/w to stay in floating-point range.
type reservoir []candidate

func (r reservoir) Len() int           { return len(r) }
func (r reservoir) Less(i, j int) bool { return r[i].priority < r[j].priority }
func (r reservoir) Swap(i, j int)      { r[i], r[j] = r[j], r[i] }
func (r *reservoir) Push(x any)        { *r = append(*r, x.(candidate)) }
func (r *reservoir) Pop() any {
	old := *r
	c := old[len(old)-1]
	*r = old[:len(old)-1]
	return c
}

// sampler consumes listing pages and keeps the sample.
type sampler struct {
	cfg     sampleConfig
	rng     *rand.Rand
	res     reservoir
	foreign []candidate
	out     inventory.ObjectSample
	// prefixKeys counts listed keys per first path segment, for
	// inventory.ShowablePrefix. Keys with a first segment come from the
	// per-prefix listings (the root listing uses "/" as delimiter), so it
	// holds at most maxPrefixes entries, bounded again below.
	prefixKeys map[string]int
}

func newSampler(cfg sampleConfig) *sampler {
	// One stream per bucket, derived from the scan seed and the bucket
	// name, so the sample does not depend on which bucket ran first.
	h := fnv.New64a()
	h.Write([]byte(cfg.bucketARN))
	return &sampler{
		cfg: cfg,
		rng: rand.New(rand.NewPCG(uint64(cfg.seed), h.Sum64())),
		res: make(reservoir, 0, cfg.size),
		out: inventory.ObjectSample{Seed: cfg.seed, Objects: []inventory.Object{}},

		prefixKeys: map[string]int{},
	}
}

func (s *sampler) weight(modified time.Time) float64 {
	age := s.cfg.now.Sub(modified)
	if age < 0 || modified.IsZero() {
		age = 0
	}
	return 1 + 9*math.Exp2(-float64(age)/float64(recencyHalfLife))
}

// observe takes one listed object into account.
func (s *sampler) observe(o s3types.Object) {
	s.out.KeysListed++
	c := candidate{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size), modified: aws.ToTime(o.LastModified)}
	if p := inventory.KeyPrefix(c.key); p != "" {
		if _, ok := s.prefixKeys[p]; ok || len(s.prefixKeys) < 2*maxPrefixes {
			s.prefixKeys[p]++
		}
	}
	if o.Owner != nil {
		c.owner = aws.ToString(o.Owner.ID)
	}
	if c.owner != "" && s.cfg.bucketOwner != "" && c.owner != s.cfg.bucketOwner {
		s.out.ForeignOwnedListed++
		if len(s.foreign) < s.cfg.maxForeign {
			s.foreign = append(s.foreign, c)
		}
		return
	}
	if s.cfg.size == 0 {
		return
	}
	u := 1 - s.rng.Float64() // (0, 1]
	c.priority = math.Log(u) / s.weight(c.modified)
	if len(s.res) < s.cfg.size {
		heap.Push(&s.res, c)
	} else if c.priority > s.res[0].priority {
		s.res[0] = c
		heap.Fix(&s.res, 0)
	}
}

func (s *sampler) observePage(out *s3.ListObjectsV2Output) {
	encoded := out.EncodingType == s3types.EncodingTypeUrl
	for _, o := range out.Contents {
		if encoded {
			o.Key = aws.String(decodeKey(aws.ToString(o.Key)))
		}
		s.observe(o)
	}
	if s.cfg.onListed != nil {
		s.cfg.onListed(len(out.Contents))
	}
}

// listInput is a ListObjectsV2 request of the sampler. Keys come back
// URL-encoded (EncodingType=url): S3 writes a key holding a character that
// XML 1.0 cannot carry (a control character) as a character reference the
// SDK's XML decoder refuses, which would lose the whole page
// (aws/aws-sdk-go-v2#1676). Keys and common prefixes are decoded with
// decodeKey, and only when the answer says it is encoded.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
func (s *sampler) listInput() *s3.ListObjectsV2Input {
	return &s3.ListObjectsV2Input{Bucket: &s.cfg.bucket, FetchOwner: aws.Bool(true), EncodingType: s3types.EncodingTypeUrl}
}

// decodeKey undoes S3's URL encoding of a listed key or prefix (form
// encoding: a space comes as "+", a "+" as "%2B"). A value that does not
// decode is kept as sent.
func decodeKey(v string) string {
	if d, err := url.QueryUnescape(v); err == nil {
		return d
	}
	return v
}

// listStream is one sequence of ListObjectsV2 pages: the root listing with
// a delimiter, or everything under one top-level prefix.
type listStream struct {
	prefix    string
	delimiter bool
	token     *string
}

// list spends the page budget across the key space. The first page uses
// "/" as delimiter to find the top-level prefixes; the remaining pages go
// round-robin over the prefixes (a seeded random subset of them when there
// are more prefixes than pages), so one huge prefix cannot eat the whole
// budget and every part of the bucket is looked at.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-prefixes.html
func (s *sampler) list(ctx context.Context, api objectSampleAPI) []sampleFailure {
	in := s.listInput()
	in.Delimiter = aws.String("/")
	first, err := api.ListObjectsV2(ctx, in)
	s.out.Pages++
	if err != nil {
		return []sampleFailure{{operation: "ListObjectsV2", resource: s.cfg.bucketARN, err: err}}
	}
	s.observePage(first)
	var streams []*listStream
	if aws.ToBool(first.IsTruncated) && first.NextContinuationToken != nil {
		streams = append(streams, &listStream{delimiter: true, token: first.NextContinuationToken})
	}
	found := commonPrefixes(first)
	prefixes := make([]string, 0, min(len(found), maxPrefixes))
	for _, p := range found {
		if len(prefixes) < maxPrefixes {
			prefixes = append(prefixes, p)
		}
	}
	s.out.PrefixesFound = len(found)
	budget := s.cfg.pages - 1
	skipped := len(found) > len(prefixes)
	if room := budget - len(streams); len(prefixes) > room {
		s.rng.Shuffle(len(prefixes), func(i, j int) { prefixes[i], prefixes[j] = prefixes[j], prefixes[i] })
		prefixes = prefixes[:max(room, 0)]
		slices.Sort(prefixes)
		skipped = true
	}
	s.out.PrefixesListed = len(prefixes)
	for _, p := range prefixes {
		streams = append(streams, &listStream{prefix: p})
	}

	var failures []sampleFailure
	for budget > 0 && len(streams) > 0 {
		next := streams[:0]
		for _, st := range streams {
			if budget == 0 || ctx.Err() != nil {
				next = append(next, st)
				continue
			}
			in := s.listInput()
			in.ContinuationToken = st.token
			if st.delimiter {
				in.Delimiter = aws.String("/")
			} else {
				in.Prefix = aws.String(st.prefix)
			}
			out, err := api.ListObjectsV2(ctx, in)
			budget--
			s.out.Pages++
			if err != nil {
				failures = append(failures, sampleFailure{operation: "ListObjectsV2", resource: s.cfg.bucketARN, err: err})
				skipped = true
				continue
			}
			s.observePage(out)
			if n := len(commonPrefixes(out)); n > 0 {
				// Prefixes found on later root pages are counted but not
				// listed: the budget was already shared out.
				s.out.PrefixesFound += n
				skipped = true
			}
			if aws.ToBool(out.IsTruncated) && out.NextContinuationToken != nil {
				st.token = out.NextContinuationToken
				next = append(next, st)
			}
		}
		streams = next
		if ctx.Err() != nil {
			break
		}
	}
	s.out.ListingComplete = len(streams) == 0 && !skipped && ctx.Err() == nil
	return failures
}

// commonPrefixes are the non-empty prefixes of a delimiter listing. S3
// never answers an empty one (a common prefix ends with the delimiter), but
// an empty <CommonPrefixes/> element decodes as one with no Prefix, and
// listing everything under the empty prefix would list the whole bucket a
// second time and count every key twice. Prefixes are decoded like keys.
func commonPrefixes(page *s3.ListObjectsV2Output) []string {
	out := make([]string, 0, len(page.CommonPrefixes))
	for _, p := range page.CommonPrefixes {
		v := aws.ToString(p.Prefix)
		if page.EncodingType == s3types.EncodingTypeUrl {
			v = decodeKey(v)
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// displayPrefix is the first path segment of key as the inventory may hold
// it: itself when inventory.ShowablePrefix allows (structural, shared by
// enough listed keys), its keyed hash otherwise.
func (s *sampler) displayPrefix(key string) string {
	p := inventory.KeyPrefix(key)
	if p == "" || inventory.ShowablePrefix(p, s.prefixKeys[p]) {
		return p
	}
	return s.cfg.keyHasher.HashPrefix(s.cfg.bucket, p)
}

// readACLs reads the ACL of every kept object, a few at a time. An
// AccessDenied is evidence, not a gap, when the listing did not show the
// bucket owner as the object's owner: real S3 denies the bucket owner the
// ACL of an object another account owns. When the listing does show the
// bucket owner, AccessDenied can only mean the scanner's role lacks
// s3:GetObjectAcl, which is a gap.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html
func (s *sampler) readACLs(ctx context.Context, api objectSampleAPI) []sampleFailure {
	kept := slices.Clone(s.foreign)
	res := slices.Clone(s.res)
	// Most likely picks first, for a stable order in the snapshot.
	slices.SortFunc(res, func(a, b candidate) int {
		if a.priority != b.priority {
			if a.priority > b.priority {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.key, b.key)
	})
	nForeign := len(kept)
	kept = append(kept, res...)
	objs := make([]inventory.Object, len(kept))
	for i, c := range kept {
		objs[i] = inventory.Object{
			KeyHash:          s.cfg.keyHasher.Hash(s.cfg.bucket, c.key),
			KeyPrefix:        s.displayPrefix(c.key),
			Size:             c.size,
			LastModified:     c.modified,
			OwnerCanonicalID: c.owner,
			ACLStatus:        inventory.ACLStatusNotRequested,
			SampledBecause:   inventory.SampledReservoir,
		}
		if i < nForeign {
			objs[i].SampledBecause = inventory.SampledForeignOwner
		}
		if s.cfg.showKeys {
			objs[i].Key = c.key
		}
	}
	s.out.Objects = objs
	if s.cfg.onSampled != nil {
		keys := make([]string, len(kept))
		for i, c := range kept {
			keys[i] = c.key
		}
		defer s.cfg.onSampled(keys)
	}
	if s.cfg.aclsDisabled {
		s.out.ACLsSkipped = inventory.OwnershipBucketOwnerEnforced
		return nil
	}

	var (
		mu       sync.Mutex
		failures []sampleFailure
	)
	fail := func(f sampleFailure) {
		mu.Lock()
		failures = append(failures, f)
		mu.Unlock()
	}
	g := new(errgroup.Group)
	g.SetLimit(max(s.cfg.aclConcurrency, 1))
	for i, c := range kept {
		if !s.cfg.gate.enter(ctx) {
			break
		}
		g.Go(func() error {
			defer s.cfg.gate.leave()
			o := &objs[i]
			if c.owner != "" && c.owner != s.cfg.bucketOwner && s.cfg.ownerFor != nil {
				if r := s.cfg.ownerFor(c.owner); r != nil && s.readAsOwner(ctx, r, c.key, o, &mu, fail) {
					return nil
				}
			}
			mu.Lock()
			s.out.ACLsRequested++
			mu.Unlock()
			out, err := api.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: &s.cfg.bucket, Key: aws.String(c.key)})
			switch {
			case err == nil:
				o.ACL = convertACL(out.Owner, out.Grants)
				o.ACLStatus = inventory.ACLStatusRead
				if s.cfg.onACLRead != nil {
					s.cfg.onACLRead()
				}
				return nil
			case isAccessDenied(err) && (c.owner == "" || c.owner != s.cfg.bucketOwner):
				o.ACLStatus = inventory.ACLStatusDeniedForeignOwner
				return nil
			case isStopped(err) && ctx.Err() != nil:
				return nil
			case isObjectGone(err):
				// Deleted between listing and ACL read: nothing to evaluate.
				o.ACLStatus = inventory.ACLStatusError
				return nil
			}
			o.ACLStatus = inventory.ACLStatusError
			fail(sampleFailure{operation: "GetObjectAcl", resource: s.cfg.bucketARN + "/" + o.KeyHash, err: err})
			return nil
		})
	}
	_ = g.Wait()
	for _, o := range objs {
		if o.ACLStatus == inventory.ACLStatusRead {
			s.out.ACLsRead++
			if o.ACLReadByAccountID != "" {
				s.out.ACLsReadByObjectOwner++
			}
		}
	}
	return failures
}

// readAsOwner reads o's ACL with the role of the org account that owns it.
// It returns true when that settled o; false when the bucket owner must
// still be asked: the owner was denied too (an SCP, a permissions
// boundary, a role without s3:GetObjectAcl, an explicit Deny in the bucket
// policy), its call failed (a gap naming both accounts), or its deadline
// ended. Then the bucket owner's answer (AccessDenied, in real S3) is the
// evidence, as it always was.
func (s *sampler) readAsOwner(ctx context.Context, r *ownerReader, key string, o *inventory.Object, mu *sync.Mutex, fail func(sampleFailure)) bool {
	if r.expired() {
		r.stopped.Add(1)
		return false
	}
	mu.Lock()
	s.out.ACLsRequestedByObjectOwner++
	mu.Unlock()
	// The owner's read may take at most half of the time the bucket's
	// account has left, so that an owner whose calls hang never costs the
	// bucket owner's answer: that is still asked, with the other half.
	// The owner's deadline ends the call too; as a deadline of the call's
	// own context rather than an AfterFunc on a context of the owner's,
	// which would leave a map entry behind in every owner (ownerDeadline).
	end := r.deadline
	if dl, ok := ctx.Deadline(); ok {
		if half := time.Now().Add(time.Until(dl) / 2); end.IsZero() || half.Before(end) {
			end = half
		}
	}
	callCtx, cancel := context.WithCancel(ctx)
	if !end.IsZero() {
		callCtx, cancel = context.WithDeadline(ctx, end)
	}
	out, err := r.api.GetObjectAcl(callCtx, &s3.GetObjectAclInput{Bucket: &s.cfg.bucket, Key: aws.String(key)})
	cancel()
	if s.cfg.onOwnerACL != nil {
		s.cfg.onOwnerACL(err == nil)
	}
	switch {
	case err == nil:
		o.ACL = convertACL(out.Owner, out.Grants)
		o.ACLStatus = inventory.ACLStatusRead
		o.ACLReadByAccountID = r.accountID
		if s.cfg.onACLRead != nil {
			s.cfg.onACLRead()
		}
		return true
	case isStopped(err) && ctx.Err() != nil:
		// The bucket's own deadline or the interruption: nothing more.
		return true
	case isStopped(err):
		// The owner's deadline, or its half of the bucket's time.
		r.stopped.Add(1)
		return false
	case isAccessDenied(err):
		return false
	case isObjectGone(err):
		// Deleted since it was listed: nothing to evaluate.
		o.ACLStatus = inventory.ACLStatusError
		return true
	}
	fail(sampleFailure{operation: "GetObjectAcl", resource: s.cfg.bucketARN + "/" + o.KeyHash, via: r.accountID, err: err})
	return false
}

// sampleObjects samples one bucket's objects and records failures as gaps.
func (a *accountScan) sampleObjects(api objectSampleAPI, b *inventory.Bucket) inventory.ObjectSample {
	opts := a.s.opts
	// One reader per owner account for the whole bucket, which holds that
	// account's clients until the bucket's ACLs are read.
	var (
		ownersMu sync.Mutex
		owners   = map[string]*ownerReader{}
	)
	defer func() {
		for _, r := range owners {
			if r != nil && r.release != nil {
				r.release()
			}
		}
	}()
	cfg := sampleConfig{
		bucket:         b.Name,
		bucketARN:      b.ARN,
		bucketOwner:    b.OwnerCanonicalID,
		aclsDisabled:   b.OwnershipControls != nil && b.OwnershipControls.ObjectOwnership == inventory.OwnershipBucketOwnerEnforced,
		size:           opts.SampleSize,
		maxForeign:     opts.MaxForeignObjects,
		pages:          opts.ListPages,
		aclConcurrency: DefaultACLConcurrency,
		gate:           a.s.objectReads,
		seed:           opts.Seed,
		now:            a.s.now,
		showKeys:       opts.ShowObjectKeys,
		keyHasher:      opts.KeyHasher,
		onListed:       func(n int) { a.s.counters.objectsListed.Add(int64(n)) },
		onACLRead:      func() { a.s.counters.aclsRead.Add(1) },
		ownerFor: func(owner string) *ownerReader {
			ownersMu.Lock()
			defer ownersMu.Unlock()
			r, ok := owners[owner]
			if !ok {
				r = a.ownerFor(owner, cmp.Or(b.Region, a.region()))
				owners[owner] = r
			}
			return r
		},
		onOwnerACL: func(read bool) {
			a.s.counters.ownerACLCalls.Add(1)
			if read {
				a.s.counters.ownerACLReads.Add(1)
			}
		},
	}
	var keys []string
	cfg.onSampled = func(k []string) { keys = k }
	sample, failures := sampleBucket(a.ctx, api, cfg)
	for _, f := range failures {
		if f.via != "" {
			a.s.cov.addVia(a.id, f.via, b.Region, "s3", f.operation, f.resource, f.err)
			continue
		}
		a.fail(b.Region, "s3", f.operation, f.resource, f.err)
	}
	if !opts.NoAnonymousProbe && len(keys) == len(sample.Objects) {
		a.probeAnonymously(b, &sample, keys)
	}
	if h, ok := api.(headAPI); ok && a.s.originBuckets[b.Name] && len(keys) == len(sample.Objects) {
		a.readObjectEncryption(h, b, &sample, keys)
	}
	return sample
}

// sampleBucket lists a bucket within the page budget and reads the ACLs of
// the sample. It returns what it learned even when some calls failed.
func sampleBucket(ctx context.Context, api objectSampleAPI, cfg sampleConfig) (inventory.ObjectSample, []sampleFailure) {
	s := newSampler(cfg)
	failures := s.list(ctx, api)
	if s.out.Pages == 1 && len(failures) > 0 {
		s.out.ACLsSkipped = "listing failed"
		return s.out, failures
	}
	failures = append(failures, s.readACLs(ctx, api)...)
	return s.out, failures
}
