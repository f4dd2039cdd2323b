package awspartition

import "testing"

func TestHomeRegion(t *testing.T) {
	for _, tc := range []struct{ partition, want string }{
		{"aws", "us-east-1"},
		{"aws-us-gov", "us-gov-west-1"},
		{"aws-cn", "cn-north-1"},
		{"aws-iso", ""},
		{"", ""},
	} {
		if got := HomeRegion(tc.partition); got != tc.want {
			t.Errorf("HomeRegion(%q) = %q, want %q", tc.partition, got, tc.want)
		}
	}
}
