package rules

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyEmbedded copies the embedded files under policies/sub into dir/sub,
// the way a user copies a built-in rule to tweak it.
func copyEmbedded(t *testing.T, dir, sub string, keep func(string) bool) {
	t.Helper()
	root := embeddedRoot + "/" + sub
	err := fs.WalkDir(embeddedPolicies, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(p) {
			return err
		}
		b, err := embeddedPolicies.ReadFile(p)
		if err != nil {
			return err
		}
		to := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p, embeddedRoot+"/")))
		if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRulesTestOfCopiedBuiltInRules(t *testing.T) {
	var embedded bytes.Buffer
	wantAll, failedAll, err := RunTests(t.Context(), nil, &embedded, false)
	if err != nil || failedAll != 0 {
		t.Fatalf("embedded tests: %d failed, err %v\n%s", failedAll, err, embedded.String())
	}
	aclPublic := func(p string) bool { return strings.Contains(p, "bucket_acl_public") }

	t.Run("the repository's policies directory runs the same tests as the embedded pack", func(t *testing.T) {
		var out bytes.Buffer
		passed, failed, err := RunTests(t.Context(), []string{embeddedRoot}, &out, false)
		if err != nil {
			t.Fatalf("rules test %s: %v\n%s", embeddedRoot, err, out.String())
		}
		if passed != wantAll || failed != 0 {
			t.Fatalf("passed=%d failed=%d, want %d and 0\n%s", passed, failed, wantAll, out.String())
		}
	})

	t.Run("a copy of a built-in rule that keeps its package is tested on its own", func(t *testing.T) {
		dir := t.TempDir()
		copyEmbedded(t, dir, "s3", aclPublic)
		var out bytes.Buffer
		passed, failed, err := RunTests(t.Context(), []string{dir}, &out, true)
		if err != nil {
			t.Fatalf("RunTests: %v\n%s", err, out.String())
		}
		if passed == 0 || failed != 0 || passed >= wantAll {
			t.Fatalf("passed=%d failed=%d, want only the copied file's tests (fewer than %d), all passing\n%s", passed, failed, wantAll, out.String())
		}
		if !strings.Contains(out.String(), "data.hoofprint.rules.s3_bucket_acl_public_test.") {
			t.Fatalf("report does not show the copied rule's tests:\n%s", out.String())
		}
	})

	t.Run("the tweaked copy is what runs, not the built-in rule", func(t *testing.T) {
		dir := t.TempDir()
		copyEmbedded(t, dir, "s3", aclPublic)
		p := filepath.Join(dir, "s3", "bucket_acl_public.rego")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// A copy that never fires fails the copied tests that expect a
		// finding; with the built-in module also loaded it would not
		// even compile.
		tweaked := strings.Replace(string(b), "deny contains f if {", "deny contains f if {\n\tinput.scope == \"tweaked away\"\n", 1)
		if tweaked == string(b) {
			t.Fatal("the built-in rule has no `deny contains f if {` to tweak")
		}
		writeRule(t, filepath.Dir(p), filepath.Base(p), tweaked)
		var out bytes.Buffer
		_, failed, err := RunTests(t.Context(), []string{dir}, &out, false)
		if err != nil {
			t.Fatalf("RunTests: %v\n%s", err, out.String())
		}
		if failed == 0 {
			t.Fatalf("the tweak that disables the rule failed no test: the built-in module ran instead\n%s", out.String())
		}
	})

	t.Run("two directories holding the same rule name both files and say what to change", func(t *testing.T) {
		a, b := t.TempDir(), t.TempDir()
		copyEmbedded(t, a, "s3", aclPublic)
		copyEmbedded(t, b, "s3", aclPublic)
		_, _, err := RunTests(t.Context(), []string{a, b}, &bytes.Buffer{}, false)
		if err == nil {
			t.Fatal("RunTests accepted two copies of one package")
		}
		for _, want := range []string{
			filepath.Join(b, "s3", "bucket_acl_public.rego") + ":1:",
			"package hoofprint.rules.s3_bucket_acl_public already has its METADATA in " + filepath.Join(a, "s3", "bucket_acl_public.rego"),
			"give one of the two files its own package",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\ndoes not contain %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "package annotation redeclared") {
			t.Errorf("error is OPA's bare message: %v", err)
		}
	})
}
