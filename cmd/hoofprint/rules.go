package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/rules"
)

func newRulesCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules or run their Rego tests",
		Args:  cobra.ArbitraryArgs,
		RunE:  unknownSubcommand,
	}
	var dirs []string
	var byControl bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules: id, severity, profiles, title and HIPAA Security Rule references",
		Long: `List every rule with the profiles it runs in (--profile incident|hipaa|all on
scan, demo and evaluate; user rules from --rules join every profile) and the
HIPAA Security Rule sections it addresses.

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
	cmd.AddCommand(list, test)
	return cmd
}
