package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// TestPlanRefusesAReusedRunID: a second plan in a run folder would sit
// beside the first run's shard files, and merge would mix the two runs. A
// retried AWS Batch attempt of the plan job replaces its own plan.
func TestPlanRefusesAReusedRunID(t *testing.T) {
	sc := scenario.HealthCorp()
	emu, secret := guardEnv(t, sc)
	t.Setenv("AWS_BATCH_JOB_ATTEMPT", "")
	runs := t.TempDir()
	args := []string{"plan", "--output", runs, "--run-id", "nightly-1", "--shards", "2",
		"--endpoint-url", emu.URL(), "--role-name", sc.MemberRoleName, "--key-secret-file", secret, "-q"}
	plan := func() (int, string) {
		var so, se bytes.Buffer
		code := run(t.Context(), args, &so, &se)
		return code, se.String()
	}
	if code, stderr := plan(); code != exitOK {
		t.Fatalf("the first plan exited %d\n%s", code, stderr)
	}
	if !listedAccounts(emu) {
		t.Fatal("the first plan made no ListAccounts call: the check below would prove nothing")
	}
	emu.ResetRequests()
	code, stderr := plan()
	if want := filepath.Join(runs, "nightly-1", "plan.json") + ": the run folder already holds a plan"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("a second plan with the same --run-id: exit %d, want %d and %q\n%s", code, exitUsage, want, stderr)
	}
	if listedAccounts(emu) {
		t.Errorf("the organization was mapped again before the reused run ID was refused")
	}
	t.Setenv("AWS_BATCH_JOB_ATTEMPT", "2")
	if code, stderr := plan(); code != exitOK {
		t.Errorf("a retried Batch attempt of the plan exited %d, want 0\n%s", code, stderr)
	}
}

func listedAccounts(emu *emulator.Emulator) bool {
	for _, r := range emu.RequestLog() {
		if r.Operation == "ListAccounts" {
			return true
		}
	}
	return false
}
