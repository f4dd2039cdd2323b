package scanner

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoofprint/hoofprint/inventory"
)

func TestDeniedForeignObjectsAreHandedToTheOwnerPassWithTheirKeys(t *testing.T) {
	keys := keysUnder([]string{"site/"}, 4)
	f := &fakeBucket{keys: keys, owner: func(k string) string {
		if k == keys[0] || k == keys[2] {
			return foreignID
		}
		return ownerID
	}}
	type handed struct {
		index      int
		key, owner string
	}
	var got []handed
	cfg := testConfig()
	cfg.onDenied = func(i int, key, owner string) { got = append(got, handed{i, key, owner}) }
	sample, _ := sampleBucket(t.Context(), f, cfg)

	if len(got) != 2 {
		t.Fatalf("handed %+v, want the two foreign-owned objects", got)
	}
	for _, h := range got {
		o := sample.Objects[h.index]
		if o.KeyHash != inventory.HashKey("records", h.key) || h.owner != foreignID ||
			o.ACLStatus != inventory.ACLStatusDeniedForeignOwner || o.Key != "" {
			t.Errorf("handed %+v for object %+v", h, o)
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

func TestPlanOwnerReads(t *testing.T) {
	const (
		bucketAcct = "111111111111"
		orgOwner   = "222222222222"
		unscanned  = "333333333333"
	)
	canonical := map[string]inventory.CanonicalIdentity{
		"c-bucket":    {Kind: inventory.KindAccount, AccountID: bucketAcct},
		"c-org":       {Kind: inventory.KindAccount, AccountID: orgOwner},
		"c-unscanned": {Kind: inventory.KindAccount, AccountID: unscanned},
		"c-oai":       {Kind: inventory.KindOAI, AccountID: orgOwner, OAIID: "E1"},
	}
	objects := func(status string) []inventory.Object {
		return []inventory.Object{{KeyHash: "sha256:00", ACLStatus: status}}
	}
	tests := []struct {
		name   string
		owner  string
		status string
		want   string // owner account planned, "" for none
	}{
		{"an object owned by another scanned org account is read as that account", "c-org", inventory.ACLStatusDeniedForeignOwner, orgOwner},
		{"an object owned outside the organization is left alone", "c-vendor", inventory.ACLStatusDeniedForeignOwner, ""},
		{"an object owned by an account that was not scanned is left alone", "c-unscanned", inventory.ACLStatusDeniedForeignOwner, ""},
		{"an object whose owner maps to the bucket's own account is left alone", "c-bucket", inventory.ACLStatusDeniedForeignOwner, ""},
		{"an owner that is an OAI, not an account, is left alone", "c-oai", inventory.ACLStatusDeniedForeignOwner, ""},
		{"an object whose ACL is no longer denied is left alone", "c-org", inventory.ACLStatusRead, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &inventory.Snapshot{
				Accounts: []inventory.Account{{ID: bucketAcct, Scanned: true}, {ID: orgOwner, Scanned: true}, {ID: unscanned}},
				Buckets: []inventory.Bucket{{Name: "site", ARN: "arn:aws:s3:::site", AccountID: bucketAcct,
					Objects: inventory.ObjectSample{Objects: objects(tt.status)}}},
			}
			d := deniedObject{bucketAccount: bucketAcct, bucket: "site", bucketARN: "arn:aws:s3:::site", index: 0, key: "index.html", owner: tt.owner}
			plan := planOwnerReads(snap, canonical, []deniedObject{d})
			var got []string
			for acct, reads := range plan {
				got = append(got, acct)
				if len(reads) != 1 || reads[0].bucket != &snap.Buckets[0] || reads[0].d.key != "index.html" {
					t.Errorf("reads %+v", reads)
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("planned %v, want %q", got, tt.want)
			}
		})
	}
}
