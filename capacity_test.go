package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// onDemand: an on-demand stream with the recommended alarms, the dashboard
// and an alert topic.
var onDemand map[string]any

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
	if d, _ := lookup(s.Doc, "resource", alarmType, "write_throttle_alarm", "alarm_description"); d != config.OnDemandAlarmDescription {
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
