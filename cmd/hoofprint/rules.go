package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/rules"
)

func newRulesCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules, show one in full, or run their Rego tests",
		Args:  cobra.ArbitraryArgs,
		RunE:  unknownSubcommand,
	}
	var dirs []string
	var byControl bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules: id, severity, profiles, scope, title and HIPAA Security Rule references",
		Long: `List every rule with the profiles it runs in (--profile incident|hipaa|all on
scan, demo, evaluate, merge and suppressions check; user rules from --rules
join every profile), what one evaluation of it sees (SCOPE: sampled and bucket
rules run on each bucket as it is collected, origins and organization rules
once at the end; rules/README.md "Evaluation scopes") and the HIPAA Security
Rule sections it addresses.

With --by-control, list the HIPAA Security Rule sections instead, each with the
rules behind it: the mapping an auditor asks for. Sections no rule addresses
say "(no rule)".`,
		Example: `  hoofprint rules list
  hoofprint rules list --by-control
  hoofprint rules list --rules ./my-rules   # include your own rules`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := rules.Load(cmd.Context(), rules.Options{Dirs: dirs})
			if err != nil {
				return usageErr("%v", err)
			}
			if byControl {
				return rules.WriteControlTable(stdout, eng.Rules())
			}
			return rules.WriteTable(stdout, eng.Rules())
		},
	}
	list.Flags().BoolVar(&byControl, "by-control", false, "list HIPAA Security Rule sections with the rules behind each")
	list.Flags().StringSliceVar(&dirs, "rules", nil, "also list the rules in `DIR`")
	var verbose bool
	test := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego tests (*_test.rego) of the built-in rules, or of the rules in DIR",
		Long: `Run the Rego unit tests with OPA's test runner. Without DIR, the built-in rules
and their tests run; with DIR, the rules and tests in DIR run together with the
built-in library they may import. Exits 1 when a test fails.`,
		Example: `  hoofprint rules test
  hoofprint rules test ./my-rules -v`,
		RunE: func(cmd *cobra.Command, args []string) error {
			passed, failed, err := rules.RunTests(cmd.Context(), args, stdout, verbose)
			if err != nil {
				return usageErr("%v", err)
			}
			fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return &exitError{code: exitFindings}
			}
			return nil
		},
	}
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every test, not only failures")
	var showDirs []string
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule in full: what it checks, HIPAA sections, how to fix it and in which order",
		Example: `  hoofprint rules show s3-object-acl-public
  hoofprint rules show acme-bucket-named-public --rules ./my-rules`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := rules.Load(cmd.Context(), rules.Options{Dirs: showDirs})
			if err != nil {
				return usageErr("%v", err)
			}
			var ids []string
			for _, r := range eng.Rules() {
				if r.ID == args[0] {
					writeRule(stdout, r)
					return nil
				}
				ids = append(ids, r.ID)
			}
			msg := fmt.Sprintf("no rule %q", args[0])
			if best := closest(args[0], ids); best != "" {
				msg += "\nDid you mean " + best + "?"
			}
			return usageErr("%s\nRun 'hoofprint rules list' for every rule ID.", msg)
		},
	}
	show.Flags().StringSliceVar(&showDirs, "rules", nil, "also look in the rules in `DIR`")
	cmd.AddCommand(list, show, test)
	return cmd
}

// writeRule prints a rule for a person at a terminal; paragraphs are left
// unwrapped for the terminal to wrap.
func writeRule(w io.Writer, r findings.Rule) {
	fmt.Fprintf(w, "%s (%s)\n%s\n\n%s\n\n", r.ID, r.Severity, r.Title, r.Description)
	if len(r.HIPAA) > 0 {
		fmt.Fprintf(w, "HIPAA Security Rule: %s\n", strings.Join(r.HIPAA, ", "))
	}
	scope := ""
	if r.Sampled {
		scope = " (judged on sampled objects)"
	}
	fmt.Fprintf(w, "Resource type: %s%s\nEvaluated: %s\nSource: %s\n\nRemediation:\n%s\n", r.ResourceType, scope, evaluatedOn(r), r.Source, indent(r.Remediation))
	if r.SiteRemediation != "" {
		fmt.Fprintf(w, "\nWhere a CloudFront site reads the bucket through public access (the summary's AT RISK sites):\n%s\n", indent(r.SiteRemediation))
	}
	if r.DoFirst != "" {
		fmt.Fprintf(w, "\nDo first:\n%s\n", indent(r.DoFirst))
	}
	if r.RemediationCLI != "" {
		fmt.Fprintf(w, "\nFix with the AWS CLI:\n%s\n", indent(r.RemediationCLI))
	}
	if r.HelpURL != "" {
		fmt.Fprintf(w, "\nMore: %s\n", r.HelpURL)
	}
	if len(r.RelatedResources) > 0 {
		fmt.Fprintln(w, "\nAWS documentation:")
		for _, u := range r.RelatedResources {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
}

// evaluatedOn says what one evaluation of the rule sees (rules/README.md
// "Evaluation scopes").
func evaluatedOn(r findings.Rule) string {
	switch {
	case r.Sampled:
		return "once per bucket with sampled objects, on that bucket with its objects (sampled: true)"
	case r.Scope == findings.ScopeBucket:
		return "once per bucket, on its configuration, its account and the trails that could log it (scope: bucket)"
	case r.Scope == findings.ScopeOrigins:
		return "once, on the organization map and the buckets CloudFront distributions use as origins (scope: origins)"
	default:
		return "once, on the whole organization with every bucket's configuration (scope: organization)"
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
