// Package dashboard builds the body of a CloudWatch dashboard for one Kinesis
// data stream from typed structs with encoding/json (standard library only).
package dashboard

import (
	"fmt"

	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// Input describes the stream a CloudWatch dashboard is built for, from a
// validated configuration (package config checks the settings it comes
// from). StreamName and AlarmARNs may be Terraform interpolations such as
// "${aws_kinesis_stream.stream.name}"; they are copied into the body verbatim.
type Input struct {
	StreamName string
	Region     string
	ShardCount int // provisioned shards; 0 when the capacity is not fixed
	// VariableCapacity, with ShardCount 0, says why there is no capacity to
	// draw (an on-demand stream, shards an autoscaler sets); it ends the
	// throughput graphs' titles.
	VariableCapacity string
	AlarmARNs        []string
}

// Limits and constants of the dashboard body.
const (
	// period of the graphs: Kinesis stream metrics have one-minute
	// resolution, and PERIOD(m1) turns a Sum per minute into a rate per second.
	period = 60
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
func Body(in Input) string {
	// Strings, whole numbers and rows that are valid by construction: the
	// encoding cannot fail.
	data, _ := jsontext.Marshal(build(in))
	return string(data)
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
	elems := make([]any, 0, 3+2*len(r.Dimensions))
	if r.Options.Expression == "" {
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
