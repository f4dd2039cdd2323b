package scanner

import (
	"cmp"
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/inventory"
)

// Bucket existence answers for Origin.BucketExists.
const (
	bucketExistsYes     = "yes"
	bucketExistsNo      = "no"
	bucketExistsUnknown = "unknown"
)

// resolveOriginDomain recognises the S3 endpoints a CloudFront origin can
// name and returns the origin type, the bucket and the region the domain
// names ("" when it names none). Recognised, with optional ".cn" suffix:
//
//	b.s3.amazonaws.com                  REST, legacy global endpoint
//	b.s3.<region>.amazonaws.com         REST, regional
//	b.s3.dualstack.<region>.amazonaws.com
//	b.s3-<region>.amazonaws.com         REST, legacy dash form
//	b.s3-external-1.amazonaws.com       REST, us-east-1
//	b.s3-website-<region>.amazonaws.com website, dash form
//	b.s3-website.<region>.amazonaws.com website, dot form
//
// Bucket names may contain dots, so the bucket is everything left of the
// S3 label. Anything else is a custom origin.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistS3AndCustomOrigins.html
func resolveOriginDomain(domain string) (typ, bucket, region string) {
	host := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	var rest string
	for _, suffix := range []string{".amazonaws.com.cn", ".amazonaws.com"} {
		if r, ok := strings.CutSuffix(host, suffix); ok {
			rest = r
			break
		}
	}
	if rest == "" {
		return inventory.OriginCustom, "", ""
	}
	labels := strings.Split(rest, ".")
	n := len(labels)
	label := func(i int) string { // i counts from the end: 1 is the last label
		if i > n {
			return ""
		}
		return labels[n-i]
	}
	bucketBefore := func(i int) string { return strings.Join(labels[:max(n-i, 0)], ".") }

	var t, b, r string
	switch last := label(1); {
	case last == "s3":
		t, b = inventory.OriginS3, bucketBefore(1)
	case last == "s3-external-1":
		t, b, r = inventory.OriginS3, bucketBefore(1), "us-east-1"
	case strings.HasPrefix(last, "s3-website-") && isRegion(strings.TrimPrefix(last, "s3-website-")):
		t, b, r = inventory.OriginS3Website, bucketBefore(1), strings.TrimPrefix(last, "s3-website-")
	case strings.HasPrefix(last, "s3-") && isRegion(strings.TrimPrefix(last, "s3-")):
		t, b, r = inventory.OriginS3, bucketBefore(1), strings.TrimPrefix(last, "s3-")
	case label(2) == "s3-website" && isRegion(last):
		t, b, r = inventory.OriginS3Website, bucketBefore(2), last
	case (label(3) == "s3" || label(3) == "s3-fips") && label(2) == "dualstack" && isRegion(last):
		t, b, r = inventory.OriginS3, bucketBefore(3), last
	// FIPS endpoints (GovCloud and regulated workloads) are REST endpoints
	// too; read as custom origins they escaped every S3 origin rule.
	case (label(2) == "s3" || label(2) == "s3-fips") && isRegion(last):
		t, b, r = inventory.OriginS3, bucketBefore(2), last
	}
	if t == "" || b == "" {
		return inventory.OriginCustom, "", ""
	}
	return t, b, r
}

// isRegion reports whether s looks like an AWS region name
// ("us-east-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1").
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" {
			return false
		}
		for _, c := range p {
			if c < 'a' || c > 'z' {
				return false
			}
		}
	}
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// headBucketAPI is the part of the S3 client the origin check uses.
type headBucketAPI interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// resolveOrigins joins every S3 origin to the bucket it names; owners maps
// the name of every bucket the scanned accounts listed to its account.
// Buckets found in a scanned account are "yes". For the others the caller asks S3
// with HeadBucket: 404 means nobody owns the name ("no": anyone could
// create it and serve content through the distribution); 403 or 301 means
// someone outside the scanned accounts owns it ("unknown").
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func (s *scan) resolveOrigins(ctx context.Context, snap *inventory.Snapshot, owners map[string]string) {
	regionOf := map[string]string{}
	for _, d := range snap.Distributions {
		for _, o := range d.Origins {
			if o.BucketName != "" {
				if _, found := owners[o.BucketName]; !found {
					regionOf[o.BucketName] = cmp.Or(regionOf[o.BucketName], o.BucketRegion)
				}
			}
		}
	}
	exists := map[string]string{}
	if len(regionOf) > 0 && ctx.Err() == nil {
		exists = s.checkBuckets(ctx, regionOf)
	}
	for i := range snap.Distributions {
		for j := range snap.Distributions[i].Origins {
			o := &snap.Distributions[i].Origins[j]
			if o.BucketName == "" {
				continue
			}
			if acct, found := owners[o.BucketName]; found {
				o.BucketAccountID, o.BucketExists = acct, bucketExistsYes
				continue
			}
			o.BucketExists = cmp.Or(exists[o.BucketName], bucketExistsUnknown)
		}
	}
}

// checkBuckets asks S3, as the caller, whether each bucket name exists.
func (s *scan) checkBuckets(ctx context.Context, regionOf map[string]string) map[string]string {
	var (
		mu  sync.Mutex
		out = map[string]string{}
	)
	clients := map[string]headBucketAPI{}
	for _, r := range regionOf {
		region := cmp.Or(r, s.base.Config.Region)
		if _, ok := clients[region]; !ok {
			clients[region] = s3.NewFromConfig(awsclient.InRegion(s.base.Config, region), s.base.S3Options(), func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, s.counters.countAttempts)
			})
		}
	}
	g := new(errgroup.Group)
	g.SetLimit(DefaultBucketConcurrency)
	for name, r := range regionOf {
		api := clients[cmp.Or(r, s.base.Config.Region)]
		g.Go(func() error {
			answer := s.bucketExists(ctx, api, name, cmp.Or(r, s.base.Config.Region))
			mu.Lock()
			out[name] = answer
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return out
}

func (s *scan) bucketExists(ctx context.Context, api headBucketAPI, name, region string) string {
	_, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
		// Readable by the caller but in no scanned account: it exists, and
		// whose it is cannot be told from here.
		return bucketExistsUnknown
	case isBucketMissing(err):
		return bucketExistsNo
	case isBucketElsewhere(err):
		return bucketExistsUnknown
	case isStopped(err) && ctx.Err() != nil:
		return bucketExistsUnknown
	}
	s.cov.add(s.base.Caller.AccountID, region, "s3", "HeadBucket", "arn:"+s.base.Caller.Partition+":s3:::"+name, err)
	return bucketExistsUnknown
}
