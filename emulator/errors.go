package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// protocol is a wire protocol family; each shapes its errors differently.
type protocol int

const (
	protoS3         protocol = iota // <Error><Code>
	protoS3Control                  // <ErrorResponse><Error><Code>
	protoQuery                      // STS: <ErrorResponse><Error><Type><Code>
	protoJSON11                     // Organizations: {"__type": ...}
	protoRestJSON                   // Security Hub: X-Amzn-ErrorType + {"Code","Message"}
	protoCloudFront                 // <ErrorResponse><Error><Type><Code>
)

type apiError struct {
	status  int
	code    string
	message string
	headers map[string]string
	extra   []xmlField // extra S3 error fields (BucketName, Endpoint…)
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func apiErr(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg}
}

func accessDenied(what string) *apiError {
	return apiErr(http.StatusForbidden, "AccessDenied", what)
}

// fail writes err in the shape of the call's protocol, so the SDK
// classifies it by code (smithy.APIError.ErrorCode()).
func (c *call) fail(err *apiError) {
	c.status, c.errCode = err.status, err.code
	h := c.w.Header()
	h.Set("x-amz-request-id", c.reqID)
	h.Set("x-amzn-RequestId", c.reqID)
	for k, v := range err.headers {
		h.Set(k, v)
	}
	switch c.proto {
	case protoJSON11:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		c.w.WriteHeader(err.status)
		_, _ = c.w.Write(mustJSON(map[string]string{"__type": err.code, "Message": err.message}))
	case protoRestJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-ErrorType", err.code)
		c.w.WriteHeader(err.status)
		_, _ = c.w.Write(mustJSON(map[string]string{"Code": err.code, "Message": err.message}))
	case protoQuery, protoCloudFront, protoS3Control:
		typ := "Sender"
		if err.status >= 500 {
			typ = "Receiver"
		}
		h.Set("Content-Type", "text/xml")
		c.w.WriteHeader(err.status)
		type inner struct {
			Type    string `xml:"Type,omitempty"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		body := struct {
			XMLName   xml.Name `xml:"ErrorResponse"`
			Error     inner    `xml:"Error"`
			RequestID string   `xml:"RequestId"`
		}{Error: inner{Type: typ, Code: err.code, Message: err.message}, RequestID: c.reqID}
		if c.proto == protoS3Control {
			body.Error.Type = ""
		}
		writeXML(c.w, body)
	default:
		h.Set("Content-Type", "application/xml")
		c.w.WriteHeader(err.status)
		if c.r.Method == http.MethodHead {
			return // HEAD responses have no body; the SDK classifies by status
		}
		body := struct {
			XMLName   xml.Name   `xml:"Error"`
			Code      string     `xml:"Code"`
			Message   string     `xml:"Message"`
			Extra     []xmlField `xml:",any"`
			RequestID string     `xml:"RequestId"`
			HostID    string     `xml:"HostId"`
		}{Code: err.code, Message: err.message, Extra: err.extra, RequestID: c.reqID, HostID: "hoofprint-emulator"}
		writeXML(c.w, body)
	}
}

func writeXML(w http.ResponseWriter, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: marshal %T: %v", v, err))
	}
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// ok writes a successful XML response.
func (c *call) okXML(v any) {
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("x-amz-request-id", c.reqID)
	c.w.WriteHeader(http.StatusOK)
	if v != nil {
		writeXML(c.w, v)
	}
}

func (c *call) okJSON(status int, v any) {
	b := mustJSON(v)
	h := c.w.Header()
	if c.proto == protoJSON11 {
		h.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		h.Set("Content-Type", "application/json")
	}
	h.Set("x-amzn-RequestId", c.reqID)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

func (c *call) noContent(status int) {
	c.w.Header().Set("x-amz-request-id", c.reqID)
	c.w.WriteHeader(status)
}

func (c *call) unknownKey() *apiError {
	switch c.proto {
	case protoS3, protoS3Control:
		return apiErr(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	case protoJSON11, protoRestJSON:
		return apiErr(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	return apiErr(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func (c *call) badSignature() *apiError {
	switch c.proto {
	case protoJSON11, protoRestJSON:
		return apiErr(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
	}
	return apiErr(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
}

func (c *call) missingAuth() *apiError {
	switch c.proto {
	case protoJSON11, protoRestJSON:
		return apiErr(400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	return apiErr(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
}

// deniedFor is the protocol's AccessDenied code.
func (c *call) deniedFor(msg string) *apiError {
	switch c.proto {
	case protoJSON11, protoRestJSON:
		return apiErr(403, "AccessDeniedException", msg)
	}
	return accessDenied(msg)
}

// throttled is the protocol's throttling error: S3 answers 503 SlowDown,
// Organizations and Security Hub TooManyRequestsException, STS and
// CloudFront Throttling (the codes the SDK retry classifier knows).
func (c *call) throttled() *apiError {
	switch c.proto {
	case protoS3, protoS3Control:
		return apiErr(503, "SlowDown", "Please reduce your request rate.")
	case protoJSON11:
		return apiErr(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
	case protoRestJSON:
		return apiErr(429, "TooManyRequestsException", "Rate exceeded")
	}
	return apiErr(400, "Throttling", "Rate exceeded")
}

func (c *call) internalError() *apiError {
	switch c.proto {
	case protoJSON11:
		return apiErr(500, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.")
	case protoRestJSON:
		return apiErr(500, "InternalException", "Internal service error")
	case protoS3, protoS3Control:
		return apiErr(500, "InternalError", "We encountered an internal error. Please try again.")
	}
	return apiErr(500, "InternalFailure", "internal failure")
}
