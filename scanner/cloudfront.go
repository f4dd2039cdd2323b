package scanner

import (
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
func (a *accountScan) collectCloudFront() cloudFrontResult {
	client := a.cloudFront()
	var res cloudFrontResult

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
			if d.Origins == nil {
				a.completeDistribution(client, &dist)
			}
			res.distributions = append(res.distributions, dist)
		}
	}

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

// completeDistribution reads the configuration of a distribution whose
// summary came without origins. Origins are required in a
// DistributionSummary, so real CloudFront never needs this call; endpoints
// that answer with a thinner summary (moto does) would otherwise make every
// distribution look origin-less, which no rule could tell from the truth.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionSummary.html
func (a *accountScan) completeDistribution(client *cloudfront.Client, dist *inventory.Distribution) {
	out, err := client.GetDistributionConfig(a.ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(dist.ID)})
	if err != nil {
		a.fail("", "cloudfront", "GetDistributionConfig", dist.ARN, err)
		return
	}
	if c := out.DistributionConfig; c != nil {
		dist.Enabled = aws.ToBool(c.Enabled)
		fillDistribution(dist, c.Aliases, c.Origins, c.DefaultCacheBehavior, c.CacheBehaviors)
	}
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
