package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

const demoLong = `Run the real scan against an emulated AWS organization served on 127.0.0.1 by
hoofprint's own emulator: no AWS account and no network needed.

The default scenario is HealthCorp, from the incident that hoofprint exists for
("A Tale of Two Buckets"): a pipeline in a tools account uploads site files into
the dev and prod buckets of other accounts. Prod has Block Public Access on, so
CloudFront's origin access identity cannot read the objects the tools account
owns (the outage). Dev still works, but only through public-read ACLs: turning
Block Public Access on there would break it the same way.

The reports (SARIF, ASFF, HTML, inventory) go to --out, and the findings are also
imported into the emulator's Security Hub, exactly as 'scan --securityhub' would.`

type demoFlags struct {
	report   reportFlags
	scenario string
	out      string
	sample   int
}

func newDemoCommand(stdout, stderr io.Writer, rec *runRecord) *cobra.Command {
	f := &demoFlags{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Scan an embedded emulated organization (the HealthCorp incident); no AWS account needed",
		Long:  demoLong,
		Example: `  hoofprint demo
  hoofprint demo --out /tmp/reports --show-object-keys
  hoofprint demo --scenario my-org.yaml     # the file format: docs/scenario.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, f, stdout, stderr, rec)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.scenario, "scenario", "", "scenario `FILE` (YAML; docs/scenario.md) instead of the built-in HealthCorp organization")
	fs.StringVar(&f.out, "out", "hoofprint-demo", "`DIR` for the reports")
	fs.IntVar(&f.sample, "sample", 100, "object ACLs to sample per bucket")
	f.report.keySecret.ephemeral = true // demo's default secret is its own, made for the run
	f.report.register(fs)
	return cmd
}

func runDemo(cmd *cobra.Command, f *demoFlags, stdout, stderr io.Writer, rec *runRecord) error {
	if f.sample < 1 {
		return usageErr("--sample %d: want 1 or more (objects whose ACL is read per bucket)", f.sample)
	}
	if err := f.report.finish(stderr); err != nil {
		return err
	}
	ctx := cmd.Context()
	log := f.report.logger
	opts := f.report.pipelineOptions(stdout)
	// Every report goes to --out unless its flag names another file;
	// checked before the emulator starts.
	opts.InventoryPath = filepath.Join(f.out, "inventory.json")
	outputs := []pathFlag{{flag: "--out (inventory.json)", path: opts.InventoryPath}}
	for _, o := range []struct {
		path *string
		flag pathFlag
	}{
		{&opts.SARIFPath, pathFlag{flag: "--out (hoofprint.sarif)", path: filepath.Join(f.out, "hoofprint.sarif")}},
		{&opts.ASFFPath, pathFlag{flag: "--out (hoofprint.asff.json)", path: filepath.Join(f.out, "hoofprint.asff.json")}},
		{&opts.HTMLPath, pathFlag{flag: "--out (hoofprint.html)", path: filepath.Join(f.out, "hoofprint.html")}},
	} {
		if *o.path == "" {
			*o.path = o.flag.path
			outputs = append(outputs, o.flag)
		}
	}
	outputs = append(outputs, f.report.outputs()...)
	if err := checkPaths(outputs, append(f.report.inputs(), pathFlag{flag: "--scenario", path: f.scenario})); err != nil {
		return err
	}
	if err := f.report.prepare(ctx, &opts); err != nil {
		return err
	}
	// The demo's organization lives only as long as the run: without a
	// secret given, a random one hashes its keys.
	hasher := inventory.NewKeyHasher([]byte(rand.Text()))
	if _, env := os.LookupEnv(keySecretEnv); f.report.keySecret.file != "" || env {
		secret, err := f.report.keySecret.resolve()
		if err != nil {
			return usageErr("%v", err)
		}
		hasher = secret.hasher
	}

	sc := scenario.HealthCorp()
	if f.scenario != "" {
		var err error
		if sc, err = scenario.Load(f.scenario); err != nil {
			return usageErr("--scenario: %v", err)
		}
	}
	emu, err := emulator.Start(ctx, sc, emulator.Options{})
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	defer func() { _ = emu.Close() }()
	members, outside := 0, 0
	for _, a := range sc.Accounts {
		if a.Outside {
			outside++
		} else {
			members++
		}
	}
	// Counted as the summary counts them: the organization's accounts, and
	// apart, the accounts outside it that the scenario also models.
	log.Info("emulated organization started", "scenario", sc.Name, "endpoint", emu.URL(), "accounts", members, "accounts_outside_organization", outside)

	base, err := awsclient.Load(ctx, awsclient.Options{
		EndpointURL: emu.URL(),
		Region:      "us-east-1",
		Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()},
		RoleName:    sc.MemberRoleName,
		SessionName: "hoofprint-demo",
		MaxInFlight: 16,
	})
	if err != nil {
		return fmt.Errorf("connect to the emulator: %w", err)
	}
	opts.SecurityHub = true
	opts.Accounts = base
	stream, err := pipeline.Start(ctx, opts)
	if err != nil {
		return usageErr("%v", err)
	}
	defer stream.Abort()
	inv, err := scanner.Scan(ctx, base, scanner.Options{
		SampleSize:     f.sample,
		ShowObjectKeys: f.report.showObjectKeys,
		KeyHasher:      hasher,
		ToolVersion:    version,
		Logger:         log,
		Progress:       progressWriter(f.report, stderr),
		ProgressTTY:    f.report.stderrIsTerm,
		Sink:           stream,
	})
	if err != nil {
		return err
	}
	out, err := stream.Finish(ctx, inv)
	rec.observe(f.report.final, inv, out)
	return outcomeErr(err)
}
