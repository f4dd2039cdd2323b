// Package sarif writes a findings.Document as a SARIF 2.1.0 log that the
// SARIF Multitool validates and GitHub code scanning accepts.
//
// Cloud resources are not files, yet GitHub code scanning needs a physical
// location for every result, so each resource gets a stable relative URI
// ("aws/<account>/s3/<bucket>", ".../objects/<key hash>",
// "aws/<account>/cloudfront/<distribution>", "aws/<account>/account") and
// its ARN goes into logicalLocations. partialFingerprints carry a hash of
// rule + resource identity, so a finding keeps its identity night after
// night (docs.github.com, "SARIF support for code scanning": "Preventing
// duplicate alerts using fingerprints").
package sarif

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/internal/jsonindent"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// SchemaURI is the OASIS SARIF 2.1.0 schema (with errata 01).
const SchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// Version is the SARIF version written.
const Version = "2.1.0"

// GitHubMaxResults is GitHub code scanning's limit of results in one run
// (docs.github.com, "SARIF support for code scanning", "Upload limits").
// A run with more is rejected, so Write keeps the most severe results up to
// the limit and summarises the rest (see Options.MaxResults).
const GitHubMaxResults = 25000

// FingerprintKey names hoofprint's entry in partialFingerprints. It is
// versioned so that a change of identity scheme is a new key, not a silent
// re-identification of every alert.
const FingerprintKey = "hoofprintFinding/v1"

// DefaultInformationURI is where the tool is documented.
const DefaultInformationURI = "https://github.com/hoofprint/hoofprint"

// Notification descriptor IDs (runs[0].tool.driver.notifications).
const (
	NotificationCoverageGap    = "coverage-gap"
	NotificationSampleClean    = "sample-clean"
	NotificationResultsOmitted = "results-omitted"
	NotificationInterrupted    = "scan-interrupted"
)

// Baseline states (SARIF §3.27.24).
const (
	BaselineNew       = "new"
	BaselineUnchanged = "unchanged"
	BaselineUpdated   = "updated"
	BaselineAbsent    = "absent"
)

// Options tune the log.
type Options struct {
	// Baseline is last night's log (ReadBaseline). When set, every result
	// carries baselineState and results that are gone are listed as absent.
	Baseline *Log
	// AutomationID is runs[0].automationDetails.id. GitHub compares runs
	// whose IDs share the part before the last "/". Empty means
	// "hoofprint/<organization or account>/<start time>"; an ID ending in
	// "/" gets the start time appended as the run's instance.
	AutomationID string
	// InformationURI overrides DefaultInformationURI.
	InformationURI string
	// MaxResults caps results in the run (0 means GitHubMaxResults).
	MaxResults int
}

// Write writes doc as an indented SARIF 2.1.0 log: byte for byte the log
// Build returns, encoded at once, but streamed. The head of the log (the
// driver with every rule a result points at, the invocation with its
// omitted-results notice) comes before the results in the JSON, so it is
// settled first (plan); then each result is built, encoded and written in
// turn, so that neither the results of a large run nor their JSON are ever
// held.
func Write(w io.Writer, doc findings.Document, opts Options) error {
	p, err := plan(doc, opts)
	if err != nil {
		return err
	}
	if p.total == 0 {
		p.log.Runs[0].Results = []Result{}
		return encodeIndented(w, p.log)
	}
	var head bytes.Buffer
	if err := encodeIndented(&head, p.log); err != nil {
		return err
	}
	// The run is the only one, at a fixed depth; a string cannot hold a raw
	// newline, so this is the results member and nothing else.
	const slot = "\n      \"results\": null"
	before, after, ok := bytes.Cut(head.Bytes(), []byte(slot))
	if !ok {
		return errors.New("write SARIF: the log has no place for its results")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.Write(before)
	_, _ = bw.WriteString("\n      \"results\": [\n")
	enc := jsonindent.NewEncoder("        ", "  ")
	n := 0
	err = p.results(func(r *Result) error {
		b, err := enc.Encode(r)
		if err != nil {
			return fmt.Errorf("write SARIF: result %d (%s): %w", n, r.RuleID, err)
		}
		_, _ = bw.WriteString("        ")
		_, _ = bw.Write(bytes.TrimSuffix(b, []byte("\n")))
		n++
		if n < p.total {
			_, _ = bw.WriteString(",")
		}
		_, _ = bw.WriteString("\n")
		return nil
	})
	if err != nil {
		return err
	}
	if n != p.total {
		// The findings were read twice and did not agree (a spill file
		// that could not be read back): the log would not be valid JSON.
		return fmt.Errorf("write SARIF: %d results planned, %d read", p.total, n)
	}
	_, _ = bw.WriteString("      ]")
	_, _ = bw.Write(after)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write SARIF: %w", err)
	}
	return nil
}

func encodeIndented(w io.Writer, log *Log) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write SARIF: %w", err)
	}
	return nil
}

// ReadBaseline reads a SARIF log written by an earlier run.
func ReadBaseline(path string) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read SARIF baseline: %w", err)
	}
	defer func() { _ = f.Close() }()
	l, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("read SARIF baseline %s: %w", path, err)
	}
	// Another tool's log has none of hoofprint's fingerprints: every
	// result would be marked new, silently.
	var tools []string
	for _, run := range l.Runs {
		if strings.EqualFold(run.Tool.Driver.Name, "hoofprint") {
			return l, nil
		}
		tools = append(tools, strconv.Quote(run.Tool.Driver.Name))
	}
	if len(tools) == 0 {
		return nil, fmt.Errorf("SARIF baseline %s holds no run: not a hoofprint SARIF log", path)
	}
	return nil, fmt.Errorf("SARIF baseline %s holds no hoofprint run (tools %s): give the SARIF log of an earlier hoofprint run", path, strings.Join(tools, ", "))
}

// MaxBaselineBytes bounds a SARIF log read back as a baseline. hoofprint
// writes at most 25,000 results (GitHub's cap), a few tens of megabytes.
const MaxBaselineBytes = 1 << 30

// Decode reads one SARIF 2.1.0 log of at most MaxBaselineBytes; anything
// but white space after it is an error (a truncated or concatenated file
// must not pass as a baseline).
func Decode(r io.Reader) (*Log, error) {
	var l Log
	lr := &io.LimitedReader{R: r, N: MaxBaselineBytes + 1}
	dec := json.NewDecoder(lr)
	if err := dec.Decode(&l); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("decode SARIF: larger than %d bytes", MaxBaselineBytes)
		}
		return nil, fmt.Errorf("decode SARIF: %w", err)
	}
	rest, err := io.ReadAll(io.MultiReader(dec.Buffered(), lr))
	if err != nil {
		return nil, fmt.Errorf("decode SARIF: %w", err)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("decode SARIF: larger than %d bytes", MaxBaselineBytes)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("decode SARIF: unexpected data after the log")
	}
	if l.Version != Version {
		return nil, fmt.Errorf("SARIF version %q is not supported (want %s)", l.Version, Version)
	}
	return &l, nil
}

// Build assembles the log without writing it: the log Write writes, with
// every result in memory (tests and small runs).
func Build(doc findings.Document, opts Options) (*Log, error) {
	p, err := plan(doc, opts)
	if err != nil {
		return nil, err
	}
	results := make([]Result, 0, p.total)
	if err := p.results(func(r *Result) error {
		results = append(results, *r)
		return nil
	}); err != nil {
		return nil, err
	}
	p.log.Runs[0].Results = results
	return p.log, nil
}

// logPlan is a log settled but for its results, and what results yields
// them from.
type logPlan struct {
	doc       findings.Document
	max       int
	ruleIndex map[string]int
	// prev holds the baseline's results by fingerprint (nil without a
	// baseline); absent the ones not seen again that the cap keeps.
	prev   map[string]Result
	absent []Result
	// total is how many results results yields.
	total int
	log   *Log
}

// plan settles everything in the log that the results decide, without
// holding the results: which findings the cap keeps (keptFindings), the
// minimal descriptors of rules without metadata (in the order their first
// kept finding comes), which baseline results are absent, and the counts of
// the results left out. The document's counts are enough when there is no
// cap, no baseline and every rule has metadata (a night's usual case);
// otherwise one pass over the findings reads rule IDs and, with a baseline,
// fingerprints, keeping only those that match a baseline result.
func plan(doc findings.Document, opts Options) (*logPlan, error) {
	if opts.MaxResults <= 0 {
		opts.MaxResults = GitHubMaxResults
	}
	info := opts.InformationURI
	if info == "" {
		info = DefaultInformationURI
	}
	driver := ToolComponent{
		Name: cmp.Or(doc.ToolName, "hoofprint"),
		// SARIF2005 asks for a version that starts with a digit.
		Version:         strings.TrimPrefix(doc.ToolVersion, "v"),
		SemanticVersion: semver(doc.ToolVersion),
		InformationURI:  info,
		Notifications:   notificationDescriptors(),
	}
	ruleIndex := map[string]int{}
	for _, r := range doc.Rules {
		ruleIndex[r.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, ruleDescriptor(r))
	}
	p := &logPlan{doc: doc, max: opts.MaxResults, ruleIndex: ruleIndex}

	var order []string
	var baseRules map[string]ReportingDescriptor
	if opts.Baseline != nil {
		p.prev, order, baseRules = baselineResults(opts.Baseline)
	}
	keep, preOmitted := keptFindings(&doc, opts.MaxResults)
	kept := doc.Count()
	observed := map[string]bool{} // baseline fingerprints seen again
	pass := p.prev != nil || preOmitted != nil || unknownRules(&doc, ruleIndex)
	if pass && p.prev == nil {
		// Without a baseline, the counts tell what the pass would: a large
		// run's findings are not read from the spill file one more time.
		if omitted, rules, first, _, ok := keptByCounts(&doc, opts.MaxResults); ok {
			pass, preOmitted = false, omitted
			kept = min(kept, opts.MaxResults)
			for _, id := range rules {
				if _, known := ruleIndex[id]; !known {
					ruleIndex[id] = len(driver.Rules)
					driver.Rules = append(driver.Rules, missingRule(id, first[id]))
				}
			}
		}
	}
	if pass {
		kept = 0
		for f := range doc.All() {
			if keep(f) {
				kept++
				if _, ok := ruleIndex[f.RuleID]; !ok {
					// A finding whose rule metadata is missing still gets a
					// minimal descriptor: ruleIndex must point at a rule
					// (SARIF §3.27.6).
					ruleIndex[f.RuleID] = len(driver.Rules)
					driver.Rules = append(driver.Rules, missingRule(f.RuleID, f.Severity))
				}
			}
			if p.prev != nil {
				// A finding left out by the cap is still present: its
				// baseline result is not "absent".
				fp := view.Fingerprint(f.RuleID, view.ParseResource(view.RedactFinding(f, doc.ShowObjectKeys), doc.ShowObjectKeys))
				if _, ok := p.prev[fp]; ok {
					observed[fp] = true
				}
			}
		}
	}
	if p.prev != nil {
		p.absent = absentResults(p.prev, order, observed, baseRules, &driver, ruleIndex, view.NewScope(doc))
	}

	// The cap keeps the most severe results and drops absent ones first:
	// keptFindings kept at most max findings, so what is over is absent
	// results, the last ones.
	omitted := preOmitted
	p.total = kept + len(p.absent)
	if p.total > opts.MaxResults {
		room := max(opts.MaxResults-kept, 0)
		if omitted == nil {
			omitted = map[string]int{}
		}
		for _, r := range p.absent[room:] {
			omitted[r.RuleID]++
		}
		p.absent = p.absent[:room]
		p.total = kept + room
	}

	inv := invocation(doc)
	runProps := map[string]any{
		"hoofprint/accounts":       nonNil(doc.Accounts),
		"hoofprint/sample":         doc.Sample,
		"hoofprint/showObjectKeys": doc.ShowObjectKeys,
		"hoofprint/coverageGaps":   len(doc.Coverage.Gaps),
	}
	if doc.OrganizationID != "" {
		runProps["hoofprint/organizationId"] = doc.OrganizationID
	}
	if !doc.ShowObjectKeys {
		// Object keys may hold patient data, so results name objects by a
		// keyed hash; say here how a reader gets a key back.
		runProps["hoofprint/objectKeys"] = "Object keys are not in this log (they may hold patient data): an object is named by " +
			"its first path segment and hmac:<32 hex>, an HMAC-SHA256 of bucket/key under the deployment's key secret. " +
			"To get a key back, run 'hoofprint keys resolve --bucket BUCKET HASH' with credentials that may list the bucket " +
			"and the same key secret (--key-secret-file or HOOFPRINT_KEY_SECRET); or rescan with --show-object-keys " +
			"where the reports may hold patient data."
	}
	if len(omitted) > 0 {
		total := 0
		for _, n := range omitted {
			total += n
		}
		runProps["hoofprint/omittedResults"] = omitted
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, Notification{
			Descriptor: ref(NotificationResultsOmitted, 2),
			Level:      "warning",
			Message: Message{Text: fmt.Sprintf("%d results were left out to stay within GitHub code scanning's limit of %d results a run; "+
				"the most severe were kept. Per-rule counts of the omitted results are in run properties \"hoofprint/omittedResults\"; "+
				"the ASFF file and Security Hub hold every finding.", total, opts.MaxResults)},
			Properties: map[string]any{"omitted": omitted},
		})
	}
	sampled := sampleNotes(doc, ruleIndex)
	inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sampled...)

	var taxonomies []Taxonomy
	if tax, taxa := hipaaTaxonomy(doc); tax != nil {
		relate(driver.Rules, doc, taxa)
		zero := 0
		driver.SupportedTaxonomies = []ToolComponentReference{{Name: tax.Name, Index: &zero, GUID: tax.GUID}}
		taxonomies = []Taxonomy{*tax}
	}
	run := Run{
		Tool:              Tool{Driver: driver},
		Taxonomies:        taxonomies,
		Invocations:       []Invocation{inv},
		AutomationDetails: &AutomationDetails{ID: automationID(doc, opts.AutomationID)},
		Properties:        runProps,
	}
	p.log = &Log{Schema: SchemaURI, Version: Version, Runs: []Run{run}}
	return p, nil
}

// missingRule is the minimal descriptor of a rule whose metadata is
// missing.
func missingRule(id string, sev findings.Severity) ReportingDescriptor {
	return ruleDescriptor(findings.Rule{ID: id, Title: id, Description: id, Severity: sev, Remediation: "See the finding's message."})
}

// unknownRules reports whether a finding names a rule without metadata.
func unknownRules(doc *findings.Document, ruleIndex map[string]int) bool {
	for id := range doc.CountByRule() {
		if _, ok := ruleIndex[id]; !ok {
			return true
		}
	}
	return false
}

// results yields the results in the log's order, built one at a time: the
// kept findings in the document's order, each with its baselineState, then
// the absent results.
func (p *logPlan) results(yield func(*Result) error) error {
	show := p.doc.ShowObjectKeys
	var err error
	for f := range p.kept() {
		f = view.RedactFinding(f, show)
		r := result(f, p.ruleIndex[f.RuleID], show)
		if p.prev != nil {
			r.BaselineState = baselineState(p.prev, &r)
		}
		if err = yield(&r); err != nil {
			return err
		}
	}
	for i := range p.absent {
		if err := yield(&p.absent[i]); err != nil {
			return err
		}
	}
	return nil
}

// kept yields the findings the cap keeps, in the document's order. When
// the counts say which (keptByCounts), only those are read: a spilled
// run's file is not decoded past them (at 1,000 accounts, 25,000 of
// 315,000 findings). Otherwise every finding is read and keptFindings
// decides.
func (p *logPlan) kept() iter.Seq[findings.Finding] {
	if p.doc.Count() > p.max {
		if _, _, _, n, ok := keptByCounts(&p.doc, p.max); ok {
			return p.doc.AllLimited(func(rule string, sev findings.Severity) int { return n[rule][sev] })
		}
	}
	keep, _ := keptFindings(&p.doc, p.max)
	return func(yield func(findings.Finding) bool) {
		for f := range p.doc.All() {
			if keep(f) && !yield(f) {
				return
			}
		}
	}
}

func notificationDescriptors() []ReportingDescriptor {
	d := func(id, name, short, full string) ReportingDescriptor {
		// GitHub's ingestion rules (Multitool GH2012) want help on every
		// descriptor, notifications included.
		return ReportingDescriptor{ID: id, Name: name, ShortDescription: &Message{Text: short}, FullDescription: &Message{Text: full},
			Help: &MultiformatMessage{Text: full, Markdown: full}}
	}
	return []ReportingDescriptor{
		d(NotificationCoverageGap, "CoverageGap", "Something could not be read, so it was not evaluated.",
			"An AWS API call was denied or failed. What it would have returned was not evaluated: this is a gap, never a pass."),
		d(NotificationSampleClean, "CleanSample", "A sampled rule found nothing in the sample.",
			"Objects are sampled, not all read. A rule that found nothing states the sample size and a 95% upper confidence bound (rule of three) instead of a bare pass."),
		d(NotificationResultsOmitted, "ResultsOmitted", "Results were left out to stay within GitHub's limit.",
			"GitHub code scanning rejects a run with more than 25,000 results; the most severe results are kept and the rest counted."),
		d(NotificationInterrupted, "ScanInterrupted", "The scan stopped early.",
			"The scan was interrupted or hit its deadline; what was not reached was not evaluated."),
	}
}

func ref(id string, index int) *DescriptorReference {
	return &DescriptorReference{ID: id, Index: &index}
}

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

// semver returns v without a leading "v" when it is a semantic version
// (SARIF §3.19.10 asks for SemVer 2.0.0), otherwise "".
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if semverRE.MatchString(v) {
		return v
	}
	return ""
}

// Level maps a severity to a SARIF result level (§3.27.10).
func Level(s findings.Severity) string {
	switch {
	case s >= findings.SeverityHigh:
		return "error"
	case s == findings.SeverityMedium:
		return "warning"
	default:
		return "note"
	}
}

// ruleName is the rule ID in PascalCase: SARIF §3.49.7 wants a name that is
// an identifier, not a sentence.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || r == ' ' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxTags is GitHub's limit of tags per rule (docs.github.com, "SARIF
// support for code scanning": only the first 20 are kept).
const maxTags = 20

func ruleDescriptor(r findings.Rule) ReportingDescriptor {
	tags := []string{"security", "aws", "hipaa"}
	for _, h := range r.HIPAA {
		tags = append(tags, "HIPAA-"+h)
	}
	if r.ResourceType != "" {
		tags = append(tags, r.ResourceType)
	}
	if len(tags) > maxTags {
		tags = tags[:maxTags]
	}
	props := map[string]any{
		// GitHub reads security-severity as a string holding a number.
		"security-severity":  view.SecuritySeverity(r.Severity),
		"tags":               tags,
		"precision":          "very-high",
		"hoofprint/severity": r.Severity.String(),
	}
	if len(r.HIPAA) > 0 {
		props["hoofprint/hipaa"] = r.HIPAA
	}
	if r.Sampled {
		props["hoofprint/sampled"] = true
	}
	if r.Source != "" {
		props["hoofprint/source"] = r.Source
	}
	return ReportingDescriptor{
		ID:                   r.ID,
		Name:                 ruleName(r.ID),
		ShortDescription:     &Message{Text: cmp.Or(r.Title, r.ID)},
		FullDescription:      &Message{Text: cmp.Or(r.Description, r.Title, r.ID)},
		DefaultConfiguration: &ReportingConfiguration{Level: Level(r.Severity)},
		HelpURI:              r.HelpURL,
		Help:                 help(r),
		Properties:           props,
	}
}

func help(r findings.Rule) *MultiformatMessage {
	var t, m strings.Builder
	desc := cmp.Or(r.Description, r.Title)
	fmt.Fprintf(&t, "%s\n\nRemediation: %s\n", desc, cmp.Or(r.Remediation, "see the documentation."))
	fmt.Fprintf(&m, "**%s**\n\n%s\n\n## Remediation\n\n%s\n", cmp.Or(r.Title, r.ID), desc, cmp.Or(r.Remediation, "See the documentation."))
	if r.SiteRemediation != "" {
		fmt.Fprintf(&t, "\nWhere a CloudFront site reads the bucket through public access (the result's hoofprint/siteRemediation property says so): %s\n", r.SiteRemediation)
		fmt.Fprintf(&m, "\n### Where a CloudFront site reads the bucket through public access\n\nThe result's `hoofprint/siteRemediation` property marks these results. %s\n", r.SiteRemediation)
	}
	if r.DoFirst != "" {
		fmt.Fprintf(&t, "\nDo first: %s\n", r.DoFirst)
		fmt.Fprintf(&m, "\n**Do first:** %s\n", r.DoFirst)
	}
	if r.RemediationCLI != "" {
		fmt.Fprintf(&t, "\nFix with the AWS CLI:\n    %s\n", r.RemediationCLI)
		fmt.Fprintf(&m, "\n```sh\n%s\n```\n", r.RemediationCLI)
	}
	if len(r.HIPAA) > 0 {
		fmt.Fprintf(&t, "\nHIPAA Security Rule: %s\n", strings.Join(r.HIPAA, ", "))
		fmt.Fprintf(&m, "\n**HIPAA Security Rule:** %s\n", strings.Join(r.HIPAA, ", "))
	}
	if r.HelpURL != "" {
		fmt.Fprintf(&t, "\nMore: %s\n", r.HelpURL)
		fmt.Fprintf(&m, "\n[Documentation](%s)\n", r.HelpURL)
	}
	if len(r.RelatedResources) > 0 {
		t.WriteString("\nAWS documentation:\n")
		m.WriteString("\n**AWS documentation:**\n\n")
		for _, u := range r.RelatedResources {
			fmt.Fprintf(&t, "  %s\n", u)
			fmt.Fprintf(&m, "- <%s>\n", u)
		}
	}
	return &MultiformatMessage{Text: strings.TrimSpace(t.String()), Markdown: strings.TrimSpace(m.String())}
}

func result(f findings.Finding, ruleIdx int, show bool) Result {
	res := view.ParseResource(f, show)
	idx := ruleIdx
	props := map[string]any{
		"accountId":    f.AccountID,
		"resourceType": f.ResourceType,
		"resourceArn":  res.ARN,
		"severity":     f.Severity.String(),
		// Per-result security-severity lets GitHub rank a result whose
		// severity differs from its rule's default.
		"security-severity": view.SecuritySeverity(f.Severity),
	}
	if f.Region != "" {
		props["region"] = f.Region
	}
	if len(f.Evidence) > 0 {
		props["evidence"] = f.Evidence
	}
	if f.SiteRemediation != "" {
		// This result is on a bucket a CloudFront site reads through public
		// access: the rule's usual fix applied first breaks the site.
		props["hoofprint/siteRemediation"] = f.SiteRemediation
	}
	if v := f.Verified(); v != "" {
		// Top level, so a SARIF viewer can filter on it without digging
		// into the evidence.
		props["verified"] = v
	}
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("%s fired on %s.", f.RuleID, res.Name)
	}
	if f.SiteRemediation != "" {
		msg += " A CloudFront site reads this bucket only through public access: fix it in the order of the rule's site remediation, or the site goes down."
	}
	var sup []Suppression
	if s := f.Suppression; s != nil {
		sup = []Suppression{{
			Kind:          "external",
			Status:        "accepted",
			Justification: s.Reason,
			Properties: map[string]any{
				"owner":   s.Owner,
				"expires": s.Expires.UTC().Format(time.RFC3339),
				"source":  s.Source,
			},
		}}
	}
	return Result{
		Suppressions: sup,
		RuleID:       f.RuleID,
		RuleIndex:    &idx,
		Level:        Level(f.Severity),
		Message:      Message{Text: msg},
		Locations: []Location{{
			PhysicalLocation: &PhysicalLocation{
				ArtifactLocation: ArtifactLocation{URI: res.URI()},
				// GitHub code scanning requires a region; a resource has no
				// lines, so the whole "artifact" is its first position.
				Region: &Region{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1},
			},
			LogicalLocations: []LogicalLocation{{Name: res.Name, FullyQualifiedName: res.ARN, Kind: "resource"}},
		}},
		PartialFingerprints: map[string]string{FingerprintKey: view.Fingerprint(f.RuleID, res)},
		Properties:          props,
	}
}

func invocation(doc findings.Document) Invocation {
	inv := Invocation{ExecutionSuccessful: doc.Coverage.Complete}
	if !doc.StartedAt.IsZero() {
		t := doc.StartedAt.UTC()
		inv.StartTimeUTC = &t
	}
	if !doc.FinishedAt.IsZero() {
		t := doc.FinishedAt.UTC()
		inv.EndTimeUTC = &t
	}
	if !doc.Coverage.Complete {
		reason := cmp.Or(doc.Coverage.Interrupted, "unknown reason")
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, Notification{
			Descriptor: ref(NotificationInterrupted, 3),
			Level:      "error",
			Message:    Message{Text: "The scan stopped early (" + reason + "); resources it did not reach were not evaluated."},
		})
	}
	for _, g := range doc.Coverage.Gaps {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, gapNotification(g, doc.ShowObjectKeys))
	}
	return inv
}

func gapNotification(g inventory.Gap, show bool) Notification {
	var where []string
	if g.Resource != "" {
		where = append(where, g.Resource)
	}
	where = append(where, "account "+cmp.Or(g.AccountID, "unknown"))
	if g.Region != "" {
		where = append(where, g.Region)
	}
	text := fmt.Sprintf("Not evaluated: %s %s on %s failed with %s", g.Service, g.Operation, strings.Join(where, ", "), cmp.Or(g.Code, "an error"))
	msg := g.Message
	if !show && isObjectARN(g.Resource) {
		// An error message about an object may quote its key.
		msg = ""
	}
	if msg != "" {
		text += ": " + msg
	}
	props := map[string]any{"accountId": g.AccountID, "service": g.Service, "operation": g.Operation, "code": g.Code}
	if g.Region != "" {
		props["region"] = g.Region
	}
	if g.Resource != "" {
		props["resource"] = g.Resource
	}
	return Notification{
		Descriptor: ref(NotificationCoverageGap, 0),
		// The run went on; "warning" rather than "error" because the rest
		// of the organization was evaluated.
		Level:      "warning",
		Message:    Message{Text: strings.TrimRight(text, ".") + "."},
		Properties: props,
	}
}

func isObjectARN(a string) bool {
	return strings.HasPrefix(a, "arn:") && strings.Contains(a, ":s3:::") && strings.Contains(strings.SplitN(a, ":::", 2)[1], "/")
}

func sampleNotes(doc findings.Document, ruleIndex map[string]int) []Notification {
	var out []Notification
	for _, r := range doc.Rules {
		note := view.SampleNote(doc, r)
		if note == "" {
			continue
		}
		n := doc.Sample.Judged(r.ID)
		out = append(out, Notification{
			Descriptor:     ref(NotificationSampleClean, 1),
			AssociatedRule: ref(r.ID, ruleIndex[r.ID]),
			Level:          "note",
			Message:        Message{Text: note},
			Properties: map[string]any{
				"sampled":             n,
				"affected":            0,
				"upperBound95":        findings.UpperBound95(n),
				"bucketsIncomplete":   doc.Sample.BucketsIncomplete,
				"bucketsAclsDisabled": doc.Sample.BucketsACLsOff,
			},
		})
	}
	return out
}

// baselineResults indexes a baseline's results (absent ones left out) by
// fingerprint, the last of a fingerprint winning, with the order in which
// fingerprints first appear and the baseline's rule descriptors.
func baselineResults(base *Log) (prev map[string]Result, order []string, rules map[string]ReportingDescriptor) {
	prev = map[string]Result{}
	rules = map[string]ReportingDescriptor{}
	for _, run := range base.Runs {
		for _, r := range run.Tool.Driver.Rules {
			rules[r.ID] = r
		}
		for _, r := range run.Results {
			if r.BaselineState == BaselineAbsent {
				continue
			}
			fp := r.PartialFingerprints[FingerprintKey]
			if fp == "" {
				continue
			}
			if _, dup := prev[fp]; !dup {
				order = append(order, fp)
			}
			prev[fp] = r
		}
	}
	return prev, order, rules
}

// baselineState compares a result with the baseline (SARIF §3.27.24),
// matching by FingerprintKey.
func baselineState(prev map[string]Result, r *Result) string {
	old, ok := prev[r.PartialFingerprints[FingerprintKey]]
	switch {
	case !ok:
		return BaselineNew
	case old.Level != r.Level || old.Message.Text != r.Message.Text:
		return BaselineUpdated
	}
	return BaselineUnchanged
}

// absentResults are the baseline's results whose fingerprint was not
// observed again, in the baseline's order, marked "absent" (SARIF
// §3.27.24); a rule this run does not know gets the baseline's descriptor.
// An absent result whose rule, account and region were not fully evaluated
// this run is still listed as absent (SARIF has no "unknown" state) but
// says so in its message and in properties["hoofprint/fullyEvaluated"].
func absentResults(prev map[string]Result, order []string, observed map[string]bool, baseRules map[string]ReportingDescriptor, driver *ToolComponent, ruleIndex map[string]int, scope *view.Scope) []Result {
	var out []Result
	for _, fp := range order {
		if observed[fp] {
			continue
		}
		r := prev[fp]
		idx, ok := ruleIndex[r.RuleID]
		if !ok {
			d, found := baseRules[r.RuleID]
			if !found {
				d = ruleDescriptor(findings.Rule{ID: r.RuleID, Title: r.RuleID, Description: r.RuleID, Remediation: "This rule is no longer evaluated."})
			}
			idx = len(driver.Rules)
			ruleIndex[r.RuleID] = idx
			driver.Rules = append(driver.Rules, d)
		}
		r.RuleIndex = &idx
		r.BaselineState = BaselineAbsent
		props := map[string]any{}
		for k, v := range r.Properties {
			props[k] = v
		}
		acct, _ := props["accountId"].(string)
		region, _ := props["region"].(string)
		rtype, _ := props["resourceType"].(string)
		rarn, _ := props["resourceArn"].(string)
		full := scope.FullyEvaluated(r.RuleID, acct, region, rtype, rarn)
		props["hoofprint/fullyEvaluated"] = full
		r.Properties = props
		if full {
			r.Message.Text = "No longer observed (fixed since the baseline): " + r.Message.Text
		} else {
			r.Message.Text = "Not seen this run, but this rule was not fully evaluated for its account and region (coverage gap or sampling), so it may still be present: " + r.Message.Text
		}
		out = append(out, r)
	}
	return out
}

// keptFindings decides which findings the cap keeps as results
// when there are more than max: the max most severe, earlier ones first
// among equals (every finding outranks a baseline's absent result). It
// counts the findings by rank first, so it never holds them: the returned
// keep must be called once per finding, in doc.All's order. It returns the
// findings left out per rule, nil when all are kept.
func keptFindings(doc *findings.Document, max int) (keep func(findings.Finding) bool, omitted map[string]int) {
	if doc.Count() <= max {
		return func(findings.Finding) bool { return true }, nil
	}
	boundary, quota := capBoundary(doc, max)
	taken := 0
	omitted = map[string]int{}
	return func(f findings.Finding) bool {
		r := findingRank(f.Severity)
		switch {
		case r > boundary:
			return true
		case r == boundary && taken < quota:
			taken++
			return true
		}
		omitted[f.RuleID]++
		return false
	}, omitted
}

func findingRank(s findings.Severity) int { return severityRank(view.SecuritySeverity(s)) }

// capBoundary is the lowest rank the cap keeps and how many findings of
// that rank fit (0, 0 when every finding fits).
func capBoundary(doc *findings.Document, max int) (boundary, quota int) {
	if doc.Count() <= max {
		return 0, 0
	}
	perRank := map[int]int{}
	for sev, n := range doc.CountBySeverity() {
		perRank[findingRank(sev)] += n
	}
	left := max
	for r := 5; r >= 1; r-- {
		if perRank[r] >= left {
			return r, left
		}
		left -= perRank[r]
	}
	return 0, 0
}

// keptByCounts is what a pass of keptFindings' keep over the findings
// would find, worked out from the document's counts per rule and severity
// instead of reading the findings: the findings left out per rule (nil
// when all are kept), the rules with a kept finding in the order their
// first comes, with its severity, and how many of each rule and severity
// are kept (the first ones in All's order). It relies on All's order
// (rule, then severity, highest first): ok is false when the document
// cannot promise it.
func keptByCounts(doc *findings.Document, max int) (omitted map[string]int, rules []string, first map[string]findings.Severity, keptN map[string]map[findings.Severity]int, ok bool) {
	counts, ordered := doc.CountByRuleSeverity()
	if !ordered {
		return nil, nil, nil, nil, false
	}
	keptN = map[string]map[findings.Severity]int{}
	boundary, quota := capBoundary(doc, max)
	if doc.Count() > max {
		omitted = map[string]int{}
	}
	first = map[string]findings.Severity{}
	taken := 0
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		for _, sev := range slices.Backward(slices.Sorted(maps.Keys(counts[id]))) {
			n := counts[id][sev]
			kept := 0
			switch r := findingRank(sev); {
			case r > boundary:
				kept = n
			case r == boundary:
				kept = min(n, quota-taken)
				taken += kept
			}
			if _, seen := first[id]; !seen && kept > 0 {
				first[id] = sev
				rules = append(rules, id)
			}
			if n > kept {
				omitted[id] += n - kept
			}
			if keptN[id] == nil {
				keptN[id] = map[findings.Severity]int{}
			}
			keptN[id][sev] = kept
		}
	}
	return omitted, rules, first, keptN, true
}

// severityRank orders results by their security-severity.
func severityRank(s string) int {
	switch s {
	case "9.5":
		return 5
	case "8.0":
		return 4
	case "5.5":
		return 3
	case "3.0":
		return 2
	}
	return 1
}

func automationID(doc findings.Document, id string) string {
	instance := doc.StartedAt.UTC().Format(time.RFC3339)
	if doc.StartedAt.IsZero() {
		instance = "unknown-time"
	}
	if id == "" {
		scope := doc.OrganizationID
		if scope == "" && len(doc.Accounts) > 0 {
			scope = doc.Accounts[0]
		}
		id = "hoofprint/" + cmp.Or(scope, "scan") + "/"
	}
	if strings.HasSuffix(id, "/") {
		id += instance
	}
	return id
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
