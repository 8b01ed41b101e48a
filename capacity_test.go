package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// onDemand: an on-demand stream with the recommended alarms, the dashboard
// and an alert topic.
var onDemand map[string]any

const onDemandGolden = "testdata/on-demand.cdk.tf.json"

func TestOnDemandSynthMatchesGolden(t *testing.T) {
	testkit.Golden(t, onDemandGolden, synth(t, onDemand).File, *update)
}

func TestOnDemandStream(t *testing.T) {
	s := synth(t, onDemand)
	stream := mustMap(s.Doc, "resource", streamType, "stream")
	// GIVEN streamMode ON_DEMAND THEN the stream is on-demand and carries no
	// shard_count (the provider refuses one)
	if mode, _ := lookup(stream, "stream_mode_details", "stream_mode"); mode != "ON_DEMAND" {
		t.Errorf("stream mode %v", mode)
	}
	if _, has := stream["shard_count"]; has {
		t.Errorf("an on-demand stream writes shard_count %v", stream["shard_count"])
	}
	// AND the texts speak of an on-demand stream: the write-throttling
	// alarm's default description, the throttling alarms', the dashboard
	if d, _ := lookup(s.Doc, "resource", alarmType, "write_throttle_alarm", "alarm_description"); d != onDemandAlarmDescription {
		t.Errorf("write-throttling alarm description %q", d)
	}
	for _, id := range []string{"read_throttle_alarm", "sustained_write_throttle_alarm"} {
		if d, _ := lookup(s.Doc, "resource", alarmType, id, "alarm_description"); !strings.Contains(fmt.Sprint(d), "the on-demand stream gets more than twice its recent peak") {
			t.Errorf("%s: description %q does not speak of an on-demand stream", id, d)
		}
	}
	body, _ := lookup(s.Doc, "resource", "aws_cloudwatch_dashboard", "dashboard", "dashboard_body")
	if text := fmt.Sprint(body); strings.Contains(text, "Write capacity") || !strings.Contains(text, "on-demand: capacity follows the traffic") {
		t.Errorf("the on-demand dashboard draws a fixed capacity or does not say why it has none")
	}
	// AND a provisioned stream keeps its shard count and capacity (the checks can fail)
	p := synth(t, production)
	if _, has := mustMap(p.Doc, "resource", streamType, "stream")["shard_count"]; !has {
		t.Error("a provisioned stream lost its shard_count")
	}
	if body, _ := lookup(p.Doc, "resource", "aws_cloudwatch_dashboard", "dashboard", "dashboard_body"); !strings.Contains(fmt.Sprint(body), "Write capacity") {
		t.Error("a provisioned stream's dashboard lost its capacity line")
	}
}

func TestExternalShardScaling(t *testing.T) {
	s := synth(t, map[string]any{"externalShardScaling": true, "shardCount": 4, "dashboard": true})
	// GIVEN externalShardScaling THEN Terraform creates the stream with the
	// shard count and then leaves it to the autoscaler
	if !*cdktf.Testing_ToHaveResourceWithProperties(&s.Testing, jsii.String(streamType), &map[string]any{
		"shard_count": 4, "lifecycle": map[string]any{"ignore_changes": []any{"shard_count"}, "prevent_destroy": true}}) {
		t.Errorf("the stream does not ignore shard_count changes:\n%s", mustMap(s.Doc, "resource", streamType, "stream"))
	}
	body, _ := lookup(s.Doc, "resource", "aws_cloudwatch_dashboard", "dashboard", "dashboard_body")
	if text := fmt.Sprint(body); strings.Contains(text, "Write capacity") || !strings.Contains(text, "shards set by an autoscaler") {
		t.Error("the dashboard draws the first shard count as the capacity of an autoscaled stream")
	}
	// AND without it, no ignore_changes (the check can fail)
	if *cdktf.Testing_ToHaveResourceWithProperties(&synth(t, defaults).Testing, jsii.String(streamType), &map[string]any{
		"lifecycle": map[string]any{"ignore_changes": []any{"shard_count"}}}) {
		t.Error("the default stream ignores shard_count changes")
	}
}

// On AWS, DeleteStream refuses a stream with registered enhanced fan-out
// consumers unless EnforceConsumerDeletion is set. moto deletes such a stream
// either way, so the emulator can only show that the destroy completes: this
// synth test pins the attribute itself.
func TestUnprotectedStreamsDeleteTheirConsumers(t *testing.T) {
	unprotected := mustMap(synth(t, map[string]any{"protect": false}).Doc, "resource", streamType, "stream")
	if unprotected["enforce_consumer_deletion"] != true {
		t.Errorf("an unprotected stream has enforce_consumer_deletion %v, want true", unprotected["enforce_consumer_deletion"])
	}
	protected := mustMap(synth(t, defaults).Doc, "resource", streamType, "stream")
	if _, has := protected["enforce_consumer_deletion"]; has {
		t.Errorf("the protected (default) stream sets enforce_consumer_deletion")
	}
}

func TestDatapointsToAlarm(t *testing.T) {
	// GIVEN 2 of 3 THEN written; unset THEN not written (the default golden
	// pins that too)
	alarm := mustMap(synth(t, map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 2}).Doc, "resource", alarmType, "write_throttle_alarm")
	if alarm["datapoints_to_alarm"] != 2.0 || alarm["evaluation_periods"] != 3.0 {
		t.Errorf("datapoints %v of %v, want 2 of 3", alarm["datapoints_to_alarm"], alarm["evaluation_periods"])
	}
	if _, has := mustMap(synth(t, defaults).Doc, "resource", alarmType, "write_throttle_alarm")["datapoints_to_alarm"]; has {
		t.Error("the default alarm writes datapoints_to_alarm")
	}
}

func TestRecommendedAlarmThresholds(t *testing.T) {
	// GIVEN thresholds of the user's THEN those alarms use them, the others
	// keep their defaults, and the set is on
	s := synth(t, map[string]any{"recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 3600000, "getRecordsSuccess": 0.9}})
	for id, want := range map[string]float64{"iterator_age_alarm": 3600000, "getrecords_success_alarm": 0.9, "read_throttle_alarm": 0.01, "putrecords_failed_alarm": 0} {
		if got, _ := lookup(s.Doc, "resource", alarmType, id, "threshold"); got != want {
			t.Errorf("%s threshold %v, want %v", id, got, want)
		}
	}
	if d, _ := lookup(s.Doc, "resource", alarmType, "iterator_age_alarm", "alarm_description"); !strings.Contains(fmt.Sprint(d), "older than 1 h") {
		t.Errorf("the iterator-age description does not follow the threshold: %q", d)
	}
	// AND every alarm has a threshold key of its own
	seen := map[string]bool{}
	for _, r := range recommendedAlarms {
		if seen[r.key] || r.override(RecommendedThresholds{}) != nil {
			t.Errorf("threshold key %s is used twice or set by default", r.key)
		}
		seen[r.key] = true
	}
	if len(seen) != len(thresholdKeys()) {
		t.Errorf("%d alarms for %d threshold keys", len(seen), len(thresholdKeys()))
	}
}

// Each capacity and alarm setting at its edge, and beyond it.
func TestCapacitySettingsAtTheEdge(t *testing.T) {
	rec := func(key string, v any) map[string]any {
		return map[string]any{"recommendedAlarms": map[string]any{key: v}}
	}
	cases := []edgeCase{
		{"on-demand takes no shardCount", map[string]any{"streamMode": "ON_DEMAND"}, map[string]any{"streamMode": "ON_DEMAND", "shardCount": 2},
			`shardCount: 2 is set while streamMode is ON_DEMAND; allowed: leave shardCount out for an on-demand stream (AWS sets its shards), or use streamMode PROVISIONED`},
		{"stream modes", map[string]any{"streamMode": "PROVISIONED"}, map[string]any{"streamMode": "on-demand"},
			`streamMode: "on-demand" is not allowed; allowed: PROVISIONED (a fixed number of shards) or ON_DEMAND`},
		{"an autoscaler needs shards", map[string]any{"externalShardScaling": true}, map[string]any{"streamMode": "ON_DEMAND", "externalShardScaling": true},
			`externalShardScaling: true is true while streamMode is ON_DEMAND`},
		{"M of N: M at most N", map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 3}, map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 4},
			`alarmDatapointsToAlarm: 4 is out of range with alarmEvaluationPeriods 3; allowed: a whole number from 1 to alarmEvaluationPeriods`},
		{"M of N: M at least 1", map[string]any{"alarmDatapointsToAlarm": 1}, map[string]any{"alarmDatapointsToAlarm": 0},
			`alarmDatapointsToAlarm: 0 is out of range with alarmEvaluationPeriods 1`},
		{"iterator age: at most the retention", rec("iteratorAgeMilliseconds", 86400000), rec("iteratorAgeMilliseconds", 86400001),
			`recommendedAlarms: {"iteratorAgeMilliseconds":86400001} sets iteratorAgeMilliseconds to 8.6400001e+07; allowed: iteratorAgeMilliseconds: milliseconds, more than 0 and at most the retention (86400000 ms)`},
		{"iterator age: more than 0", rec("iteratorAgeMilliseconds", 1), rec("iteratorAgeMilliseconds", 0), `sets iteratorAgeMilliseconds to 0`},
		{"read throttling: a share below 1", rec("readProvisionedThroughputExceeded", 0.99), rec("readProvisionedThroughputExceeded", 1),
			`sets readProvisionedThroughputExceeded to 1; allowed: readProvisionedThroughputExceeded: a share of GetRecords calls from 0 up to but not including 1`},
		{"write throttling: 0 or more", rec("writeProvisionedThroughputExceeded", 0), rec("writeProvisionedThroughputExceeded", -0.1), `sets writeProvisionedThroughputExceeded to -0.1`},
		{"failed records: whole numbers", rec("putRecordsFailedRecords", 10), rec("putRecordsFailedRecords", 1.5), `sets putRecordsFailedRecords to 1.5`},
		{"GetRecords success: at most 1", rec("getRecordsSuccess", 1), rec("getRecordsSuccess", 1.01), `sets getRecordsSuccess to 1.01`},
		{"PutRecord success: more than 0", rec("putRecordSuccess", 0.01), rec("putRecordSuccess", 0), `sets putRecordSuccess to 0`},
		{"threshold keys", rec("putRecordSuccess", 0.5), rec("iteratorAge", 1000),
			`recommendedAlarms: {"iteratorAge":1000} has the threshold "iteratorAge", which is not one of iteratorAgeMilliseconds, readProvisionedThroughputExceeded`},
		{"thresholds are numbers", rec("putRecordSuccess", 0.5), rec("putRecordSuccess", "0.5"), `has a threshold for putRecordSuccess that is not a number`},
	}
	checkEdges(t, cases)
	// Inside an environment, a shared shardCount meets the environment's mode.
	got := problemsOf(t, map[string]any{"shardCount": 2, EnvironmentsKey: map[string]any{
		"dev": map[string]any{"streamMode": "ON_DEMAND"}, "prod": map[string]any{"region": "eu-west-1"}}})
	if len(got) != 1 || !strings.Contains(got[0], "environments.dev.shardCount: 2 is set while streamMode is ON_DEMAND") {
		t.Errorf("shared shardCount with an on-demand environment: %q", got)
	}
}
