package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

// TestTheRolesGrantEveryCallARealRunMakes runs the nightly job's path
// (scan, reports, Security Hub import, upload to the reports bucket)
// against hoofprint's emulator of the HealthCorp organization and checks
// every request in the emulator's log against the role of the account that
// made it: the scanner's task role for the caller's account, the audit role
// for every other. The static test in templates_test.go finds the calls in
// the source; this one sees them on the wire, with the account that made
// them, and also proves the only writes are the upload and Security Hub.
func TestTheRolesGrantEveryCallARealRunMakes(t *testing.T) {
	ctx := t.Context()
	e, err := emulator.Start(ctx, scenario.HealthCorp(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	testutil.SetEnv(t, e.Environ())
	// awsclient installs its own HTTP client, which the SDK cannot combine
	// with a CA bundle from the environment; the emulator is plain HTTP.
	t.Setenv("AWS_CA_BUNDLE", "")
	base, err := awsclient.Load(ctx, awsclient.Options{EndpointURL: e.URL(), RoleName: e.Scenario().MemberRoleName})
	if err != nil {
		t.Fatal(err)
	}

	// The reports bucket, private, in the caller's (tooling) account.
	const reports = "hoofprint-reports-calls-test"
	s3c := s3.NewFromConfig(base.Config, base.S3Options())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(reports)}); err != nil {
		t.Fatal(err)
	}
	on := aws.Bool(true)
	if _, err := s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(reports),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
		t.Fatal(err)
	}
	e.ResetRequests()

	inv, err := scanner.Scan(ctx, base, scanner.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := pipeline.Run(ctx, inv, pipeline.Options{
		SARIFPath:     filepath.Join(dir, "hoofprint.sarif"),
		ASFFPath:      filepath.Join(dir, "hoofprint.asff.json"),
		InventoryPath: filepath.Join(dir, "inventory.json.gz"),
		SecurityHub:   true,
		Accounts:      base,
		CallerConfig:  base.Config,
		S3Options:     base.S3Options(),
		Output:        "s3://" + reports + "/hoofprint/",
	})
	if err != nil && !errors.Is(err, pipeline.ErrIncomplete) && !errors.Is(err, pipeline.ErrFindingsAtThreshold) {
		t.Fatalf("pipeline.Run: %v", err)
	}
	t.Logf("files: %q", out.Files)

	byCall := map[awsCall]Permission{}
	for _, p := range Permissions {
		c := awsCall{p.Service, p.Operation}
		// An operation made by both roles (GetBucketAcl) has one action.
		byCall[c] = p
	}
	scannerGrants := Actions(RoleScanner, RoleMember, RoleMemberSecurityHub, RoleScannerKMS)
	memberGrants := Actions(RoleMember, RoleMemberSecurityHub)
	called := map[awsCall]bool{}
	requests := e.Requests()
	if len(requests) == 0 {
		t.Fatal("the emulator logged no requests")
	}
	anonymous, signed := map[awsCall]bool{}, map[awsCall]Permission{}
	for _, p := range Permissions {
		if p.Role == RoleAnonymous {
			anonymous[awsCall{p.Service, p.Operation}] = true
		} else {
			signed[awsCall{p.Service, p.Operation}] = p
		}
	}
	for k, n := range requests {
		if k.Account == "" {
			// Only the anonymous probe is unsigned, and it must stay so.
			if !anonymous[awsCall{k.Service, k.Operation}] {
				t.Errorf("%d anonymous %s %s requests: hoofprint signs everything but the anonymous probe", n, k.Service, k.Operation)
			}
			called[awsCall{k.Service, k.Operation}] = true
			continue
		}
		c := awsCall{sdkPackage(k.Service), k.Operation}
		called[c] = true
		p, ok := signed[c]
		if !ok && anonymous[c] {
			t.Errorf("account %s signed %s %s (%d times): the anonymous probe must be unsigned", k.Account, k.Service, k.Operation, n)
			continue
		}
		if !ok {
			t.Errorf("account %s called %s %s (%d times), which deploy/iam.go Permissions does not list", k.Account, k.Service, k.Operation, n)
			continue
		}
		if p.Action == "" || p.Kind == EmulatorOnly {
			continue
		}
		grants, role := memberGrants, "the audit role (member-role.yaml)"
		if k.Account == base.Caller.AccountID {
			grants, role = scannerGrants, "the scanner's task role (scanner-account.yaml)"
		}
		if !slices.Contains(grants, p.Action) {
			t.Errorf("account %s called %s %s, but %s does not grant %s", k.Account, k.Service, k.Operation, role, p.Action)
		}
	}
	for _, w := range e.Writes("") {
		switch {
		case w.Service == "s3" && w.Operation == "PutObject" && w.Bucket == reports && w.Account == base.Caller.AccountID:
		case w.Service == "securityhub" && w.Operation == "BatchImportFindings":
		default:
			t.Errorf("unexpected write: account %s %s %s bucket %q", w.Account, w.Service, w.Operation, w.Bucket)
		}
	}
	if !called[awsCall{"s3", "PutObject"}] || !called[awsCall{"securityhub", "BatchImportFindings"}] {
		t.Errorf("the run did not upload and import (calls: %v)", sortedCalls(called))
	}
	// Listed operations this scenario did not exercise (informational: the
	// static test proves the code still calls them).
	var unused []string
	for _, p := range Permissions {
		if p.Kind == Direct && !called[awsCall{p.Service, p.Operation}] {
			unused = append(unused, p.Service+" "+p.Operation)
		}
	}
	t.Logf("listed but not called by this run: %v", unused)

	// The cost in API calls of this night (docs/deploy.md section 9).
	perOp := map[string]int{}
	total := 0
	for k, n := range requests {
		perOp[k.Service+" "+k.Operation] += n
		total += n
	}
	objects := 0
	for _, b := range inv.Buckets {
		objects += len(b.Objects.Objects)
	}
	t.Logf("API calls: %d for %d accounts, %d buckets, %d distributions, %d sampled objects; by operation: %v",
		total, len(inv.Accounts), len(inv.Buckets), len(inv.Distributions), objects, perOp)

	// docs/deploy.md section 9 quotes this run; it must not go stale.
	doc, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(inv.Accounts), len(inv.Buckets), len(inv.Distributions), total, perOp["s3 GetObjectAcl"], perOp["s3 ListObjectsV2"]}
	now := fmt.Sprintf("%d accounts, %d buckets, %d distributions: %d calls in all, of which %d `GetObjectAcl` and %d `ListObjectsV2`",
		got[0], got[1], got[2], got[3], got[4], got[5])
	m := regexp.MustCompile("(\\d+) accounts, (\\d+) buckets, (\\d+) distributions: (\\d+) calls in all, of which (\\d+) `GetObjectAcl` and (\\d+) `ListObjectsV2`").
		FindStringSubmatch(strings.Join(strings.Fields(string(doc)), " "))
	if m == nil {
		t.Fatalf("docs/deploy.md section 9 no longer quotes this run's figures (%q)", now)
	}
	// Other work adds calls all the time; a figure more than a fifth off is
	// stale enough to mislead a cost estimate.
	for i, g := range got {
		d, _ := strconv.Atoi(m[i+1])
		if diff := d - g; diff*5 > g || -diff*5 > g {
			t.Errorf("docs/deploy.md section 9's HealthCorp figures are stale (%q); this run makes them: %q", m[0], now)
			break
		}
	}
	if m[0] != now {
		t.Logf("docs/deploy.md section 9 quotes %q; this run makes %q (within a fifth)", m[0], now)
	}
}

func sortedCalls(m map[awsCall]bool) []string {
	var out []string
	for c := range m {
		out = append(out, fmt.Sprintf("%s %s", c.service, c.operation))
	}
	slices.Sort(out)
	return out
}

// sdkPackage names the SDK package of a service by the signing name the
// emulator logs: they differ for CloudWatch Logs (signing name "logs").
func sdkPackage(signingName string) string {
	if signingName == "logs" {
		return "cloudwatchlogs"
	}
	return signingName
}
