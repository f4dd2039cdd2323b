package upload_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/internal/motoserver"
	"github.com/hoofprint/hoofprint/upload"
)

// TestUploadAgainstMoto goes through the real SDK over HTTP to moto_server,
// with the client options the CLI uses (awsclient with --endpoint-url).
func TestUploadAgainstMoto(t *testing.T) {
	srv := motoserver.Start(t)
	// awsclient.Load installs its own HTTP client (for the in-flight cap),
	// which the SDK cannot combine with AWS_CA_BUNDLE; moto is plain HTTP.
	t.Setenv("AWS_CA_BUNDLE", "")
	ctx := t.Context()
	base, err := awsclient.Load(ctx, awsclient.Options{EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(base.Config, base.S3Options())

	dir := t.TempDir()
	reports := map[string]string{
		"hoofprint.sarif":     `{"version":"2.1.0","runs":[]}`,
		"hoofprint.asff.json": `[]`,
		"inventory.json.gz":   "\x1f\x8b not really gzip",
		"summary.json":        `{"exitCode":0}`,
	}
	var files []upload.File
	for _, name := range slices.Sorted(mapsKeys(reports)) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(reports[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, upload.File{Name: name, Path: p})
	}
	when := time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC)

	makeBucket := func(t *testing.T, name string) {
		t.Helper()
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	blockAll := func(t *testing.T, name string) {
		t.Helper()
		_, err := client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: aws.String(name),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	objectCount := func(t *testing.T, name string) int {
		t.Helper()
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Contents)
	}

	t.Run("uploads every report under the dated run prefix with SSE-S3 and content types", func(t *testing.T) {
		srv.Reset(t)
		makeBucket(t, "reports")
		blockAll(t, "reports")
		dest, err := upload.ParseDestination("s3://reports/hoofprint/nightly/")
		if err != nil {
			t.Fatal(err)
		}
		uris, err := upload.Upload(ctx, base.Config, base.S3Options(), dest, files, upload.Options{RunID: "run-1", Now: when})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"s3://reports/hoofprint/nightly/2026/11/27/run-1/hoofprint.asff.json",
			"s3://reports/hoofprint/nightly/2026/11/27/run-1/hoofprint.sarif",
			"s3://reports/hoofprint/nightly/2026/11/27/run-1/inventory.json.gz",
			"s3://reports/hoofprint/nightly/2026/11/27/run-1/summary.json",
		}
		if !slices.Equal(uris, want) {
			t.Fatalf("URIs:\n got %q\nwant %q", uris, want)
		}
		wantType := map[string]string{
			"hoofprint.sarif":     "application/sarif+json",
			"hoofprint.asff.json": "application/json",
			"inventory.json.gz":   "application/gzip",
			"summary.json":        "application/json",
		}
		for name, body := range reports {
			key := "hoofprint/nightly/2026/11/27/run-1/" + name
			got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			b, _ := io.ReadAll(got.Body)
			_ = got.Body.Close()
			if string(b) != body {
				t.Errorf("%s: body %q, want %q", key, b, body)
			}
			if got.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Errorf("%s: ServerSideEncryption %q, want AES256", key, got.ServerSideEncryption)
			}
			if aws.ToString(got.ContentType) != wantType[name] {
				t.Errorf("%s: ContentType %q, want %q", key, aws.ToString(got.ContentType), wantType[name])
			}
		}
	})

	t.Run("uploads with SSE-KMS and the given key when --sse-kms-key is set", func(t *testing.T) {
		srv.Reset(t)
		makeBucket(t, "reports-kms")
		blockAll(t, "reports-kms")
		keyARN := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		uris, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "reports-kms"}, files[:1],
			upload.Options{RunID: "run-kms", Now: when, SSEKMSKeyID: keyARN})
		if err != nil {
			t.Fatal(err)
		}
		if len(uris) != 1 || uris[0] != "s3://reports-kms/2026/11/27/run-kms/hoofprint.asff.json" {
			t.Fatalf("URIs %q", uris)
		}
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("reports-kms"), Key: aws.String("2026/11/27/run-kms/hoofprint.asff.json")})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != keyARN {
			t.Errorf("encryption %q key %q, want aws:kms with %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), keyARN)
		}
	})

	t.Run("accepts a bucket without BPA whose policy only denies, to everyone", func(t *testing.T) {
		srv.Reset(t)
		makeBucket(t, "reports-tls")
		// A Deny to "*" (like the template's TLS-only statement) is not a
		// grant. The TLS-only statement itself cannot be used here: moto
		// enforces it, and the test talks plain HTTP.
		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject",
			"Resource":"arn:aws:s3:::reports-tls/*"}]}`
		if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("reports-tls"), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		if _, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "reports-tls"}, files[:1], upload.Options{Now: when}); err != nil {
			t.Fatal(err)
		}
		if n := objectCount(t, "reports-tls"); n != 1 {
			t.Errorf("%d objects, want 1", n)
		}
	})

	refusals := []struct {
		name  string
		setup func(t *testing.T, bucket string)
		want  string
	}{
		{"refuses a bucket whose ACL is public-read", func(t *testing.T, bucket string) {
			if _, err := client.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPublicRead}); err != nil {
				t.Fatal(err)
			}
		}, "AllUsers"},
		{"refuses a bucket whose ACL grants AuthenticatedUsers", func(t *testing.T, bucket string) {
			if _, err := client.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLAuthenticatedRead}); err != nil {
				t.Fatal(err)
			}
		}, "AuthenticatedUsers"},
		{"refuses a bucket whose policy allows everyone to read", func(t *testing.T, bucket string) {
			policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
			if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
				t.Fatal(err)
			}
		}, "bucket policy grants public access"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset(t)
			makeBucket(t, "public-reports")
			tc.setup(t, "public-reports")
			uris, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "public-reports", Prefix: "x"}, files, upload.Options{Now: when})
			if !errors.Is(err, upload.ErrPublicBucket) {
				t.Fatalf("err = %v, want ErrPublicBucket", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "put-public-access-block") {
				t.Errorf("error %q should name %q and the fix", err, tc.want)
			}
			if len(uris) != 0 || objectCount(t, "public-reports") != 0 {
				t.Errorf("wrote %q to a public bucket", uris)
			}
		})
	}

	t.Run("a public ACL neutralised by IgnorePublicAcls and RestrictPublicBuckets is accepted", func(t *testing.T) {
		srv.Reset(t)
		makeBucket(t, "covered")
		if _, err := client.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("covered"), ACL: types.BucketCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		blockAll(t, "covered")
		if _, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "covered"}, files[:1], upload.Options{Now: when}); err != nil {
			t.Fatal(err)
		}
		if n := objectCount(t, "covered"); n != 1 {
			t.Errorf("%d objects in the bucket, want the 1 report", n)
		}
	})

	t.Run("a bucket that does not exist is a clear error", func(t *testing.T) {
		srv.Reset(t)
		_, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "no-such-reports"}, files, upload.Options{Now: when})
		if err == nil || !strings.Contains(err.Error(), "s3://no-such-reports does not exist") {
			t.Fatalf("err = %v, want a does-not-exist error", err)
		}
	})

	t.Run("a missing local report fails that file but still uploads the others", func(t *testing.T) {
		srv.Reset(t)
		makeBucket(t, "partial")
		blockAll(t, "partial")
		withMissing := append([]upload.File{{Name: "gone.sarif", Path: filepath.Join(dir, "gone.sarif")}}, files[:1]...)
		uris, err := upload.Upload(ctx, base.Config, base.S3Options(), upload.Destination{Bucket: "partial"}, withMissing, upload.Options{RunID: "r", Now: when})
		if err == nil || !strings.Contains(err.Error(), "upload gone.sarif") {
			t.Fatalf("err = %v, want the missing file named", err)
		}
		if len(uris) != 1 || objectCount(t, "partial") != 1 {
			t.Errorf("uris %q, want the other report uploaded", uris)
		}
	})
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
