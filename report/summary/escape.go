package summary

import (
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/termsafe"
	"github.com/hoofprint/hoofprint/inventory"
)

// escapeDocument returns doc with every string the summary may print
// escaped for a terminal: bucket names, ARNs, messages, organization and
// account IDs, gap messages and codes (AWS error text, or an emulator's),
// rule metadata (user rules). An object key with ESC ] 0 ; … BEL would
// otherwise retitle the terminal, and one with a newline forge a line.
func escapeDocument(doc findings.Document) findings.Document {
	e := termsafe.Escape
	out := doc
	out.ToolName, out.ToolVersion, out.OrganizationID, out.Partition = e(doc.ToolName), e(doc.ToolVersion), e(doc.OrganizationID), e(doc.Partition)
	out.Accounts = escapeAll(doc.Accounts)
	out.Regions = escapeAll(doc.Regions)
	out.FullySampledBuckets = escapeAll(doc.FullySampledBuckets)
	// Findings are escaped one at a time as they are read (escapeFinding).
	out.Rules = make([]findings.Rule, len(doc.Rules))
	for i, r := range doc.Rules {
		r.ID, r.Title, r.Description, r.Remediation, r.RemediationCLI, r.HelpURL, r.Source = e(r.ID), e(r.Title), e(r.Description), e(r.Remediation), e(r.RemediationCLI), e(r.HelpURL), e(r.Source)
		out.Rules[i] = r
	}
	// The suppressions file is text from whoever edits it.
	out.SuppressionsSource = e(doc.SuppressionsSource)
	if doc.Suppressions != nil {
		out.Suppressions = make([]findings.SuppressionEntry, len(doc.Suppressions))
		for i, x := range doc.Suppressions {
			x.Source, x.Rule, x.Account, x.Region, x.Resource, x.Reason, x.Owner = e(x.Source), e(x.Rule), e(x.Account), e(x.Region), e(x.Resource), e(x.Reason), e(x.Owner)
			out.Suppressions[i] = x
		}
	}
	out.Coverage.Interrupted = e(doc.Coverage.Interrupted)
	out.Coverage.Gaps = make([]inventory.Gap, len(doc.Coverage.Gaps))
	for i, g := range doc.Coverage.Gaps {
		g.AccountID, g.Region, g.Service, g.Operation, g.Resource, g.Code, g.Message, g.ViaAccountID = e(g.AccountID), e(g.Region), e(g.Service), e(g.Operation), e(g.Resource), e(g.Code), e(g.Message), e(g.ViaAccountID)
		out.Coverage.Gaps[i] = g
	}
	return out
}

// escapeFinding escapes every outside string of one finding.
func escapeFinding(f findings.Finding) findings.Finding {
	e := termsafe.Escape
	f.AccountID, f.Region, f.ResourceType, f.ResourceARN, f.ResourceName, f.Message = e(f.AccountID), e(f.Region), e(f.ResourceType), e(f.ResourceARN), e(f.ResourceName), e(f.Message)
	f.Evidence = escapeValue(f.Evidence).(map[string]any)
	if sp := f.Suppression; sp != nil {
		c := *sp
		c.Reason, c.Owner, c.Source = e(sp.Reason), e(sp.Owner), e(sp.Source)
		f.Suppression = &c
	}
	return f
}

func escapeAll(s []string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = termsafe.Escape(v)
	}
	return out
}

func escapeValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[termsafe.Escape(k)] = escapeValue(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = escapeValue(x)
		}
		return s
	case string:
		return termsafe.Escape(t)
	default:
		return v
	}
}
