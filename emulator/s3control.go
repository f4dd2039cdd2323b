package emulator

import (
	"net/http"
	"strings"
)

const s3ControlNS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// routeS3Control serves the account-level Block Public Access of S3 Control:
// /v20180820/configuration/publicAccessBlock with the account in the
// x-amz-account-id header ("GetPublicAccessBlock", S3 Control API Reference).
func (e *Emulator) routeS3Control(c *call) func() {
	if strings.TrimSuffix(c.r.URL.Path, "/") != "/v20180820/configuration/publicAccessBlock" {
		c.op = "Unknown"
		return nil
	}
	switch c.r.Method {
	case http.MethodGet:
		c.op = "GetPublicAccessBlock"
	case http.MethodPut:
		c.op, c.write = "PutPublicAccessBlock", true
	case http.MethodDelete:
		c.op, c.write = "DeletePublicAccessBlock", true
	default:
		c.op = "Unknown"
		return nil
	}
	return func() { e.accountPAB(c) }
}

func (e *Emulator) accountPAB(c *call) {
	id := c.r.Header.Get("x-amz-account-id")
	if c.caller == nil || c.caller.AccountID != id {
		// Another account's configuration cannot be read or changed.
		c.fail(accessDenied("Access Denied"))
		return
	}
	if c.write {
		e.st.mu.Lock()
		defer e.st.mu.Unlock()
	} else {
		e.st.mu.RLock()
		defer e.st.mu.RUnlock()
	}
	a := e.st.accounts[id]
	switch c.op {
	case "GetPublicAccessBlock":
		if a.PAB == nil {
			c.fail(apiErr(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"))
			return
		}
		c.okXML(toPABXML(a.PAB, s3ControlNS))
	case "PutPublicAccessBlock":
		p, err := parsePABXML(c.body)
		if err != nil {
			c.fail(apiErr(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."))
			return
		}
		a.PAB = p
		c.noContent(http.StatusOK)
	case "DeletePublicAccessBlock":
		a.PAB = nil
		c.noContent(http.StatusNoContent)
	}
}
