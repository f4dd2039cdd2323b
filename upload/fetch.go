package upload

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// MaxFetchBytes bounds a configuration file read from the reports bucket.
const MaxFetchBytes = 1 << 20

// Fetch reads the object name directly under dest's prefix (not under a
// run's dated folder): configuration a scheduled task picks up from its
// reports bucket, such as the accepted-risk file, so that changing it needs
// no image rebuild. found is false when there is no such object. Like
// Upload, it uses the caller's configuration and, when expectedOwner is
// set, refuses a bucket someone else owns.
func Fetch(ctx context.Context, cfg aws.Config, s3opts func(*s3.Options), dest Destination, name, expectedOwner string) (data []byte, found bool, err error) {
	var optFns []func(*s3.Options)
	if s3opts != nil {
		optFns = append(optFns, s3opts)
	}
	return fetch(ctx, s3.NewFromConfig(cfg, optFns...), dest, name, expectedOwner)
}

// getObjectAPI is the part of the S3 client Fetch calls.
type getObjectAPI interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

func fetch(ctx context.Context, api getObjectAPI, dest Destination, name, expectedOwner string) ([]byte, bool, error) {
	key := name
	if dest.Prefix != "" {
		key = dest.Prefix + "/" + name
	}
	in := &s3.GetObjectInput{Bucket: aws.String(dest.Bucket), Key: aws.String(key)}
	if expectedOwner != "" {
		in.ExpectedBucketOwner = aws.String(expectedOwner)
	}
	uri := "s3://" + dest.Bucket + "/" + key
	out, err := api.GetObject(ctx, in)
	if err != nil {
		var nsk *types.NoSuchKey
		var ae smithy.APIError
		if errors.As(err, &nsk) || (errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey") {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("read %s: %w", uri, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxFetchBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", uri, err)
	}
	if len(b) > MaxFetchBytes {
		return nil, false, fmt.Errorf("read %s: larger than %d bytes", uri, MaxFetchBytes)
	}
	return b, true, nil
}
