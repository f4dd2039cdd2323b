package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/termsafe"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/suppress"
)

const suppressionsLong = `Accepted risks: findings that are known, reviewed and accepted until a date.

A suppressions file is YAML. Every entry names what it covers and who accepted
it, why, and until when:

  version: 1
  suppressions:
    - rule: s3-bucket-policy-public          # a rule ID, or a glob (s3-object-*)
      account: "222222222222"                # optional: any account when absent
      region: us-east-1                      # optional: any region when absent
      resource: arn:aws:s3:::marketing-site  # an ARN, or a glob (arn:aws:s3:::site/*)
      reason: Public website, approved by security (SEC-1234)
      owner: security@example.com
      expires: 2027-06-30                    # through that day, UTC; or an RFC 3339 time

reason, owner and expires are required, and an expiry more than
--suppressions-max-days away (365 by default) is refused, with the file and
line. In a resource glob "*" matches any characters, "/" included, and "?" one.
An object is named by its key hash as the reports show it
(arn:aws:s3:::bucket/hmac:…), so no object key needs to be written down.

Give the file to scan, demo, evaluate or merge with --suppressions FILE. A scan
(or a merge) with --output s3://BUCKET/PREFIX/ and no --suppressions reads
s3://BUCKET/PREFIX/suppressions.yaml when it exists.

A suppressed finding stays in every report, marked: SARIF results carry an
external, accepted suppression; ASFF and Security Hub findings are in workflow
SUPPRESSED; the summary and the HTML report list accepted risks apart, those
expiring within 14 days first. --fail-on ignores them. An entry past its expiry
stops suppressing (its findings are active again, and the summary and the log
say so); an entry that matched nothing is reported stale.`

func newSuppressionsCommand(stdout, _ io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "suppressions",
		Short: "Validate an accepted-risks file and show what it would suppress",
		Long:  suppressionsLong,
		Args:  cobra.ArbitraryArgs,
		RunE:  unknownSubcommand,
	}
	var (
		invPath string
		dirs    []string
		profile string
		maxDays int
	)
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a suppressions file; with --inventory, show what each entry matches",
		Long: `Validate a suppressions file (required fields, dates, rule IDs) and, with
--inventory, evaluate the rules on that snapshot and show the findings each
entry would suppress, and which entries are expired or stale. Run it in the
pull request that changes the file. Exits 2 when the file is invalid.`,
		Example: `  hoofprint suppressions check suppressions.yaml
  hoofprint suppressions check suppressions.yaml --inventory inventory.json.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxDays < 1 {
				return usageErr("--suppressions-max-days %d: want 1 or more", maxDays)
			}
			now := time.Now()
			set, err := suppress.Load(args[0], suppress.Options{Now: now, MaxAge: time.Duration(maxDays) * 24 * time.Hour})
			if err != nil {
				return usageErr("%v", err)
			}
			// Rule IDs are checked against every built-in rule, whatever the
			// profile: an entry for a rule another profile runs is not a typo.
			eng, err := rules.Load(cmd.Context(), rules.Options{Dirs: dirs})
			if err != nil {
				return usageErr("%v", err)
			}
			rs := eng.Rules()
			ids := make([]string, len(rs))
			for i, r := range rs {
				ids[i] = r.ID
			}
			if err := set.UnknownRules(ids); err != nil {
				return usageErr("%v", err)
			}
			fmt.Fprintf(stdout, "%s: %d entries, valid.\n", termsafe.Escape(args[0]), len(set.Entries))
			if invPath == "" {
				for _, e := range set.Entries {
					printEntry(stdout, e.SuppressionEntry, now, false)
				}
				return nil
			}
			inv, err := inventory.ReadFile(invPath)
			if err != nil {
				return usageErr("%v", err)
			}
			// Match what the scan reports: the rules of its profile.
			if eng, err = rules.Load(cmd.Context(), rules.Options{Dirs: dirs, Profile: profile}); err != nil {
				return usageErr("%v", err)
			}
			rs = eng.Rules()
			fs, err := eng.Evaluate(cmd.Context(), inv)
			if err != nil {
				return fmt.Errorf("evaluate %s: %w", invPath, err)
			}
			doc := findings.NewDocument(inv, rs, fs)
			set.Apply(&doc)
			fmt.Fprintf(stdout, "Against %s (%d findings):\n", termsafe.Escape(invPath), len(doc.Findings))
			for i, e := range doc.Suppressions {
				printEntry(stdout, e, now, true)
				for _, f := range doc.Findings {
					if set.Entries[i].Matches(f) {
						fmt.Fprintf(stdout, "      %s %s %s %s\n", f.Severity, termsafe.Escape(f.RuleID), termsafe.Escape(f.AccountID), termsafe.Escape(f.ResourceARN))
					}
				}
			}
			return nil
		},
	}
	check.Flags().StringVar(&invPath, "inventory", "", "inventory snapshot `FILE` to match the entries against (written by 'hoofprint scan --inventory')")
	check.Flags().StringSliceVar(&dirs, "rules", nil, "extra Rego rules from `DIR`, as given to scan")
	check.Flags().StringVar(&profile, "profile", findings.ProfileHIPAA, "with --inventory, evaluate the built-in rules of this profile, as given to scan (rule IDs are checked against every profile)")
	check.Flags().IntVar(&maxDays, "suppressions-max-days", 365, "refuse an expiry more than `DAYS` away")
	cmd.AddCommand(check)
	return cmd
}

// printEntry prints one entry; matched says whether it was matched against
// an inventory (so that 0 matches means stale).
func printEntry(w io.Writer, e findings.SuppressionEntry, now time.Time, matched bool) {
	where := []string{"rule " + e.Rule}
	if e.Account != "" {
		where = append(where, "account "+e.Account)
	}
	if e.Region != "" {
		where = append(where, "region "+e.Region)
	}
	where = append(where, "resource "+e.Resource)
	state := "until " + findings.ExpiryText(e.Expires)
	switch left := e.Expires.Sub(now); {
	case e.Expired:
		state = "EXPIRED " + findings.ExpiryText(e.Expires) + ": no longer suppresses"
	case left <= 14*24*time.Hour:
		state = fmt.Sprintf("EXPIRES IN %d DAY(S): %s", int(left.Hours()/24)+1, findings.ExpiryText(e.Expires))
	}
	// The file is text from whoever edits it.
	fmt.Fprintf(w, "  %s  %s (owner %s): %s\n", termsafe.Escape(e.Source), termsafe.Escape(strings.Join(where, ", ")), termsafe.Escape(e.Owner), state)
	fmt.Fprintf(w, "    reason: %s\n", termsafe.Escape(e.Reason))
	switch {
	case !matched:
	case e.Matched == 0:
		fmt.Fprintf(w, "    STALE: matches no finding in the inventory\n")
	case e.Expired:
		fmt.Fprintf(w, "    matches %d finding(s), which stay active:\n", e.Matched)
	default:
		fmt.Fprintf(w, "    suppresses %d finding(s):\n", e.Matched)
	}
}
