package scanner

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/inventory"
)

const (
	ownerID   = "owner-canonical"
	foreignID = "foreign-canonical"
)

var testNow = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// fakeBucket answers ListObjectsV2 the way S3 does for the parameters the
// sampler uses (Delimiter "/" at the root, Prefix, continuation tokens,
// 1,000 entries a page) and GetObjectAcl like real S3 answers the bucket
// owner: AccessDenied for objects another account owns.
type fakeBucket struct {
	keys      []string // sorted
	owner     func(key string) string
	modified  func(key string) time.Time
	listErr   error
	aclErr    map[string]error
	listCalls atomic.Int64
	aclCalls  atomic.Int64
	mu        sync.Mutex
	aclKeys   []string
}

func (f *fakeBucket) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.listCalls.Add(1)
	if f.listErr != nil {
		return nil, f.listErr
	}
	if !aws.ToBool(in.FetchOwner) {
		return nil, fmt.Errorf("FetchOwner not set")
	}
	type entry struct {
		key    string
		prefix bool
	}
	var entries []entry
	prefix := aws.ToString(in.Prefix)
	seen := map[string]bool{}
	for _, k := range f.keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if aws.ToString(in.Delimiter) == "/" {
			if i := strings.IndexByte(k[len(prefix):], '/'); i >= 0 {
				p := k[:len(prefix)+i+1]
				if !seen[p] {
					seen[p] = true
					entries = append(entries, entry{p, true})
				}
				continue
			}
		}
		entries = append(entries, entry{k, false})
	}
	start := 0
	if in.ContinuationToken != nil {
		start, _ = strconv.Atoi(*in.ContinuationToken)
	}
	end := min(start+1000, len(entries))
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(end < len(entries))}
	if end < len(entries) {
		out.NextContinuationToken = aws.String(strconv.Itoa(end))
	}
	for _, e := range entries[start:end] {
		if e.prefix {
			out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(e.key)})
			continue
		}
		out.Contents = append(out.Contents, s3types.Object{
			Key: aws.String(e.key), Size: aws.Int64(1), LastModified: aws.Time(f.modifiedAt(e.key)),
			Owner: &s3types.Owner{ID: aws.String(f.ownerOf(e.key))},
		})
	}
	return out, nil
}

func (f *fakeBucket) GetObjectAcl(_ context.Context, in *s3.GetObjectAclInput, _ ...func(*s3.Options)) (*s3.GetObjectAclOutput, error) {
	f.aclCalls.Add(1)
	key := aws.ToString(in.Key)
	f.mu.Lock()
	f.aclKeys = append(f.aclKeys, key)
	f.mu.Unlock()
	if err := f.aclErr[key]; err != nil {
		return nil, err
	}
	if f.ownerOf(key) != ownerID {
		return nil, apiErr("AccessDenied", 403)
	}
	return &s3.GetObjectAclOutput{Owner: &s3types.Owner{ID: aws.String(ownerID)}, Grants: []s3types.Grant{{
		Grantee: &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String(ownerID)}, Permission: s3types.PermissionFullControl,
	}}}, nil
}

func (f *fakeBucket) ownerOf(k string) string {
	if f.owner == nil {
		return ownerID
	}
	return f.owner(k)
}

func (f *fakeBucket) modifiedAt(k string) time.Time {
	if f.modified == nil {
		return testNow.Add(-time.Hour)
	}
	return f.modified(k)
}

// keysUnder returns n keys under each prefix, sorted.
func keysUnder(prefixes []string, n int) []string {
	var keys []string
	for _, p := range prefixes {
		for i := range n {
			keys = append(keys, fmt.Sprintf("%sobj-%06d", p, i))
		}
	}
	sort.Strings(keys)
	return keys
}

func testConfig() sampleConfig {
	return sampleConfig{
		bucket: "records", bucketARN: "arn:aws:s3:::records", bucketOwner: ownerID,
		size: 20, maxForeign: 5, pages: 10, aclConcurrency: 4, seed: 42, now: testNow,
	}
}

func TestSampleIsBoundedWhateverTheNumberOfKeys(t *testing.T) {
	f := &fakeBucket{
		keys: keysUnder([]string{"a/", "b/", "c/"}, 5000),
		owner: func(k string) string {
			return map[bool]string{true: foreignID, false: ownerID}[strings.HasSuffix(k, "7")]
		},
	}
	cfg := testConfig()
	cfg.pages = 100
	got, failures := sampleBucket(t.Context(), f, cfg)
	if len(failures) != 0 {
		t.Fatalf("failures %+v", failures)
	}
	if got.KeysListed != 15000 || !got.ListingComplete {
		t.Errorf("listed %d complete %v, want all 15000", got.KeysListed, got.ListingComplete)
	}
	if got.ForeignOwnedListed != 1500 {
		t.Errorf("foreign listed %d, want 1500 (every key ending in 7)", got.ForeignOwnedListed)
	}
	var reservoir, foreign int
	for _, o := range got.Objects {
		switch o.SampledBecause {
		case inventory.SampledReservoir:
			reservoir++
		case inventory.SampledForeignOwner:
			foreign++
			if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner {
				t.Errorf("foreign object ACL status %q, want %q", o.ACLStatus, inventory.ACLStatusDeniedForeignOwner)
			}
		}
	}
	if reservoir != 20 || foreign != 5 {
		t.Errorf("kept %d reservoir + %d foreign objects, want 20 + 5", reservoir, foreign)
	}
	if got.ACLsRequested != 25 || got.ACLsRead != 20 || f.aclCalls.Load() != 25 {
		t.Errorf("ACLs requested %d read %d calls %d, want 25, 20, 25", got.ACLsRequested, got.ACLsRead, f.aclCalls.Load())
	}
}

func TestPageBudgetIsSpreadOverTopLevelPrefixes(t *testing.T) {
	f := &fakeBucket{keys: keysUnder([]string{"2024/", "2025/", "2026/"}, 5000)}
	cfg := testConfig()
	cfg.pages = 7
	got, _ := sampleBucket(t.Context(), f, cfg)
	// One delimiter page finds the prefixes, then two pages of each.
	if got.Pages != 7 || f.listCalls.Load() != 7 || got.KeysListed != 6000 {
		t.Errorf("pages %d calls %d listed %d, want 7, 7, 6000", got.Pages, f.listCalls.Load(), got.KeysListed)
	}
	if got.PrefixesFound != 3 || got.PrefixesListed != 3 || got.ListingComplete {
		t.Errorf("prefixes found %d listed %d complete %v", got.PrefixesFound, got.PrefixesListed, got.ListingComplete)
	}
	perPrefix := map[string]int{}
	for _, k := range f.aclKeys {
		perPrefix[inventory.KeyPrefix(k)]++
	}
	if len(perPrefix) != 3 {
		t.Errorf("the sample covers prefixes %v, want all three", perPrefix)
	}
}

func TestMorePrefixesThanPagesListsASeededSubset(t *testing.T) {
	var prefixes []string
	for i := range 20 {
		prefixes = append(prefixes, fmt.Sprintf("p%02d/", i))
	}
	// listed samples with seed and returns the prefixes whose keys were
	// listed (the sample of 20 holds all 12 listed keys, each ACL read).
	listed := func(seed int64) []string {
		f := &fakeBucket{keys: keysUnder(prefixes, 3)}
		cfg := testConfig()
		cfg.pages = 5
		cfg.seed = seed
		got, _ := sampleBucket(t.Context(), f, cfg)
		if got.PrefixesFound != 20 || got.PrefixesListed != 4 || got.KeysListed != 12 || got.ListingComplete {
			t.Errorf("seed %d: sample %+v, want 4 of 20 prefixes listed, 12 keys, incomplete", seed, got)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		set := map[string]bool{}
		for _, k := range f.aclKeys {
			set[inventory.KeyPrefix(k)] = true
		}
		return slices.Sorted(maps.Keys(set))
	}
	first := listed(42)
	if len(first) != 4 {
		t.Fatalf("the sample covers prefixes %v, want the 4 listed", first)
	}
	if again := listed(42); !slices.Equal(first, again) {
		t.Errorf("the same seed listed prefixes %v, then %v", first, again)
	}
	// A subset chosen by the seed, not always the first prefixes: some
	// other seed picks another.
	differs := false
	for seed := int64(1); seed <= 5 && !differs; seed++ {
		differs = !slices.Equal(first, listed(seed))
	}
	if !differs {
		t.Errorf("seeds 1 to 5 all listed prefixes %v: the subset does not depend on the seed", first)
	}
}

func TestPrefixesBeyondTheFirstRootPageAreCountedButMakeTheListingIncomplete(t *testing.T) {
	// 1,500 root keys push prefixes sorting after them onto the second
	// root page; the sampler knows about them only after the budget was
	// shared out.
	keys := append(keysUnder([]string{""}, 1500), "zz/a", "zz/b")
	sort.Strings(keys)
	got, _ := sampleBucket(t.Context(), &fakeBucket{keys: keys}, testConfig())
	if got.KeysListed != 1500 || got.PrefixesFound != 1 || got.PrefixesListed != 0 || got.ListingComplete {
		t.Errorf("sample %+v: want 1500 root keys listed, 1 prefix found but not listed, incomplete", got)
	}
}

func TestSamplingIsDeterministicForASeed(t *testing.T) {
	keys := keysUnder([]string{"a/", "b/"}, 3000)
	run := func(seed int64) []string {
		cfg := testConfig()
		cfg.seed = seed
		got, _ := sampleBucket(t.Context(), &fakeBucket{keys: keys}, cfg)
		var hashes []string
		for _, o := range got.Objects {
			hashes = append(hashes, o.KeyHash)
		}
		return hashes
	}
	first, again, other := run(1), run(1), run(2)
	if !slices.Equal(first, again) {
		t.Errorf("same seed gave different samples:\n%v\n%v", first, again)
	}
	if slices.Equal(first, other) {
		t.Errorf("different seeds gave the same sample %v", first)
	}
}

func TestSampleLeansToRecentlyModifiedObjects(t *testing.T) {
	keys := keysUnder([]string{""}, 4000)
	f := &fakeBucket{keys: keys, modified: func(k string) time.Time {
		if strings.HasSuffix(k, "0") || strings.HasSuffix(k, "2") || strings.HasSuffix(k, "4") || strings.HasSuffix(k, "6") || strings.HasSuffix(k, "8") {
			return testNow.Add(-time.Hour)
		}
		return testNow.Add(-2 * 365 * 24 * time.Hour)
	}}
	cfg := testConfig()
	cfg.size = 200
	got, _ := sampleBucket(t.Context(), f, cfg)
	var recent int
	for _, o := range got.Objects {
		if testNow.Sub(o.LastModified) < 24*time.Hour {
			recent++
		}
	}
	// Half the keys are recent and weigh 10 to the old ones' 1: about 91%
	// of the sample should be recent; a uniform sample would give 50%.
	if frac := float64(recent) / float64(len(got.Objects)); frac < 0.8 || len(got.Objects) != 200 {
		t.Errorf("%d of %d sampled objects are recent (%.0f%%), want most of them", recent, len(got.Objects), frac*100)
	}
	var old int
	for _, o := range got.Objects {
		if testNow.Sub(o.LastModified) > 365*24*time.Hour {
			old++
		}
	}
	if old == 0 {
		t.Error("no old object was sampled: the lean must not exclude them")
	}
}

func TestBucketOwnerEnforcedSpendsNoACLCalls(t *testing.T) {
	f := &fakeBucket{keys: keysUnder([]string{""}, 50)}
	cfg := testConfig()
	cfg.aclsDisabled = true
	got, _ := sampleBucket(t.Context(), f, cfg)
	if f.aclCalls.Load() != 0 || got.ACLsRequested != 0 || got.ACLsSkipped != inventory.OwnershipBucketOwnerEnforced {
		t.Errorf("ACL calls %d, sample %+v", f.aclCalls.Load(), got)
	}
	for _, o := range got.Objects {
		if o.ACLStatus != inventory.ACLStatusNotRequested {
			t.Errorf("object status %q", o.ACLStatus)
		}
	}
}

func TestAccessDeniedOnAnObjectTheBucketOwnerOwnsIsAGap(t *testing.T) {
	keys := keysUnder([]string{"patients/"}, 3)
	f := &fakeBucket{keys: keys, aclErr: map[string]error{keys[1]: apiErr("AccessDenied", 403)}}
	got, failures := sampleBucket(t.Context(), f, testConfig())
	if len(failures) != 1 || failures[0].operation != "GetObjectAcl" {
		t.Fatalf("failures %+v, want one GetObjectAcl gap", failures)
	}
	if strings.Contains(failures[0].resource, "obj-") || !strings.Contains(failures[0].resource, inventory.HashKey("records", keys[1])) {
		t.Errorf("gap resource %q must name the key hash, never the key", failures[0].resource)
	}
	var errored int
	for _, o := range got.Objects {
		if o.ACLStatus == inventory.ACLStatusError {
			errored++
		}
		if o.Key != "" {
			t.Errorf("key %q kept without showKeys", o.Key)
		}
		// Three keys are too few to call "patients/" structural.
		if o.KeyPrefix != (inventory.KeyHasher{}).HashPrefix("records", "patients/") {
			t.Errorf("key prefix %q, want the hashed prefix", o.KeyPrefix)
		}
	}
	if errored != 1 || got.ACLsRead != 2 {
		t.Errorf("errored %d read %d, want 1 and 2", errored, got.ACLsRead)
	}
}

func TestAFailedFirstListingSkipsACLs(t *testing.T) {
	f := &fakeBucket{listErr: apiErr("AccessDenied", 403)}
	got, failures := sampleBucket(t.Context(), f, testConfig())
	if len(failures) != 1 || got.ACLsSkipped != "listing failed" || got.ListingComplete || f.aclCalls.Load() != 0 {
		t.Fatalf("sample %+v failures %+v", got, failures)
	}
	// The gap names the listing of the bucket, with S3's error, so that
	// it reads as "not evaluated", never as an empty (clean) bucket.
	if fl := failures[0]; fl.operation != "ListObjectsV2" || fl.resource != "arn:aws:s3:::records" || !strings.Contains(fmt.Sprint(fl.err), "AccessDenied") {
		t.Errorf("failure %+v, want ListObjectsV2 on arn:aws:s3:::records with AccessDenied", fl)
	}
	if len(got.Objects) != 0 || got.KeysListed != 0 {
		t.Errorf("a failed listing kept %d objects, %d keys listed", len(got.Objects), got.KeysListed)
	}
}

func TestShowObjectKeysKeepsKeys(t *testing.T) {
	cfg := testConfig()
	cfg.showKeys = true
	got, _ := sampleBucket(t.Context(), &fakeBucket{keys: []string{"index.html"}}, cfg)
	if len(got.Objects) != 1 || got.Objects[0].Key != "index.html" || got.Objects[0].KeyHash != inventory.HashKey("records", "index.html") {
		t.Errorf("objects %+v", got.Objects)
	}
}

// BenchmarkObserve measures the per-key cost of sampling a listing; the
// allocations per key stay at zero whatever the bucket size, which is what
// keeps memory flat however many keys are listed.
func BenchmarkObserve(b *testing.B) {
	s := newSampler(testConfig())
	s.cfg.size = 100
	objs := make([]s3types.Object, 1000)
	for i := range objs {
		objs[i] = s3types.Object{Key: aws.String(fmt.Sprintf("k/%d", i)), Size: aws.Int64(1),
			LastModified: aws.Time(testNow.Add(-time.Duration(i) * time.Hour)), Owner: &s3types.Owner{ID: aws.String(ownerID)}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.observe(objs[i%len(objs)])
	}
}

// genBucket generates its listing instead of storing it, so a benchmark
// measures the sampler and not the fake: prefixes p0/…pN/ of perPrefix keys.
type genBucket struct {
	prefixes, perPrefix int
}

func (g genBucket) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	if aws.ToString(in.Delimiter) == "/" {
		out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
		for i := range g.prefixes {
			out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(fmt.Sprintf("p%d/", i))})
		}
		return out, nil
	}
	start := 0
	if in.ContinuationToken != nil {
		start, _ = strconv.Atoi(*in.ContinuationToken)
	}
	end := min(start+1000, g.perPrefix)
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(end < g.perPrefix), Contents: make([]s3types.Object, 0, end-start)}
	if end < g.perPrefix {
		out.NextContinuationToken = aws.String(strconv.Itoa(end))
	}
	owner := &s3types.Owner{ID: aws.String(ownerID)}
	for j := start; j < end; j++ {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(aws.ToString(in.Prefix) + strconv.Itoa(j)), Size: aws.Int64(1),
			LastModified: aws.Time(testNow.Add(-time.Duration(j) * time.Minute)), Owner: owner})
	}
	return out, nil
}

func (g genBucket) GetObjectAcl(context.Context, *s3.GetObjectAclInput, ...func(*s3.Options)) (*s3.GetObjectAclOutput, error) {
	return &s3.GetObjectAclOutput{Owner: &s3types.Owner{ID: aws.String(ownerID)}}, nil
}

// BenchmarkSampleBucket samples buckets of growing size with a page budget
// that lists all of them, to show that the sampler's memory does not grow
// with the keys listed: what grows is only the garbage of each page.
func BenchmarkSampleBucket(b *testing.B) {
	for _, keys := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			g := genBucket{prefixes: 10, perPrefix: keys / 10}
			cfg := testConfig()
			cfg.size, cfg.pages = 100, keys/1000+1
			b.ReportAllocs()
			var kept int
			var retained uint64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				got, _ := sampleBucket(b.Context(), g, cfg)
				runtime.GC()
				runtime.ReadMemStats(&after)
				if got.KeysListed != keys {
					b.Fatalf("listed %d", got.KeysListed)
				}
				kept = len(got.Objects)
				retained = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
				runtime.KeepAlive(got)
			}
			b.ReportMetric(float64(kept), "objects-kept")
			b.ReportMetric(float64(retained), "retained-B")
		})
	}
}

// Issue 10 item 2: a first path segment is shown only when the listing
// shows it is structural (shared by inventory.MinPrefixKeys keys) and it
// carries no digit run, space or punctuation; otherwise it is hashed.
func TestKeyPrefixesAreShownOnlyWhenStructural(t *testing.T) {
	var keys []string
	keys = append(keys, keysUnder([]string{"static/"}, inventory.MinPrefixKeys)...)
	keys = append(keys, keysUnder([]string{"Jane Doe DOB 1970-01-01 MRN 12345/"}, inventory.MinPrefixKeys+5)...)
	keys = append(keys, keysUnder([]string{"2024/"}, inventory.MinPrefixKeys)...)
	keys = append(keys, keysUnder([]string{"few/"}, 2)...)
	sort.Strings(keys)
	cfg := testConfig()
	cfg.size = len(keys)
	cfg.keyHasher = inventory.NewKeyHasher([]byte("test-secret-0123456789"))
	got, failures := sampleBucket(t.Context(), &fakeBucket{keys: keys}, cfg)
	if len(failures) > 0 {
		t.Fatal(failures[0].err)
	}
	seen := map[string]bool{}
	for _, o := range got.Objects {
		seen[o.KeyPrefix] = true
		if strings.Contains(o.KeyPrefix, "Jane") || strings.Contains(o.KeyPrefix, "12345") || o.KeyPrefix == "2024/" || o.KeyPrefix == "few/" {
			t.Errorf("prefix %q shown", o.KeyPrefix)
		}
	}
	if !seen["static/"] {
		t.Errorf("the structural prefix static/ is not shown: %v", seen)
	}
	name := cfg.keyHasher.HashPrefix("records", "Jane Doe DOB 1970-01-01 MRN 12345/")
	if !seen[name] || !strings.HasPrefix(name, "hmac:") {
		t.Errorf("the personal prefix is not replaced by its keyed hash %s: %v", name, seen)
	}
}
