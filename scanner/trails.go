package scanner

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// collectTrails reads the account's CloudTrail trails for the S3 data
// events rule (HIPAA 164.312(b)). DescribeTrails with shadow trails lists,
// in the region it is called in, the account's trails homed there, the
// multi-region trails homed anywhere and the organization trails the
// account is part of; a single-region trail is listed only in its home
// region. A bucket's data events can be logged only by a trail in the
// bucket's region or a multi-region trail, so DescribeTrails is called in
// the scan's region and in every region the account has a bucket in.
// Trails seen in several regions are kept once. Event selectors and status
// are read only for the account's own trails, in their home region: an
// organization trail's selectors are readable only in the account that
// owns it, so each trail's selectors are read once, there. TrailsRead is
// set only when every region's listing succeeded, so a bucket whose
// region could not be listed is never judged on a partial view.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html
func (a *accountScan) collectTrails(acct *inventory.Account, regions []string) []inventory.Trail {
	var trails []inventory.Trail
	all := true
	for _, region := range regions {
		out, err := a.cloudTrail(region).DescribeTrails(a.ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
		if err != nil {
			a.fail(region, "cloudtrail", "DescribeTrails", "", err)
			all = false
			continue
		}
		for _, t := range out.TrailList {
			arn := aws.ToString(t.TrailARN)
			if slices.ContainsFunc(trails, func(have inventory.Trail) bool { return have.ARN == arn }) {
				continue
			}
			tr := inventory.Trail{
				ARN:               arn,
				Name:              aws.ToString(t.Name),
				HomeRegion:        aws.ToString(t.HomeRegion),
				MultiRegion:       aws.ToBool(t.IsMultiRegionTrail),
				OrganizationTrail: aws.ToBool(t.IsOrganizationTrail),
			}
			tr.AccountID = arnAccount(tr.ARN)
			if tr.AccountID == a.id {
				a.trailDetails(&tr)
			}
			trails = append(trails, tr)
		}
	}
	acct.TrailsRead = all
	return trails
}

// trailRegions are the regions whose trails can log the account's buckets'
// data events: the scan's region first, then each listed bucket's region
// (ListBuckets answers BucketRegion when it is paged, as listBuckets pages).
func trailRegions(scanRegion string, listed []ListedBucket) []string {
	regions := []string{scanRegion}
	for _, b := range listed {
		if r := b.Region; r != "" && !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	return regions
}

// trailDetails reads one owned trail's status and event selectors in its
// home region.
func (a *accountScan) trailDetails(tr *inventory.Trail) {
	client := a.cloudTrail(tr.HomeRegion)
	if st, err := client.GetTrailStatus(a.ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(tr.ARN)}); err == nil {
		tr.IsLogging = st.IsLogging
		if tr.IsLogging == nil {
			tr.IsLogging = aws.Bool(false)
		}
	} else {
		a.fail(tr.HomeRegion, "cloudtrail", "GetTrailStatus", tr.ARN, err)
	}
	sel, err := client.GetEventSelectors(a.ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(tr.ARN)})
	if err != nil {
		a.fail(tr.HomeRegion, "cloudtrail", "GetEventSelectors", tr.ARN, err)
		return
	}
	tr.SelectorsRead = true
	for _, es := range sel.EventSelectors {
		e := inventory.EventSelector{ReadWriteType: string(es.ReadWriteType)}
		for _, dr := range es.DataResources {
			e.DataResources = append(e.DataResources, inventory.DataResource{Type: aws.ToString(dr.Type), Values: dr.Values})
		}
		tr.EventSelectors = append(tr.EventSelectors, e)
	}
	for _, as := range sel.AdvancedEventSelectors {
		tr.AdvancedEventSelectors = append(tr.AdvancedEventSelectors, convertAdvancedSelector(as))
	}
}

func convertAdvancedSelector(as cttypes.AdvancedEventSelector) inventory.AdvancedEventSelector {
	out := inventory.AdvancedEventSelector{Name: aws.ToString(as.Name), FieldSelectors: []inventory.FieldSelector{}}
	for _, f := range as.FieldSelectors {
		out.FieldSelectors = append(out.FieldSelectors, inventory.FieldSelector{
			Field: aws.ToString(f.Field), Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
			NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
		})
	}
	return out
}

// arnAccount is the account field of an ARN ("" when there is none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func (a *accountScan) cloudTrail(region string) *cloudtrail.Client {
	if region == "" {
		region = a.region()
	}
	return cloudtrail.NewFromConfig(a.config(region), func(o *cloudtrail.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
}

// mergeTrails adds one account's trails to those already seen. A trail
// appears in every account that sees it (an organization trail in each
// member, a multi-region trail in each region); the copy whose selectors
// were read (the owner's) wins.
func mergeTrails(have, add []inventory.Trail) []inventory.Trail {
	for _, t := range add {
		i := slices.IndexFunc(have, func(h inventory.Trail) bool { return h.ARN == t.ARN })
		switch {
		case i < 0:
			have = append(have, t)
		case t.SelectorsRead && !have[i].SelectorsRead:
			have[i] = t
		}
	}
	return have
}
