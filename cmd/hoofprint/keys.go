package main

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/spf13/cobra"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/internal/termsafe"
	"github.com/hoofprint/hoofprint/inventory"
)

const keysResolveLong = `Reports hold no object keys, which may name patients, unless made with
--show-object-keys: they hold a keyed hash (HMAC-SHA256 with the deployment's
key secret). The person who must fix an object finds its key here, with their
own AWS credentials: 'keys resolve' lists the bucket (s3:ListBucket) and prints
the key behind each hash given. Nothing is written anywhere; the keys are
printed only to your terminal, with control characters escaped.

The secret must be the one the scan used: --key-secret-file, $HOOFPRINT_KEY_SECRET,
or the local secret a scan on this machine created.`

const keysResolveExample = `  # The nightly task's secret from Secrets Manager (the scanner stack's KeySecretArn
  # output), then the hashes from a SARIF result
  KEY_SECRET_ARN=$(aws cloudformation describe-stacks --stack-name hoofprint \
    --query "Stacks[0].Outputs[?OutputKey=='KeySecretArn'].OutputValue" --output text)
  aws secretsmanager get-secret-value --secret-id "$KEY_SECRET_ARN" \
    --query SecretString --output text > /dev/shm/hoofprint-secret
  hoofprint keys resolve --key-secret-file /dev/shm/hoofprint-secret \
    --bucket healthcorp-prod-site hmac:4f0c…`

type keysResolveFlags struct {
	bucket        string
	endpointURL   string
	allowInsecure bool
	secret        keySecretFlags
}

func newKeysCommand(stdout, stderr io.Writer) *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "Work with object key hashes (resolve a hash to its key)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	f := &keysResolveFlags{}
	resolve := &cobra.Command{
		Use:     "resolve --bucket BUCKET HASH...",
		Short:   "Print the object keys behind key hashes, listing the bucket with your own credentials",
		Long:    keysResolveLong,
		Example: keysResolveExample,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, hashes []string) error {
			return runKeysResolve(cmd, f, hashes, stdout, stderr)
		},
	}
	fs := resolve.Flags()
	fs.StringVar(&f.bucket, "bucket", "", "the `BUCKET` the hashed objects are in (required)")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send AWS calls to this `URL` (emulators such as moto)")
	fs.BoolVar(&f.allowInsecure, "allow-insecure-endpoint", false, "allow a plain-http --endpoint-url that is not on loopback")
	f.secret.register(fs)
	keys.AddCommand(resolve)
	return keys
}

func runKeysResolve(cmd *cobra.Command, f *keysResolveFlags, hashes []string, stdout, stderr io.Writer) error {
	if f.bucket == "" {
		return usageErr("keys resolve needs --bucket BUCKET")
	}
	want := map[string]bool{}
	for _, h := range hashes {
		if !strings.HasPrefix(h, "hmac:") {
			return usageErr("%q is not a keyed hash (hmac:…); unkeyed sha256: hashes come from inventories made before keyed hashing", h)
		}
		// Checked before any AWS call: a typo would otherwise list the
		// whole bucket to find nothing.
		if !inventory.IsKeyHash(h) {
			return usageErr("%q: want hmac: and 32 lowercase hex digits, an object's key hash as the reports show it (a first folder's hash, hmac: and 12 digits and /, is not resolved)", h)
		}
		want[h] = true
	}
	secret, err := f.secret.resolve()
	if err != nil {
		return usageErr("%v", err)
	}
	ctx := cmd.Context()
	base, err := awsclient.Load(ctx, awsclient.Options{EndpointURL: f.endpointURL, AllowInsecureEndpoint: f.allowInsecure, SessionName: "hoofprint-keys-resolve"})
	if err != nil {
		return usageErr("%v", err)
	}
	client := s3.NewFromConfig(base.Config, base.S3Options())
	// The bucket may be in another region than the configuration's.
	loc, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(f.bucket)})
	if err != nil {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("bucket %s: GetBucketLocation: %v", f.bucket, err)}
	}
	if region := string(loc.LocationConstraint); region != "" && region != base.Config.Region {
		client = s3.NewFromConfig(base.Config, base.S3Options(), func(o *s3.Options) { o.Region = region })
	}
	found := map[string][]string{}
	// EncodingType=url: a key with a control character would otherwise make
	// the SDK's XML decoder reject the whole page (as in the scanner).
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(f.bucket), EncodingType: s3types.EncodingTypeUrl})
	listed := 0
	for p.HasMorePages() && len(found) < len(want) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return &exitError{code: exitUsage, msg: fmt.Sprintf("bucket %s: ListObjectsV2: %v", f.bucket, err)}
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if page.EncodingType == s3types.EncodingTypeUrl {
				if d, err := url.QueryUnescape(key); err == nil {
					key = d
				}
			}
			listed++
			if h := secret.hasher.Hash(f.bucket, key); want[h] {
				found[h] = append(found[h], key)
			}
		}
	}
	sorted := append([]string(nil), hashes...)
	sort.Strings(sorted)
	missing := 0
	for _, h := range sorted {
		keys := found[h]
		if len(keys) == 0 {
			missing++
			fmt.Fprintf(stdout, "%s\t(not found among %d keys listed)\n", h, listed)
			continue
		}
		for _, k := range keys {
			fmt.Fprintf(stdout, "%s\t%s\n", h, termsafe.Escape(k))
		}
	}
	if missing > 0 {
		return &exitError{code: exitIncomplete, msg: fmt.Sprintf("%d of %d hashes not found in s3://%s (deleted since the scan, or hashed with another key secret: this one is %s from %s)", missing, len(want), f.bucket, secret.hasher.SecretID(), secret.source)}
	}
	return nil
}
