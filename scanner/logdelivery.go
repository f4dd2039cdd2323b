package scanner

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/hoofprint/hoofprint/inventory"
)

// cloudFrontLogRegion is where CloudFront's standard logging v2 delivery
// sources live: "you must create the delivery source in the US East (N.
// Virginia) Region".
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
const cloudFrontLogRegion = "us-east-1"

// distributionLogDeliveries reads the account's CloudWatch Logs delivery
// sources and deliveries once (two paged calls, whatever the number of
// distributions) and records on each distribution the deliveries of its
// ACCESS_LOGS source: standard logging v2. Distributions are left with V2
// nil (unknown) when either listing fails.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeDeliverySources.html
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeDeliveries.html
func (a *accountScan) distributionLogDeliveries(acct *inventory.Account, dists []inventory.Distribution) {
	if len(dists) == 0 {
		return
	}
	client := cloudwatchlogs.NewFromConfig(a.config(cloudFrontLogRegion), func(o *cloudwatchlogs.Options) {
		o.APIOptions = append(o.APIOptions, a.s.counters.countAttempts)
	})
	sourceOf := map[string]string{} // delivery source name → distribution ARN
	sp := cloudwatchlogs.NewDescribeDeliverySourcesPaginator(client, &cloudwatchlogs.DescribeDeliverySourcesInput{})
	for sp.HasMorePages() {
		page, err := sp.NextPage(a.ctx)
		if err != nil {
			a.fail(cloudFrontLogRegion, "logs", "DescribeDeliverySources", "", err)
			return
		}
		for _, s := range page.DeliverySources {
			if aws.ToString(s.LogType) != "ACCESS_LOGS" {
				continue
			}
			for _, arn := range s.ResourceArns {
				sourceOf[aws.ToString(s.Name)] = arn
			}
		}
	}
	byDist := map[string][]inventory.LogDelivery{}
	dp := cloudwatchlogs.NewDescribeDeliveriesPaginator(client, &cloudwatchlogs.DescribeDeliveriesInput{})
	for dp.HasMorePages() {
		page, err := dp.NextPage(a.ctx)
		if err != nil {
			a.fail(cloudFrontLogRegion, "logs", "DescribeDeliveries", "", err)
			return
		}
		for _, d := range page.Deliveries {
			arn, ok := sourceOf[aws.ToString(d.DeliverySourceName)]
			if !ok {
				continue
			}
			byDist[arn] = append(byDist[arn], inventory.LogDelivery{
				ID: aws.ToString(d.Id), DestinationType: string(d.DeliveryDestinationType), DestinationARN: aws.ToString(d.DeliveryDestinationArn),
			})
		}
	}
	acct.LogDeliveriesRead = true
	for i := range dists {
		d := &dists[i]
		if d.Logging == nil {
			d.Logging = &inventory.DistributionLogging{}
		}
		d.Logging.V2 = &inventory.LoggingV2{Deliveries: byDist[d.ARN]}
		if d.Logging.V2.Deliveries == nil {
			d.Logging.V2.Deliveries = []inventory.LogDelivery{}
		}
	}
}
