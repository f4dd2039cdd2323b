package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// services maps a signing name to the wire protocol its errors are written
// in and the router that names its operations.
var services = map[string]struct {
	proto protocol
	route func(*Emulator, *call) func()
}{
	"sts":           {protoQuery, (*Emulator).routeSTS},
	"iam":           {protoQuery, (*Emulator).routeIAM},
	"organizations": {protoJSON11, (*Emulator).routeOrganizations},
	"s3":            {protoS3, (*Emulator).routeS3},
	"s3control":     {protoS3Control, (*Emulator).routeS3Control},
	"cloudfront":    {protoCloudFront, (*Emulator).routeCloudFront},
	"securityhub":   {protoRestJSON, (*Emulator).routeSecurityHub},
	"cloudtrail":    {protoJSON11, (*Emulator).routeCloudTrail},
	"logs":          {protoJSON11, (*Emulator).routeLogs},
	"kms":           {protoJSON11, (*Emulator).routeKMS},
}

// route picks the handler for a request and names its operation.
func (e *Emulator) route(c *call) func() {
	s, ok := services[c.service]
	if !ok {
		c.proto = protoQuery
		c.op = "Unknown"
		return nil
	}
	c.proto = s.proto
	return s.route(e, c)
}

// queryAction reads a Query-protocol request (STS, IAM): a POSTed form
// whose Action names the operation. It sets c.op, "Unknown" when the
// request is not such a form.
func queryAction(c *call) (url.Values, bool) {
	form, err := url.ParseQuery(string(c.body))
	if err != nil || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil, false
	}
	c.op = form.Get("Action")
	return form, true
}

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func (e *Emulator) routeSTS(c *call) func() {
	form, ok := queryAction(c)
	if !ok {
		return nil
	}
	switch c.op {
	case "GetCallerIdentity":
		return func() { e.getCallerIdentity(c) }
	case "AssumeRole":
		return func() { e.assumeRole(c, form) }
	}
	return nil
}

func (e *Emulator) getCallerIdentity(c *call) {
	userID := c.caller.AccessKeyID
	if c.caller.RoleARN != "" {
		userID = "AROA" + strings.ToUpper(hex.EncodeToString([]byte(c.caller.RoleARN))[:16]) + ":" + c.caller.ARN[strings.LastIndex(c.caller.ARN, "/")+1:]
	}
	c.okXML(struct {
		XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
		NS        string   `xml:"xmlns,attr"`
		Arn       string   `xml:"GetCallerIdentityResult>Arn"`
		UserID    string   `xml:"GetCallerIdentityResult>UserId"`
		Account   string   `xml:"GetCallerIdentityResult>Account"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{NS: stsNS, Arn: c.caller.ARN, UserID: userID, Account: c.caller.AccountID, RequestID: c.reqID})
}

var (
	roleARNRE = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$`)
	// Name patterns from the AssumeRole and CreateRole API references.
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	roleNameRE    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// assumeRole hands out credentials that act as the role's account. The role
// must exist in the target account; AWS answers AccessDenied otherwise
// (the same answer as for a trust policy that does not trust the caller).
// Trust policies are not modelled: any known caller may assume an existing
// role.
func (e *Emulator) assumeRole(c *call, form url.Values) {
	roleARN, session := form.Get("RoleArn"), form.Get("RoleSessionName")
	m := roleARNRE.FindStringSubmatch(roleARN)
	if m == nil {
		c.fail(apiErr(400, "ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint"))
		return
	}
	if !sessionNameRE.MatchString(session) {
		c.fail(apiErr(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint"))
		return
	}
	acctID, role := m[1], m[2]
	c.target = acctID
	// A fault on the target account denies assuming into it.
	if e.faults.deniesAccount(acctID) {
		c.fail(accessDenied("fault injected: User: " + c.caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN))
		return
	}
	duration := time.Hour
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			c.fail(apiErr(400, "ValidationError", "DurationSeconds must be between 900 and 43200"))
			return
		}
		duration = time.Duration(n) * time.Second
	}
	e.st.mu.Lock()
	acct := e.st.accounts[acctID]
	if acct == nil || !acct.Roles[role] || acct.Status != "ACTIVE" {
		e.st.mu.Unlock()
		c.fail(accessDenied("User: " + c.caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN))
		return
	}
	cred := &credential{
		AccessKeyID: "ASIA" + strings.ToUpper(randHex(8)),
		Secret:      randHex(20),
		Token:       "FQoGZXIvYXdzE" + randHex(48),
		AccountID:   acctID,
		ARN:         "arn:aws:sts::" + acctID + ":assumed-role/" + role + "/" + session,
		RoleARN:     roleARN,
		Expires:     time.Now().Add(duration).UTC().Truncate(time.Second),
	}
	e.st.keys[cred.AccessKeyID] = cred
	e.st.mu.Unlock()
	type credsXML struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	c.okXML(struct {
		XMLName xml.Name `xml:"AssumeRoleResponse"`
		NS      string   `xml:"xmlns,attr"`
		Creds   credsXML `xml:"AssumeRoleResult>Credentials"`
		RoleID  string   `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
		Arn     string   `xml:"AssumeRoleResult>AssumedRoleUser>Arn"`
		ReqID   string   `xml:"ResponseMetadata>RequestId"`
	}{NS: stsNS, Creds: credsXML{cred.AccessKeyID, cred.Secret, cred.Token, cred.Expires.Format(time.RFC3339)},
		RoleID: "AROA" + strings.ToUpper(randHex(8)) + ":" + session, Arn: cred.ARN, ReqID: c.reqID})
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// routeIAM serves IAM CreateRole only: enough for a scenario to be built
// through the API with the roles its accounts need.
func (e *Emulator) routeIAM(c *call) func() {
	form, ok := queryAction(c)
	if !ok {
		return nil
	}
	if c.op != "CreateRole" {
		return nil
	}
	c.write = true
	return func() {
		name := form.Get("RoleName")
		if !roleNameRE.MatchString(name) {
			c.fail(apiErr(400, "ValidationError", "invalid RoleName"))
			return
		}
		e.st.mu.Lock()
		acct := e.st.accounts[c.caller.AccountID]
		exists := acct.Roles[name]
		acct.Roles[name] = true
		e.st.mu.Unlock()
		if exists {
			c.fail(apiErr(409, "EntityAlreadyExists", "Role with name "+name+" already exists."))
			return
		}
		arn := "arn:aws:iam::" + c.caller.AccountID + ":role/" + name
		c.okXML(struct {
			XMLName xml.Name `xml:"CreateRoleResponse"`
			NS      string   `xml:"xmlns,attr"`
			Path    string   `xml:"CreateRoleResult>Role>Path"`
			Name    string   `xml:"CreateRoleResult>Role>RoleName"`
			ID      string   `xml:"CreateRoleResult>Role>RoleId"`
			Arn     string   `xml:"CreateRoleResult>Role>Arn"`
			Created string   `xml:"CreateRoleResult>Role>CreateDate"`
			ReqID   string   `xml:"ResponseMetadata>RequestId"`
		}{NS: "https://iam.amazonaws.com/doc/2010-05-08/", Path: "/", Name: name, ID: "AROA" + strings.ToUpper(randHex(8)), Arn: arn,
			Created: time.Now().UTC().Format(time.RFC3339), ReqID: c.reqID})
	}
}
