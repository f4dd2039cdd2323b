package emulator

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// The seed incident, step by step, through the SDK and through what
// CloudFront would be answered.
func TestHealthCorpReproducesTheSeedIncident(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	sc := e.Scenario()
	prodSite, devSite := sc.Distribution("prod-site").ID, sc.Distribution("dev-site").ID
	prodS3 := as(t, e, "prod", "").s3("us-west-2")
	pipeline := as(t, e, "tools", "site-pipeline").s3("us-west-2")

	t.Run("CloudFront gets 403 from the prod bucket: objects owned by tools, public ACL ignored", func(t *testing.T) {
		if got, _ := e.OriginRead(prodSite, "/"); got != http.StatusForbidden {
			t.Errorf("prod index.html: %d", got)
		}
	})
	t.Run("the prod account's admin gets AccessDenied on GetObjectAcl of a tools-owned object", func(t *testing.T) {
		_, err := prodS3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-prod-site"), Key: aws.String("index.html")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("the pipeline role that wrote the object can read its ACL", func(t *testing.T) {
		out, err := pipeline.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-prod-site"), Key: aws.String("index.html")})
		if err != nil || aws.ToString(out.Owner.ID) != scenario.CanonicalUserID("222222222222") || len(out.Grants) != 2 {
			t.Errorf("got %+v %v", out, err)
		}
	})
	t.Run("dev works today, only through the public-read ACL", func(t *testing.T) {
		if got, _ := e.OriginRead(devSite, "/"); got != http.StatusOK {
			t.Fatalf("dev index.html: %d", got)
		}
	})
	t.Run("turning Block Public Access on in dev breaks the dev site too", func(t *testing.T) {
		dev := as(t, e, "dev", "").s3("us-west-2")
		_, err := dev.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("healthcorp-dev-site"),
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.OriginRead(devSite, "/"); got != http.StatusForbidden {
			t.Errorf("dev index.html after BPA: %d", got)
		}
	})
	t.Run("the article's fix: the pipeline grants the OAI read on the object", func(t *testing.T) {
		oaiCanon := scenario.OAICanonicalUserID(sc.OAI("prod-site").ID)
		_, err := pipeline.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("healthcorp-prod-site"), Key: aws.String("index.html"),
			GrantRead: aws.String(`id="` + oaiCanon + `"`), GrantFullControl: aws.String(`id="` + scenario.CanonicalUserID("222222222222") + `"`)})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.OriginRead(prodSite, "/index.html"); got != http.StatusOK {
			t.Errorf("after the grant: %d", got)
		}
		if got, _ := e.OriginRead(prodSite, "/favicon.ico"); got != http.StatusForbidden {
			t.Errorf("an object without the grant: %d", got)
		}
	})
	t.Run("the better fix: BucketOwnerEnforced makes prod the owner and the bucket policy applies", func(t *testing.T) {
		_, err := prodS3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("healthcorp-prod-site"),
			OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.OriginRead(prodSite, "/favicon.ico"); got != http.StatusOK {
			t.Errorf("after BucketOwnerEnforced: %d", got)
		}
		if _, err := prodS3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-prod-site"), Key: aws.String("favicon.ico")}); err != nil {
			t.Errorf("prod admin GetObjectAcl after BucketOwnerEnforced: %v", err)
		}
	})
	t.Run("the error pages origin uses an OAI the bucket policy does not grant", func(t *testing.T) {
		if got, _ := e.OriginRead(prodSite, "/errors/404.html"); got != http.StatusForbidden {
			t.Errorf("errors/404.html: %d", got)
		}
	})
	t.Run("the portal OAC's bucket policy names another distribution's ARN", func(t *testing.T) {
		if got, _ := e.OriginRead(sc.Distribution("prod-portal").ID, "/portal/app.js"); got != http.StatusForbidden {
			t.Errorf("portal: %d", got)
		}
	})
	t.Run("an origin naming a bucket that does not exist is 404", func(t *testing.T) {
		if got, _ := e.OriginRead(sc.Distribution("marketing").ID, "/old/index.html"); got != http.StatusNotFound {
			t.Errorf("old landing: %d", got)
		}
	})
}

func TestS3OwnershipACLAndBlockPublicAccess(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	pipeline := as(t, e, "tools", "site-pipeline").s3("us-west-2")
	put := func(c *s3.Client, bucket, key string, acl s3types.ObjectCannedACL) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("x")), ACL: acl})
		return err
	}
	owner := func(c *s3.Client, bucket, key string) string {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key), FetchOwner: aws.Bool(true)})
		if err != nil || len(out.Contents) != 1 {
			t.Fatalf("list %s/%s: %v", bucket, key, err)
		}
		return aws.ToString(out.Contents[0].Owner.ID)
	}
	tools, dev, prod := scenario.CanonicalUserID("222222222222"), scenario.CanonicalUserID("333333333333"), scenario.CanonicalUserID("444444444444")
	prodS3 := as(t, e, "prod", "").s3("us-west-2")

	tests := []struct {
		name, bucket, key string
		acl               s3types.ObjectCannedACL
		setup             func(t *testing.T)
		wantErr           string
		wantOwner         string
	}{
		{name: "a cross-account write to an ObjectWriter bucket is owned by the writer", bucket: "healthcorp-prod-site", key: "new.html", wantOwner: tools},
		{name: "Block Public Access on the bucket rejects a public-read upload", bucket: "healthcorp-prod-site", key: "public.html", acl: s3types.ObjectCannedACLPublicRead, wantErr: "AccessDenied"},
		{name: "without Block Public Access a public-read upload is accepted", bucket: "healthcorp-dev-site", key: "public.html", acl: s3types.ObjectCannedACLPublicRead, wantOwner: tools},
		{name: "with BucketOwnerPreferred and bucket-owner-full-control the bucket owner owns the object", bucket: "healthcorp-prod-site", key: "preferred.html",
			acl: s3types.ObjectCannedACLBucketOwnerFullControl, wantOwner: prod, setup: func(t *testing.T) {
				_, err := prodS3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("healthcorp-prod-site"),
					OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerPreferred}}}})
				if err != nil {
					t.Fatal(err)
				}
			}},
		{name: "with BucketOwnerPreferred and no ACL the writer still owns the object", bucket: "healthcorp-prod-site", key: "preferred-noacl.html", wantOwner: tools},
		{name: "a writer the bucket policy does not allow is AccessDenied", bucket: "healthcorp-phi-records", key: "patients/x.pdf", wantErr: "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			err := put(pipeline, tt.bucket, tt.key, tt.acl)
			if tt.wantErr != "" {
				if errCode(err) != tt.wantErr {
					t.Fatalf("got %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			bucketOwner := prodS3
			if tt.bucket == "healthcorp-dev-site" {
				bucketOwner = as(t, e, "dev", "").s3("us-west-2")
			}
			if got := owner(bucketOwner, tt.bucket, tt.key); got != tt.wantOwner {
				t.Errorf("owner %s, want %s (tools %s, dev %s, prod %s)", got, tt.wantOwner, tools, dev, prod)
			}
		})
	}
	t.Run("account-level BlockPublicAcls rejects a public bucket ACL", func(t *testing.T) {
		toolsS3 := as(t, e, "tools", "").s3("us-east-1")
		_, err := toolsS3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("healthcorp-tools-logs"),
			OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipObjectWriter}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := toolsS3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("healthcorp-tools-logs")}); err != nil {
			t.Fatal(err)
		}
		_, err = toolsS3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("healthcorp-tools-logs"), ACL: s3types.BucketCannedACLPublicRead})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("BlockPublicPolicy rejects a public bucket policy", func(t *testing.T) {
		_, err := prodS3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("healthcorp-phi-records"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::healthcorp-phi-records/*"}]}`)})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("an ACL on a BucketOwnerEnforced bucket is AccessControlListNotSupported", func(t *testing.T) {
		_, err := prodS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("healthcorp-phi-records"), Key: aws.String("a"), Body: bytes.NewReader(nil),
			GrantRead: aws.String(`id="` + tools + `"`)})
		if errCode(err) != "AccessControlListNotSupported" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("an object another account owns without a grant is unreadable by the bucket owner, readable by its owner", func(t *testing.T) {
		devS3 := as(t, e, "dev", "").s3("us-east-1")
		_, err := devS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("healthcorp-dev-claims-exchange"), Key: aws.String("incoming/claims-2019-06.csv")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("bucket owner: %v", err)
		}
		// bucket-owner-full-control gives the bucket owner access even
		// though the vendor still owns the object (ObjectWriter).
		out, err := devS3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-dev-claims-exchange"), Key: aws.String("incoming/claims-2019-07.csv")})
		if err != nil || aws.ToString(out.Owner.ID) != scenario.CanonicalUserID("999988887777") {
			t.Errorf("bucket-owner-full-control object: %+v %v", out, err)
		}
	})
	t.Run("canonical IDs are distinct per account and 64 hex digits", func(t *testing.T) {
		seen := map[string]bool{}
		for _, a := range e.Scenario().Accounts {
			id := scenario.CanonicalUserID(a.ID)
			if len(id) != 64 || seen[id] {
				t.Errorf("account %s canonical %s", a.Name, id)
			}
			seen[id] = true
		}
	})
	t.Run("AssumeRole into the outside vendor's account is denied: no role there for us", func(t *testing.T) {
		_, err := caller(e).sts().AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999988887777:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("hoofprint")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("got %v", err)
		}
	})
}
