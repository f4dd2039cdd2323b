package scanner_test

import (
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

const encryptionScenario = `
name: encryption
organization: {managementAccount: root}
accounts:
  - {name: root, id: "100000000011"}
  - {name: web, id: "100000000012"}
buckets:
  - name: enc-default
    account: web
  - name: enc-kms
    account: web
    encryption: {sseAlgorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:${account:web}:key/11111111-2222-3333-4444-555555555555", bucketKeyEnabled: true}
  - name: enc-managed
    account: root
    encryption: {sseAlgorithm: "aws:kms"}
`

// TestDefaultEncryptionIsCollected: GetBucketEncryption's rule is kept as
// S3 gives it (SSE-S3 for a bucket nobody configured, the SSE-KMS key ARN
// and bucket key otherwise), and an unreadable one is a gap, not SSE-S3.
func TestDefaultEncryptionIsCollected(t *testing.T) {
	sc, err := scenario.Parse([]byte(encryptionScenario))
	must(t, err)
	emu := startEmulator(t, sc, emulator.Options{})
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1})

	want := map[string]inventory.EncryptionRule{
		"enc-default": {SSEAlgorithm: inventory.SSEAES256},
		"enc-kms":     {SSEAlgorithm: inventory.SSEKMS, KMSMasterKeyID: "arn:aws:kms:us-east-1:100000000012:key/11111111-2222-3333-4444-555555555555", BucketKeyEnabled: true},
		"enc-managed": {SSEAlgorithm: inventory.SSEKMS},
	}
	for name, rule := range want {
		b := bucket(t, snap, name)
		if b.Encryption == nil || !b.Encryption.Configured || len(b.Encryption.Rules) != 1 || b.Encryption.Rules[0] != rule {
			t.Errorf("%s: encryption %+v, want one rule %+v", name, b.Encryption, rule)
		}
	}

	emu.SetFaults([]emulator.FaultRule{{Account: "100000000012", Service: "s3", Operation: "GetBucketEncryption", AccessDenied: true}})
	snap = scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1})
	if b := bucket(t, snap, "enc-kms"); b.Encryption != nil {
		t.Errorf("a denied GetBucketEncryption gave %+v; want nil (unknown)", b.Encryption)
	}
	if !hasGap(snap, "100000000012", "s3", "GetBucketEncryption", "AccessDenied") {
		t.Errorf("no GetBucketEncryption AccessDenied gap: %+v", snap.Coverage.Gaps)
	}
	if b := bucket(t, snap, "enc-managed"); b.Encryption == nil {
		t.Error("the other account's encryption was lost with the denied one")
	}
}
