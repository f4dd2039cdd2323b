package emulator

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// benchClients are clients for the one member of a generated org, over a
// transport with enough idle connections for parallel callers.
func benchSetup(b *testing.B, objects int) (*Emulator, *s3.Client, string) {
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: 1, BucketsPerAccount: 1, ObjectsPerBucket: objects, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	e := startScenario(b, sc, Options{})
	c := as(b, e, "member-0001", "")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	c.cfg.HTTPClient = &http.Client{Transport: tr}
	bk := sc.Buckets[0]
	return e, c.s3(bk.Region), bk.Name
}

// BenchmarkListObjectsV2 measures full 1,000-key pages with owners through
// the SDK, callers in parallel (go test -bench . -cpu 1,2,8).
func BenchmarkListObjectsV2(b *testing.B) {
	_, c, bucket := benchSetup(b, 5000)
	var tok atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// Page through different parts of the key space.
			start := fmt.Sprintf("data/object-%06d.bin", (tok.Add(1)*1000)%4000)
			out, err := c.ListObjectsV2(b.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), FetchOwner: aws.Bool(true), StartAfter: aws.String(start)})
			if err != nil || len(out.Contents) == 0 {
				b.Fatalf("%v", err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkGetObjectAcl measures the call a scan makes most.
func BenchmarkGetObjectAcl(b *testing.B) {
	_, c, bucket := benchSetup(b, 1000)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("data/object-%06d.bin", n.Add(1)%1000)
			if _, err := c.GetObjectAcl(b.Context(), &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkStartLargeOrg measures loading an organization of 1,000 accounts
// x 5 buckets x 100 objects (500,000 objects) and serving it.
func BenchmarkStartLargeOrg(b *testing.B) {
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: 1000, BucketsPerAccount: 5, ObjectsPerBucket: 100, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e, err := Start(b.Context(), sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		_ = e.Close()
	}
}

// BenchmarkServerOnly replays one signed request over plain net/http, so
// the figure is the emulator's own capacity without the SDK's XML decoding
// in the same process (the emulator does not check signing-time skew).
func BenchmarkServerOnly(b *testing.B) {
	for _, tc := range []struct{ name, query string }{
		{"GetObjectAcl", "/data/object-000042.bin?acl="},
		{"ListObjectsV2-1000keys", "?list-type=2&fetch-owner=true"},
		{"ListObjectsV2-100keys", "?list-type=2&fetch-owner=true&max-keys=100"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e, _, bucket := benchSetup(b, 5000)
			c := as(b, e, "member-0001", "")
			creds, err := c.cfg.Credentials.Retrieve(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			region := e.Scenario().Buckets[0].Region
			req, _ := http.NewRequest(http.MethodGet, e.URL()+"/"+bucket+tc.query, nil)
			req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
				SignHTTP(b.Context(), creds, req, emptySHA256, "s3", region, time.Now()); err != nil {
				b.Fatal(err)
			}
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = 256
			hc := &http.Client{Transport: tr}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := req.Clone(b.Context())
					resp, err := hc.Do(r)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("HTTP %d", resp.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
