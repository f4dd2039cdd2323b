package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

const cfNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

const oaiPathPrefix = "origin-access-identity/cloudfront/"

// routeCloudFront serves the CloudFront 2020-05-31 REST API calls hoofprint
// reads, and the creates a scenario needs.
func (e *Emulator) routeCloudFront(c *call) func() {
	p := strings.TrimSuffix(c.r.URL.Path, "/")
	q := c.r.URL.Query()
	get, post := c.r.Method == http.MethodGet, c.r.Method == http.MethodPost
	switch {
	case p == "/2020-05-31/distribution" && get:
		c.op = "ListDistributions"
		return func() { e.listDistributions(c, q) }
	case p == "/2020-05-31/distribution" && post:
		c.op, c.write = "CreateDistribution", true
		return func() { e.createDistribution(c) }
	case strings.HasPrefix(p, "/2020-05-31/distribution/") && get && !strings.Contains(strings.TrimPrefix(p, "/2020-05-31/distribution/"), "/"):
		c.op = "GetDistribution"
		return func() { e.getDistribution(c, strings.TrimPrefix(p, "/2020-05-31/distribution/")) }
	case strings.HasPrefix(p, "/2020-05-31/distribution/") && strings.HasSuffix(p, "/config") && get:
		c.op = "GetDistributionConfig"
		return func() {
			e.getDistribution(c, strings.TrimSuffix(strings.TrimPrefix(p, "/2020-05-31/distribution/"), "/config"))
		}
	case p == "/2020-05-31/origin-access-identity/cloudfront" && get:
		c.op = "ListCloudFrontOriginAccessIdentities"
		return func() { e.listOAIs(c, q) }
	case p == "/2020-05-31/origin-access-identity/cloudfront" && post:
		c.op, c.write = "CreateCloudFrontOriginAccessIdentity", true
		return func() { e.createOAI(c) }
	case p == "/2020-05-31/origin-access-control" && get:
		c.op = "ListOriginAccessControls"
		return func() { e.listOACs(c, q) }
	case p == "/2020-05-31/origin-access-control" && post:
		c.op, c.write = "CreateOriginAccessControl", true
		return func() { e.createOAC(c) }
	}
	c.op = "Unknown"
	return nil
}

// callerIDs lists in order the IDs of the caller's account's items in one
// of the state's maps: CloudFront lists only the calling account's
// distributions, OAIs and OACs. The state lock must be held.
func callerIDs[V any](c *call, items map[string]V, account func(V) string) []string {
	var ids []string
	for id, v := range items {
		if account(v) == c.caller.AccountID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// page applies Marker/MaxItems paging over sorted IDs and returns the page
// of IDs with the list head that goes with it; MaxItems echoes the request
// (100 when not given) as the CloudFront list calls do.
func (c *call) page(q url.Values, ids []string) (pageIDs []string, head listHead, ok bool) {
	head = listHead{Marker: q.Get("Marker"), MaxItems: 100}
	maxItems := 100
	if m := q.Get("MaxItems"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			c.fail(apiErr(400, "InvalidArgument", "MaxItems must be a positive integer"))
			return nil, listHead{}, false
		}
		head.MaxItems, maxItems = n, min(n, 1000)
	}
	start := 0
	if m := head.Marker; m != "" {
		start = sort.SearchStrings(ids, m)
		if start < len(ids) && ids[start] == m {
			start++
		}
	}
	end := min(start+maxItems, len(ids))
	if end < len(ids) {
		head.NextMarker, head.IsTruncated = ids[end-1], true
	}
	head.Quantity = end - start
	return ids[start:end], head, true
}

// listPage is one page of the caller's items in one of the state's maps,
// as the list call's summaries, with the list head. The state lock must be
// held.
func listPage[V, S any](c *call, q url.Values, items map[string]V, account func(V) string, summary func(V) S) ([]S, listHead, bool) {
	ids, head, ok := c.page(q, callerIDs(c, items, account))
	if !ok {
		return nil, listHead{}, false
	}
	var out []S
	for _, id := range ids {
		out = append(out, summary(items[id]))
	}
	return out, head, true
}

// createdXML answers a CloudFront create: 201 with the new resource's
// Location and ETag, and the resource in the body.
func (c *call) createdXML(location string, v any) {
	c.w.Header().Set("Location", location)
	c.w.Header().Set("ETag", "E"+strings.ToUpper(randHex(6)))
	c.w.Header().Set("Content-Type", "text/xml")
	c.w.WriteHeader(http.StatusCreated)
	writeXML(c.w, v)
}

type listHead struct {
	Marker      string `xml:"Marker"`
	NextMarker  string `xml:"NextMarker,omitempty"`
	MaxItems    int    `xml:"MaxItems"`
	IsTruncated bool   `xml:"IsTruncated"`
	Quantity    int    `xml:"Quantity"`
}

type aliasesXML struct {
	Quantity int      `xml:"Quantity"`
	Items    []string `xml:"Items>CNAME"`
}

type originXML struct {
	ID            string `xml:"Id"`
	DomainName    string `xml:"DomainName"`
	OriginPath    string `xml:"OriginPath"`
	CustomHeaders struct {
		Quantity int `xml:"Quantity"`
	} `xml:"CustomHeaders"`
	S3OriginConfig *struct {
		OriginAccessIdentity string `xml:"OriginAccessIdentity"`
	} `xml:"S3OriginConfig,omitempty"`
	CustomOriginConfig *struct {
		HTTPPort             int    `xml:"HTTPPort"`
		HTTPSPort            int    `xml:"HTTPSPort"`
		OriginProtocolPolicy string `xml:"OriginProtocolPolicy"`
	} `xml:"CustomOriginConfig,omitempty"`
	ConnectionAttempts    int    `xml:"ConnectionAttempts"`
	ConnectionTimeout     int    `xml:"ConnectionTimeout"`
	OriginAccessControlID string `xml:"OriginAccessControlId"`
}

type behaviorXML struct {
	PathPattern          string `xml:"PathPattern,omitempty"`
	TargetOriginID       string `xml:"TargetOriginId"`
	ViewerProtocolPolicy string `xml:"ViewerProtocolPolicy"`
	TrustedSigners       struct {
		Enabled  bool `xml:"Enabled"`
		Quantity int  `xml:"Quantity"`
	} `xml:"TrustedSigners"`
	Compress      bool   `xml:"Compress"`
	CachePolicyID string `xml:"CachePolicyId,omitempty"`
}

type distributionSummaryXML struct {
	ID               string     `xml:"Id"`
	ARN              string     `xml:"ARN"`
	Status           string     `xml:"Status"`
	LastModifiedTime string     `xml:"LastModifiedTime"`
	DomainName       string     `xml:"DomainName"`
	Aliases          aliasesXML `xml:"Aliases"`
	Origins          struct {
		Quantity int         `xml:"Quantity"`
		Items    []originXML `xml:"Items>Origin"`
	} `xml:"Origins"`
	DefaultCacheBehavior behaviorXML `xml:"DefaultCacheBehavior"`
	CacheBehaviors       struct {
		Quantity int           `xml:"Quantity"`
		Items    []behaviorXML `xml:"Items>CacheBehavior"`
	} `xml:"CacheBehaviors"`
	CustomErrorResponses struct {
		Quantity int `xml:"Quantity"`
	} `xml:"CustomErrorResponses"`
	Comment           string        `xml:"Comment"`
	PriceClass        string        `xml:"PriceClass"`
	Enabled           bool          `xml:"Enabled"`
	ViewerCertificate viewerCertXML `xml:"ViewerCertificate"`
	Restrictions      struct {
		GeoRestriction struct {
			RestrictionType string `xml:"RestrictionType"`
			Quantity        int    `xml:"Quantity"`
		} `xml:"GeoRestriction"`
	} `xml:"Restrictions"`
	WebACLID      string `xml:"WebACLId"`
	HTTPVersion   string `xml:"HttpVersion"`
	IsIPV6Enabled bool   `xml:"IsIPV6Enabled"`
	Staging       bool   `xml:"Staging"`
}

// viewerCertXML is a ViewerCertificate. With the default *.cloudfront.net
// certificate CloudFront reports TLSv1 and vip whatever was asked.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html
type viewerCertXML struct {
	CloudFrontDefaultCertificate bool   `xml:"CloudFrontDefaultCertificate"`
	ACMCertificateArn            string `xml:"ACMCertificateArn,omitempty"`
	SSLSupportMethod             string `xml:"SSLSupportMethod"`
	MinimumProtocolVersion       string `xml:"MinimumProtocolVersion"`
	Certificate                  string `xml:"Certificate,omitempty"`
	CertificateSource            string `xml:"CertificateSource"`
}

func viewerCert(d *distribution) viewerCertXML {
	if d.MinimumProtocolVersion == "" {
		return viewerCertXML{CloudFrontDefaultCertificate: true, SSLSupportMethod: "vip", MinimumProtocolVersion: "TLSv1", CertificateSource: "cloudfront"}
	}
	arn := fmt.Sprintf("arn:aws:acm:us-east-1:%s:certificate/%s", d.Account, strings.ToLower(d.ID))
	return viewerCertXML{ACMCertificateArn: arn, SSLSupportMethod: "sni-only", MinimumProtocolVersion: d.MinimumProtocolVersion,
		Certificate: arn, CertificateSource: "acm"}
}

// loggingXML is DistributionConfig.Logging: legacy standard logging.
type cfLoggingXML struct {
	Enabled        bool   `xml:"Enabled"`
	IncludeCookies bool   `xml:"IncludeCookies"`
	Bucket         string `xml:"Bucket"`
	Prefix         string `xml:"Prefix"`
}

func behaviorOut(b scenario.Behavior) behaviorXML {
	out := behaviorXML{PathPattern: b.PathPattern, TargetOriginID: b.TargetOrigin, ViewerProtocolPolicy: b.ViewerProtocol, Compress: true,
		CachePolicyID: "658327ea-f89d-4fab-a63d-7e88639e58f6"} // the managed CachingOptimized policy
	return out
}

func (e *Emulator) distributionXML(d *distribution) distributionSummaryXML {
	s := distributionSummaryXML{ID: d.ID, ARN: fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", d.Account, d.ID), Status: "Deployed",
		LastModifiedTime: d.Modified.UTC().Format(s3Time), DomainName: d.Domain, Comment: d.Comment, PriceClass: "PriceClass_All",
		Enabled: d.Enabled, HTTPVersion: "http2", IsIPV6Enabled: true}
	s.Aliases = aliasesXML{Quantity: len(d.Aliases), Items: d.Aliases}
	s.ViewerCertificate = viewerCert(d)
	s.Restrictions.GeoRestriction.RestrictionType = "none"
	for _, o := range d.Origins {
		ox := originXML{ID: o.ID, DomainName: o.Domain, OriginPath: o.Path, ConnectionAttempts: 3, ConnectionTimeout: 10, OriginAccessControlID: o.OAC}
		if o.Custom {
			ox.CustomOriginConfig = &struct {
				HTTPPort             int    `xml:"HTTPPort"`
				HTTPSPort            int    `xml:"HTTPSPort"`
				OriginProtocolPolicy string `xml:"OriginProtocolPolicy"`
			}{80, 443, "http-only"}
		} else {
			ox.S3OriginConfig = &struct {
				OriginAccessIdentity string `xml:"OriginAccessIdentity"`
			}{}
			if o.OAI != "" {
				ox.S3OriginConfig.OriginAccessIdentity = oaiPathPrefix + o.OAI
			}
		}
		s.Origins.Items = append(s.Origins.Items, ox)
	}
	s.Origins.Quantity = len(d.Origins)
	s.DefaultCacheBehavior = behaviorOut(d.Default)
	s.DefaultCacheBehavior.PathPattern = ""
	for _, b := range d.Behaviors {
		s.CacheBehaviors.Items = append(s.CacheBehaviors.Items, behaviorOut(b))
	}
	s.CacheBehaviors.Quantity = len(d.Behaviors)
	return s
}

func (e *Emulator) listDistributions(c *call, q url.Values) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	items, head, ok := listPage(c, q, e.st.dists, func(d *distribution) string { return d.Account }, e.distributionXML)
	if !ok {
		return
	}
	c.okXML(struct {
		XMLName xml.Name `xml:"DistributionList"`
		NS      string   `xml:"xmlns,attr"`
		listHead
		Items []distributionSummaryXML `xml:"Items>DistributionSummary"`
	}{NS: cfNS, listHead: head, Items: items})
}

func (e *Emulator) getDistribution(c *call, id string) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	d := e.st.dists[id]
	if d == nil || d.Account != c.caller.AccountID {
		c.fail(apiErr(404, "NoSuchDistribution", "The specified distribution does not exist."))
		return
	}
	s := e.distributionXML(d)
	type config struct {
		CallerReference      string        `xml:"CallerReference"`
		Aliases              aliasesXML    `xml:"Aliases"`
		DefaultRootObject    string        `xml:"DefaultRootObject"`
		Origins              any           `xml:"Origins"`
		DefaultCacheBehavior any           `xml:"DefaultCacheBehavior"`
		CacheBehaviors       any           `xml:"CacheBehaviors"`
		Comment              string        `xml:"Comment"`
		Logging              cfLoggingXML  `xml:"Logging"`
		Enabled              bool          `xml:"Enabled"`
		ViewerCertificate    viewerCertXML `xml:"ViewerCertificate"`
	}
	c.w.Header().Set("ETag", "E"+strings.ToUpper(randHex(6)))
	cfg := config{CallerReference: d.ID, Aliases: s.Aliases, DefaultRootObject: "index.html", Origins: s.Origins,
		DefaultCacheBehavior: s.DefaultCacheBehavior, CacheBehaviors: s.CacheBehaviors, Comment: s.Comment, Enabled: s.Enabled,
		ViewerCertificate: s.ViewerCertificate}
	if l := d.Logging; l != nil {
		// CloudFront stores the bucket as its S3 domain name.
		cfg.Logging = cfLoggingXML{Enabled: true, Bucket: l.Bucket + ".s3.amazonaws.com", Prefix: l.Prefix}
	}
	if c.op == "GetDistributionConfig" {
		c.okXML(struct {
			XMLName xml.Name `xml:"DistributionConfig"`
			NS      string   `xml:"xmlns,attr"`
			config
		}{NS: cfNS, config: cfg})
		return
	}
	c.okXML(struct {
		XMLName          xml.Name `xml:"Distribution"`
		NS               string   `xml:"xmlns,attr"`
		ID               string   `xml:"Id"`
		ARN              string   `xml:"ARN"`
		Status           string   `xml:"Status"`
		LastModifiedTime string   `xml:"LastModifiedTime"`
		DomainName       string   `xml:"DomainName"`
		Config           config   `xml:"DistributionConfig"`
	}{NS: cfNS, ID: s.ID, ARN: s.ARN, Status: s.Status, LastModifiedTime: s.LastModifiedTime, DomainName: s.DomainName,
		Config: cfg})
}

func (e *Emulator) createDistribution(c *call) {
	var in struct {
		CallerReference string     `xml:"CallerReference"`
		Aliases         aliasesXML `xml:"Aliases"`
		Origins         struct {
			Items []struct {
				ID             string `xml:"Id"`
				DomainName     string `xml:"DomainName"`
				OriginPath     string `xml:"OriginPath"`
				S3OriginConfig *struct {
					OriginAccessIdentity string `xml:"OriginAccessIdentity"`
				} `xml:"S3OriginConfig"`
				CustomOriginConfig    *struct{} `xml:"CustomOriginConfig"`
				OriginAccessControlID string    `xml:"OriginAccessControlId"`
			} `xml:"Items>Origin"`
		} `xml:"Origins"`
		Default   behaviorXML `xml:"DefaultCacheBehavior"`
		Behaviors struct {
			Items []behaviorXML `xml:"Items>CacheBehavior"`
		} `xml:"CacheBehaviors"`
		Comment           string         `xml:"Comment"`
		Enabled           bool           `xml:"Enabled"`
		Logging           *cfLoggingXML  `xml:"Logging"`
		ViewerCertificate *viewerCertXML `xml:"ViewerCertificate"`
	}
	if err := xml.Unmarshal(c.body, &in); err != nil || len(in.Origins.Items) == 0 {
		c.fail(apiErr(400, "MalformedInput", "DistributionConfig is malformed or has no origins"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	id := "E" + strings.ToUpper(randHex(7))[:13]
	d := &distribution{ID: id, Account: c.caller.AccountID, Domain: distributionDomain(id), Comment: in.Comment, Aliases: in.Aliases.Items,
		Enabled: in.Enabled, Modified: time.Now().UTC().Truncate(time.Millisecond),
		Default: scenario.Behavior{TargetOrigin: in.Default.TargetOriginID, ViewerProtocol: in.Default.ViewerProtocolPolicy}}
	if l := in.Logging; l != nil && l.Enabled {
		// CloudFront takes the log bucket as its S3 domain name.
		d.Logging = &scenario.DistributionLogging{Bucket: strings.TrimSuffix(l.Bucket, ".s3.amazonaws.com"), Prefix: l.Prefix}
	}
	if v := in.ViewerCertificate; v != nil && !v.CloudFrontDefaultCertificate && v.MinimumProtocolVersion != "" {
		d.MinimumProtocolVersion = v.MinimumProtocolVersion
	}
	for _, o := range in.Origins.Items {
		org := origin{ID: o.ID, Domain: o.DomainName, Path: o.OriginPath, OAC: o.OriginAccessControlID, Custom: o.CustomOriginConfig != nil}
		if o.S3OriginConfig != nil && o.S3OriginConfig.OriginAccessIdentity != "" {
			org.OAI = strings.TrimPrefix(o.S3OriginConfig.OriginAccessIdentity, oaiPathPrefix)
			if oa := e.st.oais[org.OAI]; oa == nil || oa.Account != c.caller.AccountID {
				c.fail(apiErr(400, "InvalidOriginAccessIdentity", "The origin access identity is not valid or doesn't exist."))
				return
			}
		}
		if org.OAC != "" && e.st.oacs[org.OAC] == nil {
			c.fail(apiErr(404, "NoSuchOriginAccessControl", "The origin access control does not exist."))
			return
		}
		d.Origins = append(d.Origins, org)
	}
	for _, b := range in.Behaviors.Items {
		d.Behaviors = append(d.Behaviors, scenario.Behavior{PathPattern: b.PathPattern, TargetOrigin: b.TargetOriginID, ViewerProtocol: b.ViewerProtocolPolicy})
	}
	e.st.dists[id] = d
	e.st.distOrder = append(e.st.distOrder, id)
	s := e.distributionXML(d)
	c.createdXML(e.url+"/2020-05-31/distribution/"+id, struct {
		XMLName          xml.Name `xml:"Distribution"`
		NS               string   `xml:"xmlns,attr"`
		ID               string   `xml:"Id"`
		ARN              string   `xml:"ARN"`
		Status           string   `xml:"Status"`
		LastModifiedTime string   `xml:"LastModifiedTime"`
		DomainName       string   `xml:"DomainName"`
	}{NS: cfNS, ID: s.ID, ARN: s.ARN, Status: "InProgress", LastModifiedTime: s.LastModifiedTime, DomainName: s.DomainName})
}

type oaiSummaryXML struct {
	ID                string `xml:"Id"`
	S3CanonicalUserID string `xml:"S3CanonicalUserId"`
	Comment           string `xml:"Comment"`
}

func (e *Emulator) listOAIs(c *call, q url.Values) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	items, head, ok := listPage(c, q, e.st.oais, func(o *oai) string { return o.Account }, func(o *oai) oaiSummaryXML {
		return oaiSummaryXML{ID: o.ID, S3CanonicalUserID: o.Canonical, Comment: o.Comment}
	})
	if !ok {
		return
	}
	c.okXML(struct {
		XMLName xml.Name `xml:"CloudFrontOriginAccessIdentityList"`
		NS      string   `xml:"xmlns,attr"`
		listHead
		Items []oaiSummaryXML `xml:"Items>CloudFrontOriginAccessIdentitySummary"`
	}{NS: cfNS, listHead: head, Items: items})
}

func (e *Emulator) createOAI(c *call) {
	var in struct {
		CallerReference string `xml:"CallerReference"`
		Comment         string `xml:"Comment"`
	}
	if err := xml.Unmarshal(c.body, &in); err != nil || in.CallerReference == "" {
		c.fail(apiErr(400, "MalformedInput", "CloudFrontOriginAccessIdentityConfig needs a CallerReference"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	id := "E" + strings.ToUpper(randHex(7))[:13]
	o := &oai{ID: id, Account: c.caller.AccountID, Comment: in.Comment, Canonical: scenario.OAICanonicalUserID(id)}
	e.st.oais[id] = o
	c.createdXML(e.url+"/2020-05-31/origin-access-identity/cloudfront/"+id, struct {
		XMLName           xml.Name `xml:"CloudFrontOriginAccessIdentity"`
		NS                string   `xml:"xmlns,attr"`
		ID                string   `xml:"Id"`
		S3CanonicalUserID string   `xml:"S3CanonicalUserId"`
		Config            struct {
			CallerReference string `xml:"CallerReference"`
			Comment         string `xml:"Comment"`
		} `xml:"CloudFrontOriginAccessIdentityConfig"`
	}{NS: cfNS, ID: id, S3CanonicalUserID: o.Canonical, Config: in})
}

type oacSummaryXML struct {
	ID                            string `xml:"Id"`
	Description                   string `xml:"Description"`
	Name                          string `xml:"Name"`
	SigningProtocol               string `xml:"SigningProtocol"`
	SigningBehavior               string `xml:"SigningBehavior"`
	OriginAccessControlOriginType string `xml:"OriginAccessControlOriginType"`
}

func (e *Emulator) listOACs(c *call, q url.Values) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	items, head, ok := listPage(c, q, e.st.oacs, func(o *oac) string { return o.Account }, func(o *oac) oacSummaryXML {
		return oacSummaryXML{ID: o.ID, Name: o.Name, SigningProtocol: "sigv4", SigningBehavior: o.SigningBehavior, OriginAccessControlOriginType: "s3"}
	})
	if !ok {
		return
	}
	c.okXML(struct {
		XMLName xml.Name `xml:"OriginAccessControlList"`
		NS      string   `xml:"xmlns,attr"`
		listHead
		Items []oacSummaryXML `xml:"Items>OriginAccessControlSummary"`
	}{NS: cfNS, listHead: head, Items: items})
}

func (e *Emulator) createOAC(c *call) {
	var in struct {
		Name            string `xml:"Name"`
		Description     string `xml:"Description"`
		SigningProtocol string `xml:"SigningProtocol"`
		SigningBehavior string `xml:"SigningBehavior"`
		OriginType      string `xml:"OriginAccessControlOriginType"`
	}
	if err := xml.Unmarshal(c.body, &in); err != nil || in.Name == "" {
		c.fail(apiErr(400, "MalformedInput", "OriginAccessControlConfig needs a Name"))
		return
	}
	e.st.mu.Lock()
	defer e.st.mu.Unlock()
	for _, o := range e.st.oacs {
		if o.Account == c.caller.AccountID && o.Name == in.Name {
			c.fail(apiErr(409, "OriginAccessControlAlreadyExists", "An origin access control with the same name already exists."))
			return
		}
	}
	id := "E" + strings.ToUpper(randHex(7))[:13]
	e.st.oacs[id] = &oac{ID: id, Account: c.caller.AccountID, Name: in.Name, SigningBehavior: in.SigningBehavior}
	c.createdXML(e.url+"/2020-05-31/origin-access-control/"+id, struct {
		XMLName xml.Name `xml:"OriginAccessControl"`
		NS      string   `xml:"xmlns,attr"`
		ID      string   `xml:"Id"`
		Config  any      `xml:"OriginAccessControlConfig"`
	}{NS: cfNS, ID: id, Config: in})
}
