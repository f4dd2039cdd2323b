package scanner

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// cloudFrontResult is one account's CloudFront inventory.
type cloudFrontResult struct {
	distributions []inventory.Distribution
	oais          []inventory.OriginAccessIdentity
	oacs          []inventory.OriginAccessControl
}

// collectCloudFront lists the account's distributions, origin access
// identities and origin access controls. CloudFront is global; its API is
// answered from us-east-1 whatever the configured region.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListDistributions.html
func (a *accountScan) collectCloudFront(acct *inventory.Account) cloudFrontResult {
	var res cloudFrontResult
	if p := a.s.base.Caller.Partition; !cloudFrontInPartition(p) {
		a.s.cov.addGap(inventory.Gap{
			AccountID: a.id, Service: "cloudfront", Operation: "ListDistributions", Code: "NotAvailableInPartition",
			Message: "CloudFront is not part of the " + p + " partition; its distributions belong to a standard (aws) account, which needs a scan of its own",
		})
		return res
	}
	client := a.cloudFront()

	var configReads, skipped int
	dp := cloudfront.NewListDistributionsPaginator(client, &cloudfront.ListDistributionsInput{})
	for dp.HasMorePages() {
		page, err := dp.NextPage(a.ctx)
		if err != nil {
			a.fail("", "cloudfront", "ListDistributions", "", err)
			break
		}
		if page.DistributionList == nil {
			break
		}
		for _, d := range page.DistributionList.Items {
			dist := convertDistribution(a.id, d)
			// Legacy logging is only in the configuration: one read per
			// distribution, bounded per account (DistributionConfigReads).
			if configReads < a.s.opts.DistributionConfigReads {
				configReads++
				a.readDistributionConfig(client, &dist, d.Origins == nil)
			} else {
				skipped++
			}
			res.distributions = append(res.distributions, dist)
		}
	}
	if skipped > 0 {
		a.s.cov.addGap(inventory.Gap{AccountID: a.id, Service: "cloudfront", Operation: "GetDistributionConfig", Code: "BudgetExhausted",
			Message: fmt.Sprintf("%d distributions past the budget of %d configuration reads per account: their legacy access logging is unknown", skipped, a.s.opts.DistributionConfigReads)})
	}
	a.distributionLogDeliveries(acct, res.distributions)

	// The OAI's S3CanonicalUserId is how a bucket policy or ACL grant to
	// the OAI shows up in S3, so it goes into the canonical-ID map.
	// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CloudFrontOriginAccessIdentitySummary.html
	op := cloudfront.NewListCloudFrontOriginAccessIdentitiesPaginator(client, &cloudfront.ListCloudFrontOriginAccessIdentitiesInput{})
	for op.HasMorePages() {
		page, err := op.NextPage(a.ctx)
		if err != nil {
			a.fail("", "cloudfront", "ListCloudFrontOriginAccessIdentities", "", err)
			break
		}
		if page.CloudFrontOriginAccessIdentityList == nil {
			break
		}
		for _, o := range page.CloudFrontOriginAccessIdentityList.Items {
			oai := inventory.OriginAccessIdentity{
				ID:                aws.ToString(o.Id),
				AccountID:         a.id,
				S3CanonicalUserID: aws.ToString(o.S3CanonicalUserId),
				Comment:           aws.ToString(o.Comment),
			}
			res.oais = append(res.oais, oai)
			a.s.addCanonical(oai.S3CanonicalUserID, inventory.CanonicalIdentity{Kind: inventory.KindOAI, AccountID: a.id, OAIID: oai.ID})
		}
	}

	cp := cloudfront.NewListOriginAccessControlsPaginator(client, &cloudfront.ListOriginAccessControlsInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(a.ctx)
		if err != nil {
			a.fail("", "cloudfront", "ListOriginAccessControls", "", err)
			break
		}
		if page.OriginAccessControlList == nil {
			break
		}
		for _, o := range page.OriginAccessControlList.Items {
			res.oacs = append(res.oacs, inventory.OriginAccessControl{
				ID:              aws.ToString(o.Id),
				AccountID:       a.id,
				Name:            aws.ToString(o.Name),
				OriginType:      string(o.OriginAccessControlOriginType),
				SigningBehavior: string(o.SigningBehavior),
				SigningProtocol: string(o.SigningProtocol),
			})
		}
	}
	return res
}

// cloudFrontInPartition reports whether CloudFront can be asked with this
// partition's credentials. It is served in aws (us-east-1) and aws-cn
// (cn-northwest-1) only: CloudFront "is located outside of the AWS GovCloud
// (US) boundary" (AWS GovCloud (US) User Guide, CloudFront "Credentials"), and
// for any other partition the SDK's endpoint rules still resolve
// cloudfront.amazonaws.com, which refuses that partition's credentials as
// an invalid token. An empty partition (not known) is asked.
// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/setting-up-credentials.html
func cloudFrontInPartition(partition string) bool {
	switch partition {
	case "", "aws", "aws-cn":
		return true
	}
	return false
}

// readDistributionConfig reads the distribution's configuration for what
// the summary does not carry: legacy standard logging (Logging is in
// DistributionConfig only). When the summary came without origins (moto's
// thinner summary; real CloudFront always sends them) it also fills the
// origins and behaviours from the configuration, which no rule could
// otherwise tell from an origin-less distribution.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionSummary.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_LoggingConfig.html
func (a *accountScan) readDistributionConfig(client *cloudfront.Client, dist *inventory.Distribution, fill bool) {
	out, err := client.GetDistributionConfig(a.ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(dist.ID)})
	if err != nil {
		a.fail("", "cloudfront", "GetDistributionConfig", dist.ARN, err)
		return
	}
	c := out.DistributionConfig
	if c == nil {
		return
	}
	if fill {
		dist.Enabled = aws.ToBool(c.Enabled)
		fillDistribution(dist, c.Aliases, c.Origins, c.DefaultCacheBehavior, c.CacheBehaviors)
		if c.ViewerCertificate != nil {
			dist.ViewerCertificate = convertViewerCertificate(c.ViewerCertificate)
		}
	}
	if dist.Logging == nil {
		dist.Logging = &inventory.DistributionLogging{}
	}
	// A configuration without Logging is standard logging off.
	dist.Logging.Standard = &inventory.StandardLogging{}
	if l := c.Logging; l != nil && aws.ToBool(l.Enabled) {
		dist.Logging.Standard = &inventory.StandardLogging{Enabled: true, Bucket: aws.ToString(l.Bucket), Prefix: aws.ToString(l.Prefix)}
	}
}

// convertViewerCertificate keeps the security policy. With the default
// *.cloudfront.net certificate CloudFront sets the policy to TLSv1 and
// ignores what the configuration says.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
func convertViewerCertificate(v *cftypes.ViewerCertificate) *inventory.ViewerCertificate {
	out := &inventory.ViewerCertificate{
		CloudFrontDefault:      aws.ToBool(v.CloudFrontDefaultCertificate),
		MinimumProtocolVersion: string(v.MinimumProtocolVersion),
		SSLSupportMethod:       string(v.SSLSupportMethod),
	}
	// CertificateSource is deprecated; which of the three fields is set
	// says the same.
	switch {
	case out.CloudFrontDefault:
		out.Source = "cloudfront"
	case aws.ToString(v.ACMCertificateArn) != "":
		out.Source = "acm"
	case aws.ToString(v.IAMCertificateId) != "":
		out.Source = "iam"
	}
	return out
}

func convertDistribution(accountID string, d cftypes.DistributionSummary) inventory.Distribution {
	dist := inventory.Distribution{
		ID:             aws.ToString(d.Id),
		ARN:            aws.ToString(d.ARN),
		AccountID:      accountID,
		DomainName:     aws.ToString(d.DomainName),
		Enabled:        aws.ToBool(d.Enabled),
		Status:         aws.ToString(d.Status),
		Origins:        []inventory.Origin{},
		CacheBehaviors: []inventory.CacheBehavior{},
	}
	fillDistribution(&dist, d.Aliases, d.Origins, d.DefaultCacheBehavior, d.CacheBehaviors)
	if d.ViewerCertificate != nil {
		dist.ViewerCertificate = convertViewerCertificate(d.ViewerCertificate)
	}
	return dist
}

// fillDistribution copies the parts a summary and a configuration share.
func fillDistribution(dist *inventory.Distribution, aliases *cftypes.Aliases, origins *cftypes.Origins,
	dcb *cftypes.DefaultCacheBehavior, cbs *cftypes.CacheBehaviors) {
	if aliases != nil {
		dist.Aliases = aliases.Items
	}
	dist.Origins = []inventory.Origin{}
	if origins != nil {
		for _, o := range origins.Items {
			dist.Origins = append(dist.Origins, convertOrigin(o))
		}
	}
	dist.CacheBehaviors = []inventory.CacheBehavior{}
	if dcb != nil {
		dist.CacheBehaviors = append(dist.CacheBehaviors, inventory.CacheBehavior{
			PathPattern:          "*",
			TargetOriginID:       aws.ToString(dcb.TargetOriginId),
			ViewerProtocolPolicy: string(dcb.ViewerProtocolPolicy),
		})
	}
	if cbs != nil {
		for _, cb := range cbs.Items {
			dist.CacheBehaviors = append(dist.CacheBehaviors, inventory.CacheBehavior{
				PathPattern:          aws.ToString(cb.PathPattern),
				TargetOriginID:       aws.ToString(cb.TargetOriginId),
				ViewerProtocolPolicy: string(cb.ViewerProtocolPolicy),
			})
		}
	}
}

func convertOrigin(o cftypes.Origin) inventory.Origin {
	out := inventory.Origin{
		ID:         aws.ToString(o.Id),
		DomainName: aws.ToString(o.DomainName),
		OACID:      aws.ToString(o.OriginAccessControlId),
		OriginPath: aws.ToString(o.OriginPath),
	}
	out.Type, out.BucketName, out.BucketRegion = resolveOriginDomain(out.DomainName)
	if o.S3OriginConfig != nil {
		out.OAIID = oaiID(aws.ToString(o.S3OriginConfig.OriginAccessIdentity))
	}
	return out
}

// oaiID turns S3OriginConfig.OriginAccessIdentity
// ("origin-access-identity/cloudfront/E2QWRUHAPOMQZL", or "" for none) into
// the bare ID that ListCloudFrontOriginAccessIdentities returns.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_S3OriginConfig.html
func oaiID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
