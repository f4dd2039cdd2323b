package scanner

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// bucketVersioning reads whether the bucket keeps object versions and
// whether MFA delete is on (HIPAA 164.312(c)(1) integrity). A bucket that
// was never versioned answers with neither element; nil means unread.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
func (a *accountScan) bucketVersioning(client *s3.Client, b *inventory.Bucket) *inventory.Versioning {
	out, err := client.GetBucketVersioning(a.ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(b.Name)})
	if err != nil {
		a.fail(b.Region, "s3", "GetBucketVersioning", b.ARN, err)
		return nil
	}
	return &inventory.Versioning{Status: string(out.Status), MFADelete: string(out.MFADelete)}
}

// bucketObjectLock reads the bucket's Object Lock configuration. A bucket
// without Object Lock answers ObjectLockConfigurationNotFoundError, which
// is "off", not a gap; nil means unread.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
//
// Object Lock works only in buckets with versioning enabled, and a bucket
// with Object Lock can never suspend versioning: a bucket whose versioning
// was read and is not Enabled has no Object Lock, and is not asked (one
// request a bucket saved for most buckets).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
func (a *accountScan) bucketObjectLock(client *s3.Client, b *inventory.Bucket) *inventory.ObjectLock {
	if b.Versioning != nil && b.Versioning.Status != string(s3types.BucketVersioningStatusEnabled) {
		return &inventory.ObjectLock{}
	}
	out, err := client.GetObjectLockConfiguration(a.ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(b.Name)})
	switch {
	case err == nil:
	case apiCode(err) == "ObjectLockConfigurationNotFoundError":
		return &inventory.ObjectLock{}
	default:
		a.fail(b.Region, "s3", "GetObjectLockConfiguration", b.ARN, err)
		return nil
	}
	ol := &inventory.ObjectLock{}
	if c := out.ObjectLockConfiguration; c != nil {
		ol.Enabled = c.ObjectLockEnabled == "Enabled"
		if r := c.Rule; r != nil && r.DefaultRetention != nil {
			ol.Mode = string(r.DefaultRetention.Mode)
			ol.Days = aws.ToInt32(r.DefaultRetention.Days)
			ol.Years = aws.ToInt32(r.DefaultRetention.Years)
		}
	}
	return ol
}
