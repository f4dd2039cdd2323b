package rules

import (
	_ "embed"
	"fmt"

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
