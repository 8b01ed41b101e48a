package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The checks below read the body back with encoding/json into types written
// from the CloudWatch dashboard body documentation, not the builder's own
// types, and refuse unknown keys: a misspelt key in the builder fails here.

type doc struct {
	Widgets []docWidget `json:"widgets"`
}

type docWidget struct {
	Type       string          `json:"type"`
	X          int             `json:"x"`
	Y          int             `json:"y"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Properties json.RawMessage `json:"properties"`
}

type docMetricProps struct {
	Title       string  `json:"title"`
	View        string  `json:"view"`
	Stacked     bool    `json:"stacked"`
	Region      string  `json:"region"`
	Period      int     `json:"period"`
	Stat        string  `json:"stat"`
	Metrics     [][]any `json:"metrics"`
	Annotations *struct {
		Horizontal []struct {
			Label string  `json:"label"`
			Value float64 `json:"value"`
		} `json:"horizontal"`
	} `json:"annotations"`
	YAxis *struct {
		Left struct {
			Min       float64 `json:"min"`
			Label     string  `json:"label"`
			ShowUnits bool    `json:"showUnits"`
		} `json:"left"`
	} `json:"yAxis"`
}

type docAlarmProps struct {
	Title  string   `json:"title"`
	Alarms []string `json:"alarms"`
}

// docRow is one parsed "metrics" row: a metric (Namespace and Metric
// set) or an expression (Options["expression"] set).
type docRow struct {
	Namespace, Metric string
	Dimensions        map[string]string
	Options           map[string]any
}

func (r docRow) opt(key string) any { return r.Options[key] }

// strictDecode decodes data into v, refusing unknown keys and trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// parseRow checks the documented row shapes: [ns, metric, (dimName,
// dimValue)*, {options}] or [{options with "expression"}].
func parseRow(row []any) (docRow, error) {
	if len(row) == 0 {
		return docRow{}, fmt.Errorf("empty metrics row")
	}
	opts, ok := row[len(row)-1].(map[string]any)
	if !ok {
		return docRow{}, fmt.Errorf("row %v does not end with an options object", row)
	}
	strs := make([]string, 0, len(row)-1)
	for i, e := range row[:len(row)-1] {
		s, ok := e.(string)
		if !ok {
			return docRow{}, fmt.Errorf("row %v: element %d is %T, not a string", row, i, e)
		}
		strs = append(strs, s)
	}
	r := docRow{Options: opts, Dimensions: map[string]string{}}
	if len(strs) == 0 {
		if _, ok := opts["expression"].(string); !ok {
			return docRow{}, fmt.Errorf("row %v has neither a metric nor an expression", row)
		}
		return r, nil
	}
	if len(strs) < 2 || len(strs)%2 != 0 {
		return docRow{}, fmt.Errorf("row %v: want namespace, metric name and name/value dimension pairs", row)
	}
	r.Namespace, r.Metric = strs[0], strs[1]
	for i := 2; i < len(strs); i += 2 {
		r.Dimensions[strs[i]] = strs[i+1]
	}
	return r, nil
}

// parsed is a body read back: the widgets and, by index, their properties.
type parsed struct {
	Widgets []docWidget
	Metric  map[int]docMetricProps
	Rows    map[int][]docRow
	Alarm   map[int]docAlarmProps
}

func parse(t *testing.T, body string) parsed {
	t.Helper()
	var doc doc
	if err := strictDecode([]byte(body), &doc); err != nil {
		t.Fatalf("body does not parse as a dashboard: %v\n%s", err, body)
	}
	p := parsed{Widgets: doc.Widgets, Metric: map[int]docMetricProps{}, Rows: map[int][]docRow{}, Alarm: map[int]docAlarmProps{}}
	for i, w := range doc.Widgets {
		switch w.Type {
		case "metric":
			var props docMetricProps
			if err := strictDecode(w.Properties, &props); err != nil {
				t.Fatalf("widget %d: metric properties: %v\n%s", i, err, w.Properties)
			}
			p.Metric[i] = props
			for _, row := range props.Metrics {
				r, err := parseRow(row)
				if err != nil {
					t.Fatalf("widget %d (%s): %v", i, props.Title, err)
				}
				p.Rows[i] = append(p.Rows[i], r)
			}
		case "alarm":
			var props docAlarmProps
			if err := strictDecode(w.Properties, &props); err != nil {
				t.Fatalf("widget %d: alarm properties: %v\n%s", i, err, w.Properties)
			}
			p.Alarm[i] = props
		default:
			t.Fatalf("widget %d has unexpected type %q", i, w.Type)
		}
	}
	return p
}

// rect is a widget's place on the grid.
type rect struct {
	Name                string
	X, Y, Width, Height int
}

// layoutProblems reports widgets off the 24-column grid (or with an
// invalid size) and every pair that overlaps. Touching edges is fine.
func layoutProblems(rects []rect) []string {
	var problems []string
	for _, r := range rects {
		if r.X < 0 || r.Y < 0 || r.Width < 1 || r.Width > 24 || r.Height < 1 || r.Height > 1000 || r.X+r.Width > 24 {
			problems = append(problems, fmt.Sprintf("%s at x=%d y=%d %dx%d is not on the 24-column grid", r.Name, r.X, r.Y, r.Width, r.Height))
		}
	}
	for i, a := range rects {
		for _, b := range rects[i+1:] {
			if a.X < b.X+b.Width && b.X < a.X+a.Width && a.Y < b.Y+b.Height && b.Y < a.Y+a.Height {
				problems = append(problems, fmt.Sprintf("%s overlaps %s", a.Name, b.Name))
			}
		}
	}
	return problems
}

func rects(p parsed) []rect {
	rects := make([]rect, len(p.Widgets))
	for i, w := range p.Widgets {
		rects[i] = rect{Name: fmt.Sprintf("widget %d (%s)", i, w.Type), X: w.X, Y: w.Y, Width: w.Width, Height: w.Height}
	}
	return rects
}

func metricNames(rows []docRow) []string {
	var names []string
	for _, r := range rows {
		if r.Metric != "" {
			names = append(names, r.Metric)
		}
	}
	return names
}

func TestDashboardBodyFollowsTheInput(t *testing.T) {
	const (
		throttleARN = "${aws_cloudwatch_metric_alarm.write_throttle_alarm.arn}"
		lagARN      = "arn:aws:cloudwatch:eu-west-2:123456789012:alarm:kinesis-lag"
		// An interpolation with characters encoding/json escapes by default.
		conditionalARN = "${var.enabled && length(var.arns) > 0 ? var.arns[0] : var.fallback}"
	)
	titles := []string{
		"Incoming bytes per second vs. provisioned capacity",
		"Incoming records per second vs. provisioned capacity",
		"Throttled writes and reads",
		"Consumer lag (iterator age)",
	}
	metricsOf := [][]string{
		{"IncomingBytes"},
		{"IncomingRecords"},
		{"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"},
		{"GetRecords.IteratorAgeMilliseconds"},
	}
	statOf := []string{"Sum", "Sum", "Sum", "Maximum"}

	tests := []struct {
		name          string
		in            Input
		wantPeriod    int
		wantBytesCap  float64
		wantRecordCap float64
		wantCapLabel  string // in both capacity labels
	}{
		{
			name:          "one shard, default period, no alarms",
			in:            Input{StreamName: "xfusion-kinesis-stream", Region: "us-east-1", ShardCount: 1},
			wantPeriod:    60,
			wantBytesCap:  1048576,
			wantRecordCap: 1000,
			wantCapLabel:  "1 shard ×",
		},
		{
			name: "three shards, interpolated name and ARNs",
			in: Input{StreamName: "${aws_kinesis_stream.stream.name}", Region: "eu-west-2", ShardCount: 3,
				AlarmARNs: []string{throttleARN, lagARN}},
			wantPeriod:    60,
			wantBytesCap:  3145728,
			wantRecordCap: 3000,
			wantCapLabel:  "3 shards ×",
		},
		{
			name:          "stream name and alarm ARN with &&, > and spaces stay literal",
			in:            Input{StreamName: "${var.use_existing && var.existing != null ? var.existing : aws_kinesis_stream.stream.name}", Region: "ap-southeast-2", ShardCount: 2, AlarmARNs: []string{conditionalARN}},
			wantPeriod:    60,
			wantBytesCap:  2097152,
			wantRecordCap: 2000,
			wantCapLabel:  "2 shards ×",
		},
		{
			name:          "the largest shard count the configuration takes",
			in:            Input{StreamName: "big", Region: "us-west-2", ShardCount: 10000},
			wantPeriod:    60,
			wantBytesCap:  10000 * 1048576,
			wantRecordCap: 10000 * 1000,
			wantCapLabel:  "10000 shards ×",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// GIVEN a valid input
			in := tc.in

			// WHEN the body is built twice, the second time from a copy
			body := Body(in)
			again := Body(Input{StreamName: in.StreamName, Region: in.Region, ShardCount: in.ShardCount,
				AlarmARNs: append([]string(nil), in.AlarmARNs...)})

			// THEN it is deterministic and compact
			if body != again {
				t.Errorf("two builds differ:\n%s\n%s", body, again)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(body)); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if compact.String() != body {
				t.Errorf("body is not compact JSON:\n%s", body)
			}

			// THEN the stream name and every ARN appear verbatim as JSON strings
			for _, s := range append([]string{in.StreamName}, in.AlarmARNs...) {
				if !strings.Contains(body, `"`+s+`"`) {
					t.Errorf("body does not contain %q verbatim:\n%s", s, body)
				}
			}
			for _, esc := range []string{`\u0026`, `\u003c`, `\u003e`} {
				if strings.Contains(body, esc) {
					t.Errorf("body contains HTML escape %s:\n%s", esc, body)
				}
			}

			// THEN the widgets are the four graphs, then the alarms iff ARNs are given
			p := parse(t, body)
			wantWidgets := len(titles)
			if len(in.AlarmARNs) > 0 {
				wantWidgets++
			}
			if len(p.Widgets) != wantWidgets {
				t.Fatalf("got %d widgets, want %d:\n%s", len(p.Widgets), wantWidgets, body)
			}
			for i, title := range titles {
				props, ok := p.Metric[i]
				if !ok {
					t.Fatalf("widget %d is %q, want a metric widget %q", i, p.Widgets[i].Type, title)
				}
				if props.Title != title {
					t.Errorf("widget %d title %q, want %q", i, props.Title, title)
				}
				if props.Region != in.Region || props.Period != tc.wantPeriod || props.Stat != statOf[i] || props.View != "timeSeries" {
					t.Errorf("widget %d: region %q period %d stat %q view %q; want %q %d %q timeSeries",
						i, props.Region, props.Period, props.Stat, props.View, in.Region, tc.wantPeriod, statOf[i])
				}
				if got := metricNames(p.Rows[i]); !reflect.DeepEqual(got, metricsOf[i]) {
					t.Errorf("widget %d metrics %q, want %q", i, got, metricsOf[i])
				}
				for _, r := range p.Rows[i] {
					if r.Metric == "" {
						continue
					}
					wantDims := map[string]string{"StreamName": in.StreamName}
					if r.Namespace != "AWS/Kinesis" || !reflect.DeepEqual(r.Dimensions, wantDims) {
						t.Errorf("widget %d row %s: namespace %q dimensions %v, want AWS/Kinesis %v", i, r.Metric, r.Namespace, r.Dimensions, wantDims)
					}
					if r.opt("stat") != statOf[i] || r.opt("label") == nil {
						t.Errorf("widget %d row %s: options %v, want stat %s and a label", i, r.Metric, r.Options, statOf[i])
					}
				}
			}

			// THEN the two rate graphs show m1/PERIOD(m1) of a hidden Sum m1
			// and a capacity line at ShardCount × the per-shard limit
			for i, want := range []float64{tc.wantBytesCap, tc.wantRecordCap} {
				rows := p.Rows[i]
				if len(rows) != 2 {
					t.Fatalf("widget %d has %d rows, want the metric and the expression", i, len(rows))
				}
				raw, expr := rows[0], rows[1]
				if raw.opt("id") != "m1" || raw.opt("visible") != false {
					t.Errorf("widget %d raw metric options %v, want id m1 and visible false", i, raw.Options)
				}
				if expr.opt("expression") != "m1/PERIOD(m1)" || expr.opt("visible") != nil {
					t.Errorf("widget %d expression options %v, want a visible m1/PERIOD(m1)", i, expr.Options)
				}
				if label, _ := expr.opt("label").(string); !strings.HasSuffix(label, "/s") {
					t.Errorf("widget %d expression label %q, want a per-second label", i, label)
				}
				ann := p.Metric[i].Annotations
				if ann == nil || len(ann.Horizontal) != 1 {
					t.Fatalf("widget %d annotations %+v, want one horizontal capacity line", i, ann)
				}
				if got := ann.Horizontal[0]; got.Value != want || !strings.HasPrefix(got.Label, "Write capacity: ") || !strings.Contains(got.Label, tc.wantCapLabel) {
					t.Errorf("widget %d capacity line %+v, want value %.0f and a label with %q", i, got, want, tc.wantCapLabel)
				}
			}
			for i := 2; i < len(titles); i++ {
				if p.Metric[i].Annotations != nil {
					t.Errorf("widget %d has annotations %+v, want none", i, p.Metric[i].Annotations)
				}
			}

			// THEN the alarm widget lists the ARNs verbatim, in order
			if len(in.AlarmARNs) > 0 {
				last := len(p.Widgets) - 1
				alarm, ok := p.Alarm[last]
				if !ok {
					t.Fatalf("last widget is %q, want an alarm widget", p.Widgets[last].Type)
				}
				if !reflect.DeepEqual(alarm.Alarms, in.AlarmARNs) || alarm.Title == "" {
					t.Errorf("alarm widget %+v, want a title and alarms %q", alarm, in.AlarmARNs)
				}
			} else if len(p.Alarm) != 0 {
				t.Errorf("alarm widget present without ARNs: %+v", p.Alarm)
			}

			// THEN no two widgets overlap and all fit in 24 columns
			if problems := layoutProblems(rects(p)); len(problems) > 0 {
				t.Errorf("layout problems:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}

func TestDashboardBodyExactJSON(t *testing.T) {
	// GIVEN the smallest complete input
	in := Input{StreamName: "s", Region: "us-east-1", ShardCount: 1, AlarmARNs: []string{"arn:a"}}

	// WHEN the body is built
	body := Body(in)

	// THEN it is exactly this (a change to the format must show up here)
	want := `{"widgets":[` +
		`{"type":"metric","x":0,"y":0,"width":12,"height":6,"properties":{"title":"Incoming bytes per second vs. provisioned capacity","view":"timeSeries","stacked":false,"region":"us-east-1","period":60,"stat":"Sum","metrics":[["AWS/Kinesis","IncomingBytes","StreamName","s",{"stat":"Sum","label":"IncomingBytes (Sum per period)","id":"m1","visible":false}],[{"expression":"m1/PERIOD(m1)","label":"Incoming bytes/s","id":"e1"}]],"annotations":{"horizontal":[{"label":"Write capacity: 1 shard × 1 MiB/s","value":1048576}]},"yAxis":{"left":{"min":0,"label":"Bytes/s","showUnits":false}}}},` +
		`{"type":"metric","x":12,"y":0,"width":12,"height":6,"properties":{"title":"Incoming records per second vs. provisioned capacity","view":"timeSeries","stacked":false,"region":"us-east-1","period":60,"stat":"Sum","metrics":[["AWS/Kinesis","IncomingRecords","StreamName","s",{"stat":"Sum","label":"IncomingRecords (Sum per period)","id":"m1","visible":false}],[{"expression":"m1/PERIOD(m1)","label":"Incoming records/s","id":"e1"}]],"annotations":{"horizontal":[{"label":"Write capacity: 1 shard × 1,000 records/s","value":1000}]},"yAxis":{"left":{"min":0,"label":"Records/s","showUnits":false}}}},` +
		`{"type":"metric","x":0,"y":6,"width":12,"height":6,"properties":{"title":"Throttled writes and reads","view":"timeSeries","stacked":false,"region":"us-east-1","period":60,"stat":"Sum","metrics":[["AWS/Kinesis","WriteProvisionedThroughputExceeded","StreamName","s",{"stat":"Sum","label":"Throttled write records"}],["AWS/Kinesis","ReadProvisionedThroughputExceeded","StreamName","s",{"stat":"Sum","label":"Throttled GetRecords calls"}]],"yAxis":{"left":{"min":0,"label":"Count per period","showUnits":false}}}},` +
		`{"type":"metric","x":12,"y":6,"width":12,"height":6,"properties":{"title":"Consumer lag (iterator age)","view":"timeSeries","stacked":false,"region":"us-east-1","period":60,"stat":"Maximum","metrics":[["AWS/Kinesis","GetRecords.IteratorAgeMilliseconds","StreamName","s",{"stat":"Maximum","label":"Maximum iterator age"}]],"yAxis":{"left":{"min":0,"label":"Milliseconds","showUnits":false}}}},` +
		`{"type":"alarm","x":0,"y":12,"width":24,"height":3,"properties":{"title":"Alarm status","alarms":["arn:a"]}}` +
		`]}`
	if body != want {
		t.Errorf("body:\n%s\nwant:\n%s", body, want)
	}
}

func TestDashboardChecksCanFail(t *testing.T) {
	// GIVEN hand-made layouts with known faults (and two without)
	tests := []struct {
		name  string
		rects []rect
		want  []string // problems expected, by substring; none when empty
	}{
		{"side by side and stacked, edges touching", []rect{{"a", 0, 0, 12, 6}, {"b", 12, 0, 12, 6}, {"c", 0, 6, 24, 3}}, nil},
		{"the builder's layout with alarms", []rect{{"a", 0, 0, 12, 6}, {"b", 12, 0, 12, 6}, {"c", 0, 6, 12, 6}, {"d", 12, 6, 12, 6}, {"e", 0, 12, 24, 3}}, nil},
		{"overlapping by one cell", []rect{{"a", 0, 0, 12, 6}, {"b", 11, 5, 12, 6}}, []string{"a overlaps b"}},
		{"one inside another", []rect{{"outer", 0, 0, 24, 10}, {"inner", 4, 4, 2, 2}}, []string{"outer overlaps inner"}},
		{"wider than the grid", []rect{{"wide", 13, 0, 12, 6}}, []string{"wide at x=13"}},
		{"negative position", []rect{{"neg", -1, 0, 6, 6}}, []string{"neg at x=-1"}},
		{"zero height", []rect{{"flat", 0, 0, 6, 0}}, []string{"flat at x=0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// WHEN the layout checker runs
			problems := layoutProblems(tc.rects)

			// THEN it reports exactly the expected faults
			if len(problems) != len(tc.want) {
				t.Fatalf("problems %q, want %d matching %q", problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(problems[i], w) {
					t.Errorf("problem %q does not mention %q", problems[i], w)
				}
			}
		})
	}

	// GIVEN malformed metrics rows, WHEN parsed, THEN the row parser refuses them
	for _, row := range [][]any{
		{},
		{"AWS/Kinesis", "IncomingBytes", "StreamName", "s"},                     // no options object
		{"AWS/Kinesis", "IncomingBytes", "StreamName", map[string]any{}},        // dimension without value
		{"AWS/Kinesis", 7.0, map[string]any{}},                                  // non-string element
		{map[string]any{"label": "no metric, no expression"}},                   // nothing to plot
		{"AWS/Kinesis", map[string]any{"stat": "Sum"}},                          // no metric name
		{"AWS/Kinesis", "IncomingBytes", map[string]any{}, map[string]any{}},    // object in the middle
		{"AWS/Kinesis", "IncomingBytes", "StreamName", "s", "extra", "x", true}, // ends with a bool
	} {
		if r, err := parseRow(row); err == nil {
			t.Errorf("parseRow(%v) = %+v, want an error", row, r)
		}
	}
	// GIVEN a body with a key the documentation does not have,
	// WHEN decoded strictly, THEN it is refused
	if err := strictDecode([]byte(`{"widgets":[],"widget":[]}`), &doc{}); err == nil {
		t.Error("strict decoding accepted an unknown key")
	}
}

func TestDashboardForAnOnDemandStreamDrawsNoCapacity(t *testing.T) {
	// GIVEN an on-demand stream (no shard count) WHEN its body is built
	body := Body(Input{StreamName: "s", Region: "us-east-1", VariableCapacity: "on-demand: capacity follows the traffic"})
	// THEN the throughput graphs say so and carry no capacity line; a
	// provisioned stream's do (the check can fail)
	provisioned := Body(Input{StreamName: "s", Region: "us-east-1", ShardCount: 2})
	for name, c := range map[string]struct {
		body        string
		annotations bool
		title       string
	}{
		"on-demand":   {body, false, "Incoming bytes per second (on-demand: capacity follows the traffic)"},
		"provisioned": {provisioned, true, "Incoming bytes per second vs. provisioned capacity"},
	} {
		if got := strings.Contains(c.body, `"annotations"`); got != c.annotations {
			t.Errorf("%s: annotations in the body %v, want %v", name, got, c.annotations)
		}
		if !strings.Contains(c.body, `"title":"`+c.title+`"`) {
			t.Errorf("%s: no graph titled %q", name, c.title)
		}
	}
}
