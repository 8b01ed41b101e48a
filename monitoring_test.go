package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// alarmsMatch compares a stack's alarms with the values: the resources of
// its own stream's alarms by name, and the instances of the watched alarms'
// resource (aws_cloudwatch_metric_alarm.watched, for_each) by key.
func alarmsMatch(doc map[string]any, values []alarms.Alarm) error {
	instances, err := alarmInstances(doc)
	if err != nil {
		return err
	}
	var ids []string
	for _, a := range values {
		ids = append(ids, a.ID)
	}
	if got := slices.Sorted(maps.Keys(instances)); !cmp.Equal(got, slices.Sorted(slices.Values(ids))) {
		return fmt.Errorf("alarms %v, want the values' %v", got, ids)
	}
	streamName, _ := lookup(doc, "resource", streamType, "stream", "name")
	for _, a := range values {
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
			"comparison_operator": string(a.Comparison), "treat_missing_data": a.TreatMissingData,
		}
		if a.DatapointsToAlarm != 0 {
			want["datapoints_to_alarm"] = float64(a.DatapointsToAlarm)
		}
		if diff := cmp.Diff(want, instances[a.ID]); diff != "" {
			return fmt.Errorf("alarm %s (-value +synthesized):\n%s", a.ID, diff)
		}
	}
	return nil
}

// alarmInstances are the stack's alarms, each with its attributes but the
// routing (which is the stack's, not the value's): the resources by name,
// and, for the watched alarms' resource, each instance by its for_each key,
// its attributes read from the locals the way Terraform reads them.
func alarmInstances(doc map[string]any) (map[string]map[string]any, error) {
	resources, _ := lookup(doc, "resource", alarmType)
	all, _ := resources.(map[string]any)
	out := map[string]map[string]any{}
	for id, r := range all {
		attributes := maps.Clone(r.(map[string]any))
		for _, k := range []string{"alarm_actions", "ok_actions", "insufficient_data_actions", "//"} {
			delete(attributes, k)
		}
		if id != "watched" {
			out[id] = attributes
			continue
		}
		if attributes["for_each"] != "${local.watch_alarms}" {
			return nil, fmt.Errorf("the watched alarms iterate %v, want local.watch_alarms", attributes["for_each"])
		}
		delete(attributes, "for_each")
		var values map[string]map[string]any
		var kinds map[string]map[string]any
		if err := decodeLocal(doc, "watch_alarms", &values); err != nil {
			return nil, err
		}
		if err := decodeLocal(doc, "watch_alarm_kinds", &kinds); err != nil {
			return nil, err
		}
		for key, value := range values {
			instance := map[string]any{}
			for attribute, expression := range attributes {
				text, _ := expression.(string)
				switch m := instanceExpression.FindStringSubmatch(text); {
				case m == nil:
					return nil, fmt.Errorf("watched alarm attribute %s = %v: not an expression of the instance's value", attribute, expression)
				case m[1] != "":
					instance[attribute] = value[m[1]]
				case m[2] != "":
					instance[attribute] = kinds[fmt.Sprint(value["kind"])][m[2]]
				default:
					if v, set := kinds[fmt.Sprint(value["kind"])][m[3]]; set {
						instance[attribute] = v
					}
				}
			}
			out[key] = instance
		}
	}
	return out, nil
}

// instanceExpression reads an attribute of the watched alarms: a field of
// the instance's value, a field of its kind, or an optional field of its
// kind.
var instanceExpression = regexp.MustCompile(`^\$\{(?:each\.value\.(\w+)|local\.watch_alarm_kinds\[each\.value\.kind\]\.(\w+)|lookup\(local\.watch_alarm_kinds\[each\.value\.kind\], "(\w+)", null\))\}$`)

// decodeLocal reads a local the stack writes as jsondecode of a JSON text.
func decodeLocal(doc map[string]any, name string, v any) error {
	expression, _ := lookup(doc, "locals", name)
	text, _ := expression.(string)
	inner, ok := strings.CutPrefix(text, "${jsondecode(")
	inner, ok2 := strings.CutSuffix(inner, ")}")
	if !ok || !ok2 {
		return fmt.Errorf("local %s is not jsondecode of a string: %.80s", name, text)
	}
	literal, err := strconv.Unquote(strings.NewReplacer("$${", "${", "%%{", "%{").Replace(inner))
	if err != nil {
		return fmt.Errorf("local %s: %v", name, err)
	}
	return json.Unmarshal([]byte(literal), v)
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
	// And for the watched streams' alarms: an attribute read from the wrong
	// field, a kind that differs from the value.
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
