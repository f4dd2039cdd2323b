package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// routeLogs serves the CloudWatch Logs (JSON 1.1) reads of CloudFront's
// standard logging v2: DescribeDeliverySources and DescribeDeliveries. A
// scenario distribution's LoggingV2 destinations become one ACCESS_LOGS
// delivery source in us-east-1 and one delivery per destination.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
func (e *Emulator) routeLogs(c *call) func() {
	prefix, op, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	c.op = op
	if prefix != "Logs_20140328" || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil
	}
	switch op {
	case "DescribeDeliverySources":
		return func() { e.describeDeliverySources(c) }
	case "DescribeDeliveries":
		return func() { e.describeDeliveries(c) }
	}
	return nil
}

// callerLogDistributions are the caller's distributions with v2 logging,
// in the region asked (delivery sources for CloudFront live in us-east-1).
func (e *Emulator) callerLogDistributions(c *call) []*distribution {
	var out []*distribution
	if c.region != "us-east-1" {
		return nil
	}
	for _, id := range e.st.distOrder {
		d := e.st.dists[id]
		if d.Account == c.caller.AccountID && len(d.LoggingV2) > 0 {
			out = append(out, d)
		}
	}
	return out
}

func deliverySourceName(d *distribution) string { return "cf-" + strings.ToLower(d.ID) }

func (e *Emulator) describeDeliverySources(c *call) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	srcs := []map[string]any{}
	for _, d := range e.callerLogDistributions(c) {
		name := deliverySourceName(d)
		srcs = append(srcs, map[string]any{
			"name": name, "arn": fmt.Sprintf("arn:aws:logs:us-east-1:%s:delivery-source:%s", d.Account, name),
			"resourceArns": []string{fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", d.Account, d.ID)},
			"service":      "cloudfront", "logType": "ACCESS_LOGS",
		})
	}
	c.okJSON(200, map[string]any{"deliverySources": srcs})
}

func (e *Emulator) describeDeliveries(c *call) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	dels := []map[string]any{}
	for _, d := range e.callerLogDistributions(c) {
		for i, dst := range d.LoggingV2 {
			id := fmt.Sprintf("%s%02d", strings.ToLower(d.ID), i)
			dels = append(dels, map[string]any{
				"id": id, "arn": fmt.Sprintf("arn:aws:logs:us-east-1:%s:delivery:%s", d.Account, id),
				"deliverySourceName": deliverySourceName(d), "deliveryDestinationType": dst.Type,
				"deliveryDestinationArn": fmt.Sprintf("arn:aws:logs:us-east-1:%s:delivery-destination:%s-%d", d.Account, strings.ToLower(d.ID), i),
			})
		}
	}
	c.okJSON(200, map[string]any{"deliveries": dels})
}
