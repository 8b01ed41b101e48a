package main

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The stack turns the alarm values into resources and nothing else decides
// an alarm's attributes, and the backtest evaluates those very values: for
// every golden context, each stack's aws_cloudwatch_metric_alarm resources
// are the alarms the backtest takes for that stack, attribute for attribute
// (the StreamName dimension a reference to the stream of that name), in the
// stack's region, and there are no others.
func TestBacktestAlarmsAreTheSynthesizedAlarms(t *testing.T) {
	for _, c := range goldenCases {
		configs, err := config.FromContext(c.context())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		targets, err := backtestTargets(configs, "")
		if err != nil {
			t.Fatal(err)
		}
		s := synth(t, c.context())
		for stack := range c.stacks {
			t.Run(c.name+"/"+stack, func(t *testing.T) {
				doc := parse(t, s.Stacks[stack])
				region := providerRegion(doc)
				var values []alarms.Alarm
				for _, target := range targets {
					if target.Stack != stack {
						continue
					}
					values = append(values, target.Alarm)
					if target.Region != region {
						t.Errorf("alarm %s: region %s, the stack's provider %s", target.Alarm.Name, target.Region, region)
					}
				}
				if err := alarmsMatch(doc, values); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// alarmsMatch compares a stack's alarm resources with the values.
func alarmsMatch(doc map[string]any, values []alarms.Alarm) error {
	resources, _ := lookup(doc, "resource", alarmType)
	all, _ := resources.(map[string]any)
	var ids []string
	for _, a := range values {
		ids = append(ids, a.ID)
	}
	if got := slices.Sorted(maps.Keys(all)); !cmp.Equal(got, slices.Sorted(slices.Values(ids))) {
		return fmt.Errorf("alarm resources %v, want the values' %v", got, ids)
	}
	streamName, _ := lookup(doc, "resource", streamType, "stream", "name")
	for _, a := range values {
		got := all[a.ID].(map[string]any)
		dimensions := map[string]any{}
		for _, d := range a.Dimensions {
			dimensions[d.Name] = d.Value
			if d.Name == "StreamName" && d.Value == streamName {
				dimensions[d.Name] = "${aws_kinesis_stream.stream.name}"
			}
		}
		want := map[string]any{
			"alarm_name": a.Name, "alarm_description": a.Description, "namespace": a.Namespace, "metric_name": a.Metric,
			"dimensions": dimensions, "statistic": a.Statistic, "period": float64(a.Period),
			"evaluation_periods": float64(a.EvaluationPeriods), "threshold": a.Threshold,
			"comparison_operator": a.Comparison, "treat_missing_data": a.TreatMissingData,
		}
		if a.DatapointsToAlarm != 0 {
			want["datapoints_to_alarm"] = float64(a.DatapointsToAlarm)
		}
		// The routing is the stack's, not the value's.
		attributes := maps.Clone(got)
		for _, k := range []string{"alarm_actions", "ok_actions", "insufficient_data_actions", "//"} {
			delete(attributes, k)
		}
		if diff := cmp.Diff(want, attributes); diff != "" {
			return fmt.Errorf("alarm %s (-value +resource):\n%s", a.ID, diff)
		}
	}
	return nil
}

// The comparison can fail: a resource that differs from its value in one
// attribute, and a resource without a value.
func TestAlarmsMatchCanFail(t *testing.T) {
	s := synth(t, production)
	values := configOf(t, production).Alarms()
	runMutations(t, s.Doc, []mutation{
		{"a threshold changed", func(d map[string]any) error { return alarmsMatch(d, values) }, func(d map[string]any) {
			mustMap(d, "resource", alarmType, alarms.RecommendedSet[0].ID)["threshold"] = 1.5
		}},
		{"the dimension a copied name", func(d map[string]any) error { return alarmsMatch(d, values) }, func(d map[string]any) {
			mustMap(d, "resource", alarmType, alarms.WriteThrottleID)["dimensions"] = map[string]any{"StreamName": "xfusion-kinesis-stream"}
		}},
		{"an alarm without a value", func(d map[string]any) error { return alarmsMatch(d, values) }, func(d map[string]any) {
			mustMap(d, "resource", alarmType)["extra"] = map[string]any{"alarm_name": "x"}
		}},
	})
}

// providerRegion is the region of the stack's aws provider.
func providerRegion(doc map[string]any) string {
	providers, _ := lookup(doc, "provider", "aws")
	list, _ := providers.([]any)
	if len(list) != 1 {
		return ""
	}
	region, _ := lookup(list[0], "region")
	s, _ := region.(string)
	return s
}
