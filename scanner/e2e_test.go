package scanner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/internal/motoserver"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

const roleName = "OrganizationAccountAccessRole"

// fixture is an organization built in moto: the management account (the
// caller) and three members, "web" (a distribution and a public site
// bucket), "data" (records buckets, account BPA on) and "denied" (its role
// cannot be assumed).
type fixture struct {
	url                     string
	mgmt, web, data, denied string
	outside                 string // an account outside the organization
	recordsBucket           string
	siteBucket              string
	enforcedBucket          string
	logsBucket              string
	outsideBucket           string
	missingBucket           string
	distributionID          string
	oacID                   string
	recordsObjects          int
}

func setupOrganization(t *testing.T, srv *motoserver.Server) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{url: srv.URL, outside: "999999999999"}
	mgmtCfg := configFor(t, srv.URL, "")
	id, err := sts.NewFromConfig(mgmtCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	f.mgmt = aws.ToString(id.Account)

	orgs := organizations.NewFromConfig(mgmtCfg)
	_, err = orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must(t, err)
	create := func(name string) string {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		must(t, err)
		return aws.ToString(out.CreateAccountStatus.AccountId)
	}
	f.web, f.data, f.denied = create("clinic-web"), create("clinic-data"), create("clinic-denied")

	// moto keeps one bucket namespace for every account, as S3 does, so the
	// names carry a suffix that keeps reruns against one server apart.
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000)
	f.siteBucket = "clinic-site-" + suffix
	f.recordsBucket = "clinic-records-" + suffix
	f.enforcedBucket = "clinic-enforced-" + suffix
	f.logsBucket = "clinic-logs-" + suffix
	f.outsideBucket = "partner-assets-" + suffix
	f.missingBucket = "clinic-gone-" + suffix

	// web: a website bucket with one public-read object, one private one.
	webS3 := s3Client(configFor(t, srv.URL, f.web), "us-east-1")
	createBucket(t, webS3, f.siteBucket, "")
	putObject(t, webS3, f.siteBucket, "index.html", s3types.ObjectCannedACLPublicRead)
	putObject(t, webS3, f.siteBucket, "patients/alice/visit.pdf", "")
	// S3 delivers access logs only into a bucket the log-delivery group may write.
	createBucket(t, webS3, f.logsBucket, "")
	_, err = webS3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: &f.logsBucket, ACL: s3types.BucketCannedACL("log-delivery-write")})
	must(t, err)
	_, err = webS3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: &f.siteBucket, BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: &f.logsBucket, TargetPrefix: aws.String("site/")},
	}})
	must(t, err)

	// data: records in eu-west-1 under several top-level prefixes, with a
	// policy; a BucketOwnerEnforced bucket; account-level BPA all on.
	dataCfg := configFor(t, srv.URL, f.data)
	dataS3 := s3Client(dataCfg, "eu-west-1")
	createBucket(t, dataS3, f.recordsBucket, "eu-west-1")
	for _, p := range []string{"2024/", "2025/", "2026/", "imaging/", "labs/"} {
		for i := range 6 {
			putObject(t, dataS3, f.recordsBucket, fmt.Sprintf("%spatient-%d.json", p, i), "")
			f.recordsObjects++
		}
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"OAC","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, f.recordsBucket)
	_, err = dataS3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &f.recordsBucket, Policy: &policy})
	must(t, err)
	dataS3East := s3Client(dataCfg, "us-east-1")
	createBucket(t, dataS3East, f.enforcedBucket, "")
	putObject(t, dataS3East, f.enforcedBucket, "a.txt", "")
	_, err = dataS3East.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: &f.enforcedBucket, OwnershipControls: &s3types.OwnershipControls{
		Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}},
	}})
	must(t, err)
	_, err = dataS3East.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &f.enforcedBucket, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
	}})
	must(t, err)
	ctl := s3control.NewFromConfig(dataCfg, awsclient.FixedS3ControlEndpoint(srv.URL))
	_, err = ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: &f.data, PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
	}})
	must(t, err)

	// denied: a bucket the scan must not see, because its role is refused.
	createBucket(t, s3Client(configFor(t, srv.URL, f.denied), "us-east-1"), "clinic-denied-"+suffix, "")
	// outside the organization: a bucket a distribution points at.
	createBucket(t, s3Client(configFor(t, srv.URL, f.outside), "us-east-1"), f.outsideBucket, "")

	// web's distribution: an OAC origin on data's records bucket (cross
	// account), an S3 origin on a bucket nobody owns, one on the outside
	// bucket, and one custom origin.
	cf := cloudfront.NewFromConfig(configFor(t, srv.URL, f.web))
	oac, err := cf.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: &cftypes.OriginAccessControlConfig{
		Name: aws.String("records-oac"), OriginAccessControlOriginType: cftypes.OriginAccessControlOriginTypesS3,
		SigningBehavior: cftypes.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: cftypes.OriginAccessControlSigningProtocolsSigv4,
	}})
	must(t, err)
	f.oacID = aws.ToString(oac.OriginAccessControl.Id)
	s3origin := func(id, domain, oacID, oai string) cftypes.Origin {
		return cftypes.Origin{Id: aws.String(id), DomainName: aws.String(domain), OriginAccessControlId: aws.String(oacID),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String(oai)}}
	}
	origins := []cftypes.Origin{
		s3origin("records", f.recordsBucket+".s3.eu-west-1.amazonaws.com", f.oacID, ""),
		s3origin("gone", f.missingBucket+".s3.amazonaws.com", "", "origin-access-identity/cloudfront/E2OAIGONE"),
		s3origin("partner", f.outsideBucket+".s3-us-east-1.amazonaws.com", "", ""),
		{Id: aws.String("api"), DomainName: aws.String("api.example.org"), CustomOriginConfig: &cftypes.CustomOriginConfig{
			HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly,
		}},
	}
	dist, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("hoofprint-" + suffix),
		Comment:         aws.String("patient portal"),
		Enabled:         aws.Bool(true),
		Origins:         &cftypes.Origins{Quantity: aws.Int32(int32(len(origins))), Items: origins},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId: aws.String("records"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
		},
		CacheBehaviors: &cftypes.CacheBehaviors{Quantity: aws.Int32(1), Items: []cftypes.CacheBehavior{{
			PathPattern: aws.String("/api/*"), TargetOriginId: aws.String("api"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
		}}},
	}})
	must(t, err)
	f.distributionID = aws.ToString(dist.Distribution.Id)
	return f
}

// denyAssumeRole is a fault-injecting transport: it answers sts:AssumeRole
// into one account with the AccessDenied error STS sends when the role is
// missing or does not trust the caller, and passes everything else to
// moto. moto itself lets anyone assume any role (its AssumeRole does not
// check that the role exists), so the refusal has to be injected; the
// hoofprint emulator issue covers a real one.
type denyAssumeRole struct {
	next    http.RoundTripper
	account string
}

func (d denyAssumeRole) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Method == http.MethodPost {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "AssumeRole" && strings.Contains(form.Get("RoleArn"), ":"+d.account+":") {
			msg := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
				`<Message>User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: ` + form.Get("RoleArn") +
				`</Message></Error><RequestId>injected</RequestId></ErrorResponse>`
			return &http.Response{StatusCode: 403, Status: "403 Forbidden", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(strings.NewReader(msg)),
				ContentLength: int64(len(msg)), Request: req}, nil
		}
	}
	return d.next.RoundTrip(req)
}

func loadBase(t *testing.T, f *fixture, transport http.RoundTripper, maxInFlight int) *awsclient.Base {
	t.Helper()
	if transport == nil {
		transport = http.DefaultTransport
	}
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: f.url,
		RoleName:    roleName,
		SessionName: "hoofprint-test",
		MaxInFlight: maxInFlight,
		MaxAttempts: 2,
		HTTPClient:  &http.Client{Transport: denyAssumeRole{next: transport, account: f.denied}},
	})
	must(t, err)
	return base
}

func TestScanCollectsAnOrganizationFromMoto(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	base := loadBase(t, f, nil, 16)

	snap, err := scanner.Scan(t.Context(), base, scanner.Options{SampleSize: 10, MaxForeignObjects: 4, Seed: 7, ToolVersion: "test"})
	must(t, err)

	t.Run("the organization and all four accounts are in the snapshot", func(t *testing.T) {
		if snap.Scope != inventory.ScopeOrganization || snap.Organization == nil || snap.Organization.ManagementAccountID != f.mgmt {
			t.Fatalf("scope %q organization %+v, want organization managed by %s", snap.Scope, snap.Organization, f.mgmt)
		}
		var ids []string
		for _, a := range snap.Accounts {
			ids = append(ids, a.ID)
		}
		for _, want := range []string{f.mgmt, f.web, f.data, f.denied} {
			if !slices.Contains(ids, want) {
				t.Errorf("account %s missing from %v", want, ids)
			}
		}
		if !snap.Coverage.Complete || snap.Coverage.Interrupted != "" {
			t.Errorf("coverage complete=%v interrupted=%q, want complete", snap.Coverage.Complete, snap.Coverage.Interrupted)
		}
	})

	t.Run("an account whose role is refused is a gap and the others are still scanned", func(t *testing.T) {
		denied := account(t, snap, f.denied)
		if denied.Scanned {
			t.Errorf("denied account marked scanned")
		}
		if !hasGap(snap, f.denied, "sts", "AssumeRole", "AccessDenied") {
			t.Errorf("no AccessDenied AssumeRole gap for %s in %+v", f.denied, snap.Coverage.Gaps)
		}
		for _, id := range []string{f.mgmt, f.web, f.data} {
			a := account(t, snap, id)
			if !a.Scanned || a.CanonicalUserID == "" {
				t.Errorf("account %s: scanned=%v canonical=%q", id, a.Scanned, a.CanonicalUserID)
			}
			if snap.CanonicalIDs[a.CanonicalUserID].Kind != inventory.KindAccount {
				t.Errorf("account %s canonical ID %q not in the canonical map", id, a.CanonicalUserID)
			}
		}
		for _, b := range snap.Buckets {
			if b.AccountID == f.denied {
				t.Errorf("bucket %s of the denied account was collected", b.Name)
			}
		}
	})

	t.Run("the only other gaps are moto's missing OAI API", func(t *testing.T) {
		for _, g := range snap.Coverage.Gaps {
			if g.AccountID == f.denied && g.Operation == "AssumeRole" {
				continue
			}
			if g.Operation == "ListCloudFrontOriginAccessIdentities" {
				// moto has no OAI API and answers 404; real CloudFront lists them.
				continue
			}
			t.Errorf("unexpected gap %+v", g)
		}
	})

	t.Run("account-level Block Public Access is read through S3 Control", func(t *testing.T) {
		if bpa := account(t, snap, f.data).PublicAccessBlock; !bpa.AllOn() || !bpa.Configured {
			t.Errorf("data account BPA %+v, want configured and all on", bpa)
		}
		if bpa := account(t, snap, f.web).PublicAccessBlock; bpa == nil || bpa.Configured {
			t.Errorf("web account BPA %+v, want read and not configured", bpa)
		}
	})

	t.Run("a public-read object is sampled with its ACL and without its key", func(t *testing.T) {
		site := bucket(t, snap, f.siteBucket)
		if site.AccountID != f.web || site.Region != "us-east-1" {
			t.Errorf("site bucket account %s region %s", site.AccountID, site.Region)
		}
		if site.Logging == nil || !site.Logging.Enabled || site.Logging.TargetBucket != f.logsBucket {
			t.Errorf("site logging %+v", site.Logging)
		}
		if site.Objects.KeysListed != 2 || !site.Objects.ListingComplete || site.Objects.ACLsRead != 2 {
			t.Errorf("site sample %+v", site.Objects)
		}
		index := inventory.HashKey(f.siteBucket, "index.html")
		var found bool
		for _, o := range site.Objects.Objects {
			if o.Key != "" {
				t.Errorf("object key %q kept without ShowObjectKeys", o.Key)
			}
			if o.KeyHash == index {
				found = true
				if o.ACLStatus != inventory.ACLStatusRead || !grantsAllUsers(o.ACL) {
					t.Errorf("index.html ACL %+v status %s, want AllUsers READ", o.ACL, o.ACLStatus)
				}
			} else if grantsAllUsers(o.ACL) {
				t.Errorf("private object %s has an AllUsers grant", o.KeyHash)
			}
			if o.OwnerCanonicalID == "" {
				t.Errorf("object %s has no owner from the listing", o.KeyHash)
			}
		}
		if !found {
			t.Errorf("index.html (%s) not sampled: %+v", index, site.Objects.Objects)
		}
	})

	t.Run("a bucket with prefixes is listed across them and sampled to the sample size", func(t *testing.T) {
		rec := bucket(t, snap, f.recordsBucket)
		if rec.Region != "eu-west-1" {
			t.Errorf("records region %q, want eu-west-1", rec.Region)
		}
		s := rec.Objects
		if s.KeysListed != f.recordsObjects || !s.ListingComplete || s.PrefixesFound != 5 || s.PrefixesListed != 5 {
			t.Errorf("records listing %+v, want %d keys over 5 prefixes, complete", s, f.recordsObjects)
		}
		// moto's ListBuckets owner differs from its fixed object owner, so
		// every object there looks foreign-owned; the bounds hold either way.
		want := min(10, s.KeysListed-s.ForeignOwnedListed) + min(4, s.ForeignOwnedListed)
		if len(s.Objects) != want || s.ACLsRead != want || s.ACLsRequested != want || s.Seed != 7 {
			t.Errorf("records sample: %d objects, %d ACLs read, seed %d; want %d, %d, 7", len(s.Objects), s.ACLsRead, s.Seed, want, want)
		}
		if rec.Policy == nil || !rec.Policy.Exists || rec.Policy.Document == nil || rec.Policy.ParseError != "" {
			t.Errorf("records policy %+v", rec.Policy)
		}
		if rec.OwnershipControls == nil || rec.OwnershipControls.ObjectOwnership != inventory.OwnershipObjectWriter {
			t.Errorf("records ownership %+v, want ObjectWriter (no controls)", rec.OwnershipControls)
		}
	})

	t.Run("a BucketOwnerEnforced bucket costs no object ACL reads", func(t *testing.T) {
		enf := bucket(t, snap, f.enforcedBucket)
		if enf.OwnershipControls == nil || enf.OwnershipControls.ObjectOwnership != inventory.OwnershipBucketOwnerEnforced {
			t.Errorf("ownership %+v", enf.OwnershipControls)
		}
		if enf.Objects.ACLsRequested != 0 || enf.Objects.ACLsSkipped != inventory.OwnershipBucketOwnerEnforced || enf.Objects.KeysListed != 1 {
			t.Errorf("enforced sample %+v", enf.Objects)
		}
		if !enf.PublicAccessBlock.AllOn() {
			t.Errorf("enforced bucket BPA %+v", enf.PublicAccessBlock)
		}
		if site := bucket(t, snap, f.siteBucket); site.PublicAccessBlock == nil || site.PublicAccessBlock.Configured {
			t.Errorf("site bucket BPA %+v, want read and not configured", site.PublicAccessBlock)
		}
	})

	t.Run("distribution origins are resolved to buckets in and out of the organization", func(t *testing.T) {
		var d *inventory.Distribution
		for i := range snap.Distributions {
			if snap.Distributions[i].ID == f.distributionID {
				d = &snap.Distributions[i]
			}
		}
		if d == nil {
			t.Fatalf("distribution %s not collected: %+v", f.distributionID, snap.Distributions)
		}
		if d.AccountID != f.web || !d.Enabled || d.ARN == "" {
			t.Errorf("distribution %+v", d)
		}
		want := map[string]inventory.Origin{
			"records": {Type: inventory.OriginS3, BucketName: f.recordsBucket, BucketRegion: "eu-west-1", BucketAccountID: f.data, BucketExists: "yes", OACID: f.oacID},
			"gone":    {Type: inventory.OriginS3, BucketName: f.missingBucket, BucketExists: "no", OAIID: "E2OAIGONE"},
			"partner": {Type: inventory.OriginS3, BucketName: f.outsideBucket, BucketRegion: "us-east-1", BucketExists: "unknown"},
			"api":     {Type: inventory.OriginCustom},
		}
		for _, o := range d.Origins {
			w, ok := want[o.ID]
			if !ok {
				t.Errorf("unexpected origin %+v", o)
				continue
			}
			w.ID, w.DomainName = o.ID, o.DomainName
			// moto drops OriginAccessControlId and S3OriginConfig from the
			// origins it returns; their conversion is unit-tested, so here
			// only a wrong ID fails.
			if o.OACID == "" && w.OACID != "" {
				t.Logf("origin %s: the emulator returned no OAC ID", o.ID)
				w.OACID = ""
			}
			if o.OAIID == "" && w.OAIID != "" {
				t.Logf("origin %s: the emulator returned no OAI", o.ID)
				w.OAIID = ""
			}
			if o != w {
				t.Errorf("origin %s:\n got %+v\nwant %+v", o.ID, o, w)
			}
			delete(want, o.ID)
		}
		if len(want) > 0 {
			t.Errorf("origins missing: %v", want)
		}
		wantCB := []inventory.CacheBehavior{
			{PathPattern: "*", TargetOriginID: "records", ViewerProtocolPolicy: "allow-all"},
			{PathPattern: "/api/*", TargetOriginID: "api", ViewerProtocolPolicy: "redirect-to-https"},
		}
		if !slices.Equal(d.CacheBehaviors, wantCB) {
			t.Errorf("cache behaviours %+v, want %+v", d.CacheBehaviors, wantCB)
		}
		var oacFound bool
		for _, o := range snap.OriginAccessControls {
			oacFound = oacFound || (o.ID == f.oacID && o.AccountID == f.web && o.SigningBehavior == "always")
		}
		if !oacFound {
			t.Errorf("OAC %s not collected: %+v", f.oacID, snap.OriginAccessControls)
		}
	})

	t.Run("the snapshot survives a gzip round trip", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "inv.json.gz")
		must(t, inventory.WriteFile(path, snap))
		back, err := inventory.ReadFile(path)
		must(t, err)
		if len(back.Buckets) != len(snap.Buckets) || len(back.Coverage.Gaps) != len(snap.Coverage.Gaps) || back.Scope != snap.Scope {
			t.Errorf("round trip changed the snapshot")
		}
	})
}

func TestScanHonoursAccountFiltersAndShowObjectKeys(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	base := loadBase(t, f, nil, 8)
	snap, err := scanner.Scan(t.Context(), base, scanner.Options{
		Accounts: []string{f.web, f.data}, ExcludeAccounts: []string{f.data}, ShowObjectKeys: true,
	})
	must(t, err)
	for _, a := range snap.Accounts {
		switch {
		case a.ID == f.web && (!a.Scanned || a.Skipped != ""):
			t.Errorf("web account %+v, want scanned", a)
		case a.ID == f.data && (a.Scanned || !strings.Contains(a.Skipped, "exclude")):
			t.Errorf("data account %+v, want excluded", a)
		case (a.ID == f.mgmt || a.ID == f.denied) && (a.Scanned || !strings.Contains(a.Skipped, "--accounts")):
			t.Errorf("account %+v, want skipped as not in --accounts", a)
		}
	}
	for _, g := range snap.Coverage.Gaps {
		// The denied account is filtered out, so its AssumeRole never runs;
		// only moto's missing OAI API may leave a gap.
		if g.Operation != "ListCloudFrontOriginAccessIdentities" {
			t.Errorf("unexpected gap %+v", g)
		}
	}
	site := bucket(t, snap, f.siteBucket)
	var keys []string
	for _, o := range site.Objects.Objects {
		keys = append(keys, o.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"index.html", "patients/alice/visit.pdf"}) {
		t.Errorf("keys %v, want both keys with --show-object-keys", keys)
	}
	for _, b := range snap.Buckets {
		if b.AccountID != f.web {
			t.Errorf("bucket %s of account %s collected, want only %s", b.Name, b.AccountID, f.web)
		}
	}
}

// cancelOnList cancels the scan the first time an object listing is sent,
// so the interruption lands in the middle of the bucket work, like SIGTERM.
type cancelOnList struct {
	next   http.RoundTripper
	cancel context.CancelCauseFunc
	once   sync.Once
}

// errTerminated is what signal.NotifyContext gives as the cause on SIGTERM.
var errTerminated = errors.New("terminated signal received")

func (c *cancelOnList) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("list-type") == "2" {
		c.once.Do(func() { c.cancel(errTerminated) })
	}
	return c.next.RoundTrip(req)
}

func TestScanCancelledMidwayReturnsAnIncompleteSnapshot(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	base := loadBase(t, f, &cancelOnList{next: http.DefaultTransport, cancel: cancel}, 2)

	snap, err := scanner.Scan(ctx, base, scanner.Options{})
	if err != nil {
		t.Fatalf("Scan returned an error on cancellation, want a snapshot: %v", err)
	}
	if snap == nil || snap.Coverage.Complete || snap.Coverage.Interrupted != errTerminated.Error() {
		t.Fatalf("coverage %+v, want incomplete and interrupted by %q", snap.Coverage, errTerminated)
	}
	if len(snap.Accounts) == 0 {
		t.Errorf("the accounts discovered before the interruption are missing")
	}
	var accountGaps int
	for _, g := range snap.Coverage.Gaps {
		if g.Operation == "ScanAccount" && g.Code == "canceled" && g.Message == errTerminated.Error() {
			accountGaps++
		}
	}
	if accountGaps == 0 {
		t.Errorf("no account is marked as cut short: %+v", snap.Coverage.Gaps)
	}
}

// maxInFlight counts requests in flight below the limiter, slowing each a
// little so that concurrency has a chance to pile up.
type maxInFlight struct {
	next          http.RoundTripper
	now, max, all atomic.Int64
}

func (m *maxInFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	n := m.now.Add(1)
	defer m.now.Add(-1)
	m.all.Add(1)
	for {
		old := m.max.Load()
		if n <= old || m.max.CompareAndSwap(old, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	return m.next.RoundTrip(req)
}

func TestScanNeverExceedsTheConcurrencyCap(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	probe := &maxInFlight{next: http.DefaultTransport}
	const limit = 3
	base := loadBase(t, f, probe, limit)
	before := probe.all.Load()
	_, err := scanner.Scan(t.Context(), base, scanner.Options{AccountConcurrency: 8, BucketConcurrency: 8})
	must(t, err)
	if got := probe.max.Load(); got > limit {
		t.Errorf("%d requests in flight at once, cap is %d", got, limit)
	} else if got < limit {
		t.Errorf("at most %d requests in flight: the scan never used its %d slots", got, limit)
	}
	// The limiter counted GetCallerIdentity in Load (before "before") and
	// the AssumeRole that the fault injector, between the limiter and the
	// probe, answered itself.
	if sent, counted := probe.all.Load()-before, base.Limiter.Requests()-2; sent != counted {
		t.Errorf("transport saw %d requests, limiter counted %d", sent, counted)
	}
}

// TestAPICallsPerBucket measures what one more bucket costs: two scans of
// one account that differ by one bucket of n objects at the top level. The
// data account is used because moto delivers the web account's access logs
// (each scan of the site bucket adds objects to its log bucket).
func TestAPICallsPerBucket(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	cost := func() int64 {
		base := loadBase(t, f, nil, 8)
		before := base.Limiter.Requests()
		_, err := scanner.Scan(t.Context(), base, scanner.Options{Accounts: []string{f.data}, SampleSize: 100})
		must(t, err)
		return base.Limiter.Requests() - before
	}
	without := cost()
	const n = 5
	dataS3 := s3Client(configFor(t, srv.URL, f.data), "us-east-1")
	name := "clinic-extra-" + fmt.Sprint(time.Now().UnixNano()%1_000_000)
	createBucket(t, dataS3, name, "")
	for i := range n {
		putObject(t, dataS3, name, fmt.Sprintf("o%d", i), "")
	}
	with := cost()
	// Policy, BPA, ownership controls, ACL, logging, encryption,
	// versioning (7: the new bucket is not versioned, so Object Lock is
	// not asked), GetBucketLocation only if ListBuckets did not give the
	// region, one listing page, n ACLs.
	const config = 7
	perBucket := with - without
	t.Logf("one bucket of %d objects costs %d API calls (%d without, %d with)", n, perBucket, without, with)
	if perBucket != config+1+n && perBucket != config+1+1+n {
		t.Errorf("one bucket of %d objects costs %d calls, want %d (or %d with GetBucketLocation)", n, perBucket, config+1+n, config+2+n)
	}
}

// --- helpers ---

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// configFor returns moto credentials for accountID: the caller's own when
// empty, else assumed-role credentials, which moto maps to the role's
// account.
func configFor(t *testing.T, endpoint, accountID string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint))
	must(t, err)
	if accountID == "" {
		return cfg
	}
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg),
		"arn:aws:iam::"+accountID+":role/"+roleName))
	return cfg
}

func s3Client(cfg aws.Config, region string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = region })
}

func createBucket(t *testing.T, c *s3.Client, name, region string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: &name}
	if region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := c.CreateBucket(t.Context(), in)
	must(t, err)
}

func putObject(t *testing.T, c *s3.Client, bucket, key string, acl s3types.ObjectCannedACL) {
	t.Helper()
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("x"), ACL: acl})
	must(t, err)
}

func account(t *testing.T, snap *inventory.Snapshot, id string) inventory.Account {
	t.Helper()
	for _, a := range snap.Accounts {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("account %s not in snapshot", id)
	return inventory.Account{}
}

func bucket(t *testing.T, snap *inventory.Snapshot, name string) inventory.Bucket {
	t.Helper()
	for _, b := range snap.Buckets {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("bucket %s not in snapshot", name)
	return inventory.Bucket{}
}

func hasGap(snap *inventory.Snapshot, accountID, service, op, code string) bool {
	for _, g := range snap.Coverage.Gaps {
		if g.AccountID == accountID && g.Service == service && g.Operation == op && g.Code == code {
			return true
		}
	}
	return false
}

func grantsAllUsers(acl *inventory.ACL) bool {
	if acl == nil {
		return false
	}
	for _, g := range acl.Grants {
		if g.GranteeURI == inventory.AllUsersURI && (g.Permission == "READ" || g.Permission == "FULL_CONTROL") {
			return true
		}
	}
	return false
}

func TestAnAccountPastItsDeadlineIsATimeoutGapNotAnInterruption(t *testing.T) {
	srv := motoserver.Start(t)
	f := setupOrganization(t, srv)
	base := loadBase(t, f, nil, 8)
	snap, err := scanner.Scan(t.Context(), base, scanner.Options{Accounts: []string{f.mgmt, f.web}, AccountTimeout: time.Nanosecond})
	must(t, err)
	if !snap.Coverage.Complete || snap.Coverage.Interrupted != "" {
		t.Errorf("coverage %+v: a per-account deadline must not mark the whole scan interrupted", snap.Coverage)
	}
	for _, id := range []string{f.mgmt, f.web} {
		var timedOut bool
		for _, g := range snap.Coverage.Gaps {
			timedOut = timedOut || (g.AccountID == id && g.Code == "timeout")
		}
		if !timedOut {
			t.Errorf("account %s has no timeout gap: %+v", id, snap.Coverage.Gaps)
		}
	}
}

func TestOutsideAnOrganizationTheCallerAccountIsScannedAndTheSnapshotSaysSo(t *testing.T) {
	srv := motoserver.Start(t)
	cfg := configFor(t, srv.URL, "")
	createBucket(t, s3Client(cfg, "us-east-1"), "solo-bucket", "")
	base, err := awsclient.Load(t.Context(), awsclient.Options{EndpointURL: srv.URL, RoleName: roleName, MaxAttempts: 2})
	must(t, err)
	var logs bytes.Buffer
	snap, err := scanner.Scan(t.Context(), base, scanner.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	must(t, err)
	if snap.Scope != inventory.ScopeCallerAccount || !strings.Contains(snap.ScopeReason, "not a member") || snap.Organization != nil {
		t.Errorf("scope %q reason %q organization %+v", snap.Scope, snap.ScopeReason, snap.Organization)
	}
	if len(snap.Accounts) != 1 || snap.Accounts[0].ID != base.Caller.AccountID || !snap.Accounts[0].Scanned {
		t.Errorf("accounts %+v, want only the caller's, scanned", snap.Accounts)
	}
	if len(snap.Buckets) != 1 || snap.Buckets[0].Name != "solo-bucket" {
		t.Errorf("buckets %+v", snap.Buckets)
	}
	if !strings.Contains(logs.String(), "not in an organization") {
		t.Errorf("the log does not say the scan is limited to the caller's account:\n%s", logs.String())
	}
	for _, g := range snap.Coverage.Gaps {
		if g.Service == "organizations" {
			t.Errorf("not being in an organization is not a gap: %+v", g)
		}
	}
}
