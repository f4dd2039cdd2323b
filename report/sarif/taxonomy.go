package sarif

import (
	"cmp"

	"github.com/hoofprint/hoofprint/findings"
)

// HIPAATaxonomyName names the taxonomy of HIPAA Security Rule sections
// that every rule relates to, so that a SARIF viewer can group results by
// control (SARIF 2.1.0 §3.19.3 taxonomies, §3.53 relationships).
const HIPAATaxonomyName = "HIPAA Security Rule"

// hipaaTaxonomyGUID identifies the taxonomy across runs and tools: a
// fixed version-5-shaped GUID, as §3.19.6 asks of a toolComponent meant to
// be referred to from other logs.
const hipaaTaxonomyGUID = "0f3c2b6a-5d1e-5a7b-9c2d-4e6f8a0b1c3d"

// hipaaTaxonomy turns the document's controls into a taxonomy, and returns
// the index of each section among its taxa. It is nil when the document
// carries no controls (a caller that did not map them).
func hipaaTaxonomy(doc findings.Document) (*Taxonomy, map[string]int) {
	if len(doc.Controls) == 0 {
		return nil, nil
	}
	t := &Taxonomy{
		Name:             HIPAATaxonomyName,
		GUID:             hipaaTaxonomyGUID,
		Organization:     "U.S. Department of Health and Human Services",
		InformationURI:   "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C",
		ShortDescription: &Message{Text: "Security standards for the protection of electronic protected health information (45 CFR Part 164, Subpart C)."},
		Taxa:             []ReportingDescriptor{},
	}
	index := map[string]int{}
	for _, c := range doc.Controls {
		index[c.ID] = len(t.Taxa)
		props := map[string]any{"hoofprint/rules": nonNil(c.Rules)}
		if c.Safeguard != "" {
			props["hoofprint/safeguard"] = c.Safeguard
		}
		t.Taxa = append(t.Taxa, ReportingDescriptor{
			ID:               c.ID,
			ShortDescription: &Message{Text: cmp.Or(c.Title, "HIPAA Security Rule "+c.ID)},
			Properties:       props,
		})
	}
	return t, index
}

// relate adds to each rule a relationship to every section it names.
func relate(rules []ReportingDescriptor, doc findings.Document, taxa map[string]int) {
	hipaa := map[string][]string{}
	for _, r := range doc.Rules {
		hipaa[r.ID] = r.HIPAA
	}
	zero := 0
	for i := range rules {
		for _, s := range hipaa[rules[i].ID] {
			idx, ok := taxa[s]
			if !ok {
				continue
			}
			rules[i].Relationships = append(rules[i].Relationships, Relationship{
				Target: DescriptorReference{ID: s, Index: &idx,
					ToolComponent: &ToolComponentReference{Name: HIPAATaxonomyName, Index: &zero, GUID: hipaaTaxonomyGUID}},
				Kinds: []string{"relevant"},
			})
		}
	}
}
