// Package htmlreport writes a findings.Document as one self-contained HTML
// file that an auditor opens in a browser: from an email attachment, a
// presigned S3 link or a file share. Nothing is loaded from the network (no
// script, style, font or image), and a Content-Security-Policy with the
// hashes of the one inline script and style says so to the browser too.
//
// The page is rendered with html/template, whose contextual escaping is the
// point: findings carry text from the scanned accounts (bucket names, policy
// statements, tags) that must never become markup. Object keys are redacted
// exactly as in the other reports (view.Redact).
package htmlreport

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

//go:embed report.html.tmpl
var pageTemplate string

//go:embed report.js
var script string

//go:embed report.css
var style string

// ExpiringSoon is how close an accepted risk's expiry must be to be listed
// first and flagged, as in the terminal summary.
const ExpiringSoon = 14 * 24 * time.Hour

// Options tune the page.
type Options struct {
	// Now dates "expires in N days" (doc.FinishedAt when zero, else
	// time.Now).
	Now time.Time
	// MaxFindings caps the findings the page lists (0 means
	// DefaultMaxFindings): the most severe, active before accepted. The
	// counts, the chart, the sites and the accepted risks still cover
	// every finding.
	MaxFindings int
}

// DefaultMaxFindings is how many findings the page lists at most. A
// browser stays responsive with a few thousand rows (about 2 KB of HTML
// each), and the page is built in memory: a 1,000-account organization
// has 315,706 findings (BENCHMARKS.md "Scale"), which would be hundreds of
// megabytes. The SARIF and ASFF reports list them all.
const DefaultMaxFindings = 5000

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"sevclass": func(s findings.Severity) string { return "sev-" + s.String() },
	"rank":     func(s findings.Severity) int { return int(s) },
	"join":     strings.Join,
	"expiry":   findings.ExpiryText,
	"ts":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}).Parse(pageTemplate))

// Write renders doc as HTML.
func Write(w io.Writer, doc findings.Document, opts Options) error {
	m := build(doc, opts)
	if err := page.Execute(w, m); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// cspHash is a CSP source for an inline element's exact content.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// model is what the template renders.
type model struct {
	Title, Tool, Version, Scope string
	Started                     time.Time
	Took                        string
	Complete                    bool
	Interrupted                 string
	CSP                         string
	Script                      template.JS
	Style                       template.CSS

	Severities []findings.Severity
	Totals     map[findings.Severity]int
	Active     int
	Suppressed int
	Sites      []siteRow
	Accounts   []accountRow
	Safeguards []string
	Chart      chart

	Findings    []row
	RuleIDs     []string
	AccountIDs  []string
	Gaps        []gapRow
	SampleNotes []string
	Sample      findings.SampleStats
	ShowKeys    bool
	// Listed of Total findings are in Findings; Omitted are not
	// (MaxFindings).
	Listed, Total, Omitted int

	Accepted      []acceptedRow
	Expired       []findings.SuppressionEntry
	Stale         []findings.SuppressionEntry
	SuppressFile  string
	HasSuppressed bool
}

// siteRow is a site with the change to make first (the rule's DoFirst,
// for its bucket), as the terminal summary prints it.
type siteRow struct {
	view.Site
	DoFirst string
}

type accountRow struct {
	ID          string
	BySeverity  []int // in model.Severities order
	BySafeguard []int // in model.Safeguards order
	Total       int
}

type row struct {
	findings.Finding
	Resource    view.Resource
	Rule        findings.Rule
	Safeguards  []string
	Evidence    string
	Remediation string
	CLI         string
}

type gapRow struct {
	Account, Region, Call, Resource, Code, Message string
}

type acceptedRow struct {
	findings.SuppressionEntry
	Soon     bool
	DaysLeft int
	Findings []row
}

// chart is an inline SVG of stacked bars: active findings per account by
// severity, for at most chartAccounts accounts (Omitted more are only in
// the table below it).
type chart struct {
	Width, Height int
	Bars          []bar
	Legend        []legendItem
	Omitted       int
}

// chartAccounts is how many accounts the chart draws. One bar per account
// of a 1,000-account organization made an SVG 84,000 pixels wide; past
// this many, the chart draws the accounts with the most severe active
// findings, worst first, and the table lists them all.
const chartAccounts = 40

type bar struct {
	Label      string
	X, LabelY  int
	Segments   []segment
	TotalLabel string
	TotalY     int
}

type segment struct {
	Y, Height int
	Class     string
	Title     string
}

type legendItem struct {
	X     int
	Class string
	Name  string
}

var severities = []findings.Severity{findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow, findings.SeverityInformational}

func build(doc findings.Document, opts Options) model {
	now := opts.Now
	if now.IsZero() {
		now = cmp.Or(doc.FinishedAt, time.Now())
	}
	scope := fmt.Sprintf("%d account(s)", len(doc.Accounts))
	if doc.OrganizationID != "" {
		scope = "organization " + doc.OrganizationID + ", " + scope
	}
	m := model{
		Title: "hoofprint report", Tool: cmp.Or(doc.ToolName, "hoofprint"), Version: doc.ToolVersion, Scope: scope,
		Started: doc.StartedAt, Complete: doc.Coverage.Complete, Interrupted: doc.Coverage.Interrupted,
		Script: template.JS(script), Style: template.CSS(style),
		Severities: severities, Totals: map[findings.Severity]int{},
		Sample: doc.Sample, ShowKeys: doc.ShowObjectKeys, SuppressFile: doc.SuppressionsSource,
	}
	// Nothing may be fetched: default-src 'none' and only the exact inline
	// script and style run (CSP Level 2 hash sources).
	m.CSP = "default-src 'none'; script-src " + cspHash(script) + "; style-src " + cspHash(style) + "; img-src data:; base-uri 'none'; form-action 'none'"
	if !doc.StartedAt.IsZero() && !doc.FinishedAt.IsZero() {
		m.Took = doc.FinishedAt.Sub(doc.StartedAt).Round(time.Second).String()
	}
	rules := map[string]findings.Rule{}
	for _, r := range doc.Rules {
		rules[r.ID] = r
	}
	maxRows := cmp.Or(opts.MaxFindings, DefaultMaxFindings)

	// One read of the findings (a large run reads them from a spill file):
	// every section counts them all; the list keeps the most severe.
	sites := view.NewSiteTally(doc.Partition)
	sgSet := map[string]bool{}
	accts := map[string]*accountTally{}
	for _, a := range doc.Accounts {
		accts[a] = &accountTally{bySafeguard: map[string]int{}}
	}
	ruleSet, acctSet := map[string]bool{}, map[string]bool{}
	var listed worstFirst
	for f := range doc.All() {
		f = view.RedactFinding(f, doc.ShowObjectKeys)
		ruleSet[f.RuleID] = true
		acctSet[f.AccountID] = true
		listed.add(f, maxRows)
		if f.Suppressed() {
			m.Suppressed++
			continue
		}
		m.Active++
		sites.Add(f)
		m.Totals[f.Severity]++
		a := accts[f.AccountID]
		if a == nil {
			a = &accountTally{bySafeguard: map[string]int{}}
			accts[f.AccountID] = a
		}
		a.bySeverity[severityIndex(f.Severity)]++
		for _, sg := range view.Safeguards(rules[f.RuleID].HIPAA) {
			sgSet[sg] = true
			a.bySafeguard[sg]++
		}
		a.total++
	}
	m.HasSuppressed = m.Suppressed > 0 || len(doc.Suppressions) > 0
	for _, st := range sites.Sites() {
		m.Sites = append(m.Sites, siteRow{Site: st, DoFirst: strings.ReplaceAll(rules[st.Rule].DoFirst, "BUCKET", st.Bucket)})
	}

	// Per account: severities and safeguards of active findings.
	for _, s := range []string{"Administrative", "Physical", "Technical", "Organizational", "Policies and documentation", "Other"} {
		if sgSet[s] {
			m.Safeguards = append(m.Safeguards, s)
		}
	}
	for _, id := range view.SortedKeys(accts) {
		a := accts[id]
		row := accountRow{ID: id, BySeverity: slices.Clone(a.bySeverity[:]), BySafeguard: make([]int, len(m.Safeguards)), Total: a.total}
		for i, name := range m.Safeguards {
			row.BySafeguard[i] = a.bySafeguard[name]
		}
		m.Accounts = append(m.Accounts, row)
	}
	m.Chart = buildChart(m.Accounts)

	// The findings listed, worst first; the filters choose among them.
	for _, f := range listed.sorted(maxRows) {
		m.Findings = append(m.Findings, makeRow(f, rules[f.RuleID], doc.ShowObjectKeys))
	}
	m.Total = m.Active + m.Suppressed
	m.Listed = len(m.Findings)
	m.Omitted = m.Total - m.Listed
	m.RuleIDs = view.SortedKeys(ruleSet)
	m.AccountIDs = view.SortedKeys(acctSet)

	for _, g := range doc.Coverage.Gaps {
		msg := g.Message
		if !doc.ShowObjectKeys && strings.Contains(g.Resource, ":s3:::") && strings.Contains(strings.SplitN(g.Resource, ":::", 2)[1], "/") {
			msg = "" // an error about an object may quote its key
		}
		m.Gaps = append(m.Gaps, gapRow{Account: g.AccountID, Region: cmp.Or(g.Region, "global"), Call: g.Service + " " + g.Operation,
			Resource: cmp.Or(g.Resource, "-"), Code: g.Code, Message: msg})
	}
	for _, r := range doc.Rules {
		if n := view.SampleNote(doc, r); n != "" {
			m.SampleNotes = append(m.SampleNotes, n)
		}
	}

	// Accepted risks: soonest expiry first, then expired and stale entries.
	bySource := map[string][]row{}
	for _, r := range m.Findings {
		if r.Suppression != nil {
			bySource[r.Suppression.Source] = append(bySource[r.Suppression.Source], r)
		}
	}
	for _, e := range doc.Suppressions {
		switch {
		case e.Expired:
			m.Expired = append(m.Expired, e)
		case e.Stale():
			m.Stale = append(m.Stale, e)
		default:
			left := e.Expires.Sub(now)
			m.Accepted = append(m.Accepted, acceptedRow{SuppressionEntry: e, Soon: left <= ExpiringSoon, DaysLeft: int(left.Hours()/24) + 1, Findings: bySource[e.Source]})
		}
	}
	sort.SliceStable(m.Accepted, func(i, j int) bool { return m.Accepted[i].Expires.Before(m.Accepted[j].Expires) })
	return m
}

// accountTally counts one account's active findings.
type accountTally struct {
	bySeverity  [5]int // in severities order
	bySafeguard map[string]int
	total       int
}

func severityIndex(s findings.Severity) int {
	for i, x := range severities {
		if x == s {
			return i
		}
	}
	return len(severities) - 1
}

// worstFirst keeps the findings the page lists: the most severe, active
// before accepted, and among equals the earlier in the document's order.
// It holds at most twice the cap, sorting and cutting as it fills.
type worstFirst struct {
	fs []ranked
	n  int // findings seen
}

type ranked struct {
	findings.Finding
	seq int
}

func (w *worstFirst) add(f findings.Finding, max int) {
	w.fs = append(w.fs, ranked{f, w.n})
	w.n++
	if len(w.fs) >= 2*max {
		w.cut(max)
	}
}

func (w *worstFirst) cut(max int) {
	slices.SortFunc(w.fs, func(a, b ranked) int {
		switch {
		case a.Suppressed() != b.Suppressed():
			if a.Suppressed() {
				return 1
			}
			return -1
		case a.Severity != b.Severity:
			return cmp.Compare(b.Severity, a.Severity)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	clear(w.fs[min(max, len(w.fs)):])
	w.fs = w.fs[:min(max, len(w.fs))]
}

// sorted returns the findings kept, worst first.
func (w *worstFirst) sorted(max int) []findings.Finding {
	w.cut(max)
	out := make([]findings.Finding, len(w.fs))
	for i, r := range w.fs {
		out[i] = r.Finding
	}
	return out
}

func makeRow(f findings.Finding, rule findings.Rule, show bool) row {
	r := row{Finding: f, Resource: view.ParseResource(f, show), Rule: rule, Safeguards: view.Safeguards(rule.HIPAA),
		Remediation: rule.Remediation, CLI: rule.RemediationCLI}
	if len(f.Evidence) > 0 {
		b, err := json.MarshalIndent(f.Evidence, "", "  ")
		if err == nil {
			r.Evidence = string(b)
		}
	}
	return r
}

// Chart geometry.
const (
	barWidth  = 56
	barGap    = 28
	plotTop   = 28
	plotH     = 180
	chartLeft = 16
)

func buildChart(accts []accountRow) chart {
	omitted := 0
	if len(accts) > chartAccounts {
		accts = slices.Clone(accts)
		slices.SortStableFunc(accts, func(a, b accountRow) int {
			// Most critical first, then most high, and so on; then most in all.
			if c := slices.Compare(b.BySeverity, a.BySeverity); c != 0 {
				return c
			}
			return cmp.Compare(b.Total, a.Total)
		})
		omitted = len(accts) - chartAccounts
		accts = accts[:chartAccounts]
	}
	maxTotal := 0
	for _, a := range accts {
		maxTotal = max(maxTotal, a.Total)
	}
	c := chart{Width: max(chartLeft*2+len(accts)*(barWidth+barGap), 5*110+chartLeft*2), Height: plotTop + plotH + 56, Omitted: omitted}
	for i, a := range accts {
		x := chartLeft + i*(barWidth+barGap)
		b := bar{Label: a.ID, X: x, LabelY: plotTop + plotH + 18, TotalLabel: fmt.Sprint(a.Total)}
		y := plotTop + plotH
		for si, s := range severities {
			n := a.BySeverity[si]
			if n == 0 || maxTotal == 0 {
				continue
			}
			h := max(n*plotH/maxTotal, 2)
			y -= h
			b.Segments = append(b.Segments, segment{Y: y, Height: h, Class: "sev-" + s.String(), Title: fmt.Sprintf("%s: %d %s", a.ID, n, s)})
		}
		b.TotalY = y - 6
		c.Bars = append(c.Bars, b)
	}
	for i, s := range severities {
		c.Legend = append(c.Legend, legendItem{X: chartLeft + i*110, Class: "sev-" + s.String(), Name: s.String()})
	}
	return c
}
