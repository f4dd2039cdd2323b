// Package suppress reads the accepted-risk file (--suppressions) and marks
// the findings it covers. A suppressed finding is never dropped: every report
// still shows it, marked with the reason, owner and expiry, and only
// --fail-on and the active counts leave it out. An entry past its expiry
// stops suppressing, and an entry that matched nothing is reported stale, so
// the file cannot quietly outlive what it was written for.
package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

// DefaultMaxAge is how far away an expiry may be when Options.MaxAge is 0:
// an accepted risk is reviewed at least once a year.
const DefaultMaxAge = 365 * 24 * time.Hour

// FileName is the name under the --output prefix that a scan reads when no
// --suppressions file is given, so a scheduled task picks up a new file
// without an image rebuild.
const FileName = "suppressions.yaml"

// Options tune loading.
type Options struct {
	// Now is the clock (time.Now when zero).
	Now time.Time
	// MaxAge is the furthest an expiry may be from Now (DefaultMaxAge when 0).
	MaxAge time.Duration
}

// Set is a loaded suppressions file, and what it matched in one run.
type Set struct {
	// Source names the file ("" for none).
	Source  string
	Entries []Entry

	mu      sync.Mutex
	matched []int // per entry, by Mark
}

// Entry is one accepted risk with its compiled patterns.
type Entry struct {
	findings.SuppressionEntry
	rule, account, region, resource *regexp.Regexp
}

// file is the YAML document. Field names are what users write.
type file struct {
	Version      int         `yaml:"version"`
	Suppressions []yaml.Node `yaml:"suppressions"`
}

type entryYAML struct {
	Rule     string `yaml:"rule"`
	Account  string `yaml:"account"`
	Region   string `yaml:"region"`
	Resource string `yaml:"resource"`
	Reason   string `yaml:"reason"`
	Owner    string `yaml:"owner"`
	Expires  string `yaml:"expires"`
}

// Load reads and validates path.
func Load(path string, opts Options) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err // "open PATH: …" names the file; callers name the flag
	}
	return Parse(path, b, opts)
}

// Parse validates a suppressions document; name is used in errors
// ("name:line: …"). Every problem is reported, not only the first.
func Parse(name string, data []byte, opts Options) (*Set, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxAge := opts.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	var doc file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Set{Source: name}, nil // an empty file suppresses nothing
		}
		return nil, fmt.Errorf("%s: %s", name, readableYAMLError(err))
	}
	// A second document ("---") would be ignored, its entries with it. An
	// empty one (a trailing "---", as some tools write) holds nothing.
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: after the first document: %s", name, readableYAMLError(err))
		}
		if !emptyDocument(&more) {
			return nil, fmt.Errorf("%s:%d: a second YAML document: a suppressions file holds one (remove the \"---\" and merge the lists)", name, more.Line)
		}
	}
	if doc.Version != 0 && doc.Version != 1 {
		return nil, fmt.Errorf("%s: version %d is not supported (want 1)", name, doc.Version)
	}
	set := &Set{Source: name}
	var errs []error
	for i := range doc.Suppressions {
		n := &doc.Suppressions[i]
		var y entryYAML
		// Node.Decode ignores KnownFields: a misspelt key ("expiry") would
		// be dropped silently, so keys are checked here.
		if k := unknownKey(n); k != "" {
			errs = append(errs, fmt.Errorf("%s:%d: entry %d: unknown field %q (want rule, account, region, resource, reason, owner, expires)", name, lineOf(n, k), i+1, k))
			continue
		}
		if err := n.Decode(&y); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: entry %d: %w", name, n.Line, i+1, err))
			continue
		}
		e, problems := compile(y, now, maxAge)
		for _, p := range problems {
			errs = append(errs, fmt.Errorf("%s:%d: entry %d: %s", name, lineOf(n, p.field), i+1, p.msg))
		}
		if len(problems) == 0 {
			e.Source = fmt.Sprintf("%s:%d", name, n.Line)
			set.Entries = append(set.Entries, e)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// lineOf is the line of the field an error is about, when the entry has
// it, else the entry's first line.
func lineOf(n *yaml.Node, field string) int {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == field {
				return n.Content[i].Line
			}
		}
	}
	return n.Line
}

var knownKeys = map[string]bool{"rule": true, "account": true, "region": true, "resource": true, "reason": true, "owner": true, "expires": true}

// unknownKey returns the entry's first key that is not a known field.
func unknownKey(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !knownKeys[k] {
			return k
		}
	}
	return ""
}

type problem struct{ field, msg string }

var accountRE = regexp.MustCompile(`^[0-9*?]{1,12}$`)

func compile(y entryYAML, now time.Time, maxAge time.Duration) (Entry, []problem) {
	var ps []problem
	req := func(field, v, why string) {
		if strings.TrimSpace(v) == "" {
			ps = append(ps, problem{field, field + " is required (" + why + ")"})
		}
	}
	req("rule", y.Rule, "a rule ID such as s3-bucket-policy-public, or a glob")
	req("resource", y.Resource, "an ARN, or a glob such as arn:aws:s3:::marketing-*")
	req("reason", y.Reason, "why the risk is accepted")
	req("owner", y.Owner, "who accepted it and answers for it")
	req("expires", y.Expires, "a date such as 2027-06-30; the risk is reviewed again then")
	if strings.Trim(y.Resource, "*? ") == "" && y.Resource != "" {
		ps = append(ps, problem{"resource", fmt.Sprintf("resource %q matches every resource: name an ARN or a glob with a fixed part", y.Resource)})
	}
	// Without a "*" the value can only ever match a 12-character ID: "12"
	// would be valid and stale forever.
	if y.Account != "" && (!accountRE.MatchString(y.Account) || (!strings.Contains(y.Account, "*") && len(y.Account) != 12)) {
		ps = append(ps, problem{"account", fmt.Sprintf("account %q is not a 12-digit account ID (or a glob of one)", y.Account)})
	}
	e := Entry{SuppressionEntry: findings.SuppressionEntry{
		Rule: y.Rule, Account: y.Account, Region: y.Region, Resource: y.Resource,
		Reason: strings.TrimSpace(y.Reason), Owner: strings.TrimSpace(y.Owner),
	}}
	if y.Expires != "" {
		exp, err := parseExpiry(y.Expires)
		switch {
		case err != nil:
			ps = append(ps, problem{"expires", err.Error()})
		case exp.Sub(now) > maxAge:
			ps = append(ps, problem{"expires", fmt.Sprintf("expires %s is more than %d days away (the maximum; see --suppressions-max-days)",
				y.Expires, int(maxAge.Hours()/24))})
		default:
			e.Expires = exp
			e.Expired = !now.Before(exp)
		}
	}
	e.rule = glob(y.Rule)
	e.account = glob(y.Account)
	e.region = glob(y.Region)
	e.resource = glob(y.Resource)
	return e, ps
}

// parseExpiry reads a date (the entry suppresses through that whole day,
// UTC) or an RFC 3339 time (it stops at that instant).
func parseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("expires %q: want a date (2027-06-30) or an RFC 3339 time (2027-06-30T17:00:00Z)", s)
}

// glob compiles a pattern in which "*" matches any run of characters
// ("/" included, so arn:aws:s3:::site/* covers every object of a bucket)
// and "?" one character. An empty pattern matches anything.
func glob(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func match(re *regexp.Regexp, vs ...string) bool {
	if re == nil {
		return true
	}
	for _, v := range vs {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// Matches reports whether the entry's patterns cover f, whatever its
// expiry. The resource pattern is compared with the finding's ARN and, for
// an object whose ARN carries its key, with the key-hash form the reports
// show, so an entry written from a report works with or without
// --show-object-keys.
func (e Entry) Matches(f findings.Finding) bool {
	if !match(e.rule, f.RuleID) || !match(e.account, f.AccountID) {
		return false
	}
	if e.region != nil && !match(e.region, f.Region) {
		return false
	}
	return match(e.resource, resourceForms(f)...)
}

func resourceForms(f findings.Finding) []string {
	forms := []string{f.ResourceARN}
	if f.ResourceType != findings.ResourceS3Object {
		return forms
	}
	if _, rest, ok := strings.Cut(f.ResourceARN, ":::"); ok {
		bucket, key, _ := strings.Cut(rest, "/")
		// A key the reports show as a hash is already in that form; a raw
		// key (--show-object-keys) is also matched in the form the reports
		// give a raw key they redact (report/internal/view).
		if key != "" && !strings.HasPrefix(key, "sha256:") && !strings.HasPrefix(key, "hmac:") {
			forms = append(forms, strings.TrimSuffix(f.ResourceARN, key)+inventory.HashKey(bucket, key))
		}
	}
	return forms
}

// UnknownRules returns an error naming entries whose rule is a plain ID
// (no glob) that is not among ids: a typo would otherwise suppress nothing
// and only show up as stale.
func (s *Set) UnknownRules(ids []string) error {
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	var errs []error
	for _, e := range s.Entries {
		if !strings.ContainsAny(e.Rule, "*?") && !known[e.Rule] {
			errs = append(errs, fmt.Errorf("%s: rule %q is not a rule hoofprint evaluates ('hoofprint rules list' shows them)", e.Source, e.Rule))
		}
	}
	return errors.Join(errs...)
}

// Mark sets Suppression on each finding of fs that an unexpired entry
// covers (the first such entry, in file order) and counts, for every entry,
// the findings it covers (or would cover, if expired). It is safe for
// concurrent use, so findings can be marked as each bucket is evaluated,
// before they are stored; Report then says what each entry did.
func (s *Set) Mark(fs []findings.Finding) {
	if s == nil {
		// No accepted risks: none of fs is suppressed, whatever an earlier
		// step (a shard) marked.
		for i := range fs {
			fs[i].Suppression = nil
		}
		return
	}
	counts := make([]int, len(s.Entries))
	for fi := range fs {
		f := &fs[fi]
		f.Suppression = nil
		for i, e := range s.Entries {
			if !e.Matches(*f) {
				continue
			}
			counts[i]++
			if !e.Expired && f.Suppression == nil {
				f.Suppression = &findings.Suppression{Reason: e.Reason, Owner: e.Owner, Expires: e.Expires, Source: e.Source}
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.matched == nil {
		s.matched = make([]int, len(s.Entries))
	}
	for i, n := range counts {
		s.matched[i] += n
	}
}

// Report returns the entries with the findings Mark counted for each.
func (s *Set) Report() []findings.SuppressionEntry {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]findings.SuppressionEntry, len(s.Entries))
	for i, e := range s.Entries {
		out[i] = e.SuppressionEntry
		out[i].Matched = 0
		if s.matched != nil {
			out[i].Matched = s.matched[i]
		}
	}
	return out
}

// Apply marks the findings of an in-memory doc (Mark) and records in
// doc.Suppressions what every entry did, counting only doc's findings.
func (s *Set) Apply(doc *findings.Document) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.matched = nil
	s.mu.Unlock()
	s.Mark(doc.Findings)
	doc.Suppressions = s.Report()
	doc.SuppressionsSource = s.Source
}

// yamlTypeNames turns the Go types in the YAML decoder's messages into
// what the user wrote: "field supressions not found in type suppress.file"
// says nothing to someone editing suppressions.yaml.
var yamlTypeNames = strings.NewReplacer(
	"in type suppress.file", "at the top level (want version and suppressions)",
	"!!seq into suppress.file", "a list at the top level (want a map with version and suppressions)",
	"!!str into suppress.file", "text at the top level (want a map with version and suppressions)",
	"!!map into []yaml.Node", "a map as suppressions (want a list of entries, each starting with \"- \")",
	"!!str into []yaml.Node", "text as suppressions (want a list of entries, each starting with \"- \")",
)

func readableYAMLError(err error) string {
	return yamlTypeNames.Replace(err.Error())
}

// emptyDocument says whether n, a decoded document, holds nothing (only a
// "---", or comments).
func emptyDocument(n *yaml.Node) bool {
	if n.Kind == 0 || len(n.Content) == 0 {
		return true
	}
	c := n.Content[0]
	return len(n.Content) == 1 && c.Kind == yaml.ScalarNode && c.Tag == "!!null"
}
