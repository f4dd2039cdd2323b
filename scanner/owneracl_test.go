package scanner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// ownerACLs answers GetObjectAcl as the object owner would: it may read
// its own objects' ACLs. denied makes it answer AccessDenied instead (an
// SCP on the owner's role).
type ownerACLs struct {
	mu     sync.Mutex
	keys   []string
	denied bool
}

func (o *ownerACLs) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return nil, errors.New("an owner reader never lists")
}

func (o *ownerACLs) GetObjectAcl(_ context.Context, in *s3.GetObjectAclInput, _ ...func(*s3.Options)) (*s3.GetObjectAclOutput, error) {
	o.mu.Lock()
	o.keys = append(o.keys, aws.ToString(in.Key))
	o.mu.Unlock()
	if o.denied {
		return nil, apiErr("AccessDenied", 403)
	}
	return &s3.GetObjectAclOutput{Owner: &s3types.Owner{ID: aws.String(foreignID)}, Grants: []s3types.Grant{{
		Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String(inventory.AllUsersURI)}, Permission: s3types.PermissionRead,
	}}}, nil
}

func TestObjectsOfAnotherOrgAccountAreReadAsTheirOwnerWithoutADeniedFirstAttempt(t *testing.T) {
	for _, denied := range []bool{false, true} {
		t.Run(fmt.Sprintf("owner denied %v", denied), func(t *testing.T) {
			keys := keysUnder([]string{"site/"}, 4)
			f := &fakeBucket{keys: keys, owner: func(k string) string {
				if k == keys[0] || k == keys[2] {
					return foreignID
				}
				return ownerID
			}}
			owner := &ownerACLs{denied: denied}
			var stopped atomic.Int64
			cfg := testConfig()
			cfg.ownerFor = func(c string) *ownerReader {
				if c != foreignID {
					return nil
				}
				return &ownerReader{accountID: "222222222222", api: owner, scan: t.Context(), stopped: &stopped}
			}
			sample, failures := sampleBucket(t.Context(), f, cfg)
			if len(failures) != 0 {
				t.Fatalf("failures %+v", failures)
			}
			slices.Sort(owner.keys)
			if strings.Join(owner.keys, ",") != keys[0]+","+keys[2] {
				t.Errorf("the owner was asked for %v, want the two objects it owns", owner.keys)
			}
			bucketAsked := map[string]bool{}
			for _, k := range f.aclKeys {
				bucketAsked[k] = true
			}
			for _, o := range sample.Objects {
				foreign := o.OwnerCanonicalID == foreignID
				switch {
				case foreign && !denied:
					if o.ACLStatus != inventory.ACLStatusRead || o.ACLReadByAccountID != "222222222222" || o.ACL == nil {
						t.Errorf("%s: status %q by %q", o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
					}
				case foreign && denied:
					// Both roles denied: the bucket owner's denial is the
					// evidence, exactly as before.
					if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner || o.ACLReadByAccountID != "" {
						t.Errorf("%s: status %q by %q", o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
					}
				default:
					if o.ACLStatus != inventory.ACLStatusRead || o.ACLReadByAccountID != "" {
						t.Errorf("%s (bucket owner's): status %q by %q", o.KeyHash, o.ACLStatus, o.ACLReadByAccountID)
					}
				}
			}
			for _, k := range []string{keys[0], keys[2]} {
				if bucketAsked[k] != denied {
					t.Errorf("bucket owner asked for %s: %v; want only when the owner was denied (%v)", k, bucketAsked[k], denied)
				}
			}
			wantRequested, wantRead := 2, 4
			if denied {
				wantRequested, wantRead = 4, 2
			}
			if sample.ACLsRequestedByObjectOwner != 2 || sample.ACLsRequested != wantRequested || sample.ACLsRead != wantRead {
				t.Errorf("counts %+v", sample)
			}
		})
	}
}

func TestOwnerReadsStoppedByTheOwnersDeadlineFallBackAndAreCounted(t *testing.T) {
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name     string
		scan     context.Context
		deadline time.Time
	}{
		{"the owner's deadline passed", t.Context(), time.Now().Add(-time.Second)},
		{"the scan stopped", ended, time.Now().Add(time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := keysUnder([]string{"site/"}, 2)
			f := &fakeBucket{keys: keys, owner: func(string) string { return foreignID }}
			var stopped atomic.Int64
			owner := &ownerACLs{}
			cfg := testConfig()
			cfg.ownerFor = func(string) *ownerReader {
				return &ownerReader{accountID: "222222222222", api: owner, scan: tc.scan, deadline: tc.deadline, stopped: &stopped}
			}
			sample, _ := sampleBucket(t.Context(), f, cfg)
			if stopped.Load() != 2 {
				t.Errorf("%d reads counted as stopped by the owner's deadline, want 2", stopped.Load())
			}
			if len(owner.keys) != 0 {
				t.Errorf("the owner was asked for %v after its deadline", owner.keys)
			}
			for _, o := range sample.Objects {
				if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner {
					t.Errorf("%s: status %q, want the bucket owner's denial", o.KeyHash, o.ACLStatus)
				}
			}
		})
	}
}

func TestOwnerForNamesOnlyOtherScannedAccounts(t *testing.T) {
	s := &scan{ctx: t.Context(), owners: map[string]*accountScan{}}
	s.opts.AccountTimeout = time.Minute
	mk := func(id string) *accountScan {
		return &accountScan{s: s, id: id, s3Clients: map[string]*s3.Client{}, creds: aws.AnonymousCredentials{}}
	}
	bucketAcct, other := mk("111111111111"), mk("222222222222")
	s.owners["c-bucket"], s.owners["c-org"] = bucketAcct, other
	other.s3Clients["eu-west-1"] = s3.New(s3.Options{Region: "eu-west-1"})
	tests := []struct {
		canonical, want string
	}{
		{"c-org", "222222222222"},
		{"c-bucket", ""},    // the bucket's own account: the bucket owner asks
		{"c-vendor", ""},    // outside the organization
		{"c-unscanned", ""}, // phase 1 maps only accounts whose role was assumed
	}
	for _, tt := range tests {
		r := bucketAcct.ownerFor(tt.canonical, "eu-west-1")
		got := ""
		if r != nil {
			got = r.accountID
		}
		if got != tt.want {
			t.Errorf("ownerFor(%s) = %q, want %q", tt.canonical, got, tt.want)
		}
	}
}

func TestAnEmptyCommonPrefixIsNotListedAgain(t *testing.T) {
	api := &emptyPrefixBucket{}
	sample, failures := sampleBucket(t.Context(), api, testConfig())
	if len(failures) != 0 || api.lists != 1 {
		t.Fatalf("%d listings, failures %+v; want the root listing only", api.lists, failures)
	}
	if sample.KeysListed != 2 || sample.PrefixesFound != 0 || !sample.ListingComplete {
		t.Errorf("sample %+v: want 2 keys, no prefix, complete", sample)
	}
}

// emptyPrefixBucket answers the root listing with two keys and an empty
// <CommonPrefixes/> element, which the SDK decodes as a prefix-less entry.
type emptyPrefixBucket struct{ lists int }

func (e *emptyPrefixBucket) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	e.lists++
	return &s3.ListObjectsV2Output{
		Contents: []s3types.Object{
			{Key: aws.String("a.html"), Owner: &s3types.Owner{ID: aws.String(ownerID)}},
			{Key: aws.String("b.html"), Owner: &s3types.Owner{ID: aws.String(ownerID)}},
		},
		CommonPrefixes: []s3types.CommonPrefix{{}},
	}, nil
}

func (e *emptyPrefixBucket) GetObjectAcl(context.Context, *s3.GetObjectAclInput, ...func(*s3.Options)) (*s3.GetObjectAclOutput, error) {
	return &s3.GetObjectAclOutput{Owner: &s3types.Owner{ID: aws.String(ownerID)}}, nil
}
