package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// policyDoc is a parsed bucket policy. The emulator evaluates the subset of
// the IAM policy language that S3 site setups use: Allow and Deny with
// Principal (AWS account/role/OAI ARNs, account IDs, "*", Service), Action
// and Resource with wildcards, and the conditions aws:SecureTransport and
// aws:SourceArn / aws:SourceAccount. A statement with NotPrincipal,
// NotAction, NotResource or another condition key never applies (for Allow
// that is stricter than AWS, for Deny more lenient); see "Policy evaluation
// logic", IAM User Guide.
type policyDoc struct {
	Statements []statement
}

type statement struct {
	Effect       string
	Principals   []string // "*", "AWS:arn…", "Service:cloudfront.amazonaws.com"
	Actions      []string
	Resources    []string
	Conditions   map[string]map[string][]string // operator → key → values
	Unsupported  bool
	AnyPrincipal bool
}

func parsePolicy(raw string) (*policyDoc, error) {
	var doc struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return nil, fmt.Errorf("policy is not JSON: %w", err)
	}
	var stmts []map[string]json.RawMessage
	if len(doc.Statement) > 0 && doc.Statement[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, err
		}
		stmts = append(stmts, one)
	} else if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
		return nil, fmt.Errorf("policy Statement: %w", err)
	}
	if len(stmts) == 0 {
		return nil, errors.New("policy has no statements")
	}
	out := &policyDoc{}
	for i, m := range stmts {
		var st statement
		if err := json.Unmarshal(m["Effect"], &st.Effect); err != nil || (st.Effect != "Allow" && st.Effect != "Deny") {
			return nil, fmt.Errorf("statement %d: Effect must be Allow or Deny", i)
		}
		for _, k := range []string{"NotPrincipal", "NotAction", "NotResource"} {
			if _, ok := m[k]; ok {
				st.Unsupported = true
			}
		}
		if p, ok := m["Principal"]; ok {
			var star string
			if json.Unmarshal(p, &star) == nil {
				if star != "*" {
					return nil, fmt.Errorf("statement %d: Principal string must be \"*\"", i)
				}
				st.Principals = []string{"*"}
			} else {
				var pm map[string]json.RawMessage
				if err := json.Unmarshal(p, &pm); err != nil {
					return nil, fmt.Errorf("statement %d: Principal: %w", i, err)
				}
				for kind, v := range pm {
					vals, err := stringOrList(v)
					if err != nil {
						return nil, fmt.Errorf("statement %d: Principal.%s: %w", i, kind, err)
					}
					for _, x := range vals {
						st.Principals = append(st.Principals, kind+":"+x)
					}
				}
			}
		} else if !st.Unsupported {
			return nil, fmt.Errorf("statement %d: a bucket policy statement needs a Principal", i)
		}
		var err error
		if a, ok := m["Action"]; ok {
			if st.Actions, err = stringOrList(a); err != nil {
				return nil, fmt.Errorf("statement %d: Action: %w", i, err)
			}
		}
		if r, ok := m["Resource"]; ok {
			if st.Resources, err = stringOrList(r); err != nil {
				return nil, fmt.Errorf("statement %d: Resource: %w", i, err)
			}
		}
		if c, ok := m["Condition"]; ok {
			var cm map[string]map[string]json.RawMessage
			if err := json.Unmarshal(c, &cm); err != nil {
				return nil, fmt.Errorf("statement %d: Condition: %w", i, err)
			}
			st.Conditions = map[string]map[string][]string{}
			for op, kv := range cm {
				st.Conditions[op] = map[string][]string{}
				for k, v := range kv {
					vals, err := stringOrList(v)
					if err != nil {
						return nil, fmt.Errorf("statement %d: Condition %s %s: %w", i, op, k, err)
					}
					st.Conditions[op][strings.ToLower(k)] = vals
				}
			}
		}
		for _, p := range st.Principals {
			if p == "*" || p == "AWS:*" {
				st.AnyPrincipal = true
			}
		}
		out.Statements = append(out.Statements, st)
	}
	return out, nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var one any
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	switch v := one.(type) {
	case string:
		return []string{v}, nil
	case bool:
		return []string{fmt.Sprint(v)}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			switch s := x.(type) {
			case string:
				out = append(out, s)
			case bool:
				out = append(out, fmt.Sprint(s))
			default:
				return nil, fmt.Errorf("expected strings, got %T", x)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string or a list, got %T", one)
}

// principal is who makes a request, as S3 authorization sees it.
type principal struct {
	// Account is the caller's account ("" for anonymous, OAIs and services).
	Account string
	// ARN is the IAM ARN ("" for anonymous), or the OAI's
	// "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ID".
	ARN     string
	RoleARN string
	// Canonical is the canonical user ID an ACL names.
	Canonical string
	// Service is the service principal (cloudfront.amazonaws.com for an OAC).
	Service   string
	SourceARN string
}

func (p principal) anonymous() bool { return p.Account == "" && p.ARN == "" && p.Service == "" }

// matchesPrincipal reports whether a statement principal names p.
func (st *statement) matchesPrincipal(p principal) bool {
	for _, sp := range st.Principals {
		kind, val, _ := strings.Cut(sp, ":")
		if sp == "*" {
			return true
		}
		switch kind {
		case "AWS":
			if val == "*" && p.Service == "" {
				return true
			}
			if p.Account != "" && (val == p.Account || val == "arn:aws:iam::"+p.Account+":root") {
				return true
			}
			if p.ARN != "" && (val == p.ARN || (p.RoleARN != "" && val == p.RoleARN)) {
				return true
			}
		case "Service":
			if p.Service != "" && val == p.Service {
				return true
			}
		case "CanonicalUser":
			if p.Canonical != "" && val == p.Canonical {
				return true
			}
		}
	}
	return false
}

func wildMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// IAM wildcards are * and ?; path.Match also treats [ and \ specially,
	// which do not appear in S3 actions or bucket ARNs we evaluate.
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// conditionsHold evaluates the conditions the emulator understands; ok is
// false when a condition uses something else. Requests to the emulator
// stand for HTTPS requests to AWS (the SDK uses TLS there), so
// aws:SecureTransport is true.
func (st *statement) conditionsHold(p principal) (holds, ok bool) {
	for op, kv := range st.Conditions {
		for key, vals := range kv {
			var actual string
			switch key {
			case "aws:securetransport":
				actual = "true"
			case "aws:sourcearn":
				actual = p.SourceARN
			case "aws:sourceaccount":
				if i := strings.Index(p.SourceARN, "::"); i >= 0 {
					actual, _, _ = strings.Cut(p.SourceARN[i+2:], ":")
				}
			default:
				return false, false
			}
			matched := false
			for _, v := range vals {
				switch op {
				case "Bool", "StringEqualsIgnoreCase":
					matched = matched || strings.EqualFold(v, actual)
				case "StringEquals", "ArnEquals":
					matched = matched || v == actual
				case "StringLike", "ArnLike":
					matched = matched || wildMatch(v, actual, false)
				case "StringNotEquals", "ArnNotEquals":
					matched = matched || v != actual
				default:
					return false, false
				}
			}
			if !matched {
				return false, true
			}
		}
	}
	return true, true
}

// decide evaluates the policy for one action on one resource: explicit deny
// wins, then allow.
func (d *policyDoc) decide(p principal, action, resource string) (allow, deny bool) {
	if d == nil {
		return false, false
	}
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Unsupported || !st.matchesPrincipal(p) || !matchAny(st.Actions, action, true) || !matchAny(st.Resources, resource, false) {
			continue
		}
		holds, ok := st.conditionsHold(p)
		if !ok || !holds {
			continue
		}
		if st.Effect == "Deny" {
			deny = true
		} else {
			allow = true
		}
	}
	return allow, deny
}

func matchAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// isPublic applies S3's definition of a public bucket policy: an Allow for
// any principal not limited by a condition on fixed values such as
// aws:SourceArn, aws:SourceAccount, aws:SourceVpc(e) or aws:PrincipalOrgID
// ("The meaning of 'public'", Blocking public access to your Amazon S3
// storage, Amazon S3 User Guide).
func (d *policyDoc) isPublic() bool {
	if d == nil {
		return false
	}
	limiting := map[string]bool{"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
		"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true, "aws:userid": true, "aws:sourceowner": true}
	for _, st := range d.Statements {
		if st.Effect != "Allow" || !st.AnyPrincipal {
			continue
		}
		limited := false
		for op, kv := range st.Conditions {
			if strings.HasPrefix(op, "StringNot") || strings.HasPrefix(op, "ArnNot") || strings.HasSuffix(op, "Like") && op != "ArnLike" {
				continue
			}
			for k, vals := range kv {
				if limiting[k] {
					wild := false
					for _, v := range vals {
						// A wildcard or a policy variable is not a fixed value.
						wild = wild || strings.ContainsAny(v, "*?") || strings.Contains(v, "${")
					}
					limited = limited || !wild
				}
			}
		}
		if !limited {
			return true
		}
	}
	return false
}
