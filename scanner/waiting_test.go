package scanner

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestBucketListsWaitOnDiskAndComeBackWhole(t *testing.T) {
	created := time.Date(2024, 3, 1, 12, 30, 0, 123456789, time.UTC)
	lists := map[string][]ListedBucket{
		"111111111111": {{Name: "a-logs", Region: "us-east-1", CreationDate: created}, {Name: "b-site", Region: "eu-west-1"}},
		"222222222222": nil, // no bucket: nothing to park
		"333333333333": {{Name: "c"}},
	}
	tests := []struct {
		name   string
		tmpdir func(t *testing.T) string
		onDisk bool
	}{
		{"in a temporary file", func(t *testing.T) string { return t.TempDir() }, true},
		// A file that cannot be written costs memory, never a list.
		{"in memory when no file can be made", func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := tt.tmpdir(t)
			t.Setenv("TMPDIR", tmp)
			w := newWaitingLists(slog.New(slog.DiscardHandler))
			var maps []*accountScan
			for _, id := range []string{"111111111111", "222222222222", "333333333333"} {
				maps = append(maps, &accountScan{id: id, listed: lists[id]})
			}
			w.park(maps)
			files, _ := filepath.Glob(filepath.Join(tmp, ".hoofprint-buckets-*"))
			if got := len(files) == 1; got != tt.onDisk {
				t.Fatalf("files %v, want one: %v", files, tt.onDisk)
			}
			if tt.onDisk {
				if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: %v, %v; want a 0600 file", files[0], fi, err)
				}
				if maps[0].listed != nil || maps[0].parked.n == 0 {
					t.Errorf("account 1's list is still in memory (%d) or not parked (%+v)", len(maps[0].listed), maps[0].parked)
				}
			}
			for _, a := range maps {
				got, err := w.take(a)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(lists[a.id]) || (len(got) > 0 && !reflect.DeepEqual(got, lists[a.id])) {
					t.Errorf("account %s: got %+v, want %+v", a.id, got, lists[a.id])
				}
				if a.listed != nil || a.parked != (listSpan{}) {
					t.Errorf("account %s: the list is still held after take", a.id)
				}
			}
			w.close()
			if left, _ := filepath.Glob(filepath.Join(tmp, ".hoofprint-buckets-*")); len(left) != 0 {
				t.Errorf("close left %v", left)
			}
		})
	}
}
