package emulator

import (
	"encoding/xml"
	"net/http"
)

// versioningXML is GetBucketVersioning's answer: neither element for a
// bucket that was never versioned.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
type versioningXML struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	NS        string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

func (e *Emulator) getVersioning(c *call) {
	e.withOwnedBucket(c, func(b *bucket) {
		out := versioningXML{NS: s3NS, Status: b.Versioning}
		switch {
		case b.MFADelete:
			out.MfaDelete = "Enabled"
		case b.Versioning != "":
			out.MfaDelete = "Disabled"
		}
		c.okXML(out)
	})
}

// putVersioning enables or suspends versioning. Changing MFA delete needs
// the root user's MFA (x-amz-mfa), which the emulator does not model, and
// a bucket with Object Lock cannot be suspended.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
func (e *Emulator) putVersioning(c *call) {
	var in versioningXML
	if err := xml.Unmarshal(c.body, &in); err != nil || (in.Status != "Enabled" && in.Status != "Suspended") {
		c.fail(apiErr(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."))
		return
	}
	e.withOwnedBucket(c, func(b *bucket) {
		if in.MfaDelete != "" && (in.MfaDelete == "Enabled") != b.MFADelete && c.r.Header.Get("x-amz-mfa") == "" {
			c.fail(apiErr(400, "InvalidRequest", "Missing required header for this request: x-amz-mfa"))
			return
		}
		if in.Status == "Suspended" && b.ObjectLock != nil {
			c.fail(apiErr(409, "InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."))
			return
		}
		b.Versioning = in.Status
		c.noContent(http.StatusOK)
	})
}

// getObjectLock answers ObjectLockConfigurationNotFoundError for a bucket
// created without Object Lock.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
func (e *Emulator) getObjectLock(c *call) {
	e.withOwnedBucket(c, func(b *bucket) {
		if b.ObjectLock == nil {
			c.fail(apiErr(404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"))
			return
		}
		type retention struct {
			Mode string `xml:"Mode"`
			Days int    `xml:"Days"`
		}
		out := struct {
			XMLName xml.Name `xml:"ObjectLockConfiguration"`
			NS      string   `xml:"xmlns,attr"`
			Enabled string   `xml:"ObjectLockEnabled"`
			Rule    *struct {
				DefaultRetention retention `xml:"DefaultRetention"`
			} `xml:"Rule,omitempty"`
		}{NS: s3NS, Enabled: "Enabled"}
		if b.ObjectLock.Mode != "" {
			out.Rule = &struct {
				DefaultRetention retention `xml:"DefaultRetention"`
			}{retention{b.ObjectLock.Mode, b.ObjectLock.Days}}
		}
		c.okXML(out)
	})
}
