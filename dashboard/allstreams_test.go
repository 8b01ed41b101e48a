package dashboard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// The estate's dashboard: a Metrics Insights widget per kind of trouble,
// each the 10 worst streams (or consumers) of the region but those
// excluded, then the query alarms' status.
func TestAllStreamsBody(t *testing.T) {
	in := AllStreams{Region: "eu-west-1", Exclude: []string{"test", "legacy"}, Consumers: true, AlarmARNs: []string{"arn:a", "arn:b"}}
	p := parse(t, AllStreamsBody(in))
	const where = `WHERE StreamName != 'legacy' AND StreamName != 'test'`
	want := []struct{ title, stat, query string }{
		{"Streams with the most throttled writes (top 10 streams, sum per minute)", "Sum",
			`SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) ` + where + ` GROUP BY StreamName ORDER BY SUM() DESC LIMIT 10`},
		{"Streams with the highest iterator age (top 10 streams, maximum per minute)", "Maximum",
			`SELECT MAX("GetRecords.IteratorAgeMilliseconds") FROM SCHEMA("AWS/Kinesis", StreamName) ` + where + ` GROUP BY StreamName ORDER BY MAX() DESC LIMIT 10`},
		{"Streams with the most failed PutRecords records (top 10 streams, sum per minute)", "Sum",
			`SELECT SUM("PutRecords.FailedRecords") FROM SCHEMA("AWS/Kinesis", StreamName) ` + where + ` GROUP BY StreamName ORDER BY SUM() DESC LIMIT 10`},
		{"Streams with the most throttled reads (top 10 streams, sum per minute)", "Sum",
			`SELECT SUM("ReadProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) ` + where + ` GROUP BY StreamName ORDER BY SUM() DESC LIMIT 10`},
		{"Streams with the most incoming bytes (top 10 streams, sum per minute)", "Sum",
			`SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) ` + where + ` GROUP BY StreamName ORDER BY SUM() DESC LIMIT 10`},
		{"Consumers furthest behind (top 10 consumers, maximum per minute)", "Maximum",
			`SELECT MAX("SubscribeToShardEvent.MillisBehindLatest") FROM SCHEMA("AWS/Kinesis", ConsumerName, StreamName) ` + where + ` GROUP BY ConsumerName, StreamName ORDER BY MAX() DESC LIMIT 10`},
	}
	if len(p.Widgets) != len(want)+1 {
		t.Fatalf("%d widgets, want %d graphs and the alarm status", len(p.Widgets), len(want))
	}
	for i, w := range want {
		t.Run(w.title, func(t *testing.T) {
			props, rows := p.Metric[i], p.Rows[i]
			if props.Title != w.title || props.Stat != w.stat || props.Region != "eu-west-1" || props.Period != 60 || props.View != "timeSeries" {
				t.Errorf("widget %d: %+v", i, props)
			}
			if len(rows) != 1 || rows[0].opt("expression") != w.query {
				t.Errorf("widget %d rows %+v\nwant the query %s", i, rows, w.query)
			}
			if rows[0].opt("label") != nil {
				t.Errorf("widget %d has a label %v: each series would be drawn under it, not under its stream", i, rows[0].opt("label"))
			}
		})
	}
	last := len(p.Widgets) - 1
	if a := p.Alarm[last]; !slices.Equal(a.Alarms, in.AlarmARNs) || p.Widgets[last].Width != 24 {
		t.Errorf("alarm status widget %+v, %+v", p.Widgets[last], a)
	}
	if problems := layoutProblems(rects(p)); len(problems) > 0 {
		t.Errorf("layout: %q", problems)
	}

	// Without consumers, no consumer widget; without alarms, no status.
	off := parse(t, AllStreamsBody(AllStreams{Region: "eu-west-1"}))
	if len(off.Widgets) != len(want)-1 || strings.Contains(AllStreamsBody(AllStreams{Region: "eu-west-1"}), "ConsumerName") {
		t.Errorf("without consumers and alarms: %d widgets", len(off.Widgets))
	}
	if strings.Contains(AllStreamsBody(AllStreams{Region: "eu-west-1"}), "WHERE") {
		t.Error("a WHERE without exclusions")
	}
	if problems := layoutProblems(rects(off)); len(problems) > 0 {
		t.Errorf("layout without consumers: %q", problems)
	}
}

// The body names no stream but those excluded: the same widgets and the
// same queries for an estate of 1 stream or 100,000, and within
// CloudWatch's limits of a dashboard and of a query whenever the query
// alarms' own queries are.
func TestAllStreamsBodyIsConstantAndWithinLimits(t *testing.T) {
	for _, n := range []int{0, 1, 5, 12} {
		exclude := make([]string, n)
		for i := range exclude {
			exclude[i] = fmt.Sprintf("%0120d", i)
		}
		in := AllStreams{Region: "us-east-1", Exclude: exclude, Consumers: true, AlarmARNs: []string{"arn:a"}}
		p := parse(t, AllStreamsBody(in))
		if problems := limitProblems(p); len(problems) > 0 {
			t.Errorf("%d excluded: %q", n, problems)
		}
		if len(p.Widgets) != len(allStreamsWidgets)+1 {
			t.Errorf("%d excluded: %d widgets", n, len(p.Widgets))
		}
		// No widget's query is longer than the longest query alarm's (the
		// write-throttling and consumer alarms, with the same exclusions),
		// which the configuration keeps within the query length.
		longest := 0
		set := alarms.Settings{Statistic: "Sum", Comparison: alarms.GreaterThanThreshold}
		for _, a := range alarms.ForEstate(alarms.Stream{RetentionHours: 24}, set, alarms.Estate{Stack: "s", Exclude: exclude, Consumers: true}) {
			longest = max(longest, utf8.RuneCountInString(a.MustExpression()))
		}
		for i, rows := range p.Rows {
			if q, _ := rows[0].opt("expression").(string); utf8.RuneCountInString(q) > longest {
				t.Errorf("%d excluded: widget %d's query is %d characters, the longest alarm's %d", n, i, len(q), longest)
			}
		}
	}
	// The limits' check can fail.
	var tooMany parsed
	tooMany.Rows = map[int][]docRow{}
	for i := range maxWidgetsPerDashboard + 1 {
		tooMany.Widgets = append(tooMany.Widgets, docWidget{Type: "metric"})
		tooMany.Rows[i] = []docRow{{Options: map[string]any{"expression": "SELECT " + strings.Repeat("x", alarms.MaxQueryLength)}}}
	}
	if got := limitProblems(tooMany); len(got) != 2 {
		t.Errorf("501 widgets of one too-long query each: %q, want the widgets, the length and no more", got)
	}
}

// limitProblems checks a body against CloudWatch's limits: widgets and
// metrics per dashboard (each query counts as one row), and the length of
// a query.
func limitProblems(p parsed) []string {
	var problems []string
	if len(p.Widgets) > maxWidgetsPerDashboard {
		problems = append(problems, fmt.Sprintf("%d widgets, more than %d", len(p.Widgets), maxWidgetsPerDashboard))
	}
	metrics, tooLong := 0, 0
	for _, rows := range p.Rows {
		metrics += len(rows)
		for _, r := range rows {
			if q, _ := r.opt("expression").(string); utf8.RuneCountInString(q) > alarms.MaxQueryLength {
				tooLong++
			}
		}
	}
	if metrics > maxMetricsPerDashboard {
		problems = append(problems, fmt.Sprintf("%d metrics, more than %d", metrics, maxMetricsPerDashboard))
	}
	if tooLong > 0 {
		problems = append(problems, fmt.Sprintf("%d queries longer than %d characters", tooLong, alarms.MaxQueryLength))
	}
	return problems
}
