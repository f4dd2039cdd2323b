package rules

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// Property tests of the bucket-policy public-ness reading in lib.rego
// (public_statements), over random policies. They check the monotonicity
// that "The meaning of public" (S3 User Guide) implies:
//   - adding a Deny never makes a bucket more public;
//   - pinning a condition value (adding a fixed value for a pinning key, or
//     replacing a wildcard or variable by a fixed value) never makes it more
//     public;
//   - a policy variable or a wildcard value never pins.

// publicIndexes evaluates lib.public_statements and returns the indexes
// of the public statements.
type publicIndexes func(t *testing.T, doc map[string]any) []int

func newPublicIndexes(t *testing.T) publicIndexes {
	t.Helper()
	srcs, err := embeddedSources(false)
	if err != nil {
		t.Fatal(err)
	}
	opts := []func(*rego.Rego){rego.Query(`x := [s.index | some s in data.hoofprint.lib.public_statements(input)]`)}
	for _, s := range srcs {
		opts = append(opts, rego.Module(s.name, s.text))
	}
	pq, err := rego.New(opts...).PrepareForEval(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, doc map[string]any) []int {
		t.Helper()
		// Round-trip through JSON so the input is what encoding/json gives
		// the inventory (float64 numbers, []any lists).
		b, _ := json.Marshal(doc)
		var in any
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(t.Context(), rego.EvalInput(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("public_statements undefined for %s", b)
		}
		var out []int
		for _, v := range rs[0].Bindings["x"].([]any) {
			n, _ := v.(json.Number).Int64()
			out = append(out, int(n))
		}
		slices.Sort(out)
		return out
	}
}

var (
	propPrincipals = []any{"*", map[string]any{"AWS": "*"}, map[string]any{"AWS": []any{"arn:aws:iam::111122223333:root", "*"}},
		map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, map[string]any{"Service": "cloudfront.amazonaws.com"}}
	propActions   = []any{"s3:GetObject", "s3:*", "s3:List*", []any{"s3:GetObject", "s3:PutObject"}, "*", "s3:GetObjectTagging"}
	propResources = []any{"arn:aws:s3:::b/*", "arn:aws:s3:::b", "*", []any{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}}
	propPositive  = []string{"StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringEqualsIgnoreCase", "ForAnyValue:StringEquals"}
	propNegative  = []string{"StringNotEquals", "StringNotLike", "ArnNotLike", "StringNotEqualsIfExists"}
	propOther     = []string{"StringEqualsIfExists", "Bool", "Null", "NumericLessThan"}
	// Fixed values per pinning key.
	propFixed = map[string][]string{
		"aws:SourceArn":             {"arn:aws:cloudfront::111122223333:distribution/E1"},
		"aws:SourceVpc":             {"vpc-1a2b3c"},
		"aws:SourceVpce":            {"vpce-1a2b3c"},
		"aws:SourceAccount":         {"111122223333"},
		"aws:SourceOwner":           {"111122223333"},
		"aws:SourceIp":              {"10.0.0.0/16", "192.0.2.1/32"},
		"aws:PrincipalOrgID":        {"o-abcdefghij"},
		"aws:PrincipalAccount":      {"111122223333"},
		"aws:PrincipalArn":          {"arn:aws:iam::111122223333:role/app"},
		"aws:userid":                {"AROAEXAMPLE:app"},
		"s3:DataAccessPointArn":     {"arn:aws:s3:us-west-2:111122223333:accesspoint/ap1"},
		"s3:DataAccessPointAccount": {"111122223333"},
	}
	// Values that name no one in particular: wildcards and policy variables.
	propLoose = []string{"*", "o-*", "111122223333*", "${aws:ResourceOrgID}", "${aws:ResourceAccount}",
		"arn:aws:iam::${aws:PrincipalAccount}:role/app", "arn:aws:iam::*:role/app", "vpc-?", "${aws:SourceVpc}"}
	propOtherKeys = []string{"aws:SecureTransport", "s3:prefix", "aws:RequestTag/team"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func pinKeys() []string {
	ks := make([]string, 0, len(propFixed))
	for k := range propFixed {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// randCondition is 0–2 random condition entries of any kind.
func randCondition(r *rand.Rand) map[string]any {
	cond := map[string]any{}
	for range r.IntN(3) {
		var op, key string
		var val any
		switch r.IntN(4) {
		case 0:
			op, key = pick(r, propPositive), pick(r, pinKeys())
			val = pick(r, propFixed[key])
		case 1:
			op, key = pick(r, propPositive), pick(r, pinKeys())
			val = pick(r, propLoose)
		case 2:
			op, key = pick(r, propNegative), pick(r, pinKeys())
			val = pick(r, append(slices.Clone(propFixed[key]), propLoose...))
		default:
			op, key = pick(r, propOther), pick(r, propOtherKeys)
			val = "false"
		}
		kv, _ := cond[op].(map[string]any)
		if kv == nil {
			kv = map[string]any{}
			cond[op] = kv
		}
		kv[key] = val
	}
	return cond
}

func randStatement(r *rand.Rand, effect string) map[string]any {
	st := map[string]any{"Effect": effect, "Principal": pick(r, propPrincipals), "Action": pick(r, propActions), "Resource": pick(r, propResources)}
	if c := randCondition(r); len(c) > 0 {
		st["Condition"] = c
	}
	return st
}

func randPolicy(r *rand.Rand) map[string]any {
	var sts []any
	for range 1 + r.IntN(3) {
		sts = append(sts, randStatement(r, "Allow"))
	}
	return map[string]any{"Version": "2012-10-17", "Statement": sts}
}

func clonePolicy(doc map[string]any) map[string]any {
	b, _ := json.Marshal(doc)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func addCondition(st map[string]any, op, key string, val any) {
	cond, _ := st["Condition"].(map[string]any)
	if cond == nil {
		cond = map[string]any{}
		st["Condition"] = cond
	}
	kv, _ := cond[op].(map[string]any)
	if kv == nil {
		kv = map[string]any{}
		cond[op] = kv
	}
	kv[key] = val
}

func isSubset(sub, super []int) bool {
	for _, i := range sub {
		if !slices.Contains(super, i) {
			return false
		}
	}
	return true
}

const propRuns = 300

func TestPropertyAddingADenyNeverMakesABucketMorePublic(t *testing.T) {
	public := newPublicIndexes(t)
	r := rand.New(rand.NewPCG(9, 1))
	checked := 0
	for range propRuns {
		doc := randPolicy(r)
		before := public(t, doc)
		withDeny := clonePolicy(doc)
		d := randStatement(r, "Deny")
		if r.IntN(2) == 0 {
			d["Principal"] = "*"
		}
		withDeny["Statement"] = append(withDeny["Statement"].([]any), d)
		after := public(t, withDeny)
		if !isSubset(after, before) {
			b, _ := json.Marshal(withDeny)
			t.Fatalf("a Deny made statements %v public (before: %v): %s", after, before, b)
		}
		if len(before) > 0 {
			checked++
		}
	}
	if checked < propRuns/10 {
		t.Fatalf("only %d of %d random policies were public: the generator tests nothing", checked, propRuns)
	}
}

func TestPropertyPinningAConditionNeverMakesABucketMorePublic(t *testing.T) {
	public := newPublicIndexes(t)
	r := rand.New(rand.NewPCG(9, 2))
	became := 0
	for range propRuns {
		doc := randPolicy(r)
		before := public(t, doc)
		pinned := clonePolicy(doc)
		sts := pinned["Statement"].([]any)
		i := r.IntN(len(sts))
		key := pick(r, pinKeys())
		addCondition(sts[i].(map[string]any), pick(r, propPositive), key, pick(r, propFixed[key]))
		after := public(t, pinned)
		if !isSubset(after, before) {
			b, _ := json.Marshal(pinned)
			t.Fatalf("pinning %s made statements %v public (before: %v): %s", key, after, before, b)
		}
		if slices.Contains(before, i) && !slices.Contains(after, i) {
			became++
		}
	}
	if became == 0 {
		t.Fatal("no pin ever made a public statement non-public: the generator tests nothing")
	}
}

func TestPropertyAVariableOrWildcardNeverPins(t *testing.T) {
	public := newPublicIndexes(t)
	r := rand.New(rand.NewPCG(9, 3))
	checked := 0
	for range propRuns {
		doc := randPolicy(r)
		before := public(t, doc)
		if len(before) == 0 {
			continue
		}
		loose := clonePolicy(doc)
		i := before[r.IntN(len(before))]
		key := pick(r, pinKeys())
		val := pick(r, propLoose)
		addCondition(loose["Statement"].([]any)[i].(map[string]any), pick(r, propPositive), key, val)
		after := public(t, loose)
		if !slices.Contains(after, i) {
			b, _ := json.Marshal(loose)
			t.Fatalf("%s %q pinned statement %d: %s", key, val, i, b)
		}
		checked++
	}
	if checked < propRuns/10 {
		t.Fatalf("only %d public statements checked", checked)
	}
	// The fixed values of the generator do pin, so the property above is
	// not true merely because nothing ever pins.
	doc := map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}}
	for _, key := range pinKeys() {
		pinned := clonePolicy(doc)
		addCondition(pinned["Statement"].([]any)[0].(map[string]any), "StringEquals", key, propFixed[key][0])
		if got := public(t, pinned); len(got) != 0 {
			t.Errorf("%s = %q does not pin (%v)", key, propFixed[key][0], got)
		}
	}
}
