package pipeline_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// TestStreamingEvaluationEqualsWholeSnapshotEvaluation scans the same
// organization twice: once whole (every object kept, pipeline.Run over the
// snapshot, which evaluates with rules.Engine.Evaluate's whole-snapshot
// path), once streamed (each bucket evaluated and written as soon as it is
// collected, its objects dropped, the organization-level rules at the end).
// The findings, the report document and the inventory must be the same.
func TestStreamingEvaluationEqualsWholeSnapshotEvaluation(t *testing.T) {
	gen, err := scenario.Generate(scenario.GenOptions{Accounts: 12, BucketsPerAccount: 6, ObjectsPerBucket: 30, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []*scenario.Scenario{scenario.HealthCorp(), gen} {
		t.Run(sc.Name, func(t *testing.T) {
			emu, err := emulator.Start(t.Context(), sc, emulator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = emu.Close() })
			base, err := awsclient.Load(t.Context(), awsclient.Options{
				EndpointURL: emu.URL(), Region: "us-east-1", RoleName: sc.MemberRoleName,
				Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()},
			})
			if err != nil {
				t.Fatal(err)
			}
			clock := func() time.Time { return time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC) }
			dir := t.TempDir()

			whole, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			wholeOut, err := pipeline.Run(t.Context(), whole, pipeline.Options{InventoryPath: filepath.Join(dir, "whole.json"), Now: clock})
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}

			st, err := pipeline.Start(t.Context(), pipeline.Options{InventoryPath: filepath.Join(dir, "streamed.json.gz"), Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Now: clock, Sink: st})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range streamed.Buckets {
				if len(b.Objects.Objects) != 0 {
					t.Fatalf("bucket %s kept %d objects after the sink had them", b.Name, len(b.Objects.Objects))
				}
			}
			streamOut, err := st.Finish(t.Context(), streamed)
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}

			if len(wholeOut.Document.Findings) == 0 {
				t.Fatal("the whole-snapshot evaluation found nothing: nothing to compare")
			}
			sampled := 0
			for _, f := range wholeOut.Document.Findings {
				if f.ResourceType == "AwsS3Object" {
					sampled++
				}
			}
			if sampled == 0 {
				t.Error("no finding on a sampled object: the per-bucket path was not exercised")
			}
			assertSameJSON(t, "report document", docWithoutTimes(wholeOut.Document), docWithoutTimes(streamOut.Document))

			// The streamed inventory, read back, is the whole snapshot.
			back, err := inventory.ReadFile(filepath.Join(dir, "streamed.json.gz"))
			if err != nil {
				t.Fatal(err)
			}
			whole.FinishedAt, back.FinishedAt = time.Time{}, time.Time{}
			assertSameJSON(t, "inventory", whole, back)

			// And evaluating that file one bucket at a time gives the same
			// findings again.
			r, err := inventory.Open(filepath.Join(dir, "streamed.json.gz"))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = r.Close() }()
			_, evalOut, err := pipeline.EvaluateReader(t.Context(), r, pipeline.Options{Now: clock})
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}
			assertSameJSON(t, "findings of evaluate", wholeOut.Document.Findings, evalOut.Document.Findings)
			if _, err := os.Stat(filepath.Join(dir, "whole.json")); err != nil {
				t.Error(err)
			}
		})
	}
}

func isOutcome(err error) bool {
	return err != nil && (errors.Is(err, pipeline.ErrFindingsAtThreshold) || errors.Is(err, pipeline.ErrIncomplete))
}

func docWithoutTimes(d findings.Document) findings.Document {
	d.StartedAt, d.FinishedAt = time.Time{}, time.Time{}
	return d
}

func assertSameJSON(t *testing.T, what string, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w, g) {
		t.Errorf("%s differs between whole-snapshot and streamed evaluation:\nwhole:    %.2000s\nstreamed: %.2000s", what, w, g)
	}
}
