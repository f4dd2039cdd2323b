package deploy

import (
	"os"
	"strings"
	"testing"
)

// TestDeployDocsExplainEveryIAMAction keeps docs/deploy.md's action table
// in step with Permissions: the closing list of actions and why each is
// needed is what a reviewer signs off.
func TestDeployDocsExplainEveryIAMAction(t *testing.T) {
	b, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, table, ok := strings.Cut(doc, "## 10. IAM actions and why each is needed")
	if !ok {
		t.Fatal(`docs/deploy.md has no "## 10. IAM actions and why each is needed" section`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	for _, p := range Permissions {
		switch {
		case p.Action == "":
			continue
		case p.Kind == EmulatorOnly:
			if !strings.Contains(table, "`"+p.Action+"` is not") {
				t.Errorf("docs/deploy.md should say that %s is not granted, and why", p.Action)
			}
		case !strings.Contains(table, "`"+p.Action+"`"):
			t.Errorf("docs/deploy.md section 10 does not explain %s (%s %s)", p.Action, p.Service, p.Operation)
		}
	}
}
