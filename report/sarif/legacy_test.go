package sarif

// The SARIF writer as it was before results were streamed (Build holding
// every result, then applyBaseline and capResults over the slice), kept
// verbatim as the reference the streamed Write must match byte for byte
// (TestWriteMatchesTheWholeLogEncoding).

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// legacyBuild is the former Build.
func legacyBuild(doc findings.Document, opts Options) (*Log, error) {
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

	keep, preOmitted := keptFindings(&doc, opts.MaxResults)
	results := make([]Result, 0, min(doc.Count(), opts.MaxResults))
	for f := range doc.All() {
		if !keep(f) {
			continue
		}
		f = view.RedactFinding(f, doc.ShowObjectKeys)
		idx, ok := ruleIndex[f.RuleID]
		if !ok {
			// A finding whose rule metadata is missing still gets a minimal
			// descriptor: ruleIndex must point at a rule (SARIF §3.27.6).
			idx = len(driver.Rules)
			ruleIndex[f.RuleID] = idx
			driver.Rules = append(driver.Rules, ruleDescriptor(findings.Rule{ID: f.RuleID, Title: f.RuleID, Description: f.RuleID, Severity: f.Severity, Remediation: "See the finding's message."}))
		}
		results = append(results, result(f, idx, doc.ShowObjectKeys))
	}

	if opts.Baseline != nil {
		// A finding left out by the cap is still present: its baseline
		// result is not "absent".
		present := map[string]bool{}
		if preOmitted != nil {
			skip, _ := keptFindings(&doc, opts.MaxResults)
			for f := range doc.All() {
				if !skip(f) {
					present[view.Fingerprint(f.RuleID, view.ParseResource(view.RedactFinding(f, doc.ShowObjectKeys), doc.ShowObjectKeys))] = true
				}
			}
		}
		results = legacyApplyBaseline(results, present, opts.Baseline, &driver, ruleIndex, view.NewScope(doc))
	}

	inv := invocation(doc)
	results, omitted := legacyCapResults(results, opts.MaxResults)
	for id, n := range preOmitted {
		if omitted == nil {
			omitted = map[string]int{}
		}
		omitted[id] += n
	}
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
		Results:           results,
		Properties:        runProps,
	}
	return &Log{Schema: SchemaURI, Version: Version, Runs: []Run{run}}, nil
}

// legacyApplyBaseline is the former applyBaseline.
func legacyApplyBaseline(results []Result, present map[string]bool, base *Log, driver *ToolComponent, ruleIndex map[string]int, scope *view.Scope) []Result {
	prev := map[string]Result{}
	var order []string
	baseRules := map[string]ReportingDescriptor{}
	for _, run := range base.Runs {
		for _, r := range run.Tool.Driver.Rules {
			baseRules[r.ID] = r
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
	seen := map[string]bool{}
	for i := range results {
		fp := results[i].PartialFingerprints[FingerprintKey]
		seen[fp] = true
		old, ok := prev[fp]
		switch {
		case !ok:
			results[i].BaselineState = BaselineNew
		case old.Level != results[i].Level || old.Message.Text != results[i].Message.Text:
			results[i].BaselineState = BaselineUpdated
		default:
			results[i].BaselineState = BaselineUnchanged
		}
	}
	for _, fp := range order {
		if seen[fp] || present[fp] {
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
		results = append(results, r)
	}
	return results
}

// legacyCapResults is the former capResults.
func legacyCapResults(results []Result, max int) ([]Result, map[string]int) {
	if len(results) <= max {
		return results, nil
	}
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	rank := func(r Result) int {
		if r.BaselineState == BaselineAbsent {
			return -1
		}
		s, _ := r.Properties["security-severity"].(string)
		return severityRank(s)
	}
	sort.SliceStable(idx, func(a, b int) bool { return rank(results[idx[a]]) > rank(results[idx[b]]) })
	keep := make([]bool, len(results))
	for _, i := range idx[:max] {
		keep[i] = true
	}
	omitted := map[string]int{}
	out := make([]Result, 0, max)
	for i, r := range results {
		if keep[i] {
			out = append(out, r)
		} else {
			omitted[r.RuleID]++
		}
	}
	return out, omitted
}
