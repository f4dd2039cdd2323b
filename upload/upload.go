// Package upload puts a run's reports (SARIF, ASFF, inventory, run summary)
// into an S3 bucket under a dated prefix, server-side encrypted, after
// checking that the bucket is not publicly accessible.
//
// These uploads are, with Security Hub imports, the only writes hoofprint
// makes. The reports bucket belongs to the security tooling account that
// runs the scan, never to a scanned member account: call Upload with the
// base (caller's) configuration, not an assumed member role.
package upload

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// File is one report to upload.
type File struct {
	// Name is the object name under the run prefix, e.g. "hoofprint.sarif";
	// empty means the base name of Path. It may not contain "/".
	Name string
	// Path is the local file to read.
	Path string
	// ContentType overrides the type inferred from Name (see ContentType).
	ContentType string
}

// Options control one upload.
type Options struct {
	// RunID names the run's folder; empty means one derived from Now
	// (e.g. "20261127T023000Z"), unique per second.
	RunID string
	// Now dates the prefix (UTC); zero means the current time.
	Now time.Time
	// SSEKMSKeyID selects SSE-KMS with this key (ARN, key ID or alias ARN,
	// from --sse-kms-key). Empty means SSE-S3 (AES256).
	SSEKMSKeyID string
	// ExpectedBucketOwner is the account ID that must own the bucket.
	// When set, every request carries x-amz-expected-bucket-owner, so a
	// bucket deleted and re-created by someone else fails with 403 instead
	// of receiving the reports.
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
	ExpectedBucketOwner string
}

// Public-group grantee URIs.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups
const (
	allUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// ErrPublicBucket is wrapped by the error Upload returns when the bucket is
// publicly accessible. cmd maps it to exit code 2 (configuration error).
var ErrPublicBucket = errors.New("reports bucket is publicly accessible")

// ErrCheckFailed is wrapped by the error Upload returns when the public
// access pre-flight could not be completed; Upload fails closed rather than
// write possibly sensitive reports to a bucket it could not vet.
var ErrCheckFailed = errors.New("could not verify that the reports bucket is private")

// API is the part of the S3 client that Upload calls, defined here for unit
// tests; *s3.Client satisfies it.
type API interface {
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketAcl(context.Context, *s3.GetBucketAclInput, ...func(*s3.Options)) (*s3.GetBucketAclOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Upload checks that dest's bucket is not publicly accessible, then uploads
// files to <prefix>/YYYY/MM/DD/<run-id>/<name>, server-side encrypted, and
// returns the s3:// URIs written, in the order of files.
//
// cfg must be the scanner's own configuration (the security tooling
// account); s3opts are the S3 client options hoofprint always uses
// (awsclient.Base.S3Options: path-style for emulators) and may be nil.
// A failed file does not stop the others: the URIs of those written are
// returned with the joined errors.
func Upload(ctx context.Context, cfg aws.Config, s3opts func(*s3.Options), dest Destination, files []File, opts Options) ([]string, error) {
	var optFns []func(*s3.Options)
	if s3opts != nil {
		optFns = append(optFns, s3opts)
	}
	return upload(ctx, s3.NewFromConfig(cfg, optFns...), dest, files, opts)
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

func upload(ctx context.Context, api API, dest Destination, files []File, opts Options) ([]string, error) {
	if err := checkBucketName(dest.Bucket); err != nil {
		return nil, fmt.Errorf("upload to %s: %w", dest, err)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.RunID == "" {
		opts.RunID = opts.Now.UTC().Format("20060102T150405Z")
	}
	if !runIDPattern.MatchString(opts.RunID) || opts.RunID == "." || opts.RunID == ".." {
		return nil, fmt.Errorf("upload to %s: run ID %q must be 1-128 letters, digits, '.', '_' or '-'", dest, opts.RunID)
	}
	files = slices.Clone(files)
	seen := map[string]bool{}
	for i, f := range files {
		if f.Name == "" {
			f.Name = filepath.Base(f.Path)
			files[i].Name = f.Name
		}
		if f.Name == "" || strings.ContainsAny(f.Name, `/\`) || f.Name == "." || f.Name == ".." {
			return nil, fmt.Errorf("upload to %s: report name %q must be a plain file name", dest, f.Name)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("upload to %s: report name %q given twice", dest, f.Name)
		}
		seen[f.Name] = true
	}

	if err := CheckNotPublic(ctx, api, dest.Bucket, opts.ExpectedBucketOwner); err != nil {
		return nil, err
	}

	prefix := RunPrefix(dest, opts.Now, opts.RunID)
	var uris []string
	var errs []error
	for _, f := range files {
		key := prefix + f.Name
		if err := putFile(ctx, api, dest.Bucket, key, f, opts); err != nil {
			errs = append(errs, err)
			continue
		}
		uris = append(uris, "s3://"+dest.Bucket+"/"+key)
	}
	return uris, errors.Join(errs...)
}

// RunPrefix is the key prefix of one run, ending in "/":
// <prefix>/YYYY/MM/DD/<run-id>/. The date is UTC, so a nightly run near
// midnight files under one day wherever the task runs.
func RunPrefix(dest Destination, t time.Time, runID string) string {
	dated := path.Join(t.UTC().Format("2006/01/02"), runID) + "/"
	if dest.Prefix == "" {
		return dated
	}
	return dest.Prefix + "/" + dated
}

func putFile(ctx context.Context, api API, bucket, key string, f File, opts Options) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.Name, err)
	}
	defer func() { _ = fh.Close() }()
	st, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.Name, err)
	}
	ct := f.ContentType
	if ct == "" {
		ct = ContentType(f.Name)
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          fh,
		ContentLength: aws.Int64(st.Size()),
		ContentType:   aws.String(ct),
		// Explicit even when the bucket has default encryption, so the
		// reports are encrypted the way the operator asked whatever the
		// bucket's configuration. SSE-KMS needs kms:GenerateDataKey on the
		// key for PutObject.
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}
	if opts.SSEKMSKeyID != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(opts.SSEKMSKeyID)
		// S3 Bucket Keys cut KMS requests (and cost) for many objects.
		in.BucketKeyEnabled = aws.Bool(true)
	}
	if opts.ExpectedBucketOwner != "" {
		in.ExpectedBucketOwner = aws.String(opts.ExpectedBucketOwner)
	}
	if _, err := api.PutObject(ctx, in); err != nil {
		// The key is ours (prefix, date, run ID, report name): no object
		// key from a scanned bucket, so it is safe to name.
		return fmt.Errorf("s3 PutObject s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// ContentType is the media type for a report file name: SARIF has its own
// registered type (application/sarif+json, SARIF 2.1.0 §3.1), ASFF,
// inventory and summary files are JSON.
func ContentType(name string) string {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".sarif":
		return "application/sarif+json"
	case ".json":
		return "application/json"
	case ".jsonl", ".ndjson":
		return "application/x-ndjson"
	case ".gz":
		// An inventory written as .json.gz is stored as gzip, not served
		// with Content-Encoding, so a download keeps the .gz bytes.
		return "application/gzip"
	case ".txt", ".log":
		return "text/plain; charset=utf-8"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
		return "application/octet-stream"
	}
}
