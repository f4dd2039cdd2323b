package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

func (e *Emulator) routeOrganizations(c *call) func() {
	target := c.r.Header.Get("X-Amz-Target")
	prefix, op, _ := strings.Cut(target, ".")
	c.op = op
	if prefix != "AWSOrganizationsV20161128" || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil
	}
	var in map[string]any
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return func() { c.fail(apiErr(400, "SerializationException", "request body is not JSON")) }
		}
	}
	str := func(k string) string { s, _ := in[k].(string); return s }
	switch op {
	case "DescribeOrganization":
		return func() { e.describeOrganization(c) }
	case "ListAccounts":
		return func() { e.listAccounts(c, str("NextToken"), in["MaxResults"]) }
	case "CreateOrganization":
		c.write = true
		return func() { e.createOrganization(c) }
	case "CreateAccount":
		c.write = true
		return func() { e.createAccount(c, str("AccountName"), str("Email"), str("RoleName")) }
	case "DescribeCreateAccountStatus":
		return func() { e.describeCreateAccountStatus(c, str("CreateAccountRequestId")) }
	case "RemoveAccountFromOrganization":
		c.write = true
		return func() { e.removeAccount(c, str("AccountId")) }
	}
	return nil
}

func (e *Emulator) orgJSON() map[string]any {
	mgmt := e.st.accounts[e.st.org.ManagementID]
	return map[string]any{
		"Id":                 e.st.org.ID,
		"Arn":                fmt.Sprintf("arn:aws:organizations::%s:organization/%s", mgmt.ID, e.st.org.ID),
		"FeatureSet":         "ALL",
		"MasterAccountArn":   fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", mgmt.ID, e.st.org.ID, mgmt.ID),
		"MasterAccountId":    mgmt.ID,
		"MasterAccountEmail": mgmt.Email,
		"AvailablePolicyTypes": []map[string]string{
			{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
		},
	}
}

// orgCaller checks the caller may read the organization: its management
// account. Members get AccessDeniedException ("You don't have permissions
// to access this resource."), accounts outside any organization
// AWSOrganizationsNotInUseException.
func (e *Emulator) orgCaller(c *call, managementOnly bool) bool {
	acct := e.st.accounts[c.caller.AccountID]
	if e.st.org == nil || acct == nil || !acct.Member {
		c.fail(apiErr(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."))
		return false
	}
	if managementOnly && c.caller.AccountID != e.st.org.ManagementID {
		c.fail(apiErr(400, "AccessDeniedException", "You don't have permissions to access this resource."))
		return false
	}
	return true
}

func (e *Emulator) describeOrganization(c *call) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	if !e.orgCaller(c, false) {
		return
	}
	c.okJSON(200, map[string]any{"Organization": e.orgJSON()})
}

func (e *Emulator) accountJSON(a *account) map[string]any {
	return map[string]any{
		"Id":              a.ID,
		"Arn":             fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", e.st.org.ManagementID, e.st.org.ID, a.ID),
		"Email":           a.Email,
		"Name":            a.Name,
		"Status":          a.Status,
		"State":           a.Status,
		"JoinedMethod":    map[bool]string{true: "INVITED", false: "CREATED"}[a.ID == e.st.org.ManagementID],
		"JoinedTimestamp": float64(a.Joined.Unix()),
	}
}

// listAccounts pages like AWS: at most 20 a page by default, NextToken
// opaque ("ListAccounts", AWS Organizations API Reference).
func (e *Emulator) listAccounts(c *call, token string, maxRaw any) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	if !e.orgCaller(c, true) {
		return
	}
	limit := 20
	if f, ok := maxRaw.(float64); ok {
		if f < 1 || f > 20 {
			c.fail(apiErr(400, "InvalidInputException", "MaxResults must be between 1 and 20"))
			return
		}
		limit = int(f)
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "hoofprint-page-"))
		if err != nil || n < 0 {
			c.fail(apiErr(400, "InvalidInputException", "invalid NextToken"))
			return
		}
		start = n
	}
	var members []*account
	for _, id := range e.st.accountIDs {
		if a := e.st.accounts[id]; a.Member {
			members = append(members, a)
		}
	}
	out := []map[string]any{}
	end := min(start+limit, len(members))
	for i := start; i < end; i++ {
		out = append(out, e.accountJSON(members[i]))
	}
	resp := map[string]any{"Accounts": out}
	if end < len(members) {
		resp["NextToken"] = fmt.Sprintf("hoofprint-page-%d", end)
	}
	c.okJSON(200, resp)
}

func (e *Emulator) createOrganization(c *call) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if acct := e.st.accounts[c.caller.AccountID]; e.st.org != nil && acct != nil && acct.Member {
		c.fail(apiErr(400, "AlreadyInOrganizationException", "The AWS account is already a member of an organization."))
		return
	}
	e.st.org = &organization{ID: "o-" + randHex(5), ManagementID: c.caller.AccountID}
	e.st.accounts[c.caller.AccountID].Member = true
	c.okJSON(200, map[string]any{"Organization": e.orgJSON()})
}

// createAccount creates a member account with the role Organizations
// creates in it (OrganizationAccountAccessRole unless RoleName), and
// succeeds at once.
func (e *Emulator) createAccount(c *call, name, email, role string) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if !e.orgCaller(c, true) {
		return
	}
	if name == "" || email == "" {
		c.fail(apiErr(400, "InvalidInputException", "AccountName and Email are required"))
		return
	}
	if role == "" {
		role = "OrganizationAccountAccessRole"
	}
	id := scenario.DeriveAccountID(e.st.org.ID, email)
	for e.st.accounts[id] != nil {
		n, _ := strconv.ParseInt(id, 10, 64)
		id = fmt.Sprintf("%012d", (n+1)%1_000_000_000_000)
	}
	e.st.addAccount(&account{ID: id, Name: name, Email: email, Member: true, Roles: map[string]bool{role: true}, Joined: time.Now().UTC()})
	reqID := "car-" + randHex(16)
	e.st.createReqs[reqID] = id
	c.okJSON(200, map[string]any{"CreateAccountStatus": e.createStatus(reqID)})
}

func (e *Emulator) createStatus(reqID string) map[string]any {
	a := e.st.accounts[e.st.createReqs[reqID]]
	return map[string]any{"Id": reqID, "AccountName": a.Name, "State": "SUCCEEDED", "AccountId": a.ID,
		"RequestedTimestamp": float64(a.Joined.Unix()), "CompletedTimestamp": float64(a.Joined.Unix())}
}

func (e *Emulator) describeCreateAccountStatus(c *call, reqID string) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	if !e.orgCaller(c, true) {
		return
	}
	if _, ok := e.st.createReqs[reqID]; !ok {
		c.fail(apiErr(400, "CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified."))
		return
	}
	c.okJSON(200, map[string]any{"CreateAccountStatus": e.createStatus(reqID)})
}

// removeAccount makes a member a standalone account; it keeps its roles, so
// it can still be reached (that is how a scenario builds accounts outside
// the organization through the API).
func (e *Emulator) removeAccount(c *call, id string) {
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	if !e.orgCaller(c, true) {
		return
	}
	a := e.st.accounts[id]
	if a == nil || !a.Member {
		c.fail(apiErr(400, "AccountNotFoundException", "You specified an account that doesn't exist."))
		return
	}
	if id == e.st.org.ManagementID {
		c.fail(apiErr(400, "ConstraintViolationException", "The management account cannot leave the organization."))
		return
	}
	a.Member = false
	c.okJSON(200, map[string]any{})
}
