package sarif_test

import (
	"bytes"
	"testing"

	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/sarif"
)

// FuzzDecode is the --baseline reader: arbitrary bytes give an error or a
// log, never a panic; a log it accepts can be used as a baseline.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	if err := sarif.Write(&buf, fixture.Document(), sarif.Options{}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":"2.1.0","runs":[{"results":[{"ruleId":"x","partialFingerprints":{"hoofprint/v1":"a"}}]}]}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[]}}`))
	doc := fixture.Document()
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := sarif.Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := sarif.Write(&out, doc, sarif.Options{Baseline: l}); err != nil {
			t.Errorf("write with a fuzzed baseline: %v", err)
		}
	})
}
