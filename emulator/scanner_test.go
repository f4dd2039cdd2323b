package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/scanner"
)

// scanEmulator runs the real scan path (awsclient + scanner) against e with
// the caller's keys in the environment, as `hoofprint demo` does.
func scanEmulator(t *testing.T, e *Emulator, opts scanner.Options) *inventory.Snapshot {
	t.Helper()
	testutil.SetEnv(t, e.Environ())
	return scanAt(t, e.URL(), e.Scenario().MemberRoleName, opts)
}

// scanAt runs the scan path against endpoint with the environment's
// credentials.
func scanAt(t *testing.T, endpoint, role string, opts scanner.Options) *inventory.Snapshot {
	t.Helper()
	base, err := awsclient.Load(t.Context(), awsclient.Options{EndpointURL: endpoint, RoleName: role, MaxAttempts: 10})
	if err != nil {
		t.Fatalf("awsclient.Load: %v", err)
	}
	snap, err := scanner.Scan(t.Context(), base, opts)
	if err != nil {
		t.Fatalf("scanner.Scan: %v", err)
	}
	return snap
}

func bucketOf(snap *inventory.Snapshot, name string) *inventory.Bucket {
	for i := range snap.Buckets {
		if snap.Buckets[i].Name == name {
			return &snap.Buckets[i]
		}
	}
	return nil
}

func TestScannerAgainstHealthCorp(t *testing.T) {
	e := startHealthCorp(t)
	snap := scanEmulator(t, e, scanner.Options{Seed: 1})

	t.Run("every member account is scanned and the vendor is not in scope", func(t *testing.T) {
		var scanned []string
		for _, a := range snap.Accounts {
			if a.Scanned {
				scanned = append(scanned, a.Name)
			}
		}
		// Which accounts were scanned matters here, not the order the
		// snapshot lists them in.
		slices.Sort(scanned)
		if want := []string{"dev", "management", "prod", "tools"}; !slices.Equal(scanned, want) {
			t.Errorf("scanned %v, want %v", scanned, want)
		}
	})
	t.Run("the prod site's objects are owned by tools, read as tools without asking prod, and public-read without an OAI grant", func(t *testing.T) {
		b := bucketOf(snap, "healthcorp-prod-site")
		if b == nil {
			t.Fatal("bucket missing")
		}
		if b.Objects.ForeignOwnedListed != 5 || len(b.Objects.Objects) != 5 {
			t.Errorf("foreign-owned listed %d, kept %d", b.Objects.ForeignOwnedListed, len(b.Objects.Objects))
		}
		oaiCanon := scenario.OAICanonicalUserID(e.Scenario().OAI("prod-site").ID)
		aclsRead := 0
		for _, o := range b.Objects.Objects {
			if snap.CanonicalIDs[o.OwnerCanonicalID].AccountID != "222222222222" {
				t.Errorf("object owner %s does not resolve to tools", o.OwnerCanonicalID)
			}
			switch o.ACLStatus {
			case inventory.ACLStatusDeniedForeignOwner:
			case inventory.ACLStatusRead:
				aclsRead++
				// Read with the owner's (tools') role: the public-read grant
				// is there, a grant to the OAI is not.
				public, oai := false, false
				for _, g := range o.ACL.Grants {
					public = public || g.GranteeURI == inventory.AllUsersURI
					oai = oai || g.GranteeID == oaiCanon
				}
				if !public || oai {
					t.Errorf("ACL %+v", o.ACL)
				}
			default:
				t.Errorf("ACL status %s", o.ACLStatus)
			}
		}
		if !b.PublicAccessBlock.AllOn() || b.OwnershipControls.ObjectOwnership != "ObjectWriter" {
			t.Errorf("BPA %+v ownership %+v", b.PublicAccessBlock, b.OwnershipControls)
		}
		// What S3 was asked: the listing names tools as every object's
		// owner, and phase 1 knows tools' canonical ID, so tools reads the
		// ACLs straight away and prod (the bucket owner, whom S3 would deny)
		// is never asked: no denied first attempt.
		denied, readByTools := 0, 0
		for _, r := range e.RequestLog() {
			if r.Operation != "GetObjectAcl" || r.Bucket != "healthcorp-prod-site" {
				continue
			}
			if r.Account == "444444444444" && r.ErrorCode == "AccessDenied" {
				denied++
			}
			if r.Account == "222222222222" && r.Status == 200 {
				readByTools++
			}
			if r.Account == "444444444444" && r.Status == 200 {
				t.Error("prod read an ACL of a tools-owned object")
			}
		}
		if denied != 0 {
			t.Errorf("prod was asked, and denied, %d ACLs of objects tools owns", denied)
		}
		// Without a read by tools the public-read check above never ran.
		if readByTools == 0 || aclsRead == 0 {
			t.Errorf("GetObjectAcl on the prod site: %d read by tools, %d objects with their ACL read; want both above zero", readByTools, aclsRead)
		}
		t.Logf("GetObjectAcl on the prod site: %d denied to prod, %d read by tools", denied, readByTools)
	})
	t.Run("OAIs resolve to their canonical IDs and the distributions name them", func(t *testing.T) {
		if len(snap.OriginAccessIdentities) != 2 {
			t.Fatalf("OAIs: %+v", snap.OriginAccessIdentities)
		}
		for _, o := range snap.OriginAccessIdentities {
			if id := snap.CanonicalIDs[o.S3CanonicalUserID]; id.Kind != inventory.KindOAI || id.OAIID != o.ID {
				t.Errorf("OAI %s canonical maps to %+v", o.ID, id)
			}
		}
		found, oacFound := false, false
		for _, d := range snap.Distributions {
			for _, o := range d.Origins {
				if o.BucketName == "healthcorp-prod-site" && o.OAIID == e.Scenario().OAI("prod-site").ID && o.BucketAccountID == "444444444444" {
					found = true
				}
				// moto drops OriginAccessControlId (scanner/e2e_test.go
				// tolerates that), so the emulator is where the scan is
				// proved to carry an OAC origin's ID.
				if o.BucketName == "healthcorp-prod-portal-assets" {
					if o.OACID != e.Scenario().OAC("prod-portal").ID || o.OAIID != "" {
						t.Errorf("portal assets origin %+v, want OAC %s", o, e.Scenario().OAC("prod-portal").ID)
					}
					oacFound = true
				}
				if o.BucketName == "healthcorp-old-landing" && o.BucketExists != "no" {
					t.Errorf("missing bucket origin: %+v", o)
				}
			}
		}
		if !found {
			t.Error("prod-site origin with its OAI not found")
		}
		if !oacFound {
			t.Error("portal assets origin (an OAC) not found")
		}
	})
	t.Run("no object key reaches the snapshot by default", func(t *testing.T) {
		b, _ := json.Marshal(snap)
		if strings.Contains(string(b), "jane-doe") || strings.Contains(string(b), "lab-results") {
			t.Error("a PHI-looking key is in the snapshot")
		}
	})
	t.Run("the scan wrote nothing anywhere", func(t *testing.T) {
		if w := e.Writes(""); len(w) != 0 {
			t.Errorf("writes: %+v", w)
		}
	})
	t.Run("nothing was left unread", func(t *testing.T) {
		for _, g := range snap.Coverage.Gaps {
			t.Errorf("gap: %+v", g)
		}
	})
}

func TestScannerUnderFaults(t *testing.T) {
	t.Run("an account whose role is denied is a gap and the others are scanned", func(t *testing.T) {
		e := startScenario(t, scenario.HealthCorp(), Options{Faults: []FaultRule{{Account: "333333333333", AccessDenied: true}}})
		snap := scanEmulator(t, e, scanner.Options{Seed: 1})
		for _, a := range snap.Accounts {
			if a.ID == "333333333333" && a.Scanned {
				t.Error("dev scanned despite AccessDenied")
			}
			if a.ID == "444444444444" && !a.Scanned {
				t.Error("prod not scanned")
			}
		}
		gap := false
		for _, g := range snap.Coverage.Gaps {
			gap = gap || g.AccountID == "333333333333"
		}
		if !gap {
			t.Errorf("no gap for dev: %+v", snap.Coverage.Gaps)
		}
		if bucketOf(snap, "healthcorp-prod-site") == nil {
			t.Error("prod buckets missing")
		}
	})
	t.Run("throttling on a third of S3 calls is retried away", func(t *testing.T) {
		e := startScenario(t, scenario.HealthCorp(), Options{FaultSeed: 3, Faults: []FaultRule{{Service: "s3", ThrottleRate: 0.3}}})
		snap := scanEmulator(t, e, scanner.Options{Seed: 1})
		for _, g := range snap.Coverage.Gaps {
			t.Errorf("gap: %+v", g)
		}
		throttled := 0
		for _, r := range e.RequestLog() {
			if r.ErrorCode == "SlowDown" {
				throttled++
			}
		}
		if throttled == 0 {
			t.Error("no request was throttled")
		}
		if b := bucketOf(snap, "healthcorp-prod-site"); b == nil || b.Objects.ForeignOwnedListed != 5 {
			t.Errorf("prod site after throttling: %+v", b)
		}
	})
	t.Run("a GetBucketPolicy denied by a fault is a gap for each of prod's buckets", func(t *testing.T) {
		e := startScenario(t, scenario.HealthCorp(), Options{Faults: []FaultRule{{Service: "s3", Operation: "GetBucketPolicy", Account: "444444444444", AccessDenied: true}}})
		snap := scanEmulator(t, e, scanner.Options{Seed: 1})
		n := 0
		for _, g := range snap.Coverage.Gaps {
			if g.Operation == "GetBucketPolicy" && g.AccountID == "444444444444" && g.Code == "AccessDenied" {
				n++
			}
		}
		if n != 7 {
			t.Errorf("%d GetBucketPolicy gaps for prod's 7 buckets: %+v", n, snap.Coverage.Gaps)
		}
	})
}

// BenchmarkScanGeneratedOrg runs the whole scan path against a generated
// organization of 200 accounts x 3 buckets x 50 objects, to show what the
// emulator sustains under a real scan (requests per second across all
// services, every SigV4 signature checked).
func BenchmarkScanGeneratedOrg(b *testing.B) {
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: 200, BucketsPerAccount: 3, ObjectsPerBucket: 50, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	e := startScenario(b, sc, Options{})
	testutil.SetEnv(b, e.Environ())
	total := 0
	b.ResetTimer()
	for b.Loop() {
		e.ResetRequests()
		base, err := awsclient.Load(b.Context(), awsclient.Options{EndpointURL: e.URL(), RoleName: sc.MemberRoleName})
		if err != nil {
			b.Fatal(err)
		}
		snap, err := scanner.Scan(b.Context(), base, scanner.Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Coverage.Gaps) > 0 || len(snap.Buckets) != 600 {
			b.Fatalf("%d gaps, %d buckets", len(snap.Coverage.Gaps), len(snap.Buckets))
		}
		for _, n := range e.Requests() {
			total += n
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(total)/float64(b.N), "requests/scan")
}

// TestHealthCorpGivesEveryRuleSomethingToFind runs the real scan and the
// real rules over HealthCorp: every rule of the catalogue fires at least
// once, and the seed's root cause is found on the prod site bucket.
func TestHealthCorpGivesEveryRuleSomethingToFind(t *testing.T) {
	e := startHealthCorp(t)
	snap := scanEmulator(t, e, scanner.Options{Seed: 1})
	eng, err := rules.Load(t.Context(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string][]string{}
	for _, f := range fs {
		fired[f.RuleID] = append(fired[f.RuleID], f.ResourceName)
	}
	for _, r := range eng.Rules() {
		if len(fired[r.ID]) == 0 {
			t.Errorf("rule %s found nothing in HealthCorp", r.ID)
		}
	}
	t.Logf("%d rules, %d findings", len(eng.Rules()), len(fs))
	rootCause := false
	for _, f := range fs {
		if f.RuleID == "cloudfront-origin-objects-unreadable" && strings.Contains(f.ResourceARN+f.ResourceName+f.Message, "healthcorp-prod-site") {
			rootCause = true
		}
	}
	if !rootCause {
		t.Errorf("the seed's root cause on healthcorp-prod-site was not found: %v", fired["cloudfront-origin-objects-unreadable"])
	}
}

// TestHealthCorpHIPAAControlsFireAndStayQuiet scans HealthCorp and checks
// each control of the hipaa profile on the resource it must fire on and on
// the one it must leave alone (emulator/scenario/scenarios/healthcorp.yaml).
func TestHealthCorpHIPAAControlsFireAndStayQuiet(t *testing.T) {
	e := startHealthCorp(t)
	snap := scanEmulator(t, e, scanner.Options{Seed: 1})
	eng, err := rules.Load(t.Context(), rules.Options{Profile: "hipaa"})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, f := range fs {
		fired[f.RuleID+" "+f.ResourceName] = true
	}
	dist := map[string]string{} // scenario name → ID
	for _, sd := range e.Scenario().Distributions {
		dist[sd.Name] = sd.ID
	}
	for _, tc := range []struct {
		rule, fires, quiet, why string
	}{
		{"cloudfront-viewer-tls-outdated", dist["dev-site"], dist["prod-site"], "default certificate vs TLSv1.2_2021"},
		{"cloudfront-viewer-tls-outdated", dist["prod-portal"], dist["prod-site"], "TLSv1.2_2019 vs TLSv1.2_2021"},
		{"cloudfront-access-logging-off", dist["marketing"], dist["prod-site"], "no logging vs legacy standard logging"},
		{"cloudfront-access-logging-off", dist["dev-site"], dist["prod-portal"], "no logging vs a v2 delivery"},
		{"s3-bucket-versioning-off", "healthcorp-prod-site", "healthcorp-phi-records", "suspended vs enabled with MFA delete"},
		{"s3-bucket-versioning-off", "healthcorp-dev-site", "healthcorp-tools-logs", "never enabled vs an empty bucket"},
		{"s3-bucket-data-events-off", "healthcorp-dev-site", "healthcorp-phi-records", "no selector vs the organization trail's resources.ARN prefix"},
		{"s3-bucket-data-events-off", "healthcorp-dev-scratch", "healthcorp-prod-site", "a stopped trail vs prod's basic selector"},
		{"s3-bucket-encryption-weakened", "healthcorp-dev-claims-archive", "healthcorp-phi-records", "a policy allowing AES256 uploads on a KMS bucket vs a customer managed key"},
		{"s3-bucket-encryption-weakened", "healthcorp-dev-claims-archive", "healthcorp-dev-site", "vs S3's default SSE-S3"},
	} {
		t.Run(tc.rule+" "+tc.why, func(t *testing.T) {
			if tc.fires == "" || tc.quiet == "" {
				t.Fatalf("scenario resource missing: %+v", tc)
			}
			if !fired[tc.rule+" "+tc.fires] {
				t.Errorf("%s did not fire on %s", tc.rule, tc.fires)
			}
			if fired[tc.rule+" "+tc.quiet] {
				t.Errorf("%s fired on %s", tc.rule, tc.quiet)
			}
		})
	}
	t.Run("s3-bucket-encryption-not-cmk runs only in the all profile", func(t *testing.T) {
		all, err := rules.Load(t.Context(), rules.Options{Profile: "all"})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := all.Evaluate(t.Context(), snap)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, f := range fs {
			got[f.RuleID+" "+f.ResourceName] = true
		}
		for name, want := range map[string]bool{"healthcorp-dev-claims-archive": true, "healthcorp-dev-site": true, "healthcorp-phi-records": false} {
			if got["s3-bucket-encryption-not-cmk "+name] != want {
				t.Errorf("s3-bucket-encryption-not-cmk on %s: %v, want %v", name, !want, want)
			}
		}
		if fired["s3-bucket-encryption-not-cmk healthcorp-dev-site"] {
			t.Error("the hipaa profile ran the opt-in rule")
		}
	})
	var trail *inventory.Trail
	for i := range snap.Trails {
		if snap.Trails[i].OrganizationTrail {
			trail = &snap.Trails[i]
		}
	}
	if trail == nil || !trail.SelectorsRead || trail.AccountID != e.Scenario().ManagementAccount().ID {
		t.Errorf("the organization trail's selectors were not read once, in the management account: %+v", trail)
	}
}

// TestAPICallsOfTheHIPAAReads measures what the hipaa profile's reads cost
// (BENCHMARKS.md): two scans of one account that differ by n
// distributions, and by one owned trail, counted from the emulator's
// request log. Per distribution: one GetDistributionConfig. Per account:
// one DescribeTrails, GetTrailStatus and GetEventSelectors per owned trail,
// and the two CloudWatch Logs listings once it has a distribution.
func TestAPICallsOfTheHIPAAReads(t *testing.T) {
	build := func(dists int, trail bool) *scenario.Scenario {
		sc := &scenario.Scenario{Name: "cost", MemberRoleName: "OrganizationAccountAccessRole",
			Accounts: []scenario.Account{{Name: "solo", ID: "123456789012"}}}
		for i := range dists {
			sc.Distributions = append(sc.Distributions, scenario.Distribution{Name: fmt.Sprintf("d%d", i), Account: "solo",
				Origins:         []scenario.Origin{{ID: "web", DomainName: "example.org"}},
				DefaultBehavior: scenario.Behavior{TargetOrigin: "web"}})
		}
		if trail {
			sc.Trails = []scenario.Trail{{Name: "own", Account: "solo", MultiRegion: true}}
		}
		return sc
	}
	cost := func(sc *scenario.Scenario) map[string]int {
		e := startScenario(t, sc, Options{})
		scanEmulator(t, e, scanner.Options{Seed: 1})
		out := map[string]int{}
		for k, n := range e.Requests() {
			out[k.Service+" "+k.Operation] += n
		}
		return out
	}
	const n = 5
	none, some, traced := cost(build(0, false)), cost(build(n, false)), cost(build(n, true))
	diff := func(a, b map[string]int, op string) int { return b[op] - a[op] }
	for _, tc := range []struct {
		op       string
		from, to map[string]int
		want     int
	}{
		{"cloudfront GetDistributionConfig", none, some, n},
		{"logs DescribeDeliverySources", none, some, 1},
		{"logs DescribeDeliveries", none, some, 1},
		{"cloudtrail DescribeTrails", some, traced, 0},
		{"cloudtrail GetTrailStatus", some, traced, 1},
		{"cloudtrail GetEventSelectors", some, traced, 1},
	} {
		if got := diff(tc.from, tc.to, tc.op); got != tc.want {
			t.Errorf("%s: %d more calls, want %d", tc.op, got, tc.want)
		}
	}
	if none["cloudtrail DescribeTrails"] != 1 {
		t.Errorf("DescribeTrails called %d times for one account, want 1", none["cloudtrail DescribeTrails"])
	}
	total := func(m map[string]int) (s int) {
		for _, v := range m {
			s += v
		}
		return s
	}
	t.Logf("one account: %d calls with no distribution, %d with %d distributions (%.1f per distribution, logs listings included), %d with an owned trail too",
		total(none), total(some), n, float64(total(some)-total(none))/n, total(traced))
}

// TestTrailsAreListedWhereTheBucketsAre: DescribeTrails is regional and a
// single-region trail is listed only in its home region, where it can log
// that region's buckets. A bucket in eu-west-1 logged by a trail homed
// there must count as logged when the scan runs from us-east-1; before,
// trails were listed in the scan's region only and the bucket was reported
// as having no data events.
func TestTrailsAreListedWhereTheBucketsAre(t *testing.T) {
	allObjects := []scenario.EventSelector{{ReadWriteType: "All",
		DataResources: []scenario.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}
	sc := &scenario.Scenario{Name: "regions", MemberRoleName: "OrganizationAccountAccessRole",
		Accounts: []scenario.Account{{Name: "solo", ID: "123456789012"}},
		Buckets: []scenario.Bucket{
			{Name: "eu-records", Account: "solo", Region: "eu-west-1", Objects: []scenario.Object{{Key: "r-%02d.json", Count: 3}}},
			{Name: "trail-logs-eu", Account: "solo", Region: "eu-west-1"},
			{Name: "us-records", Account: "solo", Objects: []scenario.Object{{Key: "r-%02d.json", Count: 3}}},
		},
		Trails: []scenario.Trail{{Name: "eu-data", Account: "solo", HomeRegion: "eu-west-1", S3Bucket: "trail-logs-eu", EventSelectors: allObjects}},
	}
	e := startScenario(t, sc, Options{})
	snap := scanEmulator(t, e, scanner.Options{Seed: 1})
	if n := e.Requests()[RequestKey{Account: "123456789012", Service: "cloudtrail", Operation: "DescribeTrails"}]; n != 2 {
		t.Errorf("DescribeTrails called %d times, want 2 (the scan's region and the buckets' other region)", n)
	}
	if len(snap.Trails) != 1 || snap.Trails[0].HomeRegion != "eu-west-1" || !snap.Trails[0].SelectorsRead {
		t.Fatalf("trails = %+v, want the eu-west-1 trail with its selectors", snap.Trails)
	}
	eng, err := rules.Load(t.Context(), rules.Options{Profile: "hipaa"})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, f := range fs {
		if f.RuleID == "s3-bucket-data-events-off" {
			fired[f.ResourceName] = true
		}
	}
	// The single-region trail logs its own region's buckets only.
	if fired["eu-records"] || !fired["us-records"] {
		t.Errorf("s3-bucket-data-events-off fired on %v, want us-records only", fired)
	}
}
