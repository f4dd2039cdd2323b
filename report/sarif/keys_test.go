package sarif_test

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/report/internal/fixture"
	"github.com/hoofprint/hoofprint/report/sarif"
)

// TestTheLogSaysHowAHashMapsBackToItsKey: results name objects by a keyed
// hash, and the run says how a reader gets the key back.
func TestTheLogSaysHowAHashMapsBackToItsKey(t *testing.T) {
	doc := fixture.Document()
	l, err := sarif.Build(doc, sarif.Options{})
	if err != nil {
		t.Fatal(err)
	}
	note, _ := l.Runs[0].Properties["hoofprint/objectKeys"].(string)
	for _, want := range []string{"hmac:", "hoofprint keys resolve --bucket BUCKET HASH", "--show-object-keys"} {
		if !strings.Contains(note, want) {
			t.Errorf("run property hoofprint/objectKeys %q does not say %q", note, want)
		}
	}
	doc.ShowObjectKeys = true
	if l, err = sarif.Build(doc, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Runs[0].Properties["hoofprint/objectKeys"]; ok {
		t.Error("a log that shows keys still explains hashes")
	}
}
