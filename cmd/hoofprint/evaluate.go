package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
)

const evaluateExample = `  # Re-run the rules offline on last night's inventory, with your own rules too
  hoofprint evaluate --inventory inventory.json.gz --rules ./my-rules --sarif out.sarif`

type evaluateFlags struct {
	report    reportFlags
	inventory string
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
			opts := f.report.pipelineOptions(stdout)
			if err := f.report.prepare(cmd.Context(), &opts); err != nil {
				return err
			}
			// One bucket at a time: an inventory of any size is evaluated
			// in bounded memory (docs/architecture.md).
			r, err := inventory.Open(f.inventory)
			if err != nil {
				return usageErr("%v", err)
			}
			defer func() { _ = r.Close() }()
			if !r.Header().ShowObjectKeys && f.report.showObjectKeys {
				f.report.logger.Warn("--show-object-keys has no effect: the inventory was collected without object keys")
			}
			inv, out, err := pipeline.EvaluateReader(cmd.Context(), r, opts)
			rec.observe(f.report.final, inv, out)
			return outcomeErr(err)
		},
	}
	cmd.Flags().StringVar(&f.inventory, "inventory", "", "inventory snapshot `FILE` (JSON, or gzip when compressed)")
	f.report.register(cmd.Flags())
	return cmd
}
