package pipeline_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/summary"
	"github.com/hoofprint/hoofprint/scanner"
)

// TestStreamingEvaluationEqualsWholeSnapshotEvaluation scans the same
// organization twice: once whole (every object kept, pipeline.Run over the
// snapshot), once streamed (each bucket evaluated and written as soon as it
// is collected and then dropped by the scanner, the stream keeping only the
// configurations its origins-scope rules read at the end). The findings
// must be exactly those of one evaluation of every rule over the whole
// snapshot (rules.Engine.EvaluateWhole), and the report document, the
// inventory and the ASFF file (written as buckets finish) the same both
// ways.
func TestStreamingEvaluationEqualsWholeSnapshotEvaluation(t *testing.T) {
	gen, err := scenario.Generate(scenario.GenOptions{Accounts: 12, BucketsPerAccount: 6, ObjectsPerBucket: 30, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []*scenario.Scenario{scenario.HealthCorp(), gen} {
		t.Run(sc.Name, func(t *testing.T) {
			base := emulatorBase(t, sc)
			clock := func() time.Time { return time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC) }
			dir := t.TempDir()
			// Every built-in rule, so that each scope is exercised.
			prep, err := pipeline.Prepare(t.Context(), pipeline.Options{Profile: findings.ProfileAll})
			if err != nil {
				t.Fatal(err)
			}

			whole, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			wholeOut, err := pipeline.Run(t.Context(), whole, pipeline.Options{InventoryPath: filepath.Join(dir, "whole.json"), ASFFPath: filepath.Join(dir, "whole.asff.json"), Now: clock, Prepared: prep})
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}

			// A one-byte buffer: every record that finishes before its turn
			// waits in the temporary file, and must come back in order.
			var text bytes.Buffer
			st, err := pipeline.Start(t.Context(), pipeline.Options{InventoryPath: filepath.Join(dir, "streamed.json.gz"), ASFFPath: filepath.Join(dir, "streamed.asff.json"),
				Now: clock, Prepared: prep, InventoryBufferBytes: 1, Summary: &text})
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Now: clock, Sink: st})
			if err != nil {
				t.Fatal(err)
			}
			if len(streamed.Buckets) != 0 {
				t.Fatalf("the scanner kept %d buckets after the sink had them", len(streamed.Buckets))
			}
			streamOut, err := st.Finish(t.Context(), streamed)
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}

			if len(wholeOut.Document.Findings) == 0 {
				t.Fatal("the whole-snapshot evaluation found nothing: nothing to compare")
			}
			if streamOut.Buckets != len(whole.Buckets) || wholeOut.Buckets != len(whole.Buckets) {
				t.Errorf("the outcomes count %d and %d buckets, the scan collected %d", wholeOut.Buckets, streamOut.Buckets, len(whole.Buckets))
			}
			// The reference: every rule evaluated once over the whole
			// snapshot, as the reports see it (object keys hidden).
			hidden := inventory.WithoutKeys(whole)
			ref, err := prep.Engine.EvaluateWhole(t.Context(), hidden)
			if err != nil {
				t.Fatal(err)
			}
			refDoc := findings.NewDocument(hidden, prep.Engine.Rules(), ref)
			assertSameJSON(t, "findings", refDoc.Findings, streamOut.Document.Findings)
			scopes := map[string]int{}
			for _, r := range prep.Engine.Rules() {
				for _, f := range ref {
					if f.RuleID == r.ID {
						scopes[cmp.Or(r.Scope, "sampled")]++
					}
				}
			}
			for _, s := range []string{"sampled", findings.ScopeBucket, findings.ScopeOrigins} {
				if scopes[s] == 0 {
					t.Errorf("no finding from a %s rule: that scope is not compared (%v)", s, scopes)
				}
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

			// The terminal summary, gathered as the buckets were recorded
			// (summary.Tally), is the one a read of every finding gives.
			var read bytes.Buffer
			if err := summary.Write(&read, streamOut.Document, summary.Options{Files: streamOut.Files}); err != nil {
				t.Fatal(err)
			}
			if sc == gen && !strings.Contains(read.String(), "Worst resources (10 of ") {
				t.Errorf("the summary should list 10 of more worst resources:\n%s", read.String())
			}
			if text.String() != read.String() {
				t.Errorf("the streamed scan's summary differs from one that reads every finding\n got:\n%s\nwant:\n%s", text.String(), read.String())
			}

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
			_, evalOut, err := pipeline.EvaluateReader(t.Context(), r, pipeline.Options{ASFFPath: filepath.Join(dir, "evaluate.asff.json"), Now: clock, Prepared: prep})
			if err != nil && !isOutcome(err) {
				t.Fatal(err)
			}
			assertSameJSON(t, "findings of evaluate", wholeOut.Document.Findings, evalOut.Document.Findings)
			if evalOut.Buckets != len(whole.Buckets) {
				t.Errorf("evaluate counted %d buckets, the inventory holds %d", evalOut.Buckets, len(whole.Buckets))
			}
			if _, err := os.Stat(filepath.Join(dir, "whole.json")); err != nil {
				t.Error(err)
			}
			assertStreamedASFF(t, dir, whole, prep, streamOut.Document)
		})
	}
}

// assertStreamedASFF checks the ASFF files the three runs of
// TestStreamingEvaluationEqualsWholeSnapshotEvaluation wrote as their
// buckets were recorded: the same bytes whichever order the buckets
// finished in; exactly the document's findings, as asff.Build converts
// them; and bucket by bucket in the inventory's order, then the findings
// of the rules run at the end.
func assertStreamedASFF(t *testing.T, dir string, whole *inventory.Snapshot, prep *pipeline.Prepared, doc findings.Document) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := read("whole.asff.json")
	for _, name := range []string{"streamed.asff.json", "evaluate.asff.json"} {
		if got := read(name); !bytes.Equal(got, want) {
			t.Errorf("%s differs from the whole-snapshot run's ASFF file:\n%.2000s\nwant\n%.2000s", name, got, want)
		}
	}
	var file []asff.Finding
	if err := json.Unmarshal(want, &file); err != nil {
		t.Fatal(err)
	}
	byID := func(fs []asff.Finding) []asff.Finding {
		fs = slices.Clone(fs)
		slices.SortStableFunc(fs, func(a, b asff.Finding) int { return cmp.Compare(a.Id, b.Id) })
		return fs
	}
	built, got := byID(asff.Build(doc, asff.Options{})), byID(file)
	if len(built) != len(got) {
		t.Fatalf("the ASFF file holds %d findings, the document %d", len(got), len(built))
	}
	for i := range built {
		w, _ := json.Marshal(built[i])
		g, _ := json.Marshal(got[i])
		if !bytes.Equal(w, g) {
			t.Fatalf("ASFF finding %d (by Id) differs from the document's:\n%s\nwant\n%s", i, g, w)
		}
	}

	scope := map[string]string{}
	for _, r := range prep.Engine.Rules() {
		scope[r.ID] = r.Scope
	}
	place := map[string]int{}
	for i, b := range whole.Buckets {
		place[b.AccountID+"/"+b.Name] = i
	}
	last, atEnd := -1, false
	for i, f := range file {
		switch scope[f.GeneratorId] {
		case "", findings.ScopeBucket:
			if atEnd {
				t.Fatalf("finding %d (%s) of a bucket comes after the findings of the rules at the end", i, f.Id)
			}
			name := f.ProductFields["hoofprint/resourceName"]
			if f.Resources[0].Details != nil && f.Resources[0].Details.Other != nil {
				name = f.Resources[0].Details.Other["bucket"]
			} else if f.Resources[0].Details != nil && f.Resources[0].Details.AwsS3Bucket != nil {
				name = f.Resources[0].Details.AwsS3Bucket.Name
			}
			p, ok := place[f.AwsAccountId+"/"+name]
			if !ok {
				t.Fatalf("finding %d (%s): bucket %s of %s is not in the inventory", i, f.Id, name, f.AwsAccountId)
			}
			if p < last {
				t.Fatalf("finding %d (%s) is on bucket %d of the inventory, after a finding on bucket %d", i, f.Id, p, last)
			}
			last = p
		default:
			atEnd = true
		}
	}
	if last < 0 {
		t.Error("no finding on a bucket in the ASFF file: the order was not checked")
	}
}

// TestSpilledFindingsGiveTheSameReports evaluates the same inventory twice,
// once with every finding in memory and once with findings spilling to a
// temporary file after 7 of them (findings.Set), with a baseline: SARIF,
// ASFF, HTML, the summary and the counts must be byte for byte the same.
func TestSpilledFindingsGiveTheSameReports(t *testing.T) {
	gen, err := scenario.Generate(scenario.GenOptions{Accounts: 6, BucketsPerAccount: 5, ObjectsPerBucket: 20, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []*scenario.Scenario{scenario.HealthCorp(), gen} {
		t.Run(sc.Name, func(t *testing.T) { testSpilledFindingsGiveTheSameReports(t, sc) })
	}
}

func testSpilledFindingsGiveTheSameReports(t *testing.T, gen *scenario.Scenario) {
	base := emulatorBase(t, gen)
	clock := func() time.Time { return time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC) }
	inv, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	baseline := filepath.Join(dir, "baseline.sarif")
	if _, err := pipeline.Run(t.Context(), inv, pipeline.Options{SARIFPath: baseline, Now: clock}); err != nil && !isOutcome(err) {
		t.Fatal(err)
	}
	run := func(name string, inMemory int) (pipeline.Outcome, map[string][]byte) {
		out := filepath.Join(dir, name)
		var summary bytes.Buffer
		o, err := pipeline.Run(t.Context(), inv, pipeline.Options{
			SARIFPath: filepath.Join(out, "r.sarif"), ASFFPath: filepath.Join(out, "r.asff.json"), HTMLPath: filepath.Join(out, "r.html"), BaselinePath: baseline,
			Summary: &summary, FindingsInMemory: inMemory, Now: clock,
		})
		if err != nil && !isOutcome(err) {
			t.Fatal(err)
		}
		// The summary names the files written, which differ by directory.
		files := map[string][]byte{"summary": bytes.ReplaceAll(summary.Bytes(), []byte(out), []byte("DIR"))}
		for _, f := range []string{"r.sarif", "r.asff.json", "r.html"} {
			b, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			files[f] = b
		}
		return o, files
	}
	memOut, mem := run("memory", 0)
	spillOut, spilled := run("spilled", 7)
	if memOut.Document.Count() < 20 {
		t.Fatalf("%d findings: too few to spill several runs", memOut.Document.Count())
	}
	if spillOut.Document.Set == nil || memOut.Document.Set != nil {
		t.Fatalf("the small threshold did not spill (or the default did)")
	}
	// The site fix (findings.Sites) must survive the spill: a large
	// organization is where a site is most likely to be missed. HealthCorp
	// has the incident's site.
	if gen.Name == scenario.HealthCorp().Name && !bytes.Contains(mem["r.sarif"], []byte(`"hoofprint/siteRemediation":`)) {
		t.Error("no finding with a site remediation: that part of the reports is not compared")
	}
	for name, want := range mem {
		if !bytes.Equal(spilled[name], want) {
			t.Errorf("%s differs when findings spill to disk:\n%.3000s\nwant\n%.3000s", name, spilled[name], want)
		}
	}
	if spillOut.Document.Count() != memOut.Document.Count() || spillOut.AtOrAboveFailOn != memOut.AtOrAboveFailOn {
		t.Errorf("counts %d/%d, want %d/%d", spillOut.Document.Count(), spillOut.AtOrAboveFailOn, memOut.Document.Count(), memOut.AtOrAboveFailOn)
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

// TestAUserOrganizationRuleSeesEveryBucketOfAStreamedScan: a user rule
// without custom.scope keeps the contract rules had before scopes: at the
// end it sees every bucket of the scan at once, although the scanner keeps
// none and the built-in rules need only the origin buckets. The rule counts
// the buckets it sees.
func TestAUserOrganizationRuleSeesEveryBucketOfAStreamedScan(t *testing.T) {
	sc := scenario.HealthCorp()
	base := emulatorBase(t, sc)
	dir := t.TempDir()
	rule := `# METADATA
# title: Counts the buckets
# description: Fires once with the number of buckets it sees at once.
# custom:
#   id: acme-bucket-count
#   severity: informational
#   resource_type: AwsAccount
#   remediation: Nothing to fix.
package acme.bucket_count

deny contains {"account_id": input.callerAccountId, "resource_arn": "org", "message": sprintf("%d buckets", [count(input.buckets)])} if {
	count(input.buckets) > 0
}
`
	if err := os.WriteFile(filepath.Join(dir, "count.rego"), []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the kept configurations wait
	st, err := pipeline.Start(t.Context(), pipeline.Options{RuleDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	inv, err := scanner.Scan(t.Context(), base, scanner.Options{Seed: 1, Sink: st})
	if err != nil {
		t.Fatal(err)
	}
	// Every bucket's configuration waits on disk, not in memory, for the
	// rule at the end; the file is gone once it has run.
	kept, _ := filepath.Glob(filepath.Join(tmp, ".hoofprint-kept-*"))
	if len(kept) != 1 {
		t.Fatalf("kept configuration files %v, want one", kept)
	}
	if fi, err := os.Stat(kept[0]); err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("kept configurations %s: %v, %v; want a non-empty 0600 file", kept[0], fi, err)
	}
	out, err := st.Finish(t.Context(), inv)
	if err != nil && !isOutcome(err) {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, ".hoofprint-kept-*")); len(left) != 0 {
		t.Errorf("Finish left %v", left)
	}
	if len(inv.Buckets) != 0 || out.Buckets < 10 {
		t.Fatalf("the scanner kept %d buckets and the stream counted %d", len(inv.Buckets), out.Buckets)
	}
	want := fmt.Sprintf("%d buckets", out.Buckets)
	for _, f := range out.Document.Findings {
		if f.RuleID == "acme-bucket-count" {
			if f.Message != want {
				t.Errorf("the organization rule saw %q, want %q", f.Message, want)
			}
			return
		}
	}
	t.Error("the organization rule did not fire")
}

// emulatorBase serves sc from the project's emulator for the test and
// returns the caller's AWS configuration against it.
func emulatorBase(t testing.TB, sc *scenario.Scenario) *awsclient.Base {
	t.Helper()
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
	return base
}
