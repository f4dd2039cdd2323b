package urlredact

import "testing"

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"http://127.0.0.1:5000", "http://127.0.0.1:5000"},
		{"s3://bucket/prefix/", "s3://bucket/prefix/"},
		{"http://u:hunter2@10.0.0.1:5000", "http://xxxxx@10.0.0.1:5000"},
		{"http://token@10.0.0.1:5000/p", "http://xxxxx@10.0.0.1:5000/p"},
		{"s3://u:pw@bucket/p/", "s3://xxxxx@bucket/p/"},
		// Does not parse (bad escape): still redacted.
		{"http://u:hunter2@10.0.0.1:5000/%zz", "http://xxxxx@10.0.0.1:5000/%zz"},
		// A password holding "/" or "@", as typed.
		{"http://u:p/w@host", "http://xxxxx@host"},
		{"http://u:p@w@host:1", "http://xxxxx@host:1"},
		// No scheme: url.Parse would read "u" as the scheme.
		{"u:hunter2@host:5000", "xxxxx@host:5000"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
