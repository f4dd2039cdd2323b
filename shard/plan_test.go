package shard

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hoofprint/hoofprint/scanner"
)

func orgMap(buckets map[string]int) *scanner.OrgMap {
	m := &scanner.OrgMap{Buckets: map[string][]scanner.ListedBucket{}}
	for id, n := range buckets {
		m.Buckets[id] = make([]scanner.ListedBucket, n)
	}
	return m
}

func TestBalance(t *testing.T) {
	for _, tc := range []struct {
		name    string
		buckets map[string]int
		n       int
		want    [][]string
	}{
		{"one shard takes all", map[string]int{"a": 3, "b": 0}, 1, [][]string{{"a", "b"}}},
		{"largest first, to the lightest shard", map[string]int{"a": 10, "b": 6, "c": 5, "d": 1}, 2, [][]string{{"a", "d"}, {"b", "c"}}},
		{"more shards than accounts", map[string]int{"a": 1}, 3, [][]string{{"a"}, {}, {}}},
		{"empty accounts still cost", map[string]int{"a": 0, "b": 0, "c": 0, "d": 0}, 2, [][]string{{"a", "c"}, {"b", "d"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Balance(orgMap(tc.buckets), tc.n)
			var ids [][]string
			for _, s := range got {
				ids = append(ids, s.Accounts)
			}
			if !slices.EqualFunc(ids, tc.want, slices.Equal) {
				t.Fatalf("Balance = %v, want %v", ids, tc.want)
			}
		})
	}
}

// Every account lands in exactly one shard, and the heaviest shard stays
// within the LPT bound (4/3 of the best split, plus one account).
func TestBalanceCoversEveryAccountOnce(t *testing.T) {
	buckets := map[string]int{}
	total := 0
	for i := range 1000 {
		n := (i * 7919) % 37
		buckets[fmt.Sprintf("%012d", i)] = n
		total += n + 1
	}
	const n = 16
	seen := map[string]int{}
	heaviest := 0
	for _, s := range Balance(orgMap(buckets), n) {
		w := 0
		for _, a := range s.Accounts {
			seen[a]++
			w += buckets[a] + 1
		}
		heaviest = max(heaviest, w)
	}
	if len(seen) != len(buckets) {
		t.Fatalf("%d accounts in shards, want %d", len(seen), len(buckets))
	}
	for a, c := range seen {
		if c != 1 {
			t.Fatalf("account %s is in %d shards", a, c)
		}
	}
	if bound := total*4/(3*n) + 38; heaviest > bound {
		t.Fatalf("heaviest shard %d, bound %d (average %d)", heaviest, bound, total/n)
	}
}

func TestParseShardAndBatchEnv(t *testing.T) {
	for _, tc := range []struct {
		in      string
		k, n    int
		wantErr bool
	}{
		{"0/8", 0, 8, false}, {"7/8", 7, 8, false}, {"8/8", 0, 0, true}, {"-1/8", 0, 0, true},
		{"1", 0, 0, true}, {"a/b", 0, 0, true}, {"0/0", 0, 0, true},
	} {
		k, n, err := ParseShard(tc.in)
		if (err != nil) != tc.wantErr || k != tc.k || n != tc.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v", tc.in, k, n, err)
		}
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, _, ok, err := FromBatchEnv(env(nil)); ok || err != nil {
		t.Errorf("no array job: ok=%v err=%v", ok, err)
	}
	if k, n, ok, err := FromBatchEnv(env(map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "3", "AWS_BATCH_JOB_ARRAY_SIZE": "4"})); !ok || err != nil || k != 3 || n != 4 {
		t.Errorf("array job: %d/%d ok=%v err=%v", k, n, ok, err)
	}
	if _, _, _, err := FromBatchEnv(env(map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "3"})); err == nil {
		t.Error("an index without a size is accepted")
	}
	if a := Attempt(env(map[string]string{"AWS_BATCH_JOB_ATTEMPT": "2"})); a != 2 {
		t.Errorf("Attempt = %d", a)
	}
	if a := Attempt(env(nil)); a != 1 {
		t.Errorf("Attempt without AWS Batch = %d", a)
	}
}
