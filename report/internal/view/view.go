// Package view holds what every report writer shows the same way: how a
// resource is named and located, how a finding is identified across runs,
// how object keys are kept out of reports, how a clean sample is worded,
// and which rule, account and region were fully evaluated this run.
package view

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

// keyHashRE matches inventory.KeyHasher output: keyed (hmac:) or the
// legacy unkeyed form (sha256:).
var keyHashRE = regexp.MustCompile(`^(hmac:[0-9a-f]{32}|sha256:[0-9a-f]{16})$`)

// Resource is a finding's resource, parsed from its ARN.
type Resource struct {
	// Type is the findings.Resource* constant.
	Type      string
	AccountID string
	Region    string
	// ARN is the ARN as reports show it (object keys hashed unless shown).
	ARN string
	// Bucket is set for buckets and objects.
	Bucket string
	// KeyHash is set for objects: inventory.HashKey of the key.
	KeyHash string
	// Key is the object key, set only when keys may be shown.
	Key string
	// KeyPrefix is the key's first path segment, "" when unknown.
	KeyPrefix string
	// DistributionID is set for distributions.
	DistributionID string
	// Name is the short display name (bucket, "bucket/prefix/…sha256:…",
	// distribution ID, account ID).
	Name string
}

// ParseResource derives the resource of f. Object ARNs are
// "arn:<partition>:s3:::<bucket>/<key or key hash>"; when show is false and
// the part after the bucket is not a key hash, it is treated as a key that
// must not be shown and is replaced by its hash (defence in depth: the
// inventory should already have hashed it).
func ParseResource(f findings.Finding, show bool) Resource {
	r := Resource{Type: f.ResourceType, AccountID: f.AccountID, Region: f.Region, ARN: f.ResourceARN, Name: f.ResourceName}
	rest := arnResource(f.ResourceARN)
	switch f.ResourceType {
	case findings.ResourceS3Bucket:
		r.Bucket = rest
		if r.Bucket == "" {
			r.Bucket = f.ResourceName
		}
		if r.Name == "" {
			r.Name = r.Bucket
		}
	case findings.ResourceS3Object:
		bucket, keyPart, _ := strings.Cut(rest, "/")
		r.Bucket = bucket
		r.KeyPrefix = evidenceString(f.Evidence, "keyPrefix")
		if keyHashRE.MatchString(keyPart) {
			r.KeyHash = keyPart
		} else {
			r.KeyHash = inventory.HashKey(bucket, keyPart)
			if r.KeyPrefix == "" {
				r.KeyPrefix = inventory.KeyPrefix(keyPart)
			}
			if show {
				r.Key = keyPart
			}
		}
		if r.Key != "" {
			r.Name = bucket + "/" + r.Key
		} else {
			r.ARN = strings.TrimSuffix(f.ResourceARN, keyPart) + r.KeyHash
			r.Name = bucket + "/" + r.KeyPrefix + "…" + r.KeyHash
		}
	case findings.ResourceDistribution:
		r.DistributionID = strings.TrimPrefix(rest, "distribution/")
		if r.Name == "" {
			r.Name = r.DistributionID
		}
	default:
		if r.Name == "" {
			r.Name = f.AccountID
		}
	}
	return r
}

// arnResource returns the part of an ARN after the fifth colon.
func arnResource(a string) string {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}

// URI is a stable relative URI for the resource, used where a report format
// wants a file-like location (SARIF physicalLocation). It never contains an
// object key unless keys may be shown.
func (r Resource) URI() string {
	acct := url.PathEscape(cmp.Or(r.AccountID, "unknown-account"))
	switch r.Type {
	case findings.ResourceS3Bucket:
		return "aws/" + acct + "/s3/" + url.PathEscape(r.Bucket)
	case findings.ResourceS3Object:
		if r.Key != "" {
			segs := strings.Split(r.Key, "/")
			for i, s := range segs {
				segs[i] = url.PathEscape(s)
			}
			return "aws/" + acct + "/s3/" + url.PathEscape(r.Bucket) + "/" + strings.Join(segs, "/")
		}
		return "aws/" + acct + "/s3/" + url.PathEscape(r.Bucket) + "/objects/" + hashDigits(r.KeyHash)
	case findings.ResourceDistribution:
		return "aws/" + acct + "/cloudfront/" + url.PathEscape(r.DistributionID)
	default:
		return "aws/" + acct + "/account"
	}
}

// Identity is what makes two findings on this resource the same across
// runs: the key hash for objects, so that turning --show-object-keys on or
// off does not change it.
func (r Resource) Identity() string {
	switch r.Type {
	case findings.ResourceS3Object:
		return "s3-object:" + r.Bucket + "/" + r.KeyHash
	case findings.ResourceS3Bucket:
		return "s3-bucket:" + r.Bucket
	case findings.ResourceDistribution:
		return "cloudfront-distribution:" + r.AccountID + "/" + r.DistributionID
	default:
		return "account:" + r.AccountID
	}
}

// Fingerprint is a stable hex identity of a finding (rule + resource), the
// same whatever the message, the run or --show-object-keys.
func Fingerprint(ruleID string, r Resource) string {
	sum := sha256.Sum256([]byte(ruleID + "|" + r.Identity()))
	return hex.EncodeToString(sum[:16])
}

// hashDigits is the hex part of a key hash: "sha256:ab…" and "hmac:ab…"
// alike give "ab…".
func hashDigits(h string) string {
	_, digits, _ := strings.Cut(h, ":")
	return digits
}

func evidenceString(ev map[string]any, k string) string {
	if s, ok := ev[k].(string); ok {
		return s
	}
	return ""
}

// Redact returns a copy of doc in which no object key can appear unless
// doc.ShowObjectKeys: object ARNs carry the key hash, and any raw key found
// in a finding's ARN is replaced by its display form in the message and in
// string evidence. Evidence fields named like a key ("key", "objectKey") are
// dropped. The inventory already hashes keys at collection; this is the last
// gate before a file leaves the process.
//
// The copy holds its findings in Findings, read from the Set of a large
// run whether or not keys are shown: a caller of Redact reads Findings.
func Redact(doc findings.Document) findings.Document {
	if doc.ShowObjectKeys && doc.Set == nil {
		return doc
	}
	out := doc
	out.Findings = make([]findings.Finding, 0, doc.Count())
	for f := range doc.All() {
		out.Findings = append(out.Findings, RedactFinding(f, doc.ShowObjectKeys))
	}
	out.Set = nil
	return out
}

// RedactFinding is Redact for one finding, so that a writer can redact as
// it goes instead of copying every finding first.
func RedactFinding(f findings.Finding, show bool) findings.Finding {
	if show {
		return f
	}
	g := f
	if f.ResourceType == findings.ResourceS3Object {
		r := ParseResource(f, false)
		rest := arnResource(f.ResourceARN)
		_, keyPart, _ := strings.Cut(rest, "/")
		g.ResourceARN = r.ARN
		g.ResourceName = r.Name
		if keyPart != "" && !keyHashRE.MatchString(keyPart) {
			g.Message = strings.ReplaceAll(f.Message, keyPart, r.KeyPrefix+"…"+r.KeyHash)
			g.Evidence = scrub(f.Evidence, keyPart, r.KeyPrefix+"…"+r.KeyHash).(map[string]any)
		}
	}
	if g.Evidence != nil {
		g.Evidence = dropKeyFields(g.Evidence)
	}
	return g
}

func scrub(v any, key, repl string) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = scrub(x, key, repl)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = scrub(x, key, repl)
		}
		return s
	case string:
		return strings.ReplaceAll(t, key, repl)
	default:
		return v
	}
}

func dropKeyFields(ev map[string]any) map[string]any {
	if !hasKeyFields(ev) {
		// Nothing to drop: share the map (evidence is never modified once
		// a rule produced it), which saves a copy of every finding's
		// evidence per report.
		return ev
	}
	m := make(map[string]any, len(ev))
	for k, v := range ev {
		switch strings.ToLower(k) {
		case "key", "objectkey", "object_key":
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			v = dropKeyFields(sub)
		}
		m[k] = v
	}
	return m
}

func hasKeyFields(ev map[string]any) bool {
	for k, v := range ev {
		switch strings.ToLower(k) {
		case "key", "objectkey", "object_key":
			return true
		}
		if sub, ok := v.(map[string]any); ok && hasKeyFields(sub) {
			return true
		}
	}
	return false
}

// SecuritySeverity is GitHub code scanning's numeric "security-severity"
// for a severity: GitHub shows > 9.0 as critical, 7.0–8.9 high, 4.0–6.9
// medium and 0.1–3.9 low (docs.github.com, "SARIF support for code
// scanning", reportingDescriptor properties).
func SecuritySeverity(s findings.Severity) string {
	switch s {
	case findings.SeverityCritical:
		return "9.5"
	case findings.SeverityHigh:
		return "8.0"
	case findings.SeverityMedium:
		return "5.5"
	case findings.SeverityLow:
		return "3.0"
	default:
		return "1.0"
	}
}

// SampleNote is the sentence that replaces a bare pass for a sampled rule
// that found nothing, or "" when the rule is not sampled or found something.
// The bound is the rule of three (findings.UpperBound95).
func SampleNote(doc findings.Document, rule findings.Rule) string {
	if !rule.Sampled {
		return ""
	}
	if doc.CountByRule()[rule.ID] > 0 {
		return ""
	}
	// A CloudFront rule judges objects against the distributions and
	// their OAIs/OACs: where CloudFront could not be read, its silence is
	// a coverage gap, not a clean sample.
	if strings.HasPrefix(rule.ID, "cloudfront-") {
		accounts := map[string]bool{}
		for _, g := range doc.Coverage.Gaps {
			if g.Service == "cloudfront" {
				accounts[g.AccountID] = true
			}
		}
		if len(accounts) > 0 {
			return fmt.Sprintf("%s: not judged where CloudFront could not be read (%d account(s), listed as coverage gaps), so its silence says nothing about those accounts this run.", rule.ID, len(accounts))
		}
	}
	n := doc.Sample.Judged(rule.ID)
	if n == 0 {
		return fmt.Sprintf("%s: no sampled object could be judged, so this rule says nothing about object contents this run.", rule.ID)
	}
	if findings.UpperBound95(n) >= 1 {
		// The rule of three bounds nothing below 4 objects ("under 100%").
		return fmt.Sprintf("%s: 0 of %d sampled objects affected; too few objects to bound the affected share (at 95%% confidence that takes at least 4).", rule.ID, n)
	}
	return fmt.Sprintf("%s: 0 of %d sampled objects affected; at 95%% confidence under %s of objects are affected.",
		rule.ID, n, Percent(findings.UpperBound95(n)))
}

// Percent formats a fraction as a percentage with at most two decimals.
func Percent(f float64) string {
	s := fmt.Sprintf("%.2f", f*100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// Flatten turns nested evidence into dotted string keys and JSON-ish string
// values, sorted, for formats whose fields are flat string maps (ASFF
// ProductFields).
func Flatten(prefix string, ev map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				walk(p+"/"+k, x)
			}
		case string:
			out[p] = t
		case nil:
			out[p] = ""
		default:
			b, err := json.Marshal(t)
			if err != nil {
				out[p] = fmt.Sprint(t)
				return
			}
			out[p] = string(b)
		}
	}
	for k, v := range ev {
		walk(prefix+k, v)
	}
	return out
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
