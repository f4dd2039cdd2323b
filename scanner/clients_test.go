package scanner

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
)

// clientWatch is a Sink that records, as each bucket arrives, which
// accounts still hold S3 clients.
type clientWatch struct {
	s  *scan
	mu sync.Mutex
	// held lists, per bucket, the accounts other than the bucket's own
	// that had S3 clients when the bucket was handed over.
	held    map[string][]string
	buckets map[string]inventory.Bucket
}

func (w *clientWatch) Map(context.Context, *inventory.Snapshot) error {
	// Phase one is over: every account's mapping has let its clients go.
	w.mu.Lock()
	defer w.mu.Unlock()
	w.held["(map)"] = w.withClients("")
	return nil
}

func (w *clientWatch) Bucket(_ context.Context, _ int, b *inventory.Bucket) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.held[b.Name] = w.withClients(b.AccountID)
	w.buckets[b.Name] = *b
	return nil
}

func (w *clientWatch) withClients(except string) []string {
	var ids []string
	for id, a := range w.s.byID {
		a.mu.Lock()
		// Holds alone are not checked: the stream starts the next
		// account (a hold, no client yet) while the slot is taken.
		if id != except && a.s3Clients != nil {
			ids = append(ids, id)
		}
		a.mu.Unlock()
	}
	return ids
}

// HealthCorp's tools account (222222222222) owns the public-read objects
// in dev's and prod's site buckets, and its own buckets come first (the
// stream goes by account ID). One bucket at a time, tools' buckets are
// done, and its clients and credentials dropped, long before dev's and
// prod's are sampled: the owner's role must be assumed again (once) and
// its clients built again for those reads, with no denied first attempt
// by the bucket owner and no gap.
func TestAnOwnerWhoseBucketsAreDoneStillReadsItsObjectsACLs(t *testing.T) {
	const tools = "222222222222"
	sc := scenario.HealthCorp()
	emu, err := emulator.Start(t.Context(), sc, emulator.Options{})
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	base, err := awsclient.Load(t.Context(), awsclient.Options{
		EndpointURL: emu.URL(), Region: "us-east-1", RoleName: sc.MemberRoleName,
		Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()},
	})
	if err != nil {
		t.Fatalf("awsclient.Load: %v", err)
	}
	w := &clientWatch{held: map[string][]string{}, buckets: map[string]inventory.Bucket{}}
	s, snap, err := newScan(t.Context(), base, Options{Seed: 1, AccountConcurrency: 1, BucketConcurrency: 1, Sink: w})
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	maps := s.mapOrganization(t.Context(), snap, s.discover(t.Context(), snap))
	if err := s.streamBuckets(t.Context(), snap, maps); err != nil {
		t.Fatal(err)
	}
	snap, err = s.finish(t.Context(), snap, nil)
	if err != nil {
		t.Fatal(err)
	}

	if len(snap.Coverage.Gaps) != 0 {
		t.Errorf("gaps %+v", snap.Coverage.Gaps)
	}
	for name, ids := range w.held {
		if len(ids) != 0 {
			t.Errorf("when %s was handed over, accounts %v still held S3 clients", name, ids)
		}
	}
	for _, a := range s.byID {
		if a.s3Clients != nil || a.holds != 0 {
			t.Errorf("account %s still holds %d clients (%d holds) after the scan", a.id, len(a.s3Clients), a.holds)
		}
	}
	toolsCanonical := ""
	for _, a := range snap.Accounts {
		if a.ID == tools {
			toolsCanonical = a.CanonicalUserID
		}
	}
	for _, name := range []string{"healthcorp-dev-site", "healthcorp-prod-site"} {
		b, ok := w.buckets[name]
		if !ok {
			t.Fatalf("%s not collected", name)
		}
		n := 0
		for _, o := range b.Objects.Objects {
			if o.OwnerCanonicalID != toolsCanonical {
				continue
			}
			n++
			if o.ACLStatus != inventory.ACLStatusRead || o.ACLReadByAccountID != tools {
				t.Errorf("%s/%s: ACL %q read by %q, want read by tools", name, o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
			}
		}
		if n == 0 {
			t.Fatalf("%s: no tools-owned object sampled", name)
		}
		if b.Objects.ACLsRequested != 0 || b.Objects.ACLsReadByObjectOwner != n {
			t.Errorf("%s: %d bucket-owner ACL calls, %d of %d read by the owner; want 0 and all", name, b.Objects.ACLsRequested, b.Objects.ACLsReadByObjectOwner, n)
		}
	}
	// One AssumeRole per member account scanned (tools, dev, prod), and
	// one more into tools, for its objects once its own buckets were done.
	assumed := map[string]int{}
	for _, r := range emu.RequestLog() {
		if r.Service == "sts" && r.Operation == "AssumeRole" {
			assumed[r.Target]++
		}
	}
	for _, a := range snap.Accounts {
		want := 0
		switch {
		case a.ID == tools:
			want = 2
		case a.Scanned && a.ID != base.Caller.AccountID:
			want = 1
		}
		if assumed[a.ID] != want {
			t.Errorf("%d AssumeRole calls into %s, want %d", assumed[a.ID], a.ID, want)
		}
	}
	// Every account is done: none holds a session but tools, assumed
	// again after it was done.
	for id, a := range s.byID {
		a.mu.Lock()
		if held := a.creds != nil; held != (id == tools) {
			t.Errorf("account %s holds credentials: %v", id, held)
		}
		a.mu.Unlock()
	}
}
