package scanner

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Error classification. Each helper is named for the decision it makes, and
// all of them look through the SDK's wrapping with errors.As
// (https://aws.github.io/aws-sdk-go-v2/docs/handling-errors/).

// apiCode returns the AWS error code of err, or "" when err carries none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of the response that caused err, or 0.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isAccessDenied reports whether err means "you may not read this": the
// thing is recorded as not evaluated (a coverage gap), never as compliant.
func isAccessDenied(err error) bool {
	switch apiCode(err) {
	case "AccessDenied", "AccessDeniedException", "AllAccessDisabled",
		"UnauthorizedOperation", "AuthorizationError", "InvalidClientTokenId":
		return true
	}
	return httpStatus(err) == 403
}

// isNotInOrganization reports whether Organizations says the caller's
// account is not a member of any organization, so only the caller's own
// account can be scanned (and that is not a gap).
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html
func isNotInOrganization(err error) bool {
	return apiCode(err) == "AWSOrganizationsNotInUseException"
}

// isNoBucketPolicy reports that the bucket has no policy at all.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
func isNoBucketPolicy(err error) bool { return apiCode(err) == "NoSuchBucketPolicy" }

// isNoPublicAccessBlock reports that no Block Public Access configuration
// exists (bucket or account), which means every setting is off.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
func isNoPublicAccessBlock(err error) bool {
	return apiCode(err) == "NoSuchPublicAccessBlockConfiguration"
}

// isNoOwnershipControls reports that the bucket has no Object Ownership
// setting, which S3 treats as ObjectWriter (ACLs enabled).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
func isNoOwnershipControls(err error) bool {
	return apiCode(err) == "OwnershipControlsNotFoundError"
}

// isNoEncryptionConfiguration reports that the bucket has no default
// encryption configuration (only before January 2023, or from S3-compatible
// services; S3 now always has one).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
func isNoEncryptionConfiguration(err error) bool {
	return apiCode(err) == "ServerSideEncryptionConfigurationNotFoundError"
}

// isBucketMissing reports that S3 says the bucket does not exist anywhere.
// HeadBucket has no response body, so only the 404 status tells.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func isBucketMissing(err error) bool {
	switch apiCode(err) {
	case "NoSuchBucket", "NotFound":
		return true
	}
	return httpStatus(err) == 404
}

// isBucketElsewhere reports that the bucket exists but is not readable by
// the caller (403) or lives in another region (301, or 400 when S3 refuses
// a request signed for the wrong region): either way the name is taken,
// by someone. S3 names the bucket's region in x-amz-bucket-region on a
// HeadBucket answer "whether access to the bucket is authorized or not",
// which only an existing bucket has.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
func isBucketElsewhere(err error) bool {
	switch httpStatus(err) {
	case 301, 403:
		return true
	}
	return isAccessDenied(err) || bucketRegionHeader(err) != ""
}

// bucketRegionHeader is the x-amz-bucket-region header of the answer that
// caused err, or "".
func bucketRegionHeader(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// isObjectGone reports that an object listed a moment ago was deleted.
func isObjectGone(err error) bool {
	switch apiCode(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

// isThrottle reports whether one attempt was throttled. The standard
// retryer already retries these codes (retry.DefaultThrottleErrorCodes);
// this only counts them for progress.
func isThrottle(err error) bool {
	switch apiCode(err) {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled",
		"ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "LimitExceededException":
		return true
	}
	return httpStatus(err) == 429
}

// isStopped reports whether err is the scan's own cancellation or deadline
// rather than an answer from AWS.
func isStopped(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// gapCode is the short code a coverage gap records for err.
func gapCode(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	if c := apiCode(err); c != "" {
		return c
	}
	if s := httpStatus(err); s != 0 {
		return "HTTP" + strconv.Itoa(s)
	}
	return "error"
}

// safeMessage describes err without anything that could hold an object key
// or a credential: AWS error messages are kept, but transport errors are
// cut down to their cause, because *url.Error quotes the whole request URL
// (bucket and key).
func safeMessage(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + safeMessage(ue.Err)
	}
	if s := httpStatus(err); s != 0 {
		return "HTTP status " + strconv.Itoa(s)
	}
	return err.Error()
}
