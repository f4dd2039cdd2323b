package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestConverterMatchesJSON checks that the direct conversion gives the same
// AST as encoding the inventory to JSON and parsing it, for the whole
// fixture snapshot and a synthetic one.
func TestConverterMatchesJSON(t *testing.T) {
	for name, inv := range map[string]any{
		"the HealthCorp fixture":  healthcorpSnapshot(),
		"a synthetic org":         syntheticOrg(3, 2, 20),
		"a bucket with nil parts": bucketWithNothingRead(),
	} {
		t.Run(name, func(t *testing.T) {
			viaJSON, err := toValue(inv)
			if err != nil {
				t.Fatal(err)
			}
			direct, err := newConverter().value(inv)
			if err != nil {
				t.Fatal(err)
			}
			if viaJSON.Compare(direct) != 0 {
				t.Fatalf("direct conversion differs from JSON:\njson:   %v\ndirect: %v", viaJSON, direct)
			}
		})
	}
}

func bucketWithNothingRead() any {
	b := bucket("unread", acctProd, "", "us-east-1")
	b.PublicAccessBlock, b.OwnershipControls, b.ACL, b.Logging = nil, nil, nil, nil
	return b
}

// toValue converts a value to its JSON form as an AST value, so that rules
// see exactly the inventory's JSON field names.
func toValue(v any) (ast.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode rules input: %w", err)
	}
	val, err := ast.ValueFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("convert rules input: %w", err)
	}
	return val, nil
}
