// Package summary writes the terminal summary of a scan: counts by severity
// and rule, the worst resources, what could not be read, what a clean
// sample is worth, and where the reports went.
package summary

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/termsafe"
	"github.com/hoofprint/hoofprint/report/internal/view"
	"github.com/hoofprint/hoofprint/report/securityhub"
)

// ErrFailOn is returned (wrapped) by FailOn when findings reach the
// --fail-on threshold; cmd maps it to exit code 1.
var ErrFailOn = errors.New("findings at or above the --fail-on severity")

// File is one report written: Kind labels it ("SARIF", "ASFF",
// "inventory", "SARIF (uploaded)"…), Location is a path or an s3:// URI.
type File struct {
	Kind     string
	Location string
}

// Options tune the summary.
type Options struct {
	// Files are the reports written, listed under "Reports".
	Files []File
	// SecurityHub is the import result, nil when findings were not imported.
	SecurityHub *securityhub.Result
	// FailOn is the --fail-on threshold (SeverityNone: off).
	FailOn findings.Severity
	// MaxResources caps the worst-resources list (0 means 10; Facts from
	// a Tally hold 10).
	MaxResources int
	// MaxGaps caps the listed coverage gaps (0 means 20); all are counted.
	MaxGaps int
	// Now dates "expires in N days" (doc.FinishedAt when zero, else
	// time.Now).
	Now time.Time
	// Facts, when set, are what Gather read of the same document's
	// findings: Write then does not read them again (a large run reads
	// them from a spill file, once, with the other reports: pipeline).
	Facts *Facts
}

// defaultMaxResources is how many worst resources are listed.
const defaultMaxResources = 10

// ExpiringSoon is how close an accepted risk's expiry must be to be listed
// first and flagged: two weeks leaves time to review it.
const ExpiringSoon = 14 * 24 * time.Hour

// FailOn returns an error wrapping ErrFailOn when any active (not
// suppressed) finding is at or above threshold, nil otherwise or when
// threshold is SeverityNone.
func FailOn(doc findings.Document, threshold findings.Severity) error {
	if threshold == findings.SeverityNone {
		return nil
	}
	n := 0
	for sev, c := range doc.ActiveOnly().CountBySeverity() {
		if sev >= threshold {
			n += c
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d %w (%s)", n, ErrFailOn, threshold)
}

var order = []findings.Severity{findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow, findings.SeverityInformational}

// Write writes the summary as plain text.
func Write(w io.Writer, doc findings.Document, opts Options) error {
	// Findings are redacted and escaped one at a time as they are read
	// (redacted), not copied first: a large run reads them from a spill file.
	doc = escapeDocument(doc)
	if opts.MaxResources <= 0 {
		opts.MaxResources = defaultMaxResources
	}
	if opts.MaxGaps <= 0 {
		opts.MaxGaps = 20
	}
	var b strings.Builder
	header(&b, doc)
	// Every section but the accepted risks and the sample notes is about
	// the active findings: a suppressed finding is listed apart, once.
	all := doc
	doc = *doc.ActiveOnly()

	bySev := map[findings.Severity]int{}
	for sev, n := range doc.CountBySeverity() {
		bySev[sev] += n
	}
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%s %d", s, bySev[s]))
	}
	fmt.Fprintf(&b, "\nFindings: %d (%s)\n", doc.Count(), strings.Join(parts, ", "))
	if n := all.Count() - doc.Count(); n > 0 {
		fmt.Fprintf(&b, "Accepted risks: %d more finding(s) suppressed, listed below and not counted.\n", n)
	}

	// Every section reads the findings: they are read once, here (a large
	// run reads them from a spill file), and each section keeps only what
	// it prints.
	fx := opts.Facts
	if fx == nil {
		fx = gather(all)
	}
	if doc.Count() > 0 {
		fx.verified.write(&b, opts.MaxResources)
		sites(&b, doc, fx.sites.Sites())
		byRule(&b, fx.byRule.ranked())
		worst(&b, fx.worst, fx.resources, opts.MaxResources)
	}
	// Controls judge every finding, accepted or not: an accepted risk is
	// still a failing control (summary.json says the same).
	controls(&b, all, &fx.failing)
	accepted(&b, all, opts.Now, fx.covered)
	gaps(&b, doc, opts.MaxGaps)
	samples(&b, all)
	outputs(&b, opts)
	if opts.FailOn != findings.SeverityNone {
		if err := FailOn(doc, opts.FailOn); err != nil {
			fmt.Fprintf(&b, "\n--fail-on %s: %v.\n", opts.FailOn, err)
		} else {
			fmt.Fprintf(&b, "\n--fail-on %s: no findings at or above it.\n", opts.FailOn)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func header(b *strings.Builder, doc findings.Document) {
	scope := fmt.Sprintf("%d account(s)", len(doc.Accounts))
	if doc.OrganizationID != "" {
		scope = "organization " + doc.OrganizationID + ", " + scope
	}
	fmt.Fprintf(b, "%s %s: %s", cmp.Or(doc.ToolName, "hoofprint"), doc.ToolVersion, scope)
	if !doc.StartedAt.IsZero() {
		fmt.Fprintf(b, ", started %s", doc.StartedAt.UTC().Format(time.RFC3339))
		if !doc.FinishedAt.IsZero() {
			fmt.Fprintf(b, ", took %s", doc.FinishedAt.Sub(doc.StartedAt).Round(time.Second))
		}
	}
	b.WriteString("\n")
	if !doc.Coverage.Complete {
		fmt.Fprintf(b, "INCOMPLETE: the scan stopped early (%s); what it did not reach was not evaluated.\n", cmp.Or(doc.Coverage.Interrupted, "unknown reason"))
	}
}

// controls prints the HIPAA Security Rule sections against the accounts:
// how many pass, fail, or could not be judged because of a gap, with the
// rules behind each (those that found something first, by count).
func controls(b *strings.Builder, doc findings.Document, failing *findings.Failing) {
	sts := doc.ControlStatusesOf(failing)
	if len(sts) == 0 {
		return
	}
	fmt.Fprintf(b, "\nHIPAA Security Rule safeguards (accounts passing / failing / not evaluated because of gaps; profile %s):\n", cmp.Or(doc.Profile, "unknown"))
	count := doc.CountByRule()
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, st := range sts {
		var found, quiet []string
		for _, r := range st.Rules {
			if count[r] > 0 {
				found = append(found, fmt.Sprintf("%s (%d)", r, count[r]))
			} else {
				quiet = append(quiet, r)
			}
		}
		rules := strings.Join(found, ", ")
		if len(st.Passing)+len(st.Failing)+len(st.NotEvaluated) == 0 {
			// No account judged at all: its quiet rules prove nothing.
			rules = "no account evaluated: " + strings.Join(st.Rules, ", ")
		} else if len(quiet) > 0 {
			if rules != "" {
				rules += "; "
			}
			rules += "clean: " + strings.Join(quiet, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d / %d / %d\t%s\n", termsafe.Escape(st.ID), termsafe.Escape(st.Title), len(st.Passing), len(st.Failing), len(st.NotEvaluated), termsafe.Escape(rules))
	}
	_ = tw.Flush()
}

// Facts are what the summary's sections need from the findings, gathered
// in one read of them (Gather).
type Facts struct {
	verified *verifiedTally
	sites    *view.SiteTally
	byRule   *ranker
	// worst are the resources with active findings, worst first: all of
	// them (Gather) or the first few (Tally); resources counts them all.
	worst     []ranked
	resources int
	failing   findings.Failing
	// covered holds the first few findings of each accepted risk, by its
	// source; the entry's Matched counts them all.
	covered map[string][]covered
}

// Failing are the accounts each rule fired in (findings.ControlStatusesOf).
func (fx *Facts) Failing() *findings.Failing { return &fx.failing }

// Gather reads doc's findings once, for Options.Facts: a reader of
// findings.Broadcast beside the report files.
func Gather(doc findings.Document) *Facts { return gather(escapeDocument(doc)) }

// gather reads doc's findings once. The active findings are redacted as
// the other reports redact them (view.RedactFinding) and escaped for the
// terminal; the controls judge every finding, accepted or not.
func gather(doc findings.Document) *Facts {
	fx := newFacts(doc.Partition)
	worst := newRanker(true)
	for f := range doc.All() {
		if g, ok := fx.add(f, doc.ShowObjectKeys); ok {
			r := view.ParseResource(g, doc.ShowObjectKeys)
			worst.add(r.Identity(), r.Name, g)
		}
	}
	fx.worst = worst.ranked()
	fx.resources = len(fx.worst)
	return fx
}

func newFacts(partition string) *Facts {
	return &Facts{
		verified: &verifiedTally{partition: partition, idx: map[string]*verifiedGroup{}},
		sites:    view.NewSiteTally(partition),
		byRule:   newRanker(false),
		covered:  map[string][]covered{},
	}
}

// add counts f in every section but the worst resources, and returns an
// active finding redacted and escaped as the sections show it (false for
// an accepted risk).
func (fx *Facts) add(f findings.Finding, showKeys bool) (findings.Finding, bool) {
	fx.failing.Add(f)
	if f.Suppressed() {
		fx.cover(f, showKeys)
		return findings.Finding{}, false
	}
	g := escapeFinding(view.RedactFinding(f, showKeys))
	fx.verified.add(g)
	fx.sites.Add(g)
	fx.byRule.add(g.RuleID, g.RuleID, g)
	return g, true
}

// covered is one finding an accepted risk covers, as the summary lists it.
type covered struct {
	f    findings.Finding // its sort key (findings.Compare)
	text string
}

// sortKey is the part of f that findings.Compare reads.
func sortKey(f findings.Finding) findings.Finding {
	return findings.Finding{RuleID: f.RuleID, Severity: f.Severity, AccountID: f.AccountID, Region: f.Region, ResourceARN: f.ResourceARN, Message: f.Message}
}

// maxCovered is how many findings of each accepted risk are listed.
const maxCovered = 5

// cover keeps the first maxCovered findings of f's accepted risk in the
// findings' order, whatever order they come in.
func (fx *Facts) cover(f findings.Finding, showKeys bool) {
	src := termsafe.Escape(f.Suppression.Source)
	list := fx.covered[src]
	if len(list) == maxCovered && findings.Compare(f, list[maxCovered-1].f) >= 0 {
		return
	}
	r := view.ParseResource(f, showKeys)
	c := covered{f: sortKey(f), text: f.Severity.String() + " " + termsafe.Escape(f.RuleID) + " " + termsafe.Escape(r.Name)}
	i, _ := slices.BinarySearchFunc(list, c, func(a, b covered) int { return findings.Compare(a.f, b.f) })
	list = slices.Insert(list, i, c)
	fx.covered[src] = list[:min(len(list), maxCovered)]
}

func byRule(b *strings.Builder, rows []ranked) {
	b.WriteString("\nBy rule:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", r.sev, r.n, r.name)
	}
	_ = tw.Flush()
}

// ranked is the findings about one thing (a rule, a resource).
type ranked struct {
	name    string            // shown, and the last tie-break
	account string            // the first finding's account
	rules   []string          // the rule of each finding, in order (when kept)
	n       int32             // how many findings
	sev     findings.Severity // the worst of the findings
}

// ranker gathers findings by key; with keepRules it keeps each group's
// rules (the worst resources list them), else only counts them (a rule's
// group would otherwise hold an entry per finding).
//
// The worst resources need an entry per resource with an active finding
// (the top ten are known only once every resource is counted, and the
// findings come ordered by rule, not by resource), so an entry is kept
// small: keyed by a hash of the resource's identity rather than the
// identity, with account and rule IDs shared rather than a copy per
// finding read back from a spill file: about 220 bytes a resource, was
// 350 (100,000 spilled object findings: 22 MB retained, was 35 MB).
type ranker struct {
	keepRules bool
	idx       map[[16]byte]int32
	all       []ranked
	interned  map[string]string
}

func newRanker(keepRules bool) *ranker {
	return &ranker{keepRules: keepRules, idx: map[[16]byte]int32{}, interned: map[string]string{}}
}

// intern returns the one copy kept of s (an account or rule ID).
func (r *ranker) intern(s string) string {
	if v, ok := r.interned[s]; ok {
		return v
	}
	r.interned[s] = s
	return s
}

func (r *ranker) add(id, name string, f findings.Finding) {
	sum := sha256.Sum256([]byte(id))
	k := [16]byte(sum[:16])
	i, ok := r.idx[k]
	if !ok {
		i = int32(len(r.all))
		r.idx[k] = i
		r.all = append(r.all, ranked{name: name, account: r.intern(f.AccountID)})
	}
	x := &r.all[i]
	x.n++
	if r.keepRules {
		x.rules = append(x.rules, r.intern(f.RuleID))
	}
	x.sev = max(x.sev, f.Severity)
}

// ranked orders the groups worst severity first, then most findings, then
// by name, so that what most needs fixing leads.
func (r *ranker) ranked() []ranked {
	all := r.all
	slices.SortStableFunc(all, compareRanked)
	return all
}

// compareRanked is the order of ranked: worst severity first, then most
// findings, then by name.
func compareRanked(a, b ranked) int {
	if a.sev != b.sev {
		return cmp.Compare(b.sev, a.sev)
	}
	if a.n != b.n {
		return cmp.Compare(b.n, a.n)
	}
	return strings.Compare(a.name, b.name)
}

func sites(b *strings.Builder, doc findings.Document, all []view.Site) {
	if len(all) == 0 {
		return
	}
	doFirst := map[string]string{}
	for _, r := range doc.Rules {
		doFirst[r.ID] = r.DoFirst
	}
	fmt.Fprintf(b, "\nCloudFront sites:\n")
	for _, x := range all {
		via := "CloudFront"
		if len(x.Distributions) > 0 {
			via = "distribution " + strings.Join(x.Distributions, ", ")
		}
		if x.BrokenNow() {
			fmt.Fprintf(b, "  BROKEN NOW   %s (account %s): %s cannot read %d sampled object(s), which another account owns: viewers get 403. [%s]\n", x.Bucket, x.Account, via, x.Objects, x.Rule)
		} else {
			fmt.Fprintf(b, "  AT RISK      %s (account %s): %s reads %d sampled object(s) only through a public ACL: turning Block Public Access on will break the site. [%s]\n", x.Bucket, x.Account, via, x.Objects, x.Rule)
		}
		// The first change for this site, so the most severe finding's fix
		// (Block Public Access) is not the one applied first.
		if t := doFirst[x.Rule]; t != "" {
			fmt.Fprintf(b, "               do first: %s\n", strings.ReplaceAll(t, "BUCKET", x.Bucket))
		}
	}
}

// verifiedTally gathers, per bucket, the findings whose public access an
// anonymous request confirmed: not a reading of configuration, what anyone
// on the internet gets.
type verifiedTally struct {
	partition string
	idx       map[string]*verifiedGroup
	n         int
}

type verifiedGroup struct {
	// account and how are the first finding's, in the findings' order
	// (first, its sort key), whatever order they come in.
	first        findings.Finding
	account, how string
	objects      int
	bucketLevel  bool
	rules        []string // sorted: a handful of rules a bucket
}

func (t *verifiedTally) add(f findings.Finding) {
	v := f.Verified()
	if v == "" {
		return
	}
	t.n++
	bucket := view.OriginBucket(f, t.partition)
	key := sortKey(f)
	g, ok := t.idx[bucket]
	if !ok {
		g = &verifiedGroup{first: key, account: f.AccountID, how: v}
		t.idx[bucket] = g
	} else if findings.Compare(key, g.first) < 0 {
		g.first, g.account, g.how = key, f.AccountID, v
	}
	if i, found := slices.BinarySearch(g.rules, f.RuleID); !found {
		g.rules = slices.Insert(g.rules, i, f.RuleID)
	}
	if f.ResourceType == findings.ResourceS3Object {
		g.objects++
	} else {
		g.bucketLevel = true
	}
}

// write lists the verified buckets, at most max.
func (t *verifiedTally) write(b *strings.Builder, max int) {
	if t.n == 0 {
		return
	}
	idx, n := t.idx, t.n
	buckets := make([]string, 0, len(idx))
	for k := range idx {
		buckets = append(buckets, k)
	}
	sort.Strings(buckets)
	fmt.Fprintf(b, "\nVerified public (an unsigned HEAD request answered 200; %d finding(s)):\n", n)
	for _, k := range buckets[:min(max, len(buckets))] {
		g := idx[k]
		what := []string{}
		if g.objects > 0 {
			what = append(what, fmt.Sprintf("%d sampled object(s)", g.objects))
		}
		if g.bucketLevel {
			what = append(what, "the bucket policy")
		}
		fmt.Fprintf(b, "  %s (account %s): %s, verified: %s. [%s]\n", k, g.account, strings.Join(what, " and "), g.how, strings.Join(g.rules, ", "))
	}
	if len(buckets) > max {
		fmt.Fprintf(b, "  … and %d more bucket(s)\n", len(buckets)-max)
	}
}

func worst(b *strings.Builder, all []ranked, total, max int) {
	fmt.Fprintf(b, "\nWorst resources (%d of %d):\n", min(max, len(all)), total)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, x := range all[:min(max, len(all))] {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", x.sev, x.account, x.name, strings.Join(x.rules, ", "))
	}
	_ = tw.Flush()
}

func gaps(b *strings.Builder, doc findings.Document, max int) {
	gs := doc.Coverage.Gaps
	if len(gs) == 0 {
		b.WriteString("\nCoverage: everything in scope was read.\n")
		return
	}
	fmt.Fprintf(b, "\nCoverage gaps: %d (not evaluated, never a pass):\n", len(gs))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, g := range gs[:min(max, len(gs))] {
		fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\n", g.AccountID, cmp.Or(g.Region, "global"), g.Service, g.Operation, cmp.Or(g.Resource, "-"), g.Code)
	}
	_ = tw.Flush()
	if len(gs) > max {
		fmt.Fprintf(b, "  … and %d more (all are in the SARIF file's tool execution notifications)\n", len(gs)-max)
	}
}

func samples(b *strings.Builder, doc findings.Document) {
	var notes []string
	for _, r := range doc.Rules {
		if n := view.SampleNote(doc, r); n != "" {
			notes = append(notes, n)
		}
	}
	s := doc.Sample
	if s.Buckets == 0 && len(notes) == 0 {
		return
	}
	fmt.Fprintf(b, "\nObject sample: %d objects sampled (%d ACLs read) from %d keys listed in %d buckets", s.ObjectsSampled, s.ACLsRead, s.KeysListed, s.Buckets)
	if s.BucketsIncomplete > 0 {
		fmt.Fprintf(b, "; %d bucket listing(s) incomplete", s.BucketsIncomplete)
	}
	b.WriteString(".\n")
	for _, n := range notes {
		b.WriteString("  " + n + "\n")
	}
}

func outputs(b *strings.Builder, opts Options) {
	if len(opts.Files) == 0 && opts.SecurityHub == nil {
		return
	}
	b.WriteString("\nReports:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, f := range opts.Files {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Kind, termsafe.Escape(f.Location))
	}
	if r := opts.SecurityHub; r != nil {
		c := r.Totals()
		fmt.Fprintf(tw, "  Security Hub\timported %d, updated %d, archived %d, kept %d, failed %d (%d accounts)", c.Imported, c.Updated, c.Archived, c.Kept, c.Failed, len(r.Accounts))
		if c.Suppressed+c.Reactivated > 0 {
			fmt.Fprintf(tw, "; workflow SUPPRESSED %d, back to NEW %d", c.Suppressed, c.Reactivated)
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
	if r := opts.SecurityHub; r != nil {
		fs := r.Totals().Failures
		for _, f := range fs[:min(len(fs), 10)] {
			fmt.Fprintf(b, "  Security Hub failure: %s\n", termsafe.Escape(f.String()))
		}
		if len(fs) > 10 {
			fmt.Fprintf(b, "  … and %d more Security Hub failures\n", len(fs)-10)
		}
	}
}

// accepted lists the accepted risks: the entries in force with the
// findings they cover, soonest expiry first (those within ExpiringSoon
// flagged), then expired entries, whose findings are active again, then
// stale entries, which matched nothing.
func accepted(b *strings.Builder, doc findings.Document, now time.Time, covered map[string][]covered) {
	if len(doc.Suppressions) == 0 {
		return
	}
	if now.IsZero() {
		now = cmp.Or(doc.FinishedAt, time.Now())
	}
	var live, expired, stale []findings.SuppressionEntry
	for _, e := range doc.Suppressions {
		switch {
		case e.Expired:
			expired = append(expired, e)
		case e.Stale():
			stale = append(stale, e)
		default:
			live = append(live, e)
		}
	}
	sort.SliceStable(live, func(i, j int) bool { return live[i].Expires.Before(live[j].Expires) })
	fmt.Fprintf(b, "\nAccepted risks (%s): %d finding(s) suppressed, %d entries expired, %d stale\n",
		cmp.Or(doc.SuppressionsSource, "suppressions"), doc.SuppressedCount(), len(expired), len(stale))
	for _, e := range live {
		left := e.Expires.Sub(now)
		flag := "until"
		if left <= ExpiringSoon {
			flag = fmt.Sprintf("EXPIRES IN %d DAY(S):", int(left.Hours()/24)+1)
		}
		fmt.Fprintf(b, "  %s %s  %s on %s (%s, owner %s): %s\n", flag, findings.ExpiryText(e.Expires),
			e.Rule, e.Resource, e.Source, e.Owner, e.Reason)
		fs := covered[e.Source]
		for _, f := range fs {
			fmt.Fprintf(b, "      %s\n", f.text)
		}
		if e.Matched > len(fs) {
			fmt.Fprintf(b, "      … and %d more\n", e.Matched-len(fs))
		}
	}
	for _, e := range expired {
		what := "it matched nothing tonight: remove it"
		if e.Matched > 0 {
			what = fmt.Sprintf("%d finding(s) it covered are ACTIVE again", e.Matched)
		}
		fmt.Fprintf(b, "  EXPIRED %s  %s on %s (%s, owner %s): %s\n", findings.ExpiryText(e.Expires), e.Rule, e.Resource, e.Source, e.Owner, what)
	}
	for _, e := range stale {
		fmt.Fprintf(b, "  STALE  %s on %s (%s, owner %s): matched no finding tonight; fix or remove it\n", e.Rule, e.Resource, e.Source, e.Owner)
	}
}
