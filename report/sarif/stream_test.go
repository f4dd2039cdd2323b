package sarif

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
)

// mixed is n findings over four rules and every severity, in an order that
// puts severities side by side, so that the cap keeps some of each rank.
func mixed(n int) findings.Document {
	doc := fixture.Document()
	doc.Findings = nil
	sevs := []findings.Severity{findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow, findings.SeverityInformational, findings.SeverityNone}
	rules := []string{"s3-object-foreign-owner", "s3-bucket-access-logging-off", "cloudfront-origin-objects-unreadable", "s3-account-public-access-block-off"}
	for i := range n {
		bucket := fmt.Sprintf("bucket-%03d", i%37)
		doc.Findings = append(doc.Findings, findings.Finding{
			RuleID: rules[i%len(rules)], Severity: sevs[(i/3)%len(sevs)], AccountID: []string{fixture.Prod, fixture.Dev}[i%2], Region: "us-east-1",
			ResourceType: findings.ResourceS3Object, ResourceARN: fixture.ObjectARN(bucket, fmt.Sprintf("k/%d", i)), ResourceName: bucket,
			Message: fmt.Sprintf("finding %d", i), Evidence: map[string]any{"n": i, "keyPrefix": "k/"},
		})
	}
	findings.SortFindings(doc.Findings)
	return doc
}

// baselineOf is last night's log of doc with extra results that are gone
// tonight: one per rule of doc, one of a rule only the baseline describes,
// and one of a rule nobody describes any more.
func baselineOf(t *testing.T, doc findings.Document) *Log {
	t.Helper()
	base, err := legacyBuild(doc, Options{MaxResults: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	run := &base.Runs[0]
	for i := range run.Results {
		if i%5 == 0 {
			run.Results[i].Message.Text += " (worded differently last night)"
		}
	}
	var gone []Result
	for i, r := range run.Results[:min(8, len(run.Results))] {
		r.PartialFingerprints = map[string]string{FingerprintKey: fmt.Sprintf("gone-%d", i)}
		gone = append(gone, r)
	}
	retired := ruleDescriptor(findings.Rule{ID: "s3-retired-rule", Title: "Retired", Severity: findings.SeverityHigh})
	run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, retired)
	for i, id := range []string{"s3-retired-rule", "s3-forgotten-rule"} {
		gone = append(gone, Result{RuleID: id, Level: "error", Message: Message{Text: "gone " + id},
			PartialFingerprints: map[string]string{FingerprintKey: fmt.Sprintf("gone-rule-%d", i)},
			Properties:          map[string]any{"accountId": fixture.Prod, "region": "us-east-1", "resourceType": findings.ResourceS3Bucket, "resourceArn": "arn:aws:s3:::b"}})
	}
	run.Results = append(run.Results, gone...)
	return base
}

// TestWriteMatchesTheWholeLogEncoding: the streamed Write gives, byte for
// byte, what the former Build (every result in a slice, then
// applyBaseline and capResults over it) gave once encoded whole, with and
// without the cap and a baseline, from a list and from a spill file.
func TestWriteMatchesTheWholeLogEncoding(t *testing.T) {
	hc := fixture.Document()
	empty := fixture.Document()
	empty.Findings = nil
	many := mixed(200)
	unknown := mixed(200) // rules without metadata, one of them wholly past the cap
	unknown.Rules = unknown.Rules[:1]
	unsorted := mixed(200) // a list out of order: the counts cannot stand in for a pass
	slices.Reverse(unsorted.Findings)
	unsortedUnknown := unknown
	unsortedUnknown.Findings = slices.Clone(unknown.Findings)
	slices.Reverse(unsortedUnknown.Findings)
	shown := fixture.WithPHIKey(fixture.Document())
	shown.ShowObjectKeys = true

	type tc struct {
		doc  findings.Document
		opts Options
	}
	cases := map[string]tc{
		"healthcorp":                              {hc, Options{}},
		"no findings":                             {empty, Options{}},
		"only absent results":                     {empty, Options{Baseline: baselineOf(t, hc)}},
		"only absent results, capped":             {empty, Options{Baseline: baselineOf(t, hc), MaxResults: 3}},
		"healthcorp and a baseline":               {hc, Options{Baseline: baselineOf(t, hc)}},
		"suppressed":                              {fixture.Suppressed(), Options{}},
		"object keys shown, baseline":             {shown, Options{Baseline: baselineOf(t, shown)}},
		"many, no cap":                            {many, Options{}},
		"many, capped":                            {many, Options{MaxResults: 50}},
		"many, capped, baseline":                  {many, Options{MaxResults: 50, Baseline: baselineOf(t, many)}},
		"many, absent results over the cap":       {many, Options{MaxResults: 205, Baseline: baselineOf(t, many)}},
		"many, exactly at the cap":                {many, Options{MaxResults: 200, Baseline: baselineOf(t, many)}},
		"unknown rules":                           {unknown, Options{}},
		"unknown rules, capped":                   {unknown, Options{MaxResults: 7}},
		"unknown rules, capped, baseline":         {unknown, Options{MaxResults: 7, Baseline: baselineOf(t, mixed(200))}},
		"unsorted, capped":                        {unsorted, Options{MaxResults: 33}},
		"unsorted, unknown rules, capped":         {unsortedUnknown, Options{MaxResults: 120}},
		"unknown rules, cap inside a rank":        {unknown, Options{MaxResults: 120}},
		"a baseline of another night, automation": {many, Options{Baseline: baselineOf(t, mixed(150)), AutomationID: "nightly/", InformationURI: "https://example.org"}},
	}
	for name, c := range cases {
		set := findings.NewSet(16, t.TempDir())
		t.Cleanup(func() { _ = set.Close() })
		if err := set.Add(c.doc.Findings...); err != nil {
			t.Fatal(err)
		}
		spilled := c.doc
		spilled.Findings, spilled.Set = nil, set
		cases[name+", spilled"] = tc{spilled, c.opts}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			old, err := legacyBuild(c.doc, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := encodeIndented(&want, old); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := Write(&got, c.doc, c.opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				i := 0
				for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
					i++
				}
				t.Fatalf("Write differs from the whole log at byte %d:\n%s\nwant\n%s", i, excerpt(got.Bytes(), i), excerpt(want.Bytes(), i))
			}
			built, err := Build(c.doc, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := encodeIndented(&b, built); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want.Bytes()) {
				t.Error("Build differs from the former Build")
			}
		})
	}
}

func excerpt(b []byte, at int) []byte {
	return b[max(0, at-300):min(len(b), at+300)]
}
