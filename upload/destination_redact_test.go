package upload

import (
	"strings"
	"testing"
)

// TestParseDestinationNeverRepeatsAPassword: --output with user
// information is refused, and the refusal does not print the password,
// whether the value parses or not.
func TestParseDestinationNeverRepeatsAPassword(t *testing.T) {
	const secret = "hunter2SECRET"
	for _, tc := range []struct{ name, in, want string }{
		{"user and password", "s3://u:" + secret + "@reports/p/", `"s3://xxxxx@reports/p/": only s3://BUCKET/PREFIX/ is allowed (no user`},
		{"a token as the user", "s3://" + secret + "@reports/p/", "no user"},
		{"user and password, bad escape", "s3://u:" + secret + "@reports/%zz/", `"s3://xxxxx@reports/%zz/": not a URI`},
		{"a password holding a slash", "s3://u:hunter/2SECRET@reports/p/", `"s3://xxxxx@reports/p/": not a URI`},
		{"user and password, wrong scheme", "https://u:" + secret + "@reports/p/", "scheme must be s3://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDestination(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseDestination: %v, want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "2SECRET") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
