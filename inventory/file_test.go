package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sample() *Snapshot {
	return &Snapshot{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "hoofprint", Version: "test"},
		StartedAt:     time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC),
		Partition:     "aws",
		Accounts:      []Account{{ID: "111111111111", Scanned: true}},
		Buckets: []Bucket{{Name: "b", ARN: "arn:aws:s3:::b", AccountID: "111111111111", Region: "us-east-1",
			Objects: ObjectSample{Objects: []Object{{KeyHash: HashKey("b", "patients/x.pdf"), KeyPrefix: KeyPrefix("patients/x.pdf"), ACLStatus: ACLStatusRead}}}}},
		Coverage: Coverage{Complete: true},
	}
}

func TestWriteFileReadFileRoundTrips(t *testing.T) {
	for _, name := range []string{"inv.json", "inv.json.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := WriteFile(path, sample()); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Buckets[0].Objects.Objects[0].KeyHash != HashKey("b", "patients/x.pdf") {
				t.Errorf("round trip lost the object: %+v", got.Buckets[0].Objects)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("inventory mode %v, want 0600 (it can hold object keys)", fi.Mode().Perm())
			}
		})
	}
}

func TestReadFileRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json.gz")
	if err := WriteFile(good, sample()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	corrupt := append([]byte(nil), b...)
	corrupt[len(corrupt)-6] ^= 0xff // inside the gzip CRC trailer
	// A record whose "name" was misspelt decodes to a bucket without one.
	s := sample()
	if len(s.Buckets) == 0 {
		t.Fatal("the sample has no bucket")
	}
	s.Buckets[0].Name = ""
	nameless := filepath.Join(dir, "nameless.json")
	if err := WriteFile(nameless, s); err != nil {
		t.Fatal(err)
	}
	unnamed, _ := os.ReadFile(nameless)
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"a gzip file whose checksum does not match", corrupt, "gzip"},
		{"a file of another schema version", []byte(`{"schemaVersion":"hoofprint.inventory/v0"}`), `schema "hoofprint.inventory/v0" is not supported`},
		{"a file that is not JSON", []byte("accounts: []"), "not a hoofprint inventory (neither JSON nor gzip)"},
		{"an empty file", nil, "the file is empty"},
		{"another tool's JSON", []byte(`{"version":"2.1.0","runs":[]}`), "no schemaVersion: not a hoofprint inventory"},
		{"a bucket record without a name", unnamed, "bucket 1 has no name"},
		{"a v1 bucket without an account", []byte(`{"schemaVersion":"hoofprint.inventory/v1","buckets":[{"name":"b1"}]}`), "bucket 1 (b1) has no accountId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("ReadFile = %v, want an error naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

func TestHashKeyIsStableAndBucketScoped(t *testing.T) {
	a, b := HashKey("b1", "index.html"), HashKey("b2", "index.html")
	if a == b {
		t.Errorf("the same key in two buckets hashes the same: %s", a)
	}
	if HashKey("b1", "index.html") != a || !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+16 {
		t.Errorf("HashKey not stable or not of the documented form: %s", a)
	}
	if KeyPrefix("patients/jane/x.pdf") != "patients/" || KeyPrefix("index.html") != "" {
		t.Errorf("KeyPrefix wrong")
	}
}
