package rules

import (
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/inventory"
)

// The HealthCorp fixture: the seed incident's organization (tools, prod and
// dev accounts) plus a sandbox account, with one bucket or distribution per
// trap the rules must get right. The golden test writes it to
// testdata/healthcorp-inventory.json with -update.

const (
	acctMgmt    = "111111111111"
	acctProd    = "222222222222"
	acctTools   = "333333333333"
	acctDev     = "444444444444"
	acctSandbox = "555555555555"
)

func canon(tag string) string { return tag + strings.Repeat("0", 64-len(tag)) }

var (
	cMgmt     = canon("a1")
	cProd     = canon("b2")
	cTools    = canon("c3")
	cDev      = canon("d4")
	cSandbox  = canon("e5")
	cStranger = canon("f6")
	cOAIProd  = canon("0a1")
	cOAIDev   = canon("0a2")
	cOAITools = canon("0a3")
)

func bpa(all bool) *inventory.PublicAccessBlock {
	return &inventory.PublicAccessBlock{Configured: all, BlockPublicAcls: all, IgnorePublicAcls: all, BlockPublicPolicy: all, RestrictPublicBuckets: all}
}

func ownership(v string) *inventory.OwnershipControls {
	return &inventory.OwnershipControls{ObjectOwnership: v}
}

func policy(stmts ...map[string]any) *inventory.BucketPolicy {
	if len(stmts) == 0 {
		return &inventory.BucketPolicy{Exists: false}
	}
	list := make([]any, len(stmts))
	for i, s := range stmts {
		list[i] = s
	}
	return &inventory.BucketPolicy{Exists: true, Raw: "{}", Document: map[string]any{"Version": "2012-10-17", "Statement": list}}
}

func oaiStatement(bucket, oaiID string) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucket + "/*",
		"Principal": map[string]any{"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity " + oaiID}}
}

func denyHTTP(bucket string) map[string]any {
	return map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
		"Resource":  []any{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}}
}

func publicRead(bucket string) map[string]any {
	return map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucket + "/*"}
}

func grant(cid, perm string) inventory.Grant {
	return inventory.Grant{GranteeType: "CanonicalUser", GranteeID: cid, Permission: perm}
}

func allUsers(perm string) inventory.Grant {
	return inventory.Grant{GranteeType: "Group", GranteeURI: inventory.AllUsersURI, Permission: perm}
}

func acl(owner string, extra ...inventory.Grant) *inventory.ACL {
	return &inventory.ACL{OwnerCanonicalID: owner, Grants: append([]inventory.Grant{grant(owner, "FULL_CONTROL")}, extra...)}
}

// object is a sampled object; a nil acl with denied true means GetObjectAcl
// was denied to the bucket owner.
func object(bucket, key, owner string, a *inventory.ACL, denied bool) inventory.Object {
	o := inventory.Object{KeyHash: inventory.HashKey(bucket, key), KeyPrefix: inventory.KeyPrefix(key), Size: 1024,
		LastModified: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), OwnerCanonicalID: owner, ACL: a, SampledBecause: inventory.SampledReservoir}
	switch {
	case a != nil:
		o.ACLStatus = inventory.ACLStatusRead
	case denied:
		o.ACLStatus = inventory.ACLStatusDeniedForeignOwner
	default:
		o.ACLStatus = inventory.ACLStatusNotRequested
	}
	return o
}

func sample(objs ...inventory.Object) inventory.ObjectSample {
	read := 0
	for _, o := range objs {
		if o.ACLStatus == inventory.ACLStatusRead {
			read++
		}
	}
	return inventory.ObjectSample{KeysListed: len(objs), ListingComplete: true, Pages: 1, ACLsRequested: len(objs), ACLsRead: read, Seed: 7, Objects: objs}
}

func bucket(name, account, owner, region string) inventory.Bucket {
	return inventory.Bucket{Name: name, ARN: "arn:aws:s3:::" + name, AccountID: account, Region: region, OwnerCanonicalID: owner,
		PublicAccessBlock: bpa(true), OwnershipControls: ownership(inventory.OwnershipBucketOwnerEnforced),
		ACL: acl(owner), Logging: &inventory.Logging{Enabled: true, TargetBucket: "logs-" + account}}
}

func distribution(id, account string, origins []inventory.Origin, viewer string) inventory.Distribution {
	return inventory.Distribution{ID: id, ARN: "arn:aws:cloudfront::" + account + ":distribution/" + id, AccountID: account,
		DomainName: strings.ToLower(id) + ".cloudfront.net", Enabled: true, Status: "Deployed", Origins: origins,
		CacheBehaviors: []inventory.CacheBehavior{{PathPattern: "*", TargetOriginID: origins[0].ID, ViewerProtocolPolicy: viewer}}}
}

func s3Origin(bucket, account, oai, oac string) inventory.Origin {
	exists := "yes"
	if account == "" {
		exists = "unknown"
	}
	return inventory.Origin{ID: "s3-" + bucket, DomainName: bucket + ".s3.us-west-2.amazonaws.com", Type: inventory.OriginS3,
		BucketName: bucket, BucketRegion: "us-west-2", BucketAccountID: account, BucketExists: exists, OAIID: oai, OACID: oac}
}

func healthcorpSnapshot() *inventory.Snapshot {
	start := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	s := &inventory.Snapshot{
		SchemaVersion: inventory.SchemaVersion, Tool: inventory.Tool{Name: "hoofprint", Version: "test"},
		StartedAt: start, FinishedAt: start.Add(3 * time.Minute), Partition: "aws",
		Organization:    &inventory.Organization{ID: "o-healthcorp", ManagementAccountID: acctMgmt},
		CallerAccountID: acctMgmt,
		Accounts: []inventory.Account{
			{ID: acctMgmt, Name: "management", Status: "ACTIVE", CanonicalUserID: cMgmt, Scanned: true, PublicAccessBlock: bpa(true)},
			{ID: acctProd, Name: "prod", Status: "ACTIVE", CanonicalUserID: cProd, Scanned: true, PublicAccessBlock: bpa(true)},
			{ID: acctTools, Name: "tools", Status: "ACTIVE", CanonicalUserID: cTools, Scanned: true, PublicAccessBlock: bpa(true)},
			// dev: no account-level Block Public Access at all.
			{ID: acctDev, Name: "dev", Status: "ACTIVE", CanonicalUserID: cDev, Scanned: true, PublicAccessBlock: bpa(false)},
			{ID: acctSandbox, Name: "sandbox", Status: "ACTIVE", CanonicalUserID: cSandbox, Scanned: true, PublicAccessBlock: bpa(true)},
		},
		OriginAccessIdentities: []inventory.OriginAccessIdentity{
			{ID: "E2PRODOAI", AccountID: acctProd, S3CanonicalUserID: cOAIProd},
			{ID: "E2DEVOAI", AccountID: acctDev, S3CanonicalUserID: cOAIDev},
			{ID: "E2TOOLSOAI", AccountID: acctTools, S3CanonicalUserID: cOAITools},
		},
		OriginAccessControls: []inventory.OriginAccessControl{
			{ID: "EPRODOAC", AccountID: acctProd, Name: "assets", OriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4"},
		},
		CanonicalIDs: map[string]inventory.CanonicalIdentity{
			cMgmt: {Kind: inventory.KindAccount, AccountID: acctMgmt}, cProd: {Kind: inventory.KindAccount, AccountID: acctProd},
			cTools: {Kind: inventory.KindAccount, AccountID: acctTools}, cDev: {Kind: inventory.KindAccount, AccountID: acctDev},
			cSandbox:  {Kind: inventory.KindAccount, AccountID: acctSandbox},
			cOAIProd:  {Kind: inventory.KindOAI, AccountID: acctProd, OAIID: "E2PRODOAI"},
			cOAIDev:   {Kind: inventory.KindOAI, AccountID: acctDev, OAIID: "E2DEVOAI"},
			cOAITools: {Kind: inventory.KindOAI, AccountID: acctTools, OAIID: "E2TOOLSOAI"},
		},
		Coverage: inventory.Coverage{Complete: true, Gaps: []inventory.Gap{}},
	}

	// prod site: the seed's prod bucket after the lock-down. Objects were
	// uploaded by the tools account's pipeline; the bucket owner may not
	// read their ACLs; BPA on, so their public-read ACL no longer counts.
	prod := bucket("healthcorp-web-prod", acctProd, cProd, "us-west-2")
	prod.OwnershipControls = ownership(inventory.OwnershipObjectWriter)
	prod.Policy = policy(oaiStatement("healthcorp-web-prod", "E2PRODOAI"), denyHTTP("healthcorp-web-prod"))
	prod.Objects = sample(
		object("healthcorp-web-prod", "index.html", cTools, nil, true),
		object("healthcorp-web-prod", "static/app.js", cTools, nil, true),
		object("healthcorp-web-prod", "robots.txt", cProd, acl(cProd), false),
	)

	// dev site: the day before the outage, BPA off everywhere and objects
	// readable (to CloudFront and to everyone) only through public-read.
	dev := bucket("healthcorp-web-dev", acctDev, cDev, "us-west-2")
	dev.PublicAccessBlock = bpa(false)
	dev.OwnershipControls = ownership(inventory.OwnershipObjectWriter)
	dev.Policy = policy(oaiStatement("healthcorp-web-dev", "E2DEVOAI"), denyHTTP("healthcorp-web-dev"))
	dev.Objects = sample(
		object("healthcorp-web-dev", "index.html", cTools, acl(cTools, allUsers("READ")), false),
		object("healthcorp-web-dev", "patients/jane-doe.pdf", cStranger, acl(cStranger), false),
	)

	// PHI bucket: BucketOwnerEnforced, so foreign uploads are owned by the
	// bucket owner and no ownership finding may fire; no policy, logging off.
	phi := bucket("healthcorp-phi", acctProd, cProd, "us-east-1")
	phi.Policy = policy()
	phi.Logging = &inventory.Logging{Enabled: false}
	phi.Objects = sample(object("healthcorp-phi", "2026/11/record.json", cProd, nil, false))
	phi.Objects.ACLsSkipped = inventory.OwnershipBucketOwnerEnforced

	// Sandbox: account BPA fully on covers a bucket with BPA off, a
	// public-read bucket ACL and a public policy: none of them is public.
	sandbox := bucket("sandbox-public-site", acctSandbox, cSandbox, "eu-west-1")
	sandbox.PublicAccessBlock = bpa(false)
	sandbox.OwnershipControls = ownership(inventory.OwnershipObjectWriter)
	sandbox.ACL = acl(cSandbox, allUsers("READ"))
	sandbox.Policy = policy(publicRead("sandbox-public-site"), denyHTTP("sandbox-public-site"))

	// dev buckets where only the bucket's own BPA neutralises public access.
	ignoreACLs := bucket("dev-ignore-public-acls", acctDev, cDev, "us-west-2")
	ignoreACLs.PublicAccessBlock = &inventory.PublicAccessBlock{Configured: true, IgnorePublicAcls: true}
	ignoreACLs.OwnershipControls = ownership(inventory.OwnershipBucketOwnerPreferred)
	ignoreACLs.ACL = acl(cDev, allUsers("READ"))
	ignoreACLs.Policy = policy(denyHTTP("dev-ignore-public-acls"))
	ignoreACLs.Objects = sample(object("dev-ignore-public-acls", "a.txt", cDev, acl(cDev, allUsers("READ")), false))

	restrict := bucket("dev-restrict-public-buckets", acctDev, cDev, "us-west-2")
	restrict.PublicAccessBlock = &inventory.PublicAccessBlock{Configured: true, RestrictPublicBuckets: true}
	restrict.Policy = policy(publicRead("dev-restrict-public-buckets"), denyHTTP("dev-restrict-public-buckets"))

	publicPolicy := bucket("dev-public-policy", acctDev, cDev, "us-west-2")
	publicPolicy.PublicAccessBlock = bpa(false)
	publicPolicy.Policy = policy(publicRead("dev-public-policy"), denyHTTP("dev-public-policy"))
	publicPolicy.OwnershipControls = ownership(inventory.OwnershipObjectWriter)
	publicPolicy.ACL = acl(cDev, inventory.Grant{GranteeType: "Group", GranteeURI: inventory.AuthenticatedUsersURI, Permission: "READ"})

	// prod docs behind an OAI that the policy does not grant (it grants the
	// tools OAI instead).
	docs := bucket("healthcorp-docs", acctProd, cProd, "us-west-2")
	docs.Policy = policy(oaiStatement("healthcorp-docs", "E2TOOLSOAI"), denyHTTP("healthcorp-docs"))

	// prod assets behind an OAC whose policy names another distribution.
	assets := bucket("healthcorp-assets", acctProd, cProd, "us-west-2")
	assets.Policy = policy(map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::healthcorp-assets/*",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": "arn:aws:cloudfront::" + acctProd + ":distribution/EOLDDIST"}}},
		denyHTTP("healthcorp-assets"))

	// prod reports served by a distribution in the tools account through the
	// tools OAI, granted by canonical ID; one tools-owned object grants the
	// OAI READ in its ACL, another does not.
	reports := bucket("healthcorp-reports", acctProd, cProd, "us-west-2")
	reports.OwnershipControls = ownership(inventory.OwnershipBucketOwnerPreferred)
	reports.Policy = policy(map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject"}, "Resource": "arn:aws:s3:::healthcorp-reports/*",
		"Principal": map[string]any{"CanonicalUser": cOAITools}}, denyHTTP("healthcorp-reports"))
	reports.Objects = sample(
		object("healthcorp-reports", "weekly/granted.html", cTools, acl(cTools, grant(cOAITools, "READ")), false),
		object("healthcorp-reports", "weekly/private.html", cTools, acl(cTools), false),
		object("healthcorp-reports", "weekly/owned.html", cProd, acl(cProd), false),
	)

	s.Buckets = []inventory.Bucket{prod, dev, phi, sandbox, ignoreACLs, restrict, publicPolicy, assets, reports, docs}

	s.Distributions = []inventory.Distribution{
		distribution("EPRODSITE", acctProd, []inventory.Origin{s3Origin("healthcorp-web-prod", acctProd, "E2PRODOAI", "")}, "redirect-to-https"),
		distribution("EDEVSITE", acctDev, []inventory.Origin{s3Origin("healthcorp-web-dev", acctDev, "E2DEVOAI", "")}, "allow-all"),
		distribution("EASSETS", acctProd, []inventory.Origin{s3Origin("healthcorp-assets", acctProd, "", "EPRODOAC")}, "https-only"),
		distribution("ETOOLSREPORTS", acctTools, []inventory.Origin{s3Origin("healthcorp-reports", acctProd, "E2TOOLSOAI", "")}, "https-only"),
		distribution("EDOCS", acctProd, []inventory.Origin{s3Origin("healthcorp-docs", acctProd, "E2PRODOAI", "")}, "https-only"),
		distribution("ELEGACY", acctSandbox, []inventory.Origin{
			{ID: "old-site", DomainName: "healthcorp-old-site.s3.amazonaws.com", Type: inventory.OriginS3, BucketName: "healthcorp-old-site", BucketExists: "no", OACID: "EPRODOAC"},
			{ID: "partner", DomainName: "partner-cdn-bucket.s3.amazonaws.com", Type: inventory.OriginS3, BucketName: "partner-cdn-bucket", BucketExists: "unknown", OAIID: "E2TOOLSOAI"},
			{ID: "website", DomainName: "sandbox-public-site.s3-website-eu-west-1.amazonaws.com", Type: inventory.OriginS3Website, BucketName: "sandbox-public-site", BucketAccountID: acctSandbox, BucketExists: "yes"},
		}, "redirect-to-https"),
	}
	return s
}
