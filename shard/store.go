package shard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/hoofprint/hoofprint/upload"
)

// Store is a run folder: a local directory or an S3 prefix.
type Store interface {
	// Put stores the local file at localPath as name, replacing any
	// earlier version whole (never a partial file under name).
	Put(ctx context.Context, name, localPath string) error
	// Fetch makes name readable as a local file and returns its path and
	// a function that removes any temporary copy. A missing name is an
	// error wrapping fs.ErrNotExist.
	Fetch(ctx context.Context, name string) (string, func(), error)
	// URI names name in the store, for messages.
	URI(name string) string
}

// S3Config is what an S3 run folder needs: the caller's configuration, the
// S3 options of the base (endpoint, path style), the account that must own
// the bucket and the KMS key for SSE-KMS ("" for SSE-S3).
type S3Config struct {
	Config              aws.Config
	Options             func(*s3.Options)
	ExpectedBucketOwner string
	SSEKMSKey           string
}

// IsS3 reports whether uri names an S3 run folder.
func IsS3(uri string) bool { return strings.HasPrefix(uri, "s3://") }

// OpenStore opens the run folder uri. An s3:// URI needs cfg; a local
// directory is created on first Put.
func OpenStore(uri string, cfg *S3Config) (Store, error) {
	if !IsS3(uri) {
		if uri == "" {
			return nil, errors.New("empty run folder")
		}
		return localStore{dir: uri}, nil
	}
	dest, err := upload.ParseDestination(uri) // the caller names its flag
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("%s: S3 needs AWS credentials", uri)
	}
	var opts []func(*s3.Options)
	if cfg.Options != nil {
		opts = append(opts, cfg.Options)
	}
	return &s3Store{api: s3.NewFromConfig(cfg.Config, opts...), dest: dest, owner: cfg.ExpectedBucketOwner, kms: cfg.SSEKMSKey}, nil
}

// Sub returns the store of the folder name inside uri.
func Sub(uri, name string) string {
	if IsS3(uri) {
		return strings.TrimSuffix(uri, "/") + "/" + name + "/"
	}
	return filepath.Join(uri, name)
}

type localStore struct{ dir string }

func (l localStore) URI(name string) string { return filepath.Join(l.dir, name) }

func (l localStore) Put(_ context.Context, name, localPath string) error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", l.URI(name), err)
	}
	in, err := os.Open(localPath)
	if err != nil {
		return fmt.Errorf("write %s: %w", l.URI(name), err)
	}
	defer func() { _ = in.Close() }()
	tmp, err := os.CreateTemp(l.dir, ".hoofprint-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", l.URI(name), err)
	}
	_, err = io.Copy(tmp, in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), l.URI(name))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", l.URI(name), err)
	}
	return nil
}

func (l localStore) Fetch(_ context.Context, name string) (string, func(), error) {
	p := l.URI(name)
	if _, err := os.Stat(p); err != nil {
		return "", func() {}, fmt.Errorf("read %s: %w", p, err)
	}
	return p, func() {}, nil
}

type s3Store struct {
	api   *s3.Client
	dest  upload.Destination
	owner string
	kms   string
}

func (s *s3Store) key(name string) string { return path.Join(s.dest.Prefix, name) }

func (s *s3Store) URI(name string) string { return "s3://" + s.dest.Bucket + "/" + s.key(name) }

func (s *s3Store) expectedOwner() *string {
	if s.owner == "" {
		return nil
	}
	return aws.String(s.owner)
}

// CheckNotPublic refuses a run folder in a bucket that is or may be public:
// shard inventories describe every bucket of the organization.
func (s *s3Store) CheckNotPublic(ctx context.Context) error {
	return upload.CheckNotPublic(ctx, s.api, s.dest.Bucket, s.owner)
}

func (s *s3Store) Put(ctx context.Context, name, localPath string) error {
	f, err := os.Open(localPath)
	if err != nil {
		return fmt.Errorf("write %s: %w", s.URI(name), err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("write %s: %w", s.URI(name), err)
	}
	// A PutObject replaces the object whole or not at all, which is what
	// a retried shard relies on. Encrypted as --output's reports are.
	in := &s3.PutObjectInput{
		Bucket: aws.String(s.dest.Bucket), Key: aws.String(s.key(name)), Body: f,
		ContentLength: aws.Int64(st.Size()), ContentType: aws.String(upload.ContentType(name)),
		ServerSideEncryption: types.ServerSideEncryptionAes256, ExpectedBucketOwner: s.expectedOwner(),
	}
	if s.kms != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(s.kms)
		in.BucketKeyEnabled = aws.Bool(true)
	}
	if _, err := s.api.PutObject(ctx, in); err != nil {
		return fmt.Errorf("s3 PutObject %s: %w", s.URI(name), err)
	}
	return nil
}

func (s *s3Store) Fetch(ctx context.Context, name string) (string, func(), error) {
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.dest.Bucket), Key: aws.String(s.key(name)), ExpectedBucketOwner: s.expectedOwner()})
	if err != nil {
		var nk *types.NoSuchKey
		var ae smithy.APIError
		if errors.As(err, &nk) || (errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey") {
			return "", func() {}, fmt.Errorf("s3 GetObject %s: %w", s.URI(name), fs.ErrNotExist)
		}
		return "", func() {}, fmt.Errorf("s3 GetObject %s: %w", s.URI(name), err)
	}
	defer func() { _ = out.Body.Close() }()
	tmp, err := os.CreateTemp("", "hoofprint-run-*")
	if err != nil {
		return "", func() {}, fmt.Errorf("read %s: %w", s.URI(name), err)
	}
	cleanup := func() { _ = os.Remove(tmp.Name()) }
	_, err = io.Copy(tmp, out.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", func() {}, fmt.Errorf("s3 GetObject %s: %w", s.URI(name), err)
	}
	return tmp.Name(), cleanup, nil
}
