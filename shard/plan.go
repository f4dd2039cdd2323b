// Package shard splits one scan of an organization over several processes
// or machines (AWS Batch array jobs) and merges the results back into the
// reports one scan would have written:
//
//   - Plan: phase one of the scan (the organization map) once, and the
//     mapped accounts divided into N shards of about equal bucket counts;
//   - RunShard: phase two on one shard's accounts, with the whole map, so
//     that object owners, origins and OAIs in other shards' accounts are
//     known; it writes the shard's inventory, its findings and, last, a
//     manifest that says both are whole;
//   - Merge: every shard's buckets and findings, the organization-level
//     rules and the reports. A shard whose manifest is missing or does not
//     match its files makes its accounts gaps.
//
// Everything lives in one run folder (Store): a local directory or an S3
// prefix.
package shard

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hoofprint/hoofprint/scanner"
)

// PlanSchemaVersion names the plan file's layout.
const PlanSchemaVersion = "hoofprint.plan/v1"

// PlanName is the plan's file name in the run folder.
const PlanName = "plan.json"

// Plan is what `hoofprint plan` writes: the organization map, the run's
// sampling settings and which accounts each shard scans.
type Plan struct {
	SchemaVersion string    `json:"schemaVersion"`
	RunID         string    `json:"runId"`
	CreatedAt     time.Time `json:"createdAt"`
	// SampleSize and ShowObjectKeys are the scan settings every shard
	// uses, so the shards sample and hash keys alike.
	SampleSize     int  `json:"sampleSize"`
	ShowObjectKeys bool `json:"showObjectKeys"`
	// NoAnonymousProbe turns the anonymous HEAD of sampled objects off in
	// every shard (--no-anonymous-probe).
	NoAnonymousProbe bool `json:"noAnonymousProbe,omitempty"`
	// SSEKMSKey is the KMS key of the run folder's objects in S3 ("" for
	// SSE-S3); the shards write theirs with it.
	SSEKMSKey string `json:"sseKmsKey,omitempty"`
	// Shards lists each shard's accounts; shard K is Shards[K].
	Shards []Shard `json:"shards"`
	// Map is phase one of the scan.
	Map *scanner.OrgMap `json:"organizationMap"`
}

// Shard is one shard's share of the organization.
type Shard struct {
	Accounts []string `json:"accounts"`
	// Buckets is how many buckets its accounts listed in phase one.
	Buckets int `json:"buckets"`
}

// Balance divides m's mapped accounts into n shards of about equal work.
// The work of an account is its bucket count plus one (an account without
// buckets still costs its credentials and its deadline); accounts are
// dealt out largest first, each to the shard with the least work so far
// (the LPT rule, within 4/3 of the best split). Account IDs break ties, so
// the same map always gives the same shards.
func Balance(m *scanner.OrgMap, n int) []Shard {
	type acct struct {
		id      string
		buckets int
	}
	var accts []acct
	for id, bs := range m.Buckets {
		accts = append(accts, acct{id, len(bs)})
	}
	slices.SortFunc(accts, func(a, b acct) int { return cmp.Or(cmp.Compare(b.buckets, a.buckets), cmp.Compare(a.id, b.id)) })
	shards := make([]Shard, n)
	work := make([]int, n)
	for _, a := range accts {
		k := 0
		for i := range work {
			if work[i] < work[k] {
				k = i
			}
		}
		shards[k].Accounts = append(shards[k].Accounts, a.id)
		shards[k].Buckets += a.buckets
		work[k] += a.buckets + 1
	}
	for i := range shards {
		slices.Sort(shards[i].Accounts)
		if shards[i].Accounts == nil {
			shards[i].Accounts = []string{}
		}
	}
	return shards
}

// NewRunID returns a run ID that sorts by time and does not collide:
// 20261201T120000Z-1a2b3c4d.
func NewRunID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// ParseShard parses "K/N" (--shard): K counts from 0 to N-1, as
// AWS_BATCH_JOB_ARRAY_INDEX does.
func ParseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(s, "/")
	if ok {
		k, err = strconv.Atoi(ks)
		if err == nil {
			n, err = strconv.Atoi(ns)
		}
	}
	if !ok || err != nil || n < 1 || k < 0 || k >= n {
		return 0, 0, fmt.Errorf("--shard %q: want K/N with 0 <= K < N, such as 0/8 for the first of 8 shards", s)
	}
	return k, n, nil
}

// FromBatchEnv reads the shard from an AWS Batch array job's environment:
// AWS_BATCH_JOB_ARRAY_INDEX (from 0) and AWS_BATCH_JOB_ARRAY_SIZE.
// ok is false when the index is not set (not an array job).
// https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
func FromBatchEnv(getenv func(string) string) (k, n int, ok bool, err error) {
	idx, size := getenv("AWS_BATCH_JOB_ARRAY_INDEX"), getenv("AWS_BATCH_JOB_ARRAY_SIZE")
	if idx == "" {
		return 0, 0, false, nil
	}
	if size == "" {
		return 0, 0, true, fmt.Errorf("AWS_BATCH_JOB_ARRAY_INDEX=%s is set but AWS_BATCH_JOB_ARRAY_SIZE is not: pass --shard K/N", idx)
	}
	k, n, err = ParseShard(idx + "/" + size)
	if err != nil {
		return 0, 0, true, fmt.Errorf("AWS_BATCH_JOB_ARRAY_INDEX=%s, AWS_BATCH_JOB_ARRAY_SIZE=%s: want 0 <= index < size", idx, size)
	}
	return k, n, true, nil
}

// Attempt reads AWS_BATCH_JOB_ATTEMPT (1 for the first try; 1 when unset).
func Attempt(getenv func(string) string) int {
	if n, err := strconv.Atoi(getenv("AWS_BATCH_JOB_ATTEMPT")); err == nil && n > 0 {
		return n
	}
	return 1
}

// File names of shard K of N in the run folder. A retried shard writes the
// same names, so it replaces its own output and nothing else.
func shardBase(k, n int) string     { return fmt.Sprintf("shard-%04d-of-%04d", k, n) }
func InventoryName(k, n int) string { return shardBase(k, n) + ".inventory.json.gz" }
func FindingsName(k, n int) string  { return shardBase(k, n) + ".findings.jsonl.gz" }
func ManifestName(k, n int) string  { return shardBase(k, n) + ".manifest.json" }
