package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// chromiumPath finds Debian's chromium (or $HOOFPRINT_CHROMIUM). Under
// CI=true a missing browser fails the test with how to install it; locally
// the test is skipped, and under -short it always is.
func chromiumPath(t *testing.T) string {
	t.Helper()
	testutil.SkipShort(t, "Chromium")
	if p := os.Getenv("HOOFPRINT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testutil.SkipOrFail(t, "chromium is not installed: apt-get install -y chromium (Debian), or set HOOFPRINT_CHROMIUM to a Chrome or Chromium binary")
	return ""
}

// TestDemoHTMLInChromium opens the demo's hoofprint.html in headless
// Chromium over the DevTools protocol and checks what an auditor gets: the
// page loads with no console error, no exception, no CSP violation and no
// network request besides the file itself; the account, severity and
// accepted-risk filters show exactly the findings they should; and a
// screenshot is saved in the test's artifact directory (go test -artifacts
// keeps it under -outputdir).
func TestDemoHTMLInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "docs", "examples", "suppressions.yaml")
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--out", dir, "-q", "--suppressions", sample}, &so, &se); code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, se.String())
	}
	page := filepath.Join(dir, "hoofprint.html")
	want := demoResults(t, filepath.Join(dir, "hoofprint.sarif"))

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	url := "file://" + page
	// Subscribe before loading the page, so that nothing it does is missed.
	listenCtx, stopListening := context.WithCancel(ctx)
	defer stopListening()
	messages := chromedp.Console(listenCtx)
	requestEvents := chromedp.Events(listenCtx, network.RequestWillBeSent)
	var wg sync.WaitGroup
	var problems, requests []string
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// Console errors and warnings, uncaught exceptions, and browser
			// log entries at those levels (CSP violations, failed loads).
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
			}
		}
	})
	wg.Go(func() {
		for ev, err := range requestEvents {
			if err != nil {
				return
			}
			requests = append(requests, ev.Request.URL)
		}
	})

	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("f-count"))); err != nil {
		t.Fatalf("load %s in Chromium: %v", url, err)
	}
	countText, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("f-count")))
	if err != nil {
		t.Fatal(err)
	}
	total, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".finding").length`))
	if err != nil {
		t.Fatal(err)
	}
	if total != want.total || countText != fmt.Sprintf("Showing %d of %d findings", want.total, want.total) {
		t.Errorf("page lists %d findings (%q), the SARIF file %d", total, countText, want.total)
	}

	visible := func(name string, steps ...chromedp.Action[chromedp.Void]) int {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".finding:not([hidden])").length`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	choose := func(id, value string) chromedp.Action[chromedp.Void] {
		// Set the select as a user would, then fire the change event the
		// page listens to.
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change")); })()`, id, value))
	}
	const acct = "333333333333"
	if got := visible("account filter", choose("f-account", acct)); got != want.byAccount[acct] || got == 0 {
		t.Errorf("account %s: %d findings shown, want %d", acct, got, want.byAccount[acct])
	}
	if got := visible("severity filter", choose("f-account", ""), choose("f-severity", "5")); got != want.critical || got == 0 {
		t.Errorf("critical and above: %d findings shown, want %d", got, want.critical)
	}
	const rule = "cloudfront-origin-objects-unreadable"
	if got := visible("rule filter", choose("f-severity", "0"), choose("f-rule", rule)); got != want.byRule[rule] || got == 0 {
		t.Errorf("rule filter: %d findings shown, want %d", got, want.byRule[rule])
	}
	// A real click on the checkbox hides the accepted risks.
	if got := visible("accepted risks hidden", choose("f-rule", ""), chromedp.Click(chromedp.ID("f-accepted"))); got != want.total-want.suppressed || want.suppressed == 0 {
		t.Errorf("without accepted risks: %d findings shown, want %d of %d", got, want.total-want.suppressed, want.total)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("f-accepted"))); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 makes a PNG
	if err != nil {
		t.Fatal(err)
	}
	out := t.ArtifactDir()
	if err := os.WriteFile(filepath.Join(out, "hoofprint-demo.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "hoofprint.html"), []byte(mustRead(t, page)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", filepath.Join(out, "hoofprint-demo.png"), len(shot))
	if len(shot) < 10000 {
		t.Errorf("the screenshot is only %d bytes: the page did not render", len(shot))
	}

	// Let the last events reach the readers, then stop them.
	time.Sleep(300 * time.Millisecond)
	stopListening()
	wg.Wait()
	for _, p := range problems {
		t.Errorf("browser reported: %s", p)
	}
	for _, r := range requests {
		if r != url {
			t.Errorf("the page made a network request: %s", r)
		}
	}
	if len(requests) == 0 {
		t.Error("no request seen at all: the network listener is not working")
	}
}

type resultCounts struct {
	total, critical, suppressed int
	byAccount, byRule           map[string]int
}

// demoResults counts the SARIF file's results the filters should show.
func demoResults(t *testing.T, path string) resultCounts {
	t.Helper()
	var l struct {
		Runs []struct {
			Results []struct {
				RuleID       string         `json:"ruleId"`
				Suppressions []any          `json:"suppressions"`
				Properties   map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, path)), &l); err != nil {
		t.Fatal(err)
	}
	c := resultCounts{byAccount: map[string]int{}, byRule: map[string]int{}}
	for _, r := range l.Runs[0].Results {
		c.total++
		c.byAccount[r.Properties["accountId"].(string)]++
		c.byRule[r.RuleID]++
		if r.Properties["severity"] == "critical" {
			c.critical++
		}
		if len(r.Suppressions) > 0 {
			c.suppressed++
		}
	}
	return c
}
