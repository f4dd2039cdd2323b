package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// state is the emulated AWS world. One RWMutex guards all of it: requests
// are short and mostly reads, and a single lock keeps cross-service
// semantics (an OAI's canonical ID in an object ACL, a role in an account)
// consistent.
type state struct {
	mu         sync.RWMutex
	org        *organization
	accounts   map[string]*account // by ID
	accountIDs []string            // in creation order
	keys       map[string]*credential
	buckets    map[string]*bucket
	oais       map[string]*oai // by ID
	oacs       map[string]*oac
	dists      map[string]*distribution
	kmsKeys    map[string]*kmsKey // by key ID
	distOrder  []string
	trails     []*scenario.Trail // resolved: Account is an account ID
	// logSources maps account/name of a CloudWatch Logs delivery source
	// made through the API to its distribution ID; logDests a delivery
	// destination's ARN to what it delivers to.
	logSources map[string]string
	logDests   map[string]scenario.LogDestination
	// findings: account/region → finding key (ProductArn + "|" + Id) → finding.
	findings   map[string]map[string]map[string]any
	findOrder  map[string][]string
	createReqs map[string]string // CreateAccount request ID → account ID
	memberRole string
}

type organization struct {
	ID, ManagementID string
}

type account struct {
	ID, Name, Email, Status string
	// Member is true for accounts of the organization.
	Member         bool
	Roles          map[string]bool
	PAB            *scenario.PublicAccessBlock
	Canonical      string
	SecurityHubOff bool
	Joined         time.Time
}

// credential is an access key the emulator knows.
type credential struct {
	AccessKeyID, Secret, Token string
	AccountID                  string
	// ARN is the principal: an IAM user or an assumed-role session.
	ARN string
	// RoleARN is the IAM role for assumed-role sessions ("" otherwise).
	RoleARN string
	Expires time.Time
}

type grant struct {
	Type       string // CanonicalUser or Group
	ID         string
	URI        string
	Permission string
}

type acl struct {
	Owner  string // canonical ID
	Grants []grant
}

type bucket struct {
	Name, Owner, Region string // Owner is an account ID
	Created             time.Time
	Policy              string
	policyDoc           *policyDoc
	PAB                 *scenario.PublicAccessBlock
	Ownership           string // "" when no ownership controls
	ACL                 acl
	Logging             *scenario.Logging
	// Encryption is the default encryption; nil is S3's default, SSE-S3.
	Encryption *scenario.Encryption
	Versioning string
	MFADelete  bool
	ObjectLock *scenario.ObjectLock
	objects    map[string]*object
	sorted     []string
	dirty      bool
}

type object struct {
	Key      string
	Owner    string // account ID
	ACL      *acl   // shared between objects created from one scenario entry
	Size     int64
	Modified time.Time
	ETag     string
	Body     []byte
	// SSE is how the object is encrypted at rest (never nil once stored).
	SSE *scenario.Encryption
}

type oai struct {
	ID, Account, Comment, Canonical string
}

type oac struct {
	ID, Account, Name, SigningBehavior string
}

type distribution struct {
	ID, Account, Domain, Comment string
	Aliases                      []string
	Enabled                      bool
	Origins                      []origin
	Default                      scenario.Behavior
	Behaviors                    []scenario.Behavior
	Modified                     time.Time
	MinimumProtocolVersion       string
	Logging                      *scenario.DistributionLogging
	LoggingV2                    []scenario.LogDestination
}

type origin struct {
	ID, Domain, OAI, OAC string
	// Path is the OriginPath CloudFront prepends to every request ("" or
	// "/site").
	Path   string
	Custom bool
}

func newState(memberRole string) *state {
	return &state{
		accounts: map[string]*account{}, keys: map[string]*credential{}, buckets: map[string]*bucket{},
		oais: map[string]*oai{}, oacs: map[string]*oac{}, dists: map[string]*distribution{}, kmsKeys: map[string]*kmsKey{},
		findings: map[string]map[string]map[string]any{}, findOrder: map[string][]string{},
		createReqs: map[string]string{}, memberRole: memberRole,
		logSources: map[string]string{}, logDests: map[string]scenario.LogDestination{},
	}
}

func (s *state) addAccount(a *account) {
	a.Canonical = scenario.CanonicalUserID(a.ID)
	if a.Roles == nil {
		a.Roles = map[string]bool{}
	}
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	if _, ok := s.accounts[a.ID]; !ok {
		s.accountIDs = append(s.accountIDs, a.ID)
	}
	s.accounts[a.ID] = a
}

// load fills an empty state from a resolved scenario.
func (s *state) load(sc *scenario.Scenario) error {
	joined := time.Date(2019, 1, 15, 9, 0, 0, 0, time.UTC)
	if sc.Organization != nil {
		s.org = &organization{ID: sc.Organization.ID, ManagementID: sc.ManagementAccount().ID}
	}
	for _, a := range sc.Accounts {
		acc := &account{ID: a.ID, Name: a.Name, Email: a.Email, Status: a.Status, Member: sc.Organization != nil && !a.Outside,
			Roles: map[string]bool{}, PAB: clonePAB(a.PublicAccessBlock), SecurityHubOff: a.SecurityHubDisabled, Joined: joined}
		for _, r := range a.Roles {
			acc.Roles[r] = true
		}
		if acc.Member && s.org != nil && a.ID != s.org.ManagementID {
			acc.Roles[s.memberRole] = true
		}
		s.addAccount(acc)
	}
	byName := func(name string) string { return sc.Account(name).ID }
	for _, o := range sc.OAIs {
		s.oais[o.ID] = &oai{ID: o.ID, Account: byName(o.Account), Comment: o.Comment, Canonical: scenario.OAICanonicalUserID(o.ID)}
	}
	for i := range sc.KMSKeys {
		k := &sc.KMSKeys[i]
		acct := byName(k.Account)
		s.kmsKeys[k.ID] = &kmsKey{ID: k.ID, Account: acct, Region: k.Region, Policy: sc.KeyPolicy(k, acct), alias: k.Alias}
	}
	for _, o := range sc.OACs {
		s.oacs[o.ID] = &oac{ID: o.ID, Account: byName(o.Account), Name: o.Name, SigningBehavior: o.SigningBehavior}
	}
	for _, d := range sc.Distributions {
		dist := &distribution{ID: d.ID, Account: byName(d.Account), Domain: distributionDomain(d.ID), Comment: d.Comment,
			Aliases: d.Aliases, Enabled: !d.Disabled, Default: d.DefaultBehavior, Behaviors: d.Behaviors,
			MinimumProtocolVersion: d.MinimumProtocolVersion, Logging: d.Logging, LoggingV2: d.LoggingV2,
			Modified: time.Date(2019, 6, 30, 17, 0, 0, 0, time.UTC)}
		for _, o := range d.Origins {
			org := origin{ID: o.ID, Domain: o.Domain(), Path: o.Path, Custom: o.Bucket == "" || o.Website}
			if o.OAI != "" {
				org.OAI = sc.OAI(o.OAI).ID
			}
			if o.OAC != "" {
				org.OAC = sc.OAC(o.OAC).ID
			}
			dist.Origins = append(dist.Origins, org)
		}
		s.dists[d.ID] = dist
		s.distOrder = append(s.distOrder, d.ID)
	}
	for _, t := range sc.Trails {
		t.Account = byName(t.Account)
		s.trails = append(s.trails, &t)
	}
	for i := range sc.Buckets {
		b := &sc.Buckets[i]
		owner := s.accounts[byName(b.Account)]
		bk := &bucket{Name: b.Name, Owner: owner.ID, Region: b.Region, Created: b.CreationDate, PAB: clonePAB(b.PublicAccessBlock),
			Ownership: b.Ownership, Logging: b.Logging, Versioning: b.Versioning, MFADelete: b.MFADelete, ObjectLock: b.ObjectLock,
			objects: map[string]*object{}}
		if b.Encryption != nil {
			enc := *b.Encryption
			enc.KMSKeyID = sc.KMSKeyID(b.Encryption)
			bk.Encryption = &enc
		}
		if b.Policy != "" {
			if err := bk.setPolicy(sc.PolicyJSON(b)); err != nil {
				return fmt.Errorf("bucket %s: %w", b.Name, err)
			}
		}
		canned := b.ACL
		if canned == "" {
			canned = "private"
		}
		a, err := s.cannedACL(canned, owner.Canonical, owner.Canonical)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		}
		extra, err := s.scenarioGrants(sc, b.Grants)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		}
		a.Grants = append(a.Grants, extra...)
		bk.ACL = *a
		for _, o := range b.Objects {
			writer := s.accounts[byName(o.Writer)]
			objOwner := writer.ID
			if ownerIsBucketOwner(bk.Ownership, o.ACL) {
				objOwner = owner.ID
			}
			canned := o.ACL
			if canned == "" {
				canned = "private"
			}
			oa, err := s.cannedACL(canned, s.accounts[objOwner].Canonical, owner.Canonical)
			if err != nil {
				return fmt.Errorf("bucket %s: %w", b.Name, err)
			}
			if bk.Ownership == scenario.OwnershipBucketOwnerEnforced {
				oa = &acl{Owner: owner.Canonical, Grants: []grant{{Type: "CanonicalUser", ID: owner.Canonical, Permission: "FULL_CONTROL"}}}
			} else {
				extra, err := s.scenarioGrants(sc, o.Grants)
				if err != nil {
					return fmt.Errorf("bucket %s: %w", b.Name, err)
				}
				oa.Grants = append(oa.Grants, extra...)
			}
			sse := bk.defaultSSE()
			if o.Encryption != nil {
				enc := *o.Encryption
				enc.KMSKeyID = sc.KMSKeyID(o.Encryption)
				sse = &enc
			}
			for _, k := range o.Keys() {
				sum := md5.Sum([]byte(b.Name + "/" + k))
				bk.objects[k] = &object{Key: k, Owner: objOwner, ACL: oa, Size: o.Size, Modified: o.LastModified, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, SSE: sse}
			}
		}
		bk.dirty = true
		s.buckets[b.Name] = bk
	}
	return nil
}

// defaultSSE is the bucket's default encryption: SSE-S3 when none is set.
func (b *bucket) defaultSSE() *scenario.Encryption {
	if b.Encryption != nil {
		return b.Encryption
	}
	return &scenario.Encryption{SSEAlgorithm: sseS3}
}

func (s *state) scenarioGrants(sc *scenario.Scenario, gs []scenario.Grant) ([]grant, error) {
	var out []grant
	for _, g := range gs {
		kind, name, _ := strings.Cut(g.Grantee, ":")
		switch kind {
		case "account":
			out = append(out, grant{Type: "CanonicalUser", ID: scenario.CanonicalUserID(sc.Account(name).ID), Permission: g.Permission})
		case "oai":
			out = append(out, grant{Type: "CanonicalUser", ID: scenario.OAICanonicalUserID(sc.OAI(name).ID), Permission: g.Permission})
		case "id":
			out = append(out, grant{Type: "CanonicalUser", ID: name, Permission: g.Permission})
		case "group":
			out = append(out, grant{Type: "Group", URI: scenario.GroupURI(name), Permission: g.Permission})
		default:
			return nil, fmt.Errorf("grantee %q", g.Grantee)
		}
	}
	return out, nil
}

// ownerIsBucketOwner applies S3 Object Ownership: with BucketOwnerEnforced
// the bucket owner owns every object; with BucketOwnerPreferred it owns
// objects uploaded with the bucket-owner-full-control canned ACL; otherwise
// the writer owns the object ("Controlling ownership of objects and
// disabling ACLs for your bucket", Amazon S3 User Guide).
func ownerIsBucketOwner(ownership, cannedACL string) bool {
	switch ownership {
	case scenario.OwnershipBucketOwnerEnforced:
		return true
	case scenario.OwnershipBucketOwnerPreferred:
		return cannedACL == "bucket-owner-full-control"
	}
	return false
}

// cannedACL expands a canned ACL ("Canned ACL", Access control list (ACL)
// overview, Amazon S3 User Guide).
func (s *state) cannedACL(name, ownerCanonical, bucketOwnerCanonical string) (*acl, error) {
	a := &acl{Owner: ownerCanonical, Grants: []grant{{Type: "CanonicalUser", ID: ownerCanonical, Permission: "FULL_CONTROL"}}}
	group := func(uri, perm string) { a.Grants = append(a.Grants, grant{Type: "Group", URI: uri, Permission: perm}) }
	switch name {
	case "private", "":
	case "public-read":
		group(allUsers, "READ")
	case "public-read-write":
		group(allUsers, "READ")
		group(allUsers, "WRITE")
	case "authenticated-read":
		group(authUsers, "READ")
	case "aws-exec-read":
		// Amazon EC2 gets READ; it has no group URI, so nothing to model.
	case "bucket-owner-read":
		if bucketOwnerCanonical != ownerCanonical {
			a.Grants = append(a.Grants, grant{Type: "CanonicalUser", ID: bucketOwnerCanonical, Permission: "READ"})
		}
	case "bucket-owner-full-control":
		if bucketOwnerCanonical != ownerCanonical {
			a.Grants = append(a.Grants, grant{Type: "CanonicalUser", ID: bucketOwnerCanonical, Permission: "FULL_CONTROL"})
		}
	case "log-delivery-write":
		group(logDelivery, "WRITE")
		group(logDelivery, "READ_ACP")
	default:
		return nil, fmt.Errorf("unknown canned ACL %q", name)
	}
	return a, nil
}

const (
	allUsers    = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsers   = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

func (a *acl) isPublic() bool {
	for _, g := range a.Grants {
		if g.Type == "Group" && (g.URI == allUsers || g.URI == authUsers) {
			return true
		}
	}
	return false
}

func clonePAB(p *scenario.PublicAccessBlock) *scenario.PublicAccessBlock {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func (b *bucket) setPolicy(raw string) error {
	doc, err := parsePolicy(raw)
	if err != nil {
		return err
	}
	b.Policy, b.policyDoc = raw, doc
	return nil
}

// keys returns the bucket's keys in UTF-8 binary order (ListObjectsV2 order).
// The caller holds at least the read lock; sorting happens under the write
// lock when the set changed (see sortedKeys).
func (b *bucket) keys() []string { return b.sorted }

func (b *bucket) resort() {
	if !b.dirty {
		return
	}
	b.sorted = b.sorted[:0]
	for k := range b.objects {
		b.sorted = append(b.sorted, k)
	}
	sort.Strings(b.sorted)
	b.dirty = false
}

// effectivePAB combines the bucket's and its owner account's Block Public
// Access: S3 applies the most restrictive combination ("Blocking public
// access to your Amazon S3 storage", Amazon S3 User Guide).
func (s *state) effectivePAB(b *bucket) scenario.PublicAccessBlock {
	var p scenario.PublicAccessBlock
	for _, q := range []*scenario.PublicAccessBlock{b.PAB, s.accounts[b.Owner].PAB} {
		if q == nil {
			continue
		}
		p.BlockPublicAcls = p.BlockPublicAcls || q.BlockPublicAcls
		p.IgnorePublicAcls = p.IgnorePublicAcls || q.IgnorePublicAcls
		p.BlockPublicPolicy = p.BlockPublicPolicy || q.BlockPublicPolicy
		p.RestrictPublicBuckets = p.RestrictPublicBuckets || q.RestrictPublicBuckets
	}
	return p
}

func distributionDomain(id string) string {
	return "d" + strings.ToLower(id[1:]) + ".cloudfront.net"
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
