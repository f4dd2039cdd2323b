package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// routeSecurityHub serves BatchImportFindings, BatchUpdateFindings and
// GetFindings (REST JSON).
func (e *Emulator) routeSecurityHub(c *call) func() {
	p := strings.TrimSuffix(c.r.URL.Path, "/")
	switch {
	case c.r.Method == http.MethodPost && p == "/findings/import":
		c.op, c.write = "BatchImportFindings", true
		return func() { e.batchImportFindings(c) }
	case c.r.Method == http.MethodPost && p == "/findings":
		c.op = "GetFindings"
		return func() { e.getFindings(c) }
	case c.r.Method == http.MethodPatch && p == "/findings/batchupdate":
		c.op, c.write = "BatchUpdateFindings", true
		return func() { e.batchUpdateFindings(c) }
	}
	c.op = "Unknown"
	return nil
}

// maxFindingBytes is Security Hub's limit per finding; a batch holds at
// most 100 findings ("BatchImportFindings", AWS Security Hub API Reference).
const maxFindingBytes = 240 * 1024

func (e *Emulator) hubEnabled(c *call) bool {
	if a := e.st.accounts[c.caller.AccountID]; a == nil || a.SecurityHubOff {
		c.fail(apiErr(401, "InvalidAccessException", fmt.Sprintf("Account %s is not subscribed to AWS Security Hub", c.caller.AccountID)))
		return false
	}
	return true
}

// batchImportFindings validates each finding as Security Hub does (the
// required ASFF attributes; the default product ARN of this account and
// region; AwsAccountId the caller's own) and reports the rejected ones in
// FailedFindings. A finding with an existing ProductArn+Id updates in
// place, keeping CreatedAt, FirstObservedAt and the customer-controlled
// Workflow, Note, UserDefinedFields and VerificationState, which only
// BatchUpdateFindings may change ("Using BatchImportFindings to create and
// update findings", AWS Security Hub User Guide).
func (e *Emulator) batchImportFindings(c *call) {
	var in struct {
		Findings []json.RawMessage `json:"Findings"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(apiErr(400, "InvalidInputException", "request body is not JSON"))
		return
	}
	if len(in.Findings) == 0 || len(in.Findings) > 100 {
		c.fail(apiErr(400, "InvalidInputException", "Findings must contain between 1 and 100 findings"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if !e.hubEnabled(c) {
		return
	}
	scope := c.caller.AccountID + "/" + c.region
	store := e.st.findings[scope]
	if store == nil {
		store = map[string]map[string]any{}
		e.st.findings[scope] = store
	}
	type failed struct {
		ID           string `json:"Id"`
		ErrorCode    string `json:"ErrorCode"`
		ErrorMessage string `json:"ErrorMessage"`
	}
	failures := []failed{}
	ok := 0
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for _, raw := range in.Findings {
		var f map[string]any
		if err := json.Unmarshal(raw, &f); err != nil {
			failures = append(failures, failed{"", "InvalidInput", "finding is not a JSON object"})
			continue
		}
		id, _ := f["Id"].(string)
		if msg := e.validateFinding(c, f, len(raw)); msg != "" {
			failures = append(failures, failed{id, "InvalidInput", msg})
			continue
		}
		key := f["ProductArn"].(string) + "|" + id
		if old, exists := store[key]; exists && olderUpdate(f, old) {
			// "If UpdatedAt on the update occurs before UpdatedAt on the
			// existing finding, then the update is ignored": accepted, not
			// applied.
			ok++
			continue
		}
		if old, exists := store[key]; exists {
			// What the provider sent for these is ignored, whatever the old
			// record holds ("Any content in those fields and objects is
			// ignored").
			for _, k := range []string{"CreatedAt", "FirstObservedAt", "Workflow", "WorkflowState", "Note", "UserDefinedFields", "VerificationState"} {
				if v, ok := old[k]; ok {
					f[k] = v
				} else {
					delete(f, k)
				}
			}
			if reopened(old, f) {
				// Security Hub sets NOTIFIED and RESOLVED back to NEW when a
				// finding comes back (API_Workflow, "NEW").
				if w, _ := old["Workflow"].(map[string]any); w["Status"] == "NOTIFIED" || w["Status"] == "RESOLVED" {
					f["Workflow"] = map[string]any{"Status": "NEW"}
					f["WorkflowState"] = "NEW"
				}
			}
		} else {
			// A provider may set Workflow (and Note) when it creates a
			// finding; an accepted risk is imported SUPPRESSED this way.
			w, _ := f["Workflow"].(map[string]any)
			status, _ := w["Status"].(string)
			if status == "" {
				status = "NEW"
			}
			if !validWorkflow[status] {
				failures = append(failures, failed{id, "InvalidInput", "Workflow.Status must be one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"})
				continue
			}
			e.st.findOrder[scope] = append(e.st.findOrder[scope], key)
			f["Workflow"] = map[string]any{"Status": status}
			f["WorkflowState"] = status
		}
		if _, ok := f["RecordState"]; !ok {
			f["RecordState"] = "ACTIVE"
		}
		f["Region"] = c.region
		f["ProcessedAt"] = now
		f["CompanyName"], f["ProductName"] = "Personal", "Default"
		store[key] = f
		ok++
	}
	c.okJSON(200, map[string]any{"FailedCount": len(failures), "SuccessCount": ok, "FailedFindings": failures})
}

// olderUpdate is true when f's UpdatedAt is before old's.
func olderUpdate(f, old map[string]any) bool {
	a, _ := f["UpdatedAt"].(string)
	b, _ := old["UpdatedAt"].(string)
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	return errA == nil && errB == nil && ta.Before(tb)
}

// reopened is true when an update brings a finding back: its RecordState
// goes from ARCHIVED to ACTIVE, or its compliance from PASSED to anything
// else.
func reopened(old, f map[string]any) bool {
	state := func(m map[string]any) string {
		if s, ok := m["RecordState"].(string); ok {
			return s
		}
		return "ACTIVE"
	}
	compliance := func(m map[string]any) string {
		c, _ := m["Compliance"].(map[string]any)
		s, _ := c["Status"].(string)
		return s
	}
	return (state(old) == "ARCHIVED" && state(f) == "ACTIVE") ||
		(compliance(old) == "PASSED" && compliance(f) != "" && compliance(f) != "PASSED")
}

var validWorkflow = map[string]bool{"NEW": true, "NOTIFIED": true, "RESOLVED": true, "SUPPRESSED": true}

// batchUpdateFindings is the customer's side of a finding: it changes
// Workflow and Note of findings in the caller's own account (a member
// account can update only its own findings; "BatchUpdateFindings", AWS
// Security Hub API Reference). Unknown findings come back in
// UnprocessedFindings. UpdatedAt is not changed, as on AWS.
func (e *Emulator) batchUpdateFindings(c *call) {
	type ident struct {
		ID         string `json:"Id"`
		ProductArn string `json:"ProductArn"`
	}
	var in struct {
		FindingIdentifiers []ident `json:"FindingIdentifiers"`
		Workflow           *struct {
			Status string `json:"Status"`
		} `json:"Workflow"`
		Note *struct {
			Text      string `json:"Text"`
			UpdatedBy string `json:"UpdatedBy"`
		} `json:"Note"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(apiErr(400, "InvalidInputException", "request body is not JSON"))
		return
	}
	switch {
	case len(in.FindingIdentifiers) == 0 || len(in.FindingIdentifiers) > 100:
		c.fail(apiErr(400, "InvalidInputException", "FindingIdentifiers must contain between 1 and 100 findings"))
		return
	case in.Workflow != nil && !validWorkflow[in.Workflow.Status]:
		c.fail(apiErr(400, "InvalidInputException", "Workflow.Status must be one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"))
		return
	case in.Note != nil && (in.Note.Text == "" || in.Note.UpdatedBy == "" || len(in.Note.Text) > 512 || len(in.Note.UpdatedBy) > 512):
		c.fail(apiErr(400, "InvalidInputException", "Note needs Text and UpdatedBy of 1 to 512 characters"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if !e.hubEnabled(c) {
		return
	}
	type unprocessed struct {
		FindingIdentifier ident  `json:"FindingIdentifier"`
		ErrorCode         string `json:"ErrorCode"`
		ErrorMessage      string `json:"ErrorMessage"`
	}
	processed, failedOnes := []ident{}, []unprocessed{}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for _, id := range in.FindingIdentifiers {
		f := e.st.findings[c.caller.AccountID+"/"+c.region][id.ProductArn+"|"+id.ID]
		if f == nil {
			failedOnes = append(failedOnes, unprocessed{id, "FindingNotFound", "Finding not found"})
			continue
		}
		if in.Workflow != nil {
			f["Workflow"] = map[string]any{"Status": in.Workflow.Status}
			f["WorkflowState"] = in.Workflow.Status
		}
		if in.Note != nil {
			f["Note"] = map[string]any{"Text": in.Note.Text, "UpdatedBy": in.Note.UpdatedBy, "UpdatedAt": now}
		}
		processed = append(processed, id)
	}
	c.okJSON(200, map[string]any{"ProcessedFindings": processed, "UnprocessedFindings": failedOnes})
}

func (e *Emulator) validateFinding(c *call, f map[string]any, size int) string {
	if size > maxFindingBytes {
		return "finding exceeds 240 KB"
	}
	var missing []string
	for _, k := range []string{"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "SchemaVersion", "Title", "UpdatedAt"} {
		if s, _ := f[k].(string); s == "" {
			missing = append(missing, k)
		}
	}
	if rs, _ := f["Resources"].([]any); len(rs) == 0 {
		missing = append(missing, "Resources")
	} else {
		for _, r := range rs {
			m, _ := r.(map[string]any)
			if s, _ := m["Id"].(string); s == "" {
				missing = append(missing, "Resources[].Id")
			}
			if s, _ := m["Type"].(string); s == "" {
				missing = append(missing, "Resources[].Type")
			}
		}
	}
	if ts, _ := f["Types"].([]any); len(ts) == 0 {
		missing = append(missing, "Types")
	}
	sev, _ := f["Severity"].(map[string]any)
	if sev == nil || (sev["Label"] == nil && sev["Normalized"] == nil) {
		missing = append(missing, "Severity.Label")
	}
	if len(missing) > 0 {
		return "missing required attributes: " + strings.Join(missing, ", ")
	}
	if f["SchemaVersion"] != "2018-10-08" {
		return "SchemaVersion must be 2018-10-08"
	}
	for _, k := range []string{"CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"} {
		if s, ok := f[k].(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return k + " is not an ISO 8601 timestamp"
			}
		}
	}
	want := fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", c.region, c.caller.AccountID, c.caller.AccountID)
	if f["ProductArn"] != want {
		return fmt.Sprintf("ProductArn must be %s for findings imported by this account in %s", want, c.region)
	}
	if f["AwsAccountId"] != c.caller.AccountID {
		return "AwsAccountId must be the importing account for the default product"
	}
	return ""
}

// findingField reads the value a GetFindings filter key compares.
func findingField(f map[string]any, key string) []string {
	str := func(v any) []string {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	sub := func(obj, k string) []string {
		m, _ := f[obj].(map[string]any)
		return str(m[k])
	}
	switch key {
	case "ProductArn", "GeneratorId", "Id", "RecordState", "AwsAccountId", "Title", "Region", "ProductName", "CompanyName":
		return str(f[key])
	case "ComplianceStatus":
		return sub("Compliance", "Status")
	case "WorkflowStatus":
		return sub("Workflow", "Status")
	case "SeverityLabel":
		return sub("Severity", "Label")
	case "ResourceId", "ResourceType":
		var out []string
		rs, _ := f["Resources"].([]any)
		for _, r := range rs {
			m, _ := r.(map[string]any)
			out = append(out, str(m[strings.TrimPrefix(key, "Resource")])...)
		}
		return out
	}
	return nil
}

var supportedFilters = map[string]bool{"ProductArn": true, "GeneratorId": true, "Id": true, "RecordState": true, "AwsAccountId": true,
	"Title": true, "Region": true, "ProductName": true, "CompanyName": true, "ComplianceStatus": true, "WorkflowStatus": true,
	"SeverityLabel": true, "ResourceId": true, "ResourceType": true}

type stringFilter struct {
	Value      string `json:"Value"`
	Comparison string `json:"Comparison"`
}

// matches applies AWS's combination rule: EQUALS/PREFIX/CONTAINS filters on
// one field are ORed, NOT_* filters ANDed ("StringFilter", AWS Security
// Hub API Reference).
func matches(vals []string, fs []stringFilter) bool {
	anyPositive, positiveHit := false, false
	for _, flt := range fs {
		hit := false
		for _, v := range vals {
			switch strings.TrimPrefix(strings.TrimPrefix(flt.Comparison, "NOT_"), "PREFIX_NOT_") {
			case "EQUALS":
				hit = hit || v == flt.Value
			case "PREFIX":
				hit = hit || strings.HasPrefix(v, flt.Value)
			case "CONTAINS":
				hit = hit || strings.Contains(v, flt.Value)
			}
		}
		if flt.Comparison == "PREFIX_NOT_EQUALS" {
			hit = false
			for _, v := range vals {
				hit = hit || strings.HasPrefix(v, flt.Value)
			}
		}
		if strings.HasPrefix(flt.Comparison, "NOT_") || flt.Comparison == "PREFIX_NOT_EQUALS" {
			if hit {
				return false
			}
			continue
		}
		anyPositive = true
		positiveHit = positiveHit || hit
	}
	return !anyPositive || positiveHit
}

func (e *Emulator) getFindings(c *call) {
	var in struct {
		Filters    map[string][]stringFilter `json:"Filters"`
		MaxResults int                       `json:"MaxResults"`
		NextToken  string                    `json:"NextToken"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			c.fail(apiErr(400, "InvalidInputException", "request body is not JSON, or a filter is not a StringFilter list"))
			return
		}
	}
	for k, fs := range in.Filters {
		if !supportedFilters[k] {
			c.fail(apiErr(400, "InvalidInputException", "the emulator does not support the GetFindings filter "+k))
			return
		}
		for _, f := range fs {
			switch f.Comparison {
			case "EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS":
			default:
				c.fail(apiErr(400, "InvalidInputException", "invalid Comparison "+f.Comparison))
				return
			}
		}
	}
	if in.MaxResults == 0 {
		in.MaxResults = 100
	}
	if in.MaxResults < 1 || in.MaxResults > 100 {
		c.fail(apiErr(400, "InvalidInputException", "MaxResults must be between 1 and 100"))
		return
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "hoofprint-"))
		if err != nil || n < 0 {
			c.fail(apiErr(400, "InvalidInputException", "invalid NextToken"))
			return
		}
		start = n
	}
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	if !e.hubEnabled(c) {
		return
	}
	scope := c.caller.AccountID + "/" + c.region
	out := []map[string]any{}
	next := ""
	order := e.st.findOrder[scope]
	i := start
	for ; i < len(order); i++ {
		f := e.st.findings[scope][order[i]]
		ok := true
		for k, fs := range in.Filters {
			if !matches(findingField(f, k), fs) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if len(out) == in.MaxResults {
			next = fmt.Sprintf("hoofprint-%d", i)
			break
		}
		out = append(out, f)
	}
	resp := map[string]any{"Findings": out}
	if next != "" {
		resp["NextToken"] = next
	}
	c.okJSON(200, resp)
}

// Findings returns the Security Hub findings stored for an account and
// region (as imported, plus the fields Security Hub adds), for tests.
func (e *Emulator) Findings(accountID, region string) []map[string]any {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	scope := accountID + "/" + region
	var out []map[string]any
	for _, k := range e.st.findOrder[scope] {
		var cp map[string]any
		_ = json.Unmarshal(mustJSON(e.st.findings[scope][k]), &cp)
		out = append(out, cp)
	}
	return out
}
