package rules

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hoofprint/hoofprint/findings"
)

// WriteTable writes the rules as an aligned table of ID, severity,
// profiles, evaluation scope, title and HIPAA references, for `hoofprint
// rules list`.
func WriteTable(w io.Writer, rules []findings.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tPROFILES\tSCOPE\tTITLE\tHIPAA")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, strings.Join(r.Profiles, ","), ScopeLabel(r), r.Title, strings.Join(r.HIPAA, ", "))
	}
	return tw.Flush()
}

// ScopeLabel names a rule's evaluation scope for a table: "sampled" for a
// rule over sampled objects, else its custom.scope.
func ScopeLabel(r findings.Rule) string {
	if r.Sampled {
		return "sampled"
	}
	return r.Scope
}

// WriteControlTable writes the HIPAA Security Rule sections and the rules
// behind each, for `hoofprint rules list --by-control`: the mapping an
// auditor asks for. Sections no loaded rule addresses are listed with
// "(no rule)", so the gaps in coverage are visible too.
func WriteControlTable(w io.Writer, rules []findings.Rule) error {
	m, err := HIPAA()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tSAFEGUARD\tTITLE\tRULE\tSEVERITY\tPROFILES")
	for _, c := range Controls(m, rules) {
		if len(c.Rules) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t(no rule)\t\t\n", c.ID, c.Safeguard, c.Title)
			continue
		}
		for i, id := range c.Rules {
			r := ruleByID(rules, id)
			sec, sg, title := c.ID, c.Safeguard, c.Title
			if i > 0 {
				sec, sg, title = "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sec, sg, title, id, r.Severity, strings.Join(r.Profiles, ","))
		}
	}
	return tw.Flush()
}

func ruleByID(rules []findings.Rule, id string) findings.Rule {
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	return findings.Rule{ID: id}
}
