package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/urlredact"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
	"github.com/hoofprint/hoofprint/shard"
	"github.com/hoofprint/hoofprint/suppress"
)

const planLong = `Plan a sharded scan, for organizations too large for one machine: map the
organization once (accounts, canonical IDs, account Block Public Access, bucket
lists, CloudFront), divide the accounts into --shards shards of about equal
bucket counts, and write the plan into a new run folder under --output.

Then run 'hoofprint scan --plan RUN --shard K/N' for every K from 0 to N-1 (in
parallel: an AWS Batch array job, or processes on one machine), and
'hoofprint merge --run RUN' for the reports. The merged reports are those one
'hoofprint scan' would have written. docs/deploy.md "Large organizations" says
when this is worth it.

The run folder's URI is printed on stdout. Exit 0 when the plan is written
(accounts that could not be mapped are gaps the merge reports), 3 when
interrupted (the plan is still written), 2 on an error.`

const planExample = `  # Eight shards; the run folder is s3://my-reports/runs/<run-id>/
  hoofprint plan --output s3://my-reports/runs/ --shards 8 --external-id "$EXTERNAL_ID"

  # On one machine, against an emulator
  RUN=$(hoofprint plan --output ./runs --shards 4 --endpoint-url http://127.0.0.1:5000 -q)
  for k in 0 1 2 3; do hoofprint scan --plan "$RUN" --shard $k/4 --endpoint-url http://127.0.0.1:5000 & done; wait
  hoofprint merge --run "$RUN" --sarif out.sarif --asff out.asff.json`

// collectFlags are the AWS and collection flags plan shares with scan.
type collectFlags struct {
	roleName       string
	externalID     string
	concurrency    int
	endpointURL    string
	accountTimeout time.Duration
	timeout        time.Duration
	allowInsecure  bool
}

func (c *collectFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.roleName, "role-name", "OrganizationAccountAccessRole", "role to assume in each member account (deploy/cloudformation/member-role.yaml creates a read-only one)")
	fs.StringVar(&c.externalID, "external-id", "", "sts:ExternalId to pass when assuming --role-name (default: $"+externalIDEnv+")")
	fs.IntVar(&c.concurrency, "concurrency", 64, "maximum AWS API requests in flight for this process")
	fs.StringVar(&c.endpointURL, "endpoint-url", "", "send every AWS call to this `URL` (emulators such as moto; S3 path-style)")
	fs.DurationVar(&c.accountTimeout, "account-timeout", 30*time.Minute, "give up on one account after this long (recorded as a gap)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop collecting after this long and keep what was collected (0: no limit)")
	fs.BoolVar(&c.allowInsecure, "allow-insecure-endpoint", false, "allow a plain-http --endpoint-url that is not on loopback")
}

func (c *collectFlags) validate() error {
	if c.accountTimeout <= 0 {
		return usageErr("--account-timeout %s: want a positive duration such as 30m (the longest one account may take)", c.accountTimeout)
	}
	if c.timeout < 0 {
		return usageErr("--timeout %s: want a positive duration such as 6h, or 0 for no limit", c.timeout)
	}
	if c.concurrency < 1 {
		return usageErr("--concurrency %d: want 1 or more", c.concurrency)
	}
	if c.externalID == "" {
		c.externalID = os.Getenv(externalIDEnv)
	}
	return nil
}

func (c *collectFlags) load(ctx context.Context) (*awsclient.Base, error) {
	base, err := awsclient.Load(ctx, awsclient.Options{
		EndpointURL: c.endpointURL, AllowInsecureEndpoint: c.allowInsecure, RoleName: c.roleName, ExternalID: c.externalID,
		SessionName: "hoofprint-scan", MaxInFlight: c.concurrency,
	})
	if err != nil {
		return nil, setupErr(ctx, "%v", err)
	}
	return base, nil
}

// withTimeout bounds collection by --timeout.
func (c *collectFlags) withTimeout(ctx context.Context) (context.Context, func()) {
	if c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, c.timeout, fmt.Errorf("--timeout %s reached", c.timeout))
}

// s3Store is the S3 configuration of a run folder, read and written as the
// caller, in a bucket the caller's account owns.
func s3Store(base *awsclient.Base, kmsKey string) *shard.S3Config {
	return &shard.S3Config{Config: base.Config, Options: base.S3Options(), ExpectedBucketOwner: base.Caller.AccountID, SSEKMSKey: kmsKey}
}

type planFlags struct {
	collect   collectFlags
	log       reportFlags
	output    string
	shards    int
	runID     string
	accounts  []string
	exclude   []string
	sample    int
	seed      int64
	noProbe   bool
	sseKMSKey string
}

func newPlanCommand(stdout, stderr io.Writer) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:     "plan --output DIR|s3://BUCKET/PREFIX/ --shards N",
		Short:   "Map the organization once and split it into N shards (sharded scans of large organizations)",
		Long:    planLong,
		Example: planExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd.Context(), f, stdout, stderr)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.output, "output", "", "parent of the run folder: a local `DIR` or s3://BUCKET/PREFIX/ (the plan goes to <output>/<run-id>/)")
	fs.IntVar(&f.shards, "shards", 0, "number of shards `N` (the array size of the AWS Batch job)")
	fs.StringVar(&f.runID, "run-id", "", "run `ID`, the run folder's name, used once: a folder that already holds a plan is refused (default: the UTC time and a random suffix; Step Functions passes its execution name)")
	f.collect.register(fs)
	fs.StringSliceVar(&f.accounts, "accounts", nil, "scan only these account `IDs` (comma-separated)")
	fs.StringSliceVar(&f.exclude, "exclude-accounts", nil, "skip these account `IDs` (comma-separated)")
	fs.IntVar(&f.sample, "sample", 100, "object ACLs to sample per bucket (every shard uses the plan's)")
	fs.Int64Var(&f.seed, "seed", 0, "object sampling seed (0: derived from the date; every shard uses the plan's)")
	fs.BoolVar(&f.noProbe, "no-anonymous-probe", false, "every shard skips the unsigned HEAD that checks whether sampled objects that could be public are readable by anyone")
	fs.BoolVar(&f.log.showObjectKeys, "show-object-keys", false, "keep object keys in the shards' inventories and the reports (they may contain patient data)")
	fs.StringVar(&f.sseKMSKey, "sse-kms-key", "", "KMS key `ARN` for the run folder's objects in S3 (default: SSE-S3); shards and merge use the plan's")
	fs.StringVar(&f.log.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.BoolVarP(&f.log.quiet, "quiet", "q", false, "print only warnings, errors and the run folder")
	fs.BoolVarP(&f.log.verbose, "verbose", "v", false, "also log each account as it is mapped (names only)")
	f.log.keySecret.register(fs)
	return cmd
}

func runPlan(ctx context.Context, f *planFlags, stdout, stderr io.Writer) error {
	f.log.failOn, f.log.evalTimeout, f.log.profile = "none", pipeline.DefaultEvalTimeout, findings.ProfileHIPAA
	// plan reads no suppressions; finish still wants a valid maximum.
	f.log.suppressionsMaxDays = int(suppress.DefaultMaxAge.Hours() / 24)
	if err := f.log.finish(stderr); err != nil {
		return err
	}
	if err := f.collect.validate(); err != nil {
		return err
	}
	if f.output == "" {
		return usageErr("plan needs --output DIR or s3://BUCKET/PREFIX/: the run folder is created there")
	}
	if f.shards < 1 || f.shards > 10000 {
		// AWS Batch array jobs have 2 to 10,000 children.
		return usageErr("--shards %d: want 1 to 10000 (an AWS Batch array job has at most 10,000 children)", f.shards)
	}
	if f.sample < 1 {
		return usageErr("--sample %d: want 1 or more (objects whose ACL is read per bucket)", f.sample)
	}
	accounts, exclude := splitIDs(f.accounts), splitIDs(f.exclude)
	if err := checkAccountLists(accounts, exclude); err != nil {
		return err
	}
	now := time.Now().UTC()
	if f.runID == "" {
		f.runID = shard.NewRunID(now)
	} else if strings.Trim(f.runID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" || len(f.runID) > 128 || strings.Trim(f.runID, ".") == "" {
		return usageErr("--run-id %q: want 1 to 128 letters, digits, '.', '_' or '-'", f.runID)
	}
	if shard.IsS3(f.output) {
		if _, err := shard.OpenStore(f.output, &shard.S3Config{}); err != nil {
			return usageErr("--output %v", err)
		}
	} else if f.sseKMSKey != "" {
		return usageErr("--sse-kms-key is only used with --output s3://BUCKET/PREFIX/")
	}
	log := f.log.logger
	// Every shard hashes object keys with this secret (the plan records
	// its ID and a shard with another secret refuses to run). A local one
	// is created only once the credentials work.
	secret, haveSecret, err := f.log.keySecret.lookup()
	if err != nil {
		return usageErr("%v", err)
	}
	base, err := f.collect.load(ctx)
	if err != nil {
		return err
	}
	if !haveSecret {
		if secret, err = f.log.keySecret.createLocal(log); err != nil {
			return usageErr("%v", err)
		}
	}
	runURI := shard.Sub(f.output, f.runID)
	store, err := shard.OpenStore(runURI, s3Store(base, f.sseKMSKey))
	if err != nil {
		return usageErr("--output: %v", err)
	}
	if c, ok := store.(interface{ CheckNotPublic(context.Context) error }); ok {
		// The shards' inventories describe every bucket of the
		// organization: never in a bucket that may be public.
		if err := c.CheckNotPublic(ctx); err != nil {
			return setupErr(ctx, "--output %s: %v", f.output, err)
		}
	}
	// A reused run ID is refused before the organization is mapped: the
	// old run's shard files would stay beside the new plan, and a merge
	// would mix the two. A retried Batch attempt replaces its own plan
	// (no shard starts before the plan job succeeds).
	if shard.Attempt(os.Getenv) == 1 {
		if err := shard.CheckNewRun(ctx, store); err != nil {
			return setupErr(ctx, "--run-id %s: %v", f.runID, err)
		}
	}
	log.Info("planning", "caller_account", base.Caller.AccountID, "run", runURI, "shards", f.shards)
	scanCtx, cancel := f.collect.withTimeout(ctx)
	defer cancel()
	m, err := scanner.MapOrganization(scanCtx, base, scanner.Options{
		Accounts: accounts, ExcludeAccounts: exclude, SampleSize: f.sample, AccountTimeout: f.collect.accountTimeout,
		ShowObjectKeys: f.log.showObjectKeys, KeyHasher: secret.hasher, Seed: f.seed, ToolVersion: version, Logger: log,
		Progress: progressWriter(f.log, stderr), ProgressTTY: f.log.stderrIsTerm,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	// No plan of nothing: its shards and merge would report a clean run.
	if err := checkAccountsInScope(m.Snapshot, accounts, exclude); err != nil {
		return err
	}
	p := &shard.Plan{
		SchemaVersion: shard.PlanSchemaVersion, RunID: f.runID, CreatedAt: now,
		SampleSize: f.sample, ShowObjectKeys: f.log.showObjectKeys, NoAnonymousProbe: f.noProbe, SSEKMSKey: f.sseKMSKey,
		Shards: shard.Balance(m, f.shards), Map: m,
	}
	if err := shard.WritePlan(context.WithoutCancel(ctx), store, p); err != nil {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("write the plan: %v", err)}
	}
	for k, s := range p.Shards {
		log.Info("shard planned", "shard", k, "of", len(p.Shards), "accounts", len(s.Accounts), "buckets", s.Buckets)
	}
	log.Info("plan written", "run", runURI, "accounts", len(m.Buckets), "gaps", len(m.Snapshot.Coverage.Gaps))
	fmt.Fprintln(stdout, runURI)
	if !m.Snapshot.Coverage.Complete {
		return &exitError{code: exitIncomplete, msg: "interrupted: " + m.Snapshot.Coverage.Interrupted}
	}
	return nil
}

// runShardScan is 'scan --plan RUN [--shard K/N]'.
func runShardScan(cmd *cobra.Command, f *scanFlags, stdout, stderr io.Writer, rec *runRecord) error {
	for _, name := range []string{"accounts", "exclude-accounts", "sample", "seed", "no-anonymous-probe", "show-object-keys", "sarif", "asff", "baseline", "inventory", "securityhub", "output", "sse-kms-key", "fail-on"} {
		if cmd.Flags().Changed(name) {
			return usageErr("--%s cannot be used with --plan: the plan fixes what is scanned and how, and 'hoofprint merge' writes the reports", name)
		}
	}
	if err := f.report.finish(stderr); err != nil {
		return err
	}
	if err := checkPaths(f.report.outputs(), append(f.report.inputs(), localPlan("--plan", f.plan))); err != nil {
		return err
	}
	if err := checkRunURI("--plan", f.plan); err != nil {
		return err
	}
	k, n, err := shardOf(f.shard)
	if err != nil {
		return err
	}
	c := collectFlags{roleName: f.roleName, externalID: f.externalID, concurrency: f.concurrency, endpointURL: f.endpointURL, accountTimeout: f.accountTimeout, timeout: f.timeout, allowInsecure: f.allowInsecure}
	if err := c.validate(); err != nil {
		return err
	}
	log := f.report.logger
	ctx := cmd.Context()
	opts := f.report.pipelineOptions(stdout)
	if err := f.report.prepare(ctx, &opts); err != nil {
		return err
	}
	base, err := c.load(ctx)
	if err != nil {
		return err
	}
	runURI := runFolder(f.plan)
	store, err := shard.OpenStore(runURI, s3Store(base, ""))
	if err != nil {
		return usageErr("--plan: %v", err)
	}
	plan, err := shard.ReadPlan(ctx, store)
	if err != nil {
		return setupErr(ctx, "--plan: %v", err)
	}
	secret, err := f.report.keySecret.resolve()
	if err != nil {
		return usageErr("%v (a shard hashes object keys with the plan's secret)", err)
	}
	if kh := plan.Map.Snapshot.KeyHashing; kh != nil && kh.Algorithm == inventory.KeyHashHMAC && kh.SecretID != secret.hasher.SecretID() {
		return usageErr("the plan hashed object keys with key secret %s, but the secret from %s is %s: give every shard the plan's secret ($%s or --key-secret-file)", kh.SecretID, secret.source, secret.hasher.SecretID(), keySecretEnv)
	}
	if n != len(plan.Shards) {
		return usageErr("shard %d of %d: the plan %s has %d shards (the array size must be the plan's --shards)", k, n, store.URI(shard.PlanName), len(plan.Shards))
	}
	if plan.SSEKMSKey != "" {
		if store, err = shard.OpenStore(runURI, s3Store(base, plan.SSEKMSKey)); err != nil {
			return usageErr("--plan: %v", err)
		}
	}
	attempt := shard.Attempt(os.Getenv)
	log.Info("scanning shard", "run", plan.RunID, "shard", k, "of", n, "attempt", attempt, "accounts", len(plan.Shards[k].Accounts), "buckets", plan.Shards[k].Buckets)
	scanCtx, cancel := c.withTimeout(ctx)
	defer cancel()
	snap, m, err := shard.RunShard(scanCtx, base, store, plan, shard.ShardOptions{
		Shard: k, Attempt: attempt, Pipeline: opts, Logger: log,
		Scanner: scanner.Options{AccountTimeout: c.accountTimeout, KeyHasher: secret.hasher, ToolVersion: version, Logger: log, Progress: progressWriter(f.report, stderr), ProgressTTY: f.report.stderrIsTerm},
	})
	rec.command = "shard"
	if snap != nil {
		rec.observe(f.report.final, snap, pipeline.Outcome{})
	}
	if m != nil {
		rec.findings, rec.buckets = m.Findings.Records, m.Inventory.Records
	}
	if err != nil {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("shard %d of %d: %v", k, n, err)}
	}
	if !f.report.quiet {
		fmt.Fprintf(stdout, "shard %d of %d of run %s: %d buckets, %d findings from the per-bucket rules, %d gaps → %s\n", k, n, plan.RunID, m.Inventory.Records, m.Findings.Records, len(snap.Coverage.Gaps)+len(m.EvaluationGaps), store.URI(shard.ManifestName(k, n)))
	}
	if !snap.Coverage.Complete || m.EvaluationStopped != "" {
		// Interrupted (SIGTERM, --timeout): what was collected is written
		// and the merge names the rest; a non-zero exit lets AWS Batch
		// retry the shard.
		return &exitError{code: exitIncomplete}
	}
	return nil
}

// shardOf is --shard, or the AWS Batch array job's index and size.
func shardOf(flag string) (int, int, error) {
	if flag != "" {
		k, n, err := shard.ParseShard(flag)
		if err != nil {
			return 0, 0, usageErr("%v", err)
		}
		return k, n, nil
	}
	k, n, ok, err := shard.FromBatchEnv(os.Getenv)
	if err != nil {
		return 0, 0, usageErr("%v", err)
	}
	if !ok {
		return 0, 0, usageErr("--plan needs --shard K/N (or AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE, as in an AWS Batch array job)")
	}
	return k, n, nil
}

// checkRunURI parses a run folder in S3 before the credentials are
// loaded, as plan checks its --output: a typo fails at once.
func checkRunURI(flag, uri string) error {
	if !shard.IsS3(uri) {
		return nil
	}
	if _, err := shard.OpenStore(runFolder(uri), &shard.S3Config{}); err != nil {
		return usageErr("%s: %v", flag, err)
	}
	return nil
}

// localPlan is the plan file of a local run folder given by flag, an
// input that no output may overwrite (none for a run folder in S3).
func localPlan(flag, uri string) pathFlag {
	if uri == "" || shard.IsS3(uri) {
		return pathFlag{flag: flag}
	}
	return pathFlag{flag: flag, path: filepath.Join(runFolder(uri), shard.PlanName)}
}

// runFolder accepts the run folder or its plan.json.
func runFolder(uri string) string {
	if strings.HasSuffix(uri, "/"+shard.PlanName) || uri == shard.PlanName {
		return strings.TrimSuffix(strings.TrimSuffix(uri, shard.PlanName), "/")
	}
	return uri
}

const mergeLong = `Merge the shards of a sharded scan (see 'hoofprint plan') into the reports one
'hoofprint scan' would have written: the rules that join buckets with the
organization map (CloudFront, account settings) run on the whole
organization, then one SARIF, one ASFF, one summary (and summary.json
with --output), and the Security Hub import with the same archiving rules.

A shard whose manifest is missing (never started, killed, still running) or
does not match its files (a retry stopped half-way) is not read at all: each of
its accounts is a gap naming the shard, and is never reported as clean. The
exit code is a scan's: 0, 1 (--fail-on), 2 (error), 3 (gaps, such as a missing
shard).`

const mergeExample = `  # After every shard of the array job has finished (or failed)
  hoofprint merge --run s3://my-reports/runs/20261201T020000Z-1a2b3c4d/ \
    --sarif hoofprint.sarif --asff hoofprint.asff.json --securityhub \
    --output s3://my-reports/hoofprint/ --fail-on high --log-format json`

type mergeFlags struct {
	report      reportFlags
	run         string
	inventory   string
	securityHub bool
	output      string
	sseKMSKey   string
	roleName    string
	externalID  string
	endpointURL string
	insecure    bool
}

func newMergeCommand(stdout, stderr io.Writer, rec *runRecord) *cobra.Command {
	f := &mergeFlags{}
	cmd := &cobra.Command{
		Use:     "merge --run RUN",
		Short:   "Merge the shards of a sharded scan into one set of reports",
		Long:    mergeLong,
		Example: mergeExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMerge(cmd.Context(), f, stdout, stderr, rec)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.run, "run", "", "the run folder `URI` that 'hoofprint plan' printed (local directory or s3://…/<run-id>/)")
	fs.StringVar(&f.inventory, "inventory", "", "also write the merged inventory to `FILE` (.gz compresses)")
	fs.BoolVar(&f.securityHub, "securityhub", false, "import findings into each account's Security Hub (with that account's role); archive fixed ones")
	fs.StringVar(&f.output, "output", "", "also upload the reports and summary.json to `s3://BUCKET/PREFIX/`")
	fs.StringVar(&f.sseKMSKey, "sse-kms-key", "", "KMS key `ARN` for --output (default: SSE-S3)")
	fs.StringVar(&f.roleName, "role-name", "OrganizationAccountAccessRole", "role to assume in each member account for --securityhub")
	fs.StringVar(&f.externalID, "external-id", "", "sts:ExternalId for --role-name (default: $"+externalIDEnv+")")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to this `URL` (emulators)")
	fs.BoolVar(&f.insecure, "allow-insecure-endpoint", false, "allow a plain-http --endpoint-url that is not on loopback")
	f.report.register(fs)
	return cmd
}

func runMerge(ctx context.Context, f *mergeFlags, stdout, stderr io.Writer, rec *runRecord) error {
	if err := f.report.finish(stderr); err != nil {
		return err
	}
	if f.run == "" {
		return usageErr("merge needs --run RUN, the run folder 'hoofprint plan' printed")
	}
	if err := checkPaths(append(f.report.outputs(), pathFlag{flag: "--inventory", path: f.inventory}), append(f.report.inputs(), localPlan("--run", f.run))); err != nil {
		return err
	}
	if err := checkRunURI("--run", f.run); err != nil {
		return err
	}
	if f.output == "" && f.sseKMSKey != "" {
		return usageErr("--sse-kms-key is only used with --output s3://BUCKET/PREFIX/")
	}
	if f.output != "" {
		if _, err := shard.OpenStore(f.output, &shard.S3Config{}); err != nil || !shard.IsS3(f.output) {
			return usageErr("--output %q: want s3://BUCKET/PREFIX/", urlredact.Redact(f.output))
		}
	}
	if f.externalID == "" {
		f.externalID = os.Getenv(externalIDEnv)
	}
	log := f.report.logger
	opts := f.report.pipelineOptions(stdout)
	if err := f.report.prepare(ctx, &opts); err != nil {
		return err
	}
	runURI := runFolder(f.run)
	var s3cfg *shard.S3Config
	if shard.IsS3(runURI) || f.securityHub || f.output != "" {
		base, err := awsclient.Load(ctx, awsclient.Options{EndpointURL: f.endpointURL, AllowInsecureEndpoint: f.insecure, RoleName: f.roleName, ExternalID: f.externalID, SessionName: "hoofprint-scan", MaxInFlight: 64})
		if err != nil {
			return setupErr(ctx, "%v", err)
		}
		s3cfg = s3Store(base, "")
		opts.Accounts = base
		opts.CallerConfig = base.Config
		opts.S3Options = base.S3Options()
		opts.ExpectedBucketOwner = base.Caller.AccountID
		// Like scan: the accepted risks next to the reports, unless given.
		if err := f.report.readOutputSuppressions(ctx, base, f.output); err != nil {
			return setupErr(ctx, "%v", err)
		}
		opts.Suppressions = f.report.suppressions
	}
	opts.InventoryPath = f.inventory
	opts.SecurityHub = f.securityHub
	opts.Output = f.output
	opts.SSEKMSKey = f.sseKMSKey
	store, err := shard.OpenStore(runURI, s3cfg)
	if err != nil {
		return usageErr("--run: %v", err)
	}
	plan, err := shard.ReadPlan(ctx, store)
	if err != nil {
		return setupErr(ctx, "--run: %v", err)
	}
	if err := checkKeySecret(plan.Map.Snapshot, f.report.keySecret, log); err != nil {
		return err
	}
	if plan.ShowObjectKeys && !f.report.showObjectKeys {
		// The shards evaluated with the keys: their findings may name them.
		return usageErr("the plan kept object keys (--show-object-keys), so the shards' findings may show them: merge with --show-object-keys, or plan without it")
	}
	if !plan.ShowObjectKeys && f.report.showObjectKeys {
		log.Warn("--show-object-keys has no effect: the plan was made without object keys")
	}
	log.Info("merging", "run", plan.RunID, "shards", len(plan.Shards))
	merged, out, status, err := shard.Merge(ctx, store, plan, opts, log)
	missing := 0
	for _, s := range status {
		if s.Code != "" {
			missing++
		}
	}
	log.Info("merged", "run", plan.RunID, "shards", len(status), "shards_not_merged", missing)
	rec.command = "merge"
	if merged != nil {
		rec.observe(f.report.final, merged, out)
	}
	return outcomeErr(err)
}
