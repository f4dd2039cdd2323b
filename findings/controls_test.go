package findings

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/hoofprint/hoofprint/inventory"
)

func TestControlStatuses(t *testing.T) {
	base := Document{
		Accounts: []string{"111111111111", "222222222222", "333333333333"},
		Controls: []Control{
			{ID: "164.312(b)", Title: "Audit controls", Rules: []string{"s3-bucket-access-logging-off", "s3-bucket-data-events-off"}},
			{ID: "164.312(e)(1)", Title: "Transmission security", Rules: []string{"cloudfront-viewer-tls-outdated"}},
			{ID: "164.310(a)(1)", Title: "Facility access controls"},
		},
		Findings: []Finding{{RuleID: "s3-bucket-data-events-off", AccountID: "222222222222"}},
	}
	tests := []struct {
		name string
		gaps []inventory.Gap
		want map[string][3][]string // section → passing, failing, not evaluated
	}{
		{"findings fail their account, the rest pass, sections without rules are left out", nil, map[string][3][]string{
			"164.312(b)":    {{"111111111111", "333333333333"}, {"222222222222"}, {}},
			"164.312(e)(1)": {{"111111111111", "222222222222", "333333333333"}, {}, {}},
		}},
		{"a gap in an operation a rule reads makes its account not evaluated, only for that rule's controls", []inventory.Gap{
			{AccountID: "333333333333", Service: "cloudtrail", Operation: "DescribeTrails", Code: "AccessDenied"},
			{AccountID: "111111111111", Service: "s3", Operation: "GetBucketPolicy", Code: "AccessDenied"},
		}, map[string][3][]string{
			"164.312(b)":    {{"111111111111"}, {"222222222222"}, {"333333333333"}},
			"164.312(e)(1)": {{"111111111111", "222222222222", "333333333333"}, {}, {}},
		}},
		{"an account whose role could not be assumed is not evaluated anywhere; a failing account stays failing; a listing hides its service's rules", []inventory.Gap{
			{AccountID: "444444444444", Service: "sts", Operation: "AssumeRole", Code: "AccessDenied"},
			{AccountID: "222222222222", Service: "s3", Operation: "GetBucketLogging", Code: "AccessDenied"},
			{AccountID: "222222222222", Service: "cloudfront", Operation: "ListDistributions", Code: "AccessDenied"},
		}, map[string][3][]string{
			"164.312(b)":    {{"111111111111", "333333333333"}, {"222222222222"}, {"444444444444"}},
			"164.312(e)(1)": {{"111111111111", "333333333333"}, {}, {"222222222222", "444444444444"}},
		}},
		{"a rule that did not finish on the organization leaves its controls unevaluated everywhere", []inventory.Gap{
			{AccountID: "111111111111", Service: "hoofprint", Operation: "evaluate rule cloudfront-viewer-tls-outdated", Code: "EvaluationTimeout"},
		}, map[string][3][]string{
			"164.312(b)":    {{"111111111111", "333333333333"}, {"222222222222"}, {}},
			"164.312(e)(1)": {{}, {}, {"111111111111", "222222222222", "333333333333"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			d.Coverage.Gaps = tc.gaps
			got := map[string][3][]string{}
			for _, s := range d.ControlStatuses() {
				got[s.ID] = [3][]string{s.Passing, s.Failing, s.NotEvaluated}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestFailingRemembersEachRuleAndAccountPast64Rules(t *testing.T) {
	var x Failing
	if x.Has("r0", "111111111111") {
		t.Fatal("an empty Failing has a rule")
	}
	// 70 rules, so that the bits run into a second word; rule i fires in
	// the first account when i is even, in the second when i%3 == 0.
	for i := range 70 {
		r := fmt.Sprintf("r%d", i)
		if i%2 == 0 {
			x.Add(Finding{RuleID: r, AccountID: "111111111111"})
		}
		if i%3 == 0 {
			x.Add(Finding{RuleID: r, AccountID: "222222222222"})
		}
	}
	for i := range 70 {
		r := fmt.Sprintf("r%d", i)
		for _, tt := range []struct {
			account string
			want    bool
		}{{"111111111111", i%2 == 0}, {"222222222222", i%3 == 0}, {"333333333333", false}} {
			if got := x.Has(r, tt.account); got != tt.want {
				t.Errorf("Has(%s, %s) = %v, want %v", r, tt.account, got, tt.want)
			}
		}
	}
	if x.Has("not-a-rule", "111111111111") {
		t.Error("a rule never added fired")
	}
}
