package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// orgView is an organization read back through the SDK, with every
// generated ID replaced by its scenario name, so that two places holding
// the same scenario compare equal.
type orgView struct {
	Accounts      map[string]string // name → account BPA
	Buckets       map[string]bucketView
	Distributions map[string]distView // by comment
}

type bucketView struct {
	Account, Region, PAB, Policy, Ownership, Logging string
	ACLGroups                                        []string
	Objects                                          map[string]objectView
}

type objectView struct {
	Size   int64
	Groups []string
	// Owner is the owner's account name ("" when the reader cannot tell:
	// moto gives every account one canonical ID).
	Owner string
}

type distView struct {
	Account   string
	Aliases   []string
	Origins   []string
	Behaviors []string
	Enabled   bool
}

// readOrg reads the scenario's resources at endpoint with the management
// credentials creds (nil: the environment's), where ids maps account, OAI
// and distribution names to the IDs they have there.
func readOrg(t *testing.T, endpoint string, creds aws.CredentialsProvider, sc *scenario.Scenario, ids *scenario.Applied, owners bool) orgView {
	t.Helper()
	ctx := t.Context()
	opts := []func(*config.LoadOptions) error{config.WithRegion("us-east-1")}
	if creds != nil {
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	base, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	base.BaseEndpoint = aws.String(endpoint)
	// Accounts outside the organization are read through their own first
	// role (the one Apply writes with); members through the member role.
	cfgFor := func(name string) aws.Config {
		if name == sc.ManagementAccount().Name {
			return base
		}
		role := sc.MemberRoleName
		if a := sc.Account(name); a.Outside && len(a.Roles) > 0 {
			role = a.Roles[0]
		}
		c := base.Copy()
		c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::"+ids.Accounts[name]+":role/"+role))
		return c
	}
	// Names for IDs, longest first so that no ID is replaced inside another.
	var repl []string
	add := func(id, name string) {
		if id != "" {
			repl = append(repl, id, name)
		}
	}
	for n, id := range ids.Accounts {
		add(id, "${account:"+n+"}")
	}
	for n, id := range ids.OAIs {
		add(id, "${oai:"+n+"}")
	}
	for n, id := range ids.Distributions {
		add(id, "${distribution:"+n+"}")
	}
	canonName := map[string]string{}
	for n, c := range ids.Canonical {
		canonName[c] = n
	}
	normalize := func(s string) string { return strings.NewReplacer(repl...).Replace(s) }

	v := orgView{Accounts: map[string]string{}, Buckets: map[string]bucketView{}, Distributions: map[string]distView{}}
	for _, acct := range sc.Accounts {
		cfg := cfgFor(acct.Name)
		ctl := s3control.NewFromConfig(cfg, awsclient.FixedS3ControlEndpoint(endpoint))
		pab, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(ids.Accounts[acct.Name])})
		switch {
		case errCode(err) == "NoSuchPublicAccessBlockConfiguration":
			v.Accounts[acct.Name] = "none"
		case err != nil:
			t.Fatalf("%s: GetPublicAccessBlock: %v", acct.Name, err)
		default:
			c := pab.PublicAccessBlockConfiguration
			v.Accounts[acct.Name] = fmt.Sprint(aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets))
		}
		east := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		lb, err := east.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatalf("%s: ListBuckets: %v", acct.Name, err)
		}
		for _, b := range lb.Buckets {
			name := aws.ToString(b.Name)
			if sc.Bucket(name) == nil || sc.Bucket(name).Account != acct.Name {
				continue // moto shows every account's buckets to everyone
			}
			bv := readBucket(t, ctx, cfg, cfgFor, sc, name, normalize, canonName, owners)
			bv.Account = acct.Name
			v.Buckets[name] = bv
		}
		dl, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
		if err != nil {
			t.Fatalf("%s: ListDistributions: %v", acct.Name, err)
		}
		if dl.DistributionList == nil {
			continue
		}
		for _, d := range dl.DistributionList.Items {
			aliases, origins, def, behaviors, comment := d.Aliases, d.Origins, d.DefaultCacheBehavior, d.CacheBehaviors, d.Comment
			if aliases == nil || origins == nil {
				// moto's summaries lack some parts; the scanner reads the
				// config then too.
				gc, err := cloudfront.NewFromConfig(cfg).GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: d.Id})
				if err != nil {
					t.Fatalf("%s: GetDistributionConfig: %v", acct.Name, err)
				}
				dc := gc.DistributionConfig
				aliases, origins, def, behaviors, comment = dc.Aliases, dc.Origins, dc.DefaultCacheBehavior, dc.CacheBehaviors, dc.Comment
			}
			dv := distView{Account: acct.Name, Enabled: aws.ToBool(d.Enabled)}
			if aliases != nil && len(aliases.Items) > 0 {
				dv.Aliases = aliases.Items
			}
			if origins == nil {
				t.Fatalf("%s: distribution %s without origins", acct.Name, aws.ToString(d.Id))
			}
			for _, o := range origins.Items {
				s := aws.ToString(o.Id) + " " + aws.ToString(o.DomainName)
				if o.S3OriginConfig != nil && aws.ToString(o.S3OriginConfig.OriginAccessIdentity) != "" {
					s += " oai=" + normalize(strings.TrimPrefix(aws.ToString(o.S3OriginConfig.OriginAccessIdentity), "origin-access-identity/cloudfront/"))
				}
				if aws.ToString(o.OriginAccessControlId) != "" {
					s += " oac"
				}
				if o.CustomOriginConfig != nil {
					s += " custom"
				}
				dv.Origins = append(dv.Origins, s)
			}
			dv.Behaviors = append(dv.Behaviors, "* "+aws.ToString(def.TargetOriginId)+" "+string(def.ViewerProtocolPolicy))
			if behaviors != nil {
				for _, b := range behaviors.Items {
					dv.Behaviors = append(dv.Behaviors, aws.ToString(b.PathPattern)+" "+aws.ToString(b.TargetOriginId)+" "+string(b.ViewerProtocolPolicy))
				}
			}
			d.Comment = comment
			v.Distributions[aws.ToString(d.Comment)] = dv
		}
	}
	return v
}

func readBucket(t *testing.T, ctx context.Context, cfg aws.Config, cfgFor func(string) aws.Config, sc *scenario.Scenario, name string,
	normalize func(string) string, canonName map[string]string, owners bool) bucketView {
	t.Helper()
	east := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	loc, err := east.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("%s: GetBucketLocation: %v", name, err)
	}
	region := string(loc.LocationConstraint)
	if region == "" {
		region = "us-east-1"
	}
	rc := cfg.Copy()
	rc.Region = region
	cl := s3.NewFromConfig(rc, func(o *s3.Options) { o.UsePathStyle = true })
	bv := bucketView{Region: region, Objects: map[string]objectView{}}
	fail := func(op string, err error) { t.Fatalf("%s: %s: %v", name, op, err) }

	if p, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)}); errCode(err) == "NoSuchPublicAccessBlockConfiguration" {
		bv.PAB = "none"
	} else if err != nil {
		fail("GetPublicAccessBlock", err)
	} else {
		c := p.PublicAccessBlockConfiguration
		bv.PAB = fmt.Sprint(aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets))
	}
	if p, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)}); errCode(err) == "NoSuchBucketPolicy" {
		bv.Policy = "none"
	} else if err != nil {
		fail("GetBucketPolicy", err)
	} else {
		var doc any
		if err := json.Unmarshal([]byte(aws.ToString(p.Policy)), &doc); err != nil {
			fail("policy JSON", err)
		}
		b, _ := json.Marshal(doc)
		bv.Policy = normalize(string(b))
	}
	if o, err := cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(name)}); errCode(err) == "OwnershipControlsNotFoundError" {
		bv.Ownership = "none"
	} else if err != nil {
		fail("GetBucketOwnershipControls", err)
	} else {
		bv.Ownership = string(o.OwnershipControls.Rules[0].ObjectOwnership)
	}
	acl, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(name)})
	if err != nil {
		fail("GetBucketAcl", err)
	}
	for _, g := range acl.Grants {
		if g.Grantee.URI != nil {
			bv.ACLGroups = append(bv.ACLGroups, aws.ToString(g.Grantee.URI)+" "+string(g.Permission))
		}
	}
	sort.Strings(bv.ACLGroups)
	lg, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String(name)})
	if err != nil {
		fail("GetBucketLogging", err)
	}
	bv.Logging = "off"
	if lg.LoggingEnabled != nil {
		bv.Logging = aws.ToString(lg.LoggingEnabled.TargetBucket) + "/" + aws.ToString(lg.LoggingEnabled.TargetPrefix)
	}
	writers := map[string]string{}
	for _, o := range sc.Bucket(name).Objects {
		for _, k := range o.Keys() {
			writers[k] = o.Writer
		}
	}
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String(name), FetchOwner: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			fail("ListObjectsV2", err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if writers[k] == "" {
				continue // not the scenario's (moto writes server access logs)
			}
			ov := objectView{Size: aws.ToInt64(o.Size)}
			if owners && o.Owner != nil {
				ov.Owner = canonName[aws.ToString(o.Owner.ID)]
			}
			// The bucket owner may be denied an object's ACL (another
			// account owns it); its writer may always read it.
			oacl, err := cl.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(name), Key: aws.String(k)})
			if errCode(err) == "AccessDenied" && writers[k] != "" {
				wc := cfgFor(writers[k]).Copy()
				wc.Region = region
				oacl, err = s3.NewFromConfig(wc, func(o *s3.Options) { o.UsePathStyle = true }).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(name), Key: aws.String(k)})
			}
			if err != nil {
				fail("GetObjectAcl", err)
			}
			for _, g := range oacl.Grants {
				if g.Grantee.URI != nil {
					ov.Groups = append(ov.Groups, aws.ToString(g.Grantee.URI)+" "+string(g.Permission))
				}
			}
			sort.Strings(ov.Groups)
			bv.Objects[k] = ov
		}
	}
	return bv
}

// scenarioIDs are the IDs the emulator gives a loaded scenario.
func scenarioIDs(sc *scenario.Scenario) *scenario.Applied {
	ids := &scenario.Applied{Accounts: map[string]string{}, OAIs: map[string]string{}, Distributions: map[string]string{}, Canonical: map[string]string{}}
	for _, a := range sc.Accounts {
		ids.Accounts[a.Name] = a.ID
		ids.Canonical[a.Name] = scenario.CanonicalUserID(a.ID)
	}
	for _, o := range sc.OAIs {
		ids.OAIs[o.Name] = o.ID
	}
	for _, d := range sc.Distributions {
		ids.Distributions[d.Name] = d.ID
	}
	return ids
}

// diffViews lists the differences between two views, one "path: value"
// line each.
func diffViews(want, got orgView, what string) []string {
	fw, fg := flatten(want), flatten(got)
	var out []string
	for k, v := range fw {
		if g, ok := fg[k]; !ok {
			out = append(out, fmt.Sprintf("%s: missing in %s (want %s)", k, what, v))
		} else if g != v {
			out = append(out, fmt.Sprintf("%s: %s has %s, want %s", k, what, g, v))
		}
	}
	for k, v := range fg {
		if _, ok := fw[k]; !ok {
			out = append(out, fmt.Sprintf("%s: only in %s (%s)", k, what, v))
		}
	}
	sort.Strings(out)
	return out
}

func flatten(v orgView) map[string]string {
	var m map[string]any
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &m)
	out := map[string]string{}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		if mm, ok := x.(map[string]any); ok && len(mm) > 0 {
			for k, v := range mm {
				walk(prefix+"/"+k, v)
			}
			return
		}
		j, _ := json.Marshal(x)
		out[prefix] = string(j)
	}
	walk("", m)
	return out
}

var _ = sts.GetCallerIdentityInput{}
