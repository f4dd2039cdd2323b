package shard

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckNewRunRefusesAFolderWithAPlan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs", "nightly-1")
	store, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A folder that does not exist yet is a new run.
	if err := CheckNewRun(t.Context(), store); err != nil {
		t.Fatalf("a new run folder: %v", err)
	}
	if err := WritePlan(t.Context(), store, &Plan{SchemaVersion: PlanSchemaVersion}); err != nil {
		t.Fatal(err)
	}
	err = CheckNewRun(t.Context(), store)
	if !errors.Is(err, ErrRunExists) {
		t.Fatalf("a folder with a plan: got %v, want ErrRunExists", err)
	}
	if want := filepath.Join(dir, PlanName); !strings.Contains(err.Error(), want) {
		t.Errorf("the error does not name the plan %s: %v", want, err)
	}
}
