// Package dashboard builds the body of a CloudWatch dashboard for one Kinesis
// data stream from typed structs with encoding/json (standard library only).
package dashboard

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// Input describes the stream a CloudWatch dashboard is built for.
// StreamName and AlarmARNs may be Terraform interpolations such as
// "${aws_kinesis_stream.stream.name}"; they are copied into the body verbatim.
type Input struct {
	StreamName string
	Region     string
	ShardCount int // provisioned shards; 0 when the capacity is not fixed
	// VariableCapacity, with ShardCount 0, says why there is no capacity to
	// draw (an on-demand stream, shards an autoscaler sets); it ends the
	// throughput graphs' titles.
	VariableCapacity string
	PeriodSeconds    int // 0 means 60 seconds
	AlarmARNs        []string
}

// Limits and constants of the dashboard body.
const (
	// defaultPeriod is the metric period used when PeriodSeconds is 0.
	defaultPeriod = 60
	// maxShardCount keeps the capacity lines exact in JSON numbers
	// (float64); it is the same bound the shardCount setting has.
	maxShardCount = math.MaxInt32
	// maxAlarms is how many ARNs one alarm status widget takes.
	maxAlarms = 100
	// columns is the width of the CloudWatch dashboard grid.
	columns = 24
)

// Body returns the dashboard_body of an aws_cloudwatch_dashboard for one
// Kinesis stream: compact JSON, byte-identical for equal input. Widgets, in
// order: incoming bytes/s and records/s (against the provisioned write
// capacity; an on-demand stream has none to draw), throttled writes and
// reads, consumer lag (iterator age), and, when AlarmARNs is not empty, the
// alarms' status.
//
// Interpolations are written verbatim as long as they contain no '"' or '\'
// (which JSON must escape).
func Body(in Input) (string, error) {
	if err := in.validate(); err != nil {
		return "", err
	}
	body := build(in)
	data, err := jsontext.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("dashboard: encoding the body: %w", err)
	}
	return string(data), nil
}

func (in Input) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("dashboard: "+format, args...))
	}
	if strings.TrimSpace(in.StreamName) == "" {
		bad("StreamName %q is empty; the stream name (or an interpolation of it) is required", in.StreamName)
	}
	if strings.TrimSpace(in.Region) == "" {
		bad("Region %q is empty; an AWS region such as us-east-1 is required", in.Region)
	}
	switch {
	case in.VariableCapacity != "" && in.ShardCount != 0:
		bad("ShardCount %d is set with VariableCapacity %q; it must be 0 when the capacity is not fixed", in.ShardCount, in.VariableCapacity)
	case in.VariableCapacity == "" && (in.ShardCount < 1 || in.ShardCount > maxShardCount):
		bad("ShardCount %d is out of range; it must be from 1 to %d", in.ShardCount, maxShardCount)
	}
	// Kinesis stream metrics have 1-minute resolution: a shorter period would
	// make PERIOD(m1) smaller than the interval the Sum covers and overstate
	// the per-second rates.
	if in.PeriodSeconds != 0 && (in.PeriodSeconds < 60 || in.PeriodSeconds%60 != 0 || in.PeriodSeconds > math.MaxInt32) {
		bad("PeriodSeconds %d is invalid; it must be 0 (for %d) or a positive multiple of 60", in.PeriodSeconds, defaultPeriod)
	}
	if len(in.AlarmARNs) > maxAlarms {
		bad("AlarmARNs has %d entries; an alarm status widget takes at most %d", len(in.AlarmARNs), maxAlarms)
	}
	for i, arn := range in.AlarmARNs {
		if strings.TrimSpace(arn) == "" {
			bad("AlarmARNs[%d] %q is empty; every entry must be an alarm ARN", i, arn)
		}
	}
	return errors.Join(errs...)
}

// The types below mirror the CloudWatch dashboard body structure
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
// Field order is the key order of the JSON.

type body struct {
	Widgets []widget `json:"widgets"`
}

type widget struct {
	Type       string           `json:"type"`
	X          int              `json:"x"`
	Y          int              `json:"y"`
	Width      int              `json:"width"`
	Height     int              `json:"height"`
	Properties widgetProperties `json:"properties"`
}

// widgetProperties is the properties object of one widget type.
type widgetProperties interface {
	widgetType() string
}

type metricProperties struct {
	Title       string       `json:"title"`
	View        string       `json:"view"`
	Stacked     bool         `json:"stacked"`
	Region      string       `json:"region"`
	Period      int          `json:"period"`
	Stat        string       `json:"stat"`
	Metrics     []metricRow  `json:"metrics"`
	Annotations *annotations `json:"annotations,omitempty"`
	YAxis       *yAxes       `json:"yAxis,omitempty"`
}

func (*metricProperties) widgetType() string { return "metric" }

type alarmProperties struct {
	Title  string   `json:"title"`
	Alarms []string `json:"alarms"`
}

func (*alarmProperties) widgetType() string { return "alarm" }

type annotations struct {
	Horizontal []horizontalAnnotation `json:"horizontal"`
}

type horizontalAnnotation struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

type yAxes struct {
	Left yAxis `json:"left"`
}

type yAxis struct {
	Min       float64 `json:"min"`
	Label     string  `json:"label"`
	ShowUnits bool    `json:"showUnits"`
}

// metricRow is one element of a metric widget's "metrics" array: either a
// metric, [Namespace, MetricName, DimName, DimValue, …, {options}], or a math
// expression, [{options with "expression"}].
type metricRow struct {
	Namespace  string
	MetricName string
	Dimensions []dimension
	Options    metricOptions
}

type dimension struct {
	Name, Value string
}

// metricOptions is the rendering-properties object ending a metrics row.
type metricOptions struct {
	Expression string `json:"expression,omitempty"`
	Stat       string `json:"stat,omitempty"`
	Label      string `json:"label,omitempty"`
	ID         string `json:"id,omitempty"`
	Visible    *bool  `json:"visible,omitempty"`
}

// MarshalJSON writes the row as the heterogeneous JSON array CloudWatch
// expects: the strings first, then the options object.
func (r metricRow) MarshalJSON() ([]byte, error) {
	isExpression := r.Options.Expression != ""
	switch {
	case isExpression && (r.Namespace != "" || r.MetricName != "" || len(r.Dimensions) > 0):
		return nil, fmt.Errorf("metrics row %q: an expression row has no namespace, metric or dimensions", r.Options.Expression)
	case !isExpression && (r.Namespace == "" || r.MetricName == ""):
		return nil, fmt.Errorf("metrics row %q/%q: a metric row needs a namespace and a metric name", r.Namespace, r.MetricName)
	}
	elems := make([]any, 0, 3+2*len(r.Dimensions))
	if !isExpression {
		elems = append(elems, r.Namespace, r.MetricName)
		for _, d := range r.Dimensions {
			elems = append(elems, d.Name, d.Value)
		}
	}
	elems = append(elems, r.Options)
	return jsontext.Marshal(elems)
}

// Layout: four 12×6 graphs in a 2×2 grid, then the alarm status full width.
const (
	graphWidth  = columns / 2
	graphHeight = 6
)

func build(in Input) body {
	period := in.PeriodSeconds
	if period == 0 {
		period = defaultPeriod
	}
	stream := []dimension{{Name: "StreamName", Value: in.StreamName}}
	graph := func(title, stat string, metrics []metricRow, ann *annotations, axisLabel string) *metricProperties {
		return &metricProperties{
			Title:       title,
			View:        "timeSeries",
			Region:      in.Region,
			Period:      period,
			Stat:        stat,
			Metrics:     metrics,
			Annotations: ann,
			YAxis:       &yAxes{Left: yAxis{Min: 0, Label: axisLabel}},
		}
	}
	metric := func(name, stat, label string) metricRow {
		return metricRow{Namespace: kinesis.Namespace, MetricName: name, Dimensions: stream,
			Options: metricOptions{Stat: stat, Label: label}}
	}
	// perSecond is the raw Sum per period (id m1, hidden) and, shown in its
	// place, m1/PERIOD(m1): the average rate per second over each period.
	perSecond := func(name, label string) []metricRow {
		hidden := false
		raw := metric(name, "Sum", name+" (Sum per period)")
		raw.Options.ID = "m1"
		raw.Options.Visible = &hidden
		return []metricRow{
			raw,
			{Options: metricOptions{Expression: "m1/PERIOD(m1)", Label: label, ID: "e1"}},
		}
	}
	versus := " vs. provisioned capacity"
	if in.VariableCapacity != "" {
		versus = " (" + in.VariableCapacity + ")"
	}
	shards := "1 shard"
	if in.ShardCount != 1 {
		shards = fmt.Sprintf("%d shards", in.ShardCount)
	}
	capacity := func(label string, perShard int) *annotations {
		if in.VariableCapacity != "" {
			return nil // no fixed capacity to draw
		}
		return &annotations{Horizontal: []horizontalAnnotation{{
			Label: label,
			Value: float64(int64(in.ShardCount) * int64(perShard)),
		}}}
	}

	graphs := []*metricProperties{
		graph("Incoming bytes per second"+versus, "Sum",
			perSecond("IncomingBytes", "Incoming bytes/s"),
			capacity("Write capacity: "+shards+" × 1 MiB/s", kinesis.ShardWriteBytesPerSecond), "Bytes/s"),
		graph("Incoming records per second"+versus, "Sum",
			perSecond("IncomingRecords", "Incoming records/s"),
			capacity("Write capacity: "+shards+" × 1,000 records/s", kinesis.ShardWriteRecordsPerSecond), "Records/s"),
		graph("Throttled writes and reads", "Sum", []metricRow{
			metric("WriteProvisionedThroughputExceeded", "Sum", "Throttled write records"),
			metric("ReadProvisionedThroughputExceeded", "Sum", "Throttled GetRecords calls"),
		}, nil, "Count per period"),
		graph("Consumer lag (iterator age)", "Maximum", []metricRow{
			metric("GetRecords.IteratorAgeMilliseconds", "Maximum", "Maximum iterator age"),
		}, nil, "Milliseconds"),
	}

	var d body
	for i, p := range graphs {
		d.Widgets = append(d.Widgets, widget{
			X: (i % 2) * graphWidth, Y: (i / 2) * graphHeight,
			Width: graphWidth, Height: graphHeight,
			Properties: p,
		})
	}
	if len(in.AlarmARNs) > 0 {
		d.Widgets = append(d.Widgets, widget{
			X: 0, Y: 2 * graphHeight,
			Width: columns, Height: alarmWidgetHeight(len(in.AlarmARNs)),
			Properties: &alarmProperties{
				Title:  "Alarm status",
				Alarms: append([]string(nil), in.AlarmARNs...),
			},
		})
	}
	for i := range d.Widgets {
		d.Widgets[i].Type = d.Widgets[i].Properties.widgetType()
	}
	return d
}

// alarmWidgetHeight gives a full-width alarm status widget one row of
// height per six alarms, on top of its title (3 for up to six alarms).
func alarmWidgetHeight(alarms int) int {
	return 2 + (alarms+5)/6
}
