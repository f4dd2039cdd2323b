package scanner_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

// HealthCorp's account IDs (emulator/scenario/scenarios/healthcorp.yaml).
const (
	hcTools  = "222222222222"
	hcDev    = "333333333333"
	hcProd   = "444444444444"
	hcVendor = "999988887777"
)

// startEmulator serves sc on a free loopback port for the test.
func startEmulator(t testing.TB, sc *scenario.Scenario, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(t.Context(), sc, opts)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// emulatorBase is the real awsclient configuration against emu, with the
// caller's keys and the given member role.
func emulatorBase(t testing.TB, emu *emulator.Emulator, role string) *awsclient.Base {
	t.Helper()
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: emu.URL(),
		Region:      "us-east-1",
		Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()},
		RoleName:    role,
	})
	if err != nil {
		t.Fatalf("awsclient.Load: %v", err)
	}
	return base
}

// scanYAML serves the scenario written in yaml from the emulator and scans
// it with the scenario's member role and seed 1.
func scanYAML(t testing.TB, yaml string) (*emulator.Emulator, *inventory.Snapshot) {
	t.Helper()
	sc, err := scenario.Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("scenario.Parse: %v", err)
	}
	emu := startEmulator(t, sc, emulator.Options{})
	return emu, scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1})
}

func scanWith(t testing.TB, base *awsclient.Base, opts scanner.Options) *inventory.Snapshot {
	t.Helper()
	snap, err := scanner.Scan(t.Context(), base, opts)
	if err != nil {
		t.Fatalf("scanner.Scan: %v", err)
	}
	return snap
}

func TestObjectOwnerReadsTheACLsTheBucketOwnerIsDenied(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	base := emulatorBase(t, emu, sc.MemberRoleName)
	snap := scanWith(t, base, scanner.Options{Seed: 1})
	toolsCanonical := account(t, snap, hcTools).CanonicalUserID

	for _, name := range []string{"healthcorp-dev-site", "healthcorp-prod-site"} {
		t.Run("the tools-owned objects of "+name+" have their ACL read with the tools account's role", func(t *testing.T) {
			b := bucket(t, snap, name)
			if b.Objects.ForeignOwnedListed == 0 || len(b.Objects.Objects) != b.Objects.ForeignOwnedListed {
				t.Fatalf("%d objects kept, %d foreign-owned listed", len(b.Objects.Objects), b.Objects.ForeignOwnedListed)
			}
			for _, o := range b.Objects.Objects {
				if o.OwnerCanonicalID != toolsCanonical {
					t.Errorf("%s: owner %s, want tools", o.KeyHash, o.OwnerCanonicalID)
				}
				if o.ACLStatus != inventory.ACLStatusRead || o.ACLReadByAccountID != hcTools || o.ACL == nil {
					t.Errorf("%s: status %q read by %q acl %v; want read by tools", o.KeyHash, o.ACLStatus, o.ACLReadByAccountID, o.ACL)
					continue
				}
				if !grantsAllUsers(o.ACL) || o.ACL.OwnerCanonicalID != toolsCanonical {
					t.Errorf("%s: ACL %+v; want owned by tools with AllUsers READ (the public-read upload)", o.KeyHash, o.ACL)
				}
			}
			n := len(b.Objects.Objects)
			s := b.Objects
			// The owner is known from phase 1: no denied first attempt with
			// the bucket owner's role.
			if s.ACLsRequested != 0 || s.ACLsRequestedByObjectOwner != n || s.ACLsReadByObjectOwner != n || s.ACLsRead != n {
				t.Errorf("counts requested %d (by owner %d), read %d (by owner %d); want none by the bucket owner and all %d by the owner",
					s.ACLsRequested, s.ACLsRequestedByObjectOwner, s.ACLsRead, s.ACLsReadByObjectOwner, n)
			}
		})
	}
	t.Run("objects owned outside the organization keep the bucket owner's denial and are not asked again", func(t *testing.T) {
		b := bucket(t, snap, "healthcorp-dev-claims-exchange")
		outside := 0
		for _, o := range b.Objects.Objects {
			if _, known := snap.CanonicalIDs[o.OwnerCanonicalID]; known || o.OwnerCanonicalID == "" {
				continue
			}
			outside++
			// The vendor may have granted the bucket owner READ_ACP (then
			// the bucket owner read it); either way nobody else was asked.
			if o.ACLReadByAccountID != "" || (o.ACLStatus != inventory.ACLStatusDeniedForeignOwner && o.ACLStatus != inventory.ACLStatusRead) {
				t.Errorf("%s: status %q read by %q", o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
			}
		}
		if outside == 0 {
			t.Fatal("no vendor-owned object sampled")
		}
		if b.Objects.ACLsRequestedByObjectOwner != 0 {
			t.Errorf("%d owner calls for vendor objects", b.Objects.ACLsRequestedByObjectOwner)
		}
		if n := assumedInto(emu, hcVendor); n != 0 {
			t.Errorf("%d AssumeRole calls into the vendor account", n)
		}
	})
	t.Run("the owner calls were made with the tools account's credentials", func(t *testing.T) {
		var toolsACLCalls int
		for k, n := range emu.Requests() {
			if k.Account == hcTools && k.Service == "s3" && k.Operation == "GetObjectAcl" {
				toolsACLCalls += n
			}
		}
		want := len(bucket(t, snap, "healthcorp-dev-site").Objects.Objects) + len(bucket(t, snap, "healthcorp-prod-site").Objects.Objects)
		// tools also reads the ACLs of objects in its own buckets.
		if toolsACLCalls < want {
			t.Errorf("tools made %d GetObjectAcl calls, want at least %d", toolsACLCalls, want)
		}
	})
	t.Run("the scan wrote nothing anywhere", func(t *testing.T) {
		if w := emu.Writes(""); len(w) != 0 {
			t.Errorf("writes: %+v", w)
		}
	})
	t.Run("nothing was left unread and no key reached the snapshot", func(t *testing.T) {
		for _, g := range snap.Coverage.Gaps {
			t.Errorf("gap: %+v", g)
		}
		raw, err := json.Marshal(snap)
		must(t, err)
		for _, key := range []string{"index.html", "favicon.ico", "main.77aa01.js", "jane-doe"} {
			if strings.Contains(string(raw), key) {
				t.Errorf("the snapshot holds the key %q", key)
			}
		}
	})
}

// assumedInto counts the sts:AssumeRole requests for a role in account.
func assumedInto(emu *emulator.Emulator, account string) int {
	n := 0
	for _, r := range emu.RequestLog() {
		if r.Service == "sts" && r.Operation == "AssumeRole" && r.Target == account {
			n++
		}
	}
	return n
}

func TestObjectOwnerDeniedTooKeepsTheEvidence(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	// The tools role may not read object ACLs (an SCP, say): the second
	// answer is AccessDenied too, and nothing is lost or invented.
	emu.SetFaults([]emulator.FaultRule{{Account: hcTools, Service: "s3", Operation: "GetObjectAcl", AccessDenied: true}})
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1})
	b := bucket(t, snap, "healthcorp-prod-site")
	for _, o := range b.Objects.Objects {
		if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner || o.ACL != nil || o.ACLReadByAccountID != "" {
			t.Errorf("%s: status %q acl %v read by %q", o.KeyHash, o.ACLStatus, o.ACL, o.ACLReadByAccountID)
		}
	}
	if n := len(b.Objects.Objects); b.Objects.ACLsRequestedByObjectOwner != n || b.Objects.ACLsRequested != n || b.Objects.ACLsReadByObjectOwner != 0 || b.Objects.ACLsRead != 0 {
		t.Errorf("sample counts %+v", b.Objects)
	}
	for _, g := range snap.Coverage.Gaps {
		if g.ViaAccountID != "" {
			t.Errorf("an owner's AccessDenied became a gap: %+v", g)
		}
	}
}

func TestObjectOwnerErrorIsAGapNamingBothAccountsAndTheKeyHash(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{FaultSeed: 1})
	emu.SetFaults([]emulator.FaultRule{{Account: hcTools, Service: "s3", Operation: "GetObjectAcl", ErrorRate: 1}})
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: emu.URL(), Region: "us-east-1", MaxAttempts: 2,
		Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()}, RoleName: sc.MemberRoleName,
	})
	must(t, err)
	snap := scanWith(t, base, scanner.Options{Seed: 1})
	b := bucket(t, snap, "healthcorp-dev-site")
	gaps := map[string]inventory.Gap{}
	for _, g := range snap.Coverage.Gaps {
		if g.ViaAccountID == hcTools {
			gaps[g.Resource] = g
		}
	}
	for _, o := range b.Objects.Objects {
		g, ok := gaps[b.ARN+"/"+o.KeyHash]
		if !ok {
			t.Errorf("%s: no gap", o.KeyHash)
			continue
		}
		if g.AccountID != hcDev || g.Service != "s3" || g.Operation != "GetObjectAcl" || !strings.Contains(g.Message, hcTools) {
			t.Errorf("gap %+v: want dev's bucket, via tools, named in the message", g)
		}
		if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner {
			t.Errorf("%s: status %q, want the bucket owner's denial kept", o.KeyHash, o.ACLStatus)
		}
	}
	for _, g := range gaps {
		if strings.Contains(g.Resource, "index.html") || strings.Contains(g.Message, "index.html") {
			t.Errorf("gap names a key: %+v", g)
		}
	}
}

// missingRoleScenario is an organization where the scanner's role exists in
// every member account but one.
const missingRoleScenario = `
name: missing-role
organization: {managementAccount: root}
accounts:
  - {name: root, id: "100000000001"}
  - {name: web, id: "100000000002", roles: [hoofprint-scanner]}
  - {name: data, id: "100000000003"}
  - {name: logs, id: "100000000004", roles: [hoofprint-scanner]}
buckets:
  - name: missing-role-web
    account: web
    objects:
      - {key: "page-%02d.html", count: 3, writer: web}
  - name: missing-role-data
    account: data
    objects:
      - {key: "rec-%02d.json", count: 2, writer: data}
  - name: missing-role-logs
    account: logs
`

func TestAnAssumeRoleDeniedForRealIsAGapAndTheOtherAccountsAreScanned(t *testing.T) {
	sc, err := scenario.Parse([]byte(missingRoleScenario))
	must(t, err)
	emu := startEmulator(t, sc, emulator.Options{})
	snap := scanWith(t, emulatorBase(t, emu, "hoofprint-scanner"), scanner.Options{Seed: 1})

	if a := account(t, snap, "100000000003"); a.Scanned {
		t.Errorf("data scanned without its role: %+v", a)
	}
	for _, id := range []string{"100000000001", "100000000002", "100000000004"} {
		if a := account(t, snap, id); !a.Scanned {
			t.Errorf("account %s not scanned", id)
		}
	}
	if !hasGap(snap, "100000000003", "sts", "AssumeRole", "AccessDenied") {
		t.Errorf("no sts AssumeRole AccessDenied gap for data: %+v", snap.Coverage.Gaps)
	}
	if len(snap.Coverage.Gaps) != 1 {
		t.Errorf("gaps %+v; want only data's AssumeRole", snap.Coverage.Gaps)
	}
	if b := bucket(t, snap, "missing-role-web"); b.Objects.KeysListed != 3 || b.Objects.ACLsRead != 3 {
		t.Errorf("web site sample %+v", b.Objects)
	}
	for _, b := range snap.Buckets {
		if b.AccountID == "100000000003" {
			t.Errorf("bucket %s of the unassumable account in the snapshot", b.Name)
		}
	}
	if !snap.Coverage.Complete {
		t.Error("a denied role made the scan incomplete: it is a gap, not an interruption")
	}
}

func TestThrottlingIsRetriedCountedAndLeavesNoGap(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{FaultSeed: 7})
	// One clock for both scans: the anonymous probe stamps its answers.
	now := func() time.Time { return time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) }
	clean := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1, Now: now})
	emu.ResetRequests()

	emu.SetFaults([]emulator.FaultRule{
		{Service: "s3", Operation: "GetBucketPolicy", ThrottleRate: 0.5},
		{Service: "s3", Operation: "GetObjectAcl", ThrottleRate: 0.3},
		{Service: "cloudfront", ThrottleRate: 0.3},
	})
	var logs lockedLog
	base := emulatorBase(t, emu, sc.MemberRoleName)
	start := time.Now()
	snap := scanWith(t, base, scanner.Options{Seed: 1, Now: now, Logger: logs.logger()})
	t.Logf("throttled scan took %v, %d API calls", time.Since(start), base.Limiter.Requests())

	for _, g := range snap.Coverage.Gaps {
		t.Errorf("gap: %+v", g)
	}
	if !snap.Coverage.Complete {
		t.Error("incomplete")
	}
	throttles := logs.int("throttles")
	if throttles == 0 {
		t.Errorf("no throttles counted in the summary: %s", logs.String())
	}
	if calls := logs.int("apiCalls"); calls < throttles {
		t.Errorf("%d API calls for %d throttles: retries are API calls too", calls, throttles)
	}
	// The retried scan learned exactly what the clean one did.
	if len(snap.Buckets) != len(clean.Buckets) {
		t.Fatalf("%d buckets, clean scan %d", len(snap.Buckets), len(clean.Buckets))
	}
	for i := range snap.Buckets {
		got, want := snap.Buckets[i], clean.Buckets[i]
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("bucket %s differs from the clean scan:\n%s\n%s", got.Name, gj, wj)
		}
	}
	if w := emu.Writes(""); len(w) != 0 {
		t.Errorf("writes: %+v", w)
	}
}

// lockedLog captures a scan's JSON log records.
type lockedLog struct{ testutil.SyncBuffer }

func (l *lockedLog) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

// int is the named counter of the "scan finished" summary record.
func (l *lockedLog) int(name string) int64 {
	for line := range strings.Lines(l.String()) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "scan finished" {
			continue
		}
		if v, ok := rec[name].(float64); ok {
			return int64(v)
		}
	}
	return -1
}

func TestTheOwnerPassHasItsOwnPerAccountDeadline(t *testing.T) {
	sc := scenario.HealthCorp()
	// Every GetObjectAcl the tools role makes hangs past the deadline: its
	// own collection is cut short, and so is the owner pass.
	emu := startEmulator(t, sc, emulator.Options{Faults: []emulator.FaultRule{
		{Account: hcTools, Service: "s3", Operation: "GetObjectAcl", Latency: time.Minute},
	}})
	// Long enough for dev and prod to be collected even under -race, far
	// shorter than the latency; the emulator stops waiting when the client
	// gives up, so the test takes about two deadlines.
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1, AccountTimeout: 3 * time.Second})

	for _, name := range []string{"healthcorp-dev-site", "healthcorp-prod-site"} {
		for _, o := range bucket(t, snap, name).Objects.Objects {
			if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner || o.ACLReadByAccountID != "" {
				t.Errorf("%s %s: status %q read by %q; want the bucket owner's denial kept", name, o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
			}
		}
	}
	var passGap bool
	for _, g := range snap.Coverage.Gaps {
		if g.AccountID == hcTools && g.Service == "s3" && g.Operation == "GetObjectAcl" && g.Code == "timeout" && g.Resource == "" {
			passGap = true
			if !strings.Contains(g.Message, "objects in other accounts' buckets") {
				t.Errorf("message %q", g.Message)
			}
		}
	}
	if !passGap {
		t.Errorf("no timeout gap for the owner pass: %+v", snap.Coverage.Gaps)
	}
	if !snap.Coverage.Complete {
		t.Error("a per-account deadline made the whole scan incomplete")
	}
}

// TestRegionsComeFromListBucketsNotGetBucketLocation: S3 returns a
// bucket's BucketRegion in ListBuckets only "if the request contains at
// least one valid parameter" (ListBuckets API reference, Bucket data
// type), and the emulator answers the same way. A scan that pages with
// MaxBuckets learns every region from the listing and spends no
// GetBucketLocation call per bucket.
func TestRegionsComeFromListBucketsNotGetBucketLocation(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	base := emulatorBase(t, emu, sc.MemberRoleName)
	snap := scanWith(t, base, scanner.Options{Seed: 1})
	for k, n := range emu.Requests() {
		if k.Service == "s3" && k.Operation == "GetBucketLocation" {
			t.Errorf("%d GetBucketLocation calls as %s", n, k.Account)
		}
	}
	if len(snap.Buckets) == 0 {
		t.Fatal("no buckets collected")
	}
	for _, b := range snap.Buckets {
		if b.Region == "" {
			t.Errorf("%s: no region", b.Name)
		}
	}
}

// TestCloudFrontIsNotCalledInGovCloud: CloudFront "is located outside of
// the AWS GovCloud (US) boundary" (AWS GovCloud (US) User Guide, Amazon
// CloudFront), and the SDK's endpoint rules would send GovCloud
// credentials to the commercial endpoint, which refuses them as an invalid
// token: three misleading gaps per account. A GovCloud scan makes no
// CloudFront call and records one gap per scanned account that says why.
func TestCloudFrontIsNotCalledInGovCloud(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	base := emulatorBase(t, emu, sc.MemberRoleName)
	base.Caller.Partition = "aws-us-gov"
	snap := scanWith(t, base, scanner.Options{Seed: 1})
	for k, n := range emu.Requests() {
		if k.Service == "cloudfront" {
			t.Errorf("%d CloudFront %s calls as %s", n, k.Operation, k.Account)
		}
	}
	gaps := map[string]int{}
	for _, g := range snap.Coverage.Gaps {
		if g.Service == "cloudfront" {
			gaps[g.AccountID]++
			if g.Code != "NotAvailableInPartition" || !strings.Contains(g.Message, "aws-us-gov") {
				t.Errorf("gap %+v", g)
			}
		}
	}
	for _, a := range snap.Accounts {
		if want := map[bool]int{true: 1}[a.Scanned]; gaps[a.ID] != want {
			t.Errorf("account %s (scanned %v): %d CloudFront gaps, want %d", a.ID, a.Scanned, gaps[a.ID], want)
		}
	}
	if len(snap.Distributions) != 0 {
		t.Errorf("%d distributions", len(snap.Distributions))
	}
}

// TestAListingThatFailsPartWayStillScansTheAccountsListed: ListAccounts is
// paged 20 accounts at a time; when page 2 fails for good, the accounts of
// page 1 are still scanned, the unread pages are a gap, and the scope says
// why. Falling back to the caller's account alone would throw away most of
// the organization for one failed call. (The fault is an AccessDenied, which
// is not retried; throttling past every retry takes the same path, only a
// minute slower.)
func TestAListingThatFailsPartWayStillScansTheAccountsListed(t *testing.T) {
	sc, err := scenario.Generate(scenario.GenOptions{Accounts: 45, BucketsPerAccount: 1, ObjectsPerBucket: 1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	emu := startEmulator(t, sc, emulator.Options{Faults: []emulator.FaultRule{
		{Service: "organizations", Operation: "ListAccounts", After: 1, AccessDenied: true},
	}})
	base := emulatorBase(t, emu, sc.MemberRoleName)
	snap := scanWith(t, base, scanner.Options{Seed: 1})

	if snap.Scope != inventory.ScopeOrganization || snap.Organization == nil {
		t.Fatalf("scope %q, organization %v: want the organization, partially listed", snap.Scope, snap.Organization)
	}
	if !strings.Contains(snap.ScopeReason, "ListAccounts failed after 20 accounts") {
		t.Errorf("scope reason %q does not say the listing stopped after page 1", snap.ScopeReason)
	}
	scanned := 0
	for _, a := range snap.Accounts {
		if a.Scanned {
			scanned++
		}
	}
	if scanned < 20 {
		t.Errorf("%d accounts scanned, want the 20 listed on page 1", scanned)
	}
	if scanned > 21 {
		t.Errorf("%d accounts scanned: accounts on the unread pages cannot be known", scanned)
	}
	var gap *inventory.Gap
	for i, g := range snap.Coverage.Gaps {
		if g.Service == "organizations" && g.Operation == "ListAccounts" {
			gap = &snap.Coverage.Gaps[i]
		}
	}
	if gap == nil || gap.Code == "" {
		t.Fatalf("no organizations ListAccounts gap in %+v", snap.Coverage.Gaps)
	}
}
