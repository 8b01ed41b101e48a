package backtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// on is an alarm of stream s: Sum of the metric over a minute above the
// threshold, for one minute.
func on(name, metric string, threshold float64) alarms.Alarm {
	a := specAlarm
	a.Name, a.Metric, a.Threshold = name, metric, threshold
	return a
}

// bursts are one-minute datapoints over the window and the history before
// it: value v in each minute of the bursts ([from, to) minute pairs), 0
// elsewhere.
func bursts(v float64, pairs ...[2]int) []evaluator.Point {
	return minutely(minutes(-30), minutes(60), func(m int) float64 {
		for _, p := range pairs {
			if m >= p[0] && m < p[1] {
				return v
			}
		}
		return 0
	})
}

// comparisonCase is a stack whose configuration changes one thing of each
// kind against what is deployed, over an hour of datapoints planted in the
// fake CloudWatch:
//   - wt: the threshold from 1 to 4: its burst of 2 at minutes 10-12 is
//     lost, the one of 5 at minutes 40-42 is raised by both;
//   - reads: the threshold from 10 to 1: the burst of 3 at minute 20 is new;
//   - age: the same on both sides, never in ALARM;
//   - records: configured only (added), its burst of 200 at minute 50 new;
//   - outgoing: deployed only (removed, in the state), its burst at minute 5
//     lost;
//   - latency: deployed with a percentile, which cannot be replayed;
//   - bytes: the period from 60 to 120 s, the same incident at minute 25;
//     bytes-2m: the same on both sides, on the configured bytes' metric,
//     statistic and period, named before it so that the configured side of
//     bytes is replayed before the deployed one;
//   - the query alarm of every stream's write throttling: stream t now
//     excluded, so its burst at minute 30 is lost; stream s's incidents
//     are on both sides.
func comparisonCase() (*fakeCloudWatch, []Target, Deployed) {
	fake := newFake()
	s, tdims := streamDims("s"), streamDims("t")
	fake.put(kinesis.Namespace, wpte, s, "Sum", bursts(0, [2]int{0, 0}))
	for m, v := range map[int]float64{10: 2, 11: 2, 12: 2, 40: 5, 41: 5, 42: 5} {
		fake.data[dataKey(kinesis.Namespace, wpte, s, "Sum")][m+30].Value = v
	}
	fake.put(kinesis.Namespace, wpte, tdims, "Sum", bursts(3, [2]int{30, 31}))
	fake.put(kinesis.Namespace, "ReadProvisionedThroughputExceeded", s, "Sum", bursts(3, [2]int{20, 21}))
	fake.put(kinesis.Namespace, "GetRecords.IteratorAgeMilliseconds", s, "Sum", bursts(0))
	fake.put(kinesis.Namespace, "IncomingRecords", s, "Sum", bursts(200, [2]int{50, 51}))
	fake.put(kinesis.Namespace, "OutgoingBytes", s, "Sum", bursts(5, [2]int{5, 6}))
	fake.put(kinesis.Namespace, "IncomingBytes", s, "Sum", bursts(2, [2]int{25, 26}))

	twoMinutes := func(a alarms.Alarm) alarms.Alarm { a.Period = 120; return a }
	deployedQuery := kind(estate("st"), "/write-throttled")
	configuredQuery := kind(estate("st", "t"), "/write-throttled")
	dep := []alarms.Alarm{
		twoMinutes(on("bytes-2m", "IncomingBytes", 1)),
		on("wt", wpte, 1), on("reads", "ReadProvisionedThroughputExceeded", 10), on("age", "GetRecords.IteratorAgeMilliseconds", 1000),
		on("outgoing", "OutgoingBytes", 1), on("bytes", "IncomingBytes", 1), deployedQuery,
	}
	conf := []alarms.Alarm{
		on("wt", wpte, 4), on("reads", "ReadProvisionedThroughputExceeded", 1), on("age", "GetRecords.IteratorAgeMilliseconds", 1000),
		on("records", "IncomingRecords", 100), on("latency", "GetRecords.Latency", 100),
		twoMinutes(on("bytes-2m", "IncomingBytes", 1)), twoMinutes(on("bytes", "IncomingBytes", 1)), configuredQuery,
	}
	deployed := Deployed{Targets: targetsOf("st", dep), Found: len(dep) + 1,
		Unreplayable: []UnreplayableAlarm{{Stack: "st", Name: "latency", Reasons: []string{"its statistic is the extended statistic p99"}}}}
	return fake, targetsOf("st", conf), deployed
}

func compare(t *testing.T, fake *fakeCloudWatch, conf []Target, dep Deployed, opt Options) (Report, FetchStats) {
	t.Helper()
	report, stats, err := Compare(context.Background(), func(string) MetricDataAPI { return fake }, conf, dep, opt)
	if err != nil {
		t.Fatal(err)
	}
	return report, stats
}

func comparisonOf(t *testing.T, c *Comparison, name string) AlarmComparison {
	t.Helper()
	for _, a := range c.Alarms {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no alarm %s in the comparison", name)
	return AlarmComparison{}
}

func incidentStarts(list []Incident) []string {
	var out []string
	for _, in := range list {
		text := stamp(in.From)
		if len(in.Dimensions) > 0 {
			text = mapText(in.Dimensions) + " " + text
		}
		out = append(out, text)
	}
	return out
}

// Each kind of difference is reported, and an alarm that behaves the same
// reports none of them.
func TestComparisonReportsEachDifference(t *testing.T) {
	fake, conf, dep := comparisonCase()
	report, _ := compare(t, fake, conf, dep, options())
	c := report.Comparison
	query := "st/all-streams/write-throttled"
	for _, tc := range []struct {
		alarm       string
		differences []string
		lost, new   []string
		deployed    *SideSummary
		configured  *SideSummary
	}{
		{"wt", []string{"threshold: 1 (deployed) → 4 (configured)"}, []string{"2026-11-20T00:11:00Z"}, nil, &SideSummary{2, 6}, &SideSummary{1, 3}},
		{"reads", []string{"threshold: 10 (deployed) → 1 (configured)"}, nil, []string{"2026-11-20T00:21:00Z"}, &SideSummary{0, 0}, &SideSummary{1, 1}},
		{"age", nil, nil, nil, &SideSummary{0, 0}, &SideSummary{0, 0}},
		{"records", nil, nil, []string{"2026-11-20T00:51:00Z"}, nil, &SideSummary{1, 1}},
		{"outgoing", nil, []string{"2026-11-20T00:06:00Z"}, nil, &SideSummary{1, 1}, nil},
		{"bytes", []string{"period: 60 (deployed) → 120 (configured)"}, nil, nil, &SideSummary{1, 1}, &SideSummary{1, 2}},
		{query, []string{
			`description: "Covers every stream of the region: each is a contributor, named by StreamName, with an ALARM or OK state and a notification of its own. " (deployed) → ` +
				`"Covers every stream of the region, but the 1 streams left out of the query: each is a contributor, named by StreamName, with an ALARM or OK state and a notification of its own. " (configured)`,
			"query: grouped by [StreamName], excluding [] (deployed) → grouped by [StreamName], excluding [t] (configured)"},
			[]string{"StreamName=t 2026-11-20T00:31:00Z"}, nil, &SideSummary{3, 7}, &SideSummary{2, 6}},
	} {
		t.Run(tc.alarm, func(t *testing.T) {
			a := comparisonOf(t, c, tc.alarm)
			if !slices.Equal(a.Differences, tc.differences) && len(a.Differences)+len(tc.differences) > 0 {
				t.Errorf("differences %q, want %q", a.Differences, tc.differences)
			}
			if got := incidentStarts(a.LostIncidents); !slices.Equal(got, tc.lost) {
				t.Errorf("lost incidents %q, want %q", got, tc.lost)
			}
			if got := incidentStarts(a.NewIncidents); !slices.Equal(got, tc.new) {
				t.Errorf("new incidents %q, want %q", got, tc.new)
			}
			for _, side := range []struct {
				name      string
				got, want *SideSummary
			}{{"deployed", a.Deployed, tc.deployed}, {"configured", a.Configured, tc.configured}} {
				if (side.got == nil) != (side.want == nil) || side.got != nil && *side.got != *side.want {
					t.Errorf("%s side %+v, want %+v", side.name, side.got, side.want)
				}
			}
			wantDiffers := len(tc.differences)+len(tc.lost)+len(tc.new) > 0 || tc.deployed == nil || tc.configured == nil
			if a.Differs() != wantDiffers {
				t.Errorf("Differs() = %v, want %v", a.Differs(), wantDiffers)
			}
		})
	}
	if !slices.Equal(c.Added, []string{"records"}) || !slices.Equal(c.Removed, []string{"outgoing"}) {
		t.Errorf("added %q, removed %q; want [records], [outgoing]", c.Added, c.Removed)
	}
	if len(c.Unreplayable) != 1 || c.Unreplayable[0].Name != "latency" || slices.ContainsFunc(c.Alarms, func(a AlarmComparison) bool { return a.Name == "latency" }) {
		t.Errorf("unreplayable %+v: want latency, and left out of the alarms (neither added nor compared)", c.Unreplayable)
	}
	if c.LostIncidents != 3 || c.NewIncidents != 2 || c.Deployed != 8 || c.Against != "deployed" {
		t.Errorf("lost %d, new %d, deployed %d, against %q; want 3, 2, 8, deployed", c.LostIncidents, c.NewIncidents, c.Deployed, c.Against)
	}
	if got := c.Lost(); !slices.Equal(got, []string{"st/wt at 2026-11-20T00:11:00Z", "st/" + query + " (StreamName=t) at 2026-11-20T00:31:00Z",
		"st/outgoing at 2026-11-20T00:06:00Z"}) {
		t.Errorf("Lost() = %q", got)
	}
	// Those that differ first.
	var order []string
	for _, a := range c.Alarms {
		order = append(order, a.Name)
	}
	if want := []string{"wt", "reads", "records", "bytes", query, "outgoing", "age", "bytes-2m"}; !slices.Equal(order, want) {
		t.Errorf("the comparison's alarms %q, want %q", order, want)
	}
	// The report's alarms are the configured side's.
	var names []string
	for _, a := range report.Alarms {
		names = append(names, a.Name)
	}
	if want := []string{"wt", "reads", "age", "records", "latency", "bytes-2m", "bytes", query}; !slices.Equal(names, want) {
		t.Errorf("the report's alarms %q, want the configured %q", names, want)
	}
}

// Both sides come from one fetch: a series both read (stream s's write
// throttling, read by wt and the query alarm on both sides) is asked once,
// as is each other.
func TestComparisonFetchesOnce(t *testing.T) {
	fake, conf, dep := comparisonCase()
	_, stats := compare(t, fake, conf, dep, options())
	for key, n := range fake.queries {
		if n != 1 {
			t.Errorf("%s asked %d times, want once", strings.ReplaceAll(key, "\x00", ","), n)
		}
	}
	// 9 series: WPTE of s and t, reads, age, records, outgoing, bytes by
	// 60 and by 120 s, and latency (configured; its deployed alarm is
	// unreplayable).
	if len(fake.queries) != 9 || stats.Metrics != 9 {
		t.Errorf("%d series asked (%d counted), want 9", len(fake.queries), stats.Metrics)
	}
	// The negative: the two sides fetched apart ask the shared series twice.
	fake2, _, _ := comparisonCase()
	run(t, fake2, conf, options())
	run(t, fake2, dep.Targets, options())
	if n := fake2.queries[dataKey(kinesis.Namespace, wpte, streamDims("s"), "Sum")+"|60"]; n != 2 {
		t.Errorf("fetched apart: stream s's series asked %d times, want 2", n)
	}
}

// Without a comparison the JSON is Run's, byte for byte; the comparison
// only adds its object, and the configured side's alarms are the same.
func TestComparisonJSONOnlyAdds(t *testing.T) {
	fake, conf, dep := comparisonCase()
	plain, _ := run(t, fake, conf, options())
	compared, _ := compare(t, newFakeLike(fake), conf, dep, options())
	var a, b bytes.Buffer
	if err := plain.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.String(), `"comparison":{`) {
		t.Errorf("Run's JSON has a comparison: %s", a.String())
	}
	alone := compared
	alone.Comparison = nil
	if err := alone.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the compared report's alarms are not Run's:\n%s\nwant\n%s", b.String(), a.String())
	}
	b.Reset()
	if err := compared.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	prefix := strings.TrimSuffix(a.String(), "}\n")
	if !strings.HasPrefix(b.String(), prefix+`,"comparison":{"against":"deployed","deployed":8,"added":["records"],"removed":["outgoing"],`+
		`"unreplayable":[{"stack":"st","name":"latency","reasons":["its statistic is the extended statistic p99"]}],"lostIncidents":3,"newIncidents":2,"alarms":[`+
		`{"stack":"st","name":"wt","differences":["threshold: 1 (deployed) → 4 (configured)"],"deployed":{"alarmCount":2,"minutesInAlarm":6},"configured":{"alarmCount":1,"minutesInAlarm":3},`+
		`"lostIncidents":[{"from":"2026-11-20T00:11:00Z","to":"2026-11-20T00:14:00Z"}],"newIncidents":[]}`) {
		t.Errorf("the JSON with a comparison:\n%s", b.String())
	}
	var decoded struct {
		Comparison struct {
			Alarms []struct {
				Name          string
				Deployed      *SideSummary
				LostIncidents []struct{ Dimensions map[string]string }
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	for _, a := range decoded.Comparison.Alarms {
		switch {
		case a.Name == "records" && a.Deployed != nil:
			t.Errorf("an added alarm's deployed side is %+v, want null", a.Deployed)
		case strings.Contains(a.Name, "all-streams") && (len(a.LostIncidents) != 1 || a.LostIncidents[0].Dimensions["StreamName"] != "t"):
			t.Errorf("the query alarm's lost incident %+v, want one with the dimensions of stream t", a.LostIncidents)
		}
	}
}

// newFakeLike is a fake with the same metrics and datapoints, and no calls.
func newFakeLike(f *fakeCloudWatch) *fakeCloudWatch {
	g := newFake()
	g.metrics, g.listed, g.data = f.metrics, f.listed, f.data
	return g
}

// The table starts with the alarms that differ, a line each, then the
// unreplayable, then those that behave the same; a lost incident's line
// says LOST, the alarm and its start.
func TestComparisonTable(t *testing.T) {
	fake, conf, dep := comparisonCase()
	report, _ := compare(t, fake, conf, dep, options())
	var out strings.Builder
	if err := report.WriteComparison(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := [][]string{
		{"STACK", "ALARM", "CHANGE", "IN ALARM (DEPLOYED → CONFIGURED)", "DIFFERENCES"},
		{"st", "wt", "CHANGED", "2 times, 6 min → 1 time, 3 min", "threshold: 1 (deployed) → 4 (configured); LOST 2026-11-20T00:11:00Z for 3 min"},
		{"st", "reads", "CHANGED", "0 times, 0 min → 1 time, 1 min", "threshold: 10 (deployed) → 1 (configured); NEW 2026-11-20T00:21:00Z for 1 min"},
		{"st", "records", "ADDED", "- → 1 time, 1 min", "not deployed; NEW 2026-11-20T00:51:00Z for 1 min"},
		{"st", "bytes", "CHANGED", "1 time, 1 min → 1 time, 2 min", "period: 60 (deployed) → 120 (configured)"},
		{"st", "st/all-streams/write-throttled", "CHANGED", "3 times, 7 min → 2 times, 6 min", "description: ", "; query: grouped by [StreamName], excluding [] (deployed) → grouped by [StreamName], excluding [t] (configured); LOST StreamName=t 2026-11-20T00:31:00Z for 1 min"},
		{"st", "outgoing", "REMOVED", "1 time, 1 min → -", "deployed, no longer configured; LOST 2026-11-20T00:06:00Z for 1 min"},
		{"st", "latency", "UNREPLAYABLE", "? → 0 times, 0 min", "the deployed alarm cannot be replayed: its statistic is the extended statistic p99"},
		{"st", "age", "same", "0 times, 0 min → 0 times, 0 min"},
		{"st", "bytes-2m", "same", "1 time, 2 min → 1 time, 2 min"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, cells := range want {
		if !testkit.InOrder(lines[i], cells) || strings.HasSuffix(lines[i], " ") {
			t.Errorf("line %d: %q, want the cells %q and no space at its end", i, lines[i], cells)
		}
	}
	// The negative: with nothing to compare, the plain table.
	report.Comparison = nil
	out.Reset()
	if err := report.WriteComparison(&out); err != nil || strings.Contains(out.String(), "CHANGE") || !strings.Contains(out.String(), "TIMES IN ALARM") {
		t.Errorf("without a comparison: %v\n%s", err, out.String())
	}
}

// chartDir keeps TestComparisonCharts' pictures to look at:
// go test ./backtest -run TestComparisonCharts -chart-dir /tmp/charts
var chartDir = flag.String("chart-dir", "", "write TestComparisonCharts' pictures into this directory")

// With --chart, each pair that differs gets a picture of both sides (the
// configured side's datapoints held when its group comes first), a query
// alarm's per contributor that differs, a removed alarm its own chart;
// one that behaves the same none.
func TestComparisonCharts(t *testing.T) {
	fake, conf, dep := comparisonCase()
	opt := options()
	opt.ChartDir = t.TempDir()
	if *chartDir != "" {
		opt.ChartDir = *chartDir
	}
	report, _ := compare(t, fake, conf, dep, opt)
	c := report.Comparison
	for _, tc := range []struct {
		alarm string
		want  []string
	}{
		{"wt", []string{"st--wt--against-deployed.png"}},
		{"bytes", []string{"st--bytes--against-deployed.png"}}, // its configured side replayed first, its datapoints held
		{"st/all-streams/write-throttled", []string{"st--st-all-streams-write-throttled--StreamName-t-"}},
		{"outgoing", []string{"st--outgoing.png"}},
		{"age", nil},
		{"records", nil}, // its own chart is in the report's alarms
	} {
		t.Run(tc.alarm, func(t *testing.T) {
			got := comparisonOf(t, c, tc.alarm).Charts
			if len(got) != len(tc.want) {
				t.Fatalf("charts %q, want %q", got, tc.want)
			}
			for i, name := range got {
				if !strings.HasPrefix(name, tc.want[i]) || !strings.HasSuffix(name, ".png") {
					t.Errorf("chart %q, want %q…", name, tc.want[i])
				}
				if _, err := os.Stat(filepath.Join(opt.ChartDir, name)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	// The deployed side of a pair gets no chart of its own; the configured
	// alarms get theirs, as with Run.
	files, _ := filepath.Glob(filepath.Join(opt.ChartDir, "*.png"))
	var plain []string
	for _, f := range files {
		if !strings.HasSuffix(f, "--against-deployed.png") && !strings.Contains(f, "all-streams") {
			plain = append(plain, filepath.Base(f))
		}
	}
	if want := []string{"st--age.png", "st--bytes-2m.png", "st--bytes.png", "st--latency.png", "st--outgoing.png", "st--reads.png", "st--records.png", "st--wt.png"}; !slices.Equal(plain, want) {
		t.Errorf("the plain charts %q, want %q", plain, want)
	}
}

// The deployed side is what DescribeDeployed found under the lookups: each
// alarm read with DeployedAlarm, a shape the evaluator cannot replay and a
// period whose data CloudWatch no longer keeps unreplayable.
func TestNewDeployed(t *testing.T) {
	good := deployed()
	good.AlarmName = aws.String("good")
	p99 := deployed()
	p99.AlarmName, p99.Statistic, p99.ExtendedStatistic = aws.String("p99"), "", aws.String("p99")
	tenSeconds := deployed()
	tenSeconds.AlarmName, tenSeconds.Period = aws.String("ten-seconds"), aws.Int32(10)
	found := map[string]map[string]cwtypes.MetricAlarm{"us-east-1": {"good": good, "p99": p99, "ten-seconds": tenSeconds}}
	now := t0.Add(24 * time.Hour)
	w := Window{Start: now.Add(-14 * 24 * time.Hour), End: now}
	d := NewDeployed(found, []Lookup{
		{"st", "us-east-1", "good"}, {"st", "us-east-1", "p99"}, {"st", "us-east-1", "ten-seconds"},
		{"st", "us-east-1", "not-deployed"}, {"st", "us-east-1", "good"}, {"st", "eu-west-1", "good"},
	}, w, now)
	if d.Found != 3 || len(d.Targets) != 1 || d.Targets[0].Alarm.Name != "good" || d.Targets[0].Stack != "st" || d.Targets[0].Region != "us-east-1" {
		t.Errorf("found %d, targets %+v; want 3 and good alone (a name looked up twice counts once, one of another region is not found)", d.Found, d.Targets)
	}
	var names []string
	for _, u := range d.Unreplayable {
		names = append(names, u.Name+": "+strings.Join(u.Reasons, "; "))
	}
	if len(names) != 2 || !strings.Contains(names[0], "p99: its statistic is the extended statistic p99") ||
		!strings.Contains(names[1], "ten-seconds: CloudWatch keeps the data of its period (10 s) 3 hours") {
		t.Errorf("unreplayable %q", names)
	}
}

// M of N written as N of N is the rule left unset: no difference to review;
// another M is one.
func TestComparisonTakesNOfNAsUnset(t *testing.T) {
	conf := alarms.Alarm{Name: "a", EvaluationPeriods: 3, Comparison: alarms.GreaterThanThreshold}
	for _, c := range []struct {
		deployedM int
		want      int
	}{{3, 0}, {0, 0}, {2, 1}} {
		dep := conf
		dep.DatapointsToAlarm = c.deployedM
		if got := alarms.Differences(asEvaluated(dep), asEvaluated(conf)); len(got) != c.want {
			t.Errorf("deployed %d of 3, configured unset: %v, want %d differences", c.deployedM, got, c.want)
		}
	}
}
