package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStreamWritesOneLinePerBucketBetweenHeaderAndTrailer(t *testing.T) {
	s := sample()
	s.Buckets = append(s.Buckets, Bucket{Name: "c", ARN: "arn:aws:s3:::c", AccountID: "111111111111"})
	s.Coverage = Coverage{Complete: false, Interrupted: "SIGTERM", Gaps: []Gap{{AccountID: "111111111111", Service: "s3", Operation: "GetBucketPolicy", Code: "AccessDenied"}}}
	var buf bytes.Buffer
	if err := Encode(&buf, s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want header + 2 buckets + trailer:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], `"schemaVersion":"hoofprint.inventory/v2"`) || !strings.Contains(lines[0], `"buckets":[]`) {
		t.Errorf("header = %s", lines[0])
	}
	if !strings.HasPrefix(lines[1], `{"bucket":{"name":"b"`) || !strings.HasPrefix(lines[3], `{"trailer":{`) || !strings.Contains(lines[3], `"buckets":2`) {
		t.Errorf("records = %v", lines[1:])
	}

	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, b.Name)
	}
	if strings.Join(names, ",") != "b,c" {
		t.Errorf("buckets read = %v", names)
	}
	h := r.Header()
	if h.Coverage.Interrupted != "SIGTERM" || len(h.Coverage.Gaps) != 1 || h.Coverage.Complete {
		t.Errorf("coverage after the trailer = %+v, want the trailer's", h.Coverage)
	}
}

func TestStreamRefusesACutOrPaddedFile(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	tests := []struct {
		name, content, want string
	}{
		{"no trailer", lines[0] + lines[1], "without its trailer"},
		{"a bucket lost", lines[0] + lines[2], "trailer counts 1 buckets but the file holds 0"},
		{"data after the trailer", buf.String() + lines[1], "after the last record"},
		{"an unknown record", lines[0] + `{"other":{}}` + "\n", "neither a bucket nor the trailer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestVersion1SnapshotsStillLoad(t *testing.T) {
	s := sample()
	s.SchemaVersion = SchemaVersionV1
	v1, err := jsonIndent(s)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(path, v1, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != SchemaVersionV1 || len(got.Buckets) != 1 || got.Buckets[0].Objects.Objects[0].KeyHash != s.Buckets[0].Objects.Objects[0].KeyHash || !got.Coverage.Complete {
		t.Errorf("v1 snapshot read as %+v", got)
	}
}

func jsonIndent(s *Snapshot) ([]byte, error) {
	return json.MarshalIndent(s, "", "  ")
}
