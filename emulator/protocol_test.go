package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

func TestSTSAndOrganizationsOverTheSDK(t *testing.T) {
	e := startHealthCorp(t)
	mgmt := caller(e)
	ctx := t.Context()

	t.Run("GetCallerIdentity names the management account", func(t *testing.T) {
		out, err := mgmt.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != "111111111111" || !strings.HasPrefix(aws.ToString(out.Arn), "arn:aws:iam::111111111111:") {
			t.Errorf("got account %s arn %s", aws.ToString(out.Account), aws.ToString(out.Arn))
		}
	})
	t.Run("AssumeRole gives credentials that act as the target account", func(t *testing.T) {
		prod := as(t, e, "prod", "")
		out, err := prod.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != "444444444444" || !strings.Contains(aws.ToString(out.Arn), ":assumed-role/OrganizationAccountAccessRole/") {
			t.Errorf("got %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
		}
	})
	t.Run("AssumeRole into a role that does not exist is AccessDenied", func(t *testing.T) {
		_, err := mgmt.sts().AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::444444444444:role/NoSuchRole"), RoleSessionName: aws.String("test")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("AssumeRole into a custom role that exists works", func(t *testing.T) {
		_ = as(t, e, "tools", "site-pipeline")
	})
	t.Run("a bad secret is SignatureDoesNotMatch", func(t *testing.T) {
		bad := caller(e)
		creds := e.CallerCredentials()
		creds.SecretAccessKey = "wrong"
		bad.cfg.Credentials = staticProvider(creds)
		_, err := bad.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if errCode(err) != "SignatureDoesNotMatch" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("an unknown key is InvalidClientTokenId", func(t *testing.T) {
		bad := caller(e)
		bad.cfg.Credentials = staticProvider(aws.Credentials{AccessKeyID: "AKIANOTKNOWN", SecretAccessKey: "x"})
		_, err := bad.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if errCode(err) != "InvalidClientTokenId" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("DescribeOrganization names the management account", func(t *testing.T) {
		out, err := mgmt.orgs().DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Organization.MasterAccountId) != "111111111111" || aws.ToString(out.Organization.Id) != "o-hc7x2k9q4m" {
			t.Errorf("got %+v", out.Organization)
		}
	})
	t.Run("ListAccounts pages and omits the account outside the organization", func(t *testing.T) {
		p := organizations.NewListAccountsPaginator(mgmt.orgs(), &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
		var names []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, a := range out.Accounts {
				names = append(names, aws.ToString(a.Name)+":"+string(a.Status))
			}
		}
		if strings.Join(names, ",") != "management:ACTIVE,tools:ACTIVE,dev:ACTIVE,prod:ACTIVE" || pages != 2 {
			t.Errorf("got %v in %d pages", names, pages)
		}
	})
	t.Run("a member account may not list accounts", func(t *testing.T) {
		_, err := as(t, e, "dev", "").orgs().ListAccounts(ctx, &organizations.ListAccountsInput{})
		if errCode(err) != "AccessDeniedException" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a lone account is AWSOrganizationsNotInUseException", func(t *testing.T) {
		lone := startScenario(t, &scenario.Scenario{Name: "lone", Accounts: []scenario.Account{{Name: "solo", ID: "123456789012"}}}, Options{})
		_, err := caller(lone).orgs().DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if errCode(err) != "AWSOrganizationsNotInUseException" {
			t.Errorf("got %v", err)
		}
	})
}

func TestS3ReadOperationsOverTheSDK(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	prod := as(t, e, "prod", "")
	west := prod.s3("us-west-2")
	east := prod.s3("us-east-1")
	prodCanon := scenario.CanonicalUserID("444444444444")
	toolsCanon := scenario.CanonicalUserID("222222222222")

	t.Run("ListBuckets without parameters answers no BucketRegion, as S3 does", func(t *testing.T) {
		out, err := east.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Buckets) == 0 {
			t.Fatal("no buckets")
		}
		for _, b := range out.Buckets {
			if b.BucketRegion != nil {
				t.Errorf("%s: BucketRegion %q in an unpaginated answer", aws.ToString(b.Name), aws.ToString(b.BucketRegion))
			}
		}
	})
	t.Run("ListBuckets with MaxBuckets returns the account's own buckets with regions and its canonical ID", func(t *testing.T) {
		out, err := east.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1000)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Owner.ID) != prodCanon {
			t.Errorf("owner %s, want %s", aws.ToString(out.Owner.ID), prodCanon)
		}
		var got []string
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name)+"@"+aws.ToString(b.BucketRegion))
		}
		want := "healthcorp-access-logs@us-west-2,healthcorp-marketing-site@us-east-1,healthcorp-phi-records@us-west-2,healthcorp-prod-error-pages@us-west-2,healthcorp-prod-lab-inbound@us-west-2,healthcorp-prod-portal-assets@us-west-2,healthcorp-prod-site@us-west-2"
		if strings.Join(got, ",") != want {
			t.Errorf("got %v", got)
		}
	})
	t.Run("ListBuckets paginates with MaxBuckets", func(t *testing.T) {
		p := s3.NewListBucketsPaginator(east, &s3.ListBucketsInput{MaxBuckets: aws.Int32(4)})
		n, pages := 0, 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Buckets)
			pages++
		}
		if n != 7 || pages != 2 {
			t.Errorf("%d buckets in %d pages", n, pages)
		}
	})
	t.Run("GetBucketLocation is empty for us-east-1 and names other regions", func(t *testing.T) {
		out, err := east.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil || out.LocationConstraint != "us-west-2" {
			t.Errorf("got %v %v", out, err)
		}
		out, err = east.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("healthcorp-marketing-site")})
		if err != nil || out.LocationConstraint != "" {
			t.Errorf("got %v %v", out, err)
		}
	})
	t.Run("HeadBucket answers with the region and 404 for a missing bucket", func(t *testing.T) {
		out, err := east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil || aws.ToString(out.BucketRegion) != "us-west-2" {
			t.Errorf("got %v %v", out, err)
		}
		_, err = east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("healthcorp-old-landing")})
		if errCode(err) != "NotFound" {
			t.Errorf("missing bucket: %v", err)
		}
	})
	t.Run("a request signed for the wrong region names the right one", func(t *testing.T) {
		_, err := east.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-prod-site")})
		if errCode(err) != "AuthorizationHeaderMalformed" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("GetBucketPolicy returns the policy with the OAI ARN substituted", func(t *testing.T) {
		out, err := west.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil {
			t.Fatal(err)
		}
		oai := e.Scenario().OAI("prod-site").ID
		if !strings.Contains(aws.ToString(out.Policy), "CloudFront Origin Access Identity "+oai) || !json.Valid([]byte(aws.ToString(out.Policy))) {
			t.Errorf("policy %s", aws.ToString(out.Policy))
		}
	})
	t.Run("GetBucketPolicy without a policy is NoSuchBucketPolicy", func(t *testing.T) {
		_, err := west.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-prod-portal-assets")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = as(t, e, "tools", "").s3("us-east-1").GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-tools-logs")})
		if errCode(err) != "NoSuchBucketPolicy" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("GetBucketPolicyStatus says whether the policy is public", func(t *testing.T) {
		out, err := east.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("healthcorp-marketing-site")})
		if err != nil || !aws.ToBool(out.PolicyStatus.IsPublic) {
			t.Errorf("marketing: %v %v", out, err)
		}
		out, err = west.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil || aws.ToBool(out.PolicyStatus.IsPublic) {
			t.Errorf("prod site: %v %v", out, err)
		}
	})
	t.Run("GetPublicAccessBlock returns the bucket's settings", func(t *testing.T) {
		out, err := west.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil {
			t.Fatal(err)
		}
		c := out.PublicAccessBlockConfiguration
		if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("got %+v", c)
		}
		_, err = as(t, e, "dev", "").s3("us-west-2").GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("healthcorp-dev-site")})
		if errCode(err) != "NoSuchPublicAccessBlockConfiguration" {
			t.Errorf("dev site: %v", err)
		}
	})
	t.Run("GetBucketOwnershipControls returns the setting or OwnershipControlsNotFoundError", func(t *testing.T) {
		out, err := west.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("healthcorp-phi-records")})
		if err != nil || out.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("got %v %v", out, err)
		}
		_, err = as(t, e, "dev", "").s3("us-east-1").GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("healthcorp-dev-scratch")})
		if errCode(err) != "OwnershipControlsNotFoundError" {
			t.Errorf("dev scratch: %v", err)
		}
	})
	t.Run("GetBucketAcl returns typed grantees", func(t *testing.T) {
		out, err := west.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("healthcorp-access-logs")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range out.Grants {
			got = append(got, string(g.Grantee.Type)+":"+aws.ToString(g.Grantee.ID)+aws.ToString(g.Grantee.URI)+":"+string(g.Permission))
		}
		want := "CanonicalUser:" + prodCanon + ":FULL_CONTROL,Group:http://acs.amazonaws.com/groups/s3/LogDelivery:WRITE,Group:http://acs.amazonaws.com/groups/s3/LogDelivery:READ_ACP"
		if strings.Join(got, ",") != want || aws.ToString(out.Owner.ID) != prodCanon {
			t.Errorf("got %v", got)
		}
	})
	t.Run("GetBucketLogging returns the target or nothing", func(t *testing.T) {
		out, err := west.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil || out.LoggingEnabled == nil || aws.ToString(out.LoggingEnabled.TargetBucket) != "healthcorp-access-logs" || aws.ToString(out.LoggingEnabled.TargetPrefix) != "prod-site/" {
			t.Errorf("got %+v %v", out, err)
		}
		out, err = as(t, e, "dev", "").s3("us-west-2").GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("healthcorp-dev-site")})
		if err != nil || out.LoggingEnabled != nil {
			t.Errorf("dev: %+v %v", out, err)
		}
	})
	t.Run("ListObjectsV2 with FetchOwner shows objects owned by tools", func(t *testing.T) {
		out, err := west.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-prod-site"), FetchOwner: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 5 || aws.ToInt32(out.KeyCount) != 5 || aws.ToBool(out.IsTruncated) {
			t.Fatalf("got %d objects", len(out.Contents))
		}
		for _, o := range out.Contents {
			if aws.ToString(o.Owner.ID) != toolsCanon {
				t.Errorf("%s owned by %s, want tools", aws.ToString(o.Key), aws.ToString(o.Owner.ID))
			}
			if o.LastModified == nil || o.LastModified.IsZero() || aws.ToInt64(o.Size) == 0 {
				t.Errorf("%s lacks LastModified or Size", aws.ToString(o.Key))
			}
		}
		if aws.ToString(out.Contents[0].Key) != "favicon.ico" {
			t.Errorf("keys not in binary order: first %s", aws.ToString(out.Contents[0].Key))
		}
	})
	t.Run("ListObjectsV2 without FetchOwner omits owners", func(t *testing.T) {
		out, err := west.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-prod-site")})
		if err != nil || out.Contents[0].Owner != nil {
			t.Errorf("got %v %v", out, err)
		}
	})
	t.Run("ListObjectsV2 groups by delimiter and pages with a continuation token", func(t *testing.T) {
		devE := as(t, e, "dev", "").s3("us-east-1")
		out, err := devE.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-dev-scratch"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "exports/" || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "notes.txt" {
			t.Errorf("got prefixes %v contents %d", out.CommonPrefixes, len(out.Contents))
		}
		p := s3.NewListObjectsV2Paginator(devE, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-dev-scratch"), Prefix: aws.String("exports/"), MaxKeys: aws.Int32(5)})
		var keys []string
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, o := range page.Contents {
				keys = append(keys, aws.ToString(o.Key))
			}
		}
		if len(keys) != 12 || pages != 3 || keys[0] != "exports/test-000.csv" || keys[11] != "exports/test-011.csv" {
			t.Errorf("got %d keys in %d pages: %v", len(keys), pages, keys)
		}
	})
	t.Run("ListObjectsV2 with a delimiter and no common prefixes sends no CommonPrefixes element", func(t *testing.T) {
		// S3 omits CommonPrefixes when a delimiter groups nothing; an empty
		// <CommonPrefixes/> would decode as one prefix-less entry in the SDK.
		dev := as(t, e, "dev", "")
		rec := &bodyRecorder{next: dev.cfg.HTTPClient}
		dev.cfg.HTTPClient = rec
		for _, prefix := range []string{"notes", "exports/", "nothing-here/"} {
			out, err := dev.s3("us-east-1").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-dev-scratch"), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.CommonPrefixes) != 0 {
				t.Errorf("prefix %q: the SDK read %d common prefixes, want none", prefix, len(out.CommonPrefixes))
			}
			if bytes.Contains(rec.last, []byte("CommonPrefixes")) {
				t.Errorf("prefix %q: body has a CommonPrefixes element: %s", prefix, rec.last)
			}
		}
	})
	t.Run("GetObjectAcl returns the ACL of an object the caller owns", func(t *testing.T) {
		out, err := west.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-phi-records"), Key: aws.String("patients/jane-doe/lab-results.pdf")})
		if err != nil || len(out.Grants) != 1 || aws.ToString(out.Owner.ID) != prodCanon {
			t.Errorf("got %+v %v", out, err)
		}
	})
	t.Run("NoSuchBucket and NoSuchKey have their codes", func(t *testing.T) {
		_, err := east.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("no-such-bucket-here")})
		if errCode(err) != "NoSuchBucket" {
			t.Errorf("bucket: %v", err)
		}
		_, err = west.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-phi-records"), Key: aws.String("nope")})
		if errCode(err) != "NoSuchKey" {
			t.Errorf("key: %v", err)
		}
	})
}

func TestS3ControlAndCloudFrontOverTheSDK(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	prod := as(t, e, "prod", "")

	t.Run("account BPA reads NoSuchPublicAccessBlockConfiguration when unset, then the value put", func(t *testing.T) {
		_, err := prod.s3control().GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("444444444444")})
		if errCode(err) != "NoSuchPublicAccessBlockConfiguration" {
			t.Fatalf("got %v", err)
		}
		_, err = prod.s3control().PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String("444444444444"),
			PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true)}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := prod.s3control().GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("444444444444")})
		if err != nil || !aws.ToBool(out.PublicAccessBlockConfiguration.IgnorePublicAcls) || aws.ToBool(out.PublicAccessBlockConfiguration.BlockPublicPolicy) {
			t.Errorf("got %+v %v", out, err)
		}
	})
	t.Run("another account's BPA is AccessDenied", func(t *testing.T) {
		_, err := prod.s3control().GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("222222222222")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ListDistributions returns origins with OAI paths, OACs and behaviours", func(t *testing.T) {
		out, err := prod.cloudfront().ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		items := out.DistributionList.Items
		if len(items) != 3 {
			t.Fatalf("got %d distributions", len(items))
		}
		site := e.Scenario().Distribution("prod-site")
		var found bool
		for _, d := range items {
			if aws.ToString(d.Id) != site.ID {
				continue
			}
			found = true
			o := d.Origins.Items[0]
			if aws.ToString(o.DomainName) != "healthcorp-prod-site.s3.us-west-2.amazonaws.com" ||
				aws.ToString(o.S3OriginConfig.OriginAccessIdentity) != "origin-access-identity/cloudfront/"+e.Scenario().OAI("prod-site").ID {
				t.Errorf("origin %+v", o)
			}
			if aws.ToString(d.ARN) != "arn:aws:cloudfront::444444444444:distribution/"+site.ID || aws.ToInt32(d.CacheBehaviors.Quantity) != 1 ||
				d.DefaultCacheBehavior.ViewerProtocolPolicy != "redirect-to-https" || d.Aliases.Items[0] != "www.healthcorp.example" {
				t.Errorf("distribution %+v", d)
			}
		}
		if !found {
			t.Error("prod-site distribution missing")
		}
	})
	t.Run("ListDistributions pages with Marker and MaxItems", func(t *testing.T) {
		p := cloudfront.NewListDistributionsPaginator(prod.cloudfront(), &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(2)})
		n, pages := 0, 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.DistributionList.Items)
			pages++
		}
		if n != 3 || pages != 2 {
			t.Errorf("%d in %d pages", n, pages)
		}
	})
	t.Run("GetDistributionConfig returns the origins", func(t *testing.T) {
		out, err := prod.cloudfront().GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(e.Scenario().Distribution("marketing").ID)})
		if err != nil || aws.ToInt32(out.DistributionConfig.Origins.Quantity) != 2 || out.DistributionConfig.Origins.Items[0].CustomOriginConfig == nil {
			t.Errorf("got %+v %v", out, err)
		}
	})
	t.Run("ListCloudFrontOriginAccessIdentities returns 96-hex S3 canonical IDs", func(t *testing.T) {
		out, err := prod.cloudfront().ListCloudFrontOriginAccessIdentities(ctx, &cloudfront.ListCloudFrontOriginAccessIdentitiesInput{})
		if err != nil {
			t.Fatal(err)
		}
		l := out.CloudFrontOriginAccessIdentityList
		if len(l.Items) != 1 || len(aws.ToString(l.Items[0].S3CanonicalUserId)) != 96 || aws.ToString(l.Items[0].Comment) != "cloudfront identity" {
			t.Errorf("got %+v", l.Items)
		}
	})
	t.Run("ListOriginAccessControls returns the OAC", func(t *testing.T) {
		out, err := prod.cloudfront().ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsInput{})
		if err != nil {
			t.Fatal(err)
		}
		l := out.OriginAccessControlList
		if len(l.Items) != 1 || aws.ToString(l.Items[0].Name) != "prod-portal" || l.Items[0].SigningBehavior != "always" || l.Items[0].OriginAccessControlOriginType != "s3" {
			t.Errorf("got %+v", l.Items)
		}
	})
}

func TestSecurityHubOverTheSDK(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	prod := as(t, e, "prod", "")
	hub := prod.securityhub("us-west-2")
	product := "arn:aws:securityhub:us-west-2:444444444444:product/444444444444/default"
	finding := func(id, created, updated, title string) shtypes.AwsSecurityFinding {
		return shtypes.AwsSecurityFinding{
			AwsAccountId: aws.String("444444444444"), CreatedAt: aws.String(created), UpdatedAt: aws.String(updated), FirstObservedAt: aws.String(created),
			Description: aws.String("d"), GeneratorId: aws.String("hoofprint/s3-object-foreign-owner"), Id: aws.String(id),
			ProductArn: aws.String(product), SchemaVersion: aws.String("2018-10-08"), Title: aws.String(title),
			Types:     []string{"Software and Configuration Checks/AWS Security Best Practices"},
			Severity:  &shtypes.Severity{Label: shtypes.SeverityLabelHigh},
			Resources: []shtypes.Resource{{Id: aws.String("arn:aws:s3:::healthcorp-prod-site"), Type: aws.String("AwsS3Bucket")}},
		}
	}
	t.Run("BatchImportFindings accepts valid findings and reports invalid ones", func(t *testing.T) {
		bad := finding("hoofprint/bad", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "bad")
		bad.SchemaVersion = aws.String("2018-10-09")
		other := finding("hoofprint/other", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "other account")
		other.AwsAccountId = aws.String("333333333333")
		out, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{
			finding("hoofprint/one", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "first"), bad, other}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.SuccessCount) != 1 || aws.ToInt32(out.FailedCount) != 2 || aws.ToString(out.FailedFindings[0].Id) != "hoofprint/bad" ||
			!strings.Contains(aws.ToString(out.FailedFindings[0].ErrorMessage), "SchemaVersion") {
			t.Errorf("got %+v", out)
		}
	})
	t.Run("re-importing a finding updates it in place and keeps CreatedAt and FirstObservedAt", func(t *testing.T) {
		f := finding("hoofprint/one", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z", "second")
		f.RecordState = shtypes.RecordStateArchived
		if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{f}}); err != nil {
			t.Fatal(err)
		}
		out, err := hub.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
			Id: []shtypes.StringFilter{{Value: aws.String("hoofprint/one"), Comparison: shtypes.StringFilterComparisonEquals}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Findings) != 1 {
			t.Fatalf("got %d findings", len(out.Findings))
		}
		g := out.Findings[0]
		if aws.ToString(g.Title) != "second" || aws.ToString(g.CreatedAt) != "2026-11-27T10:00:00Z" || aws.ToString(g.FirstObservedAt) != "2026-11-27T10:00:00Z" ||
			g.RecordState != shtypes.RecordStateArchived || g.Workflow == nil || g.Workflow.Status != shtypes.WorkflowStatusNew {
			t.Errorf("got %+v", g)
		}
	})
	t.Run("Workflow is set at creation, then only BatchUpdateFindings changes it", func(t *testing.T) {
		// In a region of its own, so the paging test below counts only its findings.
		hub := prod.securityhub("us-east-2")
		product := "arn:aws:securityhub:us-east-2:444444444444:product/444444444444/default"
		f := finding("hoofprint/accepted", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "accepted risk")
		f.ProductArn = aws.String(product)
		f.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatusSuppressed}
		f.Note = &shtypes.Note{Text: aws.String("accepted"), UpdatedBy: aws.String("hoofprint"), UpdatedAt: aws.String("2026-11-27T10:00:00Z")}
		if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{f}}); err != nil {
			t.Fatal(err)
		}
		// A re-import asking for NEW does not change the workflow.
		f.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatusNew}
		f.Note = nil
		if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{f}}); err != nil {
			t.Fatal(err)
		}
		get := func() shtypes.AwsSecurityFinding {
			t.Helper()
			out, err := hub.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
				WorkflowStatus: []shtypes.StringFilter{{Value: aws.String("SUPPRESSED"), Comparison: shtypes.StringFilterComparisonNotEquals}},
				Id:             []shtypes.StringFilter{{Value: aws.String("hoofprint/accepted"), Comparison: shtypes.StringFilterComparisonEquals}}}})
			if err != nil {
				t.Fatal(err)
			}
			all := e.Findings("444444444444", "us-east-2")
			for _, m := range all {
				if m["Id"] == "hoofprint/accepted" {
					var g shtypes.AwsSecurityFinding
					if err := json.Unmarshal(mustJSONT(t, m), &g); err != nil {
						t.Fatal(err)
					}
					if (g.Workflow.Status == shtypes.WorkflowStatusSuppressed) != (len(out.Findings) == 0) {
						t.Errorf("the WorkflowStatus NOT_EQUALS SUPPRESSED filter returned %d findings for workflow %s", len(out.Findings), g.Workflow.Status)
					}
					return g
				}
			}
			t.Fatal("finding not stored")
			return shtypes.AwsSecurityFinding{}
		}
		if g := get(); g.Workflow.Status != shtypes.WorkflowStatusSuppressed || aws.ToString(g.Note.Text) != "accepted" {
			t.Fatalf("after re-import: workflow %+v note %+v", g.Workflow, g.Note)
		}
		out, err := hub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
			FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("hoofprint/accepted"), ProductArn: aws.String(product)}, {Id: aws.String("hoofprint/nope"), ProductArn: aws.String(product)}},
			Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNew},
			Note:               &shtypes.NoteUpdate{Text: aws.String("expired"), UpdatedBy: aws.String("hoofprint")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ProcessedFindings) != 1 || len(out.UnprocessedFindings) != 1 || aws.ToString(out.UnprocessedFindings[0].FindingIdentifier.Id) != "hoofprint/nope" {
			t.Errorf("BatchUpdateFindings = %+v", out)
		}
		if g := get(); g.Workflow.Status != shtypes.WorkflowStatusNew || aws.ToString(g.Note.Text) != "expired" {
			t.Errorf("after BatchUpdateFindings: workflow %+v note %+v", g.Workflow, g.Note)
		}
		_, err = hub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
			FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("hoofprint/accepted"), ProductArn: aws.String(product)}},
			Workflow:           &shtypes.WorkflowUpdate{Status: "IGNORED"},
		})
		if err == nil || !strings.Contains(err.Error(), "InvalidInputException") {
			t.Errorf("an invalid workflow status: err = %v", err)
		}
	})
	t.Run("GetFindings filters by RecordState and pages", func(t *testing.T) {
		var many []shtypes.AwsSecurityFinding
		for i := range 30 {
			many = append(many, finding("hoofprint/many-"+string(rune('a'+i%26))+string(rune('a'+i/26)), "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "many"))
		}
		if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: many}); err != nil {
			t.Fatal(err)
		}
		p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{MaxResults: aws.Int32(7), Filters: &shtypes.AwsSecurityFindingFilters{
			RecordState: []shtypes.StringFilter{{Value: aws.String("ACTIVE"), Comparison: shtypes.StringFilterComparisonEquals}},
			ProductArn:  []shtypes.StringFilter{{Value: aws.String(product), Comparison: shtypes.StringFilterComparisonEquals}},
			GeneratorId: []shtypes.StringFilter{{Value: aws.String("hoofprint/"), Comparison: shtypes.StringFilterComparisonPrefix}},
		}})
		n := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Findings)
		}
		if n != 30 {
			t.Errorf("got %d active findings, want 30 (the archived one excluded)", n)
		}
	})
	t.Run("findings are kept per region", func(t *testing.T) {
		out, err := prod.securityhub("us-east-1").GetFindings(ctx, &securityhub.GetFindingsInput{})
		if err != nil || len(out.Findings) != 0 {
			t.Errorf("us-east-1 has %d findings (%v)", len(out.Findings), err)
		}
	})
	t.Run("more than 100 findings is InvalidInputException", func(t *testing.T) {
		many := make([]shtypes.AwsSecurityFinding, 101)
		for i := range many {
			many[i] = finding("x", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "x")
		}
		_, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: many})
		if errCode(err) != "InvalidInputException" {
			t.Errorf("got %v", err)
		}
	})
}

func TestS3WritesOverTheSDK(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	dev := as(t, e, "dev", "")
	c := dev.s3("us-east-1")
	bucket := aws.String("healthcorp-dev-tmp")
	t.Run("CreateBucket applies the 2023 defaults", func(t *testing.T) {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
			t.Fatal(err)
		}
		oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
		if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("ownership %v %v", oc, err)
		}
		if _, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket}); err != nil {
			t.Errorf("BPA: %v", err)
		}
	})
	t.Run("bucket names are global", func(t *testing.T) {
		_, err := dev.s3("us-west-2").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("healthcorp-prod-site"),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintUsWest2}})
		if errCode(err) != "BucketAlreadyExists" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("Put and Delete of policy, BPA, ownership, ACL and logging round-trip", func(t *testing.T) {
		steps := []func() error{
			func() error {
				_, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bucket})
				return err
			},
			func() error {
				_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: bucket, OwnershipControls: &s3types.OwnershipControls{
					Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipObjectWriter}}}})
				return err
			},
			func() error {
				_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: bucket, ACL: s3types.BucketCannedACLPublicRead})
				return err
			},
			func() error {
				_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::healthcorp-dev-tmp/*"},` +
					`{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::healthcorp-dev-tmp/scratch/*"}]}`)})
				return err
			},
			func() error {
				_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: bucket, BucketLoggingStatus: &s3types.BucketLoggingStatus{
					LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("healthcorp-dev-tmp"), TargetPrefix: aws.String("scratch/")}}})
				return err
			},
			func() error {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("reports/hoofprint.sarif"), Body: bytes.NewReader([]byte(`{"version":"2.1.0"}`)),
					GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"`), GrantFullControl: aws.String(`id="` + scenario.CanonicalUserID("333333333333") + `"`)})
				return err
			},
		}
		for i, s := range steps {
			if err := s(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: bucket})
		if err != nil || len(acl.Grants) != 2 || aws.ToString(acl.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" {
			t.Errorf("bucket ACL %+v %v", acl, err)
		}
		oacl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: aws.String("reports/hoofprint.sarif")})
		if err != nil || len(oacl.Grants) != 2 {
			t.Errorf("object ACL %+v %v", oacl, err)
		}
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/hoofprint.sarif")})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(got.Body)
		if buf.String() != `{"version":"2.1.0"}` {
			t.Errorf("body %q", buf.String())
		}
		lg, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: bucket})
		if err != nil || aws.ToString(lg.LoggingEnabled.TargetPrefix) != "scratch/" {
			t.Errorf("logging %+v %v", lg, err)
		}
		if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bucket}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket}); errCode(err) != "NoSuchBucketPolicy" {
			t.Errorf("after delete: %v", err)
		}
		if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: bucket}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket}); errCode(err) != "OwnershipControlsNotFoundError" {
			t.Errorf("after delete: %v", err)
		}
	})
	t.Run("PutObjectAcl with an AccessControlPolicy body replaces the grants", func(t *testing.T) {
		owner := scenario.CanonicalUserID("333333333333")
		_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bucket, Key: aws.String("reports/hoofprint.sarif"), AccessControlPolicy: &s3types.AccessControlPolicy{
			Owner: &s3types.Owner{ID: aws.String(owner)},
			Grants: []s3types.Grant{
				{Grantee: &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: s3types.PermissionFullControl},
				{Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: s3types.PermissionRead},
			}}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: aws.String("reports/hoofprint.sarif")})
		if err != nil || len(out.Grants) != 2 || aws.ToString(out.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" {
			t.Errorf("got %+v %v", out, err)
		}
	})
	t.Run("the caller's own writes are counted as writes of its account", func(t *testing.T) {
		if len(e.Writes("333333333333")) < 8 {
			t.Errorf("writes of dev: %d", len(e.Writes("333333333333")))
		}
		if w := e.Writes("444444444444"); len(w) != 0 {
			t.Errorf("prod wrote: %+v", w)
		}
	})
	_ = time.Now
}

func TestKeysWithSpacesAndUnicodeSurviveSigningAndListing(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	c := as(t, e, "prod", "").s3("us-west-2")
	key := "patients/Jane Doé (2019)+x&y=z.pdf"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("healthcorp-phi-records"), Key: aws.String(key), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-phi-records"), Key: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []s3types.EncodingType{"", s3types.EncodingTypeUrl} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-phi-records"), Prefix: aws.String("patients/Jane"), EncodingType: enc})
		if err != nil || len(out.Contents) != 1 {
			t.Fatalf("encoding %q: %v %v", enc, out, err)
		}
		got := aws.ToString(out.Contents[0].Key)
		if enc == s3types.EncodingTypeUrl {
			got, _ = url.QueryUnescape(got)
		}
		if got != key {
			t.Errorf("encoding %q: listed %q", enc, got)
		}
	}
}

// bodyRecorder keeps the last response body an SDK client read, to check
// the wire form as well as what the SDK made of it.
type bodyRecorder struct {
	next aws.HTTPClient
	last []byte
}

func (r *bodyRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.last = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func mustJSONT(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
