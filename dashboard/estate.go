package dashboard

import (
	"strings"

	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// An estate dashboard has one row per stream: incoming bytes per second
// against the write capacity where it is fixed, throttled writes and reads,
// and the iterator age. Terraform builds the rows (a for expression over
// the page's stream names), so the synthesized body stays the same size
// whatever the number of streams.

// CloudWatch's limits of one dashboard (CloudWatch service quotas:
// widgets per dashboard, metrics per dashboard) and what a row takes.
const (
	maxWidgetsPerDashboard = 500
	maxMetricsPerDashboard = 2500
	estateRowWidgets       = 3
	estateRowMetrics       = 5 // the bytes Sum and its per-second expression, two throttles, the age
	// EstateRows is how many streams one estate dashboard shows: within
	// both limits (166 and 500 rows), and at 100 a page that still loads
	// fast in the console.
	EstateRows = 100
)

// Pages splits the streams into the rows of as many estate dashboards as
// they need, in the order given.
func Pages(streams []string) [][]string {
	var pages [][]string
	for start := 0; start < len(streams); start += EstateRows {
		pages = append(pages, streams[start:min(start+EstateRows, len(streams))])
	}
	return pages
}

// Placeholders in the row built from the typed structs, replaced by
// Terraform expressions: the row's stream name and its place on the page.
const (
	nameHole = "\u00a7name\u00a7"
	rowHole  = 987654321
)

// EstateBody is the dashboard_body of an estate dashboard, as a Terraform
// template: jsonencode of the widgets of one row per name of the list
// expression streams. capacity is a Terraform expression for a map of
// stream names to the row's capacity annotations (a list of {label, value},
// empty when the capacity is not fixed).
func EstateBody(region, streams, capacity string) string {
	stream := []dimension{{Name: "StreamName", Value: nameHole}}
	metric := func(name, stat, label string) metricRow {
		return metricRow{Namespace: kinesis.Namespace, MetricName: name, Dimensions: stream, Options: metricOptions{Stat: stat, Label: label}}
	}
	hidden := false
	bytes := metric("IncomingBytes", "Sum", "IncomingBytes (Sum per period)")
	bytes.Options.ID, bytes.Options.Visible = "m1", &hidden
	graph := func(title, stat string, metrics []metricRow, axis string) *metricProperties {
		return &metricProperties{Title: nameHole + ": " + title, View: "timeSeries", Region: region, Period: period, Stat: stat,
			Metrics: metrics, YAxis: &yAxes{Left: yAxis{Min: 0, Label: axis}}}
	}
	incoming := graph("incoming bytes/s vs. write capacity", "Sum", []metricRow{
		bytes, {Options: metricOptions{Expression: "m1/PERIOD(m1)", Label: "Incoming bytes/s", ID: "e1"}},
	}, "Bytes/s")
	incoming.Annotations = &annotations{}
	row := []*metricProperties{
		incoming,
		graph("throttled writes and reads", "Sum", []metricRow{
			metric("WriteProvisionedThroughputExceeded", "Sum", "Throttled write records"),
			metric("ReadProvisionedThroughputExceeded", "Sum", "Throttled GetRecords calls"),
		}, "Count per period"),
		graph("consumer lag (iterator age)", "Maximum", []metricRow{
			metric("GetRecords.IteratorAgeMilliseconds", "Maximum", "Maximum iterator age"),
		}, "Milliseconds"),
	}
	width := columns / estateRowWidgets
	var widgets []widget
	for i, p := range row {
		widgets = append(widgets, widget{Type: p.widgetType(), X: i * width, Y: rowHole, Width: width, Height: graphHeight, Properties: p})
	}
	// Strings, whole numbers and rows that are valid by construction: the
	// encoding cannot fail.
	data, _ := jsontext.Marshal(widgets)
	text := string(data)
	text = strings.ReplaceAll(text, `"annotations":{"horizontal":null}`, `"annotations":{"horizontal":`+capacity+`[name]}`)
	text = strings.ReplaceAll(text, `"`+nameHole+`"`, "name")
	text = strings.ReplaceAll(text, nameHole, "${name}")
	text = strings.ReplaceAll(text, `"y":`+itoa(rowHole), `"y":i*`+itoa(graphHeight))
	return `${jsonencode({"widgets": flatten([for i, name in ` + streams + ` : ` + text + `])})}`
}

func itoa(n int) string {
	data, _ := jsontext.Marshal(n)
	return string(data)
}
