package scanner

import (
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// headErr is the error the SDK returns for a HeadBucket answer with no
// body: only the status and the headers tell anything.
func headErr(status int, header http.Header) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "HeadBucket", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: header}},
			Err:      &smithy.GenericAPIError{Code: http.StatusText(status), Message: http.StatusText(status)},
		},
		RequestID: "req",
	}}
}

// TestAHeadBucketAnswerNamingARegionMeansTheBucketExists: S3 answers
// HeadBucket with the bucket's region in x-amz-bucket-region "whether
// access to the bucket is authorized or not" (GetBucketLocation, Amazon S3
// API Reference, which recommends HeadBucket for region discovery), and a
// request signed for the wrong region can get 400 Bad Request rather than
// 301 (aws/aws-sdk-js-v3#7304). Either way the name is taken: "unknown"
// (owned outside the scan), and no coverage gap.
func TestAHeadBucketAnswerNamingARegionMeansTheBucketExists(t *testing.T) {
	withRegion := http.Header{"X-Amz-Bucket-Region": {"eu-west-1"}}
	cases := []struct {
		name     string
		err      error
		want     string
		wantGaps int
	}{
		{"a 400 naming the bucket's region is a bucket in another region", headErr(400, withRegion), bucketExistsUnknown, 0},
		{"a 301 naming the bucket's region is a bucket in another region", headErr(301, withRegion), bucketExistsUnknown, 0},
		{"a 400 without a region header is a gap", headErr(400, http.Header{}), bucketExistsUnknown, 1},
		{"a 404 is still a missing bucket", headErr(404, http.Header{}), bucketExistsNo, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &scan{base: testBase(), cov: &coverage{logger: discardLogger(), c: &counters{}}}
			if got := s.bucketExists(t.Context(), fakeHead{err: tc.err}, "b", "us-east-1"); got != tc.want {
				t.Errorf("bucketExists = %q, want %q", got, tc.want)
			}
			if gaps := s.cov.sorted(); len(gaps) != tc.wantGaps {
				t.Errorf("%d gaps (%+v), want %d", len(gaps), gaps, tc.wantGaps)
			}
		})
	}
}
