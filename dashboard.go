package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// DashboardInput describes the stream a CloudWatch dashboard is built for.
// StreamName and AlarmARNs may be Terraform interpolations such as
// "${aws_kinesis_stream.stream.name}"; they are copied into the body verbatim.
type DashboardInput struct {
	StreamName    string
	Region        string
	ShardCount    int
	PeriodSeconds int // 0 means 60 seconds
	AlarmARNs     []string
}

// Limits and constants of the dashboard body.
const (
	// dashDefaultPeriod is the metric period used when PeriodSeconds is 0.
	dashDefaultPeriod = 60
	// dashShardWriteBytesPerSecond and dashShardWriteRecordsPerSecond are the write
	// capacity of one provisioned shard: 1 MiB/s and 1,000 records/s.
	dashShardWriteBytesPerSecond   = 1 << 20
	dashShardWriteRecordsPerSecond = 1000
	// dashMaxShardCount keeps the capacity lines exact in JSON numbers
	// (float64); it is the same bound the shardCount setting has.
	dashMaxShardCount = math.MaxInt32
	// dashMaxAlarms is how many ARNs one alarm status widget takes.
	dashMaxAlarms = 100
	// dashColumns is the width of the CloudWatch dashboard grid.
	dashColumns = 24
)

// DashboardBody returns the dashboard_body of an aws_cloudwatch_dashboard
// for one provisioned Kinesis stream: compact JSON, byte-identical for equal
// input. Widgets, in order: incoming bytes/s and records/s against the
// provisioned write capacity, throttled writes and reads, consumer lag
// (iterator age), and, when AlarmARNs is not empty, the alarms' status.
//
// Interpolations are written verbatim as long as they contain no '"' or '\'
// (which JSON must escape).
func DashboardBody(in DashboardInput) (string, error) {
	if err := in.validate(); err != nil {
		return "", err
	}
	body := dashBuild(in)
	data, err := dashEncodeJSON(body)
	if err != nil {
		return "", fmt.Errorf("dashboard: encoding the body: %w", err)
	}
	return string(data), nil
}

func (in DashboardInput) validate() error {
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
	if in.ShardCount < 1 || in.ShardCount > dashMaxShardCount {
		bad("ShardCount %d is out of range; it must be from 1 to %d", in.ShardCount, dashMaxShardCount)
	}
	// Kinesis stream metrics have 1-minute resolution: a shorter period would
	// make PERIOD(m1) smaller than the interval the Sum covers and overstate
	// the per-second rates.
	if in.PeriodSeconds != 0 && (in.PeriodSeconds < 60 || in.PeriodSeconds%60 != 0 || in.PeriodSeconds > math.MaxInt32) {
		bad("PeriodSeconds %d is invalid; it must be 0 (for %d) or a positive multiple of 60", in.PeriodSeconds, dashDefaultPeriod)
	}
	if len(in.AlarmARNs) > dashMaxAlarms {
		bad("AlarmARNs has %d entries; an alarm status widget takes at most %d", len(in.AlarmARNs), dashMaxAlarms)
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

type dashBody struct {
	Widgets []dashWidget `json:"widgets"`
}

type dashWidget struct {
	Type       string               `json:"type"`
	X          int                  `json:"x"`
	Y          int                  `json:"y"`
	Width      int                  `json:"width"`
	Height     int                  `json:"height"`
	Properties dashWidgetProperties `json:"properties"`
}

// dashWidgetProperties is the properties object of one widget type.
type dashWidgetProperties interface {
	dashWidgetType() string
}

type dashMetricProperties struct {
	Title       string           `json:"title"`
	View        string           `json:"view"`
	Stacked     bool             `json:"stacked"`
	Region      string           `json:"region"`
	Period      int              `json:"period"`
	Stat        string           `json:"stat"`
	Metrics     []dashMetricRow  `json:"metrics"`
	Annotations *dashAnnotations `json:"annotations,omitempty"`
	YAxis       *dashYAxes       `json:"yAxis,omitempty"`
}

func (*dashMetricProperties) dashWidgetType() string { return "metric" }

type dashAlarmProperties struct {
	Title  string   `json:"title"`
	Alarms []string `json:"alarms"`
}

func (*dashAlarmProperties) dashWidgetType() string { return "alarm" }

type dashAnnotations struct {
	Horizontal []dashHorizontalAnnotation `json:"horizontal"`
}

type dashHorizontalAnnotation struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

type dashYAxes struct {
	Left dashYAxis `json:"left"`
}

type dashYAxis struct {
	Min       float64 `json:"min"`
	Label     string  `json:"label"`
	ShowUnits bool    `json:"showUnits"`
}

// dashMetricRow is one element of a metric widget's "metrics" array: either a
// metric, [Namespace, MetricName, DimName, DimValue, …, {options}], or a math
// expression, [{options with "expression"}].
type dashMetricRow struct {
	Namespace  string
	MetricName string
	Dimensions []dashDimension
	Options    dashMetricOptions
}

type dashDimension struct {
	Name, Value string
}

// dashMetricOptions is the rendering-properties object ending a metrics row.
type dashMetricOptions struct {
	Expression string `json:"expression,omitempty"`
	Stat       string `json:"stat,omitempty"`
	Label      string `json:"label,omitempty"`
	ID         string `json:"id,omitempty"`
	Visible    *bool  `json:"visible,omitempty"`
}

// MarshalJSON writes the row as the heterogeneous JSON array CloudWatch
// expects: the strings first, then the options object.
func (r dashMetricRow) MarshalJSON() ([]byte, error) {
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
	return dashEncodeJSON(elems)
}

// dashEncodeJSON is json.Marshal without HTML escaping (so "&", "<" and ">" in
// interpolations stay literal) and without the Encoder's trailing newline.
func dashEncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

const dashNamespace = "AWS/Kinesis"

// Layout: four 12×6 graphs in a 2×2 grid, then the alarm status full width.
const (
	dashGraphWidth  = dashColumns / 2
	dashGraphHeight = 6
)

func dashBuild(in DashboardInput) dashBody {
	period := in.PeriodSeconds
	if period == 0 {
		period = dashDefaultPeriod
	}
	stream := []dashDimension{{Name: "StreamName", Value: in.StreamName}}
	graph := func(title, stat string, metrics []dashMetricRow, ann *dashAnnotations, axisLabel string) *dashMetricProperties {
		return &dashMetricProperties{
			Title:       title,
			View:        "timeSeries",
			Region:      in.Region,
			Period:      period,
			Stat:        stat,
			Metrics:     metrics,
			Annotations: ann,
			YAxis:       &dashYAxes{Left: dashYAxis{Min: 0, Label: axisLabel}},
		}
	}
	metric := func(name, stat, label string) dashMetricRow {
		return dashMetricRow{Namespace: dashNamespace, MetricName: name, Dimensions: stream,
			Options: dashMetricOptions{Stat: stat, Label: label}}
	}
	// perSecond is the raw Sum per period (id m1, hidden) and, shown in its
	// place, m1/PERIOD(m1): the average rate per second over each period.
	perSecond := func(name, label string) []dashMetricRow {
		hidden := false
		raw := metric(name, "Sum", name+" (Sum per period)")
		raw.Options.ID = "m1"
		raw.Options.Visible = &hidden
		return []dashMetricRow{
			raw,
			{Options: dashMetricOptions{Expression: "m1/PERIOD(m1)", Label: label, ID: "e1"}},
		}
	}
	shards := "1 shard"
	if in.ShardCount != 1 {
		shards = fmt.Sprintf("%d shards", in.ShardCount)
	}
	capacity := func(label string, perShard int) *dashAnnotations {
		return &dashAnnotations{Horizontal: []dashHorizontalAnnotation{{
			Label: label,
			Value: float64(int64(in.ShardCount) * int64(perShard)),
		}}}
	}

	graphs := []*dashMetricProperties{
		graph("Incoming bytes per second vs. provisioned capacity", "Sum",
			perSecond("IncomingBytes", "Incoming bytes/s"),
			capacity("Write capacity: "+shards+" × 1 MiB/s", dashShardWriteBytesPerSecond), "Bytes/s"),
		graph("Incoming records per second vs. provisioned capacity", "Sum",
			perSecond("IncomingRecords", "Incoming records/s"),
			capacity("Write capacity: "+shards+" × 1,000 records/s", dashShardWriteRecordsPerSecond), "Records/s"),
		graph("Throttled writes and reads", "Sum", []dashMetricRow{
			metric("WriteProvisionedThroughputExceeded", "Sum", "Throttled write records"),
			metric("ReadProvisionedThroughputExceeded", "Sum", "Throttled GetRecords calls"),
		}, nil, "Count per period"),
		graph("Consumer lag (iterator age)", "Maximum", []dashMetricRow{
			metric("GetRecords.IteratorAgeMilliseconds", "Maximum", "Maximum iterator age"),
		}, nil, "Milliseconds"),
	}

	var d dashBody
	for i, p := range graphs {
		d.Widgets = append(d.Widgets, dashWidget{
			X: (i % 2) * dashGraphWidth, Y: (i / 2) * dashGraphHeight,
			Width: dashGraphWidth, Height: dashGraphHeight,
			Properties: p,
		})
	}
	if len(in.AlarmARNs) > 0 {
		d.Widgets = append(d.Widgets, dashWidget{
			X: 0, Y: 2 * dashGraphHeight,
			Width: dashColumns, Height: dashAlarmWidgetHeight(len(in.AlarmARNs)),
			Properties: &dashAlarmProperties{
				Title:  "Alarm status",
				Alarms: append([]string(nil), in.AlarmARNs...),
			},
		})
	}
	for i := range d.Widgets {
		d.Widgets[i].Type = d.Widgets[i].Properties.dashWidgetType()
	}
	return d
}

// dashAlarmWidgetHeight gives a full-width alarm status widget one row of
// height per six alarms, on top of its title (3 for up to six alarms).
func dashAlarmWidgetHeight(alarms int) int {
	return 2 + (alarms+5)/6
}
