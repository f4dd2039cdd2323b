package jsonindent

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// reference is what the report writers did before: encoding/json's own
// indenting Encoder.
func reference(t testing.TB, v any, prefix, indent string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent(prefix, indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type doc struct {
	Name   string            `json:"name"`
	Empty  []string          `json:"empty"`
	Nil    []string          `json:"nil"`
	Map    map[string]any    `json:"map,omitempty"`
	Labels map[string]string `json:"labels"`
	At     time.Time         `json:"at"`
	Raw    json.RawMessage   `json:"raw,omitempty"`
	Inner  *doc              `json:"inner,omitempty"`
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for name, v := range map[string]any{
		"string":             "plain",
		"quotes and escapes": `he said "a\b" {not: json}, [x]` + "\n\t\x01\u2028 <&> é \xff",
		"number":             math.Pi,
		"null":               nil,
		"empty object":       map[string]any{},
		"empty array":        []any{},
		"nested empties":     []any{map[string]any{}, []any{}, []any{[]any{}}, map[string]any{"a": []any{}}},
		"struct": doc{Name: `a "b" \ c`, Empty: []string{}, Labels: map[string]string{"k:1": "v,2", "{": "}"},
			At: time.Date(2026, 12, 1, 2, 3, 4, 5, time.UTC), Raw: json.RawMessage(`{ "spaced" : [ 1 , 2 ] }`),
			Map:   map[string]any{"deep": map[string]any{"list": []any{1, "two", true, nil, map[string]any{"x": `\"`}}}},
			Inner: &doc{Name: "inner", Labels: map[string]string{}}},
		"trailing backslash": `ends in a backslash \`,
	} {
		for _, ind := range [][2]string{{"", "  "}, {"  ", "  "}, {"        ", "  "}, {"", "\t"}} {
			want := reference(t, v, ind[0], ind[1])
			got, err := NewEncoder(ind[0], ind[1]).Encode(v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (prefix %q indent %q):\n%s\nwant\n%s", name, ind[0], ind[1], got, want)
			}
		}
	}
}

func FuzzAppendMatchesEncodingJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"c,d:e"}],"e":{},"f":[]}`))
	f.Add([]byte(`["\"\\",{"":""}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		want := reference(t, v, "  ", "  ")
		got, err := NewEncoder("  ", "  ").Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n%s\nwant\n%s", in, got, want)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	v := map[string]any{"findings": []any{}, "message": "An object under static/ in healthcorp-prod-site is owned by account 111111111111 (tools).",
		"evidence": map[string]any{"grants": []any{map[string]any{"grantee": "AllUsers", "permission": "READ"}}, "n": 3}}
	b.Run("encoding/json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("  ", "  ")
		enc.SetEscapeHTML(false)
		for b.Loop() {
			buf.Reset()
			_ = enc.Encode(v)
		}
	})
	b.Run("jsonindent", func(b *testing.B) {
		enc := NewEncoder("  ", "  ")
		for b.Loop() {
			_, _ = enc.Encode(v)
		}
	})
}
