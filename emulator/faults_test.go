package emulator

import (
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

func TestFaults(t *testing.T) {
	ctx := t.Context()
	listProdSite := func(c clients) error {
		_, err := c.s3("us-west-2").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("healthcorp-prod-site")})
		return err
	}
	tests := []struct {
		name     string
		rule     FaultRule
		call     func(e *Emulator) error
		wantCode string
	}{
		{"S3 throttling is 503 SlowDown", FaultRule{Service: "s3", Operation: "ListObjectsV2", ThrottleRate: 1},
			func(e *Emulator) error { return listProdSite(as(t, e, "prod", "")) }, "SlowDown"},
		{"Organizations throttling is TooManyRequestsException", FaultRule{Service: "organizations", ThrottleRate: 1},
			func(e *Emulator) error {
				_, err := caller(e).orgs().ListAccounts(ctx, &organizations.ListAccountsInput{})
				return err
			}, "TooManyRequestsException"},
		{"Security Hub throttling is TooManyRequestsException", FaultRule{Service: "securityhub", ThrottleRate: 1},
			func(e *Emulator) error {
				_, err := caller(e).securityhub("us-east-1").GetFindings(ctx, &securityhub.GetFindingsInput{})
				return err
			}, "TooManyRequestsException"},
		{"CloudFront throttling can be named ThrottlingException", FaultRule{Service: "cloudfront", ThrottleRate: 1, ThrottleCode: "ThrottlingException"},
			func(e *Emulator) error {
				_, err := caller(e).cloudfront().ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
				return err
			}, "ThrottlingException"},
		{"an error rate of 1 is HTTP 500 InternalError", FaultRule{Service: "s3", ErrorRate: 1},
			func(e *Emulator) error { return listProdSite(as(t, e, "prod", "")) }, "InternalError"},
		{"AccessDenied for one operation", FaultRule{Operation: "ListObjectsV2", AccessDenied: true},
			func(e *Emulator) error { return listProdSite(as(t, e, "prod", "")) }, "AccessDenied"},
		{"AccessDenied for an account also denies assuming a role there", FaultRule{Account: "444444444444", AccessDenied: true},
			func(e *Emulator) error {
				_, err := caller(e).sts().AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("x1")})
				return err
			}, "AccessDenied"},
		{"AccessDenied for a JSON protocol is AccessDeniedException", FaultRule{Service: "organizations", AccessDenied: true},
			func(e *Emulator) error {
				_, err := caller(e).orgs().DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
				return err
			}, "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startHealthCorp(t)
			e.SetFaults([]FaultRule{tt.rule})
			if got := errCode(tt.call(e)); got != tt.wantCode {
				t.Errorf("got %q, want %q", got, tt.wantCode)
			}
		})
	}

	t.Run("a throttle rate is deterministic for a seed", func(t *testing.T) {
		pattern := func() string {
			e := startScenario(t, scenario.HealthCorp(), Options{FaultSeed: 42, Faults: []FaultRule{{Service: "sts", Operation: "GetCallerIdentity", ThrottleRate: 0.5}}})
			c := caller(e)
			out := ""
			for range 32 {
				if _, err := c.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					out += "T"
				} else {
					out += "."
				}
			}
			return out
		}
		a, b := pattern(), pattern()
		if a != b {
			t.Errorf("same seed, different faults:\n%s\n%s", a, b)
		}
		n := 0
		for _, ch := range a {
			if ch == 'T' {
				n++
			}
		}
		if n < 6 || n > 26 {
			t.Errorf("rate 0.5 throttled %d of 32: %s", n, a)
		}
	})
	t.Run("a limited throttle lets the SDK's retries through and every attempt is counted", func(t *testing.T) {
		e := startHealthCorp(t)
		e.SetFaults([]FaultRule{{Service: "sts", Operation: "GetCallerIdentity", ThrottleRate: 1, Limit: 2}})
		cfg := caller(e).cfg.Copy()
		cfg.RetryMaxAttempts = 0
		cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 5; o.MaxBackoff = time.Millisecond })
		}
		if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
		if got := e.Requests()[RequestKey{Account: "111111111111", Service: "sts", Operation: "GetCallerIdentity"}]; got != 3 {
			t.Errorf("%d attempts counted, want 3", got)
		}
	})
	t.Run("latency delays the answer", func(t *testing.T) {
		e := startHealthCorp(t)
		e.SetFaults([]FaultRule{{Service: "sts", Latency: 150 * time.Millisecond}})
		start := time.Now()
		if _, err := caller(e).sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("answered after %s", d)
		}
	})
	t.Run("a slow body trickles the response", func(t *testing.T) {
		e := startHealthCorp(t)
		e.SetFaults([]FaultRule{{Service: "s3", Operation: "GetObject", SlowBody: 200 * time.Millisecond}})
		start := time.Now()
		out, err := as(t, e, "dev", "").s3("us-east-1").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("healthcorp-dev-scratch"), Key: aws.String("notes.txt")})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(out.Body)
		if err != nil || len(b) != 310 {
			t.Fatalf("read %d bytes: %v", len(b), err)
		}
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("whole body after %s", d)
		}
	})
	t.Run("faults from the scenario file apply to the named account", func(t *testing.T) {
		sc := scenario.HealthCorp()
		sc.Faults = []scenario.Fault{{Service: "s3", Operation: "GetBucketPolicy", Account: "prod", AccessDenied: true}}
		e := startScenario(t, sc, Options{})
		_, err := as(t, e, "prod", "").s3("us-west-2").GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-prod-site")})
		if errCode(err) != "AccessDenied" {
			t.Errorf("prod: %v", err)
		}
		_, err = as(t, e, "dev", "").s3("us-west-2").GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("healthcorp-dev-site")})
		if err != nil {
			t.Errorf("dev: %v", err)
		}
	})
}

func TestRequestsAreCountedByAccountServiceAndOperation(t *testing.T) {
	e := startHealthCorp(t)
	ctx := t.Context()
	prod := as(t, e, "prod", "")
	e.ResetRequests()
	for range 3 {
		if _, err := prod.s3("us-west-2").GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("healthcorp-prod-site")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := prod.s3("us-west-2").GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("healthcorp-prod-site"), Key: aws.String("index.html")})
	if errCode(err) != "AccessDenied" {
		t.Fatal(err)
	}
	got := e.Requests()
	want := map[RequestKey]int{
		{Account: "444444444444", Service: "s3", Operation: "GetBucketAcl"}: 3,
		{Account: "444444444444", Service: "s3", Operation: "GetObjectAcl"}: 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%+v: %d, want %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected requests: %+v", got)
	}
	log := e.RequestLog()
	last := log[len(log)-1]
	if last.Status != 403 || last.ErrorCode != "AccessDenied" || last.Bucket != "healthcorp-prod-site" || last.Write {
		t.Errorf("last request %+v", last)
	}
	if len(e.Writes("")) != 0 {
		t.Errorf("reads recorded as writes: %+v", e.Writes(""))
	}
}
