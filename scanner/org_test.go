package scanner

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// fakeOrg serves ListAccounts pages in order; a page's NextToken is the
// index of the next page.
type fakeOrg struct {
	pages [][]orgtypes.Account
	calls int
}

func (f *fakeOrg) DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
	return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{Id: aws.String("o-1"), MasterAccountId: aws.String("111111111111")}}, nil
}

func (f *fakeOrg) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	f.calls++
	i := 0
	if in.NextToken != nil {
		i = int(aws.ToString(in.NextToken)[0] - '0')
	}
	out := &organizations.ListAccountsOutput{Accounts: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func acct(id string, state orgtypes.AccountState, status orgtypes.AccountStatus) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String("n" + id), State: state, Status: status}
}

func TestListAccountsFollowsTokensThroughEmptyPages(t *testing.T) {
	f := &fakeOrg{pages: [][]orgtypes.Account{
		{},
		{acct("111111111111", orgtypes.AccountStateActive, "")},
		{},
		{},
		{acct("222222222222", "", orgtypes.AccountStatusActive), acct("333333333333", orgtypes.AccountStateSuspended, orgtypes.AccountStatusSuspended)},
		{},
	}}
	got, err := listAccounts(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if f.calls != 6 {
		t.Errorf("%d ListAccounts calls, want 6 (every page, empty ones included)", f.calls)
	}
	want := []orgAccount{
		{ID: "111111111111", Name: "n111111111111", State: "ACTIVE"},
		{ID: "222222222222", Name: "n222222222222", State: "ACTIVE"},
		{ID: "333333333333", Name: "n333333333333", State: "SUSPENDED"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("accounts %+v, want %+v", got, want)
	}
}

func TestAccountStateFallsBackToStatus(t *testing.T) {
	if got := accountState(acct("1", "", orgtypes.AccountStatusActive)); got != "ACTIVE" {
		t.Errorf("Status only: %q", got)
	}
	if got := accountState(acct("1", orgtypes.AccountStateClosed, orgtypes.AccountStatusActive)); got != "CLOSED" {
		t.Errorf("State wins over Status: %q", got)
	}
}

func TestSelectAccounts(t *testing.T) {
	org := []orgAccount{
		{ID: "111111111111", State: "ACTIVE"},
		{ID: "222222222222", State: "ACTIVE"},
		{ID: "333333333333", State: "SUSPENDED"},
		{ID: "444444444444", State: "ACTIVE"},
	}
	skipped := func(accounts []inventory.Account) map[string]string {
		m := map[string]string{}
		for _, a := range accounts {
			m[a.ID] = a.Skipped
		}
		return m
	}
	t.Run("every active account of the organization is scanned and the others say why not", func(t *testing.T) {
		got, extras := selectAccounts("111111111111", org, true, nil, nil)
		want := map[string]string{"111111111111": "", "222222222222": "", "333333333333": skippedNotActive, "444444444444": ""}
		if !maps.Equal(skipped(got), want) || len(extras) != 0 {
			t.Errorf("got %v extras %v", skipped(got), extras)
		}
	})
	t.Run("--accounts and --exclude-accounts filter the organization", func(t *testing.T) {
		got, _ := selectAccounts("111111111111", org, true, []string{"222222222222", "444444444444"}, []string{"444444444444"})
		want := map[string]string{"111111111111": skippedNotIncluded, "222222222222": "", "333333333333": skippedNotActive, "444444444444": skippedExcluded}
		if !maps.Equal(skipped(got), want) {
			t.Errorf("got %v", skipped(got))
		}
	})
	t.Run("an account named in --accounts but not in the organization is still scanned", func(t *testing.T) {
		got, extras := selectAccounts("111111111111", org, true, []string{"999999999999"}, nil)
		if s, ok := skipped(got)["999999999999"]; !ok || s != "" || !slices.Equal(extras, []string{"999999999999"}) {
			t.Errorf("got %v extras %v", skipped(got), extras)
		}
	})
	t.Run("outside an organization only the caller's account is scanned", func(t *testing.T) {
		got, _ := selectAccounts("555555555555", nil, false, nil, nil)
		if len(got) != 1 || got[0].ID != "555555555555" || got[0].Skipped != "" {
			t.Errorf("got %+v", got)
		}
	})
}

func TestAccountIDsAreValidated(t *testing.T) {
	for _, bad := range []string{"12345", "12345678901a", "1234567890123"} {
		if err := (&Options{Accounts: []string{bad}}).setDefaults(); err == nil {
			t.Errorf("--accounts %q accepted", bad)
		}
	}
	if err := (&Options{ExcludeAccounts: []string{"123456789012"}}).setDefaults(); err != nil {
		t.Errorf("valid ID rejected: %v", err)
	}
	if err := (&Options{SampleSize: -1}).setDefaults(); err == nil {
		t.Error("negative sample size accepted")
	}
}

func TestAZeroSeedIsDerivedFromTheDate(t *testing.T) {
	o := Options{Now: func() time.Time { return time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC) }}
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	if o.Seed != 20261127 {
		t.Errorf("seed %d, want 20261127", o.Seed)
	}
	explicit := Options{Seed: 7}
	if err := explicit.setDefaults(); err != nil || explicit.Seed != 7 {
		t.Errorf("explicit seed became %d (%v)", explicit.Seed, err)
	}
}
