package scenario

import (
	"encoding/json"
	"strings"
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

// Found while writing FuzzParse: a count of a billion parsed fine and made
// the emulator build a billion keys at start.
func TestParseRefusesHugeObjectCounts(t *testing.T) {
	for _, in := range []string{
		`{"name":"x","accounts":[{"name":"a"}],"buckets":[{"name":"b","account":"a","objects":[{"key":"k-%d","count":1000000000}]}]}`,
		`{"name":"x","accounts":[{"name":"a"}],"buckets":[{"name":"b","account":"a","objects":[{"key":"a-%d","count":1000000},{"key":"b-%d","count":1000000},{"key":"c-%d","count":1000000},{"key":"d-%d","count":1000000},{"key":"e-%d","count":1000000},{"key":"f-%d","count":1000000}]}]}`,
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), "over") {
			t.Errorf("Parse = %v, want the object count refused", err)
		}
	}
}
