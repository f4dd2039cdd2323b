package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
)

// emulatorEnv starts the HealthCorp emulator and points the AWS SDK's
// environment at it, with an empty user config directory.
func emulatorEnv(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	pointAWSAt(t, emu)
	// No secret from the environment: the scan must create the local one.
	t.Setenv(keySecretEnv, "")
	if err := os.Unsetenv(keySecretEnv); err != nil {
		t.Fatal(err)
	}
	return emu, sc.MemberRoleName
}

// Issue 10 item 1, end to end: object keys are hashed with HMAC-SHA256 and a
// secret (created once, 0600, in the user config directory when none is
// given); the inventory records the secret's ID; 'keys resolve' finds the
// key behind a hash with the caller's credentials; evaluating with another
// secret says so.
func TestKeyHashesAreKeyedAndResolvable(t *testing.T) {
	emu, role := emulatorEnv(t)
	dir := t.TempDir()
	invPath := filepath.Join(dir, "inv.json")
	var so, se bytes.Buffer
	code := run(t.Context(), []string{"scan", "--endpoint-url", emu.URL(), "--role-name", role, "--inventory", invPath, "--show-object-keys", "-q"}, &so, &se)
	if code != exitOK && code != exitIncomplete {
		t.Fatalf("scan exited %d\n%s", code, se.String())
	}
	secretPath, _ := defaultSecretPath()
	fi, err := os.Stat(secretPath)
	if err != nil {
		t.Fatalf("no local key secret was created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("local key secret mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(se.String(), secretPath) {
		t.Errorf("the log does not say where the secret was created:\n%s", se.String())
	}
	secretText, _ := os.ReadFile(secretPath)
	secret := strings.TrimSpace(string(secretText))
	if strings.Contains(se.String(), secret) {
		t.Error("the secret itself was logged")
	}

	inv, err := inventory.ReadFile(invPath)
	if err != nil {
		t.Fatal(err)
	}
	if inv.KeyHashing == nil || inv.KeyHashing.Algorithm != inventory.KeyHashHMAC || inv.KeyHashing.SecretID != inventory.NewKeyHasher([]byte(secret)).SecretID() {
		t.Fatalf("keyHashing = %+v, want hmac-sha256 with the secret's ID", inv.KeyHashing)
	}
	if b, _ := os.ReadFile(invPath); bytes.Contains(b, []byte(secret)) {
		t.Fatal("the inventory holds the secret")
	}
	var bucket, key, hash, owner string
	for _, b := range inv.Buckets {
		for _, o := range b.Objects.Objects {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(b.Name + "/" + o.Key))
			want := "hmac:" + hex.EncodeToString(m.Sum(nil)[:16])
			if o.KeyHash != want {
				t.Fatalf("%s/%s: keyHash %s, want HMAC-SHA256 %s", b.Name, o.Key, o.KeyHash, want)
			}
			if o.KeyHash == inventory.HashKey(b.Name, o.Key) {
				t.Fatal("the key hash is the unkeyed one")
			}
			if strings.Contains(o.Key, "jane-doe") {
				bucket, key, hash, owner = b.Name, o.Key, o.KeyHash, b.AccountID
			}
		}
	}
	if hash == "" {
		t.Fatal("the HealthCorp sample has no jane-doe object")
	}

	// The person who must fix it resolves the hash with the credentials of
	// the bucket's account (a second emulator of the same organization,
	// whose caller is that account).
	sc := scenario.HealthCorp()
	var ownerName string
	for _, a := range sc.Accounts {
		if a.ID == owner {
			ownerName = a.Name
		}
	}
	emu, err = emulator.Start(t.Context(), sc, emulator.Options{CallerAccount: ownerName})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	t.Setenv("AWS_ACCESS_KEY_ID", emu.CallerCredentials().AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", emu.CallerCredentials().SecretAccessKey)
	so.Reset()
	se.Reset()
	code = run(t.Context(), []string{"keys", "resolve", "--endpoint-url", emu.URL(), "--bucket", bucket, hash}, &so, &se)
	if code != exitOK || so.String() != hash+"\t"+key+"\n" {
		t.Fatalf("keys resolve exited %d printing %q, want %q\n%s", code, so.String(), hash+"\t"+key+"\n", se.String())
	}
	// With another secret, the hash is not found, and the message says why.
	other := filepath.Join(t.TempDir(), "other")
	if err := os.WriteFile(other, []byte("another-secret-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	so.Reset()
	se.Reset()
	code = run(t.Context(), []string{"keys", "resolve", "--endpoint-url", emu.URL(), "--key-secret-file", other, "--bucket", bucket, hash}, &so, &se)
	if code != exitIncomplete || !strings.Contains(se.String(), "another key secret") {
		t.Errorf("keys resolve with another secret exited %d\n%s%s", code, so.String(), se.String())
	}

	// evaluate with another secret says so instead of silently differing.
	se.Reset()
	code = run(t.Context(), []string{"evaluate", "--inventory", invPath, "--key-secret-file", other, "-q"}, &so, &se)
	if code != exitUsage || !strings.Contains(se.String(), "hashed with key secret "+inv.KeyHashing.SecretID) {
		t.Errorf("evaluate with another secret exited %d\n%s", code, se.String())
	}
	// With the scan's secret (from the environment, as on ECS) it runs.
	t.Setenv(keySecretEnv, secret)
	se.Reset()
	if code := run(t.Context(), []string{"evaluate", "--inventory", invPath, "-q"}, &so, &se); code == exitUsage {
		t.Errorf("evaluate with the scan's secret exited %d\n%s", code, se.String())
	}
}

// Issue 10 item 3: an inventory made with --show-object-keys, evaluated
// without it, shows no key in any report or in the summary.
func TestEvaluateWithoutShowObjectKeysHidesKeysOfAnInventoryThatHasThem(t *testing.T) {
	emu, role := emulatorEnv(t)
	dir := t.TempDir()
	invPath := filepath.Join(dir, "inv.json")
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"scan", "--endpoint-url", emu.URL(), "--role-name", role, "--inventory", invPath, "--show-object-keys", "-q"}, &so, &se); code != exitOK && code != exitIncomplete {
		t.Fatalf("scan exited %d\n%s", code, se.String())
	}
	if b, _ := os.ReadFile(invPath); !bytes.Contains(b, []byte("jane-doe")) {
		t.Fatal("the inventory made with --show-object-keys has no jane-doe key")
	}
	so.Reset()
	se.Reset()
	code := run(t.Context(), []string{"evaluate", "--inventory", invPath, "--sarif", filepath.Join(dir, "o.sarif"), "--asff", filepath.Join(dir, "o.asff.json")}, &so, &se)
	if code == exitUsage {
		t.Fatalf("evaluate exited %d\n%s", code, se.String())
	}
	for _, name := range []string{"o.sarif", "o.asff.json"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); bytes.Contains(b, []byte("jane-doe")) {
			t.Errorf("%s shows an object key without --show-object-keys", name)
		}
	}
	if strings.Contains(so.String()+se.String(), "jane-doe") {
		t.Errorf("the summary or the log shows an object key without --show-object-keys")
	}
}

// TestAFirstRunWithoutCredentialsCreatesNoKeySecret: scan and plan create
// the local key secret, and announce it, only once the credentials work.
// A first run that failed on them left a secret (and a warning about it)
// behind.
func TestAFirstRunWithoutCredentialsCreatesNoKeySecret(t *testing.T) {
	emu := startEmulator(t, scenario.HealthCorp(), emulator.Options{})
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"scan", []string{"scan", "--endpoint-url", emu.URL(), "--role-name", scenario.HealthCorp().MemberRoleName, "-q", "--sarif", filepath.Join(dir, "out.sarif")}},
		{"plan", []string{"plan", "--endpoint-url", emu.URL(), "--role-name", scenario.HealthCorp().MemberRoleName, "-q", "--output", filepath.Join(dir, "runs"), "--shards", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pointAWSAt(t, emu) // a config directory of its own
			t.Setenv(keySecretEnv, "")
			_ = os.Unsetenv(keySecretEnv) // restored by t.Setenv's cleanup
			path, err := defaultSecretPath()
			if err != nil {
				t.Fatal(err)
			}

			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			var so, se bytes.Buffer
			if code := run(t.Context(), tc.args, &so, &se); code != exitUsage || !strings.Contains(se.String(), "no AWS credentials found") {
				t.Fatalf("without credentials: exit %d, want %d saying so\n%s", code, exitUsage, se.String())
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a run that failed on its credentials left a key secret at %s (stat: %v)", path, err)
			}
			if strings.Contains(se.String(), "created a key secret") {
				t.Errorf("a run that failed on its credentials announced a key secret:\n%s", se.String())
			}

			// With credentials, the first run creates it and says where.
			creds := emu.CallerCredentials()
			t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
			t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
			se.Reset()
			if code := run(t.Context(), tc.args, &so, &se); code == exitUsage {
				t.Fatalf("with credentials: exit %d\n%s", code, se.String())
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the first run with credentials created no key secret: %v", err)
			}
			if !strings.Contains(se.String(), "created a key secret") {
				t.Errorf("the first run did not say it created a key secret:\n%s", se.String())
			}
		})
	}
}
