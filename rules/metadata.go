package rules

import (
	"fmt"
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
	fail := func(format string, args ...any) (findings.Rule, error) {
		return findings.Rule{}, metadataError(a, source, format, args...)
	}
	c := a.Custom
	for k := range c {
		if !knownCustomKeys[k] {
			return fail("unknown custom key %q", k)
		}
	}
	str := func(key string, required bool) (string, error) {
		v, ok := c[key]
		if !ok {
			if required {
				return "", metadataError(a, source, "custom.%s is required", key)
			}
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", metadataError(a, source, "custom.%s must be a string, not %T", key, v)
		}
		s = strings.TrimSpace(s)
		if required && s == "" {
			return "", metadataError(a, source, "custom.%s must not be empty", key)
		}
		return s, nil
	}
	var err error
	if r.ID, err = str("id", true); err != nil {
		return r, err
	}
	if !ruleIDPattern.MatchString(r.ID) {
		return fail("custom.id %q must be lower-case words joined by hyphens", r.ID)
	}
	r.Title = strings.TrimSpace(a.Title)
	if r.Title == "" {
		return fail("rule %s: title is required", r.ID)
	}
	r.Description = unwrap(a.Description)
	if r.Description == "" {
		return fail("rule %s: description is required", r.ID)
	}
	sev, err := str("severity", true)
	if err != nil {
		return r, err
	}
	if r.Severity, err = findings.ParseSeverity(sev); err != nil || r.Severity == findings.SeverityNone {
		return fail("rule %s: custom.severity %q must be critical, high, medium, low or informational", r.ID, sev)
	}
	if v, ok := c["hipaa"]; ok {
		list, ok := v.([]any)
		if !ok {
			return fail("rule %s: custom.hipaa must be a list of strings, not %T", r.ID, v)
		}
		for _, x := range list {
			s, ok := x.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return fail("rule %s: custom.hipaa entries must be non-empty strings", r.ID)
			}
			r.HIPAA = append(r.HIPAA, s)
		}
	}
	if r.Remediation, err = str("remediation", true); err != nil {
		return r, err
	}
	r.Remediation = unwrap(r.Remediation)
	if r.SiteRemediation, err = str("site_remediation", false); err != nil {
		return r, err
	}
	r.SiteRemediation = unwrap(r.SiteRemediation)
	if r.DoFirst, err = str("do_first", false); err != nil {
		return r, err
	}
	r.DoFirst = unwrap(r.DoFirst)
	if r.RemediationCLI, err = str("remediation_cli", false); err != nil {
		return r, err
	}
	if r.HelpURL, err = str("help_url", false); err != nil {
		return r, err
	}
	if r.HelpURL != "" {
		if u, perr := url.Parse(r.HelpURL); perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail("rule %s: custom.help_url %q is not an http(s) URL", r.ID, r.HelpURL)
		}
	}
	if r.ResourceType, err = str("resource_type", true); err != nil {
		return r, err
	}
	if !resourceTypes[r.ResourceType] {
		return fail("rule %s: custom.resource_type %q must be one of %s, %s, %s, %s", r.ID, r.ResourceType,
			findings.ResourceAccount, findings.ResourceS3Bucket, findings.ResourceS3Object, findings.ResourceDistribution)
	}
	if v, ok := c["sampled"]; ok {
		b, ok := v.(bool)
		if !ok {
			return fail("rule %s: custom.sampled must be true or false, not %T", r.ID, v)
		}
		r.Sampled = b
	}
	if r.Scope, err = ruleScope(c, r); err != nil {
		return fail("%v", err)
	}
	r.Profiles = slices.Clone(Profiles)
	if v, ok := c["profiles"]; ok {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return fail("rule %s: custom.profiles must be a non-empty list of %s", r.ID, strings.Join(Profiles, ", "))
		}
		r.Profiles = nil
		for _, x := range list {
			s, ok := x.(string)
			if !ok || !slices.Contains(Profiles, s) {
				return fail("rule %s: custom.profiles entry %v is not one of %s", r.ID, x, strings.Join(Profiles, ", "))
			}
			r.Profiles = append(r.Profiles, s)
		}
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
