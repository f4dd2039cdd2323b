package rules

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// converter turns inventory values into AST values directly, following
// their encoding/json tags (names, omitempty, omitzero), so that rules see
// the same document as the inventory's JSON form without paying for a JSON
// encode and decode per bucket. TestConverterMatchesJSON checks the two
// agree on the fixture inventory.
type converter struct {
	mu     sync.RWMutex
	fields map[reflect.Type][]fieldInfo
}

type fieldInfo struct {
	index     int
	name      *ast.Term
	omitEmpty bool
	omitZero  bool
}

func newConverter() *converter {
	return &converter{fields: map[reflect.Type][]fieldInfo{}}
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	jsonNumberType = reflect.TypeFor[json.Number]()
)

// value converts v.
func (c *converter) value(v any) (ast.Value, error) {
	return c.convert(reflect.ValueOf(v))
}

func (c *converter) convert(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.Null{}, nil
	}
	switch v.Type() {
	case timeType:
		b, err := v.Interface().(time.Time).MarshalJSON()
		if err != nil {
			return nil, err
		}
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return nil, err
		}
		return ast.String(s), nil
	case jsonNumberType:
		return ast.Number(v.String()), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return c.convert(v.Elem())
	case reflect.String:
		return ast.String(v.String()), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return ast.Number(strconv.FormatFloat(v.Float(), 'g', -1, 64)), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.Null{}, nil
		}
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := c.convert(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(x)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("convert %s: map keys must be strings", v.Type())
		}
		obj := ast.NewObject()
		it := v.MapRange()
		for it.Next() {
			x, err := c.convert(it.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(ast.StringTerm(it.Key().String()), ast.NewTerm(x))
		}
		return obj, nil
	case reflect.Struct:
		fields := c.fieldsOf(v.Type())
		kvs := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if (f.omitEmpty && isEmpty(fv)) || (f.omitZero && fv.IsZero()) {
				continue
			}
			x, err := c.convert(fv)
			if err != nil {
				return nil, err
			}
			kvs = append(kvs, [2]*ast.Term{f.name, ast.NewTerm(x)})
		}
		return ast.NewObject(kvs...), nil
	}
	return nil, fmt.Errorf("convert %s: unsupported kind %s", v.Type(), v.Kind())
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// fieldsOf returns the JSON fields of a struct type (exported, not "-").
// Embedded structs are not used by the inventory and are not flattened.
func (c *converter) fieldsOf(t reflect.Type) []fieldInfo {
	c.mu.RLock()
	fs, ok := c.fields[t]
	c.mu.RUnlock()
	if ok {
		return fs
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, fieldInfo{
			index:     i,
			name:      ast.StringTerm(name),
			omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			omitZero:  strings.Contains(","+opts+",", ",omitzero,"),
		})
	}
	c.mu.Lock()
	c.fields[t] = fs
	c.mu.Unlock()
	return fs
}
