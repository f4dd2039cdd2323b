package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/inventory"
)

// InventorySchema returns a JSON Schema of the rules' input, derived from
// inventory.Snapshot's JSON tags so that it never drifts from the Go types.
// Objects do not allow properties the inventory does not have: with it,
// Load's type check rejects a rule that reads input.bukets or
// b.publicAccesBlock (as `opa check --strict` does with a schema), instead
// of letting the typo make the rule silently never fire.
func InventorySchema() map[string]any {
	s := schemaOf(reflect.TypeFor[inventory.Snapshot](), map[reflect.Type]bool{})
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "hoofprint inventory snapshot (" + inventory.SchemaVersion + ")"
	return s
}

func schemaOf(t reflect.Type, seen map[reflect.Type]bool) map[string]any {
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string"}
	case reflect.TypeFor[json.Number]():
		return map[string]any{"type": "number"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), seen)
	case reflect.Interface:
		return map[string]any{} // any JSON value (e.g. a policy document)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), seen)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), seen)}
	case reflect.Struct:
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type, seen)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

// inputSchemaSet is the schema set that makes the compiler type-check
// references to input against InventorySchema.
func inputSchemaSet() *ast.SchemaSet {
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, InventorySchema()) // the global input schema
	return ss
}
