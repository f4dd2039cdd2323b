package scenario

import (
	"embed"
	"fmt"
)

//go:embed scenarios/*.yaml
var embedded embed.FS

// HealthCorp returns a fresh copy of the embedded HealthCorp scenario: the
// organization of the seed article "A Tale of Two Buckets" (see
// scenarios/healthcorp.yaml for what each resource demonstrates).
func HealthCorp() *Scenario {
	sc, err := Embedded("healthcorp")
	if err != nil {
		panic(err) // the embedded file is checked by tests
	}
	return sc
}

// Embedded returns the embedded scenario with that name.
func Embedded(name string) (*Scenario, error) {
	b, err := embedded.ReadFile("scenarios/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no embedded scenario %q", name)
	}
	sc, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("embedded scenario %s: %w", name, err)
	}
	return sc, nil
}
