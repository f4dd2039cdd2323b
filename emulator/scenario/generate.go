package scenario

import (
	"fmt"
	"math/rand/v2"
)

// GenOptions size a synthetic organization.
type GenOptions struct {
	// Accounts is the number of member accounts (besides management).
	Accounts int
	// BucketsPerAccount and ObjectsPerBucket size each member account.
	BucketsPerAccount int
	ObjectsPerBucket  int
	// Seed makes the mix of configurations reproducible.
	Seed uint64
}

// Bucket profiles the generator mixes; the share of each is fixed so a
// generated organization looks like a real one: mostly fine, some public,
// some sites written by another account.
const (
	profileGood         = "good"
	profileLegacy       = "legacy"        // ACLs on, no BPA, no logging, nothing public
	profilePublicACL    = "public-acl"    // bucket and objects public-read
	profilePublicPolicy = "public-policy" // Principal "*" read
	profileCrossAccount = "cross-account" // objects written by another member (the seed)
	profileOAISite      = "oai-site"      // served through an OAI, cross-account public-read objects
)

var profileWeights = []struct {
	name   string
	weight int
}{
	{profileGood, 50}, {profileLegacy, 20}, {profilePublicACL, 8}, {profilePublicPolicy, 7},
	{profileCrossAccount, 8}, {profileOAISite, 7},
}

// Generate builds a synthetic organization: a management account and
// opts.Accounts members with opts.BucketsPerAccount buckets of
// opts.ObjectsPerBucket objects each, in a seeded mix of good and bad
// configurations. The same options always give the same scenario.
func Generate(opts GenOptions) (*Scenario, error) {
	if opts.Accounts < 1 || opts.BucketsPerAccount < 0 || opts.ObjectsPerBucket < 0 {
		return nil, fmt.Errorf("generate: need at least one member account and no negative sizes (got %+v)", opts)
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x686f6f66))
	name := fmt.Sprintf("synthetic-%d-%d-%d-%d", opts.Accounts, opts.BucketsPerAccount, opts.ObjectsPerBucket, opts.Seed)
	sc := &Scenario{
		Name:         name,
		Description:  fmt.Sprintf("generated: %d member accounts x %d buckets x %d objects, seed %d", opts.Accounts, opts.BucketsPerAccount, opts.ObjectsPerBucket, opts.Seed),
		Organization: &Organization{ManagementAccount: "management"},
		Accounts:     []Account{{Name: "management", ID: "100000000000", PublicAccessBlock: AllOn()}},
	}
	total := 0
	for _, p := range profileWeights {
		total += p.weight
	}
	pick := func() string {
		n := r.IntN(total)
		for _, p := range profileWeights {
			if n < p.weight {
				return p.name
			}
			n -= p.weight
		}
		return profileGood
	}
	regions := []string{"us-east-1", "us-east-1", "us-west-2", "eu-west-1"}
	for a := 1; a <= opts.Accounts; a++ {
		acct := Account{Name: fmt.Sprintf("member-%04d", a), ID: fmt.Sprintf("%012d", 100000000000+a), Roles: []string{"deploy"}}
		if r.IntN(3) > 0 {
			acct.PublicAccessBlock = AllOn()
		}
		sc.Accounts = append(sc.Accounts, acct)
	}
	for a := 1; a <= opts.Accounts; a++ {
		owner := sc.Accounts[a].Name
		for b := 0; b < opts.BucketsPerAccount; b++ {
			profile := pick()
			bucketName := fmt.Sprintf("gen-%d-%04d-%02d-%s", opts.Seed, a, b, profile)
			bk := Bucket{Name: bucketName, Account: owner, Region: regions[r.IntN(len(regions))]}
			writer := owner
			objACL := ""
			switch profile {
			case profileGood:
				bk.Ownership = "BucketOwnerEnforced"
				bk.PublicAccessBlock = AllOn()
				bk.Policy = denyInsecure(bucketName)
				bk.Logging = &Logging{TargetBucket: bucketName, TargetPrefix: "logs/"}
			case profileLegacy:
				bk.Ownership = "ObjectWriter"
			case profilePublicACL:
				bk.Ownership = "ObjectWriter"
				bk.ACL = "public-read"
				objACL = "public-read"
			case profilePublicPolicy:
				bk.Ownership = "BucketOwnerEnforced"
				bk.Policy = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, bucketName)
			case profileCrossAccount, profileOAISite:
				bk.Ownership = "ObjectWriter"
				writer = sc.Accounts[1+(a%opts.Accounts)].Name // the next member
				if profileOAISite == profile {
					objACL = "public-read"
				} else {
					bk.PublicAccessBlock = AllOn()
				}
				grant := fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account:%s}:role/deploy"},"Action":["s3:PutObject","s3:PutObjectAcl"],"Resource":"arn:aws:s3:::%s/*"}`, writer, bucketName)
				if profile == profileOAISite {
					oai := OAI{Name: bucketName, Account: owner, Comment: "site " + bucketName}
					sc.OAIs = append(sc.OAIs, oai)
					grant += fmt.Sprintf(`,{"Effect":"Allow","Principal":{"AWS":"${oai-arn:%s}"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}`, bucketName, bucketName)
					sc.Distributions = append(sc.Distributions, Distribution{
						Name: bucketName, Account: owner,
						Origins:         []Origin{{ID: "s3", Bucket: bucketName, Region: bk.Region, OAI: bucketName}},
						DefaultBehavior: Behavior{TargetOrigin: "s3", ViewerProtocol: "redirect-to-https"},
					})
				}
				bk.Policy = `{"Version":"2012-10-17","Statement":[` + grant + `]}`
			}
			if opts.ObjectsPerBucket > 0 {
				bk.Objects = []Object{{Key: "data/object-%06d.bin", Count: opts.ObjectsPerBucket, Writer: writer, ACL: objACL, Size: int64(1 + r.IntN(4096))}}
				if opts.ObjectsPerBucket == 1 {
					bk.Objects[0].Key = "data/object-000000.bin"
				}
			}
			sc.Buckets = append(sc.Buckets, bk)
		}
	}
	if err := sc.Resolve(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return sc, nil
}

func denyInsecure(bucket string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"S3ServerAccessLogs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/logs/*"},`+
		`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, bucket)
}
