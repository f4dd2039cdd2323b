// Command probe reports what an empty root offers a static binary: the
// empty-root test runs it beside hoofprint to prove the test's premise (no
// shell, no libc, CA certificates loadable, /tmp writable, not root).
package main

import (
	"crypto/x509"
	"encoding/json"
	"os"
)

func main() {
	pool, err := x509.SystemCertPool()
	certs := 0
	if err == nil {
		certs = len(pool.Subjects()) //nolint:staticcheck // a count is all we need
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	tmpErr := os.WriteFile("/tmp/probe", []byte("ok"), 0o600)
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{
		"uid":         os.Getuid(),
		"caCerts":     certs,
		"shell":       exists("/bin/sh"),
		"libc":        exists("/lib") || exists("/lib64") || exists("/usr/lib"),
		"tmpWritable": tmpErr == nil,
	})
}
