package rules

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/inventory"
)

// index holds the parts of a snapshot that per-bucket inputs share, already
// converted to AST terms once, so that each bucket converts only itself.
// AST values are not modified by evaluation, so sharing them between
// concurrent evaluations is safe.
type index struct {
	conv       *converter
	header     [][2]*ast.Term         // top-level scalars copied into every input
	accounts   map[string]*ast.Term   // account ID → account
	acctCanon  map[string]string      // account ID → its canonical user ID
	dists      map[string][]*ast.Term // bucket name → distributions with an origin on it
	distOAIs   map[string][]string    // bucket name → OAI IDs those origins use
	distOACs   map[string][]string    // bucket name → OAC IDs those origins use
	oais       map[string]*ast.Term
	oaiCanon   map[string]string // OAI ID → S3 canonical user ID
	oacs       map[string]*ast.Term
	canonicals map[string]*ast.Term
	// trails of each account, and organization trails (which log every
	// account of the organization): the trails that could log a bucket.
	acctTrails map[string][]trailTerm
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

func newIndex(inv *inventory.Snapshot) (*index, error) {
	ix := &index{
		conv:       newConverter(),
		accounts:   map[string]*ast.Term{},
		acctCanon:  map[string]string{},
		dists:      map[string][]*ast.Term{},
		distOAIs:   map[string][]string{},
		distOACs:   map[string][]string{},
		oais:       map[string]*ast.Term{},
		oaiCanon:   map[string]string{},
		oacs:       map[string]*ast.Term{},
		canonicals: map[string]*ast.Term{},
		acctTrails: map[string][]trailTerm{},
	}
	term := func(v any) (*ast.Term, error) {
		val, err := ix.conv.value(v)
		if err != nil {
			return nil, err
		}
		return ast.NewTerm(val), nil
	}
	var err error
	for _, kv := range []struct {
		k string
		v any
	}{
		{"schemaVersion", inv.SchemaVersion}, {"partition", inv.Partition},
		{"callerAccountId", inv.CallerAccountID}, {"showObjectKeys", inv.ShowObjectKeys},
	} {
		t, err := term(kv.v)
		if err != nil {
			return nil, err
		}
		ix.header = append(ix.header, [2]*ast.Term{ast.StringTerm(kv.k), t})
	}
	if inv.Organization != nil {
		t, err := term(inv.Organization)
		if err != nil {
			return nil, err
		}
		ix.header = append(ix.header, [2]*ast.Term{ast.StringTerm("organization"), t})
	}
	for i := range inv.Accounts {
		a := &inv.Accounts[i]
		if ix.accounts[a.ID], err = term(a); err != nil {
			return nil, err
		}
		ix.acctCanon[a.ID] = a.CanonicalUserID
	}
	for i := range inv.Distributions {
		d := &inv.Distributions[i]
		t, err := term(d)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, o := range d.Origins {
			if o.BucketName == "" {
				continue
			}
			if !seen[o.BucketName] {
				seen[o.BucketName] = true
				ix.dists[o.BucketName] = append(ix.dists[o.BucketName], t)
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
		if ix.oais[o.ID], err = term(o); err != nil {
			return nil, err
		}
		ix.oaiCanon[o.ID] = o.S3CanonicalUserID
	}
	for i := range inv.OriginAccessControls {
		o := &inv.OriginAccessControls[i]
		if ix.oacs[o.ID], err = term(o); err != nil {
			return nil, err
		}
	}
	ix.hasTrails = len(inv.Trails) > 0
	for i := range inv.Trails {
		tr := &inv.Trails[i]
		t, err := term(tr)
		if err != nil {
			return nil, err
		}
		// s3-bucket-data-events-off's candidates: an organization trail, or
		// one of the bucket's account. Listed in the snapshot's order.
		if tr.OrganizationTrail {
			ix.orgTrails = append(ix.orgTrails, trailTerm{i, t})
		} else {
			ix.acctTrails[tr.AccountID] = append(ix.acctTrails[tr.AccountID], trailTerm{i, t})
		}
	}
	for id, c := range inv.CanonicalIDs {
		if ix.canonicals[id], err = term(c); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// bucketInput builds the input of the rules of one bucket: the bucket (with
// its objects for the sampled rules), its account, the distributions
// serving it (from any account), their OAIs and OACs, and the canonical IDs
// in view; with trails, the trails that could log the bucket too (its
// account's and the organization trails).
func (ix *index) bucketInput(b *inventory.Bucket, trails bool) (ast.Value, error) {
	bv, err := ix.conv.value(b)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", b.ARN, err)
	}
	obj := ast.NewObject(ix.header...)
	obj.Insert(ast.StringTerm("buckets"), ast.ArrayTerm(ast.NewTerm(bv)))

	var accounts []*ast.Term
	if t, ok := ix.accounts[b.AccountID]; ok {
		accounts = append(accounts, t)
	}
	obj.Insert(ast.StringTerm("accounts"), ast.ArrayTerm(accounts...))
	obj.Insert(ast.StringTerm("distributions"), ast.ArrayTerm(ix.dists[b.Name]...))

	cids := map[string]bool{b.OwnerCanonicalID: true, ix.acctCanon[b.AccountID]: true}
	var oais []*ast.Term
	for _, id := range dedupe(ix.distOAIs[b.Name]) {
		if t, ok := ix.oais[id]; ok {
			oais = append(oais, t)
			cids[ix.oaiCanon[id]] = true
		}
	}
	obj.Insert(ast.StringTerm("originAccessIdentities"), ast.ArrayTerm(oais...))
	var oacs []*ast.Term
	for _, id := range dedupe(ix.distOACs[b.Name]) {
		if t, ok := ix.oacs[id]; ok {
			oacs = append(oacs, t)
		}
	}
	obj.Insert(ast.StringTerm("originAccessControls"), ast.ArrayTerm(oacs...))

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
		if t, ok := ix.canonicals[id]; ok && id != "" {
			canon.Insert(ast.StringTerm(id), t)
		}
	}
	obj.Insert(ast.StringTerm("canonicalIds"), ast.NewTerm(canon))
	if trails && ix.hasTrails {
		obj.Insert(ast.StringTerm("trails"), ast.ArrayTerm(mergeTrails(ix.orgTrails, ix.acctTrails[b.AccountID])...))
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
