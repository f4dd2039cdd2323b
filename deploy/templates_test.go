package deploy

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

func templates(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("cloudformation/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 2 {
		t.Fatalf("want the scanner and member templates, found %q", paths)
	}
	return paths
}

// TestCfnLintPassesOnEveryTemplate runs cfn-lint (pip install cfn-lint),
// which checks every resource property against the CloudFormation resource
// specification and IAM policy syntax.
func TestCfnLintPassesOnEveryTemplate(t *testing.T) {
	bin := testutil.RequireTool(t, "cfn-lint", "pip install cfn-lint")
	for _, p := range templates(t) {
		t.Run(filepath.Base(p)+" is clean", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, bin, "--non-zero-exit-code", "informational", "--", p).CombinedOutput()
			if err != nil {
				t.Errorf("cfn-lint %s: %v\n%s", p, err, out)
			}
		})
	}
}

// grant is one IAM action in a role's permission policies and the
// template conditions (Fn::If) it sits under.
type grant struct {
	action     string
	conditions []string
}

// roleGrants returns the actions of the permission policies (not the trust
// policy) of resource logicalID in the template at path. CloudFormation's
// short tags (!If, !Sub) are read as tagged YAML nodes.
func roleGrants(t *testing.T, path, logicalID string) []grant {
	t.Helper()
	res := resource(t, path, logicalID)
	policies := mapValue(mapValue(res, "Properties"), "Policies")
	if policies == nil {
		t.Fatalf("%s: %s has no Policies", path, logicalID)
	}
	var out []grant
	var walk func(n *yaml.Node, conds []string)
	walk = func(n *yaml.Node, conds []string) {
		if n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3 {
			c := append(slices.Clone(conds), n.Content[0].Value)
			walk(n.Content[1], c)
			walk(n.Content[2], c)
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "Fn::If" && v.Kind == yaml.SequenceNode && len(v.Content) == 3 {
					c := append(slices.Clone(conds), v.Content[0].Value)
					walk(v.Content[1], c)
					walk(v.Content[2], c)
					continue
				}
				if k.Value == "Action" || k.Value == "NotAction" {
					if k.Value == "NotAction" {
						t.Errorf("%s: %s uses NotAction: list actions explicitly", path, logicalID)
					}
					for _, a := range scalars(v) {
						out = append(out, grant{a, conds})
					}
					continue
				}
				walk(v, conds)
			}
			return
		}
		for _, c := range n.Content {
			walk(c, conds)
		}
	}
	walk(policies, nil)
	return out
}

func scalars(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, scalars(c)...)
		}
		return out
	}
	return nil
}

func resource(t *testing.T, path, logicalID string) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	res := mapValue(mapValue(doc.Content[0], "Resources"), logicalID)
	if res == nil {
		t.Fatalf("%s: no resource %s", path, logicalID)
	}
	return res
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// actionsUnder returns the sorted distinct actions granted under exactly
// the given conditions (none: unconditionally).
func actionsUnder(gs []grant, conds ...string) []string {
	var out []string
	for _, g := range gs {
		if slices.Equal(g.conditions, conds) && !slices.Contains(out, g.action) {
			out = append(out, g.action)
		}
	}
	slices.Sort(out)
	return out
}

func TestTemplatePoliciesGrantExactlyTheActionsHoofprintCalls(t *testing.T) {
	tests := []struct {
		name      string
		template  string
		logicalID string
		condition string
		want      []string
	}{
		{"the member audit role grants exactly the member reads", "cloudformation/member-role.yaml", "AuditRole", "",
			Actions(RoleMember)},
		{"the member audit role grants Security Hub import only behind its condition", "cloudformation/member-role.yaml", "AuditRole", "SecurityHubImport",
			Actions(RoleMemberSecurityHub)},
		{"the scanner task role grants exactly the scanner's calls and the reads of its own account", "cloudformation/scanner-account.yaml", "TaskRole", "",
			Actions(RoleScanner, RoleMember)},
		{"the scanner task role grants KMS only when the reports use a KMS key", "cloudformation/scanner-account.yaml", "TaskRole", "UseKms",
			Actions(RoleScannerKMS)},
		{"the scanner task role grants Security Hub import only behind its condition", "cloudformation/scanner-account.yaml", "TaskRole", "SecurityHubImport",
			Actions(RoleMemberSecurityHub)},
		{"the sharded run's job role grants the scanner's calls and reading the run folder", "cloudformation/batch.yaml", "JobRole", "",
			Actions(RoleScanner, RoleMember, RoleBatch)},
		{"the sharded run's job role grants KMS only when the reports use a KMS key", "cloudformation/batch.yaml", "JobRole", "UseKms",
			Actions(RoleScannerKMS)},
		{"the sharded run's job role grants Security Hub import only behind its condition", "cloudformation/batch.yaml", "JobRole", "SecurityHubImport",
			Actions(RoleMemberSecurityHub)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := roleGrants(t, tc.template, tc.logicalID)
			var got []string
			if tc.condition == "" {
				got = actionsUnder(gs)
			} else {
				got = actionsUnder(gs, tc.condition)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s %s under %q:\n got  %q\n want %q (deploy/iam.go)\n extra %q\n missing %q",
					tc.template, tc.logicalID, tc.condition, got, tc.want, minus(got, tc.want), minus(tc.want, got))
			}
			for _, g := range gs {
				if strings.Contains(g.action, "*") {
					t.Errorf("%s grants the wildcard action %q", tc.logicalID, g.action)
				}
			}
		})
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestTheAuditRoleTrustsOnlyTheScannerWithAnExternalId(t *testing.T) {
	res := resource(t, "cloudformation/member-role.yaml", "AuditRole")
	trust := mapValue(mapValue(res, "Properties"), "AssumeRolePolicyDocument")
	stmts := mapValue(trust, "Statement")
	if stmts == nil || len(stmts.Content) != 1 {
		t.Fatalf("want exactly one trust statement")
	}
	st := stmts.Content[0]
	principal := mapValue(st, "Principal")
	if aws := mapValue(principal, "AWS"); aws == nil || aws.Tag != "!Ref" || aws.Value != "ScannerRoleArn" || len(principal.Content) != 2 {
		t.Errorf("trust principal must be only !Ref ScannerRoleArn")
	}
	if ext := mapValue(mapValue(mapValue(st, "Condition"), "StringEquals"), "sts:ExternalId"); ext == nil || ext.Value != "ExternalId" {
		t.Errorf("trust must require sts:ExternalId = !Ref ExternalId")
	}
}

func TestTheReportsBucketIsPrivateEncryptedVersionedAndLogged(t *testing.T) {
	props := mapValue(resource(t, "cloudformation/scanner-account.yaml", "ReportsBucket"), "Properties")
	bpa := mapValue(props, "PublicAccessBlockConfiguration")
	for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
		if v := mapValue(bpa, k); v == nil || v.Value != "true" {
			t.Errorf("Block Public Access %s is not true", k)
		}
	}
	for _, k := range []string{"BucketEncryption", "VersioningConfiguration", "LifecycleConfiguration", "LoggingConfiguration", "OwnershipControls"} {
		if mapValue(props, k) == nil {
			t.Errorf("the reports bucket has no %s", k)
		}
	}
	pol := mapValue(mapValue(resource(t, "cloudformation/scanner-account.yaml", "ReportsBucketPolicy"), "Properties"), "PolicyDocument")
	b, _ := yaml.Marshal(pol)
	if !strings.Contains(string(b), "aws:SecureTransport") {
		t.Errorf("the reports bucket policy does not deny plain HTTP")
	}
}

// awsCall is an operation the code calls: service package and operation.
type awsCall struct{ service, operation string }

// codeCalls finds every AWS operation the module's code calls, by the SDK
// input it builds (&s3.ListBucketsInput{...}, also for paginators), plus
// sts:AssumeRole through stscreds. Tests, the emulator, this package and
// internal helpers are not the product and are skipped.
func codeCalls(t *testing.T) map[awsCall][]string {
	t.Helper()
	const sdk = "github.com/aws/aws-sdk-go-v2/service/"
	calls := map[awsCall][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "emulator", "internal", "deploy", "testdata", "node_modules", ".git", ".tools":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		services := map[string]string{} // local name -> service
		stscreds := ""
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if svc, ok := strings.CutPrefix(p, sdk); ok && !strings.Contains(svc, "/") {
				services[name] = svc
			}
			if p == "github.com/aws/aws-sdk-go-v2/credentials/stscreds" {
				stscreds = name
			}
		}
		rel, _ := filepath.Rel("..", path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				sel, ok := x.Type.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				if svc, ok := services[pkg.Name]; ok {
					if op, ok := strings.CutSuffix(sel.Sel.Name, "Input"); ok {
						c := awsCall{svc, op}
						calls[c] = append(calls[c], rel)
					}
				}
			case *ast.SelectorExpr:
				if pkg, ok := x.X.(*ast.Ident); ok && stscreds != "" && pkg.Name == stscreds && x.Sel.Name == "NewAssumeRoleProvider" {
					c := awsCall{"sts", "AssumeRole"}
					calls[c] = append(calls[c], rel)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// TestPermissionsListEveryOperationTheCodeCalls keeps deploy/iam.go (and,
// through the test above, the templates) in step with the code: a new AWS
// call must come with its IAM action, and an action nothing calls any more
// must go.
func TestPermissionsListEveryOperationTheCodeCalls(t *testing.T) {
	calls := codeCalls(t)
	if len(calls) == 0 {
		t.Fatal("found no AWS calls in the code: the scan is broken")
	}
	listed := map[awsCall]bool{}
	for _, p := range Permissions {
		listed[awsCall{p.Service, p.Operation}] = true
	}
	for c, where := range calls {
		if !listed[c] {
			slices.Sort(where)
			t.Errorf("%s calls %s %s, which deploy/iam.go Permissions does not list (add it with its IAM action, then the templates)", slices.Compact(where), c.service, c.operation)
		}
	}
	for _, p := range Permissions {
		if p.Kind == Indirect {
			continue
		}
		if _, ok := calls[awsCall{p.Service, p.Operation}]; !ok {
			t.Errorf("deploy/iam.go lists %s %s (%s) but no code calls it: remove it and its action from the templates", p.Service, p.Operation, p.Action)
		}
	}
}
