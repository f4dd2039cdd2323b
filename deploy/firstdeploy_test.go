package deploy

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const scannerTemplate = "cloudformation/scanner-account.yaml"

// templateDoc returns the template's top-level mapping.
func templateDoc(t *testing.T, path string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	b := readFile(t, path)
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Content[0]
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// paramDefault returns a template parameter's Default.
func paramDefault(t *testing.T, path, name string) string {
	t.Helper()
	p := mapValue(mapValue(templateDoc(t, path), "Parameters"), name)
	if p == nil {
		t.Fatalf("%s has no parameter %s", path, name)
	}
	d := mapValue(p, "Default")
	if d == nil {
		t.Fatalf("%s parameter %s has no Default", path, name)
	}
	return d.Value
}

// intProp resolves an integer property that is a literal or a !Ref to a
// parameter (its default).
func intProp(t *testing.T, n *yaml.Node) int {
	t.Helper()
	if n == nil {
		t.Fatal("missing property")
	}
	v := n.Value
	if n.Tag == "!Ref" {
		v = paramDefault(t, scannerTemplate, n.Value)
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("property %q: %v", v, err)
	}
	return i
}

// alarm is the part of an AWS::CloudWatch::Alarm the model below needs.
type alarm struct {
	period, evaluationPeriods, datapointsToAlarm int
	threshold                                    float64
	comparison, treatMissing                     string
	actions                                      map[string]bool // state -> has actions
}

func readAlarm(t *testing.T, logicalID string) alarm {
	t.Helper()
	p := mapValue(resource(t, scannerTemplate, logicalID), "Properties")
	a := alarm{
		period:            intProp(t, mapValue(p, "Period")),
		evaluationPeriods: intProp(t, mapValue(p, "EvaluationPeriods")),
		comparison:        mapValue(p, "ComparisonOperator").Value,
		treatMissing:      "missing",
		actions:           map[string]bool{},
	}
	a.datapointsToAlarm = a.evaluationPeriods
	if d := mapValue(p, "DatapointsToAlarm"); d != nil {
		a.datapointsToAlarm = intProp(t, d)
	}
	th, err := strconv.ParseFloat(mapValue(p, "Threshold").Value, 64)
	if err != nil {
		t.Fatal(err)
	}
	a.threshold = th
	if m := mapValue(p, "TreatMissingData"); m != nil {
		a.treatMissing = m.Value
	}
	for state, key := range map[string]string{"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"} {
		if v := mapValue(p, key); v != nil && len(v.Content) > 0 {
			a.actions[state] = true
		}
	}
	return a
}

// notifications runs a model of CloudWatch's alarm evaluation over a
// timeline and returns when the alarm notified (entered a state that has
// actions). The alarm exists from created; points are the metric's data
// (value 1 at each time). It evaluates every 5 minutes over the last
// evaluationPeriods complete periods, with the missing-data treatments of
// "Configuring how CloudWatch alarms treat missing data" (CloudWatch User
// Guide). A new alarm starts in INSUFFICIENT_DATA.
func (a alarm) notifications(created, end time.Time, points []time.Time) []time.Time {
	P := time.Duration(a.period) * time.Second
	state := "INSUFFICIENT_DATA"
	var out []time.Time
	for now := created; now.Before(end); now = now.Add(5 * time.Minute) {
		last := now.Truncate(P)
		present, breaching := 0, 0
		for i := 1; i <= a.evaluationPeriods; i++ {
			from, to := last.Add(-time.Duration(i)*P), last.Add(-time.Duration(i-1)*P)
			sum, any := 0.0, false
			for _, p := range points {
				if !p.Before(from) && p.Before(to) && !p.After(now) {
					sum++
					any = true
				}
			}
			switch {
			case any:
				present++
				if a.breaches(sum) {
					breaching++
				}
			case a.treatMissing == "breaching":
				breaching++
			}
		}
		next := state
		switch {
		case breaching >= a.datapointsToAlarm:
			next = "ALARM"
		case a.treatMissing == "missing" && present == 0:
			next = "INSUFFICIENT_DATA"
		case a.treatMissing == "ignore" && present == 0:
		default:
			next = "OK"
		}
		if next != state && a.actions[next] {
			out = append(out, now)
		}
		state = next
	}
	return out
}

func (a alarm) breaches(v float64) bool {
	switch a.comparison {
	case "LessThanThreshold":
		return v < a.threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= a.threshold
	}
	panic("comparison " + a.comparison + " not modelled")
}

func scanTimeout(t *testing.T) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(paramDefault(t, scannerTemplate, "ScanTimeout"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNoRunAlarmFiresOnlyWhenRunsStop: nightly runs that end anywhere
// between a few minutes and ScanTimeout after the 02:30 start, later one
// night than the night before, never notify, and neither does creating the
// stack; a schedule that stops running notifies within NoRunAlertHours.
func TestNoRunAlarmFiresOnlyWhenRunsStop(t *testing.T) {
	a := readAlarm(t, "NoRunAlarm")
	timeout := scanTimeout(t)
	hours, _ := strconv.Atoi(paramDefault(t, scannerTemplate, "NoRunAlertHours"))
	if window := time.Duration(hours) * time.Hour; window <= 24*time.Hour+timeout+30*time.Minute {
		t.Errorf("NoRunAlertHours %d does not cover a day plus ScanTimeout %v and the upload", hours, timeout)
	}
	created := time.Date(2026, 11, 2, 14, 7, 0, 0, time.UTC)
	// Durations alternate short and the longest a run may take (the scan's
	// timeout plus writing and uploading), so some night ends ~6 h later
	// than the night before.
	durations := []time.Duration{10 * time.Minute, timeout + 15*time.Minute, 20 * time.Minute, timeout + 15*time.Minute, time.Hour, 3 * time.Hour, timeout + 15*time.Minute}
	var finishes []time.Time
	for night := 1; night <= 14; night++ {
		start := time.Date(2026, 11, 2+night, 2, 30, 0, 0, time.UTC)
		finishes = append(finishes, start.Add(durations[night%len(durations)]))
	}
	lastRun := finishes[len(finishes)-1]

	t.Run("nightly runs and the stack's creation never notify", func(t *testing.T) {
		if got := a.notifications(created, lastRun.Add(time.Hour), finishes); len(got) != 0 {
			t.Errorf("NoRunAlarm notified at %v although a run finished every night", got)
		}
	})
	t.Run("runs that stop notify within NoRunAlertHours, not before a day plus the timeout", func(t *testing.T) {
		got := a.notifications(created, lastRun.Add(4*24*time.Hour), finishes)
		if len(got) == 0 {
			t.Fatal("NoRunAlarm never notified after the runs stopped")
		}
		late := got[0].Sub(lastRun)
		if late < 24*time.Hour+timeout || late > time.Duration(hours+2)*time.Hour {
			t.Errorf("notified %v after the last run; want between %v and %dh", late, 24*time.Hour+timeout, hours+2)
		}
	})
	t.Run("the model catches the old one-day breaching alarm", func(t *testing.T) {
		old := alarm{period: 86400, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: "LessThanThreshold",
			treatMissing: "breaching", actions: map[string]bool{"ALARM": true}}
		if got := old.notifications(created, lastRun.Add(time.Hour), finishes); len(got) == 0 {
			t.Error("the model finds no false alarm in the old configuration")
		}
	})
}

func TestIncompleteRunAlarmNotifiesOnceForAnExit3Night(t *testing.T) {
	a := readAlarm(t, "IncompleteRunAlarm")
	created := time.Date(2026, 11, 2, 14, 7, 0, 0, time.UTC)
	night := time.Date(2026, 11, 5, 4, 0, 0, 0, time.UTC)
	if got := a.notifications(created, night.Add(72*time.Hour), nil); len(got) != 0 {
		t.Errorf("IncompleteRunAlarm notified %v with no incomplete run", got)
	}
	if got := a.notifications(created, night.Add(72*time.Hour), []time.Time{night}); len(got) != 1 {
		t.Errorf("IncompleteRunAlarm notified %d times for one incomplete night, want 1", len(got))
	}
}

// eventMatches evaluates the EventBridge pattern subset the templates use:
// exact values, anything-but, $or, and nested objects (an event array of
// objects matches when one element does). A field the pattern names but
// the event lacks never matches, anything-but included ("Amazon
// EventBridge event patterns", EventBridge User Guide).
func eventMatches(t *testing.T, pattern *yaml.Node, event any) bool {
	t.Helper()
	obj, isObj := event.(map[string]any)
	if arr, ok := event.([]any); ok {
		return slices.ContainsFunc(arr, func(e any) bool { return eventMatches(t, pattern, e) })
	}
	if pattern.Kind != yaml.MappingNode || !isObj {
		t.Fatalf("pattern %v against %v: not an object", pattern.Value, event)
	}
	for i := 0; i+1 < len(pattern.Content); i += 2 {
		k, v := pattern.Content[i].Value, pattern.Content[i+1]
		if k == "$or" {
			if !slices.ContainsFunc(v.Content, func(alt *yaml.Node) bool { return eventMatches(t, alt, event) }) {
				return false
			}
			continue
		}
		got, present := obj[k]
		if !present {
			return false
		}
		if v.Kind == yaml.MappingNode {
			if !eventMatches(t, v, got) {
				return false
			}
			continue
		}
		if !valueMatches(t, v, got) {
			return false
		}
	}
	return true
}

func valueMatches(t *testing.T, values *yaml.Node, got any) bool {
	t.Helper()
	if arr, ok := got.([]any); ok {
		return slices.ContainsFunc(arr, func(e any) bool { return valueMatches(t, values, e) })
	}
	for _, want := range values.Content {
		if want.Kind == yaml.MappingNode {
			but := mapValue(want, "anything-but")
			if but == nil {
				t.Fatalf("pattern operator %v not modelled", want.Content[0].Value)
			}
			if fmt.Sprint(got) != but.Value {
				return true
			}
			continue
		}
		if want.Tag == "!GetAtt" {
			if got == "arn:cluster/"+want.Value {
				return true
			}
			continue
		}
		if fmt.Sprint(got) == want.Value {
			return true
		}
	}
	return false
}

func TestTaskFailedRuleMatchesFailedAndNeverStartedTasks(t *testing.T) {
	pattern := mapValue(mapValue(resource(t, scannerTemplate, "TaskFailedRule"), "Properties"), "EventPattern")
	cluster := "arn:cluster/Cluster.Arn"
	event := func(detail map[string]any) map[string]any {
		d := map[string]any{"clusterArn": cluster, "lastStatus": "STOPPED"}
		for k, v := range detail {
			d[k] = v
		}
		return map[string]any{"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": d}
	}
	tests := []struct {
		name  string
		event map[string]any
		want  bool
	}{
		{"exit 0 is quiet", event(map[string]any{"stopCode": "EssentialContainerExited", "containers": []any{map[string]any{"exitCode": 0.0}}}), false},
		{"exit 1 (findings at --fail-on)", event(map[string]any{"stopCode": "EssentialContainerExited", "containers": []any{map[string]any{"exitCode": 1.0}}}), true},
		{"exit 3 (incomplete)", event(map[string]any{"stopCode": "EssentialContainerExited", "containers": []any{map[string]any{"exitCode": 3.0}}}), true},
		{"an image that cannot be pulled: no exitCode, TaskFailedToStart", event(map[string]any{"stopCode": "TaskFailedToStart",
			"stoppedReason": "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
			"containers":    []any{map[string]any{"lastStatus": "STOPPED", "reason": "CannotPullContainerError"}}}), true},
		{"a running task", map[string]any{"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": map[string]any{"clusterArn": cluster, "lastStatus": "RUNNING"}}, false},
		{"another cluster", map[string]any{"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": map[string]any{"clusterArn": "arn:other", "lastStatus": "STOPPED", "containers": []any{map[string]any{"exitCode": 2.0}}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := eventMatches(t, pattern, tc.event); got != tc.want {
				t.Errorf("TaskFailedRule matches: %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("the model catches a pattern that requires exitCode", func(t *testing.T) {
		var old yaml.Node
		if err := yaml.Unmarshal([]byte("detail:\n  lastStatus: [STOPPED]\n  containers:\n    exitCode: [{anything-but: 0}]\n"), &old); err != nil {
			t.Fatal(err)
		}
		if eventMatches(t, old.Content[0], tests[3].event) {
			t.Error("the old pattern matched a task that never started")
		}
	})
}

// fargateValid reports whether cpu units and memory MiB are a pair Fargate
// accepts for Linux tasks ("Task CPU and memory", Amazon ECS Developer
// Guide).
func fargateValid(cpu, mem int) bool {
	gib := func(lo, hi, step int) bool { return mem >= lo*1024 && mem <= hi*1024 && mem%(step*1024) == 0 }
	switch cpu {
	case 256:
		return mem == 512 || mem == 1024 || mem == 2048
	case 512:
		return gib(1, 4, 1)
	case 1024:
		return gib(2, 8, 1)
	case 2048:
		return gib(4, 16, 1)
	case 4096:
		return gib(8, 30, 1)
	case 8192:
		return gib(16, 60, 4)
	case 16384:
		return gib(32, 120, 8)
	}
	return false
}

func TestTaskSizesAreValidFargatePairs(t *testing.T) {
	p := mapValue(mapValue(templateDoc(t, scannerTemplate), "Parameters"), "TaskSize")
	if p == nil {
		t.Fatal("no TaskSize parameter: CPU and memory must be chosen as one pair")
	}
	for _, name := range []string{"TaskCpu", "TaskMemory"} {
		if mapValue(mapValue(templateDoc(t, scannerTemplate), "Parameters"), name) != nil {
			t.Errorf("parameter %s lets CPU and memory be chosen independently", name)
		}
	}
	allowed := scalars(mapValue(p, "AllowedValues"))
	if !slices.Contains(allowed, mapValue(p, "Default").Value) {
		t.Errorf("the default size %q is not allowed", mapValue(p, "Default").Value)
	}
	for _, v := range allowed {
		c, m, _ := strings.Cut(v, "-")
		cpu, err1 := strconv.Atoi(c)
		mem, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || !fargateValid(cpu, mem) {
			t.Errorf("TaskSize %q is not a valid Fargate CPU-memory pair", v)
		}
	}
	if fargateValid(512, 8192) || fargateValid(4096, 2048) {
		t.Error("fargateValid accepts invalid pairs")
	}
	td := mapValue(resource(t, scannerTemplate, "TaskDefinition"), "Properties")
	for key, idx := range map[string]string{"Cpu": "0", "Memory": "1"} {
		b, _ := yaml.Marshal(mapValue(td, key))
		if !strings.Contains(string(b), "TaskSize") || !strings.Contains(string(b), idx) {
			t.Errorf("TaskDefinition %s does not come from TaskSize: %s", key, b)
		}
	}
}

func TestTheExternalIdIsASecretNotInTheTaskCommand(t *testing.T) {
	c := mapValue(mapValue(resource(t, scannerTemplate, "TaskDefinition"), "Properties"), "ContainerDefinitions").Content[0]
	b, _ := yaml.Marshal(mapValue(c, "Command"))
	if strings.Contains(string(b), "ExternalId") || strings.Contains(string(b), "--external-id") {
		t.Errorf("the task's command carries the ExternalId: %s", b)
	}
	sec := mapValue(c, "Secrets")
	found := false
	for _, e := range sec.Content {
		if mapValue(e, "Name").Value == "HOOFPRINT_EXTERNAL_ID" && mapValue(e, "ValueFrom").Value == "ExternalIdSecret" {
			found = true
		}
	}
	if sec == nil || !found {
		t.Fatalf("the container does not get HOOFPRINT_EXTERNAL_ID from ExternalIdSecret")
	}
	goSrc := string(readFile(t, "../cmd/hoofprint/scan.go"))
	if !strings.Contains(goSrc, `"HOOFPRINT_EXTERNAL_ID"`) {
		t.Error("scan does not read HOOFPRINT_EXTERNAL_ID")
	}
	secret := mapValue(mapValue(resource(t, scannerTemplate, "ExternalIdSecret"), "Properties"), "SecretString")
	if secret == nil || secret.Value != "ExternalId" {
		t.Error("ExternalIdSecret does not hold the ExternalId parameter")
	}
	// Only the execution role (which fetches secrets for ECS) may read it.
	b, _ = yaml.Marshal(resource(t, scannerTemplate, "ExecutionRole"))
	if !regexp.MustCompile(`Action: secretsmanager:GetSecretValue\s+Resource: !Ref ExternalIdSecret`).Match(b) {
		t.Errorf("the execution role cannot read exactly the ExternalId secret:\n%s", b)
	}
}

// statements returns a role's policy statements by Sid (under any !If).
func statements(t *testing.T, path, logicalID string) map[string]*yaml.Node {
	t.Helper()
	out := map[string]*yaml.Node{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			if sid := mapValue(n, "Sid"); sid != nil && mapValue(n, "Effect") != nil {
				out[sid.Value] = n
				return
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(mapValue(mapValue(resource(t, path, logicalID), "Properties"), "Policies"))
	return out
}

func TestSecurityHubECRAndKMSAreScoped(t *testing.T) {
	for _, tc := range []struct{ path, role string }{{scannerTemplate, "TaskRole"}, {"cloudformation/member-role.yaml", "AuditRole"}} {
		st := statements(t, tc.path, tc.role)
		for sid, want := range map[string]string{
			"SecurityHubImport":              ":securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default",
			"SecurityHubFindEarlierFindings": ":securityhub:*:${AWS::AccountId}:hub/default",
		} {
			s := st[sid]
			if s == nil {
				t.Errorf("%s %s has no statement %s", tc.path, tc.role, sid)
				continue
			}
			if r := mapValue(s, "Resource"); r == nil || !strings.HasSuffix(r.Value, want) {
				t.Errorf("%s %s %s: Resource %v, want ...%s", tc.path, tc.role, sid, r.Value, want)
			}
		}
	}
	st := statements(t, scannerTemplate, "ExecutionRole")
	if a := scalars(mapValue(st["EcrLogin"], "Action")); !slices.Equal(a, []string{"ecr:GetAuthorizationToken"}) {
		t.Errorf("only ecr:GetAuthorizationToken may have Resource *, EcrLogin grants %q", a)
	}
	pull := st["PullImage"]
	if r := mapValue(pull, "Resource"); r == nil || r.Tag != "!Sub" || !strings.Contains(r.Content[0].Value, ":repository/${EcrRepositoryName}") {
		t.Errorf("PullImage is not scoped to the image's repository")
	}
	kms := statements(t, scannerTemplate, "TaskRole")["EncryptReports"]
	via := mapValue(mapValue(mapValue(kms, "Condition"), "StringEquals"), "kms:ViaService")
	if via == nil || via.Value != "s3.${AWS::Region}.${AWS::URLSuffix}" {
		t.Errorf("kms:ViaService %v, want s3.${AWS::Region}.${AWS::URLSuffix} (amazonaws.com.cn in China)", via)
	}
}

func TestBaseImagesArePinnedByDigest(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	re := regexp.MustCompile(`^[^@\s]+@sha256:[0-9a-f]{64}$`)
	for _, st := range d.stages {
		if st.from != "scratch" && !re.MatchString(st.from) {
			t.Errorf("FROM %s is not pinned by digest", st.from)
		}
	}
}

func TestRecordsOutliveTheStackForSixYears(t *testing.T) {
	for _, id := range []string{"ReportsBucket", "AccessLogsBucket", "LogGroup"} {
		r := resource(t, scannerTemplate, id)
		for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			if v := mapValue(r, k); v == nil || v.Value != "Retain" {
				t.Errorf("%s %s is not Retain", id, k)
			}
		}
	}
	sixYears := 6*365 + 1 // 45 CFR 164.316(b)(2)(i); a leap day at least
	for _, p := range []string{"ReportRetentionDays", "LogRetentionDays"} {
		if d, _ := strconv.Atoi(paramDefault(t, scannerTemplate, p)); d < sixYears {
			t.Errorf("%s defaults to %d days, less than six years", p, d)
		}
	}
	props := mapValue(resource(t, scannerTemplate, "ReportsBucket"), "Properties")
	b, _ := yaml.Marshal(mapValue(props, "ObjectLockConfiguration"))
	if !strings.Contains(string(b), "UseObjectLock") || !strings.Contains(string(b), "Days: !Ref ReportRetentionDays") {
		t.Errorf("Object Lock is not offered with the report retention: %s", b)
	}
}

func TestCreatedNetworkReachesAWSThroughANAT(t *testing.T) {
	if paramDefault(t, scannerTemplate, "Network") != "CreateVpcWithNat" {
		t.Error("the default network is not the one that works without preparation")
	}
	route := mapValue(resource(t, scannerTemplate, "PrivateDefaultRoute"), "Properties")
	if mapValue(route, "DestinationCidrBlock").Value != "0.0.0.0/0" || mapValue(route, "NatGatewayId").Value != "NatGateway" ||
		mapValue(route, "RouteTableId").Value != "PrivateRouteTable" {
		t.Error("the private route table's default route is not the NAT gateway")
	}
	if mapValue(mapValue(resource(t, scannerTemplate, "PrivateSubnetRouteTable"), "Properties"), "SubnetId").Value != "PrivateSubnet" {
		t.Error("the private subnet does not use the NAT route table")
	}
	if mapValue(mapValue(resource(t, scannerTemplate, "NatGateway"), "Properties"), "SubnetId").Value != "PublicSubnet" {
		t.Error("the NAT gateway is not in the public subnet")
	}
	if g := mapValue(mapValue(resource(t, scannerTemplate, "PublicDefaultRoute"), "Properties"), "GatewayId"); g == nil || g.Value != "InternetGateway" {
		t.Error("the public subnet has no internet gateway route")
	}
	b, _ := yaml.Marshal(resource(t, scannerTemplate, "NightlySchedule"))
	if !strings.Contains(string(b), "!Ref PrivateSubnet") {
		t.Error("the schedule does not run the task in the private subnet")
	}
}

// Issue 10 item 1: the key hashing secret is generated in Secrets Manager,
// injected as HOOFPRINT_KEY_SECRET, and only the execution role (which
// injects it) may read it.
func TestTheKeySecretIsGeneratedAndInjected(t *testing.T) {
	c := mapValue(mapValue(resource(t, scannerTemplate, "TaskDefinition"), "Properties"), "ContainerDefinitions").Content[0]
	found := false
	for _, e := range mapValue(c, "Secrets").Content {
		if mapValue(e, "Name").Value == "HOOFPRINT_KEY_SECRET" && mapValue(e, "ValueFrom").Value == "KeySecret" {
			found = true
		}
	}
	if !found {
		t.Fatal("the container does not get HOOFPRINT_KEY_SECRET from KeySecret")
	}
	gen := mapValue(mapValue(resource(t, scannerTemplate, "KeySecret"), "Properties"), "GenerateSecretString")
	if gen == nil {
		t.Fatal("KeySecret is not generated by Secrets Manager")
	}
	exec, _ := yaml.Marshal(resource(t, scannerTemplate, "ExecutionRole"))
	task, _ := yaml.Marshal(resource(t, scannerTemplate, "TaskRole"))
	if !strings.Contains(string(exec), "KeySecret") {
		t.Error("the execution role cannot read KeySecret to inject it")
	}
	if strings.Contains(string(task), "KeySecret") || strings.Contains(string(task), "secretsmanager") {
		t.Error("the task role may read secrets: least privilege wants only the execution role")
	}
}
