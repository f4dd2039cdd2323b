// Package emulator is hoofprint's own AWS emulator: one HTTP server on
// 127.0.0.1 that unmodified aws-sdk-go-v2 clients talk to with only the
// endpoint changed (S3 path-style; S3 Control with the endpoint used as is
// and the account in x-amz-account-id). It serves an organization described
// by a scenario (package scenario), routes each request by the service in
// its SigV4 credential scope, and recomputes every signature with the SDK's
// own signer: only the caller's key and keys issued by AssumeRole work.
//
// Operations (exact wire protocols, errors in each protocol's shape so the
// SDK classifies them by code):
//   - STS (query): GetCallerIdentity, AssumeRole (AccessDenied when the
//     role does not exist in the target account). IAM (query): CreateRole.
//   - Organizations (JSON 1.1): DescribeOrganization, ListAccounts (pages of
//     at most 20), CreateOrganization, CreateAccount,
//     DescribeCreateAccountStatus, RemoveAccountFromOrganization.
//   - S3 (REST XML, path-style): ListBuckets (paged), CreateBucket,
//     DeleteBucket, HeadBucket, GetBucketLocation, Get/Put/DeleteBucketPolicy,
//     GetBucketPolicyStatus, Get/Put/DeletePublicAccessBlock,
//     Get/Put/DeleteBucketOwnershipControls, Get/PutBucketAcl,
//     Get/PutBucketLogging, Get/PutBucketVersioning,
//     GetObjectLockConfiguration, ListObjectsV2 (prefix, delimiter, start-after,
//     continuation token, max-keys, fetch-owner, encoding-type=url),
//     Put/Get/Head/DeleteObject, Get/PutObjectAcl.
//   - S3 Control (REST XML): Get/Put/DeletePublicAccessBlock.
//   - CloudFront (REST XML 2020-05-31): ListDistributions, GetDistribution,
//     GetDistributionConfig, CreateDistribution,
//     List/CreateCloudFrontOriginAccessIdentity (96-hex S3CanonicalUserId),
//     List/CreateOriginAccessControl. Summaries and configurations carry the
//     viewer certificate (the default certificate reports TLSv1) and the
//     configuration legacy standard logging.
//   - CloudTrail (JSON 1.1): DescribeTrails (own trails in the region,
//     with shadow trails also multi-region ones from other regions and the
//     organization's trails), GetTrailStatus and GetEventSelectors (owner,
//     home region only; basic or advanced selectors); CreateTrail (stopped,
//     its bucket must exist), PutEventSelectors, Start/StopLogging.
//   - CloudWatch Logs (JSON 1.1): DescribeDeliverySources and
//     DescribeDeliveries for CloudFront standard logging v2 (us-east-1);
//     PutDeliverySource (a distribution's ACCESS_LOGS), PutDeliveryDestination
//     and CreateDelivery.
//   - Security Hub (REST JSON): BatchImportFindings (required attributes,
//     default product ARN of the caller's account and region, at most 100,
//     240 KB each, FailedFindings), GetFindings (string filters on
//     ProductArn, GeneratorId, Id, RecordState, AwsAccountId,
//     ComplianceStatus, WorkflowStatus, SeverityLabel, Title, Region,
//     ResourceId, ResourceType; paging). Findings are kept per account and
//     region and update in place by ProductArn+Id, keeping CreatedAt,
//     FirstObservedAt, Workflow and Note; Workflow and Note are taken from
//     BatchImportFindings only when it creates a finding.
//     BatchUpdateFindings (the customer's side: Workflow.Status and Note of
//     the caller's own findings, UnprocessedFindings for unknown ones).
//
// S3 semantics modelled: one global bucket namespace; a canonical user ID
// per account; object owner = writer, unless BucketOwnerEnforced (or
// BucketOwnerPreferred with bucket-owner-full-control); canned ACLs and
// x-amz-grant-* / AccessControlPolicy grants; account + bucket Block Public
// Access (BlockPublicAcls and BlockPublicPolicy reject puts,
// IgnorePublicAcls and RestrictPublicBuckets change access); the bucket
// policy (a subset of IAM: see policyDoc) applies only to objects the
// bucket owner owns, so the bucket owner is denied GetObject/GetObjectAcl
// on another account's object without a grant; OAIs and OACs as
// principals (OriginRead); requests signed for the wrong region are
// refused; new buckets get the 2023 defaults; log targets need log
// delivery permission.
//
// Not modelled: IAM identity policies, permission boundaries, SCPs and role
// trust policies (any known caller may assume an existing role); KMS,
// object versions (versioning is a setting only), setting Object Lock or
// MFA delete through the API (scenarios set them), CORS, website hosting, multipart uploads, S3
// Access Points; CloudFront updates and deletes; Security Hub
// BatchUpdateFindings; request-time skew; chunk signatures of aws-chunked
// uploads (their framing is decoded, not verified).
//
// Faults are injected on demand (latency, throttling, 500s, slow bodies,
// AccessDenied for an account or an operation; seeded, so deterministic)
// and every request is counted by account, service and operation, so tests
// can assert what a scan called and that it wrote nothing.
package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// Options configure Start.
type Options struct {
	// Addr to listen on; 127.0.0.1:0 (a free loopback port) when empty.
	Addr string
	// CallerAccount names the account whose keys CallerCredentials returns
	// (default: the management account).
	CallerAccount string
	// Faults are installed before the first request (added to the
	// scenario's own faults).
	Faults []FaultRule
	// FaultSeed seeds rate-based faults (same seed, same faults).
	FaultSeed uint64
	// Logger receives one debug line per request (never object keys); nil
	// discards.
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies (default 64 MiB).
	MaxBodyBytes int64
	// KeepObjectBodies caps the size of PutObject bodies kept for GetObject
	// (default 1 MiB; larger bodies are counted, not kept).
	KeepObjectBodies int64
}

// Emulator is a running emulated AWS organization.
type Emulator struct {
	st       *state
	sc       *scenario.Scenario
	srv      *http.Server
	ln       net.Listener
	url      string
	caller   *credential
	log      *slog.Logger
	opts     Options
	faults   *faultSet
	reqMu    sync.Mutex
	counts   map[RequestKey]int
	requests []Request
	done     chan struct{}
	// closeOnce: Close runs from the test's cleanup and from the context
	// watcher at about the same time (t.Context ends just before cleanups).
	closeOnce sync.Once
	closeErr  error
}

// Start loads sc and serves it on opts.Addr until Close (or ctx ends).
func Start(ctx context.Context, sc *scenario.Scenario, opts Options) (*Emulator, error) {
	if sc == nil {
		return nil, errors.New("emulator: no scenario")
	}
	if err := sc.Resolve(); err != nil {
		return nil, fmt.Errorf("emulator: scenario %s: %w", sc.Name, err)
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.KeepObjectBodies <= 0 {
		opts.KeepObjectBodies = 1 << 20
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st := newState(sc.MemberRoleName)
	if err := st.load(sc); err != nil {
		return nil, fmt.Errorf("emulator: scenario %s: %w", sc.Name, err)
	}
	callerAcct := sc.ManagementAccount()
	if opts.CallerAccount != "" {
		callerAcct = sc.Account(opts.CallerAccount)
		if callerAcct == nil {
			return nil, fmt.Errorf("emulator: caller account %q is not in scenario %s", opts.CallerAccount, sc.Name)
		}
	}
	// The caller's long-term key is an IAM user in that account; fixed per
	// account so a demo's configuration can be copied between runs.
	sum := sha256.Sum256([]byte("hoofprint-emulator/key/" + callerAcct.ID))
	caller := &credential{
		AccessKeyID: "AKIA" + strings.ToUpper(hex.EncodeToString(sum[:8])),
		Secret:      hex.EncodeToString(sum[8:28]),
		AccountID:   callerAcct.ID,
		ARN:         "arn:aws:iam::" + callerAcct.ID + ":user/hoofprint",
	}
	st.keys[caller.AccessKeyID] = caller

	e := &Emulator{st: st, sc: sc, caller: caller, log: log, opts: opts, counts: map[RequestKey]int{}, done: make(chan struct{})}
	rules, err := scenarioFaults(sc)
	if err != nil {
		return nil, err
	}
	e.faults = newFaultSet(append(rules, opts.Faults...), opts.FaultSeed)

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", opts.Addr, err)
	}
	e.ln = ln
	e.url = "http://" + ln.Addr().String()
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = e.Close()
		case <-e.done:
		}
	}()
	return e, nil
}

// URL is the endpoint for every service, e.g. http://127.0.0.1:41234.
func (e *Emulator) URL() string { return e.url }

// Scenario is the scenario the emulator was started with (resolved).
func (e *Emulator) Scenario() *scenario.Scenario { return e.sc }

// CallerCredentials are the long-term keys of the caller account (the
// management account unless Options.CallerAccount says otherwise).
func (e *Emulator) CallerCredentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: e.caller.AccessKeyID, SecretAccessKey: e.caller.Secret, Source: "hoofprint-emulator"}
}

// Config is an aws.Config for the caller's keys pointing at the emulator
// (region us-east-1); S3 clients still need UsePathStyle.
func (e *Emulator) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.NewCredentialsCache(staticProvider(e.CallerCredentials())),
		BaseEndpoint: aws.String(e.url),
	}
}

type staticProvider aws.Credentials

func (p staticProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(p), nil
}

// Close stops the server. It is safe to call more than once and from
// several goroutines.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		close(e.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		e.closeErr = e.srv.Shutdown(ctx)
	})
	return e.closeErr
}

// RequestKey identifies a kind of request for counting.
type RequestKey struct {
	// Account is the caller's account ("" for anonymous or unknown keys).
	Account   string
	Service   string
	Operation string
}

// Request is one request the emulator answered. It never holds object keys.
type Request struct {
	Time time.Time
	RequestKey
	// Bucket is the S3 bucket addressed, if any.
	Bucket string
	// Target is the account whose role an sts:AssumeRole asked for
	// (Account is the caller's), whether or not it was granted.
	Target string
	// Write is true for operations that change state.
	Write  bool
	Status int
	// ErrorCode is the AWS error code answered, if any.
	ErrorCode string
}

// Requests returns how many requests were answered, by account, service and
// operation.
func (e *Emulator) Requests() map[RequestKey]int {
	e.reqMu.Lock()
	defer e.reqMu.Unlock()
	out := make(map[RequestKey]int, len(e.counts))
	for k, v := range e.counts {
		out[k] = v
	}
	return out
}

// RequestLog returns every request answered so far, in order.
func (e *Emulator) RequestLog() []Request {
	e.reqMu.Lock()
	defer e.reqMu.Unlock()
	return append([]Request(nil), e.requests...)
}

// Writes returns the state-changing requests made with credentials of
// account (all accounts when account is "").
func (e *Emulator) Writes(account string) []Request {
	var out []Request
	for _, r := range e.RequestLog() {
		if r.Write && (account == "" || r.Account == account) {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the counts and the log.
func (e *Emulator) ResetRequests() {
	e.reqMu.Lock()
	defer e.reqMu.Unlock()
	e.counts = map[RequestKey]int{}
	e.requests = nil
}

// maxLoggedRequests bounds the request log (counts are kept for all).
const maxLoggedRequests = 1 << 20

func (e *Emulator) record(r Request) {
	e.reqMu.Lock()
	e.counts[r.RequestKey]++
	if len(e.requests) < maxLoggedRequests {
		e.requests = append(e.requests, r)
	}
	e.reqMu.Unlock()
	e.log.Debug("request", "service", r.Service, "operation", r.Operation, "account", r.Account, "bucket", r.Bucket, "status", r.Status, "error", r.ErrorCode)
}

// call is one request being answered.
type call struct {
	e       *Emulator
	w       http.ResponseWriter
	r       *http.Request
	body    []byte
	service string
	op      string
	write   bool
	bucket  string
	target  string // sts:AssumeRole: the role's account
	key     string
	region  string
	caller  *credential // nil for anonymous requests
	proto   protocol
	reqID   string
	status  int
	errCode string
}

func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{e: e, r: r, reqID: newRequestID(), status: http.StatusOK}
	sw := &slowWriter{ResponseWriter: w}
	c.w = sw
	defer func() {
		sw.flush(r.Context())
		e.record(Request{Time: time.Now(), RequestKey: RequestKey{Account: c.account(), Service: c.service, Operation: c.op},
			Bucket: c.bucket, Target: c.target, Write: c.write, Status: c.status, ErrorCode: c.errCode})
	}()
	body, err := io.ReadAll(io.LimitReader(r.Body, e.opts.MaxBodyBytes+1))
	if err != nil {
		c.service, c.op, c.proto = "unknown", "Unknown", protoS3
		c.fail(apiErr(400, "IncompleteBody", "could not read the request body"))
		return
	}
	if int64(len(body)) > e.opts.MaxBodyBytes {
		c.service, c.op, c.proto = "unknown", "Unknown", protoS3
		c.fail(apiErr(400, "EntityTooLarge", "request body too large"))
		return
	}
	c.body = body
	auth, authErr := parseAuthorization(r)
	c.service, c.region = auth.service, auth.region
	if auth.service == "" {
		c.service = "s3" // unsigned requests can only be anonymous S3 requests
	}
	if c.service == "s3" && r.Header.Get("x-amz-account-id") != "" && strings.HasPrefix(r.URL.Path, "/v20180820/") {
		c.service = "s3control"
	}
	h := e.route(c)
	if authErr != nil {
		c.fail(apiErr(400, "IncompleteSignature", authErr.Error()))
		return
	}
	if auth.present {
		if aerr := e.authenticate(c, auth); aerr != nil {
			c.fail(aerr)
			return
		}
	} else if c.service != "s3" {
		c.fail(c.missingAuth())
		return
	}
	if h == nil {
		c.fail(apiErr(400, "InvalidAction", "the emulator does not implement this "+c.service+" request"))
		return
	}
	if c.service == "s3" && c.body != nil {
		if err := c.decodeChunked(); err != nil {
			c.fail(apiErr(400, "InvalidRequest", err.Error()))
			return
		}
	}
	if stop := e.applyFaults(c, sw); stop {
		return
	}
	h()
}

func (c *call) account() string {
	if c.caller == nil {
		return ""
	}
	return c.caller.AccountID
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// slowWriter buffers the response when a slow-body fault applies, then
// trickles it out.
type slowWriter struct {
	http.ResponseWriter
	slow   time.Duration
	buf    bytes.Buffer
	status int
}

func (s *slowWriter) WriteHeader(code int) {
	if s.slow > 0 {
		s.status = code
		return
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.slow > 0 {
		return s.buf.Write(p)
	}
	return s.ResponseWriter.Write(p)
}

func (s *slowWriter) flush(ctx context.Context) {
	if s.slow <= 0 {
		return
	}
	if s.status == 0 {
		s.status = http.StatusOK
	}
	s.ResponseWriter.Header().Set("Content-Length", fmt.Sprint(s.buf.Len()))
	s.ResponseWriter.WriteHeader(s.status)
	const chunks = 10
	data := s.buf.Bytes()
	step := (len(data) + chunks - 1) / chunks
	if step == 0 {
		step = 1
	}
	fl, _ := s.ResponseWriter.(http.Flusher)
	for i := 0; i < len(data); i += step {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.slow / chunks):
		}
		end := min(i+step, len(data))
		if _, err := s.ResponseWriter.Write(data[i:end]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// Environ is the AWS environment a process needs to scan the emulator with
// the standard configuration chain: the caller's keys, a region, no
// profile or shared files, and AWS_ENDPOINT_URL. A CLI sets these before
// loading its AWS configuration (hoofprint demo).
func (e *Emulator) Environ() map[string]string {
	return awsclient.LocalEnv(e.url, "us-east-1", e.CallerCredentials())
}
