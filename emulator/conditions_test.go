package emulator

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/rules"
	"github.com/hoofprint/hoofprint/scanner"
)

// conditionsScenario holds one bucket per class of issue 9's wrong answers
// 2–5, each next to its twin that must stay silent.
const conditionsScenario = `
name: conditions
organization: {managementAccount: root}
accounts:
  - {name: root, id: "100000000021"}
  - {name: web, id: "100000000022"}
originAccessIdentities:
  - {name: web-oai, account: web}
originAccessControls:
  - {name: web-oac, account: web}
buckets:
  # 2. A policy variable pins nothing: public.
  - name: cond-variable
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cond-variable/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}}]}
  # 3. Access point delegation to a fixed account: not public.
  - name: cond-access-points
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
        "Resource": ["arn:aws:s3:::cond-access-points", "arn:aws:s3:::cond-access-points/*"],
        "Condition": {"StringEquals": {"s3:DataAccessPointAccount": "${account:web}"}}},
       {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
        "Resource": ["arn:aws:s3:::cond-access-points", "arn:aws:s3:::cond-access-points/*"],
        "Condition": {"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:${account:web}:accesspoint/*"}}}]}
  # 4. An OAI grant that needs an organization: CloudFront is in none.
  - name: cond-oai-org
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "${oai-arn:web-oai}"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cond-oai-org/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}}]}
  # 4. An OAC grant with the right SourceArn plus aws:PrincipalOrgID.
  - name: cond-oac-org
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cond-oac-org/*", "Condition": {"StringEquals": {"AWS:SourceArn": "${distribution-arn:oac-site}", "aws:PrincipalOrgID": "o-abcdefghij"}}}]}
  # 5. A grant on assets/* behind OriginPath /web grants nothing asked for.
  - name: cond-origin-path
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "${oai-arn:web-oai}"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cond-origin-path/assets/*"}]}
  # 5. The same grant on web/* is what CloudFront asks for.
  - name: cond-origin-path-ok
    account: web
    policy: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "${oai-arn:web-oai}"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cond-origin-path-ok/web/*"}]}
distributions:
  - name: oai-site
    account: web
    origins:
      - {id: org, bucket: cond-oai-org, oai: web-oai}
      - {id: path, bucket: cond-origin-path, oai: web-oai, path: /web}
      - {id: path-ok, bucket: cond-origin-path-ok, oai: web-oai, path: /web}
    defaultBehavior: {targetOrigin: org, viewerProtocolPolicy: https-only}
    behaviors:
      - {pathPattern: "p/*", targetOrigin: path, viewerProtocolPolicy: https-only}
      - {pathPattern: "q/*", targetOrigin: path-ok, viewerProtocolPolicy: https-only}
  - name: oac-site
    account: web
    origins:
      - {id: oac, bucket: cond-oac-org, oac: web-oac}
    defaultBehavior: {targetOrigin: oac, viewerProtocolPolicy: https-only}
`

// TestPolicyConditionClassesEndToEnd scans the emulated organization with
// the real scanner and evaluates the built-in rules: each class is found
// where AWS would deny or expose, and not where it would not.
func TestPolicyConditionClassesEndToEnd(t *testing.T) {
	sc, err := scenario.Parse([]byte(conditionsScenario))
	if err != nil {
		t.Fatal(err)
	}
	e := startScenario(t, sc, Options{})
	snap := scanEmulator(t, e, scanner.Options{Seed: 1})
	if got := snap.Distributions; len(got) != 2 {
		t.Fatalf("distributions %+v", got)
	}
	eng, err := rules.Load(t.Context(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	find := func(rule, resource string) *findings.Finding {
		for i := range fs {
			if fs[i].RuleID == rule && strings.Contains(fs[i].ResourceARN, resource) {
				return &fs[i]
			}
		}
		return nil
	}
	if find("s3-bucket-policy-public", "cond-variable") == nil {
		t.Error("a Principal * grant 'pinned' by ${aws:ResourceOrgID} is not reported public")
	}
	if f := find("s3-bucket-policy-public", "cond-access-points"); f != nil {
		t.Errorf("access point delegation to a fixed account reported public: %s", f.Message)
	}
	oai := find("cloudfront-oai-not-granted", "distribution/")
	if oai == nil {
		t.Fatal("cloudfront-oai-not-granted did not fire for the OAI distribution")
	}
	reasons := map[string]string{}
	for _, o := range oai.Evidence["origins"].([]any) {
		m := o.(map[string]any)
		reasons[m["bucket"].(string)] = m["reason"].(string)
	}
	if !strings.Contains(reasons["cond-oai-org"], "never meet") {
		t.Errorf("OAI grant conditioned on aws:PrincipalOrgID: reason %q", reasons["cond-oai-org"])
	}
	if !strings.Contains(reasons["cond-origin-path"], "origin path /web") {
		t.Errorf("grant outside the origin path: reason %q", reasons["cond-origin-path"])
	}
	if r, ok := reasons["cond-origin-path-ok"]; ok {
		t.Errorf("a grant on the origin path reported: %q", r)
	}
	oac := find("cloudfront-oac-source-arn-mismatch", "distribution/")
	if oac == nil || !strings.Contains(oac.Message, "never carry") {
		t.Errorf("OAC grant with SourceArn plus aws:PrincipalOrgID: %+v", oac)
	}
	var path string
	for _, d := range snap.Distributions {
		for _, o := range d.Origins {
			if o.ID == "path" {
				path = o.OriginPath
			}
		}
	}
	if path != "/web" {
		t.Errorf("OriginPath collected as %q, want /web", path)
	}
}

// TestSSEKMSBehindCloudFrontEndToEnd: in HealthCorp the patient portal's
// statement is encrypted with a key whose policy never lets CloudFront
// decrypt (reported), its help page with a key that allows this
// distribution's OAC (not reported).
func TestSSEKMSBehindCloudFrontEndToEnd(t *testing.T) {
	e := startHealthCorp(t)
	snap := scanEmulator(t, e, scanner.Options{Seed: 1, ShowObjectKeys: true})
	eng, err := rules.Load(t.Context(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Evaluate(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.RuleID == "cloudfront-origin-kms-unreadable" {
			got = append(got, f.ResourceName)
			if !strings.Contains(f.Message, "does not allow") {
				t.Errorf("message: %s", f.Message)
			}
		}
	}
	if len(got) != 1 || !strings.HasSuffix(got[0], "portal/statements/summary.pdf") {
		t.Errorf("cloudfront-origin-kms-unreadable on %v, want only the portal statement", got)
	}
}
