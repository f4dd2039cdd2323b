// Package urlredact removes the user information (user:password@) from a
// URL before it is printed. A URL typed on a command line or set in the
// environment may carry a password, and error messages and logs are read
// by more people, and kept longer, than the command line.
package urlredact

import "strings"

// Mask replaces the user information of a redacted URL.
const Mask = "xxxxx"

// Redact returns s with everything between the scheme's "//" (or the
// start, when there is none) and the last "@" replaced by Mask. It works
// on the string rather than on url.Parse's result so that a URL that does
// not parse, or that parses as opaque ("user:pw@host:5000" has the scheme
// "user"), is redacted too; a path or query holding an "@" is masked with
// it, which costs only readability in an error message.
func Redact(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s, "//"); i >= 0 && i < at {
		start = i + 2
	}
	return s[:start] + Mask + s[at:]
}
