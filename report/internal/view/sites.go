package view

import (
	"cmp"
	"iter"
	"slices"
	"sort"
	"strings"

	"github.com/hoofprint/hoofprint/findings"
)

// Rules that say a CloudFront site is broken, or will break. Reports lead
// with them, one line per origin bucket, because they are the incident
// hoofprint exists for: many object findings, one site.
const (
	RuleOriginUnreadable = "cloudfront-origin-objects-unreadable"
	RuleOriginBreaksBPA  = "cloudfront-origin-breaks-on-block-public-access"
)

// Site is one CloudFront origin bucket that is broken now (viewers get
// 403) or at risk (it works only through public ACLs that Block Public
// Access would neutralise).
type Site struct {
	// Rule is RuleOriginUnreadable (broken now) or RuleOriginBreaksBPA.
	Rule    string
	Account string
	Bucket  string
	// Objects counts the sampled objects the rule fired on.
	Objects int
	// Distributions are the distribution IDs in front of the bucket, sorted.
	Distributions []string
}

// BrokenNow reports whether viewers get errors today.
func (s Site) BrokenNow() bool { return s.Rule == RuleOriginUnreadable }

// Sites groups the site findings of fs by rule and origin bucket, broken
// sites first, then by bucket.
func Sites(fs iter.Seq[findings.Finding], partition string) []Site {
	t := NewSiteTally(partition)
	for f := range fs {
		t.Add(f)
	}
	return t.Sites()
}

// SiteTally is Sites one finding at a time, so that a report reading the
// findings once for several sections can feed it as it goes.
type SiteTally struct {
	partition string
	idx       map[siteKey]int
	// all are the sites in the order first met, each one's Distributions
	// kept sorted as they come: a scan keeps one entry per origin bucket
	// with site findings to the end, so a slice rather than a set each.
	all []Site
}

type siteKey struct{ rule, bucket string }

// NewSiteTally returns an empty tally for ARNs of partition.
func NewSiteTally(partition string) *SiteTally {
	return &SiteTally{partition: partition, idx: map[siteKey]int{}}
}

// Add counts f if it is a site finding.
func (t *SiteTally) Add(f findings.Finding) {
	if f.RuleID != RuleOriginUnreadable && f.RuleID != RuleOriginBreaksBPA {
		return
	}
	bucket := OriginBucket(f, t.partition)
	k := siteKey{f.RuleID, bucket}
	i, ok := t.idx[k]
	if !ok {
		i = len(t.all)
		t.idx[k] = i
		t.all = append(t.all, Site{Rule: f.RuleID, Account: f.AccountID, Bucket: bucket, Distributions: []string{}})
	}
	s := &t.all[i]
	s.Objects++
	if origins, ok := f.Evidence["origins"].([]any); ok {
		for _, o := range origins {
			if m, ok := o.(map[string]any); ok {
				if id, ok := m["distributionId"].(string); ok && id != "" {
					if j, found := slices.BinarySearch(s.Distributions, id); !found {
						s.Distributions = slices.Insert(s.Distributions, j, id)
					}
				}
			}
		}
	}
}

// Sites returns the sites counted, broken sites first, then by bucket.
func (t *SiteTally) Sites() []Site {
	all := slices.Clone(t.all)
	for i := range all {
		all[i].Distributions = slices.Clip(slices.Clone(all[i].Distributions))
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Rule != all[j].Rule {
			return all[i].Rule > all[j].Rule // unreadable (broken now) first
		}
		return all[i].Bucket < all[j].Bucket
	})
	return all
}

// OriginBucket names the bucket a site finding is about: from an S3 ARN
// (object or bucket), else from the evidence, else the resource name.
func OriginBucket(f findings.Finding, partition string) string {
	if rest, ok := strings.CutPrefix(f.ResourceARN, "arn:"+cmp.Or(partition, "aws")+":s3:::"); ok {
		bucket, _, _ := strings.Cut(rest, "/")
		return bucket
	}
	if b, ok := f.Evidence["bucket"].(string); ok && b != "" {
		return b
	}
	return f.ResourceName
}

// Safeguards of the HIPAA Security Rule, by section of 45 CFR Part 164.
var safeguards = []struct{ prefix, name string }{
	{"164.308", "Administrative"},
	{"164.310", "Physical"},
	{"164.312", "Technical"},
	{"164.314", "Organizational"},
	{"164.316", "Policies and documentation"},
}

// Safeguard names the HIPAA Security Rule safeguard a reference such as
// "164.312(a)(1)" belongs to (45 CFR 164.308 administrative, 164.310
// physical, 164.312 technical, 164.314 organizational, 164.316 policies and
// documentation), or "Other".
func Safeguard(ref string) string {
	for _, s := range safeguards {
		if strings.HasPrefix(strings.TrimSpace(ref), s.prefix) {
			return s.name
		}
	}
	return "Other"
}

// Safeguards returns the distinct safeguards of a rule's HIPAA references,
// in the order of the Security Rule.
func Safeguards(refs []string) []string {
	seen := map[string]bool{}
	for _, r := range refs {
		seen[Safeguard(r)] = true
	}
	var out []string
	for _, s := range safeguards {
		if seen[s.name] {
			out = append(out, s.name)
		}
	}
	if seen["Other"] {
		out = append(out, "Other")
	}
	return out
}
