package findings

import "testing"

func TestAnnotateSitesMarksOnlyFindingsOnAtRiskBuckets(t *testing.T) {
	const advice = "ownership and grants first, then Block Public Access"
	rules := []Rule{
		{ID: "s3-object-acl-public", SiteRemediation: advice},
		{ID: "s3-account-public-access-block-off", SiteRemediation: advice},
		{ID: "s3-bucket-access-logging-off"},
		{ID: RuleBreaksOnBlockPublicAccess},
	}
	site := Finding{RuleID: RuleBreaksOnBlockPublicAccess, AccountID: "333333333333", ResourceType: ResourceS3Object, ResourceARN: "arn:aws:s3:::dev-site/sha256:aa"}
	tests := []struct {
		name string
		f    Finding
		want bool
	}{
		{"an object ACL finding in the at-risk bucket", Finding{RuleID: "s3-object-acl-public", AccountID: "333333333333", ResourceType: ResourceS3Object, ResourceARN: "arn:aws:s3:::dev-site/sha256:bb"}, true},
		{"the account of the at-risk bucket", Finding{RuleID: "s3-account-public-access-block-off", AccountID: "333333333333", ResourceType: ResourceAccount, ResourceARN: "AWS::::Account:333333333333"}, true},
		{"another bucket of the account", Finding{RuleID: "s3-object-acl-public", AccountID: "333333333333", ResourceType: ResourceS3Object, ResourceARN: "arn:aws:s3:::dev-scratch/sha256:cc"}, false},
		{"another account", Finding{RuleID: "s3-account-public-access-block-off", AccountID: "444444444444", ResourceType: ResourceAccount, ResourceARN: "AWS::::Account:444444444444"}, false},
		{"a rule without site advice", Finding{RuleID: "s3-bucket-access-logging-off", AccountID: "333333333333", ResourceType: ResourceS3Bucket, ResourceARN: "arn:aws:s3:::dev-site"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := Document{Rules: rules, Findings: []Finding{site, tc.f}}
			AnnotateSites(&doc)
			if got := doc.Findings[1].SiteRemediation == advice; got != tc.want {
				t.Errorf("site remediation set: %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("no site at risk, no advice", func(t *testing.T) {
		doc := Document{Rules: rules, Findings: []Finding{tests[0].f}}
		AnnotateSites(&doc)
		if doc.Findings[0].SiteRemediation != "" {
			t.Error("advice without an at-risk site")
		}
	})
}

func TestBucketOf(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:s3:::b":                       "b",
		"arn:aws-us-gov:s3:::b/k/with:col":     "b",
		"AWS::::Account:111111111111":          "",
		"arn:aws:cloudfront::1:distribution/E": "",
	} {
		if got := BucketOf(arn); got != want {
			t.Errorf("BucketOf(%q) = %q, want %q", arn, got, want)
		}
	}
}
