package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Terraform resource types, as the bindings name them.
const (
	streamType = "aws_kinesis_stream"
	alarmType  = "aws_cloudwatch_metric_alarm"
)

func TestResourceTypesMatchTheBindings(t *testing.T) {
	// Read from the bindings inside a test, never at package init: a jsii
	// call there would start the kernel before TestMain prepares it.
	if got := *kinesisstream.KinesisStream_TfResourceType(); got != streamType {
		t.Errorf("stream type %q, bindings say %q", streamType, got)
	}
	if got := *cloudwatchmetricalarm.CloudwatchMetricAlarm_TfResourceType(); got != alarmType {
		t.Errorf("alarm type %q, bindings say %q", alarmType, got)
	}
}

const defaultGolden = "testdata/default.cdk.tf.json"

// defaults is the context of a plain synth: no overrides.
var defaults = map[string]any{}

// --- golden snapshot --------------------------------------------------------

func TestDefaultSynthMatchesGolden(t *testing.T) {
	// GIVEN no configuration WHEN the stack is synthesized
	got := synth(t, defaults).File
	// THEN the stack file equals testdata/default.cdk.tf.json byte for byte
	compareGolden(t, defaultGolden, got)
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := goldenDiff(want, got); diff != "" {
		t.Errorf("synth differs from %s (-golden +synth); if the change is intended, run go test -run %s -update and review the diff:\n%s", path, t.Name(), diff)
	}
}

// goldenDiff is "" when the bytes are equal, else a line diff that also
// shows differences invisible in a line view (trailing newline).
func goldenDiff(want, got []byte) string {
	if string(want) == string(got) {
		return ""
	}
	diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n"))
	if diff == "" {
		diff = fmt.Sprintf("same lines, different bytes: %d vs %d bytes", len(want), len(got))
	}
	return diff
}

func TestGoldenDiffCanFail(t *testing.T) {
	// GIVEN the golden text and a copy with one changed value
	want := []byte("{\n  \"shard_count\": 1\n}\n")
	got := []byte("{\n  \"shard_count\": 2\n}\n")
	// THEN the diff is reported and names the line; a missing final newline counts too
	if d := goldenDiff(want, got); !strings.Contains(d, `"shard_count": 2`) {
		t.Errorf("diff does not show the changed line: %q", d)
	}
	if d := goldenDiff(want, want[:len(want)-1]); d == "" {
		t.Error("a dropped trailing newline went unnoticed")
	}
	if d := goldenDiff(want, want); d != "" {
		t.Errorf("equal input reported as different: %s", d)
	}
}

// --- the specification, one requirement per case ------------------------------

func TestDefaultSynthMeetsSpecification(t *testing.T) {
	s := synth(t, defaults)
	cases := []struct {
		name string
		ok   bool
	}{
		{"AWS provider in us-east-1", *cdktf.Testing_ToHaveProviderWithProperties(&s.Testing, jsii.String("aws"),
			&map[string]any{"region": "us-east-1"})},
		{"stream name, 1 shard, 24 h retention", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"name": "xfusion-kinesis-stream", "shard_count": 1, "retention_period": 24})},
		{"exactly the four shard-level metrics, in order", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"shard_level_metrics": []any{"IncomingBytes", "IncomingRecords",
				"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"}})},
		{"provisioned stream mode", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"stream_mode_details": map[string]any{"stream_mode": "PROVISIONED"}})},
		{"server-side encryption with the AWS managed key", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"})},
		{"alarm name and description", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"alarm_name": "xfusion-kinesis-alarm",
				"alarm_description": "Triggers when write throughput exceeds provisioned limit"})},
		{"alarm metric: AWS/Kinesis WriteProvisionedThroughputExceeded", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"namespace": "AWS/Kinesis", "metric_name": "WriteProvisionedThroughputExceeded"})},
		{"alarm evaluation: Sum over 60 s, 1 period", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"statistic": "Sum", "period": 60, "evaluation_periods": 1})},
		{"alarm condition: GreaterThanThreshold 1, missing data notBreaching", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"comparison_operator": "GreaterThanThreshold", "threshold": 1, "treat_missing_data": "notBreaching"})},
		{"alarm dimension StreamName references the stream", *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"dimensions": map[string]any{"StreamName": "${aws_kinesis_stream.stream.name}"}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("synth lacks: %s\n%s", c.name, s.Testing)
			}
		})
	}
	for name, check := range map[string]func(map[string]any) error{
		"outputs":             checkOutputs,
		"provider constraint": checkProviderConstraint,
		"relative state path": checkRelativeState,
		"one of each resource": func(doc map[string]any) error {
			return checkResourceCounts(doc, map[string]int{streamType: 1, alarmType: 1})
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := check(s.Doc); err != nil {
				t.Error(err)
			}
		})
	}
}

// The matchers compare subsets; each kind must be able to say no.
func TestMatchersCanFail(t *testing.T) {
	s := synth(t, defaults)
	no := map[string]bool{
		"resource with a wrong value": *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"shard_count": 2}),
		"metrics list with one missing": *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"shard_level_metrics": []any{"IncomingBytes", "IncomingRecords", "WriteProvisionedThroughputExceeded"}}),
		"metrics list in another order": *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType),
			&map[string]any{"shard_level_metrics": []any{"IncomingRecords", "IncomingBytes",
				"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"}}),
		"dimension as a copied string": *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType),
			&map[string]any{"dimensions": map[string]any{"StreamName": "xfusion-kinesis-stream"}}),
		"resource type that is absent": *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String("aws_sns_topic"),
			&map[string]any{}),
		"provider with a wrong region": *cdktf.Testing_ToHaveProviderWithProperties(&s.Testing, jsii.String("aws"),
			&map[string]any{"region": "us-west-2"}),
	}
	for name, matched := range no {
		if matched {
			t.Errorf("matcher accepted %s", name)
		}
	}
}

// checkOutputs: both outputs exist, reference the resources' names and are described.
func checkOutputs(doc map[string]any) error {
	want := map[string]string{
		"kke_kinesis_stream_name": "${aws_kinesis_stream.stream.name}",
		"kke_kinesis_alarm_name":  "${aws_cloudwatch_metric_alarm.write_throttle_alarm.alarm_name}",
	}
	outputs, _ := lookup(doc, "output")
	all, _ := outputs.(map[string]any)
	if len(all) != len(want) {
		return fmt.Errorf("want exactly the outputs %v, got %v", sortedKeys(toAny(want)), sortedKeys(all))
	}
	var errs []string
	for name, value := range want {
		if got, _ := lookup(doc, "output", name, "value"); got != value {
			errs = append(errs, fmt.Sprintf("output %s: value %v, want %s", name, got, value))
		}
		if d, _ := lookup(doc, "output", name, "description"); d == nil || d == "" {
			errs = append(errs, fmt.Sprintf("output %s has no description", name))
		}
	}
	return joinErrors(errs)
}

// checkProviderConstraint: full source address and a 5.x range that admits
// the bindings' 5.99.1 and the mirror's 5.100.0 but not 6.x.
func checkProviderConstraint(doc map[string]any) error {
	var errs []string
	if src, _ := lookup(doc, "terraform", "required_providers", "aws", "source"); src != "hashicorp/aws" {
		errs = append(errs, fmt.Sprintf("provider source %v, want hashicorp/aws", src))
	}
	v, _ := lookup(doc, "terraform", "required_providers", "aws", "version")
	constraint, _ := v.(string)
	for version, allowed := range map[string]bool{"5.99.1": true, "5.100.0": true, "5.120.3": true, "5.99.0": false, "6.0.0": false, "4.67.0": false} {
		if got := constraintAllows(constraint, version); got != allowed {
			errs = append(errs, fmt.Sprintf("provider constraint %q: allows %s = %v, want %v", constraint, version, got, allowed))
		}
	}
	return joinErrors(errs)
}

// constraintAllows evaluates a Terraform version constraint made of
// comma-separated ">=", ">", "<", "<=", "=" terms on x.y.z versions.
func constraintAllows(constraint, version string) bool {
	if strings.TrimSpace(constraint) == "" {
		return false
	}
	term := regexp.MustCompile(`^\s*(>=|<=|>|<|=|!=)?\s*(\d+)\.(\d+)\.(\d+)\s*$`)
	parse := func(s string) [3]int {
		var v [3]int
		fmt.Sscanf(s, "%d.%d.%d", &v[0], &v[1], &v[2])
		return v
	}
	cmpv := func(a, b [3]int) int {
		for i := range a {
			if a[i] != b[i] {
				if a[i] < b[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	have := parse(version)
	for _, part := range strings.Split(constraint, ",") {
		m := term.FindStringSubmatch(part)
		if m == nil {
			return false // a form this checker does not know (~>, exact pins with v…) counts as not allowed
		}
		c := cmpv(have, parse(m[2]+"."+m[3]+"."+m[4]))
		ok := map[string]bool{">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c == 0, "": c == 0, "!=": c != 0}[m[1]]
		if !ok {
			return false
		}
	}
	return true
}

// checkRelativeState: local backend with a relative path, so the synth does
// not depend on where the project is checked out.
func checkRelativeState(doc map[string]any) error {
	p, ok := lookup(doc, "terraform", "backend", "local", "path")
	path, _ := p.(string)
	switch {
	case !ok || path == "":
		return fmt.Errorf("no local backend path in the synth")
	case filepath.IsAbs(path):
		return fmt.Errorf("local backend path %q is absolute", path)
	case path != StatePath:
		return fmt.Errorf("local backend path %q, want %q", path, StatePath)
	}
	return nil
}

func checkResourceCounts(doc map[string]any, want map[string]int) error {
	resources, _ := lookup(doc, "resource")
	all, _ := resources.(map[string]any)
	var errs []string
	if len(all) != len(want) {
		errs = append(errs, fmt.Sprintf("resource types %v, want %v", sortedKeys(all), sortedKeys(toAny(want))))
	}
	for typ, n := range want {
		if got, _ := all[typ].(map[string]any); len(got) != n {
			errs = append(errs, fmt.Sprintf("%d %s, want %d", len(got), typ, n))
		}
	}
	return joinErrors(errs)
}

// The hand-written JSON checks must be able to fail too.
func TestJSONChecksCanFail(t *testing.T) {
	s := synth(t, defaults)
	runMutations(t, s.Doc, []mutation{
		{"output missing", checkOutputs, func(d map[string]any) { delete(d["output"].(map[string]any), "kke_kinesis_alarm_name") }},
		{"output with a copied value", checkOutputs, func(d map[string]any) {
			d["output"].(map[string]any)["kke_kinesis_stream_name"].(map[string]any)["value"] = "xfusion-kinesis-stream"
		}},
		{"output without description", checkOutputs, func(d map[string]any) {
			delete(d["output"].(map[string]any)["kke_kinesis_alarm_name"].(map[string]any), "description")
		}},
		{"exact provider pin", checkProviderConstraint, func(d map[string]any) {
			mustMap(d, "terraform", "required_providers", "aws")["version"] = "5.99.1"
		}},
		{"provider range open to 6.x", checkProviderConstraint, func(d map[string]any) {
			mustMap(d, "terraform", "required_providers", "aws")["version"] = ">= 5.99.1"
		}},
		{"short provider source", checkProviderConstraint, func(d map[string]any) {
			mustMap(d, "terraform", "required_providers", "aws")["source"] = "aws"
		}},
		{"absolute state path", checkRelativeState, func(d map[string]any) {
			mustMap(d, "terraform", "backend", "local")["path"] = "/home/me/project/terraform.kinesis-monitoring.tfstate"
		}},
		{"a second stream", func(d map[string]any) error {
			return checkResourceCounts(d, map[string]int{streamType: 1, alarmType: 1})
		}, func(d map[string]any) {
			mustMap(d, "resource", streamType)["other"] = map[string]any{"name": "x"}
		}},
	})
}

// mutation is a negative case for a JSON check: the check passes on the
// synth and must fail once mutate has changed a copy of it.
type mutation struct {
	name   string
	check  func(map[string]any) error
	mutate func(doc map[string]any)
}

func runMutations(t *testing.T, doc map[string]any, cases []mutation) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			copied := deepCopy(t, doc)
			if err := c.check(copied); err != nil {
				t.Fatalf("GIVEN the unmodified synth the check already fails: %v", err)
			}
			c.mutate(copied)
			if err := c.check(copied); err == nil {
				t.Errorf("check accepted a synth with %s", c.name)
			}
		})
	}
}

// --- determinism and the app as users run it ---------------------------------

func TestAppSynthIsIdenticalAcrossRunsAndDirectories(t *testing.T) {
	// GIVEN the app run as a program in a checkout elsewhere
	dir := filepath.Join(t.TempDir(), "some", "checkout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runApp(t, dir, ""); code != 0 || stderr != "" {
		t.Fatalf("app: exit %d, stderr %q (want 0 and nothing)", code, stderr)
	}
	// AND the in-process synth of the default stack (its own directory)
	inProcess := treeOf(t, synth(t, defaults).Outdir)
	// THEN both cdktf.out trees are byte-identical and hold no path of either
	app := treeOf(t, filepath.Join(dir, "cdktf.out"))
	if diff := cmp.Diff(inProcess, app); diff != "" {
		t.Errorf("synth differs between runs in different directories (-in-process +app):\n%s", diff)
	}
	for name, content := range app {
		if strings.Contains(content, os.TempDir()) {
			t.Errorf("%s contains a checkout path (%s)", name, os.TempDir())
		}
	}
	compareGolden(t, defaultGolden, []byte(app[filepath.Join("stacks", StackID, "cdk.tf.json")]))
}

func TestAppRefusesBadContextAndWritesNothing(t *testing.T) {
	// GIVEN a project with an earlier synth and three bad settings
	dir := t.TempDir()
	stackFile := filepath.Join(dir, "cdktf.out", "stacks", StackID, "cdk.tf.json")
	if err := os.MkdirAll(filepath.Dir(stackFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stackFile, []byte(`{"earlier":"synth"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := treeOf(t, dir)
	bad := `{"shardCount":"2x","retentionHours":12,"alarmComparisonOperator":"Bigger","cdktfRelativeModules":[]}`

	// WHEN the app runs
	code, stderr := runApp(t, dir, bad)

	// THEN it exits non-zero, names every bad setting at once, and leaves the
	// directory exactly as it was
	if code == 0 {
		t.Errorf("exit code 0 for a bad configuration")
	}
	for _, want := range []string{
		`3 problem(s)`,
		`shardCount: "2x" is not a whole number; allowed: a whole number from 1 to 2147483647`,
		`retentionHours: 12 is out of range; allowed: a whole number of hours from 24 to 8760`,
		`alarmComparisonOperator: "Bigger" is not allowed; allowed: one of GreaterThanOrEqualToThreshold`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if diff := cmp.Diff(before, treeOf(t, dir)); diff != "" {
		t.Errorf("a refused synth changed the project directory:\n%s", diff)
	}

	// AND in an empty directory it creates no cdktf.out at all
	empty := t.TempDir()
	if code, _ := runApp(t, empty, bad); code == 0 {
		t.Error("exit code 0 for a bad configuration")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused synth created %v", entries)
	}
}

// --- small helpers for the JSON checks ----------------------------------------

func joinErrors(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "\n"))
}

func toAny[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mustMap(doc map[string]any, path ...string) map[string]any {
	v, ok := lookup(doc, path...)
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		panic(fmt.Sprintf("no object at %v", path))
	}
	return m
}

func deepCopy(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
