package scenario

import (
	"reflect"
	"strings"
	"testing"
)

func TestHealthCorpIsValidAndShowsTheSeed(t *testing.T) {
	sc := HealthCorp()
	prod := sc.Bucket("healthcorp-prod-site")
	if prod == nil || prod.Account != "prod" || prod.PublicAccessBlock == nil || !prod.PublicAccessBlock.IgnorePublicAcls {
		t.Fatalf("prod site bucket: %+v", prod)
	}
	for _, o := range prod.Objects {
		if o.Writer != "tools" || o.ACL != "public-read" {
			t.Errorf("prod object %s written by %s with %q", o.Key, o.Writer, o.ACL)
		}
	}
	dev := sc.Bucket("healthcorp-dev-site")
	if dev.PublicAccessBlock != nil || sc.Account("dev").PublicAccessBlock != nil {
		t.Error("dev must have Block Public Access off")
	}
	if !strings.Contains(sc.PolicyJSON(prod), "CloudFront Origin Access Identity "+sc.OAI("prod-site").ID) {
		t.Errorf("prod policy does not grant the prod OAI: %s", sc.PolicyJSON(prod))
	}
	if sc.Bucket("healthcorp-phi-records").Objects[0].Key != "patients/jane-doe/lab-results.pdf" {
		t.Error("the PHI-looking key is gone")
	}
}

func TestLoadResolvesNamesToIDs(t *testing.T) {
	sc, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := sc.Account("root")
	if len(root.ID) != 12 || root.ID == sc.Account("web").ID {
		t.Errorf("IDs %s %s", root.ID, sc.Account("web").ID)
	}
	if got := sc.PolicyJSON(&sc.Buckets[0]); !strings.Contains(got, "arn:aws:iam::"+root.ID+":root") {
		t.Errorf("policy %s", got)
	}
	if keys := sc.Buckets[0].Objects[0].Keys(); !reflect.DeepEqual(keys, []string{"img-00.png", "img-01.png", "img-02.png"}) {
		t.Errorf("keys %v", keys)
	}
	again, _ := Load("testdata/minimal.yaml")
	if again.Account("web").ID != sc.Account("web").ID {
		t.Error("derived IDs differ between loads")
	}
}

func TestParseRejectsBrokenScenarios(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"an unknown field is an error", "name: x\naccounts: [{name: a}]\nbukets: []", "bukets"},
		{"a bucket of an undefined account", "name: x\naccounts: [{name: a}]\nbuckets: [{name: bb1, account: nobody}]", `account "nobody" is not defined`},
		{"a bucket name used twice", "name: x\naccounts: [{name: a}]\nbuckets: [{name: bb1, account: a}, {name: bb1, account: a}]", "defined twice"},
		{"an unknown placeholder", "name: x\naccounts: [{name: a}]\nbuckets: [{name: bb1, account: a, policy: '${oai:none}'}]", "unknown placeholders oai:none"},
		{"a grant to an unknown OAI", "name: x\naccounts: [{name: a}]\nbuckets: [{name: bb1, account: a, objects: [{key: k, grants: [{grantee: 'oai:x', permission: READ}]}]}]", "no such OAI"},
		{"a log target in another region", "name: x\naccounts: [{name: a}]\nbuckets: [{name: bb1, account: a, logging: {targetBucket: bb2}}, {name: bb2, account: a, region: eu-west-1}]", "same region"},
		{"a malformed account ID", "name: x\naccounts: [{name: a, id: '12'}]", "not 12 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestGenerateIsDeterministicAndMixed(t *testing.T) {
	opts := GenOptions{Accounts: 40, BucketsPerAccount: 5, ObjectsPerBucket: 10, Seed: 9}
	a, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(opts)
	if !reflect.DeepEqual(a.Buckets, b.Buckets) || !reflect.DeepEqual(a.Accounts, b.Accounts) {
		t.Error("same options, different scenarios")
	}
	if len(a.Accounts) != 41 || len(a.Buckets) != 200 {
		t.Errorf("%d accounts, %d buckets", len(a.Accounts), len(a.Buckets))
	}
	profiles := map[string]int{}
	for _, bk := range a.Buckets {
		profiles[bk.Name[strings.LastIndex(bk.Name, "-")+1:]]++
	}
	for _, p := range []string{"good", "legacy", "acl", "policy", "account", "site"} {
		if profiles[p] == 0 {
			t.Errorf("no %s bucket in %v", p, profiles)
		}
	}
	c, _ := Generate(GenOptions{Accounts: 40, BucketsPerAccount: 5, ObjectsPerBucket: 10, Seed: 10})
	if reflect.DeepEqual(a.Buckets, c.Buckets) {
		t.Error("different seeds, same scenario")
	}
}
