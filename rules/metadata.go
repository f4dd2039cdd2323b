package rules

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hoofprint/hoofprint/findings"
)

// ruleIDPattern is the shape of a stable rule ID: lower-case words joined by
// hyphens, as in the catalogue of rules/README.md.
var ruleIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// resourceTypes are the values a rule's custom.resource_type may take.
var resourceTypes = map[string]bool{
	findings.ResourceAccount:      true,
	findings.ResourceS3Bucket:     true,
	findings.ResourceS3Object:     true,
	findings.ResourceDistribution: true,
}

// knownCustomKeys are the METADATA custom keys the engine reads. Any other
// key is an error: a typo ("severty") must fail at load, not vanish.
var knownCustomKeys = map[string]bool{
	"id": true, "severity": true, "hipaa": true, "remediation": true, "remediation_cli": true,
	"help_url": true, "resource_type": true, "sampled": true, "scope": true, "profiles": true, "site_remediation": true, "do_first": true,
}

// Profiles are the rule sets --profile selects: incident (the controls of
// the seed incident), hipaa (incident plus the HIPAA Security Rule controls
// beyond it, the default) and all (hipaa plus opt-in stricter rules). A
// rule's custom.profiles lists the profiles it runs in; a rule without it
// runs in every profile, and user rules (--rules DIR) always run.
var Profiles = []string{findings.ProfileIncident, findings.ProfileHIPAA, findings.ProfileAll}

// metadataError names the file and line of the METADATA block at fault.
func metadataError(a *ast.Annotations, source, format string, args ...any) error {
	loc := source
	if a != nil && a.Location != nil {
		loc = fmt.Sprintf("%s:%d", a.Location.File, a.Location.Row)
	}
	return fmt.Errorf("%s: bad rule metadata: %s", loc, fmt.Sprintf(format, args...))
}

// packageAnnotation returns the package-scoped METADATA of a module, or nil.
func packageAnnotation(m *ast.Module) *ast.Annotations {
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			return a
		}
	}
	return nil
}

// ruleFromAnnotations converts a rule's package METADATA into a
// findings.Rule with explicit checks, in the manner of trivy's
// pkg/iac/rego/metadata.go: a malformed rule fails loudly at load.
func ruleFromAnnotations(a *ast.Annotations, source string) (findings.Rule, error) {
	var r findings.Rule
	// Every problem is collected, so that a rule author fixes them in one
	// round rather than one load per missing field.
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	c := a.Custom
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if !knownCustomKeys[k] {
			bad("unknown custom key %q", k)
		}
	}
	str := func(key string, required bool) string {
		v, ok := c[key]
		if !ok {
			if required {
				bad("custom.%s is required", key)
			}
			return ""
		}
		s, ok := v.(string)
		if !ok {
			bad("custom.%s must be a string, not %T", key, v)
			return ""
		}
		s = strings.TrimSpace(s)
		if required && s == "" {
			bad("custom.%s must not be empty", key)
		}
		return s
	}
	r.ID = str("id", true)
	if r.ID != "" && !ruleIDPattern.MatchString(r.ID) {
		bad("custom.id %q must be lower-case words joined by hyphens", r.ID)
	}
	// Later problems name the rule when it has an ID.
	name := "rule " + cmp.Or(r.ID, "without an id") + ": "
	r.Title = strings.TrimSpace(a.Title)
	if r.Title == "" {
		bad("%stitle is required", name)
	}
	r.Description = unwrap(a.Description)
	if r.Description == "" {
		bad("%sdescription is required", name)
	}
	if sev := str("severity", true); sev != "" {
		var err error
		if r.Severity, err = findings.ParseSeverity(sev); err != nil || r.Severity == findings.SeverityNone {
			bad(name+"custom.severity %q must be critical, high, medium, low or informational", sev)
		}
	}
	if v, ok := c["hipaa"]; ok {
		list, ok := v.([]any)
		if !ok {
			bad(name+"custom.hipaa must be a list of strings, not %T", v)
		}
		for _, x := range list {
			s, ok := x.(string)
			if !ok || strings.TrimSpace(s) == "" {
				bad("%scustom.hipaa entries must be non-empty strings", name)
				break
			}
			r.HIPAA = append(r.HIPAA, s)
		}
	}
	r.Remediation = unwrap(str("remediation", true))
	r.SiteRemediation = unwrap(str("site_remediation", false))
	r.DoFirst = unwrap(str("do_first", false))
	r.RemediationCLI = str("remediation_cli", false)
	r.HelpURL = str("help_url", false)
	if r.HelpURL != "" {
		if u, perr := url.Parse(r.HelpURL); perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(name+"custom.help_url %q is not an http(s) URL", r.HelpURL)
		}
	}
	r.ResourceType = str("resource_type", true)
	if r.ResourceType != "" && !resourceTypes[r.ResourceType] {
		bad(name+"custom.resource_type %q must be one of %s, %s, %s, %s", r.ResourceType,
			findings.ResourceAccount, findings.ResourceS3Bucket, findings.ResourceS3Object, findings.ResourceDistribution)
	}
	if v, ok := c["sampled"]; ok {
		b, ok := v.(bool)
		if !ok {
			bad(name+"custom.sampled must be true or false, not %T", v)
		}
		r.Sampled = b
	}
	var err error
	if r.Scope, err = ruleScope(c, r); err != nil {
		bad("%v", err)
	}
	r.Profiles = slices.Clone(Profiles)
	if v, ok := c["profiles"]; ok {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			bad(name+"custom.profiles must be a non-empty list of %s", strings.Join(Profiles, ", "))
		}
		r.Profiles = nil
		for _, x := range list {
			s, ok := x.(string)
			if !ok || !slices.Contains(Profiles, s) {
				bad(name+"custom.profiles entry %v is not one of %s", x, strings.Join(Profiles, ", "))
				continue
			}
			r.Profiles = append(r.Profiles, s)
		}
	}
	if len(problems) > 0 {
		return findings.Rule{}, metadataError(a, source, "%s", strings.Join(problems, "; "))
	}
	for _, rr := range a.RelatedResources {
		if rr != nil && rr.Ref.String() != "" {
			r.RelatedResources = append(r.RelatedResources, rr.Ref.String())
		}
	}
	r.Source = source
	return r, nil
}

// Scopes are the values of custom.scope, the evaluation scope of a rule
// with sampled: false (findings.Rule.Scope).
var Scopes = []string{findings.ScopeBucket, findings.ScopeOrigins, findings.ScopeOrganization}

// ruleScope reads custom.scope. A rule that is not sampled and names no
// scope sees the whole organization, as every such rule did before scopes
// existed: a user rule keeps its contract. A sampled rule has no scope (it
// is evaluated per bucket with its objects).
func ruleScope(c map[string]any, r findings.Rule) (string, error) {
	v, ok := c["scope"]
	if !ok {
		if r.Sampled {
			return "", nil
		}
		return findings.ScopeOrganization, nil
	}
	s, ok := v.(string)
	if !ok || !slices.Contains(Scopes, s) {
		return "", fmt.Errorf("rule %s: custom.scope %v must be one of %s", r.ID, v, strings.Join(Scopes, ", "))
	}
	if r.Sampled {
		return "", fmt.Errorf("rule %s: custom.scope applies to rules with sampled: false (a sampled rule is evaluated on one bucket with its objects)", r.ID)
	}
	return s, nil
}

// listItem matches a line that starts a list item ("- x", "1. x").
var listItem = regexp.MustCompile(`^(- |\d+\. )`)

// unwrap joins the hard-wrapped lines of METADATA prose (YAML block
// scalars wrapped at ~72 columns) into paragraphs, so that SARIF viewers,
// Security Hub and terminals wrap the text to their own width. Blank lines
// separate paragraphs and list items keep their own line.
func unwrap(text string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var b strings.Builder
		for _, line := range strings.Split(p, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "":
			case b.Len() == 0:
				b.WriteString(line)
			case listItem.MatchString(line):
				b.WriteString("\n" + line)
			default:
				b.WriteString(" " + line)
			}
		}
		if b.Len() > 0 {
			paras = append(paras, b.String())
		}
	}
	return strings.Join(paras, "\n\n")
}
