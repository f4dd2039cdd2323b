package rules

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// TestRemediationCLIIsAShellCommandLine checks that every rule's
// remediation_cli can be pasted into a shell: bash parses it (-n: syntax
// only, nothing runs) and every command of the line is the AWS CLI. Notes
// for the reader belong in remediation, not after the command.
func TestRemediationCLIIsAShellCommandLine(t *testing.T) {
	bash := testutil.RequireTool(t, "bash", "apt-get install bash")
	for _, r := range loadEmbedded(t).Rules() {
		t.Run(r.ID, func(t *testing.T) {
			cli := strings.TrimSpace(r.RemediationCLI)
			if out, err := exec.CommandContext(t.Context(), bash, "-n", "-c", cli).CombinedOutput(); err != nil {
				t.Fatalf("bash cannot parse remediation_cli %q: %v\n%s", cli, err, out)
			}
			for _, cmd := range strings.Split(cli, "&&") {
				if cmd = strings.TrimSpace(cmd); !strings.HasPrefix(cmd, "aws ") {
					t.Errorf("command %q of remediation_cli is not the AWS CLI", cmd)
				}
			}
		})
	}
}
