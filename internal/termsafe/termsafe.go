// Package termsafe makes text from outside (object keys, bucket names,
// error messages of AWS or of a hostile emulator) safe to print on a
// terminal or in a text log: a control character in it can otherwise
// retitle or clear the terminal (ESC ] 0 ; … BEL, ESC [ 2 J), move the
// cursor, or forge a line of output with a newline.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every C0 control character, DEL, C1 control
// character, Unicode bidirectional control and line or paragraph separator
// written as a Go escape (\n, \x1b, \u202e), and invalid UTF-8 as \xNN. Text
// without any of them is returned unchanged.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) || r == '\t' {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune: C0 (but not the escapes handled above: they are unsafe too),
// DEL, C1, the bidirectional formatting characters (Trojan Source,
// CVE-2021-42574) and U+2028/U+2029.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
