package scanner

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/hoofprint/hoofprint/inventory"
)

// orgAPI is the part of the Organizations client discovery uses.
type orgAPI interface {
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	organizations.ListAccountsAPIClient
}

// orgAccount is one account as Organizations lists it.
type orgAccount struct {
	ID, Name, State string
}

// describeOrganization returns the organization the caller belongs to.
func describeOrganization(ctx context.Context, api orgAPI) (*inventory.Organization, error) {
	out, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, fmt.Errorf("organizations DescribeOrganization: %w", err)
	}
	if out.Organization == nil {
		return nil, fmt.Errorf("organizations DescribeOrganization: empty answer")
	}
	return &inventory.Organization{
		ID:                  aws.ToString(out.Organization.Id),
		ARN:                 aws.ToString(out.Organization.Arn),
		ManagementAccountID: aws.ToString(out.Organization.MasterAccountId),
	}, nil
}

// listAccounts pages through ListAccounts until NextToken is absent. A page
// may be empty and still carry a NextToken (Organizations documents this:
// "an empty page does not mean there are no more results"), so the loop
// stops on the token, never on an empty page.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
func listAccounts(ctx context.Context, api organizations.ListAccountsAPIClient) ([]orgAccount, error) {
	var accounts []orgAccount
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return accounts, fmt.Errorf("organizations ListAccounts: %w", err)
		}
		for _, a := range page.Accounts {
			accounts = append(accounts, orgAccount{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), State: accountState(a)})
		}
	}
	return accounts, nil
}

// accountState is the account's State, or its older Status when State is
// absent: Organizations added State in 2025 and deprecates Status, but
// older endpoints and emulators answer only Status.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
func accountState(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}
