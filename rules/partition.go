package rules

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/inventory"
)

// index finds, for one bucket, the parts of the organization map its input
// holds: its account, the distributions serving it, their OAIs and OACs,
// the canonical IDs in view and the trails that could log it. It keeps
// pointers into the map and converts those parts to AST terms per bucket:
// converting every account, distribution and canonical ID up front held a
// second copy of the map that grew with the organization (about 4 KB an
// account, the largest growing item of a shard's heap), to save converting
// the few a bucket needs. The header and the organization trails, small
// and in every input, are converted once; AST values are not modified by
// evaluation, so sharing them between concurrent evaluations is safe.
type index struct {
	conv      *converter
	header    [][2]*ast.Term // top-level scalars copied into every input
	accounts  map[string]*inventory.Account
	dists     map[string][]*inventory.Distribution // bucket name → distributions with an origin on it
	distOAIs  map[string][]string                  // bucket name → OAI IDs those origins use
	distOACs  map[string][]string                  // bucket name → OAC IDs those origins use
	oais      map[string]*inventory.OriginAccessIdentity
	oacs      map[string]*inventory.OriginAccessControl
	canonical map[string]inventory.CanonicalIdentity
	// trails of each account, and organization trails (which log every
	// account of the organization): the trails that could log a bucket.
	acctTrails map[string][]trailRef
	orgTrails  []trailTerm
	hasTrails  bool // the snapshot lists trails (else "trails" is absent, as in the snapshot's JSON)
}

// trailTerm is a trail with its place in the snapshot's list, so that a
// bucket's input lists its trails in the snapshot's order (evidence lists
// them as the rule meets them).
type trailTerm struct {
	i int
	t *ast.Term
}

// trailRef is an account's trail, converted when a bucket needs it.
type trailRef struct {
	i  int
	tr *inventory.Trail
}

func newIndex(inv *inventory.Snapshot) (*index, error) {
	ix := &index{
		conv:       newConverter(),
		accounts:   map[string]*inventory.Account{},
		dists:      map[string][]*inventory.Distribution{},
		distOAIs:   map[string][]string{},
		distOACs:   map[string][]string{},
		oais:       map[string]*inventory.OriginAccessIdentity{},
		oacs:       map[string]*inventory.OriginAccessControl{},
		canonical:  inv.CanonicalIDs,
		acctTrails: map[string][]trailRef{},
	}
	for _, kv := range []struct {
		k string
		v any
	}{
		{"schemaVersion", inv.SchemaVersion}, {"partition", inv.Partition},
		{"callerAccountId", inv.CallerAccountID}, {"showObjectKeys", inv.ShowObjectKeys},
	} {
		t, err := ix.term(kv.v)
		if err != nil {
			return nil, err
		}
		ix.header = append(ix.header, [2]*ast.Term{ast.StringTerm(kv.k), t})
	}
	if inv.Organization != nil {
		t, err := ix.term(inv.Organization)
		if err != nil {
			return nil, err
		}
		ix.header = append(ix.header, [2]*ast.Term{ast.StringTerm("organization"), t})
	}
	for i := range inv.Accounts {
		a := &inv.Accounts[i]
		ix.accounts[a.ID] = a
	}
	for i := range inv.Distributions {
		d := &inv.Distributions[i]
		seen := map[string]bool{}
		for _, o := range d.Origins {
			if o.BucketName == "" {
				continue
			}
			if !seen[o.BucketName] {
				seen[o.BucketName] = true
				ix.dists[o.BucketName] = append(ix.dists[o.BucketName], d)
			}
			if o.OAIID != "" {
				ix.distOAIs[o.BucketName] = append(ix.distOAIs[o.BucketName], o.OAIID)
			}
			if o.OACID != "" {
				ix.distOACs[o.BucketName] = append(ix.distOACs[o.BucketName], o.OACID)
			}
		}
	}
	for i := range inv.OriginAccessIdentities {
		o := &inv.OriginAccessIdentities[i]
		ix.oais[o.ID] = o
	}
	for i := range inv.OriginAccessControls {
		o := &inv.OriginAccessControls[i]
		ix.oacs[o.ID] = o
	}
	ix.hasTrails = len(inv.Trails) > 0
	for i := range inv.Trails {
		tr := &inv.Trails[i]
		// s3-bucket-data-events-off's candidates: an organization trail, or
		// one of the bucket's account. Listed in the snapshot's order.
		if tr.OrganizationTrail {
			t, err := ix.term(tr)
			if err != nil {
				return nil, err
			}
			ix.orgTrails = append(ix.orgTrails, trailTerm{i, t})
		} else {
			ix.acctTrails[tr.AccountID] = append(ix.acctTrails[tr.AccountID], trailRef{i, tr})
		}
	}
	return ix, nil
}

// term converts one value of the map.
func (ix *index) term(v any) (*ast.Term, error) {
	val, err := ix.conv.value(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
}

// bucketInput builds the input of the rules of one bucket: the bucket (with
// its objects for the sampled rules), its account, the distributions
// serving it (from any account), their OAIs and OACs, and the canonical IDs
// in view; with trails, the trails that could log the bucket too (its
// account's and the organization trails).
func (ix *index) bucketInput(b *inventory.Bucket, trails bool) (ast.Value, error) {
	in, err := ix.bucketInputTerms(b, trails)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", b.ARN, err)
	}
	return in, nil
}

func (ix *index) bucketInputTerms(b *inventory.Bucket, trails bool) (ast.Value, error) {
	bv, err := ix.conv.value(b)
	if err != nil {
		return nil, err
	}
	obj := ast.NewObject(ix.header...)
	obj.Insert(ast.StringTerm("buckets"), ast.ArrayTerm(ast.NewTerm(bv)))

	var accounts []*ast.Term
	acctCanon := ""
	if a, ok := ix.accounts[b.AccountID]; ok {
		t, err := ix.term(a)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, t)
		acctCanon = a.CanonicalUserID
	}
	obj.Insert(ast.StringTerm("accounts"), ast.ArrayTerm(accounts...))
	dists, err := convertAll(ix.conv, ix.dists[b.Name])
	if err != nil {
		return nil, err
	}
	obj.Insert(ast.StringTerm("distributions"), ast.ArrayTerm(dists...))

	cids := map[string]bool{b.OwnerCanonicalID: true, acctCanon: true}
	var oais []*inventory.OriginAccessIdentity
	for _, id := range dedupe(ix.distOAIs[b.Name]) {
		if o, ok := ix.oais[id]; ok {
			oais = append(oais, o)
			cids[o.S3CanonicalUserID] = true
		}
	}
	oaiTerms, err := convertAll(ix.conv, oais)
	if err != nil {
		return nil, err
	}
	obj.Insert(ast.StringTerm("originAccessIdentities"), ast.ArrayTerm(oaiTerms...))
	var oacs []*inventory.OriginAccessControl
	for _, id := range dedupe(ix.distOACs[b.Name]) {
		if o, ok := ix.oacs[id]; ok {
			oacs = append(oacs, o)
		}
	}
	oacTerms, err := convertAll(ix.conv, oacs)
	if err != nil {
		return nil, err
	}
	obj.Insert(ast.StringTerm("originAccessControls"), ast.ArrayTerm(oacTerms...))

	addACL := func(acl *inventory.ACL) {
		if acl == nil {
			return
		}
		cids[acl.OwnerCanonicalID] = true
		for _, g := range acl.Grants {
			cids[g.GranteeID] = true
		}
	}
	addACL(b.ACL)
	for i := range b.Objects.Objects {
		o := &b.Objects.Objects[i]
		cids[o.OwnerCanonicalID] = true
		addACL(o.ACL)
	}
	canon := ast.NewObject()
	for id := range cids {
		c, ok := ix.canonical[id]
		if !ok || id == "" {
			continue
		}
		t, err := ix.term(c)
		if err != nil {
			return nil, err
		}
		canon.Insert(ast.StringTerm(id), t)
	}
	obj.Insert(ast.StringTerm("canonicalIds"), ast.NewTerm(canon))
	if trails && ix.hasTrails {
		own := make([]trailTerm, 0, len(ix.acctTrails[b.AccountID]))
		for _, r := range ix.acctTrails[b.AccountID] {
			t, err := ix.term(r.tr)
			if err != nil {
				return nil, err
			}
			own = append(own, trailTerm{r.i, t})
		}
		obj.Insert(ast.StringTerm("trails"), ast.ArrayTerm(mergeTrails(ix.orgTrails, own)...))
	}
	return obj, nil
}

// mergeTrails merges two lists in snapshot order into one.
func mergeTrails(a, b []trailTerm) []*ast.Term {
	out := make([]*ast.Term, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		if len(b) == 0 || (len(a) > 0 && a[0].i < b[0].i) {
			out, a = append(out, a[0].t), a[1:]
		} else {
			out, b = append(out, b[0].t), b[1:]
		}
	}
	return out
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
