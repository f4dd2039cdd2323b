package rules

import (
	_ "embed"
	"fmt"
	"sort"

	"github.com/hoofprint/hoofprint/findings"

	"sigs.k8s.io/yaml"
)

//go:embed hipaa.yaml
var hipaaYAML []byte

// HIPAAMapping is the one mapping from HIPAA Security Rule sections to
// rules (rules/hipaa.yaml). Rule METADATA repeats each rule's sections so
// that reports carry them; a test keeps the two in step.
type HIPAAMapping struct {
	Framework string         `json:"framework"`
	Sections  []HIPAASection `json:"sections"`
}

// HIPAASection is one section of 45 CFR 164 and the rules that address it.
type HIPAASection struct {
	// ID is the section reference, e.g. "164.312(a)(1)".
	ID    string `json:"id"`
	Title string `json:"title"`
	// Safeguard is administrative, physical, technical or organizational.
	Safeguard string   `json:"safeguard"`
	Rules     []string `json:"rules"`
}

// HIPAA returns the embedded HIPAA mapping.
func HIPAA() (HIPAAMapping, error) {
	var m HIPAAMapping
	if err := yaml.UnmarshalStrict(hipaaYAML, &m); err != nil {
		return HIPAAMapping{}, fmt.Errorf("read rules/hipaa.yaml: %w", err)
	}
	return m, nil
}

// Title returns the title of a section ID, or "" when it is not mapped.
func (m HIPAAMapping) Title(id string) string {
	for _, s := range m.Sections {
		if s.ID == id {
			return s.Title
		}
	}
	return ""
}

// Controls lists the HIPAA sections as report controls with the loaded
// rules that address each (from the rules' METADATA, so user rules count
// too), in the mapping's order; a section that a user rule names but the
// mapping does not know is appended with an empty title.
func Controls(m HIPAAMapping, rules []findings.Rule) []findings.Control {
	bySection := map[string][]string{}
	for _, r := range rules {
		for _, s := range r.HIPAA {
			bySection[s] = append(bySection[s], r.ID)
		}
	}
	var out []findings.Control
	known := map[string]bool{}
	for _, s := range m.Sections {
		known[s.ID] = true
		ids := bySection[s.ID]
		sort.Strings(ids)
		out = append(out, findings.Control{ID: s.ID, Title: s.Title, Safeguard: s.Safeguard, Rules: ids})
	}
	var extra []string
	for s := range bySection {
		if !known[s] {
			extra = append(extra, s)
		}
	}
	sort.Strings(extra)
	for _, s := range extra {
		ids := bySection[s]
		sort.Strings(ids)
		out = append(out, findings.Control{ID: s, Rules: ids})
	}
	return out
}
