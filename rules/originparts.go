package rules

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/inventory"
)

// partAccounts is about how many accounts one part of the origins input
// holds (a connected group is never split, so a part can hold more).
// Converting the whole organization map into one OPA value was the
// highest point of a large scan's heap (16 MB of AST and about as much
// again to evaluate it at 1,000 accounts); parts of 50 accounts keep that
// small while the number of evaluations stays low (20 parts × the rules at
// 1,000 accounts).
const partAccounts = 50

// The built-in origins-scope rules judge one distribution, or one account,
// at a time. What they read about a distribution is the distribution, the
// buckets its origins name (lib.bucket_by_name), the OAIs and OACs they use
// (lib.oai, by ID), those buckets' accounts (lib.account(b.accountId), for
// Block Public Access) and the canonical IDs; about an account, only the
// account. So the organization map falls into independent groups of
// accounts, linked when a distribution of one uses a bucket, OAI or OAC of
// another, and every group gives on its own exactly the findings it gives
// within the whole map (TestScopedEvaluationFindsWhatTheWholeSnapshotGives
// checks it with parts of one account). A user's origins rule may compare anything
// in the map, so it is still evaluated once on the whole of it.

// originInput is the origins-scope input of a snapshot, cut into parts
// that are converted to OPA values one at a time (value), so that only one
// part is ever held as AST.
type originInput struct {
	conv   *converter
	shared ast.Object
	inv    *inventory.Snapshot
	parts  []*originPart
}

// originParts cuts the origins-scope input of inv (its buckets that keep
// accepts, without objects) into parts of about size accounts each, in the
// order of inv's accounts.
func originParts(inv *inventory.Snapshot, keep func(*inventory.Bucket) bool, size int) (*originInput, error) {
	conv := newConverter()
	rest := *inv
	rest.Accounts, rest.Buckets, rest.Distributions = nil, nil, nil
	rest.OriginAccessIdentities, rest.OriginAccessControls = nil, nil
	restVal, err := conv.value(&rest)
	if err != nil {
		return nil, err
	}
	shared, _ := restVal.(ast.Object)

	g := newAccountGroups()
	for i := range inv.Accounts {
		g.add(inv.Accounts[i].ID)
	}
	var kept []*inventory.Bucket
	buckets := map[string]*inventory.Bucket{}
	for i := range inv.Buckets {
		if b := &inv.Buckets[i]; keep(b) {
			kept = append(kept, b)
			buckets[b.Name] = b
			g.add(b.AccountID)
		}
	}
	oais := map[string]string{} // OAI ID → account
	for _, o := range inv.OriginAccessIdentities {
		oais[o.ID] = o.AccountID
		g.add(o.AccountID)
	}
	oacs := map[string]string{} // OAC ID → account
	for _, o := range inv.OriginAccessControls {
		oacs[o.ID] = o.AccountID
		g.add(o.AccountID)
	}
	for i := range inv.Distributions {
		d := &inv.Distributions[i]
		g.add(d.AccountID)
		for _, o := range d.Origins {
			if b, ok := buckets[o.BucketName]; ok {
				g.union(d.AccountID, b.AccountID)
			}
			if a, ok := oais[o.OAIID]; ok && o.OAIID != "" {
				g.union(d.AccountID, a)
			}
			if a, ok := oacs[o.OACID]; ok && o.OACID != "" {
				g.union(d.AccountID, a)
			}
		}
	}

	// Number the parts: groups, in the order their first account was met,
	// filled up to size accounts.
	part := map[string]int{} // group root → part
	n, filled := 0, 0
	for _, id := range g.order {
		r := g.find(id)
		if _, ok := part[r]; ok {
			continue
		}
		if filled >= size {
			n, filled = n+1, 0
		}
		part[r] = n
		filled += g.size[r]
	}
	of := func(account string) int { return part[g.find(account)] }

	parts := make([]*originPart, n+1)
	for i := range parts {
		parts[i] = &originPart{}
	}
	for i := range inv.Accounts {
		p := parts[of(inv.Accounts[i].ID)]
		p.accounts = append(p.accounts, &inv.Accounts[i])
	}
	for _, b := range kept {
		p := parts[of(b.AccountID)]
		p.buckets = append(p.buckets, b)
	}
	for i := range inv.Distributions {
		p := parts[of(inv.Distributions[i].AccountID)]
		p.dists = append(p.dists, &inv.Distributions[i])
	}
	for i := range inv.OriginAccessIdentities {
		p := parts[of(inv.OriginAccessIdentities[i].AccountID)]
		p.oais = append(p.oais, &inv.OriginAccessIdentities[i])
	}
	for i := range inv.OriginAccessControls {
		p := parts[of(inv.OriginAccessControls[i].AccountID)]
		p.oacs = append(p.oacs, &inv.OriginAccessControls[i])
	}

	return &originInput{conv: conv, shared: shared, inv: inv, parts: parts}, nil
}

// value converts part i.
func (in *originInput) value(i int) (ast.Value, error) {
	return in.parts[i].value(in.conv, in.shared, in.inv)
}

// originPart is one part's share of the lists the parts divide.
type originPart struct {
	accounts []*inventory.Account
	buckets  []*inventory.Bucket
	dists    []*inventory.Distribution
	oais     []*inventory.OriginAccessIdentity
	oacs     []*inventory.OriginAccessControl
}

// value is the part's input: the shared keys and the part's lists. Every
// key but the five lists (the scalars, organization, canonicalIds, trails,
// coverage) is converted once and shared by every part: OPA does not modify
// input terms, so sharing them between evaluations is safe. A list that is
// null in the snapshot stays null, as in the whole-map input.
func (p *originPart) value(conv *converter, shared ast.Object, inv *inventory.Snapshot) (ast.Value, error) {
	// Buckets without their objects, as the whole-map input has them.
	configs := make([]*inventory.Bucket, len(p.buckets))
	for i, b := range p.buckets {
		cfg := *b
		cfg.Objects.Objects = nil
		configs[i] = &cfg
	}
	accounts, err := convertAll(conv, p.accounts)
	if err != nil {
		return nil, err
	}
	buckets, err := convertAll(conv, configs)
	if err != nil {
		return nil, err
	}
	dists, err := convertAll(conv, p.dists)
	if err != nil {
		return nil, err
	}
	oais, err := convertAll(conv, p.oais)
	if err != nil {
		return nil, err
	}
	oacs, err := convertAll(conv, p.oacs)
	if err != nil {
		return nil, err
	}

	obj := ast.NewObject()
	shared.Foreach(func(k, v *ast.Term) { obj.Insert(k, v) })
	for _, l := range []struct {
		key   string
		null  bool
		items []*ast.Term
	}{
		{"accounts", inv.Accounts == nil, accounts},
		{"buckets", false, buckets},
		{"distributions", inv.Distributions == nil, dists},
		{"originAccessIdentities", inv.OriginAccessIdentities == nil, oais},
		{"originAccessControls", inv.OriginAccessControls == nil, oacs},
	} {
		if l.null {
			obj.Insert(ast.StringTerm(l.key), ast.NullTerm())
		} else {
			obj.Insert(ast.StringTerm(l.key), ast.ArrayTerm(l.items...))
		}
	}
	return obj, nil
}

// convertAll converts values of the map, in order.
func convertAll[T any](conv *converter, vs []*T) ([]*ast.Term, error) {
	out := make([]*ast.Term, 0, len(vs))
	for _, v := range vs {
		x, err := conv.value(v)
		if err != nil {
			return nil, err
		}
		out = append(out, ast.NewTerm(x))
	}
	return out, nil
}

// accountGroups is a union-find over account IDs that remembers the order
// in which IDs were first added and each group's number of IDs.
type accountGroups struct {
	parent map[string]string
	size   map[string]int
	order  []string
}

func newAccountGroups() *accountGroups {
	return &accountGroups{parent: map[string]string{}, size: map[string]int{}}
}

func (g *accountGroups) add(id string) {
	if _, ok := g.parent[id]; !ok {
		g.parent[id] = id
		g.size[id] = 1
		g.order = append(g.order, id)
	}
}

func (g *accountGroups) find(id string) string {
	for g.parent[id] != id {
		g.parent[id] = g.parent[g.parent[id]]
		id = g.parent[id]
	}
	return id
}

func (g *accountGroups) union(a, b string) {
	g.add(a)
	g.add(b)
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return
	}
	if g.size[ra] < g.size[rb] {
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
	g.size[ra] += g.size[rb]
}
