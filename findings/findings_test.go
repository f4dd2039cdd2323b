package findings

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/inventory"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in      string
		want    Severity
		wantErr bool
	}{
		{"none", SeverityNone, false},
		{"info", SeverityInformational, false},
		{"Informational", SeverityInformational, false},
		{" HIGH ", SeverityHigh, false},
		{"critical", SeverityCritical, false},
		{"urgent", SeverityNone, true},
		{"", SeverityNone, true},
	}
	for _, tt := range tests {
		t.Run("parses "+tt.in, func(t *testing.T) {
			got, err := ParseSeverity(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseSeverity(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSeveritiesAreOrderedAndRoundTripAsText(t *testing.T) {
	order := []Severity{SeverityNone, SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
	for i := 1; i < len(order); i++ {
		if order[i] <= order[i-1] {
			t.Errorf("%v is not above %v", order[i], order[i-1])
		}
	}
	b, err := json.Marshal(map[string]Severity{"s": SeverityHigh})
	if err != nil || string(b) != `{"s":"high"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back map[string]Severity
	if err := json.Unmarshal(b, &back); err != nil || back["s"] != SeverityHigh {
		t.Errorf("unmarshal = %v, %v", back, err)
	}
	// Every severity survives JSON (reports and the inventory carry them
	// as text), and a name no severity has is an error, never "none".
	for _, s := range order {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal %v: %v", s, err)
		}
		var got Severity
		if err := json.Unmarshal(b, &got); err != nil || got != s {
			t.Errorf("%v became %s, then %v (%v)", s, b, got, err)
		}
	}
	got := SeverityHigh
	if err := json.Unmarshal([]byte(`"urgent"`), &got); err == nil || got != SeverityHigh {
		t.Errorf(`unmarshal "urgent" = %v, %v; want an error and the value untouched`, got, err)
	}
}

func TestUpperBound95IsTheRuleOfThree(t *testing.T) {
	tests := []struct {
		n    int
		want float64
	}{{0, 1}, {1, 1}, {3, 1}, {100, 0.03}, {300, 0.01}}
	for _, tt := range tests {
		if got := UpperBound95(tt.n); got != tt.want {
			t.Errorf("UpperBound95(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestNewDocumentSortsAndSummarisesTheSample(t *testing.T) {
	inv := &inventory.Snapshot{
		Tool:         inventory.Tool{Name: "hoofprint", Version: "0.1.0"},
		Partition:    "aws",
		Organization: &inventory.Organization{ID: "o-1"},
		Accounts:     []inventory.Account{{ID: "111111111111", Scanned: true}, {ID: "222222222222", Skipped: "excluded"}},
		Buckets: []inventory.Bucket{
			{Name: "a", Objects: inventory.ObjectSample{KeysListed: 10, ListingComplete: true, ACLsRead: 2, Objects: make([]inventory.Object, 3)}},
			{Name: "b", Objects: inventory.ObjectSample{KeysListed: 5, ACLsSkipped: inventory.OwnershipBucketOwnerEnforced, Objects: make([]inventory.Object, 5)}},
		},
		Coverage: inventory.Coverage{Complete: true},
	}
	rules := []Rule{{ID: "z-rule"}, {ID: "a-rule"}}
	fs := []Finding{
		{RuleID: "z-rule", Severity: SeverityLow, ResourceARN: "arn:2"},
		{RuleID: "a-rule", Severity: SeverityLow, ResourceARN: "arn:9"},
		{RuleID: "a-rule", Severity: SeverityHigh, ResourceARN: "arn:5"},
	}
	doc := NewDocument(inv, rules, fs)
	if doc.OrganizationID != "o-1" || len(doc.Accounts) != 1 || doc.Accounts[0] != "111111111111" {
		t.Errorf("organization %q, scanned accounts %v", doc.OrganizationID, doc.Accounts)
	}
	if doc.Rules[0].ID != "a-rule" {
		t.Errorf("rules not sorted by ID: %v", doc.Rules)
	}
	if doc.Findings[0].ResourceARN != "arn:5" || doc.Findings[1].ResourceARN != "arn:9" || doc.Findings[2].RuleID != "z-rule" {
		t.Errorf("findings not sorted by rule, then severity (highest first): %+v", doc.Findings)
	}
	want := SampleStats{Buckets: 2, KeysListed: 15, ObjectsSampled: 8, ACLsRead: 2, BucketsACLsOff: 1, ObjectsACLsOff: 5, BucketsIncomplete: 1}
	if doc.Sample != want {
		t.Errorf("sample = %+v, want %+v", doc.Sample, want)
	}
	if fs[0].RuleID != "z-rule" {
		t.Errorf("NewDocument reordered the caller's slice")
	}
}

func TestTallyNamesTheFullySampledBuckets(t *testing.T) {
	long := strings.Repeat("b", 200) // a length past one uvarint byte
	var tally Tally
	for _, b := range []inventory.Bucket{
		{Name: "zeta", Objects: inventory.ObjectSample{ACLsSkipped: inventory.OwnershipBucketOwnerEnforced}},
		{Name: "partial", Objects: inventory.ObjectSample{KeysListed: 10, ListingComplete: true, ACLsRead: 9, Objects: make([]inventory.Object, 9)}},
		{Name: long, Objects: inventory.ObjectSample{KeysListed: 2, ListingComplete: true, ACLsRead: 2, Objects: make([]inventory.Object, 2)}},
		{Name: "unlisted", Objects: inventory.ObjectSample{KeysListed: 2, ACLsRead: 2, Objects: make([]inventory.Object, 2)}},
		{Name: "alpha", Objects: inventory.ObjectSample{ACLsSkipped: inventory.OwnershipBucketOwnerEnforced}},
		{Name: "", Objects: inventory.ObjectSample{ListingComplete: true}},
	} {
		tally.Add(&b)
	}
	doc := tally.Document(&inventory.Snapshot{}, nil, nil)
	if want := []string{"", "alpha", long, "zeta"}; !slices.Equal(doc.FullySampledBuckets, want) {
		t.Errorf("fully sampled %q, want %q", doc.FullySampledBuckets, want)
	}
	if doc := new(Tally).Document(&inventory.Snapshot{}, nil, nil); doc.FullySampledBuckets != nil {
		t.Errorf("no bucket: fully sampled %q, want none", doc.FullySampledBuckets)
	}
}

func TestJudgedCountsOnlyObjectsARuleCouldJudge(t *testing.T) {
	s := SampleStats{ObjectsSampled: 100, ACLsRead: 60, ObjectsACLsOff: 10}
	tests := []struct {
		rule string
		want int
	}{
		{"s3-object-foreign-owner", 100},
		{"s3-object-external-owner", 100},
		{"s3-object-acl-public", 70},
		{"cloudfront-origin-breaks-on-block-public-access", 70},
		{"acme-user-rule", 70},
	}
	for _, tt := range tests {
		if got := s.Judged(tt.rule); got != tt.want {
			t.Errorf("Judged(%s) = %d, want %d (30 objects had an unreadable ACL)", tt.rule, got, tt.want)
		}
	}
}
