package asff_test

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/fixture"
)

// TestAFindingOnAnAtRiskSiteRecommendsTheOrderThatKeepsItUp: Security Hub
// shows the recommendation next to the finding, so on a bucket a
// CloudFront site reads through public access it is the site order, not
// "turn Block Public Access on".
func TestAFindingOnAnAtRiskSiteRecommendsTheOrderThatKeepsItUp(t *testing.T) {
	doc := fixture.Document()
	var f findings.Finding
	for _, x := range doc.Findings {
		if x.RuleID == "s3-account-public-access-block-off" {
			f = x
		}
	}
	if f.RuleID == "" {
		t.Fatal("the fixture has no account Block Public Access finding")
	}
	plain := asff.BuildOne(doc, f, asff.Options{})
	if plain.Remediation == nil || !strings.Contains(plain.Remediation.Recommendation.Text, "Block Public Access") {
		t.Fatalf("the rule's own recommendation: %+v", plain.Remediation)
	}
	f.SiteRemediation = "1. Grant the OAC. 2. Set Object Ownership to BucketOwnerEnforced. 4. Then turn on Block Public Access."
	site := asff.BuildOne(doc, f, asff.Options{})
	if site.Remediation == nil || site.Remediation.Recommendation.Text != f.SiteRemediation {
		t.Errorf("recommendation %+v, want the site order %q", site.Remediation, f.SiteRemediation)
	}
}
