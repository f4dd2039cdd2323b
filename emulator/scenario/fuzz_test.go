package scenario

import (
	"encoding/json"
	"testing"
)

// FuzzParse is `demo --scenario FILE`: arbitrary bytes give an error or a
// scenario that resolves, never a panic.
func FuzzParse(f *testing.F) {
	b, err := json.Marshal(HealthCorp())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"name":"x","accounts":[{"name":"a"}],"buckets":[{"name":"b","account":"a","objects":[{"key":"k-%d","count":3}]}]}`))
	f.Add([]byte(`{"name":"x","accounts":[{"name":"a"}],"buckets":[{"name":"b","account":"a","objects":[{"key":"%s%d%x","count":1000000000}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Parse(b)
	})
}
