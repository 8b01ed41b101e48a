package backtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// The settings of the estates of these tests: the specification's alarm
// (Sum > 1 for one minute) and the recommended set.
var estateSettings = alarms.Settings{
	Name: "own-write-throttled", Threshold: 1, Comparison: alarms.GreaterThanThreshold, Statistic: "Sum",
	Period: 60, EvaluationPeriods: 1, TreatMissingData: alarms.MissingDataNotBreaching, Recommended: true,
}

// estate is the query alarms of a stack that watches every stream but
// those excluded.
func estate(stack string, exclude ...string) []alarms.Alarm {
	return alarms.ForEstate(alarms.Stream{RetentionHours: 24, Watched: true}, estateSettings, alarms.Estate{Stack: stack, Exclude: exclude})
}

// kind is the alarm of the list whose name ends with suffix.
func kind(list []alarms.Alarm, suffix string) alarms.Alarm {
	for _, a := range list {
		if strings.HasSuffix(a.Name, suffix) {
			return a
		}
	}
	panic("no alarm " + suffix)
}

const wpte = "WriteProvisionedThroughputExceeded"

// The window of these tests: an hour, now at its end.
var window = Window{Start: t0, End: minutes(60)}

func options() Options { return Options{Window: window, Now: window.End, Suggest: -1} }

func targetsOf(stack string, list []alarms.Alarm) []Target {
	var out []Target
	for _, a := range list {
		out = append(out, Target{Stack: stack, Region: "us-east-1", Alarm: a})
	}
	return out
}

func run(t *testing.T, fake *fakeCloudWatch, targets []Target, opt Options) (Report, FetchStats) {
	t.Helper()
	report, stats, err := Run(context.Background(), func(string) MetricDataAPI { return fake }, targets, opt)
	if err != nil {
		t.Fatal(err)
	}
	return report, stats
}

func reportOf(t *testing.T, r Report, stack, name string) AlarmReport {
	t.Helper()
	for _, a := range r.Alarms {
		if a.Stack == stack && a.Name == name {
			return a
		}
	}
	t.Fatalf("no alarm %s/%s in the report", stack, name)
	return AlarmReport{}
}

// ListMetrics is followed through every page, and a series is kept only
// with exactly the GROUP BY's dimensions (SCHEMA) and a stream not
// excluded.
func TestDiscoverFollowsEveryPageAndKeepsTheQuerysSeries(t *testing.T) {
	fake := newFake()
	for i := range 1234 {
		fake.put(kinesis.Namespace, wpte, streamDims(fmt.Sprintf("s%04d", i)), "Sum", nil)
	}
	for i := range 3 { // shard-level metrics: another dimension too
		fake.put(kinesis.Namespace, wpte, []alarms.Dimension{{Name: "StreamName", Value: "s0000"}, {Name: "ShardId", Value: fmt.Sprint(i)}}, "Sum", nil)
	}
	fake.put(kinesis.Namespace, "IncomingBytes", streamDims("s0000"), "Sum", nil) // another metric
	for _, c := range []struct {
		name    string
		exclude []string
		want    int
	}{
		{"every stream", nil, 1234},
		{"two excluded", []string{"s0001", "s1233"}, 1232},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake.lists = 0
			a := kind(estate("st", c.exclude...), "/write-throttled")
			var stats FetchStats
			var progress strings.Builder
			found, err := discover(context.Background(), fake, []alarms.Alarm{a}, &stats, &progress)
			if err != nil {
				t.Fatal(err)
			}
			got := found[0]
			if len(got) != c.want || stats.ListRequests != 3 || fake.lists != 3 {
				t.Errorf("%d series in %d requests (%d seen by the fake); want %d in 3 (1,238 metrics, 500 a page)", len(got), stats.ListRequests, fake.lists, c.want)
			}
			for _, dims := range got {
				if len(dims) != 1 || slices.Contains(c.exclude, dims[0].Value) {
					t.Errorf("series %v is not the query's", dims)
				}
			}
			if !slices.IsSortedFunc(got, func(x, y []alarms.Dimension) int { return strings.Compare(dimensionsKey(x), dimensionsKey(y)) }) {
				t.Error("the series are not sorted")
			}
			if !strings.Contains(progress.String(), fmt.Sprintf("alarm st/all-streams/write-throttled: %d series (of 1237 metrics listed)", c.want)) {
				t.Errorf("progress:\n%s", progress.String())
			}
		})
	}
}

// Each series is read once per statistic and period, however many alarms
// read it: the per-stream alarms of a stream, two stacks' query alarms, two
// kinds on one metric; 500 queries a request; the cost said beforehand is
// what was spent.
func TestRunReadsEachSeriesOnce(t *testing.T) {
	fake := newFake()
	for i := range 600 {
		dims := streamDims(fmt.Sprintf("s%04d", i))
		fake.put(kinesis.Namespace, wpte, dims, "Sum", minutely(minutes(-30), minutes(60), func(m int) float64 { return 0 }))
		fake.put(kinesis.Namespace, wpte, dims, "Average", minutely(minutes(-30), minutes(60), func(m int) float64 { return 0 }))
	}
	own := alarms.ForStream(alarms.Stream{Name: "s0000", RetentionHours: 24}, estateSettings)
	targets := append(append(targetsOf("a", own), targetsOf("a", estate("a", "s0000"))...), targetsOf("b", estate("b"))...)
	var progress strings.Builder
	opt := options()
	opt.Progress = &progress
	report, stats := run(t, fake, targets, opt)

	for key, n := range fake.queries {
		if n != 1 {
			t.Errorf("%s asked %d times", key, n)
		}
	}
	// WriteProvisionedThroughputExceeded: 600 series by Sum, 600 by
	// Average, two requests each; the 5 other kinds: stream s0000's
	// metric, no series listed, read together in the requests between
	// (the groups in the order the alarms name them, small ones sharing
	// a request: 2 metrics, then 3).
	if len(fake.queries) != 1205 || stats.Metrics != 1205 || stats.Requests != 6 || fake.gets != 6 {
		t.Errorf("%d series asked (%d counted), %d requests (%d seen); want 1205, 6", len(fake.queries), stats.Metrics, stats.Requests, fake.gets)
	}
	// One listing for the metric both stacks and both kinds read, one
	// for each other metric.
	if stats.ListRequests != 7 || fake.lists != 7 {
		t.Errorf("%d ListMetrics requests (%d seen), want 7 (2 pages of 600, 5 empty)", stats.ListRequests, fake.lists)
	}
	if a, b := reportOf(t, report, "a", "a/all-streams/write-throttled"), reportOf(t, report, "b", "b/all-streams/write-throttled"); a.Series != 599 || b.Series != 600 {
		t.Errorf("series %d and %d, want 599 (s0000 excluded) and 600", a.Series, b.Series)
	}
	for _, want := range []string{
		"us-east-1: 1,205 series in 7 groups of one metric, statistic and period; ",
		"at least 6 GetMetricData requests (500 series and 100,800 datapoints a request at most)",
		"GetMetricData: request 6 of at least 6: 3 metrics (AWS/Kinesis PutRecords.FailedRecords Sum 60 s, …), series 1-3 of 3",
		"ListMetrics: request 2, AWS/Kinesis WriteProvisionedThroughputExceeded by StreamName: 600 metrics so far",
	} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("the progress lacks %q:\n%s", want, progress.String())
		}
	}
}

// The cost is said before anything is read: the datapoints CloudWatch
// counts (every period, data or not), the requests at the least (pages of
// 100,800 datapoints), the least time at 396,000 datapoints a second.
func TestCost(t *testing.T) {
	day := 24 * time.Hour
	now := t0
	for _, c := range []struct {
		name         string
		series       int
		start        time.Time
		want         Cost
		requestsMade int // by the fake, with every period holding data
	}{
		// The figure for one kind: 1,000 streams, 14 days of
		// minutes and 17 of history: 20,177 periods.
		{"1,000 streams, 14 days", 1000, now.Add(-14*day - 17*time.Minute), Cost{Series: 1000, Datapoints: 20_177_000, Requests: 202, Least: 50952 * time.Millisecond}, 0},
		{"600 streams, an hour", 600, now.Add(-63 * time.Minute), Cost{Series: 600, Datapoints: 37_800, Requests: 2, Least: 210 * time.Millisecond}, 2},
		{"3,000 streams, two hours: pages", 3000, now.Add(-2 * time.Hour), Cost{Series: 3000, Datapoints: 360_000, Requests: 6, Least: 2 * time.Second}, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := &group{namespace: kinesis.Namespace, metric: wpte, statistic: "Sum", period: 60, index: map[string]int{}}
			fake := newFake()
			for i := range c.series {
				dims := streamDims(fmt.Sprintf("s%04d", i))
				g.add(dims)
				if c.requestsMade > 0 {
					fake.put(kinesis.Namespace, wpte, dims, "Sum", minutely(c.start, now, func(int) float64 { return 1 }))
				}
			}
			g.span(c.start, now)
			got := batch{g}.cost(now)
			got.Least = got.Least.Round(time.Millisecond)
			want := c.want
			want.Least = want.Least.Round(time.Millisecond)
			if got != want {
				t.Errorf("cost %+v, want %+v", got, want)
			}
			if c.requestsMade > 0 {
				var stats FetchStats
				n := 0
				if _, err := (batch{g}).fetch(context.Background(), fake, now, &stats, func() string { n++; return fmt.Sprint(n) }, nil); err != nil {
					t.Fatal(err)
				}
				if stats.Requests != c.requestsMade || stats.Requests != got.Requests {
					t.Errorf("%d requests made, %d said; want %d", stats.Requests, got.Requests, c.requestsMade)
				}
			}
		})
	}
	// 7 kinds of 1,000 streams: the 141 million datapoints and
	// about 6 minutes.
	var fleet Cost
	for range 7 {
		fleet.add(Cost{Series: 1000, Datapoints: 20_177_000, Least: 50952 * time.Millisecond})
	}
	if fleet.Datapoints/1_000_000 != 141 || fleet.Least.Round(time.Minute) != 6*time.Minute {
		t.Errorf("the fleet: %+v", fleet)
	}
	if got := thousands(141_239_000); got != "141,239,000" {
		t.Errorf("thousands: %s", got)
	}
}

// plant puts minutely datapoints of WriteProvisionedThroughputExceeded
// (Sum) for a stream: 5 in the minutes of bursts, else 0.
func plant(fake *fakeCloudWatch, stream string, bursts ...[2]int) {
	fake.put(kinesis.Namespace, wpte, streamDims(stream), "Sum", minutely(minutes(-30), minutes(60), func(m int) float64 {
		for _, b := range bursts {
			if m >= b[0] && m < b[1] {
				return 5
			}
		}
		return 0
	}))
}

// A query alarm is replayed per stream: the breaching stream's two
// incidents, at their times; the quiet stream no contributor; the excluded
// stream not replayed.
func TestQueryAlarmPerStream(t *testing.T) {
	fake := newFake()
	plant(fake, "breaching", [2]int{10, 13}, [2]int{40, 45})
	plant(fake, "quiet")
	plant(fake, "excluded", [2]int{0, 60})
	a := kind(estate("st", "excluded"), "/write-throttled")
	report, _ := run(t, fake, targetsOf("st", []alarms.Alarm{a}), options())
	r := report.Alarms[0]
	if r.QueryReport == nil || r.Series != 2 || len(r.Contributors) != 1 {
		t.Fatalf("%+v", r)
	}
	c := r.Contributors[0]
	var got []string
	for _, tr := range c.Transitions {
		got = append(got, tr.Time.Format("15:04")+" "+tr.To.String())
	}
	want := []string{"00:11 ALARM", "00:14 OK", "00:41 ALARM", "00:46 OK"}
	if c.Dimensions["StreamName"] != "breaching" || !slices.Equal(got, want) || c.AlarmCount != 2 || c.MinutesInAlarm != 8 || c.Datapoints != 60 {
		t.Errorf("contributor %v: %v, %d times, %v minutes, %d datapoints; want breaching: %v, 2, 8, 60", c.Dimensions, got, c.AlarmCount, c.MinutesInAlarm, c.Datapoints, want)
	}
	if r.AlarmCount != 2 || r.MinutesInAlarm != 8 || r.FinalState != evaluator.OK || r.Datapoints != 120 || len(r.Transitions) != 5 {
		t.Errorf("the alarm: %d times, %v minutes, final %s, %d datapoints, %d transitions; want 2, 8, OK, 120, 5", r.AlarmCount, r.MinutesInAlarm, r.FinalState, r.Datapoints, len(r.Transitions))
	}
	if r.Query != a.MustExpression() || !strings.Contains(r.Query, "WHERE StreamName != 'excluded'") {
		t.Errorf("query %q", r.Query)
	}
}

// alarmReportBefore is AlarmReport as it was before query alarms: a
// per-stream alarm's JSON must stay byte for byte what it was.
type alarmReportBefore struct {
	Stack             string            `json:"stack"`
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	Metric            string            `json:"metric"`
	Dimensions        map[string]string `json:"dimensions"`
	Statistic         string            `json:"statistic"`
	Period            int               `json:"period"`
	EvaluationPeriods int               `json:"evaluationPeriods"`
	DatapointsToAlarm int               `json:"datapointsToAlarm"`
	Comparison        alarms.Comparison `json:"comparison"`
	Threshold         float64           `json:"threshold"`
	TreatMissingData  string            `json:"treatMissingData"`
	Datapoints        int               `json:"datapoints"`
	FinalState        evaluator.State   `json:"finalState"`
	AlarmCount        int               `json:"alarmCount"`
	MinutesInAlarm    float64           `json:"minutesInAlarm"`
	Transitions       []TransitionJSON  `json:"transitions"`
	Suggestion        *Suggestion       `json:"suggestion,omitempty"`
	Chart             string            `json:"chart,omitempty"`
}

func before(a AlarmReport) alarmReportBefore {
	return alarmReportBefore{a.Stack, a.Name, a.Namespace, a.Metric, a.Dimensions, a.Statistic, a.Period, a.EvaluationPeriods, a.DatapointsToAlarm,
		a.Comparison, a.Threshold, a.TreatMissingData, a.Datapoints, a.FinalState, a.AlarmCount, a.MinutesInAlarm, a.Transitions, a.Suggestion, a.Chart}
}

// The JSON only adds fields: a per-stream alarm's is byte for byte what it
// was; a query alarm's adds query, series and contributors[] after the
// others.
func TestQueryAlarmJSON(t *testing.T) {
	fake := newFake()
	plant(fake, "breaching", [2]int{10, 13}, [2]int{40, 45})
	plant(fake, "quiet")
	plant(fake, "own", [2]int{20, 22})
	own := alarms.ForStream(alarms.Stream{Name: "own", RetentionHours: 24}, estateSettings)[0]
	query := kind(estate("st", "own"), "/write-throttled")
	opt := options()
	opt.Suggest = 1
	report, _ := run(t, fake, targetsOf("st", []alarms.Alarm{own, query}), opt)

	perStream, err := jsontext.Marshal(report.Alarms[0])
	if err != nil {
		t.Fatal(err)
	}
	wasBefore, _ := jsontext.Marshal(before(report.Alarms[0]))
	if !bytes.Equal(perStream, wasBefore) {
		t.Errorf("a per-stream alarm's JSON changed:\n%s\nwas\n%s", perStream, wasBefore)
	}
	// The check sees a difference: with query fields, the bytes differ.
	withQuery := report.Alarms[0]
	withQuery.QueryReport = &QueryReport{}
	if again, _ := jsontext.Marshal(withQuery); bytes.Equal(again, wasBefore) {
		t.Error("the comparison does not see added fields")
	}

	data, err := jsontext.Marshal(report.Alarms[1])
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		`"suggestion":{"maxAlarms":1,"threshold":5,"any":false},"query":"SELECT SUM(\"WriteProvisionedThroughputExceeded\") FROM SCHEMA(\"AWS/Kinesis\", StreamName) WHERE StreamName != 'own' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500","series":2,"contributors":[`,
		`{"dimensions":{"StreamName":"breaching"},"datapoints":60,"finalState":"OK","alarmCount":2,"minutesInAlarm":8,"transitions":[{"time":"2026-11-20T00:11:00Z","from":"OK","to":"ALARM","reason":"Threshold Crossed: 1 out of the last 1 datapoints [5.0 (20/11/26 00:10:00)] was greater than the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."}`,
		`"alarmCount":2,`, `"dimensions":{},`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the query alarm's JSON lacks %s:\n%s", want, text)
		}
	}
	var back AlarmReport
	if err := json.Unmarshal(data, &back); err != nil || back.QueryReport == nil || len(back.Contributors) != 1 {
		t.Errorf("read back: %v, %+v", err, back.QueryReport)
	}
	// No contributor in ALARM: an empty list, not none.
	quiet := newFake()
	plant(quiet, "quiet")
	report, _ = run(t, quiet, targetsOf("st", []alarms.Alarm{query}), options())
	if data, _ := jsontext.Marshal(report.Alarms[0]); !strings.Contains(string(data), `"series":1,"contributors":[]`) {
		t.Errorf("no contributor: %s", data)
	}
}

// The table: the query alarm's row, then one indented row per contributor
// that went to ALARM.
func TestQueryAlarmTable(t *testing.T) {
	fake := newFake()
	plant(fake, "b-breaching", [2]int{10, 13}, [2]int{40, 45})
	plant(fake, "a-once", [2]int{30, 31})
	plant(fake, "quiet")
	query := kind(estate("st"), "/write-throttled")
	report, _ := run(t, fake, targetsOf("st", []alarms.Alarm{query}), options())
	var table strings.Builder
	if err := report.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(table.String()), "\n")
	want := [][]string{
		{"STACK", "ALARM", "TIMES", "IN", "ALARM", "MINUTES", "IN", "ALARM", "FIRST", "TRANSITION", "LAST", "TRANSITION", "FINAL", "STATE", "DATAPOINTS"},
		{"st", "st/all-streams/write-throttled", "3", "9", "2026-11-20", "00:01", "OK", "2026-11-20", "00:46", "OK", "OK", "180"},
		{"StreamName=a-once", "1", "1", "2026-11-20", "00:31", "ALARM", "2026-11-20", "00:32", "OK", "OK", "60"},
		{"StreamName=b-breaching", "2", "8", "2026-11-20", "00:11", "ALARM", "2026-11-20", "00:46", "OK", "OK", "60"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), table.String())
	}
	for i, line := range lines {
		if got := strings.Fields(line); !slices.Equal(got, want[i]) {
			t.Errorf("line %d: %q\nwant %q", i, got, want[i])
		}
	}
	// Indented under the alarm's name.
	if !strings.Contains(lines[2], "  StreamName=a-once") || strings.Index(lines[2], "StreamName") <= strings.Index(lines[1], "st/all-streams") {
		t.Errorf("the contributor rows are not indented:\n%s", table.String())
	}
}

// --max-alarms counts a query alarm's contributors' ALARMs, all of them.
func TestGateCountsContributors(t *testing.T) {
	r := Report{Alarms: []AlarmReport{{Stack: "st", Name: "st/all-streams/write-throttled", AlarmCount: 3,
		QueryReport: &QueryReport{Contributors: []ContributorReport{{AlarmCount: 2}, {AlarmCount: 1}}}}}}
	if got := r.Over(2); !slices.Equal(got, []string{"st/st/all-streams/write-throttled (3 times, by 2 contributors)"}) {
		t.Errorf("Over(2) = %q", got)
	}
	if got := r.Over(3); len(got) != 0 {
		t.Errorf("Over(3) = %q, want none: the gate can hold", got)
	}
}

// --chart draws the ChartsPerQueryAlarm contributors that went to ALARM
// the most, each named apart and safely, and the progress says that the
// cap cut some.
func TestChartsOfAQueryAlarmAreCapped(t *testing.T) {
	fake := newFake()
	want := map[string]bool{} // the 20 with the most ALARMs
	for i := range 25 {
		// Stream i goes to ALARM 1 + i/5 times, 3 minutes apart.
		var bursts [][2]int
		for k := range 1 + i/5 {
			bursts = append(bursts, [2]int{5 + 4*k, 6 + 4*k})
		}
		name := fmt.Sprintf("s%02d", i)
		plant(fake, name, bursts...)
		if i >= 5 {
			want[name] = true
		}
	}
	dir := t.TempDir()
	opt := options()
	opt.ChartDir = dir
	var progress strings.Builder
	opt.Progress = &progress
	report, _ := run(t, fake, targetsOf("st", []alarms.Alarm{kind(estate("st"), "/write-throttled")}), opt)
	r := report.Alarms[0]
	if len(r.Contributors) != 25 || r.Chart != "" {
		t.Fatalf("%d contributors, the alarm's chart %q", len(r.Contributors), r.Chart)
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	names := map[string]bool{}
	for _, c := range r.Contributors {
		stream := c.Dimensions["StreamName"]
		if (c.Chart != "") != want[stream] {
			t.Errorf("%s (%d times): chart %q", stream, c.AlarmCount, c.Chart)
			continue
		}
		if c.Chart == "" {
			continue
		}
		if !safe.MatchString(c.Chart) || names[c.Chart] {
			t.Errorf("chart name %q: not safe or not unique", c.Chart)
		}
		names[c.Chart] = true
		if _, err := os.Stat(filepath.Join(dir, c.Chart)); err != nil {
			t.Error(err)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != ChartsPerQueryAlarm {
		t.Errorf("%d files, want %d", len(files), ChartsPerQueryAlarm)
	}
	if !strings.Contains(progress.String(), "note: alarm st/all-streams/write-throttled: charts for 20 of its 25 contributors that went to ALARM") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

// Chart names stay apart when the unsafe characters of two names read the
// same, and stay short.
func TestContributorChartNames(t *testing.T) {
	tg := Target{Stack: "st", Alarm: alarms.Alarm{Name: "st/all-streams/write-throttled"}}
	a := contributorChartName(tg, streamDims("a b"))
	b := contributorChartName(tg, streamDims("a/b"))
	if a == b || !strings.HasPrefix(a, "st--st-all-streams-write-throttled--StreamName-a-b-") || !strings.HasSuffix(a, ".png") {
		t.Errorf("%q and %q", a, b)
	}
	long := contributorChartName(tg, streamDims(strings.Repeat("x", 300)))
	if len(long) > 255 {
		t.Errorf("%d characters", len(long))
	}
}

// A refused call ends the run, naming the alarm whose series were being
// listed; the error keeps CloudWatch's, for the command to word.
func TestRunStopsOnARefusedCall(t *testing.T) {
	fake := newFake()
	fake.refuse = map[string]error{"ListMetrics": fmt.Errorf("AccessDenied")}
	_, _, err := Run(context.Background(), func(string) MetricDataAPI { return fake }, targetsOf("st", estate("st")[:1]), options())
	if err == nil || !strings.Contains(err.Error(), "reading the metrics in us-east-1: listing the series of alarm st/all-streams/write-throttled (AWS/Kinesis WriteProvisionedThroughputExceeded by StreamName): AccessDenied") {
		t.Errorf("error %v", err)
	}
	if _, _, err := Fetch(context.Background(), fake, estate("st")[:1], t0, minutes(1), nil); err == nil {
		t.Error("Fetch took a query alarm")
	}
	if _, err := Replay(targetsOf("st", estate("st")[:1]), [][]evaluator.Point{nil}, options()); err == nil {
		t.Error("Replay took a query alarm")
	}
}

var _ MetricDataAPI = (*cloudwatch.Client)(nil)

// Small groups share a request, up to 500 series in all; a larger group is
// read on its own.
func TestBatchesPackSmallGroups(t *testing.T) {
	sized := func(sizes ...int) []*group {
		var out []*group
		for _, n := range sizes {
			out = append(out, &group{series: make([][]alarms.Dimension, n)})
		}
		return out
	}
	var got [][]int
	for _, b := range batches(sized(3, 600, 2, 499, 1, 500)) {
		var sizes []int
		for _, g := range b {
			sizes = append(sizes, len(g.series))
		}
		got = append(got, sizes)
	}
	if want := [][]int{{3}, {600}, {2}, {499, 1}, {500}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %v, want %v", got, want)
	}
}

// A stream's seven alarms read seven metrics and statistics in one request.
func TestAStacksAlarmsTakeOneRequest(t *testing.T) {
	fake := newFake()
	list := alarms.ForStream(alarms.Stream{Name: "s", RetentionHours: 24}, estateSettings)
	for _, a := range list {
		fake.put(a.Namespace, a.Metric, a.Dimensions, a.Statistic, minutely(minutes(-30), minutes(60), func(int) float64 { return 0 }))
	}
	_, stats := run(t, fake, targetsOf("a", list), options())
	if len(list) != 7 || stats.Metrics != 7 || stats.Requests != 1 || fake.gets != 1 {
		t.Errorf("%d alarms: %d series in %d requests (%d seen), want 7 in 1", len(list), stats.Metrics, stats.Requests, fake.gets)
	}
}
