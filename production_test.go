package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// production switches on everything a production stream wants: a new alert
// topic with two subscribers (also notified on INSUFFICIENT_DATA), the
// recommended alarms, the dashboard, tags and state in S3. The end-to-end
// tests deploy the same settings.
var production map[string]any

// existingTopic routes the write-throttling alarm to a topic the team has.
var existingTopic map[string]any

// environments: dev and prod from one app, sharing alert routing and the
// recommended alarms.
var environments map[string]any

// watchOnly watches three streams owned elsewhere, one with a consumer,
// with per-stream overrides; mixed has its own stream (with a consumer)
// and watches two; watchAll watches every stream of the region by query
// (watchAllStreams, consumers too) but two, and one stream with settings
// of its own.
var watchOnly, mixed, watchAll map[string]any

// loadContexts reads the contexts kept in testdata; TestMain calls it (not
// package initialization: the test binary also runs as the app, elsewhere).
func loadContexts() {
	production = testkit.MustContext("production")
	existingTopic = testkit.MustContext("existing-topic")
	environments = testkit.MustContext("environments")
	onDemand = testkit.MustContext("on-demand")
	watchOnly = testkit.MustContext("watch-only")
	mixed = testkit.MustContext("mixed")
	watchAll = testkit.MustContext("watch-all")
}

const topicRef = "${aws_sns_topic.alert_topic.arn}"

func TestProductionSynthHasEveryCapability(t *testing.T) {
	s := synth(t, production)
	routed := map[string]any{"alarm_actions": []any{topicRef}, "ok_actions": []any{topicRef}, "insufficient_data_actions": []any{topicRef}}
	cases := []expectation{
		{"alert topic named after the stream", "resource", "aws_sns_topic", map[string]any{"name": "xfusion-kinesis-stream-alerts"}},
		{"e-mail subscription ops@", "resource", "aws_sns_topic_subscription", map[string]any{"protocol": "email", "endpoint": "ops@example.com", "topic_arn": topicRef}},
		{"e-mail subscription on-call@", "resource", "aws_sns_topic_subscription", map[string]any{"protocol": "email", "endpoint": "on-call+kinesis@example.org", "topic_arn": topicRef}},
		{"dashboard named after the stream", "resource", "aws_cloudwatch_dashboard", map[string]any{"dashboard_name": "xfusion-kinesis-stream"}},
		{"tags through the provider's default_tags", "provider", "aws", map[string]any{
			"default_tags": []any{map[string]any{"tags": map[string]any{"team": "monitoring", "cost-center": "42"}}}}},
		{"stream still protected", "resource", streamType, map[string]any{"lifecycle": map[string]any{"prevent_destroy": true}}},
	}
	// Every alarm of the configuration (the specification's and the
	// recommended set; TestSynthesizedAlarmsAreTheAlarmValues checks the
	// rest of their attributes) notifies the topic on each state.
	cfg := configOf(t, production)
	for _, a := range cfg.Alarms() {
		cases = append(cases, expectation{"alarm " + a.Name + " routed", "resource", alarmType, merge(routed, map[string]any{"alarm_name": a.Name})})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, s) })
	}
	for name, check := range map[string]func(map[string]any) error{
		"S3 state with native locking and the KMS key":    checkS3Backend,
		"dashboard body follows the stream and alarms":    checkDashboard(cfg.Alarms()),
		"every alarm has a description saying what to do": checkAlarmDescriptions,
		"resource counts": func(doc map[string]any) error {
			return checkResourceCounts(doc, map[string]int{streamType: 1, alarmType: len(cfg.Alarms()), "aws_sns_topic": 1, "aws_kms_key": 1, "aws_kms_alias": 1,
				"aws_sns_topic_subscription": 2, "aws_cloudwatch_dashboard": 1})
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := check(s.Doc); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestExistingTopicAndProtectionOff(t *testing.T) {
	s := synth(t, existingTopic)
	arn := existingTopic["alarmTopicArn"]
	// THEN the alarm notifies the given topic on ALARM and OK only, no topic is created
	if !*cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(alarmType), &map[string]any{
		"alarm_actions": []any{arn}, "ok_actions": []any{arn}}) {
		t.Errorf("alarm does not notify %s:\n%s", arn, s.Testing)
	}
	if err := checkResourceCounts(s.Doc, map[string]int{streamType: 1, alarmType: 1}); err != nil {
		t.Error(err)
	}
	if v, ok := lookup(s.Doc, "resource", alarmType, "write_throttle_alarm", "insufficient_data_actions"); ok {
		t.Errorf("insufficient-data actions set without being asked: %v", v)
	}
	// AND with protect false the stream has no lifecycle block
	unprotected := synth(t, map[string]any{"protect": false})
	if v, ok := lookup(unprotected.Doc, "resource", streamType, "stream", "lifecycle"); ok {
		t.Errorf("protect false still writes %v", v)
	}
}

// The production checks must be able to fail.
func TestProductionChecksCanFail(t *testing.T) {
	s := synth(t, production)
	runMutations(t, s.Doc, []mutation{
		{"no lock file", checkS3Backend, func(d map[string]any) { delete(mustMap(d, "terraform", "backend", "s3"), "use_lockfile") }},
		{"state unencrypted", checkS3Backend, func(d map[string]any) { mustMap(d, "terraform", "backend", "s3")["encrypt"] = false }},
		{"dashboard without alarm widget", checkDashboard(configOf(t, production).Alarms()), func(d map[string]any) {
			dash := mustMap(d, "resource", "aws_cloudwatch_dashboard", "dashboard")
			dash["dashboard_body"] = strings.ReplaceAll(dash["dashboard_body"].(string), `"type":"alarm"`, `"type":"text"`)
		}},
		{"alarm without description", checkAlarmDescriptions, func(d map[string]any) {
			mustMap(d, "resource", alarmType, "read_throttle_alarm")["alarm_description"] = ""
		}},
	})
	// And a matcher rejects a subscription that is not there.
	if *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String("aws_sns_topic_subscription"),
		&map[string]any{"endpoint": "someone-else@example.com"}) {
		t.Error("matcher found a subscription that does not exist")
	}
}

func checkS3Backend(doc map[string]any) error {
	got, _ := lookup(doc, "terraform", "backend")
	want := map[string]any{"s3": map[string]any{
		"bucket": "xfusion-tfstate", "key": "kinesis-monitoring/terraform.tfstate", "region": "us-east-1",
		"encrypt": true, "use_lockfile": true, "kms_key_id": production["stateKmsKeyId"],
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("backend (-want +got):\n%s", diff)
	}
	return nil
}

// checkDashboard: the body draws the stream and its capacity, and the alarm
// widget lists the given alarms, in their order.
func checkDashboard(want []alarms.Alarm) func(doc map[string]any) error {
	return func(doc map[string]any) error { return dashboardProblems(doc, want) }
}

func dashboardProblems(doc map[string]any, want []alarms.Alarm) error {
	raw, _ := lookup(doc, "resource", "aws_cloudwatch_dashboard", "dashboard", "dashboard_body")
	text, _ := raw.(string)
	var body struct {
		Widgets []struct {
			Type       string          `json:"type"`
			Properties json.RawMessage `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		return fmt.Errorf("dashboard body is not JSON: %v", err)
	}
	var errs []string
	for _, want := range []string{
		`"StreamName","${aws_kinesis_stream.stream.name}"`, `"value":1048576`, `"value":1000`,
		`"GetRecords.IteratorAgeMilliseconds"`, `"WriteProvisionedThroughputExceeded"`, `"ReadProvisionedThroughputExceeded"`,
	} {
		if !strings.Contains(text, want) {
			errs = append(errs, "dashboard body lacks "+want)
		}
	}
	var alarms []string
	for _, w := range body.Widgets {
		if w.Type == "alarm" {
			var p struct {
				Alarms []string `json:"alarms"`
			}
			json.Unmarshal(w.Properties, &p)
			alarms = p.Alarms
		}
	}
	var wantAlarms []string
	for _, a := range want {
		wantAlarms = append(wantAlarms, "${aws_cloudwatch_metric_alarm."+a.ID+".arn}")
	}
	if !cmp.Equal(alarms, wantAlarms) {
		errs = append(errs, fmt.Sprintf("alarm widget lists %v, want %v", alarms, wantAlarms))
	}
	return joinErrors(errs)
}

func checkAlarmDescriptions(doc map[string]any) error {
	all, _ := lookup(doc, "resource", alarmType)
	var errs []string
	for id, a := range all.(map[string]any) {
		if d, _ := a.(map[string]any)["alarm_description"].(string); len(d) < 40 {
			errs = append(errs, fmt.Sprintf("alarm %s: description %q does not say what to do", id, d))
		}
	}
	return joinErrors(errs)
}

// configOf is the one configuration of a context without environments.
func configOf(t testing.TB, ctx map[string]any) config.Config {
	t.Helper()
	configs, err := config.FromContext(ctx)
	if err != nil {
		t.Fatalf("context %s: %v", render(ctx), err)
	}
	if len(configs) != 1 {
		t.Fatalf("context %s has %d environments; want none", render(ctx), len(configs))
	}
	return configs[0]
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}
