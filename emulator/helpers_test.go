package emulator

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

func startScenario(t testing.TB, sc *scenario.Scenario, opts Options) *Emulator {
	t.Helper()
	e, err := Start(t.Context(), sc, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func startHealthCorp(t testing.TB) *Emulator {
	return startScenario(t, scenario.HealthCorp(), Options{})
}

// clients are SDK clients for one account and region, built the way the
// scanner builds them (awsclient): only the endpoint differs from AWS.
type clients struct {
	cfg aws.Config
}

func (c clients) s3(region string) *s3.Client {
	cfg := c.cfg.Copy()
	cfg.Region = region
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func (c clients) s3control() *s3control.Client {
	return s3control.NewFromConfig(c.cfg, awsclient.FixedS3ControlEndpoint(*c.cfg.BaseEndpoint))
}

func (c clients) sts() *sts.Client               { return sts.NewFromConfig(c.cfg) }
func (c clients) orgs() *organizations.Client    { return organizations.NewFromConfig(c.cfg) }
func (c clients) cloudfront() *cloudfront.Client { return cloudfront.NewFromConfig(c.cfg) }
func (c clients) securityhub(region string) *securityhub.Client {
	cfg := c.cfg.Copy()
	cfg.Region = region
	return securityhub.NewFromConfig(cfg)
}

// caller returns clients with the emulator's caller keys.
func caller(e *Emulator) clients {
	cfg := e.Config()
	cfg.HTTPClient = &http.Client{}
	// No retries of API errors: tests read the emulator's exact answer (a
	// throttle must surface, not be retried away). Connection-level errors
	// alone are retried: under -race the SDK's HTTP client sometimes sees
	// "use of closed network connection" on a 200 response because its
	// request writer closed the connection (aws/aws-sdk-go-v2#1825, #2737),
	// which says nothing about the emulator.
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return clients{cfg: cfg}
}

// as returns clients for a role assumed in an account of the scenario.
func as(t testing.TB, e *Emulator, accountName, role string) clients {
	t.Helper()
	base := caller(e)
	a := e.Scenario().Account(accountName)
	if a == nil {
		t.Fatalf("no account %s", accountName)
	}
	if a.ID == e.caller.AccountID && role == "" {
		return base
	}
	if role == "" {
		role = e.Scenario().MemberRoleName
	}
	cfg := base.cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(base.sts(), "arn:aws:iam::"+a.ID+":role/"+role))
	if _, err := cfg.Credentials.Retrieve(t.Context()); err != nil {
		t.Fatalf("assume %s in %s: %v", role, accountName, err)
	}
	return clients{cfg: cfg}
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}
