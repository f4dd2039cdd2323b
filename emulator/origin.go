package emulator

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

// OriginRead answers what CloudFront would get from S3 when a viewer asks
// the distribution for urlPath: the cache behaviour whose path pattern
// matches picks the origin, and the origin's identity (its OAI, or the
// CloudFront service principal with the distribution's ARN for an OAC, or
// nobody for a public origin) makes an S3 GetObject. It returns 200, 403
// (what the seed article's users saw) or 404, without touching the request
// counts. It lets tests and the demo check a finding against the access
// decision itself.
func (e *Emulator) OriginRead(distributionID, urlPath string) (int, error) {
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	d := e.st.dists[distributionID]
	if d == nil {
		return 0, fmt.Errorf("no distribution %s", distributionID)
	}
	key := strings.TrimPrefix(urlPath, "/")
	if key == "" {
		key = "index.html"
	}
	target := d.Default.TargetOrigin
	for _, b := range d.Behaviors {
		if ok, _ := path.Match(b.PathPattern, key); ok || (strings.HasSuffix(b.PathPattern, "*") && strings.HasPrefix(key, strings.TrimSuffix(b.PathPattern, "*"))) {
			target = b.TargetOrigin
			break
		}
	}
	var o *origin
	for i := range d.Origins {
		if d.Origins[i].ID == target {
			o = &d.Origins[i]
		}
	}
	if o == nil {
		return 0, fmt.Errorf("distribution %s: no origin %s", distributionID, target)
	}
	bucketName, _, _ := strings.Cut(o.Domain, ".s3")
	b := e.st.buckets[bucketName]
	if b == nil {
		return http.StatusNotFound, nil // NoSuchBucket (anyone could create it)
	}
	obj := b.objects[key]
	var p principal
	switch {
	case o.OAI != "":
		oa := e.st.oais[o.OAI]
		if oa == nil {
			return http.StatusForbidden, nil
		}
		p = principal{ARN: "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity " + oa.ID, Canonical: oa.Canonical}
	case o.OAC != "":
		p = principal{Service: "cloudfront.amazonaws.com", SourceARN: fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", d.Account, d.ID)}
	}
	if obj == nil {
		// Without s3:ListBucket, S3 answers 403 rather than 404 for a
		// missing key ("GetObject", Amazon S3 API Reference: permissions).
		if e.bucketAccess(b, p, "s3:ListBucket", "READ") {
			return http.StatusNotFound, nil
		}
		return http.StatusForbidden, nil
	}
	if e.objectAccess(b, obj, p, "s3:GetObject", "READ") {
		return http.StatusOK, nil
	}
	return http.StatusForbidden, nil
}
