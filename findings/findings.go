// Package findings is the one model that the rules engine produces and every
// report writer consumes. Report writers read only a Document; they never
// re-evaluate rules or call AWS.
package findings

import (
	"encoding/binary"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hoofprint/hoofprint/inventory"
)

// Severity orders findings. The zero value is SeverityNone, which is below
// every real severity and is what `--fail-on none` means.
type Severity int

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	SeverityInformational
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"none", "informational", "low", "medium", "high", "critical"}

// String returns the lower-case name used in Rego metadata and on the CLI.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name (case-insensitive; "info" is accepted
// for informational).
func ParseSeverity(s string) (Severity, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "info" {
		v = "informational"
	}
	for i, n := range severityNames {
		if n == v {
			return Severity(i), nil
		}
	}
	return SeverityNone, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames, ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule is a rule's metadata, read from its Rego METADATA block.
type Rule struct {
	// ID is the stable rule ID (rules/README.md), e.g. "s3-object-acl-public".
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	// HIPAA lists HIPAA Security Rule references, e.g. "164.312(a)(1)".
	HIPAA []string `json:"hipaa"`
	// Remediation is prose; RemediationCLI the AWS CLI command that fixes it.
	Remediation    string `json:"remediation"`
	RemediationCLI string `json:"remediationCli,omitempty"`
	// SiteRemediation replaces Remediation's order of changes where a
	// CloudFront site reads the resource through public access: the usual
	// fix (Block Public Access, removing a public grant) applied first
	// would take the site down. See AnnotateSites.
	SiteRemediation string `json:"siteRemediation,omitempty"`
	// DoFirst is, for the rules that say a site is broken or at risk, the
	// one change to make first; BUCKET stands for the origin bucket. The
	// summary prints it under each site.
	DoFirst string `json:"doFirst,omitempty"`
	HelpURL string `json:"helpUrl,omitempty"`
	// RelatedResources are AWS documentation URLs.
	RelatedResources []string `json:"relatedResources,omitempty"`
	// ResourceType is the kind of resource the rule reports on
	// (ResourceAccount, ResourceS3Bucket, ResourceS3Object, ResourceDistribution).
	ResourceType string `json:"resourceType"`
	// Sampled is true for rules that judge sampled objects, whose silence
	// must be reported with the sample size and a confidence bound.
	Sampled bool `json:"sampled,omitempty"`
	// Scope is how much of the snapshot a rule that is not sampled sees at
	// once (ScopeBucket, ScopeOrigins, ScopeOrganization; rules/README.md
	// "Evaluation scopes"); "" for sampled rules, which see one bucket with
	// its objects.
	Scope string `json:"scope,omitempty"`
	// Profiles are the --profile values the rule runs in (ProfileIncident,
	// ProfileHIPAA, ProfileAll).
	Profiles []string `json:"profiles,omitempty"`
	// Source is where the rule was loaded from ("embedded:…" or a file path).
	Source string `json:"source,omitempty"`
}

// Evaluation scopes of rules that are not sampled (Rule.Scope).
const (
	// ScopeBucket: one bucket's configuration at a time, with its account,
	// the distributions serving it and the trails that could log it.
	ScopeBucket = "bucket"
	// ScopeOrigins: the organization map plus only the buckets that
	// distributions name as origins.
	ScopeOrigins = "origins"
	// ScopeOrganization: the whole snapshot without sampled objects, at
	// once (the default).
	ScopeOrganization = "organization"
)

// Rule profiles (--profile).
const (
	ProfileIncident = "incident"
	ProfileHIPAA    = "hipaa"
	ProfileAll      = "all"
)

// Resource types a finding can be about. They match Security Hub's
// resource type names where one exists.
const (
	ResourceAccount      = "AwsAccount"
	ResourceS3Bucket     = "AwsS3Bucket"
	ResourceS3Object     = "AwsS3Object"
	ResourceDistribution = "AwsCloudFrontDistribution"
)

// Finding is one rule firing on one resource.
type Finding struct {
	RuleID   string   `json:"ruleId"`
	Severity Severity `json:"severity"`
	// AccountID is the account the finding is about (for Security Hub, the
	// account whose role imports it).
	AccountID    string `json:"accountId"`
	Region       string `json:"region"`
	ResourceType string `json:"resourceType"`
	// ResourceARN identifies the resource. For objects it is the bucket ARN
	// followed by "/" and the key hash (or the key with --show-object-keys).
	ResourceARN string `json:"resourceArn"`
	// ResourceName is a short display name (bucket name, distribution ID…).
	ResourceName string `json:"resourceName"`
	// Message says what is wrong and why, in one or two sentences. It must
	// not contain an object key unless the scan ran with --show-object-keys.
	Message string `json:"message"`
	// Evidence holds the facts that made the rule fire (grant, policy
	// statement index, owner account, sample coverage…).
	Evidence map[string]any `json:"evidence,omitempty"`
	// SiteRemediation is the rule's SiteRemediation when a CloudFront site
	// reads this finding's bucket (or, for an account finding, a bucket of
	// the account) only through public access; empty otherwise.
	SiteRemediation string `json:"siteRemediation,omitempty"`
	// Suppression is set when an accepted-risk entry (--suppressions)
	// covers this finding tonight. A suppressed finding stays in every
	// report, marked, but does not count towards --fail-on.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression is the accepted risk that covers a finding.
type Suppression struct {
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
	// Expires is the first instant the entry no longer suppresses.
	Expires time.Time `json:"expires"`
	// Source is where the entry is written ("file:line").
	Source string `json:"source"`
}

// ExpiryText shows an expiry the way it was written: an entry dated
// 2027-06-30 suppresses through that day and stops at the next midnight
// UTC, which reads "end of 2027-06-30 UTC"; an exact time reads as such.
func ExpiryText(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return "end of " + t.Add(-24*time.Hour).Format(time.DateOnly) + " UTC"
	}
	return t.Format("2006-01-02 15:04 UTC")
}

// Suppressed reports whether an accepted risk covers f.
func (f Finding) Suppressed() bool { return f.Suppression != nil }

// SuppressionEntry is one entry of the suppressions file and what it did
// this run, so reports can list expired and stale entries.
type SuppressionEntry struct {
	Source   string    `json:"source"`
	Rule     string    `json:"rule"`
	Account  string    `json:"account,omitempty"`
	Region   string    `json:"region,omitempty"`
	Resource string    `json:"resource"`
	Reason   string    `json:"reason"`
	Owner    string    `json:"owner"`
	Expires  time.Time `json:"expires"`
	// Expired entries no longer suppress; Matched then counts the findings
	// they would have covered, which are active again.
	Expired bool `json:"expired,omitempty"`
	// Matched counts tonight's findings the entry covers (or would cover,
	// if expired). An entry that matched nothing is stale.
	Matched int `json:"matched"`
}

// Stale reports whether the entry matched no finding this run.
func (e SuppressionEntry) Stale() bool { return e.Matched == 0 }

// ActiveOnly returns the document as the reports that count open work see
// it: All, Count, CountByRule and CountBySeverity leave out the findings an
// accepted risk covers. The findings stay where they are (a list or a Set);
// only the view changes, so a spilled run is not read into memory.
func (d Document) ActiveOnly() *Document {
	if d.Set == nil && !d.activeOnly {
		active := make([]Finding, 0, len(d.Findings))
		for _, f := range d.Findings {
			if !f.Suppressed() {
				active = append(active, f)
			}
		}
		d.Findings = active
	}
	d.activeOnly = true
	return &d
}

// SuppressedCount is the number of findings an accepted risk covers.
func (d *Document) SuppressedCount() int {
	if d.activeOnly {
		return 0
	}
	if d.Set != nil {
		return d.Set.SuppressedCount()
	}
	n := 0
	for _, f := range d.Findings {
		if f.Suppressed() {
			n++
		}
	}
	return n
}

// SuppressedFindings yields the findings an accepted risk covers, in order.
func (d *Document) SuppressedFindings() iter.Seq[Finding] {
	return func(yield func(Finding) bool) {
		for f := range d.All() {
			if f.Suppressed() && !yield(f) {
				return
			}
		}
	}
}

// RuleBreaksOnBlockPublicAccess is the rule whose findings mark a bucket
// that a CloudFront distribution reads only through public access.
const RuleBreaksOnBlockPublicAccess = "cloudfront-origin-breaks-on-block-public-access"

// AnnotateSites gives each finding of a rule with a SiteRemediation that
// text when the finding is about a bucket a CloudFront site reads only
// through public access (a RuleBreaksOnBlockPublicAccess finding on it), or
// about the account of such a bucket. There, the rule's usual remediation
// (turn Block Public Access on, drop the public grant) applied first is the
// change that takes the site down (docs/why.md).
func AnnotateSites(doc *Document) {
	NewSites(doc.Rules).Annotate(doc.Findings)
}

// Sites is AnnotateSites for findings that come a batch at a time, as a
// scan evaluates its buckets: it remembers the site buckets (and their
// accounts) of every batch it has seen. RuleBreaksOnBlockPublicAccess is a
// sampled rule, so a bucket's batch holds the site finding that marks its
// other findings; the account-level findings come from the rules run at
// the end, once every bucket has been seen. It is safe for concurrent use
// and holds one entry per site bucket.
type Sites struct {
	text map[string]string // rule ID -> its SiteRemediation

	mu   sync.Mutex
	site map[string]bool // "account|bucket" and "account|"
}

// NewSites returns a Sites for findings of rules.
func NewSites(rules []Rule) *Sites {
	s := &Sites{text: map[string]string{}, site: map[string]bool{}}
	for _, r := range rules {
		if r.SiteRemediation != "" {
			s.text[r.ID] = r.SiteRemediation
		}
	}
	return s
}

// Annotate remembers the site buckets fs marks, then sets the
// SiteRemediation of the findings of fs that are about a site bucket, or
// the account of one, seen so far.
func (s *Sites) Annotate(fs []Finding) {
	if len(s.text) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		if f.RuleID == RuleBreaksOnBlockPublicAccess {
			if b := BucketOf(f.ResourceARN); b != "" {
				s.site[f.AccountID+"|"+b] = true
				s.site[f.AccountID+"|"] = true
			}
		}
	}
	if len(s.site) == 0 {
		return
	}
	for i, f := range fs {
		t := s.text[f.RuleID]
		if t == "" {
			continue
		}
		key := f.AccountID + "|" + BucketOf(f.ResourceARN)
		if f.ResourceType == ResourceAccount {
			key = f.AccountID + "|"
		}
		if s.site[key] {
			fs[i].SiteRemediation = t
		}
	}
}

// BucketOf returns the bucket name of an S3 bucket or object ARN
// (arn:PARTITION:s3:::bucket[/key]), or "".
func BucketOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "s3" || parts[3] != "" || parts[4] != "" {
		return ""
	}
	b, _, _ := strings.Cut(parts[5], "/")
	return b
}

// EvidenceVerified is the evidence field a rule sets when an unsigned
// request confirmed the access the finding claims; VerifiedAnonymous is its
// value for public read access (the anonymous HEAD probe answered 200).
const (
	EvidenceVerified  = "verified"
	VerifiedAnonymous = "readable anonymously"
)

// Verified returns how the finding's claim was confirmed from outside, ""
// when it was not.
func (f Finding) Verified() string {
	s, _ := f.Evidence[EvidenceVerified].(string)
	return s
}

// Key returns the identity of a finding across runs: the same rule on the
// same resource is the same finding, whatever the message says.
func (f Finding) Key() string { return f.RuleID + "|" + f.ResourceARN }

// SampleStats summarises object sampling for the whole scan, so that a rule
// that found nothing on a sample can say how much was looked at.
type SampleStats struct {
	Buckets        int `json:"buckets"`
	KeysListed     int `json:"keysListed"`
	ObjectsSampled int `json:"objectsSampled"`
	ACLsRead       int `json:"aclsRead"`
	BucketsACLsOff int `json:"bucketsAclsDisabled"`
	// ObjectsACLsOff counts sampled objects in buckets whose ACLs are
	// disabled (BucketOwnerEnforced): no ACL to read, none that can grant.
	ObjectsACLsOff    int `json:"objectsAclsDisabled"`
	BucketsIncomplete int `json:"bucketsListingIncomplete"`
}

// UpperBound95 is the "rule of three" bound: when none of n independent
// samples is affected, the affected fraction is below 3/n at 95% confidence.
// It returns 1 when n is 0.
func UpperBound95(n int) float64 {
	if n <= 0 {
		return 1
	}
	b := 3.0 / float64(n)
	if b > 1 {
		return 1
	}
	return b
}

// ownerOnlyRules judge sampled objects by their owner alone, which the
// listing gives for every sampled object.
var ownerOnlyRules = map[string]bool{"s3-object-foreign-owner": true, "s3-object-external-owner": true}

// Judged is how many sampled objects a sampled rule could judge, the n of
// its "0 of n" confidence bound. Ownership rules judge every sampled object;
// every other sampled rule (object ACLs, origin readability, and user rules,
// whose needs are unknown) only those whose ACL is known or cannot exist:
// an object whose ACL could not be read is not evidence of anything.
func (s SampleStats) Judged(ruleID string) int {
	if ownerOnlyRules[ruleID] {
		return s.ObjectsSampled
	}
	return s.ACLsRead + s.ObjectsACLsOff
}

// Control is one HIPAA Security Rule section and the rules of this run
// that address it: reports group results by control with it.
type Control struct {
	// ID is the section, e.g. "164.312(b)".
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	// Safeguard is administrative, physical, technical or organizational.
	Safeguard string   `json:"safeguard,omitempty"`
	Rules     []string `json:"rules"`
}

// Document is everything a report writer needs.
type Document struct {
	ToolName    string    `json:"toolName"`
	ToolVersion string    `json:"toolVersion"`
	StartedAt   time.Time `json:"startedAt"`
	FinishedAt  time.Time `json:"finishedAt"`
	Partition   string    `json:"partition"`
	// OrganizationID is "" when a single account was scanned.
	OrganizationID string `json:"organizationId,omitempty"`
	// Rules are all rules evaluated, sorted by ID.
	Rules []Rule `json:"rules"`
	// Profile is the --profile that chose the built-in rules ("" unknown).
	Profile string `json:"profile,omitempty"`
	// Controls are the HIPAA sections with the rules that address each
	// (nil when the caller did not map them).
	Controls []Control `json:"controls,omitempty"`
	// Findings are sorted by rule, severity, account, region, resource.
	// A run with many findings holds them in Set instead (Findings is then
	// nil): read them with All, count them with Count.
	Findings []Finding `json:"findings"`
	Set      *Set      `json:"-"`
	// activeOnly hides suppressed findings from All and the counts
	// (ActiveOnly).
	activeOnly bool
	// shared, when set, serves this reader's first All from a read of Set
	// shared with other readers (Broadcast).
	shared *broadcast
	reader int
	// Coverage is copied from the inventory.
	Coverage inventory.Coverage `json:"coverage"`
	// Accounts are the account IDs that were scanned (credentials obtained).
	Accounts []string `json:"accounts"`
	// Regions are the regions that hold scanned resources (bucket regions),
	// sorted. The Security Hub importer looks for earlier findings there.
	Regions []string `json:"regions,omitempty"`
	// Sample summarises object sampling.
	Sample SampleStats `json:"sample"`
	// FullySampledBuckets are the buckets (names, sorted) where every object
	// was looked at this run: either ACLs are disabled (BucketOwnerEnforced:
	// the bucket owner owns every object and no ACL grants anything), or the
	// listing was complete and every listed key's ACL was read. A sampled
	// rule's finding on an object there that was not seen again is fixed,
	// not merely unsampled.
	FullySampledBuckets []string `json:"fullySampledBuckets,omitempty"`
	// ShowObjectKeys mirrors the inventory flag.
	ShowObjectKeys bool `json:"showObjectKeys"`
	// Suppressions are the entries of the suppressions file with what each
	// did this run (nil when no file was given).
	Suppressions []SuppressionEntry `json:"suppressions,omitempty"`
	// SuppressionsSource names the file the entries came from.
	SuppressionsSource string `json:"suppressionsSource,omitempty"`
}

// NewDocument assembles the report document from a snapshot, the rules that
// were evaluated and their findings. Findings are sorted here so that every
// writer sees the same order.
func NewDocument(inv *inventory.Snapshot, rules []Rule, fs []Finding) Document {
	var t Tally
	for i := range inv.Buckets {
		t.Add(&inv.Buckets[i])
	}
	return t.Document(inv, rules, fs)
}

// Tally gathers what the report document says about buckets (regions,
// sample statistics, fully sampled buckets) one bucket at a time, so that a
// streamed scan can drop a bucket's objects once it is counted. The zero
// value is ready to use; it is not safe for concurrent use.
type Tally struct {
	regions map[string]bool
	sample  SampleStats
	// fully holds the names of the fully sampled buckets, each after its
	// length as a uvarint: a scan adds one for every bucket with ACLs off
	// (most of an organization's, and all of a well-kept one's) and keeps
	// them to the end, and one byte array costs less than a string header
	// and an allocation a name.
	fully []byte
}

// Add counts one bucket, with its sampled objects.
func (t *Tally) Add(b *inventory.Bucket) {
	if t.regions == nil {
		t.regions = map[string]bool{}
	}
	if b.Region != "" {
		t.regions[b.Region] = true
	}
	t.sample.Buckets++
	t.sample.KeysListed += b.Objects.KeysListed
	t.sample.ObjectsSampled += len(b.Objects.Objects)
	t.sample.ACLsRead += b.Objects.ACLsRead
	if b.Objects.ACLsSkipped == inventory.OwnershipBucketOwnerEnforced {
		t.sample.BucketsACLsOff++
		t.sample.ObjectsACLsOff += len(b.Objects.Objects)
	}
	if !b.Objects.ListingComplete {
		t.sample.BucketsIncomplete++
	}
	o := b.Objects
	if o.ACLsSkipped == inventory.OwnershipBucketOwnerEnforced ||
		(o.ListingComplete && len(o.Objects) >= o.KeysListed && o.ACLsRead >= o.KeysListed) {
		t.fully = binary.AppendUvarint(t.fully, uint64(len(b.Name)))
		t.fully = append(t.fully, b.Name...)
	}
}

// fullyNames are the names in t.fully, in the order they were added.
func (t *Tally) fullyNames() []string {
	var names []string
	for rest := t.fully; len(rest) > 0; {
		n, w := binary.Uvarint(rest)
		rest = rest[w:]
		names = append(names, string(rest[:n]))
		rest = rest[n:]
	}
	return names
}

// Document assembles the report document from the snapshot's header
// fields (its buckets are not read: Add counted them), the rules that were
// evaluated and their findings, which it sorts.
func (t *Tally) Document(inv *inventory.Snapshot, rules []Rule, fs []Finding) Document {
	doc := Document{
		ToolName:       inv.Tool.Name,
		ToolVersion:    inv.Tool.Version,
		StartedAt:      inv.StartedAt,
		FinishedAt:     inv.FinishedAt,
		Partition:      inv.Partition,
		Rules:          append([]Rule(nil), rules...),
		Findings:       append([]Finding(nil), fs...),
		Coverage:       inv.Coverage,
		ShowObjectKeys: inv.ShowObjectKeys,
		Sample:         t.sample,
	}
	if inv.Organization != nil {
		doc.OrganizationID = inv.Organization.ID
	}
	for _, a := range inv.Accounts {
		if a.Scanned {
			doc.Accounts = append(doc.Accounts, a.ID)
		}
	}
	for r := range t.regions {
		doc.Regions = append(doc.Regions, r)
	}
	doc.FullySampledBuckets = t.fullyNames()
	sort.Strings(doc.Regions)
	sort.Strings(doc.FullySampledBuckets)
	sort.Slice(doc.Rules, func(i, j int) bool { return doc.Rules[i].ID < doc.Rules[j].ID })
	SortFindings(doc.Findings)
	AnnotateSites(&doc)
	return doc
}

// DocumentSet is Document with the findings in set (which All reads in
// order) rather than in a list.
func (t *Tally) DocumentSet(inv *inventory.Snapshot, rules []Rule, set *Set) Document {
	doc := t.Document(inv, rules, nil)
	doc.Set = set
	return doc
}

// SortFindings sorts by rule, severity (highest first), account, region,
// resource and message, so that output is deterministic.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return compareFindings(fs[i], fs[j]) < 0 })
}

// Compare is SortFindings' order: negative when a comes before b.
func Compare(a, b Finding) int { return compareFindings(a, b) }

// compareFindings is SortFindings' order.
func compareFindings(a, b Finding) int {
	switch {
	case a.RuleID != b.RuleID:
		return strings.Compare(a.RuleID, b.RuleID)
	case a.Severity != b.Severity:
		if a.Severity > b.Severity {
			return -1
		}
		return 1
	case a.AccountID != b.AccountID:
		return strings.Compare(a.AccountID, b.AccountID)
	case a.Region != b.Region:
		return strings.Compare(a.Region, b.Region)
	case a.ResourceARN != b.ResourceARN:
		return strings.Compare(a.ResourceARN, b.ResourceARN)
	}
	return strings.Compare(a.Message, b.Message)
}

// All yields the document's findings in order: from Set when the findings
// are held there (a large run), else from Findings.
func (d *Document) All() iter.Seq[Finding] {
	if d.Set != nil {
		all := d.Set.All()
		if d.shared != nil {
			if s, ok := d.shared.claim(d.reader); ok {
				all = s
			}
		}
		if d.activeOnly {
			return func(yield func(Finding) bool) {
				for f := range all {
					if !f.Suppressed() && !yield(f) {
						return
					}
				}
			}
		}
		return all
	}
	return slices.Values(d.Findings)
}

// AllLimited yields, in All's order, the first limit(rule, severity)
// findings of each rule and severity, and no others: from a Set, only
// those are read from its file (Set.Limited). It reads on its own, never
// from the read a Broadcast shares, which it lets go on without it. An
// ActiveOnly view counts active findings, reading every finding.
func (d *Document) AllLimited(limit func(rule string, sev Severity) int) iter.Seq[Finding] {
	if d.Set != nil && !d.activeOnly {
		if d.shared != nil {
			d.shared.release(d.reader)
		}
		return d.Set.Limited(limit)
	}
	return func(yield func(Finding) bool) {
		taken := map[ruleSeverity]int{}
		for f := range d.All() {
			k := ruleSeverity{f.RuleID, f.Severity}
			if taken[k] < limit(k.rule, k.sev) {
				taken[k]++
				if !yield(f) {
					return
				}
			}
		}
	}
}

// Count is the number of findings.
func (d *Document) Count() int {
	if d.Set != nil {
		if d.activeOnly {
			return d.Set.Len() - d.Set.SuppressedCount()
		}
		return d.Set.Len()
	}
	return len(d.Findings)
}

// CountByRule counts the findings per rule ID.
func (d *Document) CountByRule() map[string]int {
	if d.Set != nil {
		return d.Set.countByRule(d.activeOnly)
	}
	out := map[string]int{}
	for _, f := range d.Findings {
		out[f.RuleID]++
	}
	return out
}

// CountBySeverity counts the findings per severity.
func (d *Document) CountBySeverity() map[Severity]int {
	if d.Set != nil {
		return d.Set.countBySeverity(d.activeOnly)
	}
	out := map[Severity]int{}
	for _, f := range d.Findings {
		out[f.Severity]++
	}
	return out
}

// CountByRuleSeverity counts the findings per rule and severity. ordered
// reports whether All yields them in SortFindings' order (always from a
// Set; from a list, when it is sorted), so that a reader may tell from the
// counts alone where each rule's findings of each severity come.
func (d *Document) CountByRuleSeverity() (counts map[string]map[Severity]int, ordered bool) {
	if d.Set != nil {
		return d.Set.countByRuleSeverity(d.activeOnly), true
	}
	counts = map[string]map[Severity]int{}
	for _, f := range d.Findings {
		if counts[f.RuleID] == nil {
			counts[f.RuleID] = map[Severity]int{}
		}
		counts[f.RuleID][f.Severity]++
	}
	return counts, slices.IsSortedFunc(d.Findings, compareFindings)
}
