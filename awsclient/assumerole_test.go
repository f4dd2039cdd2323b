package awsclient

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// stsRegions answers STS like a member account that has not enabled the
// opt-in region disabled: AssumeRole signed for that region gets
// RegionDisabledException, any other region gets credentials. It records
// the signing region of every AssumeRole.
type stsRegions struct {
	disabled string
	mu       sync.Mutex
	assumed  []string
}

func (s *stsRegions) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	_ = req.Body.Close()
	form, _ := url.ParseQuery(string(body))
	respond := func(status int, xml string) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}},
			Body: io.NopCloser(strings.NewReader(xml)), ContentLength: int64(len(xml)), Request: req}, nil
	}
	// Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261127/<region>/sts/aws4_request, ...
	region := ""
	if parts := strings.Split(req.Header.Get("Authorization"), "/"); len(parts) > 3 {
		region = parts[2]
	}
	switch form.Get("Action") {
	case "GetCallerIdentity":
		return respond(200, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/scanner</Arn>`+
			`<UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	case "AssumeRole":
		s.mu.Lock()
		s.assumed = append(s.assumed, region)
		s.mu.Unlock()
		if region == s.disabled {
			return respond(403, `<ErrorResponse><Error><Type>Sender</Type><Code>RegionDisabledException</Code>`+
				`<Message>STS is not activated in this region for account:222222222222.</Message></Error></ErrorResponse>`)
		}
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		return respond(200, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>`+
			`<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>`+exp+`</Expiration></Credentials>`+
			`<AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/r/hoofprint</Arn><AssumedRoleId>AROA:hoofprint</AssumedRoleId></AssumedRoleUser>`+
			`</AssumeRoleResult></AssumeRoleResponse>`)
	}
	return respond(400, `<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>`)
}

// TestAssumeRoleFallsBackToTheDefaultRegionWhenTheMemberDisabledTheScanRegion:
// STS answers RegionDisabledException when "STS is not activated in the
// requested region for the account that is being asked to generate
// credentials" ('AssumeRole' errors, AWS STS API Reference). A scan run in
// an opt-in region that a member account has not enabled must still reach
// that account, through the partition's always-on region.
func TestAssumeRoleFallsBackToTheDefaultRegionWhenTheMemberDisabledTheScanRegion(t *testing.T) {
	f := &stsRegions{disabled: "eu-south-1"}
	b, err := Load(t.Context(), Options{
		EndpointURL: "http://127.0.0.1:1", Region: "eu-south-1", RoleName: "r", MaxAttempts: 1,
		HTTPClient:  &http.Client{Transport: f},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Account(t.Context(), "222222222222")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if cfg.Region != "eu-south-1" {
		t.Errorf("account config region %q, want the scan's eu-south-1", cfg.Region)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.Join(f.assumed, ",") != "eu-south-1,us-east-1" {
		t.Errorf("AssumeRole signed for %v, want eu-south-1 then us-east-1", f.assumed)
	}
}
