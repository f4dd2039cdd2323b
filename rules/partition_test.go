package rules

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/inventory"
)

// withTrails gives a snapshot an organization trail that logs only some
// buckets' objects, and trails of its own to every other account (half of
// them logging everything), so that s3-bucket-data-events-off, a bucket-scope
// rule that reads trails, fires on some buckets and not others.
func withTrails(s *inventory.Snapshot) *inventory.Snapshot {
	on := true
	s.Trails = nil
	for i := range s.Accounts {
		s.Accounts[i].TrailsRead = true
	}
	if len(s.Buckets) > 0 {
		b := s.Buckets[0]
		s.Trails = append(s.Trails, inventory.Trail{
			ARN: "arn:aws:cloudtrail:us-east-1:" + s.Accounts[0].ID + ":trail/org", Name: "org", AccountID: s.Accounts[0].ID,
			HomeRegion: "us-east-1", MultiRegion: true, OrganizationTrail: true, IsLogging: &on, SelectorsRead: true,
			EventSelectors: []inventory.EventSelector{{ReadWriteType: "All", DataResources: []inventory.DataResource{
				{Type: "AWS::S3::Object", Values: []string{b.ARN + "/", b.ARN + "/reports/"}},
			}}},
		})
	}
	for i, a := range s.Accounts {
		if i%2 == 1 {
			continue
		}
		t := inventory.Trail{
			ARN: fmt.Sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/own", a.ID), Name: "own", AccountID: a.ID,
			HomeRegion: "us-east-1", MultiRegion: i%4 == 0, IsLogging: &on, SelectorsRead: true,
		}
		if i%4 == 0 {
			t.EventSelectors = []inventory.EventSelector{{ReadWriteType: "WriteOnly", DataResources: []inventory.DataResource{
				{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}},
			}}}
		}
		s.Trails = append(s.Trails, t)
	}
	return s
}

// withForeignOAIs makes every distribution that serves another account's
// bucket read it through the distribution account's own OAI, which the
// bucket policy does not name, so that cloudfront-oai-not-granted fires
// only where the rule sees the distribution, the bucket and the OAI of
// different accounts together.
func withForeignOAIs(s *inventory.Snapshot) *inventory.Snapshot {
	own := map[string]string{} // account → its OAI
	for _, o := range s.OriginAccessIdentities {
		if own[o.AccountID] == "" {
			own[o.AccountID] = o.ID
		}
	}
	for i := range s.Distributions {
		d := &s.Distributions[i]
		for j := range d.Origins {
			if o := &d.Origins[j]; o.BucketAccountID != d.AccountID && own[d.AccountID] != "" {
				o.OAIID = own[d.AccountID]
			}
		}
	}
	return s
}

// healthcorpInventoryFile is the HealthCorp inventory of the golden test,
// read as a scan's inventory is (any schema version the reader takes).
func healthcorpInventoryFile(t *testing.T) *inventory.Snapshot {
	t.Helper()
	s, err := inventory.ReadFile(filepath.Join("testdata", "healthcorp-inventory.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// streamed evaluates snap as pipeline.Stream does: the organization map
// first (no buckets), then each bucket on its own, keeping only the
// configurations Keep asks for, then the origins and organization rules on
// the map plus what was kept. It returns the findings, sorted, and how many
// bucket configurations were kept.
//
// partSize, when not 0, sets how many accounts a part of the origins input
// holds (originParts).
func streamed(t *testing.T, e *Engine, snap *inventory.Snapshot, partSize int) ([]findings.Finding, int) {
	t.Helper()
	orgMap := *snap
	orgMap.Buckets = []inventory.Bucket{}
	be, err := e.ForMap(&orgMap)
	if err != nil {
		t.Fatal(err)
	}
	if partSize != 0 {
		be.partAccounts = partSize
	}
	var out []findings.Finding
	kept := []inventory.Bucket{}
	for i := range snap.Buckets {
		b := snap.Buckets[i]
		fs, err := be.Evaluate(t.Context(), &b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fs...)
		if be.Keep(&b) {
			b.Objects.Objects = nil
			kept = append(kept, b)
		}
	}
	atEnd := orgMap
	atEnd.Buckets = kept
	fs, err := be.EvaluateOrganization(t.Context(), &atEnd)
	if err != nil {
		t.Fatal(err)
	}
	if err := be.Stopped(t.Context()); err != nil {
		t.Fatal(err)
	}
	out = append(out, fs...)
	findings.SortFindings(out)
	return out, len(kept)
}

// TestScopedEvaluationFindsWhatTheWholeSnapshotGives proves that cutting
// the snapshot by evaluation scope loses nothing: the sampled rules per
// bucket with its objects, the bucket-scope rules per bucket without them,
// the origins-scope rules on the map plus the origin buckets (the built-in
// ones part by part, down to parts of one account), and the
// organization-scope rules on everything give exactly what one evaluation
// of every rule over the whole snapshot gives (EvaluateWhole), both through
// Evaluate and through a stream that keeps only what Keep asks for. The
// golden HealthCorp test cannot tell a partition bug from a rule change.
func TestScopedEvaluationFindsWhatTheWholeSnapshotGives(t *testing.T) {
	e := loadEmbedded(t)
	for _, s := range []struct {
		name string
		s    *scope
	}{{"sampled", &e.sampled}, {"bucket", &e.bucket}, {"origins (built-in, evaluated in parts)", &e.parted}} {
		if len(s.s.queries) == 0 {
			t.Fatalf("the embedded rules have no %s scope", s.name)
		}
	}
	if len(e.global.rules) != 0 {
		t.Errorf("embedded rules with scope organization: %v; each embedded rule should have the narrowest exact scope", e.global.rules)
	}
	for _, tc := range []struct {
		name string
		inv  func(*testing.T) *inventory.Snapshot
	}{
		{"a synthetic organization with cross-account distributions and trails", func(*testing.T) *inventory.Snapshot { return withTrails(syntheticOrg(7, 3, 23)) }},
		{"a synthetic organization whose cross-account origins use OAIs the buckets do not grant", func(*testing.T) *inventory.Snapshot { return withForeignOAIs(syntheticOrg(7, 3, 23)) }},
		{"the HealthCorp fixture", func(*testing.T) *inventory.Snapshot { return healthcorpSnapshot() }},
		{"the HealthCorp fixture with trails", func(*testing.T) *inventory.Snapshot { return withTrails(healthcorpSnapshot()) }},
		{"the golden test's HealthCorp inventory", healthcorpInventoryFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := e.EvaluateWhole(t.Context(), tc.inv(t))
			if err != nil {
				t.Fatal(err)
			}
			byScope := map[string]int{}
			for _, f := range want {
				byScope[e.scopeName(f.RuleID)]++
			}
			for _, sc := range []string{"sampled", findings.ScopeBucket, findings.ScopeOrigins} {
				if byScope[sc] == 0 {
					t.Errorf("no finding from a %s rule on the whole snapshot: the comparison would prove nothing for that scope (%v)", sc, byScope)
				}
			}
			w, _ := json.Marshal(want)

			got, err := e.Evaluate(t.Context(), tc.inv(t))
			if err != nil {
				t.Fatal(err)
			}
			if g, _ := json.Marshal(got); string(g) != string(w) {
				t.Errorf("Evaluate gave %d findings, one evaluation over the whole snapshot %d\n got: %s\nwant: %s", len(got), len(want), g, w)
			}

			snap := tc.inv(t)
			str, kept := streamed(t, e, snap, 0)
			if g, _ := json.Marshal(str); string(g) != string(w) {
				t.Errorf("the streamed evaluation gave %d findings, one evaluation over the whole snapshot %d\n got: %s\nwant: %s", len(str), len(want), g, w)
			}
			small, _ := streamed(t, e, tc.inv(t), 1)
			if g, _ := json.Marshal(small); string(g) != string(w) {
				t.Errorf("the streamed evaluation with origins parts of one account gave %d findings, one evaluation over the whole snapshot %d\n got: %s\nwant: %s", len(small), len(want), g, w)
			}
			origins := originBuckets(snap)
			wantKept := 0
			for _, b := range snap.Buckets {
				if origins[b.Name] {
					wantKept++
				}
			}
			if kept != wantKept || kept >= len(snap.Buckets) {
				t.Errorf("the stream kept %d of %d bucket configurations, want only the %d origin buckets", kept, len(snap.Buckets), wantKept)
			}
		})
	}
}

// scopeName is the scope a rule is evaluated in, by ID, for test messages.
func (e *Engine) scopeName(id string) string {
	for _, r := range e.rules {
		if r.ID == id {
			if r.Sampled {
				return "sampled"
			}
			return r.Scope
		}
	}
	return ""
}

// countRule is a user rule, acme-LIST-count, that fires once with how many
// items of input.LIST it sees at once ("N LIST"); scope, when not "", is its
// custom.scope.
func countRule(list, scope string) string {
	scopeLine := ""
	if scope != "" {
		scopeLine = "#   scope: " + scope + "\n"
	}
	return fmt.Sprintf(`# METADATA
# title: Counts the organization's %[1]s
# description: Fires once with the number of %[1]s it sees at once.
# custom:
#   id: acme-%[2]s-count
#   severity: informational
#   resource_type: AwsAccount
%[3]s#   remediation: Nothing to fix.
package acme.%[2]s_count

deny contains f if {
	n := count(input.%[1]s)
	n > 0
	f := {"account_id": input.callerAccountId, "resource_arn": "org", "message": sprintf("%%d %[1]s", [n])}
}
`, list, strings.TrimSuffix(list, "s"), scopeLine)
}

// TestAnOrganizationRuleStillSeesEveryBucket loads a user rule without
// custom.scope, which keeps the contract rules had before scopes existed: it
// sees every bucket at once. It counts the buckets of the organization, so
// it fires only with all of them in view, and a stream must keep every
// bucket's configuration for it (the one case where memory grows with the
// buckets).
func TestAnOrganizationRuleStillSeesEveryBucket(t *testing.T) {
	dir := t.TempDir()
	writeRule(t, dir, "count.rego", countRule("buckets", ""))
	e, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.scopeName("acme-bucket-count"); got != findings.ScopeOrganization {
		t.Fatalf("a user rule without custom.scope has scope %q, want %q", got, findings.ScopeOrganization)
	}
	snap := syntheticOrg(4, 3, 5)
	want := fmt.Sprintf("%d buckets", len(snap.Buckets))
	str, kept := streamed(t, e, snap, 0)
	if kept != len(snap.Buckets) {
		t.Errorf("with an organization rule loaded the stream kept %d of %d bucket configurations", kept, len(snap.Buckets))
	}
	for name, fs := range map[string][]findings.Finding{"streamed": str} {
		if !hasMessage(fs, "acme-bucket-count", want) {
			t.Errorf("%s: the organization rule did not see every bucket (want %q)", name, want)
		}
	}
	got, err := e.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if !hasMessage(got, "acme-bucket-count", want) {
		t.Errorf("Evaluate: the organization rule did not see every bucket (want %q)", want)
	}
}

func hasMessage(fs []findings.Finding, rule, msg string) bool {
	for _, f := range fs {
		if f.RuleID == rule && f.Message == msg {
			return true
		}
	}
	return false
}
