package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

// originSplit are the top-level keys the parts of the origins input divide.
var originSplit = [...]string{"accounts", "buckets", "distributions", "originAccessIdentities", "originAccessControls"}

// partIDs lists, per part of the origins input, the IDs of what each
// divided list holds.
func partIDs(t *testing.T, in *originInput) []map[string][]string {
	t.Helper()
	var out []map[string][]string
	for i := range in.parts {
		v, err := in.value(i)
		if err != nil {
			t.Fatal(err)
		}
		obj := v.(ast.Object)
		got := map[string][]string{}
		for _, key := range originSplit {
			v := obj.Get(ast.StringTerm(key)).Value
			if _, null := v.(ast.Null); null {
				continue // null in the snapshot, as in the whole-map input
			}
			arr, ok := v.(*ast.Array)
			if !ok {
				t.Fatalf("part %d: %s is %v, want an array", i, key, obj.Get(ast.StringTerm(key)))
			}
			idKey := "id"
			if key == "buckets" {
				idKey = "name"
			}
			arr.Foreach(func(x *ast.Term) {
				got[key] = append(got[key], string(x.Value.(ast.Object).Get(ast.StringTerm(idKey)).Value.(ast.String)))
			})
		}
		if obj.Get(ast.StringTerm("canonicalIds")) == nil || obj.Get(ast.StringTerm("partition")) == nil {
			t.Errorf("part %d lacks the shared keys: %v", i, obj.Keys())
		}
		out = append(out, got)
	}
	return out
}

// TestOriginPartsKeepLinkedAccountsTogether checks the cut of the origins
// input: accounts linked by a distribution that uses another account's
// bucket or OAI share a part, every account, distribution, OAI and origin
// bucket lands in exactly one part, and no part holds a bucket that no
// distribution names.
func TestOriginPartsKeepLinkedAccountsTogether(t *testing.T) {
	snap := syntheticOrg(7, 3, 0)
	// Account 6's distribution reads account 5's bucket through account 4's
	// OAI: 4, 5 and 6 form one group (syntheticOrg already links 0-1 and 3-4).
	snap.Distributions = append(snap.Distributions, distribution("E6CROSS", snap.Accounts[6].ID,
		[]inventory.Origin{s3Origin("org-5-bucket-0", snap.Accounts[5].ID, "E4OAI", "")}, "redirect-to-https"))
	keep := originFilter(snap)
	in, err := originParts(snap, keep, 1)
	if err != nil {
		t.Fatal(err)
	}
	parts := partIDs(t, in)

	acct := func(i int) string { return snap.Accounts[i].ID }
	groups := [][]string{{acct(0), acct(1)}, {acct(2)}, {acct(3), acct(4), acct(5), acct(6)}}
	if len(parts) != len(groups) {
		t.Fatalf("%d parts, want %d (one per group of linked accounts): %v", len(parts), len(groups), parts)
	}
	for i, want := range groups {
		if got := parts[i]["accounts"]; !slices.Equal(got, want) {
			t.Errorf("part %d holds accounts %v, want %v", i, got, want)
		}
	}

	seen := map[string]int{}
	for i, p := range parts {
		for key, ids := range p {
			for _, id := range ids {
				seen[key+" "+id]++
				if key == "buckets" && !keep(&inventory.Bucket{Name: id}) {
					t.Errorf("part %d holds bucket %s, which no distribution names", i, id)
				}
			}
		}
	}
	var want []string
	for _, a := range snap.Accounts {
		want = append(want, "accounts "+a.ID)
	}
	for _, d := range snap.Distributions {
		want = append(want, "distributions "+d.ID)
	}
	for _, o := range snap.OriginAccessIdentities {
		want = append(want, "originAccessIdentities "+o.ID)
	}
	for _, b := range snap.Buckets {
		if keep(&b) {
			want = append(want, "buckets "+b.Name)
		}
	}
	for _, w := range want {
		if seen[w] != 1 {
			t.Errorf("%s is in %d parts, want 1", w, seen[w])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("the parts hold %d items, the snapshot %d", len(seen), len(want))
	}

	// The default size puts a small organization in one part.
	one, err := originParts(snap, keep, partAccounts)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.parts) != 1 {
		t.Errorf("%d accounts gave %d parts of up to %d accounts, want 1", len(snap.Accounts), len(one.parts), partAccounts)
	}
}

// TestAUserOriginsRuleStillSeesTheWholeMap loads a user rule with scope
// origins that counts the distributions of the organization: the built-in
// origins rules are evaluated part by part, but a user's rule keeps the
// documented contract and sees the whole map at once, however small the
// parts.
func TestAUserOriginsRuleStillSeesTheWholeMap(t *testing.T) {
	dir := t.TempDir()
	writeRule(t, dir, "dists.rego", countRule("distributions", findings.ScopeOrigins))
	e, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.origins.rules) != 1 || len(e.parted.rules) == 0 {
		t.Fatalf("want the user rule evaluated on the whole map and the built-in origins rules in parts; got %d and %d rules", len(e.origins.rules), len(e.parted.rules))
	}
	snap := syntheticOrg(6, 2, 3)
	want := fmt.Sprintf("%d distributions", len(snap.Distributions))
	str, _ := streamed(t, e, snap, 1)
	if !hasMessage(str, "acme-distribution-count", want) {
		var got []string
		for _, f := range str {
			if f.RuleID == "acme-distribution-count" {
				got = append(got, f.Message)
			}
		}
		t.Errorf("the user origins rule saw %v, want %q", got, want)
	}
}

// TestAStoppedOriginsEvaluationNamesTheBuiltinRules stops the evaluation
// before the end: every built-in origins rule is reported unfinished on
// the organization, none silently skipped.
func TestAStoppedOriginsEvaluationNamesTheBuiltinRules(t *testing.T) {
	e := loadEmbedded(t)
	snap := syntheticOrg(5, 1, 0)
	be, err := e.ForMap(snap)
	if err != nil {
		t.Fatal(err)
	}
	be.partAccounts = 1
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := be.EvaluateOrganization(ctx, snap); err != nil {
		t.Fatal(err)
	}
	var se *StoppedError
	if err := be.Stopped(ctx); !errors.As(err, &se) {
		t.Fatalf("Stopped = %v, want a *StoppedError", err)
	}
	unfinished := map[string]string{}
	for _, u := range se.Unfinished {
		unfinished[u.RuleID] = u.Resource
	}
	for _, r := range e.parted.rules {
		if unfinished[r.ID] != "organization" {
			t.Errorf("rule %s is not reported unfinished on the organization: %+v", r.ID, se.Unfinished)
		}
	}
}
