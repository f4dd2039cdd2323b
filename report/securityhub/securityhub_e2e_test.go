package securityhub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/motoserver"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/securityhub"
)

// backend is a Security Hub to test against: moto or hoofprint's emulator.
// mgmt is the caller's account; member is reached through sts:AssumeRole,
// and both backends keep Security Hub state per account and region.
type backend struct {
	base         *awsclient.Base
	faults       *faults
	mgmt, member string
	// emu is set for the emulator (request counts, built-in faults).
	emu *emulator.Emulator
}

var started = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

func rules() []findings.Rule {
	return []findings.Rule{
		{ID: "s3-bucket-access-logging-off", Title: "S3 server access logging is off", Description: "d", Severity: findings.SeverityLow,
			HIPAA: []string{"164.312(b)"}, Remediation: "Turn logging on.", ResourceType: findings.ResourceS3Bucket},
		{ID: "s3-bucket-policy-public", Title: "Bucket policy is public", Description: "d", Severity: findings.SeverityCritical,
			HIPAA: []string{"164.312(a)(1)"}, Remediation: "Remove the public statement.", ResourceType: findings.ResourceS3Bucket},
		{ID: "s3-object-acl-public", Title: "Object ACL is public", Description: "d", Severity: findings.SeverityCritical,
			HIPAA: []string{"164.312(a)(1)"}, Remediation: "Make it private.", ResourceType: findings.ResourceS3Object, Sampled: true},
	}
}

func bucketFinding(rule, account, region, bucket string, sev findings.Severity) findings.Finding {
	return findings.Finding{RuleID: rule, Severity: sev, AccountID: account, Region: region, ResourceType: findings.ResourceS3Bucket,
		ResourceARN: "arn:aws:s3:::" + bucket, ResourceName: bucket, Message: "Bucket " + bucket + " fails " + rule + "."}
}

// night is one scan: both accounts read, findings in two regions.
func night(b backend, n int, fs ...findings.Finding) findings.Document {
	doc := findings.Document{
		ToolName: "hoofprint", ToolVersion: "0.1.0", Partition: "aws",
		StartedAt: started.AddDate(0, 0, n), FinishedAt: started.AddDate(0, 0, n).Add(5 * time.Minute),
		Rules: rules(), Findings: fs, Accounts: []string{b.mgmt, b.member}, Regions: []string{"us-east-1", "us-west-2"},
		Coverage: inventory.Coverage{Complete: true},
	}
	findings.SortFindings(doc.Findings)
	return doc
}

func baseFindings(b backend) []findings.Finding {
	mgmt, member := b.mgmt, b.member
	return []findings.Finding{
		bucketFinding("s3-bucket-access-logging-off", mgmt, "us-east-1", "mgmt-logs", findings.SeverityLow),
		bucketFinding("s3-bucket-policy-public", mgmt, "us-west-2", "mgmt-site", findings.SeverityCritical),
		bucketFinding("s3-bucket-access-logging-off", member, "us-east-1", "member-data", findings.SeverityLow),
		bucketFinding("s3-bucket-policy-public", member, "us-east-1", "member-public", findings.SeverityCritical),
		{RuleID: "s3-object-acl-public", Severity: findings.SeverityCritical, AccountID: member, Region: "us-east-1", ResourceType: findings.ResourceS3Object,
			ResourceARN: "arn:aws:s3:::member-data/" + inventory.HashKey("member-data", "reports/2026.csv"), ResourceName: "member-data",
			Message: "A sampled object under reports/ is public.", Evidence: map[string]any{"keyPrefix": "reports/"}},
	}
}

// faults is a RoundTripper around the real transport that answers
// Security Hub imports with a real throttling error, as Security Hub does
// under load.
type faults struct {
	inner http.RoundTripper

	mu          sync.Mutex
	throttle    int // BatchImportFindings requests still to throttle
	throttled   int // how many were throttled
	importCalls []time.Time
	readCalls   []time.Time // GetFindings
}

func (f *faults) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.URL.Path == "/findings" {
		f.mu.Lock()
		f.readCalls = append(f.readCalls, time.Now())
		f.mu.Unlock()
	}
	isImport := req.Method == http.MethodPost && req.URL.Path == "/findings/import"
	if isImport {
		f.mu.Lock()
		f.importCalls = append(f.importCalls, time.Now())
		if f.throttle > 0 {
			f.throttle--
			f.throttled++
			f.mu.Unlock()
			// The shape of a real Security Hub (restJson1) throttle.
			body := `{"message":"Rate exceeded"}`
			return &http.Response{
				StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{
					"Content-Type":     {"application/json"},
					"X-Amzn-Errortype": {"ThrottlingException"},
					"X-Amzn-Requestid": {"00000000-0000-0000-0000-000000000429"},
					"Content-Length":   {fmt.Sprint(len(body))},
				},
				Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req,
			}, nil
		}
		f.mu.Unlock()
	}
	return f.inner.RoundTrip(req)
}

func setupMoto(t *testing.T) backend {
	t.Helper()
	srv := motoserver.Start(t)
	f := &faults{inner: http.DefaultTransport.(*http.Transport).Clone()}
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: srv.URL, RoleName: "OrganizationAccountAccessRole", Region: "us-east-1",
		HTTPClient: &http.Client{Transport: f},
	})
	if err != nil {
		t.Fatalf("awsclient.Load against moto: %v", err)
	}
	// moto's fixed test credentials belong to its default account.
	return backend{base: base, faults: f, mgmt: base.Caller.AccountID, member: "210987654321"}
}

func setupEmulator(t *testing.T, faultRules ...emulator.FaultRule) backend {
	t.Helper()
	return setupEmulatorScenario(t, scenario.HealthCorp(), faultRules...)
}

func setupEmulatorScenario(t *testing.T, sc *scenario.Scenario, faultRules ...emulator.FaultRule) backend {
	t.Helper()
	e, err := emulator.Start(t.Context(), sc, emulator.Options{Faults: faultRules})
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	f := &faults{inner: http.DefaultTransport.(*http.Transport).Clone()}
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: e.URL(), RoleName: e.Scenario().MemberRoleName, Region: "us-east-1",
		Credentials: credentials.StaticCredentialsProvider{Value: e.CallerCredentials()},
		HTTPClient:  &http.Client{Transport: f},
	})
	if err != nil {
		t.Fatalf("awsclient.Load against the emulator: %v", err)
	}
	return backend{base: base, faults: f, mgmt: base.Caller.AccountID, member: e.Scenario().Account("prod").ID, emu: e}
}

var backends = []struct {
	name  string
	setup func(*testing.T) backend
}{
	{"moto", setupMoto},
	{"emulator", func(t *testing.T) backend { return setupEmulator(t) }},
}

func opts(backend) securityhub.Options {
	return securityhub.Options{Backoff: fastBackoff{}}
}

type fastBackoff struct{}

func (fastBackoff) BackoffDelay(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil }

// stored reads what Security Hub holds for account and region.
func stored(t *testing.T, e backend, account, region string) map[string]types.AwsSecurityFinding {
	t.Helper()
	cfg, err := e.base.Account(t.Context(), account)
	if err != nil {
		t.Fatal(err)
	}
	c := sh.NewFromConfig(awsclient.InRegion(cfg, region))
	out := map[string]types.AwsSecurityFinding{}
	p := sh.NewGetFindingsPaginator(c, &sh.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("GetFindings %s %s: %v", account, region, err)
		}
		for _, f := range page.Findings {
			if _, dup := out[aws.ToString(f.Id)]; dup {
				t.Errorf("duplicate finding %s in %s %s", aws.ToString(f.Id), account, region)
			}
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}

func mustImport(t *testing.T, configs securityhub.AccountConfigs, doc findings.Document, o securityhub.Options) securityhub.Result {
	t.Helper()
	res, err := securityhub.Import(t.Context(), configs, doc, o)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return res
}

func totals(r securityhub.Result) string {
	t := r.Totals()
	return fmt.Sprintf("imported=%d updated=%d archived=%d kept=%d failed=%d", t.Imported, t.Updated, t.Archived, t.Kept, t.Failed)
}

func TestImportLifecycle(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { lifecycle(t, be.setup(t)) })
	}
}

func lifecycle(t *testing.T, e backend) {
	o := opts(e)
	mgmt, member := e.mgmt, e.member

	first := mustImport(t, e.base, night(e, 0, baseFindings(e)...), o)
	if got, want := totals(first), "imported=5 updated=0 archived=0 kept=0 failed=0"; got != want {
		t.Fatalf("first run: %s, want %s (failures: %v)", got, want, first.Err())
	}
	t.Run("the first run creates each finding in its own account and region", func(t *testing.T) {
		counts := map[string]int{}
		for _, a := range []string{mgmt, member} {
			for _, r := range []string{"us-east-1", "us-west-2", "eu-west-1"} {
				for _, f := range stored(t, e, a, r) {
					counts[a+"/"+r]++
					if aws.ToString(f.AwsAccountId) != a || !strings.Contains(aws.ToString(f.ProductArn), ":"+r+":"+a+":") {
						t.Errorf("finding %s stored in %s/%s has account %s, product %s", aws.ToString(f.Id), a, r, aws.ToString(f.AwsAccountId), aws.ToString(f.ProductArn))
					}
				}
			}
		}
		want := map[string]int{mgmt + "/us-east-1": 1, mgmt + "/us-west-2": 1, member + "/us-east-1": 3}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("stored = %v, want %v", counts, want)
		}
	})

	before := stored(t, e, member, "us-east-1")
	second := mustImport(t, e.base, night(e, 1, baseFindings(e)...), o)
	t.Run("a second run updates in place and keeps first-observed times", func(t *testing.T) {
		if got, want := totals(second), "imported=0 updated=5 archived=0 kept=0 failed=0"; got != want {
			t.Fatalf("second run: %s, want %s (%v)", got, want, second.Err())
		}
		after := stored(t, e, member, "us-east-1")
		if len(after) != len(before) {
			t.Fatalf("findings %d -> %d: duplicates", len(before), len(after))
		}
		for id, b := range before {
			a := after[id]
			if aws.ToString(a.FirstObservedAt) != aws.ToString(b.FirstObservedAt) || aws.ToString(a.CreatedAt) != aws.ToString(b.CreatedAt) {
				t.Errorf("%s: first observed %s -> %s, created %s -> %s", id, aws.ToString(b.FirstObservedAt), aws.ToString(a.FirstObservedAt), aws.ToString(b.CreatedAt), aws.ToString(a.CreatedAt))
			}
			if aws.ToString(a.UpdatedAt) == aws.ToString(b.UpdatedAt) || aws.ToString(a.LastObservedAt) == aws.ToString(b.LastObservedAt) {
				t.Errorf("%s: UpdatedAt/LastObservedAt did not move", id)
			}
			if aws.ToString(a.Title) != aws.ToString(b.Title) || a.Compliance.Status != b.Compliance.Status || a.RecordState != b.RecordState {
				t.Errorf("%s changed more than its times", id)
			}
		}
	})

	t.Run("fixing a resource archives its finding as passed; unsampled objects and unread regions keep theirs", func(t *testing.T) {
		var tonight []findings.Finding
		for _, f := range baseFindings(e) {
			switch {
			case f.RuleID == "s3-bucket-policy-public" && f.AccountID == member: // fixed
			case f.RuleID == "s3-object-acl-public": // not in tonight's sample
			case f.AccountID == mgmt && f.Region == "us-west-2": // region unreadable tonight
			default:
				tonight = append(tonight, f)
			}
		}
		doc := night(e, 2, tonight...)
		doc.Coverage.Gaps = []inventory.Gap{{AccountID: mgmt, Region: "us-west-2", Service: "s3", Operation: "ListObjectsV2", Code: "AccessDenied"}}
		res := mustImport(t, e.base, doc, o)
		if got, want := totals(res), "imported=0 updated=2 archived=1 kept=2 failed=0"; got != want {
			t.Fatalf("third run: %s, want %s (%v)", got, want, res.Err())
		}
		m := stored(t, e, member, "us-east-1")
		id := "hoofprint/s3-bucket-policy-public/s3-bucket:member-public"
		f := m[id]
		if f.RecordState != types.RecordStateArchived || f.Compliance == nil || f.Compliance.Status != types.ComplianceStatusPassed {
			t.Errorf("fixed finding %s: record %s compliance %+v", id, f.RecordState, f.Compliance)
		}
		if aws.ToString(f.FirstObservedAt) != aws.ToString(before[id].FirstObservedAt) {
			t.Errorf("archived finding lost its first observed time")
		}
		for fid, f := range m {
			if strings.Contains(fid, "s3-object-acl-public") && f.RecordState != types.RecordStateActive {
				t.Errorf("sampled object finding %s was archived though the object was not looked at", fid)
			}
		}
		for fid, f := range stored(t, e, mgmt, "us-west-2") {
			if f.RecordState != types.RecordStateActive {
				t.Errorf("finding %s in the unread region was archived", fid)
			}
		}
		byAcct := map[string]securityhub.AccountResult{}
		for _, a := range res.Accounts {
			byAcct[a.AccountID] = a
		}
		if byAcct[member].Archived != 1 || byAcct[mgmt].Kept != 1 {
			t.Errorf("per account: %+v", res.Accounts)
		}

		// The next night every object of member-data was looked at: the
		// public object is really gone, so its finding is archived too.
		doc = night(e, 3, tonight...)
		doc.Coverage.Gaps = []inventory.Gap{{AccountID: mgmt, Region: "us-west-2", Service: "s3", Operation: "ListObjectsV2", Code: "AccessDenied"}}
		doc.FullySampledBuckets = []string{"member-data"}
		res = mustImport(t, e.base, doc, o)
		if got, want := totals(res), "imported=0 updated=2 archived=1 kept=1 failed=0"; got != want {
			t.Fatalf("fourth run: %s, want %s (%v)", got, want, res.Err())
		}
		for fid, f := range stored(t, e, member, "us-east-1") {
			if strings.Contains(fid, "s3-object-acl-public") && f.RecordState != types.RecordStateArchived {
				t.Errorf("object finding %s in a fully sampled bucket was not archived", fid)
			}
		}

		if e.emu == nil {
			return // moto keeps whatever Workflow an import sends
		}
		// The fixed policy comes back, and this time it is an accepted
		// risk. Security Hub holds its finding ARCHIVED and ignores an
		// import's Workflow and Note for a finding it has: only
		// BatchUpdateFindings suppresses it. It stayed NEW while the
		// summary said "suppressed 1".
		back := slices.Clone(tonight)
		for _, f := range baseFindings(e) {
			if f.RuleID == "s3-bucket-policy-public" && f.AccountID == member {
				f.Suppression = &findings.Suppression{Reason: "Public by design (SEC-1)", Owner: "sec@example.com", Expires: started.AddDate(0, 3, 0), Source: "suppressions.yaml:3"}
				back = append(back, f)
			}
		}
		doc = night(e, 4, back...)
		doc.Coverage.Gaps = []inventory.Gap{{AccountID: mgmt, Region: "us-west-2", Service: "s3", Operation: "ListObjectsV2", Code: "AccessDenied"}}
		res = mustImport(t, e.base, doc, o)
		if res.Totals().Suppressed != 1 || res.Err() != nil {
			t.Errorf("the returning accepted risk: %s, suppressed %d (%v)", totals(res), res.Totals().Suppressed, res.Err())
		}
		f = stored(t, e, member, "us-east-1")[id]
		if f.RecordState != types.RecordStateActive || f.Workflow == nil || f.Workflow.Status != types.WorkflowStatusSuppressed {
			t.Errorf("the returning accepted risk %s: record %s, workflow %+v; want ACTIVE and SUPPRESSED", id, f.RecordState, f.Workflow)
		}

		// An older run imported after these (a merge of last week's
		// shards): Security Hub would ignore every update, so none is sent
		// and each is a failure saying why, never "updated" or "archived".
		held := stored(t, e, member, "us-east-1")
		res = mustImport(t, e.base, night(e, 1, baseFindings(e)[:1]...), o)
		// (A finding last updated before that run, in a region kept until
		// now, may still be archived by it.)
		if res.Totals().Updated != 0 || res.Err() == nil || !strings.Contains(res.Err().Error(), "OlderThanStored") {
			t.Errorf("an older run: %s, err %v; want nothing updated, and failures naming why", totals(res), res.Err())
		}
		for _, a := range res.Accounts {
			if a.AccountID == member && a.Archived != 0 {
				t.Errorf("an older run archived %d of %s's newer findings", a.Archived, member)
			}
		}
		for fid, h := range stored(t, e, member, "us-east-1") {
			if aws.ToString(h.UpdatedAt) != aws.ToString(held[fid].UpdatedAt) || h.RecordState != held[fid].RecordState {
				t.Errorf("%s changed under an older run: updated %s -> %s, record %s -> %s", fid, aws.ToString(held[fid].UpdatedAt), aws.ToString(h.UpdatedAt), held[fid].RecordState, h.RecordState)
			}
		}
	})
}

func TestImportFaults(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { faultCases(t, be.setup(t)) })
	}
}

func faultCases(t *testing.T, e backend) {
	o := opts(e)
	mgmt := e.mgmt

	t.Run("a throttled import is retried with backoff and succeeds", func(t *testing.T) {
		e.faults.mu.Lock()
		e.faults.throttle = 2
		e.faults.mu.Unlock()
		res := mustImport(t, e.base, night(e, 0, baseFindings(e)[:1]...), o)
		if got, want := totals(res), "imported=1 updated=0 archived=0 kept=0 failed=0"; got != want {
			t.Errorf("%s, want %s (%v)", got, want, res.Err())
		}
		if e.faults.throttled != 2 {
			t.Errorf("throttled %d requests, want 2", e.faults.throttled)
		}
	})

	t.Run("throttling that never ends is reported as a failure, not an abort", func(t *testing.T) {
		e.faults.mu.Lock()
		e.faults.throttle = 1000
		e.faults.mu.Unlock()
		o := o
		o.MaxAttempts = 3
		res := mustImport(t, e.base, night(e, 0, baseFindings(e)...), o)
		e.faults.mu.Lock()
		e.faults.throttle = 0
		e.faults.mu.Unlock()
		tot := res.Totals()
		if tot.Failed != 5 || len(res.Accounts) != 2 {
			t.Fatalf("%s, want all 5 failed across 2 accounts", totals(res))
		}
		if !strings.Contains(res.Err().Error(), "ThrottlingException") {
			t.Errorf("failure does not name the throttle: %v", res.Err())
		}
	})

	t.Run("a finding Security Hub rejects is reported with its reason and the rest import", func(t *testing.T) {
		doc := night(e, 1, baseFindings(e)...)
		bad := asff.Build(doc, asff.Options{})[2]
		o := o
		o.Adjust = func(f *types.AwsSecurityFinding) {
			if aws.ToString(f.Id) == bad.Id {
				// Security Hub requires at least one resource; an empty list
				// passes the SDK's client-side check and reaches the server.
				f.Resources = []types.Resource{}
			}
		}
		res := mustImport(t, e.base, doc, o)
		tot := res.Totals()
		if tot.Failed != 1 || tot.Imported+tot.Updated != 4 {
			t.Fatalf("%s, want 1 failed and 4 imported or updated: %v", totals(res), res.Err())
		}
		f := tot.Failures[0]
		if f.FindingID != bad.Id || f.AccountID != bad.AwsAccountId || f.Code != "InvalidInput" || !strings.Contains(strings.ToLower(f.Message), "resource") {
			t.Errorf("failure = %+v", f)
		}
	})

	t.Run("requests to one account and region stay under the rate limit", func(t *testing.T) {
		o := o
		// Slow rates, so that the scheduling delay of a loaded machine
		// (the limiter releases a request, the goroutine runs later) is
		// small next to the intervals checked.
		o.RequestsPerSecond = 4
		o.ReadsPerSecond = 2
		var many []findings.Finding
		for i := range 350 { // four batches of at most 100
			many = append(many, bucketFinding("s3-bucket-access-logging-off", mgmt, "us-east-1", fmt.Sprintf("bucket-%03d", i), findings.SeverityLow))
		}
		calls := func(n int) (imports, reads []time.Time) {
			t.Helper()
			e.faults.mu.Lock()
			e.faults.importCalls, e.faults.readCalls = nil, nil
			e.faults.mu.Unlock()
			doc := night(e, n, many...)
			doc.Accounts = []string{mgmt}
			doc.Regions = []string{"us-east-1"}
			if res := mustImport(t, e.base, doc, o); res.Totals().Failed != 0 {
				t.Fatal(res.Err())
			}
			e.faults.mu.Lock()
			defer e.faults.mu.Unlock()
			return append([]time.Time(nil), e.faults.importCalls...), append([]time.Time(nil), e.faults.readCalls...)
		}
		// spaced checks that each request waited for the one before it:
		// every gap is at least half the interval (a late release shortens
		// the gap after it, never two in a row), and the whole span at least
		// the intervals less one.
		spaced := func(what string, at []time.Time, perSecond float64) {
			t.Helper()
			interval := time.Duration(float64(time.Second) / perSecond)
			for i := 1; i < len(at); i++ {
				if gap := at[i].Sub(at[i-1]); gap < interval/2 {
					t.Errorf("%s: requests %d and %d were %s apart, the limit allows one per %s", what, i-1, i, gap, interval)
				}
			}
			if span, want := at[len(at)-1].Sub(at[0]), time.Duration(len(at)-1)*interval-interval/2; span < want {
				t.Errorf("%s: %d requests took %s, the limit needs at least %s", what, len(at), span, want)
			}
		}
		imports, _ := calls(2)
		if len(imports) != 4 {
			t.Fatalf("import requests = %d, want 4 batches of ≤100", len(imports))
		}
		spaced("BatchImportFindings", imports, o.RequestsPerSecond)
		// The next night reads the 350 back, a page of 100 at a time, at
		// GetFindings' own, lower pace (3 a second is Security Hub's limit).
		_, reads := calls(3)
		if len(reads) < 4 {
			t.Fatalf("GetFindings requests = %d, want 4 or more pages", len(reads))
		}
		spaced("GetFindings", reads, o.ReadsPerSecond)
	})
}

func TestImportUnreadableAccount(t *testing.T) {
	e := setupMoto(t)
	o := opts(e)
	mgmt, member := e.mgmt, e.member
	res := mustImport(t, failingConfigs{inner: e.base, fail: member}, night(e, 0, baseFindings(e)...), o)
	by := map[string]securityhub.AccountResult{}
	for _, a := range res.Accounts {
		by[a.AccountID] = a
	}
	if by[mgmt].Imported != 2 || by[member].Failed != 3 || by[member].Failures[0].Code != "AccessDenied" {
		t.Errorf("results = %+v", res.Accounts)
	}
}

type failingConfigs struct {
	inner securityhub.AccountConfigs
	fail  string
}

func (f failingConfigs) Account(ctx context.Context, id string) (aws.Config, error) {
	if id == f.fail {
		return aws.Config{}, fmt.Errorf("account %s: sts AssumeRole: %w", id, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"})
	}
	return f.inner.Account(ctx, id)
}

// TestImportRetriesTheEmulatorsOwnThrottling uses the emulator's throttling
// (its protocol-accurate error for Security Hub) rather than ours.
func TestImportRetriesTheEmulatorsOwnThrottling(t *testing.T) {
	e := setupEmulator(t, emulator.FaultRule{Service: "securityhub", Operation: "BatchImportFindings", ThrottleRate: 1, Limit: 3})
	res := mustImport(t, e.base, night(e, 0, baseFindings(e)...), opts(e))
	if got, want := totals(res), "imported=5 updated=0 archived=0 kept=0 failed=0"; got != want {
		t.Fatalf("%s, want %s (%v)", got, want, res.Err())
	}
	throttled := 0
	for _, r := range e.emu.RequestLog() {
		if r.Operation == "BatchImportFindings" && r.ErrorCode != "" {
			throttled++
			t.Logf("emulator answered %d %s", r.Status, r.ErrorCode)
		}
	}
	if throttled != 3 {
		t.Errorf("throttled imports = %d, want 3 (all retried)", throttled)
	}
}

// TestImportWhereSecurityHubIsOff: an account without Security Hub is only a
// failure when it has findings to import; otherwise there is nothing to keep
// in step and the run stays clean.
func TestImportWhereSecurityHubIsOff(t *testing.T) {
	sc := scenario.HealthCorp()
	for i := range sc.Accounts {
		if sc.Accounts[i].Name == "dev" {
			sc.Accounts[i].SecurityHubDisabled = true
		}
	}
	e := setupEmulatorScenario(t, sc)
	dev := sc.Account("dev").ID
	doc := night(e, 0, baseFindings(e)...)
	doc.Accounts = append(doc.Accounts, dev)

	t.Run("an account with nothing to import is skipped quietly", func(t *testing.T) {
		res := mustImport(t, e.base, doc, opts(e))
		if err := res.Err(); err != nil {
			t.Errorf("unexpected failures: %v", err)
		}
	})
	t.Run("an account with findings reports them failed, naming the reason", func(t *testing.T) {
		d := doc
		d.Findings = append(append([]findings.Finding(nil), doc.Findings...), bucketFinding("s3-bucket-access-logging-off", dev, "us-east-1", "dev-bucket", findings.SeverityLow))
		findings.SortFindings(d.Findings)
		res := mustImport(t, e.base, d, opts(e))
		tot := res.Totals()
		if tot.Failed != 1 || tot.Imported+tot.Updated != 5 {
			t.Errorf("%s: %v", totals(res), res.Err())
		}
		for _, f := range tot.Failures {
			t.Logf("failure: %s", f)
			if f.AccountID != dev || f.Code != "InvalidAccessException" {
				t.Errorf("failure %s is not dev's InvalidAccessException", f)
			}
		}
	})
}

// Issue 10 item 9: each region's log record counts that region only, so
// the records of one account add up to the account's result (a metric
// filter summing them counts every finding once).
func TestImportLogsCountEachRegionOnce(t *testing.T) {
	e := setupEmulator(t)
	var logs bytes.Buffer
	o := opts(e)
	o.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	res := mustImport(t, e.base, night(e, 0, baseFindings(e)...), o)
	sums := map[string]int{}
	records := map[string]int{}
	dec := json.NewDecoder(&logs)
	for dec.More() {
		var rec struct {
			Msg      string `json:"msg"`
			Account  string `json:"account"`
			Imported int    `json:"imported"`
		}
		if err := dec.Decode(&rec); err != nil {
			t.Fatal(err)
		}
		if rec.Msg == "security hub import" {
			sums[rec.Account] += rec.Imported
			records[rec.Account]++
		}
	}
	for _, a := range res.Accounts {
		if records[a.AccountID] < 2 {
			t.Fatalf("account %s: %d log records, want one per region (2)", a.AccountID, records[a.AccountID])
		}
		if sums[a.AccountID] != a.Imported {
			t.Errorf("account %s: the region records sum to %d imported, the account imported %d", a.AccountID, sums[a.AccountID], a.Imported)
		}
	}
}

// A large run's findings are in a spill file (findings.Set): the import
// groups them by account through a file of its own instead of holding
// every finding as ASFF, and Security Hub ends up holding exactly what the
// same findings imported from a list give.
func TestImportFromASpillFileStoresTheSameFindings(t *testing.T) {
	storedAll := func(e backend) string {
		var b strings.Builder
		for _, a := range []string{e.mgmt, e.member} {
			for _, r := range []string{"us-east-1", "us-west-2"} {
				got := stored(t, e, a, r)
				for _, id := range slices.Sorted(maps.Keys(got)) {
					f := got[id]
					f.ProcessedAt = nil // when the emulator stored it
					j, err := json.Marshal(f)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, "%s %s %s\n", a, r, j)
				}
			}
		}
		return b.String()
	}
	nightOf := func(e backend) findings.Document {
		fs := append(baseFindings(e), findings.Finding{RuleID: "s3-object-acl-public", Severity: findings.SeverityCritical, AccountID: e.mgmt, Region: "us-west-2",
			ResourceType: findings.ResourceS3Object, ResourceARN: "arn:aws:s3:::mgmt-site/" + inventory.HashKey("mgmt-site", "a.html"), ResourceName: "mgmt-site",
			Message: "A sampled object is public.", Evidence: map[string]any{"grants": []any{map[string]any{"permission": "READ", "n": json.Number("2")}}, "ratio": json.Number("0.25")}})
		return night(e, 0, fs...)
	}
	listed := setupEmulator(t)
	want := mustImport(t, listed.base, nightOf(listed), opts(listed))

	spilled := setupEmulator(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	doc := nightOf(spilled)
	set := findings.NewSet(2, t.TempDir())
	t.Cleanup(func() { _ = set.Close() })
	if err := set.Add(doc.Findings...); err != nil {
		t.Fatal(err)
	}
	doc.Findings, doc.Set = nil, set
	got := mustImport(t, spilled.base, doc, opts(spilled))
	if !set.Spilled() || totals(got) != totals(want) || totals(got) != "imported=6 updated=0 archived=0 kept=0 failed=0" {
		t.Fatalf("spilled %v: %s, want %s", set.Spilled(), totals(got), totals(want))
	}
	if g, w := storedAll(spilled), storedAll(listed); g != w {
		t.Errorf("Security Hub holds other findings when they come from a spill file:\n%.3000s\nwant\n%.3000s", g, w)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, ".hoofprint-import-*")); len(left) > 0 {
		t.Errorf("the grouping file was left behind: %v", left)
	}
}
