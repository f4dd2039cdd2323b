// Package awsclient builds the AWS configurations hoofprint uses: one base
// configuration from the standard chain, one per member account through
// sts:AssumeRole (credentials cached and shared by every client of that
// account), an optional single endpoint for emulators, and one cap on API
// requests in flight shared by the whole process.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/logging"

	"github.com/hoofprint/hoofprint/internal/awspartition"
	"github.com/hoofprint/hoofprint/internal/urlredact"
)

// DefaultRegion is used when the configuration chain names no region.
// Organizations, S3 Control, CloudFront and ListBuckets are all answered
// from us-east-1 in the aws partition.
const DefaultRegion = "us-east-1"

// Options configure the base configuration and role assumption.
type Options struct {
	// Region overrides the configuration chain's region.
	Region string
	// AllowInsecureEndpoint permits an http:// endpoint that is not on the
	// loopback interface (--allow-insecure-endpoint).
	AllowInsecureEndpoint bool
	// EndpointURL sends every service to one endpoint (emulators). It also
	// turns on S3 path-style addressing and stops S3 Control from putting
	// the account ID into the host name.
	EndpointURL string
	// RoleName is assumed in every account but the caller's.
	RoleName string
	// ExternalID is passed to AssumeRole when set.
	ExternalID string
	// SessionName names the role session, so CloudTrail shows who called.
	SessionName string
	// MaxInFlight caps HTTP requests in flight across every client built
	// from the base configuration (0 means 64).
	MaxInFlight int
	// MaxAttempts per API call, retries included (0 means 10).
	MaxAttempts int
	// HTTPClient overrides the transport under the in-flight cap (tests).
	HTTPClient *http.Client
	// Credentials replace the standard chain's (the demo's emulator keys).
	Credentials aws.CredentialsProvider
}

// Base is the caller's configuration plus what every account config shares.
type Base struct {
	Config    aws.Config
	Options   Options
	Limiter   *Limiter
	Caller    Caller
	mu        sync.Mutex
	providers map[string]aws.CredentialsProvider
	// stsClients holds one STS client per region, shared by every
	// account's AssumeRole provider: a client per account cost about
	// 2 KB each (two with the home-region fallback) for the whole run,
	// and an STS client carries no per-account state (the role ARN and
	// session are per call).
	stsClients map[string]*sts.Client
}

// Caller is who the base credentials are.
type Caller struct {
	AccountID string
	ARN       string
	Partition string
}

// Load builds the base configuration from the standard AWS chain and asks
// STS who the caller is (which also proves the credentials work).
func Load(ctx context.Context, opts Options) (*Base, error) {
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 64
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.SessionName == "" {
		opts.SessionName = "hoofprint"
	}
	if err := checkAssumeRoleParams(opts); err != nil {
		return nil, err
	}
	endpointSource := "--endpoint-url"
	if opts.EndpointURL != "" {
		if _, err := ParseEndpoint(endpointSource, opts.EndpointURL); err != nil {
			return nil, err
		}
	}
	// The SDK's own buildable client is handed to the loader so that the
	// configuration chain can still apply a custom CA bundle
	// (AWS_CA_BUNDLE, ca_bundle): the loader refuses any other client when
	// one is configured. Its transport is then put under the limiter below.
	maxIdle := opts.MaxInFlight
	loadOpts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = maxIdle
		})),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.MaxAttempts
				o.MaxBackoff = 20 * time.Second
				// The default client-side retry quota gives up after a burst of
				// throttles; an org-wide scan expects bursts and is already
				// bounded by the in-flight cap, so back off instead of failing.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	// The SDK's own log lines ("SDK … WARN falling back to IMDSv1" while
	// the credential chain is tried) go to stderr unformatted, around
	// hoofprint's structured logs and before its own explanation; every
	// failure they hint at reaches hoofprint as an error anyway.
	loadOpts = append(loadOpts, config.WithLogger(logging.Nop{}))
	if opts.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	var inner http.RoundTripper
	var timeout time.Duration
	switch c := cfg.HTTPClient.(type) {
	case *awshttp.BuildableClient:
		inner, timeout = c.GetTransport(), c.GetTimeout()
	default:
		return nil, fmt.Errorf("load AWS configuration: unexpected HTTP client %T", cfg.HTTPClient)
	}
	if opts.HTTPClient != nil {
		inner, timeout = opts.HTTPClient.Transport, opts.HTTPClient.Timeout
	}
	limiter := NewLimiter(opts.MaxInFlight, inner)
	cfg.HTTPClient = &http.Client{Transport: limiter, Timeout: timeout}
	if opts.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(opts.EndpointURL)
	} else if cfg.BaseEndpoint != nil {
		// AWS_ENDPOINT_URL (or endpoint_url in the profile) already sends
		// every service to one endpoint; treat it like --endpoint-url so that
		// S3 goes path-style and S3 Control keeps the host as given.
		// The SDK takes it as it is: it is checked as --endpoint-url is.
		opts.EndpointURL = *cfg.BaseEndpoint
		endpointSource = "AWS_ENDPOINT_URL (or endpoint_url in the AWS config profile)"
	}
	if err := checkEndpoint(endpointSource, opts.EndpointURL, opts.AllowInsecureEndpoint); err != nil {
		return nil, err
	}
	b := &Base{Config: cfg, Options: opts, Limiter: limiter, providers: map[string]aws.CredentialsProvider{}, stsClients: map[string]*sts.Client{}}

	if err := checkCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// Credentials were found (checkCredentials): an answer from STS
		// means they were refused, no answer that it could not be reached.
		hint := "could not reach STS: check the network, the region and any endpoint URL"
		var ae smithy.APIError
		if errors.As(err, &ae) {
			hint = "STS refused the credentials: are they valid and unexpired?"
		}
		return nil, fmt.Errorf("sts GetCallerIdentity (%s): %w", hint, err)
	}
	b.Caller = Caller{AccountID: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), Partition: "aws"}
	if a, err := arn.Parse(b.Caller.ARN); err == nil {
		b.Caller.Partition = a.Partition
	}
	return b, nil
}

// ErrNoCredentials is returned by Load when the standard credential chain
// yields no credentials.
var ErrNoCredentials = errors.New("no AWS credentials found")

// checkCredentials retrieves the chain's credentials before the first call,
// so that an unconfigured machine gets what to do instead of the SDK's
// chained GetCallerIdentity error (which names only the last provider
// tried, usually the EC2 instance metadata service).
func checkCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return noCredentials(errors.New("no credential provider"))
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("retrieve AWS credentials: %w", ctx.Err())
		}
		return noCredentials(err)
	}
	return nil
}

func noCredentials(cause error) error {
	// The innermost error is the one that says why (an expired SSO token,
	// a profile that does not exist, no role on this instance).
	inner := cause
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	return fmt.Errorf("%w (%v). Give hoofprint credentials the standard AWS way: "+
		"AWS_PROFILE=NAME with a profile in ~/.aws/config (for IAM Identity Center profiles, run 'aws sso login --profile NAME' first); "+
		"or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); "+
		"or run it where a role is attached: the ECS task role (deploy/cloudformation/scanner-account.yaml), an EC2 instance profile. "+
		"Check with 'aws sts get-caller-identity'", ErrNoCredentials, inner)
}

// AssumeRole's parameter rules (AWS STS API Reference, "AssumeRole"):
// RoleSessionName is 2 to 64 of [\w+=,.@-], ExternalId 2 to 1,224 of
// [\w+=,.@:/-]. The SDK does not check them and STS answers
// ValidationError, so they are checked once here: a bad value is a
// configuration error, not one AssumeRole gap per account.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
var (
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDRE  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

func checkAssumeRoleParams(opts Options) error {
	if n := len(opts.SessionName); n < 2 || n > 64 || !sessionNameRE.MatchString(opts.SessionName) {
		return fmt.Errorf("role session name %q must be 2 to 64 letters, digits or _+=,.@- (STS AssumeRole)", opts.SessionName)
	}
	if n := len(opts.ExternalID); n > 0 && (n < 2 || n > 1224 || !externalIDRE.MatchString(opts.ExternalID)) {
		return fmt.Errorf("--external-id must be 2 to 1224 letters, digits or _+=,.@:/- with no spaces (STS AssumeRole); got %d characters", len(opts.ExternalID))
	}
	return nil
}

// ErrNoRole is returned by Account when no role name is configured and the
// account is not the caller's.
var ErrNoRole = errors.New("no role name configured")

// Account returns the configuration for accountID: the caller's own for the
// caller's account, otherwise one whose credentials come from assuming
// RoleName there. Credentials are cached per account and retrieved once
// here, so a missing or untrusted role is reported at once rather than on
// the first API call.
func (b *Base) Account(ctx context.Context, accountID string) (aws.Config, error) {
	if accountID == b.Caller.AccountID {
		return b.Config.Copy(), nil
	}
	if b.Options.RoleName == "" {
		return aws.Config{}, ErrNoRole
	}
	b.mu.Lock()
	p, ok := b.providers[accountID]
	if !ok {
		roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", b.Caller.Partition, accountID, strings.TrimPrefix(b.Options.RoleName, "/"))
		ext := b.Options.ExternalID
		session := b.Options.SessionName
		assume := func(region string) aws.CredentialsProvider {
			return stscreds.NewAssumeRoleProvider(b.stsIn(region), roleARN, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = session
				if ext != "" {
					o.ExternalID = aws.String(ext)
				}
				o.Duration = time.Hour
			})
		}
		provider := assume(b.Config.Region)
		if home := awspartition.HomeRegion(b.Caller.Partition); home != "" && home != b.Config.Region {
			provider = regionFallback{primary: provider, fallback: assume(home)}
		}
		p = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
			// Refresh a little before expiry, and not all accounts at once.
			o.ExpiryWindow = 5 * time.Minute
			o.ExpiryWindowJitterFrac = 0.5
		})
		b.providers[accountID] = p
	}
	b.mu.Unlock()
	if _, err := p.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("account %s: sts AssumeRole %s: %w", accountID, b.Options.RoleName, err)
	}
	cfg := b.Config.Copy()
	cfg.Credentials = p
	return cfg, nil
}

// Forget drops the credentials cached for accountID: the next Account
// assumes its role again. A configuration Account returned before keeps
// working with the credentials it holds.
func (b *Base) Forget(accountID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.providers, accountID)
}

// stsIn returns the shared STS client of region; b.mu is held.
func (b *Base) stsIn(region string) *sts.Client {
	c, ok := b.stsClients[region]
	if !ok {
		c = sts.NewFromConfig(InRegion(b.Config, region))
		b.stsClients[region] = c
	}
	return c
}

// regionFallback assumes the role through STS in the scan's region, and
// again through the partition's home region when the member account has
// not enabled the scan's (opt-in) region: STS then answers
// RegionDisabledException, "STS is not activated in the requested region
// for the account that is being asked to generate credentials" (AWS STS
// API Reference, AssumeRole errors). Credentials from a regional STS
// endpoint are valid in every region the account has enabled, so the
// account is scanned as if from its home region.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html
type regionFallback struct{ primary, fallback aws.CredentialsProvider }

func (r regionFallback) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := r.primary.Retrieve(ctx)
	var ae smithy.APIError
	if err != nil && errors.As(err, &ae) && ae.ErrorCode() == "RegionDisabledException" {
		return r.fallback.Retrieve(ctx)
	}
	return c, err
}

// InRegion returns a copy of cfg for region. Configurations are copied per
// region rather than shared because aws.Config carries the region by value
// and every client built from it signs for that region.
func InRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	if region != "" {
		c.Region = region
	}
	return c
}

// S3Options are the S3 client options hoofprint always uses.
func (b *Base) S3Options() func(*s3.Options) {
	pathStyle := b.Options.EndpointURL != ""
	return func(o *s3.Options) {
		// Emulators serve one host; virtual-hosted bucket names would need DNS.
		o.UsePathStyle = pathStyle
	}
}

// S3ControlOptions are the S3 Control client options hoofprint always uses.
func (b *Base) S3ControlOptions() func(*s3control.Options) {
	if b.Options.EndpointURL == "" {
		return func(*s3control.Options) {}
	}
	return FixedS3ControlEndpoint(b.Options.EndpointURL)
}

// ParseEndpoint checks an endpoint URL named by source (a flag or an
// environment variable) and returns it parsed. It must be an absolute
// http or https URL: the SDK would send requests with any other scheme to
// its retryer, which gives up only after every attempt (about 20 s), and
// what went wrong would be lost among the retries. A user name or
// password (user:password@) is refused: AWS authenticates the signed
// request, not the URL, and the URL is printed in errors and logs. No
// error repeats that part of the URL.
func ParseEndpoint(source, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Hostname() == "" {
		// Not err itself: url.Error quotes the whole URL.
		return nil, fmt.Errorf("%s %q is not an absolute URL like http://127.0.0.1:5000", source, urlredact.Redact(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s %s: remove the user name and password (%s@) from the URL: AWS requests are authenticated by their signature, and the URL would be printed in errors and logs", source, endpointForDisplay(u), urlredact.Mask)
	}
	if !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return nil, fmt.Errorf("%s %s: scheme %q: want http or https", source, endpointForDisplay(u), u.Scheme)
	}
	return u, nil
}

// endpointForDisplay is the part of an endpoint URL that errors and logs
// show: the scheme and host, never user information, path or query.
func endpointForDisplay(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}

// CheckEndpoint checks endpoint as ParseEndpoint does ("" is no endpoint)
// and refuses a plain-http one off the loopback interface unless
// allowInsecure: every request carries a SigV4 signature over the caller's
// credentials and, with temporary credentials, the session token itself
// (X-Amz-Security-Token), which anyone on the path could read and replay.
// Loopback (127.0.0.0/8, ::1, localhost) is where emulators run; anything
// else needs https or an explicit allowInsecure.
func CheckEndpoint(endpoint string, allowInsecure bool) error {
	return checkEndpoint("endpoint", endpoint, allowInsecure)
}

func checkEndpoint(source, endpoint string, allowInsecure bool) error {
	if endpoint == "" {
		return nil
	}
	u, err := ParseEndpoint(source, endpoint)
	if err != nil {
		return err
	}
	if allowInsecure || !strings.EqualFold(u.Scheme, "http") {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s %s is plain http to a host that is not loopback: requests would carry signed credentials and session tokens in clear text; use https, or pass --allow-insecure-endpoint if this network is trusted", source, endpointForDisplay(u))
}

// FixedS3ControlEndpoint sends S3 Control calls to endpoint as it is. The
// S3 Control endpoint rules put the account ID in front of the host
// ("123456789012.host"), which no emulator answers; the account ID still
// travels in the x-amz-account-id header.
func FixedS3ControlEndpoint(endpoint string) func(*s3control.Options) {
	return func(o *s3control.Options) {
		o.EndpointResolverV2 = fixedS3ControlEndpoint{url: endpoint}
	}
}

// LocalEnv is the environment under which the standard configuration chain
// uses only the given static keys and region, and nothing of the machine's:
// no profile, no shared config or credentials files, no instance metadata.
// A non-empty endpoint becomes AWS_ENDPOINT_URL (an empty one clears it).
// Tests set it to reach moto or the emulator; `hoofprint demo` sets it to
// reach its emulator.
func LocalEnv(endpoint, region string, creds aws.Credentials) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":           creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":           creds.SessionToken,
		"AWS_REGION":                  region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            endpoint,
	}
}

type fixedS3ControlEndpoint struct{ url string }

func (f fixedS3ControlEndpoint) ResolveEndpoint(_ context.Context, _ s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(f.url)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}
