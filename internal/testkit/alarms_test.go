package testkit

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// query is a query alarm's, as the stack writes it.
const query = `SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) WHERE StreamName != 's' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`

// stackJSON is a stack with both forms of the alarm resource and both
// shapes of alarm: one of its own stream's, one iterated over two watched
// alarms of one kind (which sets no datapoints_to_alarm), and a query
// alarm.
func stackJSON(t *testing.T) map[string]any {
	t.Helper()
	local := func(v any) string {
		data, _ := json.Marshal(v)
		return "${jsondecode(" + strconv.Quote(string(data)) + ")}"
	}
	kind := "local.watch_alarm_kinds[each.value.kind]"
	doc := map[string]any{
		"locals": map[string]any{
			"watch_alarms": local(map[string]any{
				"a/write": map[string]any{"name": "a-write", "dimensions": map[string]string{"StreamName": "a"}, "kind": "1"},
				"b/write": map[string]any{"name": "b-write", "dimensions": map[string]string{"StreamName": "b"}, "kind": "1"},
			}),
			"watch_alarm_kinds": local(map[string]any{"1": map[string]any{
				"description": "Triggers", "namespace": "AWS/Kinesis", "metric": "WriteProvisionedThroughputExceeded",
				"statistic": "Sum", "period": 60, "evaluation_periods": 1, "threshold": 1,
				"comparison": "GreaterThanThreshold", "treat_missing_data": "notBreaching",
			}}),
		},
		"resource": map[string]any{
			"aws_kinesis_stream": map[string]any{"stream": map[string]any{"name": "s"}},
			alarmType: map[string]any{
				"write_throttle_alarm": map[string]any{
					"//": map[string]any{}, "alarm_name": "s-write", "alarm_description": "Triggers",
					"namespace": "AWS/Kinesis", "metric_name": "WriteProvisionedThroughputExceeded",
					"dimensions": map[string]any{"StreamName": "${aws_kinesis_stream.stream.name}", "ConsumerName": "c"},
					"statistic":  "Sum", "period": 60.0, "evaluation_periods": 3.0, "datapoints_to_alarm": 2.0, "threshold": 0.5,
					"comparison_operator": "GreaterThanThreshold", "treat_missing_data": "notBreaching",
					"alarm_actions": []any{"arn:aws:sns:us-east-1:123456789012:t"},
				},
				"all_streams_write_throttle_alarm": map[string]any{
					"alarm_name": "k/all-streams/write-throttled", "alarm_description": "Covers every stream",
					"metric_query":       []any{map[string]any{"id": "q1", "period": 60, "return_data": true, "expression": query}},
					"evaluation_periods": 1, "threshold": 1, "comparison_operator": "GreaterThanThreshold", "treat_missing_data": "notBreaching",
				},
				"watched": map[string]any{
					"for_each": "${local.watch_alarms}", "alarm_name": "${each.value.name}", "dimensions": "${each.value.dimensions}",
					"alarm_description": "${" + kind + ".description}", "namespace": "${" + kind + ".namespace}",
					"metric_name": "${" + kind + ".metric}", "statistic": "${" + kind + ".statistic}",
					"period": "${" + kind + ".period}", "evaluation_periods": "${" + kind + ".evaluation_periods}",
					"datapoints_to_alarm": `${lookup(` + kind + `, "datapoints_to_alarm", null)}`,
					"threshold":           "${" + kind + ".threshold}", "comparison_operator": "${" + kind + ".comparison}",
					"treat_missing_data": "${" + kind + ".treat_missing_data}",
					"alarm_actions":      []any{"arn:aws:sns:us-east-1:123456789012:t"},
				},
			},
		},
	}
	// As the stack file holds it: through JSON.
	data, _ := json.Marshal(doc)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSynthesizedAlarms(t *testing.T) {
	watched := func(stream string) alarms.Alarm {
		return alarms.Alarm{
			ID: stream + "/write", Name: stream + "-write", Description: "Triggers", Namespace: "AWS/Kinesis",
			Metric: "WriteProvisionedThroughputExceeded", Dimensions: []alarms.Dimension{{Name: "StreamName", Value: stream}},
			Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
			Comparison: alarms.GreaterThanThreshold, TreatMissingData: "notBreaching",
		}
	}
	want := map[string]alarms.Alarm{
		"write_throttle_alarm": {
			ID: "write_throttle_alarm", Name: "s-write", Description: "Triggers", Namespace: "AWS/Kinesis",
			Metric: "WriteProvisionedThroughputExceeded",
			// In the order of their names; the stream's reference resolved.
			Dimensions: []alarms.Dimension{{Name: "ConsumerName", Value: "c"}, {Name: "StreamName", Value: "s"}},
			Statistic:  "Sum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 0.5,
			Comparison: alarms.GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
		"a/write": watched("a"),
		"b/write": watched("b"),
		"all_streams_write_throttle_alarm": {
			ID: "all_streams_write_throttle_alarm", Name: "k/all-streams/write-throttled", Description: "Covers every stream",
			Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
			Comparison: alarms.GreaterThanThreshold, TreatMissingData: "notBreaching",
			Query: &alarms.Query{GroupBy: []string{"StreamName"}, Exclude: []string{"s"}},
		},
	}
	got, err := SynthesizedAlarms(stackJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SynthesizedAlarms (-want +got):\n%s", diff)
	}
}

// What the reader cannot read is an error that names the resource and the
// attribute, never a value read wrong.
func TestSynthesizedAlarmsRefusals(t *testing.T) {
	own := func(doc map[string]any) map[string]any {
		return dig(doc, "resource", alarmType, "write_throttle_alarm").(map[string]any)
	}
	watched := func(doc map[string]any) map[string]any {
		return dig(doc, "resource", alarmType, "watched").(map[string]any)
	}
	queryOf := func(doc map[string]any) map[string]any {
		return dig(doc, "resource", alarmType, "all_streams_write_throttle_alarm").(map[string]any)
	}
	queryField := func(doc map[string]any) map[string]any {
		return queryOf(doc)["metric_query"].([]any)[0].(map[string]any)
	}
	cases := []struct {
		name   string
		change func(doc map[string]any)
		want   string
	}{
		{"an attribute it does not know", func(d map[string]any) { own(d)["unit"] = "Count" },
			"aws_cloudwatch_metric_alarm.write_throttle_alarm: attribute unit: not one the reader knows"},
		{"a reference to something else", func(d map[string]any) { own(d)["alarm_name"] = "${aws_kinesis_stream.stream.arn}" },
			"attribute alarm_name: ${aws_kinesis_stream.stream.arn}: a reference the reader cannot resolve"},
		{"a stream that is not in the stack", func(d map[string]any) {
			delete(dig(d, "resource", "aws_kinesis_stream").(map[string]any), "stream")
		}, "attribute dimensions: ${aws_kinesis_stream.stream.name}: a reference the reader cannot resolve"},
		{"a period of 1.5", func(d map[string]any) { own(d)["period"] = 1.5 }, "attribute period: 1.5 is not a whole number"},
		{"a number as text", func(d map[string]any) { own(d)["threshold"] = "1" }, "attribute threshold: 1 is not a number"},
		{"a for_each over something else", func(d map[string]any) { watched(d)["for_each"] = "${var.alarms}" },
			"aws_cloudwatch_metric_alarm.watched: for_each = ${var.alarms}: not a local"},
		{"a kind's field that is not there", func(d map[string]any) { watched(d)["threshold"] = "${local.watch_alarm_kinds[each.value.kind].limit}" },
			"threshold = ${local.watch_alarm_kinds[each.value.kind].limit}: local.watch_alarm_kinds[1] has no limit"},
		{"an expression of something else", func(d map[string]any) { watched(d)["statistic"] = "${each.key}" },
			"attribute statistic: ${each.key}: a reference the reader cannot resolve"},
		{"two queries", func(d map[string]any) {
			q := queryOf(d)
			q["metric_query"] = append(q["metric_query"].([]any), map[string]any{"id": "q2"})
		},
			"is not one query: the stack's query alarms have exactly one"},
		{"a query that returns no data", func(d map[string]any) { queryField(d)["return_data"] = false }, "attribute metric_query: return_data is false"},
		{"a query with a label", func(d map[string]any) { queryField(d)["label"] = "x" }, "attribute metric_query: label: not a field of the stack's query"},
		{"a query without an id", func(d map[string]any) { delete(queryField(d), "id") }, "attribute metric_query: the query has no id"},
		{"a metric as well as a query", func(d map[string]any) { queryOf(d)["namespace"] = "AWS/Kinesis" }, "the alarm names a metric as well as a query"},
		{"a query the stack does not write", func(d map[string]any) {
			queryField(d)["expression"] = strings.Replace(query, "LIMIT 500", "LIMIT 10", 1)
		},
			"attribute metric_query: the query's LIMIT is 10, not 500"},
		{"a query ordered against its comparison", func(d map[string]any) { queryOf(d)["comparison_operator"] = "LessThanThreshold" },
			"attribute metric_query: the query orders DESC while the alarm breaches below the threshold"},
		{"a local that is not JSON", func(d map[string]any) { dig(d, "locals").(map[string]any)["watch_alarm_kinds"] = "${{a = 1}}" },
			"local watch_alarm_kinds is not jsondecode of a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := stackJSON(t)
			c.change(doc)
			_, err := SynthesizedAlarms(doc)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("SynthesizedAlarms: %v, want an error that says %q", err, c.want)
			}
		})
	}
}
