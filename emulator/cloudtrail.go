package emulator

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// routeCloudTrail serves the CloudTrail (JSON 1.1) reads hoofprint makes:
// DescribeTrails, GetTrailStatus, GetEventSelectors.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Operations.html
func (e *Emulator) routeCloudTrail(c *call) func() {
	prefix, op, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	c.op = op
	if !strings.HasSuffix(prefix, "CloudTrail_20131101") || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil
	}
	var in struct {
		IncludeShadowTrails    *bool                            `json:"includeShadowTrails"`
		Name                   string                           `json:"Name"`
		TrailName              string                           `json:"TrailName"`
		S3BucketName           string                           `json:"S3BucketName"`
		IsMultiRegionTrail     bool                             `json:"IsMultiRegionTrail"`
		IsOrganizationTrail    bool                             `json:"IsOrganizationTrail"`
		EventSelectors         []scenario.EventSelector         `json:"EventSelectors"`
		AdvancedEventSelectors []scenario.AdvancedEventSelector `json:"AdvancedEventSelectors"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return func() { c.fail(apiErr(400, "SerializationException", "request body is not JSON")) }
		}
	}
	switch op {
	case "DescribeTrails":
		return func() { e.describeTrails(c, in.IncludeShadowTrails == nil || *in.IncludeShadowTrails) }
	case "GetTrailStatus":
		return func() { e.withOwnTrail(c, in.Name, e.trailStatus) }
	case "GetEventSelectors":
		return func() { e.withOwnTrail(c, in.TrailName, e.eventSelectors) }
	case "CreateTrail":
		c.write = true
		return func() {
			e.createTrail(c, &scenario.Trail{Name: in.Name, Account: c.caller.AccountID, HomeRegion: c.region,
				MultiRegion: in.IsMultiRegionTrail, Organization: in.IsOrganizationTrail, Stopped: true}, in.S3BucketName)
		}
	case "PutEventSelectors":
		c.write = true
		return func() {
			e.withOwnTrailW(c, in.TrailName, func(c *call, t *scenario.Trail) {
				if (len(in.EventSelectors) > 0) == (len(in.AdvancedEventSelectors) > 0) {
					c.fail(apiErr(400, "InvalidEventSelectorsException", "Specify either EventSelectors or AdvancedEventSelectors, not both."))
					return
				}
				t.EventSelectors, t.AdvancedEventSelectors = in.EventSelectors, in.AdvancedEventSelectors
				e.eventSelectors(c, t)
			})
		}
	case "StartLogging", "StopLogging":
		c.write = true
		return func() {
			e.withOwnTrailW(c, in.Name, func(c *call, t *scenario.Trail) {
				t.Stopped = op == "StopLogging"
				c.okJSON(200, map[string]any{})
			})
		}
	}
	return nil
}

// trailVisible says whether a DescribeTrails in region by account lists t:
// its own trails homed there, and with shadow trails also its
// multi-region trails from other regions and the organization trails of
// its organization (as a member sees them).
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html
func (e *Emulator) trailVisible(t *scenario.Trail, account, region string, shadow bool) bool {
	inRegion := t.HomeRegion == region || (shadow && t.MultiRegion)
	if t.Account == account {
		return inRegion
	}
	if !shadow || !t.Organization || e.st.org == nil {
		return false
	}
	a := e.st.accounts[account]
	return a != nil && a.Member && inRegion
}

func trailJSON(t *scenario.Trail) map[string]any {
	return map[string]any{
		"Name": t.Name, "TrailARN": t.ARN(t.Account), "HomeRegion": t.HomeRegion,
		"IsMultiRegionTrail": t.MultiRegion, "IsOrganizationTrail": t.Organization,
		"S3BucketName": "cloudtrail-" + t.Account, "IncludeGlobalServiceEvents": true, "LogFileValidationEnabled": true,
		"HasCustomEventSelectors": len(t.EventSelectors)+len(t.AdvancedEventSelectors) > 0,
	}
}

func (e *Emulator) describeTrails(c *call, shadow bool) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	list := []map[string]any{}
	for _, t := range e.st.trails {
		if e.trailVisible(t, c.caller.AccountID, c.region, shadow) {
			list = append(list, trailJSON(t))
		}
	}
	c.okJSON(200, map[string]any{"trailList": list})
}

// withOwnTrail finds the caller's trail by name or ARN. A trail of another
// account, or asked for outside its home region, is TrailNotFoundException.
func (e *Emulator) withOwnTrail(c *call, name string, fn func(*call, *scenario.Trail)) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	if t := e.ownTrail(c, name); t != nil {
		fn(c, t)
	}
}

// ownTrail finds the trail or answers TrailNotFoundException; the state
// lock must be held.
func (e *Emulator) ownTrail(c *call, name string) *scenario.Trail {
	for _, t := range e.st.trails {
		if t.Account != c.caller.AccountID || t.HomeRegion != c.region {
			continue
		}
		if name == t.Name || name == t.ARN(t.Account) {
			return t
		}
	}
	c.fail(apiErr(400, "TrailNotFoundException", "Unknown trail: "+name+" for the user: "+c.caller.AccountID))
	return nil
}

// createTrail adds a trail, stopped as AWS creates it (StartLogging starts
// it). The log bucket must exist; an organization trail belongs to the
// management account.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
func (e *Emulator) createTrail(c *call, t *scenario.Trail, bucket string) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if e.st.buckets[bucket] == nil {
		c.fail(apiErr(400, "S3BucketDoesNotExistException", "S3 bucket "+bucket+" does not exist!"))
		return
	}
	if t.Organization && (e.st.org == nil || e.st.org.ManagementID != c.caller.AccountID) {
		c.fail(apiErr(400, "NotOrganizationMasterAccountException", "The account is not the management account of an organization."))
		return
	}
	for _, o := range e.st.trails {
		if o.Account == t.Account && o.HomeRegion == t.HomeRegion && o.Name == t.Name {
			c.fail(apiErr(400, "TrailAlreadyExistsException", "Trail "+t.Name+" already exists for customer: "+t.Account))
			return
		}
	}
	e.st.trails = append(e.st.trails, t)
	out := trailJSON(t)
	out["S3BucketName"] = bucket
	c.okJSON(200, out)
}

// withOwnTrailW is withOwnTrail under the write lock.
func (e *Emulator) withOwnTrailW(c *call, name string, fn func(*call, *scenario.Trail)) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if t := e.ownTrail(c, name); t != nil {
		fn(c, t)
	}
}

func (e *Emulator) trailStatus(c *call, t *scenario.Trail) {
	c.okJSON(200, map[string]any{"IsLogging": !t.Stopped})
}

func (e *Emulator) eventSelectors(c *call, t *scenario.Trail) {
	out := map[string]any{"TrailARN": t.ARN(t.Account)}
	if len(t.AdvancedEventSelectors) > 0 {
		var adv []map[string]any
		for _, a := range t.AdvancedEventSelectors {
			var fs []map[string]any
			for _, f := range a.FieldSelectors {
				m := map[string]any{"Field": f.Field}
				for k, v := range map[string][]string{"Equals": f.Equals, "StartsWith": f.StartsWith, "EndsWith": f.EndsWith,
					"NotEquals": f.NotEquals, "NotStartsWith": f.NotStartsWith, "NotEndsWith": f.NotEndsWith} {
					if len(v) > 0 {
						m[k] = v
					}
				}
				fs = append(fs, m)
			}
			adv = append(adv, map[string]any{"Name": a.Name, "FieldSelectors": fs})
		}
		out["AdvancedEventSelectors"] = adv
	} else {
		// A trail without selectors has the default: management events only.
		sels := []map[string]any{}
		if len(t.EventSelectors) == 0 {
			sels = append(sels, map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}})
		}
		for _, s := range t.EventSelectors {
			rw := s.ReadWriteType
			if rw == "" {
				rw = "All"
			}
			var drs []map[string]any
			for _, d := range s.DataResources {
				drs = append(drs, map[string]any{"Type": d.Type, "Values": d.Values})
			}
			sels = append(sels, map[string]any{"ReadWriteType": rw, "IncludeManagementEvents": true, "DataResources": drs})
		}
		out["EventSelectors"] = sels
	}
	c.okJSON(200, out)
}
