package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
)

// Issue 10 item 8, end to end: an object key that holds terminal escape
// sequences and a newline is printed escaped: it cannot retitle or clear
// the terminal, nor forge a summary line. The demo's emulator serves the
// key (a scan lists it); evaluate then prints it.
func TestHostileObjectKeysAreEscapedInTheSummaryAndLogs(t *testing.T) {
	const hostile = "site/x\x1b]0;pwned\x07\x1b[2J\nFindings: 0 (forged)\u202e.html"
	sc := scenario.HealthCorp()
	added := false
	for i, b := range sc.Buckets {
		if strings.Contains(b.Name, "dev") && !added {
			sc.Buckets[i].Objects = append(sc.Buckets[i].Objects, scenario.Object{Key: hostile, ACL: "public-read"})
			added = true
		}
	}
	if !added {
		t.Fatal("no dev bucket in HealthCorp")
	}
	file := filepath.Join(t.TempDir(), "hostile.json")
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"demo", "--scenario", file, "--out", out, "--show-object-keys", "--sample", "1000"}, &so, &se); code == exitUsage {
		t.Fatalf("demo exited %d\n%s", code, se.String())
	}
	check := func(what string, text string) {
		t.Helper()
		if strings.ContainsAny(text, "\x1b\x07\u202e") {
			t.Errorf("%s: raw control characters reached the terminal:\n%q", what, text)
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "Findings: 0 (forged)") {
				t.Errorf("%s: a key forged a summary line: %q", what, line)
			}
		}
	}
	check("demo", so.String()+se.String())

	// Only the bucket with the hostile key, so the summary lists it.
	inv, err := inventory.ReadFile(filepath.Join(out, "inventory.json"))
	if err != nil {
		t.Fatal(err)
	}
	var keep []inventory.Bucket
	for _, b := range inv.Buckets {
		for _, o := range b.Objects.Objects {
			if o.Key == hostile {
				b.Objects.Objects = []inventory.Object{o}
				keep = append(keep, b)
				break
			}
		}
	}
	if len(keep) != 1 {
		t.Fatalf("the scan did not sample the hostile key (%d buckets)", len(keep))
	}
	inv.Buckets = keep
	invPath := filepath.Join(t.TempDir(), "inv.json")
	if err := inventory.WriteFile(invPath, inv); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json"} {
		so.Reset()
		se.Reset()
		if code := run(t.Context(), []string{"evaluate", "--inventory", invPath, "--show-object-keys", "--log-format", format}, &so, &se); code == exitUsage {
			t.Fatalf("evaluate exited %d\n%s", code, se.String())
		}
		check("evaluate --log-format "+format, so.String()+se.String())
		if !strings.Contains(so.String(), `\x1b]0;pwned\x07\x1b[2J\nFindings: 0 (forged)\u202e.html`) {
			t.Errorf("the summary does not show the key escaped:\n%s", so.String())
		}
	}
}
