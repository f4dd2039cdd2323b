// Package asff turns a findings.Document into AWS Security Finding Format
// (ASFF) findings that Security Hub's BatchImportFindings accepts as they
// are: `aws securityhub batch-import-findings --findings file://x.json`.
//
// Each finding uses the default product ARN of the account it is about
// (arn:<partition>:securityhub:<region>:<account>:product/<account>/default),
// because Security Hub accepts a finding with that ARN only from that account
// (Security Hub User Guide, "BatchImportFindings for finding providers").
// Ids are rule + resource, never the run, so a re-import updates in place.
// Field limits are those of the ASFF syntax reference ("AWS Security Finding
// Format (ASFF)", required and optional top-level attributes).
package asff

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/internal/awspartition"
	"github.com/hoofprint/hoofprint/report/internal/jsonindent"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// SchemaVersion is the only ASFF schema version.
const SchemaVersion = "2018-10-08"

// IDPrefix starts every finding Id hoofprint writes, so its findings can be
// told from other custom findings under the same default product ARN.
const IDPrefix = "hoofprint/"

// ASFF limits (characters or items), from the ASFF syntax reference.
const (
	MaxTitle             = 256
	MaxDescription       = 1024
	MaxRecommendation    = 512
	MaxProductFields     = 50
	MaxProductFieldKey   = 128
	MaxProductFieldValue = 2048
	MaxRelatedReqs       = 32
	MaxOtherValue        = 1024
)

// TypeHIPAA is the finding type for HIPAA control checks (ASFF types
// taxonomy: namespace/category/classifier).
const TypeHIPAA = "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls"

// TypeBestPractices marks AWS configuration best-practice checks.
const TypeBestPractices = "Software and Configuration Checks/AWS Security Best Practices"

// TypeDataExposure marks findings that expose data publicly.
const TypeDataExposure = "Effects/Data Exposure"

// Compliance statuses and record states used.
const (
	CompliancePassed = "PASSED"
	ComplianceFailed = "FAILED"
	RecordActive     = "ACTIVE"
	RecordArchived   = "ARCHIVED"
)

// Options tune the findings.
type Options struct {
	// Partition overrides doc.Partition ("aws" when both are empty).
	Partition string
	// DefaultRegion is where findings about global resources (accounts,
	// CloudFront distributions) are imported; when empty, the partition's
	// home region (us-east-1, where CloudFront itself is; us-gov-west-1;
	// cn-north-1): there is no us-east-1 Security Hub outside the aws
	// partition.
	DefaultRegion string
	// Now is the findings' time when doc has neither a start nor a finish
	// time (time.Now when it is zero too).
	Now time.Time
}

// Finding is an ASFF finding. Field names and JSON names are ASFF's (hence
// Id and Url rather than Go's ID and URL): ToSDK relies on it.
type Finding struct {
	SchemaVersion         string                 `json:"SchemaVersion"`
	Id                    string                 `json:"Id"`
	ProductArn            string                 `json:"ProductArn"`
	ProductName           string                 `json:"ProductName,omitempty"`
	CompanyName           string                 `json:"CompanyName,omitempty"`
	GeneratorId           string                 `json:"GeneratorId"`
	AwsAccountId          string                 `json:"AwsAccountId"`
	Types                 []string               `json:"Types"`
	FirstObservedAt       string                 `json:"FirstObservedAt,omitempty"`
	LastObservedAt        string                 `json:"LastObservedAt,omitempty"`
	CreatedAt             string                 `json:"CreatedAt"`
	UpdatedAt             string                 `json:"UpdatedAt"`
	Severity              Severity               `json:"Severity"`
	FindingProviderFields *FindingProviderFields `json:"FindingProviderFields,omitempty"`
	Title                 string                 `json:"Title"`
	Description           string                 `json:"Description"`
	Remediation           *Remediation           `json:"Remediation,omitempty"`
	SourceUrl             string                 `json:"SourceUrl,omitempty"`
	ProductFields         map[string]string      `json:"ProductFields,omitempty"`
	Resources             []Resource             `json:"Resources"`
	Compliance            *Compliance            `json:"Compliance,omitempty"`
	RecordState           string                 `json:"RecordState,omitempty"`
	Workflow              *Workflow              `json:"Workflow,omitempty"`
	Note                  *Note                  `json:"Note,omitempty"`
}

// Note is the ASFF Note object. Like Workflow, BatchImportFindings sets it
// only when a finding is created; afterwards only BatchUpdateFindings can.
type Note struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
	UpdatedAt string `json:"UpdatedAt"`
}

// Workflow statuses hoofprint sets.
const (
	WorkflowNew        = "NEW"
	WorkflowSuppressed = "SUPPRESSED"
)

// NoteAuthor is Note.UpdatedBy on every note hoofprint writes. The
// Security Hub importer only lifts a suppression whose note it wrote, never
// one a person set in the console.
const NoteAuthor = "hoofprint"

// MaxNoteText is the ASFF limit of Note.Text.
const MaxNoteText = 512

// SuppressionNote is the Note text of a finding an accepted risk covers.
func SuppressionNote(s *findings.Suppression) string {
	return Truncate(fmt.Sprintf("Accepted risk until %s, owner %s (%s): %s",
		findings.ExpiryText(s.Expires), s.Owner, s.Source, s.Reason), MaxNoteText)
}

// Severity is the ASFF Severity object.
type Severity struct {
	Label    string `json:"Label"`
	Original string `json:"Original,omitempty"`
}

// FindingProviderFields is where a provider states severity and types so
// that a later customer change (BatchUpdateFindings) is not overwritten.
type FindingProviderFields struct {
	Severity *Severity `json:"Severity,omitempty"`
	Types    []string  `json:"Types,omitempty"`
}

// Remediation is the ASFF Remediation object.
type Remediation struct {
	Recommendation Recommendation `json:"Recommendation"`
}

// Recommendation is the ASFF Remediation.Recommendation object.
type Recommendation struct {
	Text string `json:"Text,omitempty"`
	Url  string `json:"Url,omitempty"`
}

// Resource is an ASFF resource.
type Resource struct {
	Type      string           `json:"Type"`
	Id        string           `json:"Id"`
	Partition string           `json:"Partition,omitempty"`
	Region    string           `json:"Region,omitempty"`
	Details   *ResourceDetails `json:"Details,omitempty"`
}

// ResourceDetails holds the typed details hoofprint knows.
type ResourceDetails struct {
	AwsS3Bucket               *S3BucketDetails     `json:"AwsS3Bucket,omitempty"`
	AwsCloudFrontDistribution *DistributionDetails `json:"AwsCloudFrontDistribution,omitempty"`
	Other                     map[string]string    `json:"Other,omitempty"`
}

// S3BucketDetails is the subset of AwsS3BucketDetails that is known.
type S3BucketDetails struct {
	Name           string `json:"Name,omitempty"`
	OwnerAccountId string `json:"OwnerAccountId,omitempty"`
}

// DistributionDetails is the subset of AwsCloudFrontDistributionDetails
// that is known.
type DistributionDetails struct {
	DomainName string `json:"DomainName,omitempty"`
}

// Compliance is the ASFF Compliance object.
type Compliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

// Workflow is the ASFF Workflow object. BatchImportFindings sets it only
// when a finding is created; afterwards it belongs to the customer.
type Workflow struct {
	Status string `json:"Status"`
}

// ProductARN is the default product ARN for custom findings of account in
// region.
func ProductARN(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, region, account, account)
}

// Write writes doc as a JSON array of ASFF findings. It converts and writes
// one finding at a time (the bytes are those of encoding the whole array
// at once), so that a run with many findings never holds all of them as
// ASFF, nor their JSON.
func Write(w io.Writer, doc findings.Document, opts Options) error {
	enc := NewEncoder(doc, opts)
	bw := bufio.NewWriterSize(w, 64<<10)
	aw := NewArrayWriter(bw)
	var buf []byte
	for f := range doc.All() {
		var err error
		if buf, err = enc.Append(buf[:0], f); err != nil {
			return err
		}
		if err := aw.WriteChunk(buf); err != nil {
			return err
		}
	}
	if err := aw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ASFF: %w", err)
	}
	return nil
}

// Encoder converts findings to ASFF a few at a time, for a file written
// while the run goes on: `hoofprint scan` writes each bucket's findings as
// soon as its rules have run, so that the end of a large run does not
// spend seconds converting hundreds of thousands of them. It reads only the
// document's header fields (tool, partition, start time, rules,
// ShowObjectKeys), never its findings, and is safe for concurrent use.
type Encoder struct {
	doc   findings.Document
	rules map[string]findings.Rule
	opts  Options
	pool  sync.Pool // of *encoderState, which are not
}

// encoderState is one caller's JSON encoder and the buffer its chunk is
// built in: a bucket's chunk is built where it can grow, then copied once
// to its exact size, rather than grown by doubling in dst (a public
// bucket's chunk is hundreds of kilobytes; growing it allocated twice that
// and kept up to twice it while the chunk waited its turn).
type encoderState struct {
	enc *jsonindent.Encoder
	buf []byte
}

// NewEncoder returns an Encoder for the findings of doc.
func NewEncoder(doc findings.Document, opts Options) *Encoder {
	doc.Findings, doc.Set = nil, nil
	return &Encoder{doc: doc, rules: ruleMap(doc), opts: opts}
}

// Append appends fs to dst as elements of Write's array, indented as
// there and separated by commas, and returns it: a chunk for ArrayWriter.
// Each finding is redacted (object keys hashed) unless the document shows
// keys.
func (e *Encoder) Append(dst []byte, fs ...findings.Finding) ([]byte, error) {
	st, _ := e.pool.Get().(*encoderState)
	if st == nil {
		st = &encoderState{enc: jsonindent.NewEncoder("  ", "  ")}
	}
	defer e.pool.Put(st)
	buf := st.buf[:0]
	for i, f := range fs {
		b, err := st.enc.Encode(build(e.doc, e.rules[f.RuleID], view.RedactFinding(f, e.doc.ShowObjectKeys), e.opts))
		if err != nil {
			return dst, fmt.Errorf("write ASFF: %s on %s: %w", f.RuleID, f.ResourceARN, err)
		}
		if i > 0 {
			buf = append(buf, elementSeparator...)
		}
		buf = append(buf, bytes.TrimSuffix(b, []byte("\n"))...)
	}
	st.buf = buf
	return append(dst, buf...), nil
}

const elementSeparator = ",\n  "

// ArrayWriter writes Write's JSON array from chunks of elements
// (Encoder.Append), in the order they are given.
type ArrayWriter struct {
	w io.Writer
	n int // chunks written
}

// NewArrayWriter starts an array on w; nothing is written before the
// first chunk or Close.
func NewArrayWriter(w io.Writer) *ArrayWriter { return &ArrayWriter{w: w} }

// WriteChunk writes the elements of chunk; an empty chunk writes nothing.
func (a *ArrayWriter) WriteChunk(chunk []byte) error {
	if len(chunk) == 0 {
		return nil
	}
	sep := elementSeparator
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	if _, err := io.WriteString(a.w, sep); err != nil {
		return fmt.Errorf("write ASFF: %w", err)
	}
	if _, err := a.w.Write(chunk); err != nil {
		return fmt.Errorf("write ASFF: %w", err)
	}
	return nil
}

// Close ends the array (an empty one when no chunk was written).
func (a *ArrayWriter) Close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	if _, err := io.WriteString(a.w, end); err != nil {
		return fmt.Errorf("write ASFF: %w", err)
	}
	return nil
}

// Build converts every finding of doc, in doc's order.
func Build(doc findings.Document, opts Options) []Finding {
	rules := ruleMap(doc)
	out := make([]Finding, 0, doc.Count())
	for f := range doc.All() {
		out = append(out, build(doc, rules[f.RuleID], view.RedactFinding(f, doc.ShowObjectKeys), opts))
	}
	return out
}

// BuildOne converts one finding of doc, already redacted
// (view.RedactFinding) unless doc.ShowObjectKeys.
func BuildOne(doc findings.Document, f findings.Finding, opts Options) Finding {
	for _, r := range doc.Rules {
		if r.ID == f.RuleID {
			return build(doc, r, f, opts)
		}
	}
	return build(doc, findings.Rule{}, f, opts)
}

func ruleMap(doc findings.Document) map[string]findings.Rule {
	rules := map[string]findings.Rule{}
	for _, r := range doc.Rules {
		rules[r.ID] = r
	}
	return rules
}

// PartitionFor is the partition of the ARNs built for doc: Options.Partition,
// else the document's, else "aws". The Security Hub importer uses it for the
// product ARN so that findings and their import agree.
func (o Options) PartitionFor(doc findings.Document) string {
	switch {
	case o.Partition != "":
		return o.Partition
	case doc.Partition != "":
		return doc.Partition
	}
	return "aws"
}

// Region is the region a finding is imported into: its own, or
// DefaultRegion for global resources, else the home region of
// o.Partition (set it from the document: ForDocument).
func (o Options) Region(f findings.Finding) string {
	return cmp.Or(f.Region, o.DefaultRegion, awspartition.HomeRegion(o.Partition), "us-east-1")
}

// ForDocument returns o with Partition set to PartitionFor(doc), so that
// Region places global findings in the document's partition.
func (o Options) ForDocument(doc findings.Document) Options {
	o.Partition = o.PartitionFor(doc)
	return o
}

// ID is the stable finding Id: hoofprint's prefix, the rule and the
// resource identity (object keys appear only as their hash).
func ID(ruleID string, r view.Resource) string {
	return IDPrefix + ruleID + "/" + r.Identity()
}

func timestamp(t time.Time) string {
	// ASFF timestamps are RFC 3339 (ISO 8601) in UTC.
	return t.UTC().Format(time.RFC3339)
}

func build(doc findings.Document, rule findings.Rule, f findings.Finding, opts Options) Finding {
	opts = opts.ForDocument(doc)
	partition, region := opts.Partition, opts.Region(f)
	res := view.ParseResource(f, doc.ShowObjectKeys)
	// Every time of a finding is the run's start: when it was observed,
	// and when this record of it was made. A new finding's CreatedAt and
	// UpdatedAt are then the same, and each night's record is later than
	// the last one ("Required top-level ASFF attributes", Security Hub User
	// Guide). Known before any finding, it lets a scan write its ASFF file
	// while it runs (Encoder).
	observed := cmp.Or(doc.StartedAt, doc.FinishedAt, opts.Now)
	if observed.IsZero() {
		observed = time.Now()
	}
	updated := observed
	sev := Severity{Label: Label(f.Severity), Original: f.Severity.String()}
	types := []string{TypeHIPAA, TypeBestPractices}
	if strings.Contains(f.RuleID, "public") {
		types = append(types, TypeDataExposure)
	}
	title := cmp.Or(rule.Title, f.RuleID) + ": " + res.Name
	var reqs []string
	for _, h := range rule.HIPAA {
		reqs = append(reqs, "HIPAA Security Rule "+h)
	}
	if len(reqs) > MaxRelatedReqs {
		reqs = reqs[:MaxRelatedReqs]
	}
	out := Finding{
		SchemaVersion:         SchemaVersion,
		Id:                    ID(f.RuleID, res),
		ProductArn:            ProductARN(partition, region, f.AccountID),
		ProductName:           cmp.Or(doc.ToolName, "hoofprint"),
		CompanyName:           cmp.Or(doc.ToolName, "hoofprint"),
		GeneratorId:           f.RuleID,
		AwsAccountId:          f.AccountID,
		Types:                 types,
		FirstObservedAt:       timestamp(observed),
		LastObservedAt:        timestamp(observed),
		CreatedAt:             timestamp(observed),
		UpdatedAt:             timestamp(updated),
		Severity:              sev,
		FindingProviderFields: &FindingProviderFields{Severity: &Severity{Label: sev.Label, Original: sev.Original}, Types: types},
		Title:                 Truncate(title, MaxTitle),
		Description:           Truncate(cmp.Or(f.Message, rule.Description, title), MaxDescription),
		SourceUrl:             rule.HelpURL,
		ProductFields:         productFields(doc, f, res),
		Resources:             []Resource{resource(partition, region, res)},
		Compliance:            &Compliance{Status: ComplianceFailed, RelatedRequirements: reqs},
		RecordState:           RecordActive,
		Workflow:              &Workflow{Status: WorkflowNew},
	}
	if sup := f.Suppression; sup != nil {
		// An accepted risk is still observed (RecordState ACTIVE, Compliance
		// FAILED) but reviewed: Workflow SUPPRESSED is the state Security
		// Hub's own views leave out of the findings to act on ("Workflow",
		// AWS Security Hub API Reference). A provider may set Workflow and
		// Note only when it creates a finding; for an existing one the
		// importer calls BatchUpdateFindings.
		out.Workflow = &Workflow{Status: WorkflowSuppressed}
		out.Note = &Note{Text: SuppressionNote(sup), UpdatedBy: NoteAuthor, UpdatedAt: timestamp(updated)}
		out.ProductFields["hoofprint/suppression/reason"] = Truncate(sup.Reason, MaxProductFieldValue)
		out.ProductFields["hoofprint/suppression/owner"] = Truncate(sup.Owner, MaxProductFieldValue)
		out.ProductFields["hoofprint/suppression/expires"] = timestamp(sup.Expires)
		out.ProductFields["hoofprint/suppression/source"] = Truncate(sup.Source, MaxProductFieldValue)
	}
	if rec := recommendation(rule); rec != nil {
		out.Remediation = &Remediation{Recommendation: *rec}
	}
	if f.SiteRemediation != "" && out.Remediation != nil {
		// A CloudFront site reads this bucket through public access: the
		// order that keeps it up replaces the rule's usual fix.
		out.Remediation.Recommendation.Text = Truncate(f.SiteRemediation, MaxRecommendation)
	}
	return out
}

// Label maps a severity to ASFF's Severity.Label.
func Label(s findings.Severity) string {
	switch s {
	case findings.SeverityCritical:
		return "CRITICAL"
	case findings.SeverityHigh:
		return "HIGH"
	case findings.SeverityMedium:
		return "MEDIUM"
	case findings.SeverityLow:
		return "LOW"
	default:
		return "INFORMATIONAL"
	}
}

func recommendation(r findings.Rule) *Recommendation {
	text := r.Remediation
	if r.RemediationCLI != "" {
		text = strings.TrimSpace(text + " Fix: " + r.RemediationCLI)
	}
	url := r.HelpURL
	if url == "" && len(r.RelatedResources) > 0 {
		url = r.RelatedResources[0]
	}
	if text == "" && url == "" {
		return nil
	}
	return &Recommendation{Text: Truncate(text, MaxRecommendation), Url: url}
}

func resource(partition, region string, r view.Resource) Resource {
	out := Resource{Type: r.Type, Partition: partition, Region: region}
	switch r.Type {
	case findings.ResourceS3Bucket:
		out.Id = r.ARN
		out.Details = &ResourceDetails{AwsS3Bucket: &S3BucketDetails{Name: r.Bucket, OwnerAccountId: r.AccountID}}
	case findings.ResourceS3Object:
		out.Id = r.ARN
		other := map[string]string{"bucket": r.Bucket, "keyHash": r.KeyHash}
		if r.KeyPrefix != "" {
			other["keyPrefix"] = Truncate(r.KeyPrefix, MaxOtherValue)
		}
		out.Details = &ResourceDetails{Other: other}
	case findings.ResourceDistribution:
		out.Id = r.ARN
		if out.Id == "" {
			out.Id = fmt.Sprintf("arn:%s:cloudfront::%s:distribution/%s", partition, r.AccountID, r.DistributionID)
		}
	default:
		out.Type = findings.ResourceAccount
		// The form Security Hub's own controls use for account resources.
		out.Id = "AWS::::Account:" + r.AccountID
	}
	return out
}

func productFields(doc findings.Document, f findings.Finding, r view.Resource) map[string]string {
	pf := map[string]string{
		"hoofprint/ruleId":       f.RuleID,
		"hoofprint/fingerprint":  view.Fingerprint(f.RuleID, r),
		"hoofprint/resourceName": Truncate(r.Name, MaxProductFieldValue),
		"hoofprint/resourceUri":  r.URI(),
	}
	if doc.ToolVersion != "" {
		pf["hoofprint/toolVersion"] = doc.ToolVersion
	}
	if v := f.Verified(); v != "" {
		// Outside the evidence, which may be cut to fit the field limit.
		pf["hoofprint/verified"] = v
	}
	ev := view.Flatten("hoofprint/evidence/", f.Evidence)
	keys := view.SortedKeys(ev)
	room := MaxProductFields - len(pf) - 1 - 4 // one for the omitted count, four for a suppression
	omitted := 0
	for _, k := range keys {
		if room == 0 || len(k) > MaxProductFieldKey {
			omitted++
			continue
		}
		pf[k] = Truncate(ev[k], MaxProductFieldValue)
		room--
	}
	if omitted > 0 {
		pf["hoofprint/evidenceOmitted"] = fmt.Sprint(omitted)
	}
	return pf
}

// Truncate shortens s to at most max characters, at a word boundary when
// one is near, ending with "…" so a reader sees that text was cut.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := runes[:max-1]
	// Prefer ending at a space within the last 20% of the allowance.
	for i := len(cut) - 1; i > len(cut)*4/5; i-- {
		if cut[i] == ' ' {
			cut = cut[:i]
			break
		}
	}
	return strings.TrimRight(string(cut), " ,;:") + "…"
}

// ToSDK converts f to the SDK's type for BatchImportFindings. ASFF field
// names are the SDK's Go field names, so a JSON round trip maps every field
// (encoding/json matches names case-insensitively) without a hand-written
// copy that could silently miss one.
func ToSDK(f Finding) (types.AwsSecurityFinding, error) {
	var out types.AwsSecurityFinding
	b, err := json.Marshal(f)
	if err != nil {
		return out, fmt.Errorf("finding %s: encode ASFF: %w", f.Id, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("finding %s: convert ASFF to SDK type: %w", f.Id, err)
	}
	return out, nil
}
