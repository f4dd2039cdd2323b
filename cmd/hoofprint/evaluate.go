package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
)

const evaluateExample = `  # Re-run the rules offline on last night's inventory, with your own rules too
  hoofprint evaluate --inventory inventory.json.gz --rules ./my-rules --sarif out.sarif`

// maxInventoryLimitScale bounds --inventory-limit-scale: 1,000 times the
// defaults is 8 TiB decompressed and 2 billion buckets, beyond any real
// organization; a larger value is a typo, not a bigger inventory.
const maxInventoryLimitScale = 1000

type evaluateFlags struct {
	report     reportFlags
	inventory  string
	limitScale int
}

func newEvaluateCommand(stdout, stderr io.Writer, rec *runRecord) *cobra.Command {
	f := &evaluateFlags{}
	cmd := &cobra.Command{
		Use:   "evaluate --inventory FILE",
		Short: "Evaluate the rules on a saved inventory snapshot, offline (no AWS calls)",
		Long: `Evaluate the rules on an inventory snapshot written by 'hoofprint scan --inventory'
and write the same reports a scan would. No AWS call is made: auditors, rule
authors and tests can re-run the rules on a night's snapshot as often as they like.`,
		Example: evaluateExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.report.finish(stderr); err != nil {
				return err
			}
			if f.inventory == "" {
				return usageErr("evaluate needs --inventory FILE (written by 'hoofprint scan --inventory FILE')")
			}
			if f.limitScale < 1 || f.limitScale > maxInventoryLimitScale {
				return usageErr("--inventory-limit-scale %d: want 1 to %d", f.limitScale, maxInventoryLimitScale)
			}
			if err := checkPaths(f.report.outputs(), append(f.report.inputs(), pathFlag{flag: "--inventory", path: f.inventory})); err != nil {
				return err
			}
			opts := f.report.pipelineOptions(stdout)
			if err := f.report.prepare(cmd.Context(), &opts); err != nil {
				return err
			}
			// One bucket at a time: an inventory of any size is evaluated
			// in bounded memory (docs/architecture.md).
			r, err := inventory.OpenLimited(f.inventory, inventory.DefaultLimits.Scale(f.limitScale))
			if err != nil {
				return usageErr("%v", err)
			}
			defer func() { _ = r.Close() }()
			if err := checkKeySecret(r.Header(), f.report.keySecret, f.report.logger); err != nil {
				return err
			}
			if !r.Header().ShowObjectKeys && f.report.showObjectKeys {
				f.report.logger.Warn("--show-object-keys has no effect: the inventory was collected without object keys")
			}
			inv, out, err := pipeline.EvaluateReader(cmd.Context(), r, opts)
			rec.observe(f.report.final, inv, out)
			return outcomeErr(err)
		},
	}
	cmd.Flags().StringVar(&f.inventory, "inventory", "", "inventory snapshot `FILE` (JSON, or gzip when compressed)")
	cmd.Flags().IntVar(&f.limitScale, "inventory-limit-scale", 1, "multiply the inventory input limits by `N`, 1 to 1,000 (8 GiB decompressed, 256 MiB per record, 2,000,000 buckets, 100,000 objects per bucket…; docs/security.md) for a trusted, very large inventory")
	f.report.register(cmd.Flags())
	return cmd
}

// checkKeySecret compares the secret the inventory's keys were hashed with
// (by its ID) with this run's. Evaluation itself never hashes a key (the
// inventory holds the hashes), but reports compared with reports made with
// another secret would silently disagree, so a mismatch with a secret given
// on the command line or in the environment is an error, and with the local
// default a warning.
func checkKeySecret(inv *inventory.Snapshot, k keySecretFlags, log *slog.Logger) error {
	kh := inv.KeyHashing
	if kh == nil || kh.Algorithm != inventory.KeyHashHMAC {
		log.Warn("the inventory's object keys were hashed without a secret (made before keyed hashing, or by a test): a list of likely keys can reverse them; re-scan to hash them with a secret")
		return nil
	}
	_, env := os.LookupEnv(keySecretEnv)
	explicit := k.file != "" || env
	secret, err := k.resolve()
	if err != nil {
		if explicit {
			return usageErr("%v", err)
		}
		return nil
	}
	if got := secret.hasher.SecretID(); got != kh.SecretID {
		msg := fmt.Sprintf("the inventory's object keys were hashed with key secret %s, but the secret from %s is %s: key hashes and fingerprints will not match reports made with it; pass the scan's secret with --key-secret-file or $%s", kh.SecretID, secret.source, got, keySecretEnv)
		if explicit {
			return usageErr("%s", msg)
		}
		log.Warn(msg)
	}
	return nil
}
