package scanner

import (
	"fmt"
	"slices"

	"github.com/hoofprint/hoofprint/inventory"
)

// Reasons an account in scope is not scanned (inventory.Account.Skipped).
const (
	skippedNotActive   = "not ACTIVE"
	skippedExcluded    = "excluded by --exclude-accounts"
	skippedNotIncluded = "not in --accounts"
)

// validateAccountIDs checks that every ID given on the command line is a
// 12-digit AWS account ID, so a typo fails the run instead of silently
// scanning nothing.
func validateAccountIDs(flag string, ids []string) error {
	for _, id := range ids {
		if len(id) != 12 {
			return fmt.Errorf("%s: %q is not a 12-digit AWS account ID", flag, id)
		}
		for _, r := range id {
			if r < '0' || r > '9' {
				return fmt.Errorf("%s: %q is not a 12-digit AWS account ID", flag, id)
			}
		}
	}
	return nil
}

// selectAccounts decides which accounts are scanned. With an organization
// every listed account is in the snapshot, and the ones not scanned carry
// the reason in Skipped, so a reader can tell "excluded" from "forgotten".
// Without one the candidates are --accounts, or else the caller's own
// account. An ID named in --accounts but missing from the organization is
// still scanned (the user asked for it by number) and reported in
// extras so the caller can log it.
func selectAccounts(callerID string, org []orgAccount, inOrg bool, include, exclude []string) (accounts []inventory.Account, extras []string) {
	excluded := func(id string) bool { return slices.Contains(exclude, id) }
	if !inOrg {
		candidates := include
		if len(candidates) == 0 {
			candidates = []string{callerID}
		}
		seen := map[string]bool{}
		for _, id := range candidates {
			if seen[id] {
				continue
			}
			seen[id] = true
			a := inventory.Account{ID: id}
			if excluded(id) {
				a.Skipped = skippedExcluded
			}
			accounts = append(accounts, a)
		}
		return accounts, nil
	}
	seen := map[string]bool{}
	for _, o := range org {
		if seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		a := inventory.Account{ID: o.ID, Name: o.Name, Status: o.State}
		switch {
		case o.State != "ACTIVE":
			a.Skipped = skippedNotActive
		case excluded(o.ID):
			a.Skipped = skippedExcluded
		case len(include) > 0 && !slices.Contains(include, o.ID):
			a.Skipped = skippedNotIncluded
		}
		accounts = append(accounts, a)
	}
	for _, id := range include {
		if !seen[id] && !excluded(id) {
			seen[id] = true
			accounts = append(accounts, inventory.Account{ID: id})
			extras = append(extras, id)
		}
	}
	return accounts, extras
}
