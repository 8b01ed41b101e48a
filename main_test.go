package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current synth, and the usage block of the file help from the command table")

// contextVar is where the cdktf CLI hands the app cdktf.json's context.
const contextVar = "CDKTF_CONTEXT_JSON"

func TestMain(m *testing.M) {
	if os.Getenv(appModeVar) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(runTests(m))
}

// runTests gives the run its own TMPDIR, so that whatever jsii leaves behind
// is found and reported, and closes the jsii kernel at the end.
func runTests(m *testing.M) int {
	flag.Parse()
	loadContexts()
	tmp, err := os.MkdirTemp("", "kinesis-monitoring-test.")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	os.Setenv("TMPDIR", tmp)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if err := prepareJsiiKernel(); err != nil { // also restarts the kernel under the new TMPDIR
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	code := testkit.Main(m)
	jsii.Close()

	if left := testkit.LeftoverTempDirs(tmp); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the run left jsii/cdktf temp directories behind: %s\n", strings.Join(left, ", "))
		return 1
	}
	return code
}

// synthesis is one synthesized context: the stack file exactly as the app
// writes it, its parsed form, and the string cdktf's Testing matchers read
// (the same JSON: a second Testing_Synth would only repeat the work), of the
// first stack (the only one without environments), and every stack's file by
// name.
type synthesis struct {
	Outdir   string // cdktf.out of this synth (manifest.json, stacks/…)
	StackDir string // Outdir/stacks/<first stack>
	File     []byte // StackDir/cdk.tf.json
	Doc      map[string]any
	Testing  string            // the first stack's JSON, for cdktf.Testing_ToHave… matchers
	Stacks   map[string][]byte // cdk.tf.json of each stack
}

var (
	synthMu    sync.Mutex
	synthCache = map[string]*synthesis{}
	synthDir   string
)

// synth synthesizes the stack for the given context once per distinct
// context in the whole run and returns the shared result (do not modify it).
func synth(t testing.TB, ctx map[string]any) *synthesis {
	t.Helper()
	key := render(ctx)
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synthCache[key]; ok {
		return s
	}
	configs, err := config.FromContext(ctx)
	if err != nil {
		t.Fatalf("GIVEN context %s: %v", key, err)
	}
	if synthDir == "" {
		// Lives until the process ends: TMPDIR of the run is removed then.
		if synthDir, err = os.MkdirTemp("", "synth."); err != nil {
			t.Fatal(err)
		}
	}
	outdir := filepath.Join(synthDir, fmt.Sprint(len(synthCache)))
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{
		Outdir:      jsii.String(outdir),
		StubVersion: jsii.Bool(false), // the version the users' synth writes
		Context:     &ctx,
	})
	for _, cfg := range configs {
		NewKinesisMonitoringStack(app, cfg.StackID(), cfg)
	}
	app.Synth()

	s := &synthesis{Outdir: outdir, StackDir: filepath.Join(outdir, "stacks", configs[0].StackID()), Stacks: map[string][]byte{}}
	for _, cfg := range configs {
		if s.Stacks[cfg.StackID()], err = os.ReadFile(filepath.Join(outdir, "stacks", cfg.StackID(), "cdk.tf.json")); err != nil {
			t.Fatal(err)
		}
	}
	s.File = s.Stacks[configs[0].StackID()]
	if err = json.Unmarshal(s.File, &s.Doc); err != nil {
		t.Fatal(err)
	}
	s.Testing = string(s.File) // what Testing_Synth would give: the stack's JSON
	synthCache[key] = s
	return s
}

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

// defaults is the context of a plain synth: no overrides.
var defaults = map[string]any{}

// render writes a value as JSON (values of parsed JSON: it cannot fail).
func render(v any) string {
	data, err := jsontext.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// --- the specification, one requirement per case ------------------------------

func TestDefaultSynthMeetsSpecification(t *testing.T) {
	s := synth(t, defaults)
	cases := []expectation{
		{"AWS provider in us-east-1", "provider", "aws", map[string]any{"region": "us-east-1"}},
		{"stream name, 1 shard, 24 h retention", "resource", streamType, map[string]any{"name": "xfusion-kinesis-stream", "shard_count": 1, "retention_period": 24}},
		{"exactly the four shard-level metrics, in order", "resource", streamType, map[string]any{"shard_level_metrics": []any{"IncomingBytes", "IncomingRecords",
			"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"}}},
		{"provisioned stream mode", "resource", streamType, map[string]any{"stream_mode_details": map[string]any{"stream_mode": "PROVISIONED"}}},
		{"server-side encryption with the AWS managed key", "resource", streamType, map[string]any{"encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}},
		{"alarm name and description", "resource", alarmType, map[string]any{"alarm_name": "xfusion-kinesis-alarm",
			"alarm_description": "Triggers when write throughput exceeds provisioned limit"}},
		{"alarm metric: AWS/Kinesis WriteProvisionedThroughputExceeded", "resource", alarmType, map[string]any{"namespace": "AWS/Kinesis", "metric_name": "WriteProvisionedThroughputExceeded"}},
		{"alarm evaluation: Sum over 60 s, 1 period", "resource", alarmType, map[string]any{"statistic": "Sum", "period": 60, "evaluation_periods": 1}},
		{"alarm condition: GreaterThanThreshold 1, missing data notBreaching", "resource", alarmType, map[string]any{"comparison_operator": "GreaterThanThreshold", "threshold": 1, "treat_missing_data": "notBreaching"}},
		{"alarm dimension StreamName references the stream", "resource", alarmType, map[string]any{"dimensions": map[string]any{"StreamName": "${aws_kinesis_stream.stream.name}"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, s) })
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

// Each specification setting reaches its attribute, and nothing else changes.
func TestOverridesReachTheSynthAndNothingElseChanges(t *testing.T) {
	base := flatten(synth(t, defaults).Doc)
	const stream, alarm = "resource.aws_kinesis_stream.stream.", "resource.aws_cloudwatch_metric_alarm.write_throttle_alarm."
	cases := []struct {
		name string
		ctx  map[string]any
		want map[string]string // every path that changes, with its new JSON value ("" = removed)
	}{
		{"all settings but encryption", map[string]any{
			"region": "eu-west-1", "streamName": "team.orders-stream_2", "shardCount": 3, "retentionHours": 168,
			"shardLevelMetrics": []any{"IncomingBytes", "IteratorAgeMilliseconds"}, "kmsKeyId": "alias/orders",
			"alarmName": "orders write throttling", "alarmDescription": "Add shards: writes are throttled", "alarmThreshold": 0,
			"alarmComparisonOperator": "GreaterThanOrEqualToThreshold", "alarmStatistic": "Maximum", "alarmPeriod": 300,
			"alarmEvaluationPeriods": 3, "alarmTreatMissingData": "breaching",
		}, map[string]string{
			"provider.aws":                 `[{"region":"eu-west-1"}]`,
			stream + "name":                `"team.orders-stream_2"`,
			stream + "shard_count":         `3`,
			stream + "retention_period":    `168`,
			stream + "shard_level_metrics": `["IncomingBytes","IteratorAgeMilliseconds"]`,
			stream + "kms_key_id":          `"alias/orders"`,
			alarm + "alarm_name":           `"orders write throttling"`,
			alarm + "alarm_description":    `"Add shards: writes are throttled"`,
			alarm + "threshold":            `0`,
			alarm + "comparison_operator":  `"GreaterThanOrEqualToThreshold"`,
			alarm + "statistic":            `"Maximum"`,
			alarm + "period":               `300`,
			alarm + "evaluation_periods":   `3`,
			alarm + "treat_missing_data":   `"breaching"`,
		}},
		{"encryption off", map[string]any{"encryption": false}, map[string]string{
			stream + "encryption_type": `"NONE"`,
			stream + "kms_key_id":      "",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN the overrides WHEN synthesized
			got := flatten(synth(t, c.ctx).Doc)
			// THEN exactly the expected attributes differ from the default synth
			changed := map[string]string{}
			for path, v := range got {
				if base[path] != v {
					changed[path] = v
				}
			}
			for path := range base {
				if _, ok := got[path]; !ok {
					changed[path] = ""
				}
			}
			if diff := cmp.Diff(c.want, changed); diff != "" {
				t.Errorf("changed attributes (-want +got):\n%s", diff)
			}
			// AND the alarm still follows the stream by reference
			if dim := got[alarm+"dimensions.StreamName"]; dim != `"${aws_kinesis_stream.stream.name}"` {
				t.Errorf("alarm dimension %s, want the stream reference", dim)
			}
		})
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
		return fmt.Errorf("want exactly the outputs %v, got %v", slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(all)))
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
	text, _ := v.(string)
	constraint, err := version.NewConstraint(text)
	if err != nil {
		return fmt.Errorf("provider constraint %q: %v", text, err)
	}
	for v, allowed := range map[string]bool{"5.99.1": true, "5.100.0": true, "5.120.3": true, "5.99.0": false, "6.0.0": false, "4.67.0": false} {
		if got := constraint.Check(version.Must(version.NewVersion(v))); got != allowed {
			errs = append(errs, fmt.Sprintf("provider constraint %q: allows %s = %v, want %v", text, v, got, allowed))
		}
	}
	return joinErrors(errs)
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
	case path != config.Default().StatePath():
		return fmt.Errorf("local backend path %q, want %q", path, config.Default().StatePath())
	}
	return nil
}

func checkResourceCounts(doc map[string]any, want map[string]int) error {
	resources, _ := lookup(doc, "resource")
	all, _ := resources.(map[string]any)
	var errs []string
	if len(all) != len(want) {
		errs = append(errs, fmt.Sprintf("resource types %v, want %v", slices.Sorted(maps.Keys(all)), slices.Sorted(maps.Keys(want))))
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

// expectation is one requirement of a synth: a resource of a type (or the
// provider) with these properties, as cdktf's Testing matchers read them.
type expectation struct {
	name       string
	kind, typ  string // "resource" and a resource type, or "provider" and its name
	properties map[string]any
}

// check reports the expectation's problem, if any.
func (e expectation) check(t *testing.T, s *synthesis) {
	t.Helper()
	if p := e.problem(s); p != "" {
		t.Error(p)
	}
}

// problem runs the matcher; when it fails, it says what each resource of
// the type has instead of the properties wanted ("" when it matches).
func (e expectation) problem(s *synthesis) string {
	props := e.properties
	matched := e.kind == "provider" && *cdktf.Testing_ToHaveProviderWithProperties(&s.Testing, jsii.String(e.typ), &props) ||
		e.kind == "resource" && *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(e.typ), &props)
	if matched {
		return ""
	}
	var want map[string]any
	json.Unmarshal([]byte(render(e.properties)), &want) // numbers as the synth's JSON has them
	found, _ := lookup(s.Doc, e.kind, e.typ)
	candidates := map[string]any{}
	switch f := found.(type) {
	case map[string]any:
		candidates = f
	case []any: // a provider is a list of configurations
		for i, c := range f {
			candidates[fmt.Sprint(i)] = c
		}
	}
	var report strings.Builder
	for name, c := range candidates {
		got := map[string]any{}
		for k := range want {
			if v, ok := c.(map[string]any)[k]; ok {
				got[k] = v
			}
		}
		fmt.Fprintf(&report, "%s %s.%s (-want +synthesized):\n%s", e.kind, e.typ, name, cmp.Diff(want, got))
	}
	if len(candidates) == 0 {
		report.WriteString("none synthesized")
	}
	return fmt.Sprintf("no %s %s has %s:\n%s", e.kind, e.typ, render(e.properties), report.String())
}

// The matcher check can fail, and says what differs.
func TestExpectationsCanFail(t *testing.T) {
	s := synth(t, defaults)
	for _, c := range []struct {
		e    expectation
		want []string
	}{
		{expectation{"a threshold of 2", "resource", alarmType, map[string]any{"threshold": 2}}, []string{`resource aws_cloudwatch_metric_alarm.write_throttle_alarm`, "-", "2", "+", "1"}},
		{expectation{"another region", "provider", "aws", map[string]any{"region": "eu-west-1"}}, []string{`"eu-west-1"`, `"us-east-1"`}},
		{expectation{"a type not synthesized", "resource", "aws_sns_topic", map[string]any{"name": "x"}}, []string{"none synthesized"}},
	} {
		p := c.e.problem(s)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: the report %q lacks %q", c.e.name, p, w)
			}
		}
	}
}
