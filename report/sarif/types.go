package sarif

import "time"

// These are the parts of the SARIF 2.1.0 object model hoofprint writes
// (OASIS SARIF 2.1.0, §3). Typed structs with omitempty keep the output free
// of the empty arrays and placeholder values (rank -1, "suppressions": [])
// that go-sarif/v3's constructors emit, and let ReadBaseline read back the
// same types.

// Log is a sarifLog (§3.13).
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is a run object (§3.14).
type Run struct {
	Tool              Tool               `json:"tool"`
	Invocations       []Invocation       `json:"invocations,omitempty"`
	AutomationDetails *AutomationDetails `json:"automationDetails,omitempty"`
	ColumnKind        string             `json:"columnKind,omitempty"`
	Results           []Result           `json:"results"`
	Taxonomies        []Taxonomy         `json:"taxonomies,omitempty"`
	Properties        map[string]any     `json:"properties,omitempty"`
}

// Tool is a tool object (§3.18).
type Tool struct {
	Driver ToolComponent `json:"driver"`
}

// ToolComponent is a toolComponent object (§3.19).
type ToolComponent struct {
	Name            string                `json:"name"`
	Version         string                `json:"version,omitempty"`
	SemanticVersion string                `json:"semanticVersion,omitempty"`
	InformationURI  string                `json:"informationUri,omitempty"`
	Organization    string                `json:"organization,omitempty"`
	Rules           []ReportingDescriptor `json:"rules"`
	Notifications   []ReportingDescriptor `json:"notifications,omitempty"`
	// SupportedTaxonomies (§3.19.27) names the taxonomies the rules'
	// relationships point into.
	SupportedTaxonomies []ToolComponentReference `json:"supportedTaxonomies,omitempty"`
}

// Taxonomy is a toolComponent that holds taxa (§3.19.25) rather than rules:
// a run's taxonomies (§3.14.8).
type Taxonomy struct {
	Name             string                `json:"name"`
	GUID             string                `json:"guid,omitempty"`
	Version          string                `json:"version,omitempty"`
	InformationURI   string                `json:"informationUri,omitempty"`
	Organization     string                `json:"organization,omitempty"`
	ShortDescription *Message              `json:"shortDescription,omitempty"`
	IsComprehensive  bool                  `json:"isComprehensive,omitempty"`
	Taxa             []ReportingDescriptor `json:"taxa"`
}

// ToolComponentReference is §3.54.
type ToolComponentReference struct {
	Name  string `json:"name,omitempty"`
	Index *int   `json:"index,omitempty"`
	GUID  string `json:"guid,omitempty"`
}

// Relationship is a reportingDescriptorRelationship (§3.53).
type Relationship struct {
	Target DescriptorReference `json:"target"`
	Kinds  []string            `json:"kinds,omitempty"`
}

// ReportingDescriptor is a rule or notification descriptor (§3.49).
type ReportingDescriptor struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name,omitempty"`
	ShortDescription     *Message                `json:"shortDescription,omitempty"`
	FullDescription      *Message                `json:"fullDescription,omitempty"`
	MessageStrings       map[string]Message      `json:"messageStrings,omitempty"`
	DefaultConfiguration *ReportingConfiguration `json:"defaultConfiguration,omitempty"`
	HelpURI              string                  `json:"helpUri,omitempty"`
	Help                 *MultiformatMessage     `json:"help,omitempty"`
	Relationships        []Relationship          `json:"relationships,omitempty"`
	Properties           map[string]any          `json:"properties,omitempty"`
}

// ReportingConfiguration is §3.50.
type ReportingConfiguration struct {
	Level string `json:"level,omitempty"`
}

// Message is a message object (§3.11).
type Message struct {
	Text     string `json:"text,omitempty"`
	Markdown string `json:"markdown,omitempty"`
}

// MultiformatMessage is a multiformatMessageString (§3.12).
type MultiformatMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// Invocation is §3.20.
type Invocation struct {
	StartTimeUTC               *time.Time     `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 *time.Time     `json:"endTimeUtc,omitempty"`
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []Notification `json:"toolExecutionNotifications,omitempty"`
	Properties                 map[string]any `json:"properties,omitempty"`
}

// Notification is §3.58.
type Notification struct {
	Descriptor     *DescriptorReference `json:"descriptor,omitempty"`
	AssociatedRule *DescriptorReference `json:"associatedRule,omitempty"`
	Level          string               `json:"level,omitempty"`
	Message        Message              `json:"message"`
	TimeUTC        *time.Time           `json:"timeUtc,omitempty"`
	Properties     map[string]any       `json:"properties,omitempty"`
}

// DescriptorReference is a reportingDescriptorReference (§3.52).
type DescriptorReference struct {
	ID            string                  `json:"id,omitempty"`
	Index         *int                    `json:"index,omitempty"`
	GUID          string                  `json:"guid,omitempty"`
	ToolComponent *ToolComponentReference `json:"toolComponent,omitempty"`
}

// AutomationDetails is a runAutomationDetails object (§3.17). GitHub code
// scanning treats the part of ID before the last "/" as the analysis
// category, so nightly runs with the same category are compared.
type AutomationDetails struct {
	ID string `json:"id,omitempty"`
}

// Result is §3.27.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Kind                string            `json:"kind,omitempty"`
	Level               string            `json:"level,omitempty"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	BaselineState       string            `json:"baselineState,omitempty"`
	Suppressions        []Suppression     `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

// Suppression is §3.35: a result the user accepted. Kind "external" says
// it was recorded outside the scanned artifact (the suppressions file);
// status "accepted" that it is in force. SARIF consumers such as GitHub
// code scanning treat a result with an accepted suppression as dismissed.
type Suppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status,omitempty"`
	Justification string         `json:"justification,omitempty"`
	Properties    map[string]any `json:"properties,omitempty"`
}

// Location is §3.28.
type Location struct {
	PhysicalLocation *PhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []LogicalLocation `json:"logicalLocations,omitempty"`
}

// PhysicalLocation is §3.29.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation is §3.4.
type ArtifactLocation struct {
	URI string `json:"uri"`
}

// Region is §3.30.
type Region struct {
	StartLine   int `json:"startLine,omitempty"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// LogicalLocation is §3.33.
type LogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}
