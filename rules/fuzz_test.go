package rules

import (
	"encoding/json"
	"testing"

	"github.com/hoofprint/hoofprint/inventory"
)

// FuzzConvert checks the direct inventory → Rego AST conversion against
// the JSON route on arbitrary inventories (decoded from fuzzed JSON): the
// rules must see exactly the inventory's JSON.
func FuzzConvert(f *testing.F) {
	for _, v := range []any{healthcorpSnapshot(), syntheticOrg(1, 1, 3), bucketWithNothingRead()} {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"buckets":[{"name":"\u0000","objects":{"objects":[{"keyHash":"x","size":-1}]}}],"canonicalIds":{"":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s inventory.Snapshot
		if json.Unmarshal(b, &s) != nil {
			return
		}
		viaJSON, err := toValue(&s)
		if err != nil {
			return
		}
		direct, err := newConverter().value(&s)
		if err != nil {
			t.Fatalf("direct conversion failed where JSON did not: %v", err)
		}
		if viaJSON.Compare(direct) != 0 {
			t.Fatalf("direct conversion differs from JSON:\njson:   %v\ndirect: %v", viaJSON, direct)
		}
	})
}
