package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// production switches on everything a production stream wants: a new alert
// topic with two subscribers (also notified on INSUFFICIENT_DATA), the
// recommended alarms, the dashboard, tags and state in S3. The end-to-end
// tests deploy the same settings.
var production map[string]any

// existingTopic routes the write-throttling alarm to a topic the team has.
var existingTopic map[string]any

// loadContexts reads the contexts kept in testdata; TestMain calls it (not
// package initialization: the test binary also runs as the app, elsewhere).
func loadContexts() {
	production = contextFile("testdata/production.context.json")
	existingTopic = contextFile("testdata/existing-topic.context.json")
	environments = contextFile("testdata/environments.context.json")
	onDemand = contextFile("testdata/on-demand.context.json")
}

// contextFile reads a cdktf.json "context" kept in testdata.
func contextFile(path string) map[string]any {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var ctx map[string]any
	if err := json.Unmarshal(data, &ctx); err != nil {
		panic(fmt.Sprintf("%s: %v", path, err))
	}
	return ctx
}

const (
	productionGolden    = "testdata/production.cdk.tf.json"
	existingTopicGolden = "testdata/existing-topic.cdk.tf.json"
	topicRef            = "${aws_sns_topic.alert_topic.arn}"
)

func TestProductionSynthsMatchGoldens(t *testing.T) {
	// GIVEN each production configuration WHEN synthesized THEN it equals its golden file
	testkit.Golden(t, productionGolden, synth(t, production).File, *update)
	testkit.Golden(t, existingTopicGolden, synth(t, existingTopic).File, *update)
}

func TestProductionSynthHasEveryCapability(t *testing.T) {
	s := synth(t, production)
	has := func(typ string, props map[string]any) bool {
		return *cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(typ), &props)
	}
	routed := map[string]any{"alarm_actions": []any{topicRef}, "ok_actions": []any{topicRef}, "insufficient_data_actions": []any{topicRef}}
	cases := []struct {
		name string
		ok   bool
	}{
		{"alert topic named after the stream", has("aws_sns_topic", map[string]any{"name": "xfusion-kinesis-stream-alerts"})},
		{"e-mail subscription ops@", has("aws_sns_topic_subscription", map[string]any{"protocol": "email", "endpoint": "ops@example.com", "topic_arn": topicRef})},
		{"e-mail subscription on-call@", has("aws_sns_topic_subscription", map[string]any{"protocol": "email", "endpoint": "on-call+kinesis@example.org", "topic_arn": topicRef})},
		{"write-throttling alarm routed, still the specification", has(alarmType, merge(routed, map[string]any{
			"alarm_name": "xfusion-kinesis-alarm", "threshold": 1, "comparison_operator": "GreaterThanThreshold", "period": 60}))},
		// The recommended set, after AWS's "Recommended alarms": one-minute
		// periods, 15 of 15 breaching.
		{"iterator age: Maximum above half the 24 h retention, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-iterator-age", "metric_name": "GetRecords.IteratorAgeMilliseconds",
			"statistic": "Maximum", "threshold": 43200000, "comparison_operator": "GreaterThanThreshold",
			"dimensions": map[string]any{"StreamName": "${aws_kinesis_stream.stream.name}"}}))},
		{"read throttling: more than 1 % of GetRecords calls, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-read-throttled", "metric_name": "ReadProvisionedThroughputExceeded", "statistic": "Average", "threshold": 0.01}))},
		{"write throttling: more than 1 % of records, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-sustained-write-throttling", "metric_name": "WriteProvisionedThroughputExceeded", "statistic": "Average", "threshold": 0.01}))},
		{"PutRecords failed records, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-putrecords-failed", "metric_name": "PutRecords.FailedRecords", "statistic": "Sum", "threshold": 0}))},
		{"GetRecords success below 99 %, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-getrecords-success", "metric_name": "GetRecords.Success", "statistic": "Average",
			"threshold": 0.99, "comparison_operator": "LessThanThreshold"}))},
		{"PutRecord success below 99 %, routed", has(alarmType, merge(routed, fifteenOfFifteen, map[string]any{
			"alarm_name": "xfusion-kinesis-stream-putrecord-success", "metric_name": "PutRecord.Success", "statistic": "Average",
			"threshold": 0.99, "comparison_operator": "LessThanThreshold"}))},
		{"dashboard named after the stream", has("aws_cloudwatch_dashboard", map[string]any{"dashboard_name": "xfusion-kinesis-stream"})},
		{"tags through the provider's default_tags", *cdktf.Testing_ToHaveProviderWithProperties(&s.Testing, jsii.String("aws"), &map[string]any{
			"default_tags": []any{map[string]any{"tags": map[string]any{"team": "monitoring", "cost-center": "42"}}}})},
		{"stream still protected", has(streamType, map[string]any{"lifecycle": map[string]any{"prevent_destroy": true}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("synth lacks: %s", c.name)
			}
		})
	}
	for name, check := range map[string]func(map[string]any) error{
		"S3 state with native locking and the KMS key":    checkS3Backend,
		"dashboard body follows the stream and alarms":    checkDashboard,
		"every alarm has a description saying what to do": checkAlarmDescriptions,
		"resource counts": func(doc map[string]any) error {
			return checkResourceCounts(doc, map[string]int{streamType: 1, alarmType: 7, "aws_sns_topic": 1, "aws_kms_key": 1, "aws_kms_alias": 1,
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
		{"dashboard without alarm widget", checkDashboard, func(d map[string]any) {
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

func checkDashboard(doc map[string]any) error {
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
	wantAlarms := []string{"${aws_cloudwatch_metric_alarm.write_throttle_alarm.arn}"}
	for _, r := range recommendedAlarms {
		wantAlarms = append(wantAlarms, "${aws_cloudwatch_metric_alarm."+r.id+".arn}")
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

// fifteenOfFifteen: one-minute periods, all 15 of the last 15 breaching.
var fifteenOfFifteen = map[string]any{"period": 60, "evaluation_periods": 15, "datapoints_to_alarm": 15}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}
