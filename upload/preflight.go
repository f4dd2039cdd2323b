package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// CheckNotPublic returns nil only when it could read the bucket's Block
// Public Access configuration, policy status and ACL and none of them makes
// the bucket publicly accessible. It wraps ErrPublicBucket when the bucket
// is public and ErrCheckFailed when a check could not be read (fail closed:
// reports name every bucket and object owner of the organization).
//
// "Public" follows S3's own meaning: a policy that S3 reports as public
// (GetBucketPolicyStatus) unless RestrictPublicBuckets neutralises it, or an
// ACL grant to AllUsers or AuthenticatedUsers unless IgnorePublicAcls does.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
//
// The account-level Block Public Access of the bucket owner is not read
// (it needs s3:GetAccountPublicAccessBlock on the tooling account): it can
// only make a bucket less public, so ignoring it errs towards refusing.
//
// IAM actions on the bucket: s3:GetBucketPublicAccessBlock,
// s3:GetBucketPolicyStatus, s3:GetBucketAcl.
func CheckNotPublic(ctx context.Context, api API, bucket, expectedOwner string) error {
	var owner *string
	if expectedOwner != "" {
		owner = aws.String(expectedOwner)
	}
	var bpa types.PublicAccessBlockConfiguration
	out, err := api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
	switch {
	case err == nil && out.PublicAccessBlockConfiguration != nil:
		bpa = *out.PublicAccessBlockConfiguration
	case err == nil:
		// An empty answer is no configuration: every setting off.
	case errorCode(err) == "NoSuchPublicAccessBlockConfiguration":
		// No bucket-level configuration: every setting off.
	default:
		return checkErr(bucket, "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", err)
	}

	var reasons []string
	if !aws.ToBool(bpa.RestrictPublicBuckets) {
		public, err := policyIsPublic(ctx, api, bucket, owner)
		if err != nil {
			return err
		}
		if public {
			reasons = append(reasons, "its bucket policy grants public access and RestrictPublicBuckets is off")
		}
	}
	if !aws.ToBool(bpa.IgnorePublicAcls) {
		acl, err := api.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
		if err != nil {
			return checkErr(bucket, "GetBucketAcl", "s3:GetBucketAcl", err)
		}
		for _, g := range acl.Grants {
			if g.Grantee == nil || g.Grantee.Type != types.TypeGroup {
				continue
			}
			switch aws.ToString(g.Grantee.URI) {
			case allUsersURI:
				reasons = append(reasons, fmt.Sprintf("its ACL grants %s to AllUsers and IgnorePublicAcls is off", g.Permission))
			case authenticatedUsersURI:
				reasons = append(reasons, fmt.Sprintf("its ACL grants %s to AuthenticatedUsers (any AWS account) and IgnorePublicAcls is off", g.Permission))
			}
		}
	}
	if len(reasons) > 0 {
		return fmt.Errorf("%w: s3://%s: %s; turn on Block Public Access for the bucket (aws s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true) or choose a private bucket",
			ErrPublicBucket, bucket, strings.Join(reasons, "; "), bucket)
	}
	return nil
}

// policyIsPublic asks S3 whether the bucket policy is public.
func policyIsPublic(ctx context.Context, api API, bucket string, owner *string) (bool, error) {
	st, err := api.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
	switch {
	case errorCode(err) == "NoSuchBucketPolicy":
		return false, nil
	case err != nil && errorCode(err) != "NotImplemented":
		return false, checkErr(bucket, "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", err)
	case err == nil && st.PolicyStatus != nil && st.PolicyStatus.IsPublic != nil:
		return *st.PolicyStatus.IsPublic, nil
	}
	// S3 always answers <PolicyStatus><IsPublic>; an answer without it
	// comes from an emulator that does not implement the operation (moto
	// answers a bucket listing). Judge the policy document ourselves, more
	// strictly than S3: any Allow to a wildcard principal counts as public,
	// whatever its conditions.
	pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
	if errorCode(err) == "NoSuchBucketPolicy" {
		return false, nil
	}
	if err != nil {
		return false, checkErr(bucket, "GetBucketPolicy (policy status unavailable)", "s3:GetBucketPolicy", err)
	}
	public, err := allowsWildcardPrincipal(aws.ToString(pol.Policy))
	if err != nil {
		return false, fmt.Errorf("%w: s3://%s: bucket policy is not valid JSON: %w", ErrCheckFailed, bucket, err)
	}
	return public, nil
}

// allowsWildcardPrincipal reports whether any Allow statement names "*" as
// principal (Principal "*", {"AWS": "*"} or "*" in a list) or uses
// NotPrincipal, which allows everyone not listed.
func allowsWildcardPrincipal(doc string) (bool, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return false, err
	}
	type statement struct {
		Effect       string
		Principal    json.RawMessage
		NotPrincipal json.RawMessage
	}
	var stmts []statement
	if len(p.Statement) > 0 && p.Statement[0] == '{' {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return false, err
		}
		stmts = []statement{one}
	} else if len(p.Statement) > 0 {
		if err := json.Unmarshal(p.Statement, &stmts); err != nil {
			return false, err
		}
	}
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		if len(s.NotPrincipal) > 0 {
			return true, nil
		}
		if principalIsWildcard(s.Principal) {
			return true, nil
		}
	}
	return false, nil
}

func principalIsWildcard(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		// Not a form IAM accepts; treat as public rather than guess.
		return true
	}
	for _, v := range m {
		var one string
		if json.Unmarshal(v, &one) == nil && one == "*" {
			return true
		}
		var list []string
		if json.Unmarshal(v, &list) == nil {
			for _, x := range list {
				if x == "*" {
					return true
				}
			}
		}
	}
	return false
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// checkErr explains a pre-flight read that failed, with the IAM action the
// task role needs when it was denied.
func checkErr(bucket, op, action string, err error) error {
	switch errorCode(err) {
	case "NoSuchBucket":
		return fmt.Errorf("reports bucket s3://%s does not exist (s3 %s): %w", bucket, op, err)
	case "AccessDenied", "AccessDeniedException", "Forbidden":
		return fmt.Errorf("%w: s3://%s: s3 %s was denied; grant %s on arn:aws:s3:::%s to the scanner's role (or the bucket is not owned by the expected account): %w",
			ErrCheckFailed, bucket, op, action, bucket, err)
	}
	return fmt.Errorf("%w: s3://%s: s3 %s: %w", ErrCheckFailed, bucket, op, err)
}
