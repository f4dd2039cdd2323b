package emulator

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// emptyOrg is an organization with only a management account: what Apply
// starts from.
func emptyOrg(from *scenario.Scenario) *scenario.Scenario {
	m := *from.ManagementAccount()
	m.PublicAccessBlock = nil
	return &scenario.Scenario{Name: "empty", Organization: &scenario.Organization{ManagementAccount: m.Name}, Accounts: []scenario.Account{m}}
}

func TestApplyingHealthCorpThroughTheAPIMatchesLoadingIt(t *testing.T) {
	loaded := startHealthCorp(t)
	want := readOrg(t, loaded.URL(), staticProvider(loaded.CallerCredentials()), loaded.Scenario(), scenarioIDs(loaded.Scenario()), true)

	target := startScenario(t, emptyOrg(scenario.HealthCorp()), Options{})
	sc := scenario.HealthCorp()
	applied, err := scenario.Apply(t.Context(), target.URL(), sc, scenario.ApplyOptions{Credentials: staticProvider(target.CallerCredentials())})
	if err != nil {
		t.Fatal(err)
	}
	got := readOrg(t, target.URL(), staticProvider(target.CallerCredentials()), sc, applied, true)
	if d := diffViews(want, got, "applied"); len(d) > 0 {
		t.Errorf("applied state differs from loaded state:\n%s", strings.Join(d, "\n"))
	}
	if len(got.Buckets) != len(sc.Buckets) || len(got.Distributions) != len(sc.Distributions) {
		t.Errorf("read back %d buckets, %d distributions", len(got.Buckets), len(got.Distributions))
	}
	t.Run("the seed's outage is there after Apply too", func(t *testing.T) {
		st, err := target.OriginRead(applied.Distributions["prod-site"], "/")
		if err != nil || st != 403 {
			t.Errorf("prod site: %d %v", st, err)
		}
		st, err = target.OriginRead(applied.Distributions["dev-site"], "/")
		if err != nil || st != 200 {
			t.Errorf("dev site: %d %v", st, err)
		}
	})
	t.Run("objects are owned by their writers", func(t *testing.T) {
		if o := got.Buckets["healthcorp-prod-site"].Objects["index.html"]; o.Owner != "tools" {
			t.Errorf("index.html owned by %q", o.Owner)
		}
		if o := got.Buckets["healthcorp-dev-claims-exchange"].Objects["incoming/claims-2019-06.csv"]; o.Owner != "claims-vendor" {
			t.Errorf("vendor file owned by %q", o.Owner)
		}
	})

}
