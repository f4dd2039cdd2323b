package view

import (
	"strings"

	"github.com/hoofprint/hoofprint/findings"
)

// Scope answers whether a rule was fully evaluated for an account and
// region this run, so that a finding that was not re-observed can be told
// apart from one that could not be looked for. Only a fully evaluated
// finding may be called fixed (archived in Security Hub, "absent" in SARIF).
type Scope struct {
	complete bool
	scanned  map[string]bool
	rules    map[string]findings.Rule
	// gaps by account: services with a gap, keyed by region ("" = global).
	gaps map[string][]gapKey
	// fullySampled are buckets where every object was looked at.
	fullySampled map[string]bool
	// s3GapAnywhere is true when any account had an S3 gap; cross-account
	// CloudFront rules read buckets in other accounts.
	s3GapAnywhere bool
}

type gapKey struct{ region, service string }

// NewScope indexes doc's accounts and coverage gaps.
func NewScope(doc findings.Document) *Scope {
	s := &Scope{
		complete: doc.Coverage.Complete,
		scanned:  map[string]bool{},
		rules:    map[string]findings.Rule{},
		gaps:     map[string][]gapKey{},

		fullySampled: map[string]bool{},
	}
	for _, b := range doc.FullySampledBuckets {
		s.fullySampled[b] = true
	}
	for _, a := range doc.Accounts {
		s.scanned[a] = true
	}
	for _, r := range doc.Rules {
		s.rules[r.ID] = r
	}
	for _, g := range doc.Coverage.Gaps {
		s.gaps[g.AccountID] = append(s.gaps[g.AccountID], gapKey{region: g.Region, service: strings.ToLower(g.Service)})
		if isS3(g.Service) {
			s.s3GapAnywhere = true
		}
	}
	return s
}

func isS3(service string) bool {
	switch strings.ToLower(service) {
	case "s3", "s3control":
		return true
	}
	return false
}

// FullyEvaluated reports whether rule ruleID was evaluated over everything
// it looks at in accountID and region. It is false when the scan was
// interrupted, the account was not scanned, the rule was not evaluated, or a
// coverage gap in that account (global or in that region) touches a service
// the rule reads. CloudFront rules also read origin buckets in any account,
// so an S3 gap anywhere makes them not fully evaluated. A sampled rule on an
// object is fully evaluated only where every object of its bucket was looked
// at (findings.Document.FullySampledBuckets): elsewhere an object missing
// from tonight's sample was not looked at, so its finding is not known to be
// fixed. resourceARN is the object's ARN (arn:<partition>:s3:::bucket/…).
func (s *Scope) FullyEvaluated(ruleID, accountID, region, resourceType, resourceARN string) bool {
	if !s.complete || !s.scanned[accountID] {
		return false
	}
	rule, ok := s.rules[ruleID]
	if !ok {
		return false
	}
	if rule.Sampled && resourceType == findings.ResourceS3Object {
		bucket, _, _ := strings.Cut(arnResource(resourceARN), "/")
		if !s.fullySampled[bucket] {
			return false
		}
	}
	cloudfront := strings.HasPrefix(ruleID, "cloudfront-")
	if cloudfront && s.s3GapAnywhere {
		return false
	}
	for _, g := range s.gaps[accountID] {
		if g.region != "" && region != "" && g.region != region {
			continue
		}
		switch {
		case g.service == "organizations" || g.service == "sts" || g.service == "":
			return false
		case isS3(g.service):
			return false
		case g.service == "cloudfront" && cloudfront:
			return false
		}
	}
	return true
}
