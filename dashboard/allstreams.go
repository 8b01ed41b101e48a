package dashboard

import (
	"slices"
	"strings"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// AllStreams describes the dashboard of a stack that watches every stream
// of its region by query (watchAllStreams).
type AllStreams struct {
	Region string
	// Exclude are the streams the configuration leaves out of the estate
	// (watchAllStreams' exclude): left out of every widget's query too. The
	// streams with alarms of their own (the stack's, watchStreams') are
	// part of the estate and stay in.
	Exclude []string
	// Consumers adds the widget of the consumers furthest behind.
	Consumers bool
	// AlarmARNs are the query alarms, for the alarm status widget; they may
	// be Terraform interpolations, written verbatim.
	AlarmARNs []string
}

// TopSeries is how many streams (or consumers) each widget draws: the
// worst of the estate, whatever its size.
const TopSeries = 10

// topWidget is one Metrics Insights widget of the estate: the TopSeries
// series of the highest Function of Metric, over streams or consumers.
type topWidget struct {
	title      string
	statistic  string // the widget's stat, the statistic of function
	metric     string
	schema     []string
	yAxisLabel string
}

var (
	byStream   = []string{"StreamName"}
	byConsumer = []string{"ConsumerName", "StreamName"}
)

// allStreamsWidgets are the estate's widgets, in order; the consumers'
// last, with Consumers only.
var allStreamsWidgets = []topWidget{
	{"Streams with the most throttled writes", "Sum", "WriteProvisionedThroughputExceeded", byStream, "Throttled records per minute"},
	{"Streams with the highest iterator age", "Maximum", "GetRecords.IteratorAgeMilliseconds", byStream, "Milliseconds"},
	{"Streams with the most failed PutRecords records", "Sum", "PutRecords.FailedRecords", byStream, "Failed records per minute"},
	{"Streams with the most throttled reads", "Sum", "ReadProvisionedThroughputExceeded", byStream, "Throttled calls per minute"},
	{"Streams with the most incoming bytes", "Sum", "IncomingBytes", byStream, "Bytes per minute"},
	{"Consumers furthest behind", "Maximum", "SubscribeToShardEvent.MillisBehindLatest", byConsumer, "Milliseconds"},
}

// AllStreamsBody is the dashboard_body of the estate's dashboard: one
// Metrics Insights widget per kind of trouble, each drawing the TopSeries
// worst streams (or consumers) of the region, then the query alarms'
// status. Its size does not depend on the number of streams: CloudWatch
// runs the queries when the dashboard is viewed.
func AllStreamsBody(in AllStreams) string {
	// Strings, whole numbers and rows that are valid by construction: the
	// encoding cannot fail.
	data, _ := jsontext.Marshal(buildAllStreams(in))
	return string(data)
}

func buildAllStreams(in AllStreams) body {
	exclude := slices.Compact(slices.Sorted(slices.Values(in.Exclude)))
	var d body
	for _, w := range allStreamsWidgets {
		if slices.Equal(w.schema, byConsumer) && !in.Consumers {
			continue
		}
		fn, _ := alarms.QueryFunction(w.statistic) // a statistic of the table: it has one
		query := alarms.Select{Function: fn, Namespace: kinesis.Namespace, Metric: w.metric, Schema: w.schema,
			Exclude: exclude, Descending: true, Limit: TopSeries}
		of := "streams"
		if slices.Equal(w.schema, byConsumer) {
			of = "consumers"
		}
		i := len(d.Widgets)
		d.Widgets = append(d.Widgets, widget{
			Type: "metric", X: (i % 2) * graphWidth, Y: (i / 2) * graphHeight, Width: graphWidth, Height: graphHeight,
			Properties: &metricProperties{
				Title: w.title + " (top " + itoa(TopSeries) + " " + of + ", " + strings.ToLower(w.statistic) + " per minute)",
				View:  "timeSeries", Region: in.Region, Period: period, Stat: w.statistic,
				Metrics: []metricRow{{Options: metricOptions{Expression: query.String(), ID: "q1"}}},
				YAxis:   &yAxes{Left: yAxis{Min: 0, Label: w.yAxisLabel}},
			},
		})
	}
	if len(in.AlarmARNs) > 0 {
		rows := (len(d.Widgets) + 1) / 2
		d.Widgets = append(d.Widgets, widget{
			Type: "alarm", X: 0, Y: rows * graphHeight, Width: columns, Height: alarmWidgetHeight(len(in.AlarmARNs)),
			Properties: &alarmProperties{
				Title:  "Query alarms: each stream or consumer is a contributor, in ALARM or OK",
				Alarms: slices.Clone(in.AlarmARNs),
			},
		})
	}
	return d
}
