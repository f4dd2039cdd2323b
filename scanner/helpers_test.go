package scanner

import (
	"context"
	"log/slog"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hoofprint/hoofprint/awsclient"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func testBase() *awsclient.Base {
	return &awsclient.Base{Caller: awsclient.Caller{AccountID: "111111111111", Partition: "aws"}}
}

// apiErr builds the error the SDK returns for an AWS error answer: an
// operation error around a response error around the API error.
func apiErr(code string, status int) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "Op", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: code + " message"},
		},
		RequestID: "req",
	}}
}

type fakeHead struct{ err error }

func (f fakeHead) HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &s3.HeadBucketOutput{}, nil
}
