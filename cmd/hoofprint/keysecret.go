package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hoofprint/hoofprint/inventory"
)

// keySecretEnv holds the key secret itself: on ECS the task definition
// injects it from Secrets Manager (deploy/cloudformation/scanner-account.yaml).
const keySecretEnv = "HOOFPRINT_KEY_SECRET"

// minSecretLen is the shortest secret accepted: 16 bytes is 128 bits when
// random, and rules out a password typed in by hand.
const minSecretLen = 16

// keySecretFlags say where the key secret comes from.
type keySecretFlags struct {
	file string
	// ephemeral, set before register, says that without --key-secret-file
	// or $HOOFPRINT_KEY_SECRET the command hashes with a fresh random
	// secret of its own (demo) instead of the local default file, and the
	// flag's help says so.
	ephemeral bool
}

func (k *keySecretFlags) register(fs *pflag.FlagSet) {
	def := "a secret created once in your user config directory"
	if k.ephemeral {
		def = "a fresh random secret for this run only (so the hashes differ from run to run)"
	}
	fs.StringVar(&k.file, "key-secret-file", "", "`FILE` holding the secret that object keys are hashed with (HMAC-SHA256); default: $"+keySecretEnv+", else "+def)
}

// keySecret is a resolved secret and where it came from.
type keySecret struct {
	hasher inventory.KeyHasher
	source string
}

// resolve finds the key secret: --key-secret-file, then $HOOFPRINT_KEY_SECRET,
// then the local default file under os.UserConfigDir. A missing secret is
// an error: only scan and plan create the local one (lookup, createLocal).
func (k keySecretFlags) resolve() (keySecret, error) {
	ks, found, err := k.lookup()
	if err != nil || found {
		return ks, err
	}
	path, _ := defaultSecretPath()
	return keySecret{}, fmt.Errorf("no key secret: pass --key-secret-file or $%s (the one the scan used), or run a scan once on this machine to create %s", keySecretEnv, path)
}

// lookup is resolve without creating anything: found is false when the
// only missing piece is the local default file, which a command creates
// once its credentials work (a first run that fails on them leaves no
// secret behind, and says nothing about one).
func (k keySecretFlags) lookup() (ks keySecret, found bool, err error) {
	if k.file != "" {
		b, err := os.ReadFile(k.file)
		if err != nil {
			return keySecret{}, false, fmt.Errorf("--key-secret-file: %w", err)
		}
		ks, err := fromBytes(b, "--key-secret-file "+k.file)
		return ks, err == nil, err
	}
	if v, ok := os.LookupEnv(keySecretEnv); ok {
		ks, err := fromBytes([]byte(v), "$"+keySecretEnv)
		return ks, err == nil, err
	}
	path, err := defaultSecretPath()
	if err != nil {
		return keySecret{}, false, fmt.Errorf("no --key-secret-file or $%s, and no user config directory for a local secret: %w", keySecretEnv, err)
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		ks, err := fromBytes(b, path)
		return ks, err == nil, err
	case !errors.Is(err, fs.ErrNotExist):
		return keySecret{}, false, fmt.Errorf("read the local key secret: %w", err)
	}
	return keySecret{}, false, nil
}

// createLocal creates the local default secret (0600), or reads the one
// another first run created a moment before.
func (k keySecretFlags) createLocal(log *slog.Logger) (keySecret, error) {
	path, err := defaultSecretPath()
	if err != nil {
		return keySecret{}, fmt.Errorf("no --key-secret-file or $%s, and no user config directory for a local secret: %w", keySecretEnv, err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return keySecret{}, err
	}
	text := hex.EncodeToString(secret) + "\n"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return keySecret{}, fmt.Errorf("create the local key secret: %w", err)
	}
	// O_EXCL: two first runs at once must not overwrite each other's secret.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return k.resolve()
	}
	if err != nil {
		return keySecret{}, fmt.Errorf("create the local key secret: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close()
		return keySecret{}, fmt.Errorf("create the local key secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return keySecret{}, fmt.Errorf("create the local key secret: %w", err)
	}
	ks, err := fromBytes([]byte(text), path)
	if err == nil {
		log.Warn("created a key secret for hashing object keys; keep it to resolve hashes later ('hoofprint keys resolve') and pass it with --key-secret-file on other machines", "path", path, "secret_id", ks.hasher.SecretID())
	}
	return ks, err
}

func fromBytes(b []byte, source string) (keySecret, error) {
	s := strings.TrimSpace(string(b))
	if len(s) < minSecretLen {
		return keySecret{}, fmt.Errorf("key secret from %s is %d bytes: want at least %d (e.g. openssl rand -hex 32)", source, len(s), minSecretLen)
	}
	return keySecret{hasher: inventory.NewKeyHasher([]byte(s)), source: source}, nil
}

// defaultSecretPath is the local secret: $XDG_CONFIG_HOME/hoofprint/key-secret
// on Linux, ~/Library/Application Support/hoofprint/key-secret on macOS.
func defaultSecretPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "hoofprint", "key-secret"), nil
}
