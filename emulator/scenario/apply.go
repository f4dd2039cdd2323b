package scenario

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/hoofprint/hoofprint/awsclient"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// Credentials of the management account (the standard chain when nil).
	Credentials aws.CredentialsProvider
	// HTTPClient for every call (default: a new client).
	HTTPClient *http.Client
	// TolerateUnsupported skips what the endpoint does not implement (moto
	// has no CloudFront origin access identities) and records it in
	// Applied.Skipped, instead of failing.
	TolerateUnsupported bool
}

// Applied is what Apply built: the IDs the scenario's names got.
type Applied struct {
	// Accounts, OAIs and Distributions map scenario names to IDs.
	Accounts      map[string]string
	OAIs          map[string]string
	Distributions map[string]string
	// KMSKeys maps key names to the key ARNs the endpoint created.
	KMSKeys map[string]string
	// Canonical maps account names to the canonical user ID S3 gave them.
	Canonical map[string]string
	// Skipped lists what the endpoint did not support (TolerateUnsupported).
	Skipped []string
}

// Apply builds sc through the AWS API at endpointURL, as a person would:
// Organizations CreateAccount for each member (RemoveAccountFromOrganization
// for accounts outside it), IAM CreateRole for extra roles, AssumeRole into
// each account, CloudFront identities and distributions, then buckets with
// their ownership, ACLs, policies and objects, each object written by its
// writer account (through that account's first extra role, or the member
// role), and Block Public Access last so the public settings the scenario
// wants can be made first. The same scenario can so be built in the
// emulator and in moto and compared.
//
// Object LastModified dates cannot be set through the API; IDs are the
// endpoint's own (see Applied).
func Apply(ctx context.Context, endpointURL string, sc *Scenario, opts ApplyOptions) (*Applied, error) {
	if err := sc.Resolve(); err != nil {
		return nil, err
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 5 })
		}),
	}
	if opts.HTTPClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(opts.HTTPClient))
	}
	if opts.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", sc.Name, err)
	}
	cfg.BaseEndpoint = aws.String(endpointURL)
	a := &applier{sc: sc, endpoint: endpointURL, base: cfg, opts: opts,
		out:  &Applied{Accounts: map[string]string{}, OAIs: map[string]string{}, Distributions: map[string]string{}, KMSKeys: map[string]string{}, Canonical: map[string]string{}},
		cfgs: map[string]aws.Config{}}
	if err := a.run(ctx); err != nil {
		return a.out, fmt.Errorf("apply %s: %w", sc.Name, err)
	}
	return a.out, nil
}

type applier struct {
	sc       *Scenario
	endpoint string
	base     aws.Config
	opts     ApplyOptions
	out      *Applied
	cfgs     map[string]aws.Config // by account name + "/" + role
}

func (a *applier) run(ctx context.Context) error {
	me, err := sts.NewFromConfig(a.base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("sts GetCallerIdentity: %w", err)
	}
	mgmt := a.sc.ManagementAccount()
	a.out.Accounts[mgmt.Name] = aws.ToString(me.Account)
	if err := a.accounts(ctx, mgmt); err != nil {
		return err
	}
	for _, acct := range a.sc.Accounts {
		c, err := a.config(ctx, acct.Name, "")
		if err != nil {
			return err
		}
		lb, err := s3.NewFromConfig(c, pathStyle).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return fmt.Errorf("account %s: s3 ListBuckets: %w", acct.Name, err)
		}
		if lb.Owner != nil {
			a.out.Canonical[acct.Name] = aws.ToString(lb.Owner.ID)
		}
	}
	if err := a.cloudFront(ctx); err != nil {
		return err
	}
	if err := a.kmsKeys(ctx); err != nil {
		return err
	}
	if err := a.buckets(ctx); err != nil {
		return err
	}
	if err := a.trails(ctx); err != nil {
		return err
	}
	for _, acct := range a.sc.Accounts {
		if acct.PublicAccessBlock == nil {
			continue
		}
		c, err := a.config(ctx, acct.Name, "")
		if err != nil {
			return err
		}
		id := a.out.Accounts[acct.Name]
		_, err = s3control.NewFromConfig(c, awsclient.FixedS3ControlEndpoint(a.endpoint)).
			PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(id), PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(acct.PublicAccessBlock.BlockPublicAcls), IgnorePublicAcls: aws.Bool(acct.PublicAccessBlock.IgnorePublicAcls),
				BlockPublicPolicy: aws.Bool(acct.PublicAccessBlock.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(acct.PublicAccessBlock.RestrictPublicBuckets)}})
		if err != nil {
			return fmt.Errorf("account %s: s3control PutPublicAccessBlock: %w", acct.Name, err)
		}
	}
	if a.sc.Organization != nil {
		orgs := organizations.NewFromConfig(a.base)
		for _, acct := range a.sc.Accounts {
			if !acct.Outside {
				continue
			}
			if _, err := orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(a.out.Accounts[acct.Name])}); err != nil {
				return fmt.Errorf("account %s: organizations RemoveAccountFromOrganization: %w", acct.Name, err)
			}
		}
	}
	return nil
}

var pathStyle = func(o *s3.Options) { o.UsePathStyle = true }

// loggingV2 turns on standard logging v2 for a distribution: a delivery
// source for its ACCESS_LOGS in us-east-1, a destination per scenario
// destination, and a delivery between them.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
func (a *applier) loggingV2(ctx context.Context, c aws.Config, d Distribution, arn string) error {
	if len(d.LoggingV2) == 0 {
		return nil
	}
	c.Region = "us-east-1"
	logs := cloudwatchlogs.NewFromConfig(c)
	wrap := func(op string, err error) error { return fmt.Errorf("distribution %s: logs %s: %w", d.Name, op, err) }
	src := "hoofprint-" + d.Name
	if _, err := logs.PutDeliverySource(ctx, &cloudwatchlogs.PutDeliverySourceInput{Name: aws.String(src), ResourceArn: aws.String(arn),
		LogType: aws.String("ACCESS_LOGS")}); err != nil {
		return wrap("PutDeliverySource", err)
	}
	for i, dst := range d.LoggingV2 {
		out, err := logs.PutDeliveryDestination(ctx, &cloudwatchlogs.PutDeliveryDestinationInput{Name: aws.String(fmt.Sprintf("%s-%d", src, i)),
			DeliveryDestinationConfiguration: &cwltypes.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String(dst.ARN)}})
		if err != nil {
			return wrap("PutDeliveryDestination", err)
		}
		if _, err := logs.CreateDelivery(ctx, &cloudwatchlogs.CreateDeliveryInput{DeliverySourceName: aws.String(src),
			DeliveryDestinationArn: out.DeliveryDestination.Arn}); err != nil {
			return wrap("CreateDelivery", err)
		}
	}
	return nil
}

// trails creates each trail in its home region, logging to its bucket, with
// its selectors, and starts it unless it is stopped (CreateTrail leaves a
// trail stopped). A trail without a bucket cannot be created.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
func (a *applier) trails(ctx context.Context) error {
	for _, t := range a.sc.Trails {
		if t.S3Bucket == "" {
			a.out.Skipped = append(a.out.Skipped, "CreateTrail "+t.Name+": no s3Bucket")
			continue
		}
		c, err := a.config(ctx, t.Account, "")
		if err != nil {
			return err
		}
		c.Region = t.HomeRegion
		ct := cloudtrail.NewFromConfig(c)
		wrap := func(op string, err error) error { return fmt.Errorf("trail %s: cloudtrail %s: %w", t.Name, op, err) }
		if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(t.Name), S3BucketName: aws.String(t.S3Bucket),
			IsMultiRegionTrail: aws.Bool(t.MultiRegion), IsOrganizationTrail: aws.Bool(t.Organization)}); err != nil {
			return wrap("CreateTrail", err)
		}
		in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(t.Name)}
		for _, es := range t.EventSelectors {
			sel := cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteType(cmp.Or(es.ReadWriteType, "All")), IncludeManagementEvents: aws.Bool(true)}
			for _, d := range es.DataResources {
				sel.DataResources = append(sel.DataResources, cttypes.DataResource{Type: aws.String(d.Type), Values: d.Values})
			}
			in.EventSelectors = append(in.EventSelectors, sel)
		}
		for _, as := range t.AdvancedEventSelectors {
			sel := cttypes.AdvancedEventSelector{Name: aws.String(as.Name)}
			for _, f := range as.FieldSelectors {
				sel.FieldSelectors = append(sel.FieldSelectors, cttypes.AdvancedFieldSelector{Field: aws.String(f.Field), Equals: f.Equals,
					StartsWith: f.StartsWith, EndsWith: f.EndsWith, NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
			}
			in.AdvancedEventSelectors = append(in.AdvancedEventSelectors, sel)
		}
		if len(in.EventSelectors)+len(in.AdvancedEventSelectors) > 0 {
			if _, err := ct.PutEventSelectors(ctx, in); err != nil {
				return wrap("PutEventSelectors", err)
			}
		}
		if !t.Stopped {
			if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(t.Name)}); err != nil {
				return wrap("StartLogging", err)
			}
		}
	}
	return nil
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func (a *applier) accounts(ctx context.Context, mgmt *Account) error {
	if a.sc.Organization == nil {
		if len(a.sc.Accounts) > 1 {
			return errors.New("a scenario without an organization can only have one account")
		}
		return nil
	}
	orgs := organizations.NewFromConfig(a.base)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil &&
		errorCode(err) != "AlreadyInOrganizationException" {
		return fmt.Errorf("organizations CreateOrganization: %w", err)
	}
	for _, acct := range a.sc.Accounts {
		if acct.Name == mgmt.Name {
			continue
		}
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(acct.Name), Email: aws.String(acct.Email),
			RoleName: aws.String(a.sc.MemberRoleName)})
		if err != nil {
			return fmt.Errorf("account %s: organizations CreateAccount: %w", acct.Name, err)
		}
		st := out.CreateAccountStatus
		for st.State == orgtypes.CreateAccountStateInProgress {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			d, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
			if err != nil {
				return fmt.Errorf("account %s: organizations DescribeCreateAccountStatus: %w", acct.Name, err)
			}
			st = d.CreateAccountStatus
		}
		if st.State != orgtypes.CreateAccountStateSucceeded {
			return fmt.Errorf("account %s: CreateAccount %s: %s", acct.Name, st.State, st.FailureReason)
		}
		a.out.Accounts[acct.Name] = aws.ToString(st.AccountId)
		for _, role := range acct.Roles {
			if err := a.createRole(ctx, acct.Name, role); err != nil {
				return err
			}
		}
	}
	return nil
}

// createRole calls IAM CreateRole (query protocol, signed here: hoofprint
// does not otherwise need the IAM client) in the account, trusting the
// management account.
func (a *applier) createRole(ctx context.Context, account, role string) error {
	c, err := a.config(ctx, account, "")
	if err != nil {
		return err
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`,
		a.out.Accounts[a.sc.ManagementAccount().Name])
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {role}, "AssumeRolePolicyDocument": {trust}}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("account %s: credentials: %w", account, err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		return err
	}
	hc := a.opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("account %s: iam CreateRole %s: %w", account, role, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("account %s: iam CreateRole %s: read response: %w", account, role, err)
	}
	if resp.StatusCode != http.StatusOK && !bytes.Contains(b, []byte("EntityAlreadyExists")) {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		_ = xml.Unmarshal(b, &e)
		return fmt.Errorf("account %s: iam CreateRole %s: HTTP %d %s %s", account, role, resp.StatusCode, e.Code, e.Message)
	}
	return nil
}

// config returns credentials acting in the named account: the base for the
// management account, otherwise AssumeRole into role (MemberRoleName when "").
func (a *applier) config(ctx context.Context, account, role string) (aws.Config, error) {
	if role == "" {
		role = a.sc.MemberRoleName
	}
	if account == a.sc.ManagementAccount().Name && role == a.sc.MemberRoleName {
		return a.base, nil
	}
	k := account + "/" + role
	if c, ok := a.cfgs[k]; ok {
		return c, nil
	}
	id := a.out.Accounts[account]
	c := a.base.Copy()
	c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(a.base), fmt.Sprintf("arn:aws:iam::%s:role/%s", id, role),
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "hoofprint-scenario" }))
	if _, err := c.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("account %s: sts AssumeRole %s: %w", account, role, err)
	}
	a.cfgs[k] = c
	return c, nil
}

func (a *applier) placeholders() map[string]string {
	ids := IDs{}
	for name, id := range a.out.Accounts {
		ids.Accounts = append(ids.Accounts, NamedID{name, id})
	}
	for name, id := range a.out.OAIs {
		ids.OAIs = append(ids.OAIs, NamedID{name, id})
	}
	for name, id := range a.out.Distributions {
		ids.Distributions = append(ids.Distributions, NamedID{name, id + "@" + a.out.Accounts[a.sc.Distribution(name).Account]})
	}
	m := ids.placeholders()
	for name, canon := range a.out.Canonical {
		m["canonical:"+name] = canon
	}
	kids := IDs{}
	for name, arn := range a.out.KMSKeys {
		kids.KMSKeys = append(kids.KMSKeys, NamedID{name, arn})
	}
	maps.Copy(m, kids.placeholders())
	return m
}

func (a *applier) cloudFront(ctx context.Context) error {
	oaiCanon := map[string]string{}
	for _, o := range a.sc.OAIs {
		c, err := a.config(ctx, o.Account, "")
		if err != nil {
			return err
		}
		out, err := cloudfront.NewFromConfig(c).CreateCloudFrontOriginAccessIdentity(ctx, &cloudfront.CreateCloudFrontOriginAccessIdentityInput{
			CloudFrontOriginAccessIdentityConfig: &cftypes.CloudFrontOriginAccessIdentityConfig{CallerReference: aws.String("hoofprint-" + o.Name), Comment: aws.String(o.Comment)}})
		if err != nil {
			if !a.opts.TolerateUnsupported {
				return fmt.Errorf("oai %s: cloudfront CreateCloudFrontOriginAccessIdentity: %w", o.Name, err)
			}
			a.out.Skipped = append(a.out.Skipped, "CreateCloudFrontOriginAccessIdentity "+o.Name+": "+errorCode(err))
			a.out.OAIs[o.Name] = o.ID // the scenario's own ID stands in
			continue
		}
		a.out.OAIs[o.Name] = aws.ToString(out.CloudFrontOriginAccessIdentity.Id)
		oaiCanon[o.Name] = aws.ToString(out.CloudFrontOriginAccessIdentity.S3CanonicalUserId)
	}
	oacIDs := map[string]string{}
	for _, o := range a.sc.OACs {
		c, err := a.config(ctx, o.Account, "")
		if err != nil {
			return err
		}
		out, err := cloudfront.NewFromConfig(c).CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{
			OriginAccessControlConfig: &cftypes.OriginAccessControlConfig{Name: aws.String(o.Name), OriginAccessControlOriginType: cftypes.OriginAccessControlOriginTypesS3,
				SigningBehavior: cftypes.OriginAccessControlSigningBehaviors(o.SigningBehavior), SigningProtocol: cftypes.OriginAccessControlSigningProtocolsSigv4}})
		if err != nil {
			return fmt.Errorf("oac %s: cloudfront CreateOriginAccessControl: %w", o.Name, err)
		}
		oacIDs[o.Name] = aws.ToString(out.OriginAccessControl.Id)
	}
	for _, d := range a.sc.Distributions {
		c, err := a.config(ctx, d.Account, "")
		if err != nil {
			return err
		}
		cfg := &cftypes.DistributionConfig{CallerReference: aws.String("hoofprint-" + d.Name), Comment: aws.String(d.Comment), Enabled: aws.Bool(!d.Disabled),
			DefaultRootObject: aws.String("index.html"),
			Aliases:           &cftypes.Aliases{Quantity: aws.Int32(int32(len(d.Aliases))), Items: d.Aliases},
			DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String(d.DefaultBehavior.TargetOrigin),
				ViewerProtocolPolicy: cftypes.ViewerProtocolPolicy(d.DefaultBehavior.ViewerProtocol), CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
			Origins: &cftypes.Origins{Quantity: aws.Int32(int32(len(d.Origins)))}}
		if l := d.Logging; l != nil {
			cfg.Logging = &cftypes.LoggingConfig{Enabled: aws.Bool(true), IncludeCookies: aws.Bool(false),
				Bucket: aws.String(l.Bucket + ".s3.amazonaws.com"), Prefix: aws.String(l.Prefix)}
		}
		if v := d.MinimumProtocolVersion; v != "" {
			// A custom certificate; its ARN is made up (neither moto nor the
			// emulator checks that ACM holds it).
			arn := "arn:aws:acm:us-east-1:" + a.out.Accounts[d.Account] + ":certificate/" + strings.ToLower(d.Name)
			cfg.ViewerCertificate = &cftypes.ViewerCertificate{CloudFrontDefaultCertificate: aws.Bool(false), ACMCertificateArn: aws.String(arn),
				SSLSupportMethod: cftypes.SSLSupportMethodSniOnly, MinimumProtocolVersion: cftypes.MinimumProtocolVersion(v)}
		}
		if len(d.Behaviors) > 0 {
			cfg.CacheBehaviors = &cftypes.CacheBehaviors{Quantity: aws.Int32(int32(len(d.Behaviors)))}
			for _, b := range d.Behaviors {
				cfg.CacheBehaviors.Items = append(cfg.CacheBehaviors.Items, cftypes.CacheBehavior{PathPattern: aws.String(b.PathPattern), TargetOriginId: aws.String(b.TargetOrigin),
					ViewerProtocolPolicy: cftypes.ViewerProtocolPolicy(b.ViewerProtocol), CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")})
			}
		}
		for _, o := range d.Origins {
			org := cftypes.Origin{Id: aws.String(o.ID), DomainName: aws.String(o.Domain()), OriginPath: aws.String(o.Path), ConnectionAttempts: aws.Int32(3), ConnectionTimeout: aws.Int32(10)}
			if o.Bucket == "" || o.Website {
				org.CustomOriginConfig = &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpOnly}
			} else {
				org.S3OriginConfig = &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}
				if o.OAI != "" {
					org.S3OriginConfig.OriginAccessIdentity = aws.String("origin-access-identity/cloudfront/" + a.out.OAIs[o.OAI])
				}
				if o.OAC != "" {
					org.OriginAccessControlId = aws.String(oacIDs[o.OAC])
				}
			}
			cfg.Origins.Items = append(cfg.Origins.Items, org)
		}
		out, err := cloudfront.NewFromConfig(c).CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: cfg})
		if err != nil {
			return fmt.Errorf("distribution %s: cloudfront CreateDistribution: %w", d.Name, err)
		}
		a.out.Distributions[d.Name] = aws.ToString(out.Distribution.Id)
		if err := a.loggingV2(ctx, c, d, aws.ToString(out.Distribution.ARN)); err != nil {
			return err
		}
	}
	for name, canon := range oaiCanon {
		a.out.Canonical["oai:"+name] = canon
	}
	return nil
}

// grantHeaders turns scenario grants into x-amz-grant-* header values.
func (a *applier) grantHeaders(grants []Grant, canned, ownerCanon, bucketOwnerCanon string) (map[string]string, error) {
	if len(grants) == 0 {
		return nil, nil
	}
	all := slices.Clone(grants)
	// Canned ACLs cannot be combined with grant headers: expand it.
	all = append(all, Grant{Grantee: "id:" + ownerCanon, Permission: "FULL_CONTROL"})
	switch canned {
	case "", "private":
	case "public-read":
		all = append(all, Grant{Grantee: "group:AllUsers", Permission: "READ"})
	case "authenticated-read":
		all = append(all, Grant{Grantee: "group:AuthenticatedUsers", Permission: "READ"})
	case "bucket-owner-full-control":
		all = append(all, Grant{Grantee: "id:" + bucketOwnerCanon, Permission: "FULL_CONTROL"})
	case "bucket-owner-read":
		all = append(all, Grant{Grantee: "id:" + bucketOwnerCanon, Permission: "READ"})
	case "log-delivery-write":
		all = append(all, Grant{Grantee: "group:LogDelivery", Permission: "WRITE"}, Grant{Grantee: "group:LogDelivery", Permission: "READ_ACP"})
	default:
		return nil, fmt.Errorf("canned ACL %q cannot be combined with grants", canned)
	}
	h := map[string][]string{}
	for _, g := range all {
		kind, name, _ := strings.Cut(g.Grantee, ":")
		var v string
		switch kind {
		case "account":
			v = `id="` + a.out.Canonical[name] + `"`
		case "oai":
			canon := a.out.Canonical["oai:"+name]
			if canon == "" {
				canon = OAICanonicalUserID(a.out.OAIs[name])
			}
			v = `id="` + canon + `"`
		case "id":
			v = `id="` + name + `"`
		case "group":
			v = `uri="` + GroupURI(name) + `"`
		}
		hdr := "x-amz-grant-" + strings.ReplaceAll(strings.ToLower(g.Permission), "_", "-")
		h[hdr] = append(h[hdr], v)
	}
	out := map[string]string{}
	for k, v := range h {
		slices.Sort(v)
		out[k] = strings.Join(slices.Compact(v), ", ")
	}
	return out, nil
}

func (a *applier) buckets(ctx context.Context) error {
	values := a.placeholders()
	for i := range a.sc.Buckets {
		b := &a.sc.Buckets[i]
		c, err := a.config(ctx, b.Account, "")
		if err != nil {
			return err
		}
		c = c.Copy()
		c.Region = b.Region
		cl := s3.NewFromConfig(c, pathStyle)
		in := &s3.CreateBucketInput{Bucket: aws.String(b.Name)}
		if b.Region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.Region)}
		}
		ownership := b.Ownership
		if ownership == "" {
			ownership = OwnershipObjectWriter
		}
		in.ObjectOwnership = s3types.ObjectOwnership(ownership)
		wrap := func(op string, err error) error {
			return fmt.Errorf("bucket %s: s3 %s: %w", b.Name, op, err)
		}
		if _, err := cl.CreateBucket(ctx, in); err != nil {
			return wrap("CreateBucket", err)
		}
		if _, err := cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(b.Name)}); err != nil {
			return wrap("DeletePublicAccessBlock", err)
		}
		if enc := b.Encryption; enc != nil {
			// Before the uploads: objects written without their own
			// encryption get the bucket's default.
			key, err := Substitute(enc.KMSKeyID, values)
			if err != nil {
				return wrap("PutBucketEncryption", err)
			}
			def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryption(enc.SSEAlgorithm)}
			if key != "" {
				def.KMSMasterKeyID = aws.String(key)
			}
			if _, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(b.Name),
				ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
					ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(enc.BucketKeyEnabled)}}}}); err != nil {
				return wrap("PutBucketEncryption", err)
			}
		}
		if b.Versioning != "" {
			if _, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b.Name),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatus(b.Versioning)}}); err != nil {
				return wrap("PutBucketVersioning", err)
			}
		}
		// MFA delete needs the root user's MFA device and Object Lock a
		// bucket created for it: neither can be set through this API.
		if b.MFADelete {
			a.out.Skipped = append(a.out.Skipped, "PutBucketVersioning MfaDelete "+b.Name+": needs the root user's MFA")
		}
		if b.ObjectLock != nil {
			a.out.Skipped = append(a.out.Skipped, "ObjectLock "+b.Name+": not applied through the API")
		}
		owner := a.out.Canonical[b.Account]
		if b.ACL != "" || len(b.Grants) > 0 {
			acl := &s3.PutBucketAclInput{Bucket: aws.String(b.Name)}
			hdrs, err := a.grantHeaders(b.Grants, b.ACL, owner, owner)
			if err != nil {
				return wrap("PutBucketAcl", err)
			}
			if hdrs == nil {
				acl.ACL = s3types.BucketCannedACL(b.ACL)
			}
			acl.GrantRead, acl.GrantWrite, acl.GrantReadACP, acl.GrantWriteACP, acl.GrantFullControl =
				grant(hdrs, "read"), grant(hdrs, "write"), grant(hdrs, "read-acp"), grant(hdrs, "write-acp"), grant(hdrs, "full-control")
			if _, err := cl.PutBucketAcl(ctx, acl); err != nil {
				return wrap("PutBucketAcl", err)
			}
		}
		var policy string
		if b.Policy != "" {
			if policy, err = Substitute(b.Policy, values); err != nil {
				return wrap("PutBucketPolicy", err)
			}
			// Emulators are plain HTTP; one that evaluates
			// aws:SecureTransport (moto does) would deny the uploads, so
			// the uploads happen under the policy without those denials
			// and the whole policy is put afterwards.
			if upload := withoutTransportDenials(policy); upload != "" {
				if _, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b.Name), Policy: aws.String(upload)}); err != nil {
					return wrap("PutBucketPolicy", err)
				}
			}
		}
		for _, o := range b.Objects {
			writer := a.sc.Account(o.Writer)
			role := ""
			if len(writer.Roles) > 0 {
				role = writer.Roles[0]
			}
			wc, err := a.config(ctx, o.Writer, role)
			if err != nil {
				return err
			}
			wc = wc.Copy()
			wc.Region = b.Region
			wcl := s3.NewFromConfig(wc, pathStyle)
			hdrs, err := a.grantHeaders(o.Grants, o.ACL, a.out.Canonical[o.Writer], owner)
			if err != nil {
				return wrap("PutObject", err)
			}
			for _, k := range o.Keys() {
				put := &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(k), Body: bytes.NewReader(make([]byte, o.Size))}
				if hdrs == nil && o.ACL != "" {
					put.ACL = s3types.ObjectCannedACL(o.ACL)
				}
				put.GrantRead, put.GrantReadACP, put.GrantWriteACP, put.GrantFullControl =
					grant(hdrs, "read"), grant(hdrs, "read-acp"), grant(hdrs, "write-acp"), grant(hdrs, "full-control")
				if enc := o.Encryption; enc != nil {
					key, err := Substitute(enc.KMSKeyID, values)
					if err != nil {
						return wrap("PutObject", err)
					}
					put.ServerSideEncryption = s3types.ServerSideEncryption(enc.SSEAlgorithm)
					if key != "" {
						put.SSEKMSKeyId = aws.String(key)
					}
					if enc.BucketKeyEnabled {
						put.BucketKeyEnabled = aws.Bool(true)
					}
				}
				if _, err := wcl.PutObject(ctx, put); err != nil {
					return fmt.Errorf("bucket %s: s3 PutObject by %s: %w", b.Name, o.Writer, err)
				}
			}
		}
		if policy != "" {
			if _, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b.Name), Policy: aws.String(policy)}); err != nil {
				return wrap("PutBucketPolicy", err)
			}
		}
		if b.Ownership == "" {
			if _, err := cl.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String(b.Name)}); err != nil {
				return wrap("DeleteBucketOwnershipControls", err)
			}
		}
		if p := b.PublicAccessBlock; p != nil {
			if _, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b.Name), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(p.BlockPublicAcls), IgnorePublicAcls: aws.Bool(p.IgnorePublicAcls),
				BlockPublicPolicy: aws.Bool(p.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets)}}); err != nil {
				return wrap("PutPublicAccessBlock", err)
			}
		}
	}
	// Logging last: a target may be created after the bucket logging to it.
	for i := range a.sc.Buckets {
		b := &a.sc.Buckets[i]
		if b.Logging == nil {
			continue
		}
		c, err := a.config(ctx, b.Account, "")
		if err != nil {
			return err
		}
		c = c.Copy()
		c.Region = b.Region
		_, err = s3.NewFromConfig(c, pathStyle).PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(b.Name), BucketLoggingStatus: &s3types.BucketLoggingStatus{
			LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(b.Logging.TargetBucket), TargetPrefix: aws.String(b.Logging.TargetPrefix)}}})
		if err != nil {
			return fmt.Errorf("bucket %s: s3 PutBucketLogging: %w", b.Name, err)
		}
	}
	return nil
}

// kmsKeys creates the scenario's KMS keys (after CloudFront, whose
// distribution ARNs key policies name; before the buckets that use them).
func (a *applier) kmsKeys(ctx context.Context) error {
	values := a.placeholders()
	for _, k := range a.sc.KMSKeys {
		c, err := a.config(ctx, k.Account, "")
		if err != nil {
			return err
		}
		c = c.Copy()
		c.Region = k.Region
		in := &kms.CreateKeyInput{Description: aws.String(k.Name)}
		if k.Policy != "" {
			p, err := Substitute(k.Policy, values)
			if err != nil {
				return fmt.Errorf("kms key %s: %w", k.Name, err)
			}
			in.Policy = aws.String(p)
		}
		out, err := kms.NewFromConfig(c).CreateKey(ctx, in)
		if err != nil {
			return fmt.Errorf("kms key %s: kms CreateKey: %w", k.Name, err)
		}
		a.out.KMSKeys[k.Name] = aws.ToString(out.KeyMetadata.Arn)
	}
	return nil
}

func grant(h map[string]string, perm string) *string {
	if v, ok := h["x-amz-grant-"+perm]; ok {
		return aws.String(v)
	}
	return nil
}

// withoutTransportDenials returns the policy without its Deny statements
// conditioned on aws:SecureTransport ("" when nothing would remain).
func withoutTransportDenials(policy string) string {
	var doc map[string]any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return policy
	}
	stmts, ok := doc["Statement"].([]any)
	if !ok {
		return policy
	}
	var keep []any
	for _, st := range stmts {
		m, _ := st.(map[string]any)
		if m["Effect"] == "Deny" && strings.Contains(strings.ToLower(fmt.Sprint(m["Condition"])), "aws:securetransport") {
			continue
		}
		keep = append(keep, st)
	}
	if len(keep) == 0 {
		return ""
	}
	doc["Statement"] = keep
	b, _ := json.Marshal(doc)
	return string(b)
}

// WithoutTransportDenials returns a copy of the scenario whose bucket
// policies lack their Deny statements on aws:SecureTransport. A reference
// emulator reached over plain HTTP that evaluates that condition (moto)
// would otherwise deny every call, reads included.
func (sc *Scenario) WithoutTransportDenials() (*Scenario, error) {
	cp := *sc
	cp.Buckets = slices.Clone(sc.Buckets)
	for i := range cp.Buckets {
		if cp.Buckets[i].Policy != "" {
			cp.Buckets[i].Policy = withoutTransportDenials(cp.Buckets[i].Policy)
		}
	}
	if err := cp.Resolve(); err != nil {
		return nil, err
	}
	return &cp, nil
}
