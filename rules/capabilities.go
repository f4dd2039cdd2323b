package rules

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// capabilities are the OPA capabilities every module is compiled with,
// built-in and user alike. A rule reads the inventory it is given and
// nothing else: OPA marks the builtins whose result depends on the world
// outside the query as Nondeterministic (http.send, net.lookup_ip_addr,
// opa.runtime, time.now_ns, rand.intn, uuid.rfc4122, io.jwt.* that fetch or
// sign with the clock, json.match_schema with remote $refs; see
// https://www.openpolicyagent.org/docs/policy-reference#builtins and
// "Capabilities" in https://www.openpolicyagent.org/docs/deployments).
// All of them are left out, so a module calling one fails to compile with
// "undefined function" at its file and line. Pure helpers with similar
// names (net.cidr_contains, time.parse_rfc3339_ns) stay: they do no I/O and
// read no clock. AllowNet is empty so that not even the type checker may
// fetch a remote JSON schema.
func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(slices.Clone(c.Builtins), func(b *ast.Builtin) bool {
		return deniedBuiltin(b)
	})
	c.AllowNet = []string{}
	return c
}

// deniedBuiltin says whether a builtin is left out of capabilities.
func deniedBuiltin(b *ast.Builtin) bool {
	if b.Nondeterministic {
		return true
	}
	// Belt and braces for builtins that a future OPA might add without the
	// flag: every network and runtime namespace that can reach outside.
	for _, p := range []string{"http.", "opa.runtime", "net.lookup", "rand.", "time.now"} {
		if strings.HasPrefix(b.Name, p) {
			return true
		}
	}
	return false
}

// DeniedBuiltins lists the builtins rules may not call, sorted (docs and
// `rules test` error messages).
func DeniedBuiltins() []string {
	var out []string
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if deniedBuiltin(b) {
			out = append(out, b.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
