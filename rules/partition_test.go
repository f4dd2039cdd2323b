package rules

import (
	"encoding/json"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

// TestPerBucketEvaluationFindsWhatTheWholeSnapshotGives proves the
// partition of sampled rules (one evaluation per bucket, on a cut-down
// input) loses nothing: the sampled rules evaluated once over the whole
// snapshot, objects included, give exactly the same findings. Before, only
// the benchmarks evaluated a multi-account organization with distributions
// in other accounts; the golden HealthCorp test cannot tell a partition bug
// from a rule change.
func TestPerBucketEvaluationFindsWhatTheWholeSnapshotGives(t *testing.T) {
	for name, inv := range map[string]func() *inventory.Snapshot{
		"a synthetic organization with cross-account distributions": func() *inventory.Snapshot { return syntheticOrg(7, 3, 23) },
		"the HealthCorp fixture":                                    healthcorpSnapshot,
	} {
		t.Run(name, func(t *testing.T) {
			snap := inv()
			e := loadEmbedded(t)
			if len(e.sampled.queries) == 0 || len(e.global.queries) == 0 {
				t.Fatal("the embedded rules have no sampled or no global scope")
			}
			got, err := e.Evaluate(t.Context(), snap)
			if err != nil {
				t.Fatal(err)
			}

			whole, err := newConverter().value(snap)
			if err != nil {
				t.Fatal(err)
			}
			want, err := e.sampled.eval(t.Context(), whole, "whole snapshot")
			if err != nil {
				t.Fatal(err)
			}
			sampledFindings := len(want)
			globalIn, err := globalInput(snap)
			if err != nil {
				t.Fatal(err)
			}
			global, err := e.global.eval(t.Context(), globalIn, "organization")
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, global...)
			findings.SortFindings(want)

			if sampledFindings == 0 {
				t.Fatal("the sampled rules found nothing: the comparison would prove nothing")
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("per-bucket evaluation gave %d findings, whole-snapshot evaluation %d\n got: %s\nwant: %s", len(got), len(want), g, w)
			}
		})
	}
}
