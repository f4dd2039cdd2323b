package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
	"github.com/hoofprint/hoofprint/suppress"
	"github.com/hoofprint/hoofprint/upload"
)

const scanLong = `Scan every ACTIVE account of the AWS Organization (or only the caller's account
when it is not in one): S3 Block Public Access, bucket policies, ACLs, ownership
controls, logging, default encryption, versioning and Object Lock, a sample of
object owners and ACLs per bucket, every CloudFront distribution with its origin
access identities and controls, viewer certificate and access logging, and the
CloudTrail trails that could record S3 data events. Then evaluate the rules of
--profile (hipaa by default; 'hoofprint rules list' shows which rule runs where)
and write the reports, with a per-HIPAA-safeguard table in the summary.

Credentials come from the standard AWS chain (AWS_PROFILE, environment, ECS task
role…). The caller's own account is read with those credentials; every other
account through sts:AssumeRole into --role-name. hoofprint only reads: the one
write is --securityhub, and --output uploads the reports to your own bucket.

Sampled objects that could be public (an ACL the bucket owner may not read while
public ACLs are honoured, a public-read grant, a policy open to everyone) get one
unsigned HEAD request, as anyone on the internet would send: 200 is reported as
"verified: readable anonymously". --no-anonymous-probe turns it off.

One account's AccessDenied or throttling never stops the scan: it is listed as a
gap, and the run exits 3. SIGINT or SIGTERM (ECS stopping the task) stops new
work and still writes the reports of what was collected.`

const scanExample = `  # Nightly job: every account, reports to S3, fail the task on high findings
  hoofprint scan --external-id "$EXTERNAL_ID" --sarif hoofprint.sarif --asff hoofprint.asff.json --html hoofprint.html \
    --inventory inventory.json.gz --securityhub --output s3://my-reports/hoofprint/ \
    --fail-on high --log-format json

  # Two accounts only, against an emulator such as moto
  hoofprint scan --endpoint-url http://127.0.0.1:5000 --accounts 111111111111,222222222222 \
    --inventory inv.json --sarif out.sarif

  # Compare with last night's SARIF: results carry baselineState new/unchanged/absent
  hoofprint scan --sarif tonight.sarif --baseline last-night.sarif`

// externalIDEnv is read when --external-id is not given: the scanner
// stack passes the ExternalId from Secrets Manager this way, so that
// ecs:DescribeTaskDefinition does not show it in the command.
const externalIDEnv = "HOOFPRINT_EXTERNAL_ID"

type scanFlags struct {
	report         reportFlags
	roleName       string
	externalID     string
	accounts       []string
	exclude        []string
	sample         int
	concurrency    int
	endpointURL    string
	allowInsecure  bool
	inventory      string
	securityHub    bool
	output         string
	sseKMSKey      string
	accountTimeout time.Duration
	timeout        time.Duration
	seed           int64
	noProbe        bool
	plan           string
	shard          string
}

func newScanCommand(stdout, stderr io.Writer, rec *runRecord) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:     "scan",
		Short:   "Scan the organization, evaluate the rules, write the reports (the nightly job)",
		Long:    scanLong,
		Example: scanExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(cmd, f, stdout, stderr, rec)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.roleName, "role-name", "OrganizationAccountAccessRole", "role to assume in each member account (deploy/cloudformation/member-role.yaml creates a read-only one)")
	fs.StringVar(&f.externalID, "external-id", "", "sts:ExternalId to pass when assuming --role-name (default: $"+externalIDEnv+", which keeps it out of process listings and task definitions)")
	fs.StringSliceVar(&f.accounts, "accounts", nil, "scan only these account `IDs` (comma-separated)")
	fs.StringSliceVar(&f.exclude, "exclude-accounts", nil, "skip these account `IDs` (comma-separated)")
	fs.IntVar(&f.sample, "sample", 100, "object ACLs to sample per bucket (plus every listed object another account owns, bounded)")
	fs.IntVar(&f.concurrency, "concurrency", 64, "maximum AWS API requests in flight for the whole scan")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to this `URL` (emulators such as moto; S3 path-style)")
	fs.BoolVar(&f.allowInsecure, "allow-insecure-endpoint", false, "allow a plain-http --endpoint-url (or AWS_ENDPOINT_URL) that is not on loopback; credentials would cross the network in clear text")
	fs.StringVar(&f.inventory, "inventory", "", "write the inventory snapshot to `FILE` (.gz compresses); re-evaluate it later with 'hoofprint evaluate'")
	fs.BoolVar(&f.securityHub, "securityhub", false, "import findings into each account's Security Hub (with that account's role); archive fixed ones")
	fs.StringVar(&f.output, "output", "", "also upload the reports to `s3://BUCKET/PREFIX/` (server-side encrypted; a public bucket is refused); without --suppressions, PREFIX/suppressions.yaml is read when present")
	fs.StringVar(&f.sseKMSKey, "sse-kms-key", "", "KMS key `ARN` for --output (default: SSE-S3)")
	fs.DurationVar(&f.accountTimeout, "account-timeout", 30*time.Minute, "give up on one account after this long (recorded as a gap)")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop collecting after this long and report what was collected (0: no limit); set it below the task's lifetime")
	fs.BoolVar(&f.noProbe, "no-anonymous-probe", false, "do not send the unsigned HEAD (no body) that checks whether sampled objects that could be public are readable by anyone; it needs no IAM permission and shows in access logs as an anonymous request")
	fs.Int64Var(&f.seed, "seed", 0, "object sampling seed (0: derived from the date, so one night's sample is reproducible)")
	fs.StringVar(&f.plan, "plan", "", "scan one shard of a sharded run: the run folder `URI` that 'hoofprint plan' printed (see 'hoofprint plan --help')")
	fs.StringVar(&f.shard, "shard", "", "with --plan: the shard `K/N` to scan, K from 0 (default: $AWS_BATCH_JOB_ARRAY_INDEX/$AWS_BATCH_JOB_ARRAY_SIZE)")
	f.report.register(fs)
	return cmd
}

func runScan(cmd *cobra.Command, f *scanFlags, stdout, stderr io.Writer, rec *runRecord) error {
	if f.plan != "" {
		return runShardScan(cmd, f, stdout, stderr, rec)
	}
	if f.shard != "" {
		return usageErr("--shard needs --plan RUN, the run folder 'hoofprint plan' printed")
	}
	if err := f.report.finish(stderr); err != nil {
		return err
	}
	if err := checkPaths(append(f.report.outputs(), pathFlag{flag: "--inventory", path: f.inventory}), f.report.inputs()); err != nil {
		return err
	}
	accounts, exclude := splitIDs(f.accounts), splitIDs(f.exclude)
	if err := checkAccountLists(accounts, exclude); err != nil {
		return err
	}
	if f.sample < 1 {
		return usageErr("--sample %d: want 1 or more (objects whose ACL is read per bucket)", f.sample)
	}
	if f.accountTimeout <= 0 {
		return usageErr("--account-timeout %s: want a positive duration such as 30m (the longest one account may take)", f.accountTimeout)
	}
	if f.timeout < 0 {
		return usageErr("--timeout %s: want a positive duration such as 6h, or 0 for no limit", f.timeout)
	}
	if f.concurrency < 1 {
		return usageErr("--concurrency %d: want 1 or more", f.concurrency)
	}
	if f.output != "" {
		// Checked before the scan: a typo must not cost a night's work.
		if _, err := upload.ParseDestination(f.output); err != nil {
			return usageErr("--output %v", err)
		}
	} else if f.sseKMSKey != "" {
		return usageErr("--sse-kms-key is only used with --output s3://BUCKET/PREFIX/")
	}
	if f.externalID == "" {
		f.externalID = os.Getenv(externalIDEnv)
	}
	log := f.report.logger
	ctx := cmd.Context()
	opts := f.report.pipelineOptions(stdout)
	if err := f.report.prepare(ctx, &opts); err != nil {
		return err
	}
	// A given secret is checked before the first AWS call; the local one
	// a first run creates waits for working credentials.
	secret, haveSecret, err := f.report.keySecret.lookup()
	if err != nil {
		return usageErr("%v", err)
	}

	base, err := awsclient.Load(ctx, awsclient.Options{
		EndpointURL:           f.endpointURL,
		AllowInsecureEndpoint: f.allowInsecure,
		RoleName:              f.roleName,
		ExternalID:            f.externalID,
		SessionName:           "hoofprint-scan",
		MaxInFlight:           f.concurrency,
	})
	if err != nil {
		return setupErr(ctx, "%v", err)
	}
	if !haveSecret {
		if secret, err = f.report.keySecret.createLocal(log); err != nil {
			return usageErr("%v", err)
		}
	}
	if err := f.report.readOutputSuppressions(ctx, base, f.output); err != nil {
		return setupErr(ctx, "%v", err)
	}
	opts.Suppressions = f.report.suppressions
	log.Info("scanning", "caller_account", base.Caller.AccountID, "role_name", f.roleName, "concurrency", f.concurrency, "sample", f.sample)

	opts.InventoryPath = f.inventory
	opts.SecurityHub = f.securityHub
	opts.Accounts = base
	opts.CallerConfig = base.Config
	opts.S3Options = base.S3Options()
	opts.Output = f.output
	opts.SSEKMSKey = f.sseKMSKey
	opts.ExpectedBucketOwner = base.Caller.AccountID
	// The rules were loaded before the first AWS call (prepare); they
	// evaluate each bucket as soon as it is collected: the scan streams into the
	// inventory and the findings (docs/architecture.md).
	stream, err := pipeline.Start(ctx, opts)
	if err != nil {
		return usageErr("%v", err)
	}
	defer stream.Abort()

	scanCtx := ctx
	if f.timeout > 0 {
		var cancel func()
		scanCtx, cancel = context.WithTimeoutCause(ctx, f.timeout, fmt.Errorf("--timeout %s reached", f.timeout))
		defer cancel()
	}
	inv, err := scanner.Scan(scanCtx, base, scanner.Options{
		Accounts:         accounts,
		ExcludeAccounts:  exclude,
		SampleSize:       f.sample,
		AccountTimeout:   f.accountTimeout,
		ShowObjectKeys:   f.report.showObjectKeys,
		KeyHasher:        secret.hasher,
		NoAnonymousProbe: f.noProbe,
		Seed:             f.seed,
		ToolVersion:      version,
		Logger:           log,
		Progress:         progressWriter(f.report, stderr),
		ProgressTTY:      f.report.stderrIsTerm,
		Sink:             stream,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	// Before Finish: no report may say "0 findings" of a scan of nothing
	// (the deferred Abort drops the unfinished inventory and ASFF files).
	if err := checkAccountsInScope(inv, accounts, exclude); err != nil {
		return err
	}
	out, err := stream.Finish(ctx, inv)
	rec.observe(f.report.final, inv, out)
	return outcomeErr(err)
}

// readOutputSuppressions sets r.suppressions from the accepted risks stored
// next to the reports under --output, unless --suppressions was given (or
// there is no --output). scan and merge both read them this way.
func (r *reportFlags) readOutputSuppressions(ctx context.Context, base *awsclient.Base, output string) error {
	if output == "" || r.suppressions != nil {
		return nil
	}
	set, err := outputSuppressions(ctx, base, output, *r)
	if err != nil {
		return err
	}
	r.suppressions = set
	return nil
}

// outputSuppressions reads suppress.FileName directly under the --output
// prefix, so a scheduled task's accepted risks change without an image
// rebuild. No such object means no suppressions; an invalid one stops the
// run before the scan, as an invalid --suppressions file does.
func outputSuppressions(ctx context.Context, base *awsclient.Base, output string, r reportFlags) (*suppress.Set, error) {
	dest, err := upload.ParseDestination(output)
	if err != nil {
		return nil, fmt.Errorf("--output %w", err)
	}
	data, found, err := upload.Fetch(ctx, base.Config, base.S3Options(), dest, suppress.FileName, base.Caller.AccountID)
	if err != nil {
		return nil, fmt.Errorf("accepted risks under --output: %w", err)
	}
	name := dest.String() + suppress.FileName
	if !found {
		r.logger.Info("no accepted risks under --output", "object", name)
		return nil, nil
	}
	set, err := suppress.Parse(name, data, r.suppressOptions())
	if err != nil {
		return nil, fmt.Errorf("accepted risks: %w", err)
	}
	r.logger.Info("accepted risks read from --output", "object", name, "entries", len(set.Entries))
	return set, nil
}

// progressWriter is where the live progress goes: stderr, unless --quiet.
func progressWriter(r reportFlags, stderr io.Writer) io.Writer {
	if r.quiet {
		return nil
	}
	return stderr
}
