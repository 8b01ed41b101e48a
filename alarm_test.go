package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// Each row of the mapping, of either shape, is one attribute: its set
// writes the bindings' field of the attribute's Terraform name, and no
// other; no two rows share a name or a key in the watched alarms' locals.
func TestAlarmAttributesSetTheFieldOfTheirName(t *testing.T) {
	if problems := attributeProblems(slices.Concat(everyAlarmAttributes, oneMetricAttributes, queryAttributes)); len(problems) > 0 {
		t.Errorf("the mapping:\n%s", strings.Join(problems, "\n"))
	}
	// The check can fail: a row that sets another field, a row that
	// repeats another's name or key.
	byName := func(name string) alarmAttribute {
		return metricAlarmAttributes[slices.IndexFunc(metricAlarmAttributes, func(a alarmAttribute) bool { return a.name == name })]
	}
	wrongField := byName("threshold")
	wrongField.set = func(c *metricAlarmConfig, v attributeValue) { c.Period = v.number() }
	sameKey := byName("period")
	sameKey.key = "threshold"
	queryPeriod := queryAttributes[0]
	queryPeriod.name, queryPeriod.key = "period", "query_period"
	for _, c := range []struct {
		name string
		rows []alarmAttribute
		want []string
	}{
		{"another field", []alarmAttribute{wrongField}, []string{"threshold: sets [period]"}},
		{"a name twice", []alarmAttribute{byName("threshold"), byName("threshold")}, []string{
			"threshold: more than one row", "threshold: its key threshold is another row's too",
			"threshold: more than one row", "threshold: its key threshold is another row's too"}},
		{"a key twice", []alarmAttribute{byName("threshold"), sameKey},
			[]string{"threshold: its key threshold is another row's too", "period: its key threshold is another row's too"}},
		{"a row of each shape with one name", []alarmAttribute{byName("period"), queryPeriod},
			[]string{"period: more than one row", "period: sets [metricQuery]", "period: more than one row"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := attributeProblems(c.rows); !slices.Equal(got, c.want) {
				t.Errorf("attributeProblems: %q, want %q", got, c.want)
			}
		})
	}
}

// attributeProblems checks the rows against the bindings: each row's
// literal, set on an empty config, fills exactly the field whose JSON name
// is the attribute's name in lower camel case, as jsii writes it.
func attributeProblems(rows []alarmAttribute) []string {
	a := alarms.Alarm{
		Name: "n", Description: "d", Namespace: "AWS/Kinesis", Metric: "m", Dimensions: []alarms.Dimension{{Name: "StreamName", Value: "s"}},
		Statistic: "Sum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 1,
		Comparison: alarms.GreaterThanThreshold, TreatMissingData: alarms.MissingDataNotBreaching,
		Query: &alarms.Query{GroupBy: []string{"StreamName"}}, // read by the query's rows only
	}
	names, keys := map[string]int{}, map[string]int{}
	for _, attr := range rows {
		names[attr.name]++
		keys[attr.key]++
	}
	var problems []string
	for _, attr := range rows {
		var c metricAlarmConfig
		attr.set(&c, attributeValue{literal: attr.value(a)})
		if set := setFields(c); !slices.Equal(set, []string{lowerCamel(attr.name)}) {
			problems = append(problems, fmt.Sprintf("%s: sets %v", attr.name, set))
		}
		if names[attr.name] > 1 {
			problems = append(problems, attr.name+": more than one row")
		}
		if keys[attr.key] > 1 {
			problems = append(problems, fmt.Sprintf("%s: its key %s is another row's too", attr.name, attr.key))
		}
	}
	return problems
}

// setFields are the JSON names of the config's fields that are not null.
func setFields(c metricAlarmConfig) []string {
	data, _ := json.Marshal(c)
	var fields map[string]any
	json.Unmarshal(data, &fields)
	var set []string
	for name, v := range fields {
		if v != nil {
			set = append(set, name)
		}
	}
	slices.Sort(set)
	return set
}

// lowerCamel is a Terraform name as jsii names the field: "alarm_name" is
// "alarmName".
func lowerCamel(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}
