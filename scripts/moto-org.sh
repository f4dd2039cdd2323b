#!/usr/bin/env bash
# Build a small organization in a running moto_server with the AWS CLI, so that
# `hoofprint scan --endpoint-url` has something real to scan:
#
#   moto_server -H 127.0.0.1 -p 5000 &
#   scripts/moto-org.sh http://127.0.0.1:5000
#
# then scan it as the README's "Try scan against moto" shows.
#
# Three member accounts, each with a bucket written through an assumed role: one
# with a public-read object, one with Block Public Access on, one
# with ACLs disabled (BucketOwnerEnforced). moto gives every account the same
# canonical ID and has no OAI API: hoofprint's own emulator (`hoofprint demo`)
# covers what moto cannot model.
set -euo pipefail
endpoint=${1:-http://127.0.0.1:5000}
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
aws() { command aws --endpoint-url "$endpoint" --output text "$@"; }

# moto_server takes a few seconds to start when launched just before.
tries=0
until aws sts get-caller-identity >/dev/null 2>&1; do
  if ((++tries > 100)); then echo "moto-org.sh: no moto_server answering at $endpoint" >&2; exit 1; fi
  sleep 0.2
done

aws organizations create-organization --feature-set ALL --query Organization.Id
ids=()
for name in dev prod tools; do
  req=$(aws organizations create-account --account-name "$name" --email "$name@example.com" \
    --query CreateAccountStatus.Id)
  id=$(aws organizations describe-create-account-status --create-account-request-id "$req" \
    --query CreateAccountStatus.AccountId)
  ids+=("$id")
  echo "account $name: $id"
done

# as ACCOUNT: run the rest of the line with credentials of the member role.
as() {
  local creds
  creds=$(aws sts assume-role --role-arn "arn:aws:iam::$1:role/OrganizationAccountAccessRole" \
    --role-session-name moto-org --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
  shift
  read -r k s t <<<"$creds"
  AWS_ACCESS_KEY_ID=$k AWS_SECRET_ACCESS_KEY=$s AWS_SESSION_TOKEN=$t "$@"
}

dev=${ids[0]} prod=${ids[1]} tools=${ids[2]}
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
echo '<html>hello</html>' >"$tmp"

as "$dev" aws s3api create-bucket --bucket "moto-dev-site-$dev" >/dev/null
as "$dev" aws s3api put-object --bucket "moto-dev-site-$dev" --key index.html --body "$tmp" --acl public-read >/dev/null

# (Account-level Block Public Access goes through S3 Control, whose endpoint the
# AWS CLI prefixes with the account ID, which a local moto cannot answer; the Go
# end-to-end tests set it through the SDK instead.)
as "$prod" aws s3api create-bucket --bucket "moto-prod-site-$prod" >/dev/null
as "$prod" aws s3api put-public-access-block --bucket "moto-prod-site-$prod" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
as "$prod" aws s3api put-object --bucket "moto-prod-site-$prod" --key index.html --body "$tmp" >/dev/null

as "$tools" aws s3api create-bucket --bucket "moto-tools-artifacts-$tools" >/dev/null
as "$tools" aws s3api put-bucket-ownership-controls --bucket "moto-tools-artifacts-$tools" \
  --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
as "$tools" aws s3api put-object --bucket "moto-tools-artifacts-$tools" --key build/app.zip --body "$tmp" >/dev/null
echo "organization ready at $endpoint"
