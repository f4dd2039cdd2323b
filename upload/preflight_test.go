package upload

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// fakeS3 answers the pre-flight reads the way S3 does in cases moto cannot
// produce (GetBucketPolicyStatus, AccessDenied). The end-to-end behaviour is
// tested against moto in upload_test.go.
type fakeS3 struct {
	bpa       *types.PublicAccessBlockConfiguration
	bpaErr    error
	status    *types.PolicyStatus
	statusErr error
	policy    string
	aclGrants []types.Grant
	aclErr    error
	calls     []string
	puts      []*s3.PutObjectInput
}

func (f *fakeS3) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	f.calls = append(f.calls, "GetPublicAccessBlock")
	if f.bpaErr != nil {
		return nil, f.bpaErr
	}
	if f.bpa == nil {
		return nil, &smithy.GenericAPIError{Code: "NoSuchPublicAccessBlockConfiguration"}
	}
	return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: f.bpa}, nil
}

func (f *fakeS3) GetBucketPolicyStatus(_ context.Context, _ *s3.GetBucketPolicyStatusInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	f.calls = append(f.calls, "GetBucketPolicyStatus")
	if f.statusErr != nil {
		return nil, f.statusErr
	}
	return &s3.GetBucketPolicyStatusOutput{PolicyStatus: f.status}, nil
}

func (f *fakeS3) GetBucketPolicy(_ context.Context, _ *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	f.calls = append(f.calls, "GetBucketPolicy")
	if f.policy == "" {
		return nil, &smithy.GenericAPIError{Code: "NoSuchBucketPolicy"}
	}
	return &s3.GetBucketPolicyOutput{Policy: aws.String(f.policy)}, nil
}

func (f *fakeS3) GetBucketAcl(_ context.Context, _ *s3.GetBucketAclInput, _ ...func(*s3.Options)) (*s3.GetBucketAclOutput, error) {
	f.calls = append(f.calls, "GetBucketAcl")
	if f.aclErr != nil {
		return nil, f.aclErr
	}
	return &s3.GetBucketAclOutput{Grants: f.aclGrants}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.calls = append(f.calls, "PutObject")
	f.puts = append(f.puts, in)
	return &s3.PutObjectOutput{}, nil
}

var allOn = &types.PublicAccessBlockConfiguration{
	BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
	BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
}

func TestCheckNotPublic(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	publicGrant := types.Grant{Permission: types.PermissionRead, Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(allUsersURI)}}
	tests := []struct {
		name      string
		fake      fakeS3
		wantErr   error
		wantText  string
		wantCalls []string
	}{
		{name: "a bucket with BPA fully on is private without reading policy or ACL",
			fake: fakeS3{bpa: allOn}, wantCalls: []string{"GetPublicAccessBlock"}},
		{name: "a bucket S3 calls not public with a private ACL is accepted",
			fake:      fakeS3{status: &types.PolicyStatus{IsPublic: aws.Bool(false)}},
			wantCalls: []string{"GetPublicAccessBlock", "GetBucketPolicyStatus", "GetBucketAcl"}},
		{name: "a bucket without a policy is judged by its ACL alone",
			fake:      fakeS3{statusErr: &smithy.GenericAPIError{Code: "NoSuchBucketPolicy"}},
			wantCalls: []string{"GetPublicAccessBlock", "GetBucketPolicyStatus", "GetBucketAcl"}},
		{name: "a bucket S3 reports as public is refused",
			fake:    fakeS3{status: &types.PolicyStatus{IsPublic: aws.Bool(true)}},
			wantErr: ErrPublicBucket, wantText: "bucket policy grants public access"},
		{name: "a public policy neutralised by RestrictPublicBuckets is accepted",
			fake: fakeS3{bpa: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)},
				status: &types.PolicyStatus{IsPublic: aws.Bool(true)}},
			wantCalls: []string{"GetPublicAccessBlock", "GetBucketAcl"}},
		{name: "a public ACL without IgnorePublicAcls is refused",
			fake:    fakeS3{status: &types.PolicyStatus{IsPublic: aws.Bool(false)}, aclGrants: []types.Grant{publicGrant}},
			wantErr: ErrPublicBucket, wantText: "AllUsers"},
		{name: "an unreadable Block Public Access configuration fails closed and names the permission",
			fake:    fakeS3{bpaErr: denied},
			wantErr: ErrCheckFailed, wantText: "s3:GetBucketPublicAccessBlock"},
		{name: "an unreadable policy status fails closed and names the permission",
			fake:    fakeS3{statusErr: denied},
			wantErr: ErrCheckFailed, wantText: "s3:GetBucketPolicyStatus"},
		{name: "an unreadable ACL fails closed and names the permission",
			fake:    fakeS3{status: &types.PolicyStatus{IsPublic: aws.Bool(false)}, aclErr: denied},
			wantErr: ErrCheckFailed, wantText: "s3:GetBucketAcl"},
		{name: "an emulator without policy status falls back to reading the policy and refuses a wildcard Allow",
			fake: fakeS3{policy: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",
				"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`},
			wantErr: ErrPublicBucket, wantCalls: []string{"GetPublicAccessBlock", "GetBucketPolicyStatus", "GetBucketPolicy", "GetBucketAcl"}},
		{name: "the fallback treats NotPrincipal in an Allow as public",
			fake:    fakeS3{policy: `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}`},
			wantErr: ErrPublicBucket},
		{name: "the fallback accepts a policy that grants one account",
			fake: fakeS3{policy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":"s3:GetObject","Resource":"*"}]}`}},
		{name: "the fallback fails closed on a policy it cannot parse",
			fake:    fakeS3{policy: `not json`},
			wantErr: ErrCheckFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNotPublic(t.Context(), &tc.fake, "reports", "")
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantText != "" && !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
			if tc.wantCalls != nil && strings.Join(tc.fake.calls, ",") != strings.Join(tc.wantCalls, ",") {
				t.Errorf("calls %v, want %v", tc.fake.calls, tc.wantCalls)
			}
		})
	}
}

func TestUploadWritesNothingWhenTheCheckFails(t *testing.T) {
	f := &fakeS3{bpaErr: &smithy.GenericAPIError{Code: "AccessDenied"}}
	_, err := upload(t.Context(), f, Destination{Bucket: "reports"}, []File{{Name: "a.sarif", Path: "/nonexistent"}}, Options{})
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("err = %v, want ErrCheckFailed", err)
	}
	if len(f.puts) != 0 {
		t.Errorf("PutObject called %d times after a failed check", len(f.puts))
	}
}

func TestUploadNamesTheObjectAfterTheFileAndSendsTheBucketOwnerAndKMSKey(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/r.sarif"
	if err := writeFile(p, "{}"); err != nil {
		t.Fatal(err)
	}
	f := &fakeS3{bpa: allOn}
	_, err := upload(t.Context(), f, Destination{Bucket: "reports", Prefix: "p"}, []File{{Path: p}}, // Name defaults to the file's base name
		Options{RunID: "x", Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), SSEKMSKeyID: "alias/reports", ExpectedBucketOwner: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	in := f.puts[0]
	if aws.ToString(in.Key) != "p/2026/01/02/x/r.sarif" || in.ServerSideEncryption != types.ServerSideEncryptionAwsKms ||
		aws.ToString(in.SSEKMSKeyId) != "alias/reports" || !aws.ToBool(in.BucketKeyEnabled) || aws.ToString(in.ExpectedBucketOwner) != "111122223333" {
		t.Errorf("PutObject input: key %q sse %q kms %q bucketKey %v owner %q", aws.ToString(in.Key), in.ServerSideEncryption,
			aws.ToString(in.SSEKMSKeyId), aws.ToBool(in.BucketKeyEnabled), aws.ToString(in.ExpectedBucketOwner))
	}
}

func TestUploadRejectsBadInputsBeforeCallingS3(t *testing.T) {
	tests := []struct {
		name  string
		dest  Destination
		files []File
		opts  Options
		want  string
	}{
		{"a report name with a slash is refused", Destination{Bucket: "reports"}, []File{{Name: "../x", Path: "x"}}, Options{}, "plain file name"},
		{"the same report name twice is refused", Destination{Bucket: "reports"}, []File{{Name: "a", Path: "a"}, {Name: "a", Path: "b"}}, Options{}, "given twice"},
		{"a run ID with a slash is refused", Destination{Bucket: "reports"}, nil, Options{RunID: "a/b"}, "run ID"},
		{"an invalid bucket name is refused", Destination{Bucket: "Reports"}, nil, Options{}, "not a valid S3 bucket name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeS3{bpa: allOn}
			_, err := upload(t.Context(), f, tc.dest, tc.files, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if len(f.calls) != 0 {
				t.Errorf("S3 called: %v", f.calls)
			}
		})
	}
}
