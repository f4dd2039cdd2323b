package termsafe

import "testing"

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain/key.pdf", "plain/key.pdf"},
		{"Jane Doé/lab.pdf", "Jane Doé/lab.pdf"},
		{"\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"a\nFindings: 0", `a\nFindings: 0`},
		{"tab\there\r", `tab\there\r`},
		{"\u202egnp.exe", `\u202egnp.exe`},
		{"c1\u009bx", `c1\x9bx`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"del\x7f", `del\x7f`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[2J", "\n", "\u202e", "\xff", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		for _, r := range out {
			if unsafeRune(r) || r == '\n' || r == '\t' || r == '\r' {
				t.Fatalf("Escape(%q) = %q still holds %U", s, out, r)
			}
		}
		if Escape(out) != out && needsEscape(out) {
			t.Fatalf("Escape is not idempotent on %q", out)
		}
	})
}
