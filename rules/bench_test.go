package rules

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/inventory"
)

// syntheticOrg builds an organization of the given size: every account has
// buckets with a policy, BPA, ownership controls and sampled objects with
// ACLs; every tenth bucket is served by a distribution (one in three from
// another account), a fifth of the objects are owned by the tools account
// and some are public-read, so that the sampled rules do real work.
func syntheticOrg(accounts, bucketsPerAccount, objectsPerBucket int) *inventory.Snapshot {
	s := healthcorpSnapshot()
	s.Accounts, s.Buckets, s.Distributions = nil, nil, nil
	s.OriginAccessIdentities, s.OriginAccessControls = nil, nil
	s.CanonicalIDs = map[string]inventory.CanonicalIdentity{}
	toolsCanon := canon("7001")
	for a := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+a)
		cid := canon(fmt.Sprintf("ac%d", a))
		s.Accounts = append(s.Accounts, inventory.Account{ID: id, Status: "ACTIVE", CanonicalUserID: cid, Scanned: true, PublicAccessBlock: bpa(a%3 != 0)})
		s.CanonicalIDs[cid] = inventory.CanonicalIdentity{Kind: inventory.KindAccount, AccountID: id}
		if a == 0 {
			s.CanonicalIDs[toolsCanon] = inventory.CanonicalIdentity{Kind: inventory.KindAccount, AccountID: id}
		}
		oaiID := fmt.Sprintf("E%dOAI", a)
		oaiCanon := canon(fmt.Sprintf("0ai%d", a))
		s.OriginAccessIdentities = append(s.OriginAccessIdentities, inventory.OriginAccessIdentity{ID: oaiID, AccountID: id, S3CanonicalUserID: oaiCanon})
		s.CanonicalIDs[oaiCanon] = inventory.CanonicalIdentity{Kind: inventory.KindOAI, AccountID: id, OAIID: oaiID}
		for k := range bucketsPerAccount {
			name := fmt.Sprintf("org-%d-bucket-%d", a, k)
			b := bucket(name, id, cid, "us-east-1")
			b.PublicAccessBlock = bpa(k%2 == 0)
			if k%4 != 0 {
				b.OwnershipControls = ownership(inventory.OwnershipObjectWriter)
			}
			b.Policy = policy(oaiStatement(name, oaiID), denyHTTP(name), map[string]any{"Effect": "Allow", "Principal": "*", "Action": []any{"s3:GetObject", "s3:ListBucket"},
				"Resource": "arn:aws:s3:::" + name + "/*", "Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceVpce": "vpce-0123"}}})
			objs := make([]inventory.Object, objectsPerBucket)
			for i := range objs {
				key := fmt.Sprintf("prefix-%d/object-%d.json", i%7, i)
				switch {
				case i%5 == 0:
					objs[i] = object(name, key, toolsCanon, nil, true)
				case i%11 == 0:
					objs[i] = object(name, key, cid, acl(cid, allUsers("READ")), false)
				default:
					objs[i] = object(name, key, cid, acl(cid), false)
				}
			}
			b.Objects = sample(objs...)
			s.Buckets = append(s.Buckets, b)
			if k == 0 {
				distAcct := id
				if a%3 == 1 { // served from the previous account's distribution
					distAcct = s.Accounts[a-1].ID
				}
				s.Distributions = append(s.Distributions, distribution(fmt.Sprintf("E%dDIST", a), distAcct,
					[]inventory.Origin{s3Origin(name, id, oaiID, "")}, "redirect-to-https"))
			}
		}
	}
	return s
}

// peakHeap samples the Go heap while f runs and returns the largest
// HeapInuse seen, as a stand-in for peak memory (use /usr/bin/time -v for
// the process's maximum RSS).
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

func benchmarkEvaluate(b *testing.B, accounts, bucketsPerAccount, objectsPerBucket int) {
	inv := syntheticOrg(accounts, bucketsPerAccount, objectsPerBucket)
	e := loadEmbedded(b)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	invHeap := float64(ms.HeapInuse) / (1 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	var peak uint64
	cpu0 := processCPU()
	for b.Loop() {
		p := peakHeap(func() {
			fs, err := e.Evaluate(b.Context(), inv)
			if err != nil {
				b.Fatal(err)
			}
			n = len(fs)
		})
		peak = max(peak, p)
	}
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(n), "findings")
	b.ReportMetric(invHeap, "inventory-heap-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkEvaluateOrg1000Accounts is the target size: 1,000 accounts,
// 10,000 buckets, 1,000,000 sampled objects.
//
//	go test ./rules -run '^$' -bench Org1000 -benchtime 1x -benchmem -timeout 60m
func BenchmarkEvaluateOrg1000Accounts(b *testing.B) { benchmarkEvaluate(b, 1000, 10, 100) }

// BenchmarkEvaluateOrgTenth is a tenth of the target, for quick runs.
func BenchmarkEvaluateOrgTenth(b *testing.B) { benchmarkEvaluate(b, 100, 10, 100) }
