package htmlreport_test

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/report/htmlreport"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite golden files")

func render(t *testing.T, doc findings.Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, doc, htmlreport.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  findings.Document
		file string
	}{
		{"the HealthCorp scan", fixture.Document(), "healthcorp.html"},
		{"with accepted, expired and stale suppressions", fixture.Suppressed(), "suppressed.html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.doc)
			path := filepath.Join("testdata", tc.file)
			if want := testutil.Golden(t, path, []byte(got), *update); got != string(want) {
				t.Errorf("HTML differs from %s; run go test ./report/htmlreport -update and review the diff", path)
			}
		})
	}
}

// TestSelfContained: nothing in the page makes the browser fetch anything.
func TestSelfContained(t *testing.T) {
	page := render(t, fixture.Suppressed())
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<(script|img|iframe|link|object|embed|audio|video|source)[^>]*\s(src|href|data)=`),
		regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)@import`),
	} {
		if m := re.FindString(page); m != "" {
			t.Errorf("the page loads something: %q", m)
		}
	}
	if !strings.Contains(page, `content="default-src &#39;none&#39;; script-src &#39;sha256-`) {
		t.Errorf("no Content-Security-Policy that forbids every fetch:\n%s", page[:600])
	}
}

func TestEscapesWhatTheAccountsControl(t *testing.T) {
	doc := fixture.Document()
	doc.Findings[0].Message = `bucket <script>alert(1)</script> "quoted" & more`
	doc.Findings[0].Evidence = map[string]any{"tag": `</pre><img src=x onerror=alert(2)>`}
	page := render(t, doc)
	for _, bad := range []string{"<script>alert(1)", "<img src=x"} {
		if strings.Contains(page, bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the message was not escaped as text")
	}
}

func TestObjectKeysAreRedactedAsElsewhere(t *testing.T) {
	page := render(t, fixture.WithPHIKey(fixture.Document()))
	for _, leak := range []string{fixture.PHIKey, "Jane-Q-Public", "MRN-00912345"} {
		if strings.Contains(page, leak) {
			t.Errorf("the page contains %q from an object key", leak)
		}
	}
	shown := fixture.WithPHIKey(fixture.Document())
	shown.ShowObjectKeys = true
	if !strings.Contains(render(t, shown), "Jane-Q-Public") {
		t.Error("with ShowObjectKeys the key should be shown")
	}
}

func TestContents(t *testing.T) {
	page := render(t, fixture.Suppressed())
	for _, want := range []string{
		// Sites first, as in the terminal summary.
		`<span class="tag sev-critical">Broken now</span> <b>healthcorp-prod-site</b>`,
		// Counts by severity and safeguard, per account, with the chart.
		`<svg id="chart"`, `Technical safeguards`, `<td>222222222222</td>`,
		// Every finding with its remediation and CLI, filterable.
		`data-rule="s3-object-foreign-owner"`, `aws s3api put-bucket-ownership-controls`, `id="f-severity"`,
		// Coverage and accepted risks.
		`s3 GetBucketPolicy`, `0 of 118 sampled objects`,
		`<span class="tag soon">in 7 day(s)</span> end of 2026-12-02 UTC`, `Dev sandbox: public test fixtures only`,
		`<span class="tag sev-high">expired</span>`, `0: matched nothing`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Index(page, `id="sites"`) > strings.Index(page, `id="findings"`) {
		t.Error("the sites do not come first")
	}
	// The suppressed finding is listed, marked, and not in the active total.
	if !strings.Contains(page, `data-suppressed="true">`) || !strings.Contains(page, `<b id="total-active">4</b>`) {
		t.Error("the accepted risk is not marked apart from the 4 active findings")
	}
}

// A large run's findings are in a Set (a spill file): the page is the one
// the same findings in a list give, with object keys shown or not (with
// keys shown, the page once listed none of them).
func TestFindingsFromASpillFile(t *testing.T) {
	for _, show := range []bool{false, true} {
		doc := fixture.WithPHIKey(fixture.Document())
		doc.ShowObjectKeys = show
		set := findings.NewSet(2, t.TempDir())
		if err := set.Add(doc.Findings...); err != nil {
			t.Fatal(err)
		}
		spilled := doc
		spilled.Findings, spilled.Set = nil, set
		want, got := render(t, doc), render(t, spilled)
		if !set.Spilled() || got != want {
			t.Errorf("show keys %v: spilled %v, the page differs from the list's", show, set.Spilled())
		}
		if show && !strings.Contains(got, fixture.PHIKey) {
			t.Error("with keys shown, the page lacks the finding's key")
		}
		_ = set.Close()
	}
}

// TestListsTheMostSevereUpToMaxFindings caps the list at three findings:
// they are the first three of the uncapped page's list (worst first, active
// before accepted), the page says how many are left out, and everything
// but the list (counts, chart, sites, accepted risks) is the same. A
// spilled document gives the same page.
func TestListsTheMostSevereUpToMaxFindings(t *testing.T) {
	doc := fixture.Suppressed()
	write := func(d findings.Document, max int) string {
		var buf bytes.Buffer
		if err := htmlreport.Write(&buf, d, htmlreport.Options{MaxFindings: max}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	full, capped := write(doc, 0), write(doc, 3)
	rowRE := regexp.MustCompile(`<details class="finding"[^>]*>\s*<summary>.*</summary>`)
	all, kept := rowRE.FindAllString(full, -1), rowRE.FindAllString(capped, -1)
	if len(all) <= 3 || len(kept) != 3 {
		t.Fatalf("%d findings listed uncapped, %d capped at 3", len(all), len(kept))
	}
	for i := range kept {
		if kept[i] != all[i] {
			t.Errorf("capped row %d is %s, want the uncapped page's %s", i, kept[i], all[i])
		}
	}
	if want := fmt.Sprintf("lists the 3 most severe of the run's %d findings", len(all)); !strings.Contains(capped, want) {
		t.Errorf("the capped page does not say %q", want)
	}
	if strings.Contains(full, `id="omitted"`) {
		t.Error("the uncapped page says findings were left out")
	}
	list := regexp.MustCompile(`(?s)<section id="findings">.*?</section>`)
	if list.ReplaceAllString(full, "") != list.ReplaceAllString(capped, "") {
		t.Error("the cap changed the page outside the findings list (counts, chart, sites or accepted risks)")
	}

	if got := write(fixture.Spilled(t, doc, 2), 3); got != capped {
		t.Error("a spilled document gives another capped page")
	}
}

// A large organization's chart draws the accounts with the most severe
// active findings, not one bar per account (84,000 pixels wide at 1,000
// accounts); the table still lists every account.
func TestTheChartDrawsTheWorstAccountsOfALargeOrganization(t *testing.T) {
	doc := findings.Document{ToolName: "hoofprint"}
	const accounts = 100
	for i := range accounts {
		acct := fmt.Sprintf("%012d", 100000000000+i)
		doc.Accounts = append(doc.Accounts, acct)
		sev := findings.SeverityLow
		if i%25 == 7 { // 4 accounts with a critical finding
			sev = findings.SeverityCritical
		}
		for range 1 + i%3 {
			doc.Findings = append(doc.Findings, findings.Finding{RuleID: "r", Severity: sev, AccountID: acct, ResourceARN: "arn:aws:s3:::b" + acct, Message: "m"})
		}
	}
	page := render(t, doc)
	bars := regexp.MustCompile(`<text x="\d+" y="\d+" transform="rotate\(20 \d+ \d+\)">(\d{12})</text>`).FindAllStringSubmatch(page, -1)
	if len(bars) != 40 {
		t.Fatalf("%d bars, want 40", len(bars))
	}
	// The four accounts with critical findings first, most first (3, 2, 2,
	// 1 of them; a tie keeps the accounts' order).
	for i, acct := range []string{"100000000032", "100000000007", "100000000082", "100000000057"} {
		if bars[i][1] != acct {
			t.Errorf("bar %d is %s, want %s", i, bars[i][1], acct)
		}
	}
	if w := regexp.MustCompile(`<svg id="chart"[^>]* width="(\d+)"`).FindStringSubmatch(page); w == nil || len(w[1]) > 4 {
		t.Errorf("chart width %v, want under 10,000 pixels", w)
	}
	if !strings.Contains(page, "The chart shows the 40 accounts with the most severe active findings, worst first; the table lists all 100.") {
		t.Error("the page does not say the chart leaves accounts out")
	}
	if n := strings.Count(page, "<tr><td>1000000000"); n != accounts {
		t.Errorf("the table lists %d accounts, want %d", n, accounts)
	}
	if small := render(t, fixture.Suppressed()); strings.Contains(small, `id="chart-omitted"`) {
		t.Error("a small organization's chart says it leaves accounts out")
	}
}
