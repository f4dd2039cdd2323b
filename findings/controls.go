package findings

import (
	"slices"
	"strings"

	"github.com/hoofprint/hoofprint/inventory"
)

// ControlStatus is one HIPAA section across the accounts of a run: the
// accounts where a rule behind it found something (failing), those where
// a gap kept one of its rules from judging (not evaluated), and the rest
// (passing). Each account is in exactly one list.
type ControlStatus struct {
	Control
	Passing      []string `json:"passing"`
	Failing      []string `json:"failing"`
	NotEvaluated []string `json:"notEvaluated"`
}

// ruleReads are the operations whose gaps can hide what a built-in rule of
// the hipaa profile judges (besides the account-wide listings, below). A
// rule not listed falls back to gapServices.
var ruleReads = map[string][]string{
	"s3-bucket-access-logging-off":   {"GetBucketLogging"},
	"s3-bucket-versioning-off":       {"GetBucketVersioning", "ListObjectsV2"},
	"s3-bucket-encryption-weakened":  {"GetBucketEncryption", "GetBucketPolicy"},
	"s3-bucket-encryption-not-cmk":   {"GetBucketEncryption", "ListObjectsV2"},
	"s3-bucket-data-events-off":      {"DescribeTrails", "GetTrailStatus", "GetEventSelectors", "ListObjectsV2"},
	"cloudfront-access-logging-off":  {"GetDistributionConfig", "DescribeDeliverySources", "DescribeDeliveries"},
	"cloudfront-viewer-tls-outdated": {"HeadBucket"},
	"cloudfront-viewer-http-allowed": {},
}

// listings hide every rule of their service: what was not listed was not
// judged at all.
var listings = map[string]string{"ListBuckets": "s3", "GetBucketLocation": "s3", "ListDistributions": "cloudfront"}

// gapServices are the services whose gaps can hide what a rule judges. A
// rule not listed here (a user rule) is hidden by a gap in any service.
func gapServices(ruleID string) []string {
	switch {
	case strings.HasPrefix(ruleID, "cloudfront-"):
		return []string{"cloudfront", "s3", "s3control", "kms"}
	case strings.HasPrefix(ruleID, "s3-"):
		return []string{"s3", "s3control"}
	}
	return nil
}

// hides reports whether gap g keeps rule from judging g's account.
func hides(g inventory.Gap, rule string) bool {
	switch g.Service {
	case "sts", "hoofprint":
		// An account not assumed or cut short hides everything in it; an
		// evaluation that did not finish hides that rule.
		if op, ok := strings.CutPrefix(g.Operation, "evaluate rule "); ok {
			return op == rule
		}
		return true
	case "organizations":
		return false
	}
	if svc, ok := listings[g.Operation]; ok && strings.HasPrefix(rule, svc+"-") {
		return true
	}
	if ops, ok := ruleReads[rule]; ok {
		return slices.Contains(ops, g.Operation)
	}
	svcs := gapServices(rule)
	return svcs == nil || slices.Contains(svcs, g.Service)
}

// ControlStatuses judges each control of the document that has rules, over
// the scanned accounts and the accounts the scan could not enter. A rule
// that did not finish on the whole organization (a gap without a resource
// from evaluation) leaves its controls not evaluated in every account.
func (d *Document) ControlStatuses() []ControlStatus {
	var failing Failing
	for f := range d.All() {
		failing.Add(f)
	}
	return d.ControlStatusesOf(&failing)
}

// Failing records the accounts each rule fired in, so that a report that
// reads the findings once for several sections can judge the controls
// (ControlStatusesOf) from the same pass. A streamed scan keeps it to the
// end, an entry for every account with a finding: so each account holds
// one bit per rule rather than a set entry per rule. The zero value is
// ready to use; it is not safe for concurrent use.
type Failing struct {
	rules    map[string]int      // rule → its bit
	accounts map[string][]uint64 // account → the bits of the rules that fired in it
}

// Add records f's rule as failing in f's account.
func (x *Failing) Add(f Finding) {
	if x.rules == nil {
		x.rules, x.accounts = map[string]int{}, map[string][]uint64{}
	}
	bit, ok := x.rules[f.RuleID]
	if !ok {
		bit = len(x.rules)
		x.rules[f.RuleID] = bit
	}
	bits := x.accounts[f.AccountID]
	if w := bit / 64; w >= len(bits) {
		bits = append(bits, make([]uint64, w+1-len(bits))...)
		x.accounts[f.AccountID] = bits
	}
	bits[bit/64] |= 1 << (bit % 64)
}

// Has reports whether rule fired in account.
func (x *Failing) Has(rule, account string) bool {
	bit, ok := x.rules[rule]
	if !ok {
		return false
	}
	bits := x.accounts[account]
	return bit/64 < len(bits) && bits[bit/64]&(1<<(bit%64)) != 0
}

// ControlStatusesOf is ControlStatuses with the failing accounts already
// gathered from d's findings.
func (d *Document) ControlStatusesOf(failing *Failing) []ControlStatus {
	accounts := slices.Clone(d.Accounts)
	for _, g := range d.Coverage.Gaps {
		if g.Service == "sts" && g.AccountID != "" && !slices.Contains(accounts, g.AccountID) {
			accounts = append(accounts, g.AccountID)
		}
	}
	slices.Sort(accounts)
	var out []ControlStatus
	for _, c := range d.Controls {
		if len(c.Rules) == 0 {
			continue
		}
		st := ControlStatus{Control: c, Passing: []string{}, Failing: []string{}, NotEvaluated: []string{}}
		for _, a := range accounts {
			switch {
			case slices.ContainsFunc(c.Rules, func(r string) bool { return failing.Has(r, a) }):
				st.Failing = append(st.Failing, a)
			case d.hidden(c.Rules, a):
				st.NotEvaluated = append(st.NotEvaluated, a)
			default:
				st.Passing = append(st.Passing, a)
			}
		}
		out = append(out, st)
	}
	return out
}

// hidden reports whether a gap keeps one of rules from judging account.
func (d *Document) hidden(rules []string, account string) bool {
	if !slices.Contains(d.Accounts, account) {
		return true
	}
	for _, g := range d.Coverage.Gaps {
		orgWide := strings.HasPrefix(g.Operation, "evaluate rule ") && g.Resource == ""
		if g.AccountID != account && !orgWide {
			continue
		}
		for _, r := range rules {
			if hides(g, r) {
				return true
			}
		}
	}
	return false
}
