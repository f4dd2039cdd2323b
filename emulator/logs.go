package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoofprint/hoofprint/emulator/scenario"
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
	var in struct {
		Name                             string `json:"name"`
		ResourceArn                      string `json:"resourceArn"`
		LogType                          string `json:"logType"`
		DeliverySourceName               string `json:"deliverySourceName"`
		DeliveryDestinationArn           string `json:"deliveryDestinationArn"`
		DeliveryDestinationConfiguration struct {
			DestinationResourceArn string `json:"destinationResourceArn"`
		} `json:"deliveryDestinationConfiguration"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return func() { c.fail(apiErr(400, "SerializationException", "request body is not JSON")) }
		}
	}
	switch op {
	case "DescribeDeliverySources":
		return func() { e.describeDeliverySources(c) }
	case "DescribeDeliveries":
		return func() { e.describeDeliveries(c) }
	case "PutDeliverySource":
		c.write = true
		return func() { e.putDeliverySource(c, in.Name, in.ResourceArn, in.LogType) }
	case "PutDeliveryDestination":
		c.write = true
		return func() {
			e.putDeliveryDestination(c, in.Name, in.DeliveryDestinationConfiguration.DestinationResourceArn)
		}
	case "CreateDelivery":
		c.write = true
		return func() { e.createDelivery(c, in.DeliverySourceName, in.DeliveryDestinationArn) }
	}
	return nil
}

// putDeliverySource records an ACCESS_LOGS source for one of the caller's
// distributions (the only kind of source the emulator models).
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html
func (e *Emulator) putDeliverySource(c *call, name, resourceARN, logType string) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	id, ok := strings.CutPrefix(resourceARN, "arn:aws:cloudfront::"+c.caller.AccountID+":distribution/")
	if !ok || e.st.dists[id] == nil || e.st.dists[id].Account != c.caller.AccountID {
		c.fail(apiErr(400, "ResourceNotFoundException", "Cannot access provided service."))
		return
	}
	if logType != "ACCESS_LOGS" {
		c.fail(apiErr(400, "ValidationException", "This service is not allowed for this LogSource."))
		return
	}
	e.st.logSources[c.caller.AccountID+"/"+name] = id
	c.okJSON(200, map[string]any{"deliverySource": map[string]any{"name": name,
		"arn":          fmt.Sprintf("arn:aws:logs:%s:%s:delivery-source:%s", c.region, c.caller.AccountID, name),
		"resourceArns": []string{resourceARN}, "service": "cloudfront", "logType": logType}})
}

// destinationType is the delivery destination type of a resource ARN.
func destinationType(arn string) string {
	switch strings.Split(arn+":::", ":")[2] {
	case "logs":
		return "CWL"
	case "s3":
		return "S3"
	case "firehose":
		return "FH"
	}
	return ""
}

func (e *Emulator) putDeliveryDestination(c *call, name, resourceARN string) {
	typ := destinationType(resourceARN)
	if typ == "" {
		c.fail(apiErr(400, "ValidationException", "destinationResourceArn must be a CloudWatch Logs log group, an S3 bucket or a Firehose stream"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	arn := fmt.Sprintf("arn:aws:logs:%s:%s:delivery-destination:%s", c.region, c.caller.AccountID, name)
	e.st.logDests[arn] = scenario.LogDestination{Type: typ, ARN: resourceARN}
	c.okJSON(200, map[string]any{"deliveryDestination": map[string]any{"name": name, "arn": arn, "deliveryDestinationType": typ,
		"deliveryDestinationConfiguration": map[string]string{"destinationResourceArn": resourceARN}}})
}

// createDelivery connects a source to a destination: the distribution gets
// a standard logging v2 destination.
func (e *Emulator) createDelivery(c *call, source, destARN string) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	id, ok := e.st.logSources[c.caller.AccountID+"/"+source]
	dst, dok := e.st.logDests[destARN]
	if !ok || !dok {
		c.fail(apiErr(400, "ResourceNotFoundException", "Requested Delivery Source or Destination does not exist in this account."))
		return
	}
	d := e.st.dists[id]
	d.LoggingV2 = append(d.LoggingV2, dst)
	did := fmt.Sprintf("%s%02d", strings.ToLower(d.ID), len(d.LoggingV2)-1)
	c.okJSON(200, map[string]any{"delivery": map[string]any{"id": did,
		"arn":                "arn:aws:logs:us-east-1:" + c.caller.AccountID + ":delivery:" + did,
		"deliverySourceName": source, "deliveryDestinationArn": destARN, "deliveryDestinationType": dst.Type}})
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
