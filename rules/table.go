package rules

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hoofprint/hoofprint/findings"
)

// WriteTable writes the rules as an aligned table of ID, severity, title
// and HIPAA references, for `hoofprint rules list`.
func WriteTable(w io.Writer, rules []findings.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\tHIPAA")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Title, strings.Join(r.HIPAA, ", "))
	}
	return tw.Flush()
}
