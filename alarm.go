package main

import (
	"fmt"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// The one mapping from an alarms.Alarm to an aws_cloudwatch_metric_alarm.
// Each attribute is written once, in the tables below: its Terraform name,
// its key in the watched alarms' locals, how it is read from the alarm, when
// it is left out, and the field of the bindings' config it sets. The
// resource comes in two forms, which take the same rows:
//
//   - one resource per alarm (alarmResource), for the stack's own stream:
//     each attribute a literal value;
//   - one resource that Terraform iterates (watchedAlarmsResource), for the
//     watched streams: each attribute an expression of the instance's value
//     in local.watch_alarms, or of its kind in local.watch_alarm_kinds (the
//     attributes that alarms share, each set of them once: alarmKinds).
//
// The routing (alarm_actions, ok_actions, insufficient_data_actions) is the
// stack's, the same in both forms: alertActions.route.
//
// A new attribute is one row here, a field of alarms.Alarm, and its readers
// (internal/testkit for the synthesized JSON, backtest.DeployedAlarm for
// what CloudWatch describes); alarms.Diff compares it by itself. Each shape
// of alarm is a table of its own, chosen by attributesOf: an alarm on one
// metric's statistic (oneMetricAttributes), an alarm on a Metrics Insights
// query (queryAttributes: metric_query in place of namespace, metric_name,
// dimensions, statistic and period). Query alarms are resources of their
// own, a handful per stack, never iterated.

// metricAlarmConfig is the bindings' config of an aws_cloudwatch_metric_alarm.
type metricAlarmConfig = cloudwatchmetricalarm.CloudwatchMetricAlarmConfig

// alarmAttribute is one attribute of the resource that the alarm gives.
type alarmAttribute struct {
	// name is the attribute as Terraform names it.
	name string
	// key is its key in the watched alarms' locals: in each alarm's value
	// (local.watch_alarms) when own, otherwise in its kind
	// (local.watch_alarm_kinds).
	key string
	own bool
	// value reads it from the alarm, as the locals' JSON holds it: a
	// string, an alarms.Comparison, an int, a float64 or a
	// map[string]string; or a metricQuery, which only the literal form
	// takes.
	value func(alarms.Alarm) any
	// leftOut, when not nil, says when the attribute is not written; the
	// kinds then lack its key, and the for_each form reads it with
	// lookup(…, null).
	leftOut func(alarms.Alarm) bool
	// set writes the attribute's value, in either form, into the config.
	set func(*metricAlarmConfig, attributeValue)
}

// everyAlarmAttributes are the attributes of every alarm.
var everyAlarmAttributes = []alarmAttribute{
	{name: "alarm_name", key: "name", own: true,
		value: func(a alarms.Alarm) any { return a.Name },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.AlarmName = v.text() }},
	{name: "alarm_description", key: "description",
		value: func(a alarms.Alarm) any { return a.Description },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.AlarmDescription = v.text() }},
	{name: "evaluation_periods", key: "evaluation_periods",
		value: func(a alarms.Alarm) any { return a.EvaluationPeriods },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.EvaluationPeriods = v.number() }},
	{name: "datapoints_to_alarm", key: "datapoints_to_alarm", // M of N; not set: N of N
		value:   func(a alarms.Alarm) any { return a.DatapointsToAlarm },
		leftOut: func(a alarms.Alarm) bool { return a.DatapointsToAlarm == 0 },
		set:     func(c *metricAlarmConfig, v attributeValue) { c.DatapointsToAlarm = v.number() }},
	{name: "threshold", key: "threshold",
		value: func(a alarms.Alarm) any { return a.Threshold },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.Threshold = v.number() }},
	{name: "comparison_operator", key: "comparison",
		value: func(a alarms.Alarm) any { return a.Comparison },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.ComparisonOperator = v.text() }},
	{name: "treat_missing_data", key: "treat_missing_data",
		value: func(a alarms.Alarm) any { return a.TreatMissingData },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.TreatMissingData = v.text() }},
}

// oneMetricAttributes are the attributes of an alarm on one metric's
// statistic.
var oneMetricAttributes = []alarmAttribute{
	{name: "namespace", key: "namespace",
		value: func(a alarms.Alarm) any { return a.Namespace },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.Namespace = v.text() }},
	{name: "metric_name", key: "metric",
		value: func(a alarms.Alarm) any { return a.Metric },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.MetricName = v.text() }},
	{name: "dimensions", key: "dimensions", own: true,
		value: func(a alarms.Alarm) any {
			dimensions := map[string]string{}
			for _, d := range a.Dimensions {
				dimensions[d.Name] = d.Value
			}
			return dimensions
		},
		set: func(c *metricAlarmConfig, v attributeValue) { c.Dimensions = v.dimensions() }},
	{name: "statistic", key: "statistic",
		value: func(a alarms.Alarm) any { return a.Statistic },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.Statistic = v.text() }},
	{name: "period", key: "period",
		value: func(a alarms.Alarm) any { return a.Period },
		set:   func(c *metricAlarmConfig, v attributeValue) { c.Period = v.number() }},
}

// queryAttributes are the attributes of an alarm on a Metrics Insights
// query: one metric_query, the query whose every series is a contributor
// (alarms.Alarm.Expression), over periods of the alarm's period, returning
// its data (the alarm evaluates it).
var queryAttributes = []alarmAttribute{
	{name: "metric_query", key: "metric_query",
		value: func(a alarms.Alarm) any {
			return metricQuery{id: queryID, expression: a.MustExpression(), period: a.Period}
		},
		set: func(c *metricAlarmConfig, v attributeValue) { c.MetricQuery = v.metricQuery() }},
}

// queryID names the query within its alarm (MetricDataQuery.Id): a
// lowercase letter first, as CloudWatch wants.
const queryID = "q1"

// metricQuery is the metric_query of a query alarm.
type metricQuery struct {
	id, expression string
	period         int
}

// metricAlarmAttributes are the attributes of an alarm on one metric's
// statistic, as every alarm of alarms.ForStream is.
var metricAlarmAttributes = slices.Concat(everyAlarmAttributes, oneMetricAttributes)

// queryAlarmAttributes are the attributes of an alarm on a Metrics
// Insights query, as every alarm of alarms.ForEstate is.
var queryAlarmAttributes = slices.Concat(everyAlarmAttributes, queryAttributes)

// attributesOf are the attributes of the alarm's resource: those of every
// alarm and those of its shape (one metric's statistic, or a query).
func attributesOf(a alarms.Alarm) []alarmAttribute {
	if a.IsQuery() {
		return queryAlarmAttributes
	}
	return metricAlarmAttributes
}

// written says whether the attribute is written for the alarm.
func (attr alarmAttribute) written(a alarms.Alarm) bool {
	return attr.leftOut == nil || !attr.leftOut(a)
}

// expression is how the for_each form reads the attribute of an instance.
func (attr alarmAttribute) expression() string {
	switch {
	case attr.own:
		return "${each.value." + attr.key + "}"
	case attr.leftOut != nil:
		return `${lookup(local.watch_alarm_kinds[each.value.kind], "` + attr.key + `", null)}`
	}
	return "${local.watch_alarm_kinds[each.value.kind]." + attr.key + "}"
}

// attributeValue is an attribute's value in one form of the resource: a
// literal, or the expression of an instance of the for_each resource.
type attributeValue struct {
	literal    any
	expression string
	// stream, when not nil, is what the StreamName dimension is written
	// as: a reference to the stream, so Terraform orders the alarm after
	// the stream it watches.
	stream *string
}

func (v attributeValue) text() *string {
	if v.expression != "" {
		return jsii.String(v.expression)
	}
	switch s := v.literal.(type) {
	case string:
		return jsii.String(s)
	case alarms.Comparison:
		return jsii.String(string(s))
	}
	panic(fmt.Sprintf("alarm attribute: %T is not text", v.literal)) // a defect of the tables
}

func (v attributeValue) number() *float64 {
	if v.expression != "" {
		return cdktf.Token_AsNumber(jsii.String(v.expression))
	}
	switch n := v.literal.(type) {
	case int:
		return jsii.Number(n)
	case float64:
		return jsii.Number(n)
	}
	panic(fmt.Sprintf("alarm attribute: %T is not a number", v.literal))
}

func (v attributeValue) dimensions() *map[string]*string {
	if v.expression != "" {
		return cdktf.Token_AsStringMap(jsii.String(v.expression), nil)
	}
	out := map[string]*string{}
	for name, value := range v.literal.(map[string]string) {
		out[name] = jsii.String(value)
		if name == "StreamName" && v.stream != nil {
			out[name] = v.stream
		}
	}
	return &out
}

func (v attributeValue) metricQuery() *[]*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery {
	q, ok := v.literal.(metricQuery)
	if !ok || v.expression != "" {
		panic("alarm attribute: metric_query is written as a literal only: query alarms are resources of their own")
	}
	return &[]*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{{
		Id: jsii.String(q.id), Expression: jsii.String(q.expression), Period: jsii.Number(q.period), ReturnData: jsii.Bool(true),
	}}
}

// alarmResource is the alarm's own resource (aws_cloudwatch_metric_alarm.<ID>),
// each attribute its literal value and the StreamName dimension written as
// streamName (nil for a query alarm, which has no dimensions), routed to
// the alert actions.
func alarmResource(stack cdktf.TerraformStack, a alarms.Alarm, streamName *string, routing alertActions) cloudwatchmetricalarm.CloudwatchMetricAlarm {
	c := &metricAlarmConfig{}
	for _, attr := range attributesOf(a) {
		if attr.written(a) {
			attr.set(c, attributeValue{literal: attr.value(a), stream: streamName})
		}
	}
	routing.route(c)
	return cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String(a.ID), c)
}

// watchedAlarmsResource is the resource of the watched alarms, which
// Terraform iterates over the local watch_alarms (it: each instance's value
// from alarmKinds.value), routed to the alert actions.
func watchedAlarmsResource(stack cdktf.TerraformStack, it cdktf.TerraformIterator, routing alertActions) cloudwatchmetricalarm.CloudwatchMetricAlarm {
	c := &metricAlarmConfig{ForEach: it}
	for _, attr := range metricAlarmAttributes { // the watched alarms are alarms on one metric
		attr.set(c, attributeValue{expression: attr.expression()})
	}
	routing.route(c)
	return cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String("watched_alarm"), c)
}

// route sends the alarm's notifications to the alert actions: ALARM and OK
// to the topic, INSUFFICIENT_DATA too with alarmOnInsufficientData (none
// without a topic).
func (r alertActions) route(c *metricAlarmConfig) {
	c.AlarmActions = r.alarmAndOK
	c.OkActions = r.alarmAndOK
	c.InsufficientDataActions = r.insufficientData
}

// alarmKinds gathers the attributes the watched alarms share (all but their
// own: the name and the dimensions) into kinds, each once, numbered in the
// order they first appear.
type alarmKinds struct {
	list  map[string]any    // kind → its attributes
	index map[string]string // the attributes as JSON → kind
}

// value is the alarm as the watched alarms' for_each map holds it: its own
// attributes and its kind. An attribute left out is not in the kind.
func (k *alarmKinds) value(a alarms.Alarm) map[string]any {
	own := map[string]any{}
	shared := map[string]any{}
	for _, attr := range metricAlarmAttributes {
		switch {
		case !attr.written(a):
		case attr.own:
			own[attr.key] = attr.value(a)
		default:
			shared[attr.key] = attr.value(a)
		}
	}
	key := string(mustJSON(shared))
	id, seen := k.index[key]
	if !seen {
		if k.list == nil {
			k.list = map[string]any{}
		}
		id = fmt.Sprint(len(k.index) + 1)
		k.index[key] = id
		k.list[id] = shared
	}
	own["kind"] = id
	return own
}
