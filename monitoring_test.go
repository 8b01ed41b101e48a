package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
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

// alarmsMatch compares a stack's alarms, read back from its JSON
// (testkit.SynthesizedAlarms: the resources of its own stream's alarms by
// name, the instances of the watched alarms' for_each resource by key), with
// the values, attribute for attribute (alarms.Diff); and the alarms of the
// stack's own stream name it by reference, so that Terraform orders them
// after it.
func alarmsMatch(doc map[string]any, values []alarms.Alarm) error {
	synthesized, err := testkit.SynthesizedAlarms(doc)
	if err != nil {
		return err
	}
	var ids []string
	for _, a := range values {
		ids = append(ids, a.ID)
	}
	if got := slices.Sorted(maps.Keys(synthesized)); !cmp.Equal(got, slices.Sorted(slices.Values(ids))) {
		return fmt.Errorf("alarms %v, want the values' %v", got, ids)
	}
	var errs []string
	for _, a := range values {
		for _, d := range alarms.Diff(synthesized[a.ID], a) {
			errs = append(errs, fmt.Sprintf("alarm %s: synthesized %s", a.ID, d))
		}
	}
	streamName, _ := lookup(doc, "resource", streamType, "stream", "name")
	resources, _ := lookup(doc, "resource", alarmType)
	own, _ := resources.(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(own)) {
		if dimension, _ := lookup(own[id], "dimensions", "StreamName"); streamName != nil && dimension == streamName {
			errs = append(errs, fmt.Sprintf("alarm %s names the stream %v, not ${aws_kinesis_stream.stream.name}: Terraform would not order it after the stream", id, streamName))
		}
	}
	return joinErrors(errs)
}

// The comparison can fail: a resource that differs from its value in one
// attribute, a resource without a value, an attribute that no value has.
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
		{"an attribute the values do not have", func(d map[string]any) error { return alarmsMatch(d, values) }, func(d map[string]any) {
			mustMap(d, "resource", alarmType, alarms.WriteThrottleID)["unit"] = "Count"
		}},
	})
	// And for the watched streams' alarms: an attribute read from the wrong
	// field, a kind that differs from the value, a kind that lacks one.
	w := synth(t, watchOnly)
	watched := configOf(t, watchOnly).Alarms()
	runMutations(t, w.Doc, []mutation{
		{"a watched alarm's threshold read from another field", func(d map[string]any) error { return alarmsMatch(d, watched) }, func(d map[string]any) {
			mustMap(d, "resource", alarmType, "watched")["threshold"] = "${local.watch_alarm_kinds[each.value.kind].period}"
		}},
		{"a kind with another description", func(d map[string]any) error { return alarmsMatch(d, watched) }, func(d map[string]any) {
			locals := mustMap(d, "locals")
			locals["watch_alarm_kinds"] = strings.Replace(locals["watch_alarm_kinds"].(string), "Triggers when", "Fires when", 1)
		}},
		{"a kind without its threshold", func(d map[string]any) error { return alarmsMatch(d, watched) }, func(d map[string]any) {
			locals := mustMap(d, "locals")
			locals["watch_alarm_kinds"] = strings.Replace(locals["watch_alarm_kinds"].(string), `\"threshold\":`, `\"limit\":`, 1)
		}},
	})
	// And for the query alarms: a query that leaves out another stream,
	// one over streams in place of consumers, a query's period.
	q := synth(t, watchAll)
	queries := configOf(t, watchAll).Alarms()
	query := func(d map[string]any, id string) map[string]any {
		return mustMap(d, "resource", alarmType, id)["metric_query"].([]any)[0].(map[string]any)
	}
	runMutations(t, q.Doc, []mutation{
		{"a query alarm that leaves out another stream", func(d map[string]any) error { return alarmsMatch(d, queries) }, func(d map[string]any) {
			q := query(d, "all_streams_write_throttle_alarm")
			q["expression"] = strings.Replace(q["expression"].(string), "'payments'", "'orders'", 1)
		}},
		{"a consumer alarm over streams", func(d map[string]any) error { return alarmsMatch(d, queries) }, func(d map[string]any) {
			q := query(d, "all_consumers_millis_behind_latest")
			q["expression"] = strings.NewReplacer("ConsumerName, ", "").Replace(q["expression"].(string))
		}},
		{"a query's period", func(d map[string]any) error { return alarmsMatch(d, queries) }, func(d map[string]any) {
			query(d, "all_streams_iterator_age_alarm")["period"] = 300
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
