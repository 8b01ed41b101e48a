package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The compare scenario's stream, made out of band in a region of its own.
const (
	compareRegion = "ap-south-1"
	compareStream = "compare-e2e"
)

// deployCompare: a review of an alarm change by what it would have done.
// A watch-only stack over a stream made out of band is deployed; two
// incidents of write throttling are planted in its history, one of 3
// throttled writes a minute, one of 5. The backtest's --compare deployed
// replays the deployed alarm and the configured one over the same
// history: unchanged, they behave the same; with the threshold raised to
// 3 in cdktf.json and not deployed, the comparison names the incident of 3
// a minute as lost, with its time, and --fail-on-lost-incidents exits 3.
// One DescribeAlarms and one GetMetricData request serve both sides. (A
// watch-only stack's destroy, which leaves the streams, is the estate
// scenarios'.)
func deployCompare(t *testing.T, em *emulator) {
	ctx := context.Background()
	k, cw := em.kinesis(compareRegion), em.cloudwatch(compareRegion)
	settings := map[string]any{"region": compareRegion, "createStream": false, "watchStreams": map[string]any{compareStream: map[string]any{}}}
	p := newProject(t, em, settings)
	alarm := compareStream + config.WriteThrottleSuffix
	// Three hours of history, one datapoint a minute (its Sum): incident A,
	// 3 throttled writes a minute for 3 minutes; incident B, an hour later,
	// 5 a minute; otherwise none. The default alarm (Sum > 1 over 60 s)
	// fires on both; at a threshold of 3, only on B.
	end := time.Now().UTC().Truncate(time.Hour)
	start := end.Add(-3 * time.Hour)
	at := func(minutes int) time.Time { return start.Add(time.Duration(minutes) * time.Minute) }
	const incidentA, incidentB = 60, 120 // their first minutes
	var data []cwtypes.MetricDatum
	for m := -30; m < 180; m++ {
		throttled := 0.0
		switch {
		case m >= incidentA && m < incidentA+3:
			throttled = 3
		case m >= incidentB && m < incidentB+3:
			throttled = 5
		}
		data = append(data, writeDatum(compareStream, at(m), throttled))
	}
	// An incident's span in ALARM, as the evaluator puts it (TestBacktest):
	// from the end of its first breaching minute to the end of its last.
	lostA := backtest.Incident{From: at(incidentA + 1), To: at(incidentA + 4)}
	window := []string{"--start", stamp(start), "--end", stamp(end)}
	compare := slices.Concat([]string{"--compare", "deployed", "--fail-on-lost-incidents"}, window)
	runStages(t,
		stage{"create the stream out of band", func(t *testing.T) {
			if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(compareStream), ShardCount: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			waitActive(ctx, t, k, compareStream)
		}},
		stage{"watch-only stack: synth, terraform init, cdktf deploy", func(t *testing.T) {
			p.synthAndInit(t)
			if out := p.deploy(t); !strings.Contains(out, "1 added, 0 changed, 0 destroyed") {
				t.Errorf("the deploy did not add the one alarm:\n%s", out)
			}
			p.requireNoChanges(t, "after deploying the watch-only stack")
			if a := describeAlarm(ctx, t, cw, alarm); aws.ToFloat64(a.Threshold) != 1 {
				t.Fatalf("the deployed alarm's threshold is %v, want the default 1", aws.ToFloat64(a.Threshold))
			}
		}},
		stage{"PutMetricData: 3.5 hours, two incidents", func(t *testing.T) { putMetricData(ctx, t, cw, data) }},
		stage{"unchanged configuration: no difference", func(t *testing.T) {
			code, stdout, stderr := runBacktest(t, p.dir, p.env, slices.Concat(compare, []string{"--json", "unchanged.json"})...)
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if code != 0 {
				t.Fatalf("exit %d, want 0:\n%s", code, stderr)
			}
			var r backtest.Report
			readJSON(t, filepath.Join(p.dir, "unchanged.json"), &r)
			if a := alarmReport(t, r, alarm); a.AlarmCount != 2 || a.Threshold != 1 {
				t.Errorf("the configured side: %d times in ALARM at threshold %v, want 2 at 1", a.AlarmCount, a.Threshold)
			}
			c := comparisonOf(t, r)
			if c.Against != "deployed" || c.Deployed != 1 || len(c.Added) != 0 || len(c.Removed) != 0 || len(c.Unreplayable) != 0 ||
				c.LostIncidents != 0 || c.NewIncidents != 0 {
				t.Errorf("comparison against %q: %d deployed, added %v, removed %v, unreplayable %v, %d lost, %d new; want deployed, 1, none, none, none, 0, 0",
					c.Against, c.Deployed, c.Added, c.Removed, c.Unreplayable, c.LostIncidents, c.NewIncidents)
			}
			same := &backtest.SideSummary{AlarmCount: 2, MinutesInAlarm: 6}
			want := backtest.AlarmComparison{Stack: config.StackID, Name: alarm, Deployed: same, Configured: same}
			if diff := cmp.Diff(want, comparedAlarm(t, r, alarm), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the alarm's comparison (-want +got):\n%s", diff)
			}
			if i, row := tableRow(stdout, alarm); i != 1 || !strings.Contains(row, "same") || strings.Contains(stdout, "LOST") {
				t.Errorf("the table's row %d of the alarm is %q, want the first, the same, nothing lost:\n%s", i, row, stdout)
			}
		}},
		stage{"threshold 3, not deployed: incident A lost, the gate exits 3", func(t *testing.T) {
			p.setContext(t, maps(settings, map[string]any{"alarmThreshold": 3}))
			code, stdout, stderr := runBacktest(t, p.dir, p.env, slices.Concat(compare, []string{"--json", "changed.json"})...)
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if code != 3 {
				t.Errorf("exit %d, want 3 (--fail-on-lost-incidents):\n%s", code, stderr)
			}
			var r backtest.Report
			readJSON(t, filepath.Join(p.dir, "changed.json"), &r)
			c := comparisonOf(t, r)
			if c.Deployed != 1 || c.LostIncidents != 1 || c.NewIncidents != 0 || len(c.Added) != 0 || len(c.Removed) != 0 {
				t.Errorf("%d deployed, %d lost, %d new, added %v, removed %v; want 1, 1, 0, none, none", c.Deployed, c.LostIncidents, c.NewIncidents, c.Added, c.Removed)
			}
			want := backtest.AlarmComparison{
				Stack: config.StackID, Name: alarm,
				Differences:   []string{"threshold: 1 (deployed) → 3 (configured)"},
				Deployed:      &backtest.SideSummary{AlarmCount: 2, MinutesInAlarm: 6},
				Configured:    &backtest.SideSummary{AlarmCount: 1, MinutesInAlarm: 3},
				LostIncidents: []backtest.Incident{lostA},
			}
			if diff := cmp.Diff(want, comparedAlarm(t, r, alarm), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the alarm's comparison (-want +got):\n%s", diff)
			}
			// The gate's message, the last line of stderr, names the alarm
			// and the time.
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "backtest: 1 incident(s) the deployed alarms raised would have been lost: ") ||
				!strings.Contains(last, alarm) || !strings.Contains(last, stamp(lostA.From)) {
				t.Errorf("stderr's last line %q does not name the lost incident (%s at %s)", last, alarm, stamp(lostA.From))
			}
			// The table starts with the difference: the alarm's row, first,
			// names the threshold and the lost incident with its start.
			if i, row := tableRow(stdout, alarm); i != 1 || !strings.Contains(row, "CHANGED") ||
				!strings.Contains(row, want.Differences[0]) || !strings.Contains(row, "LOST "+stamp(lostA.From)) {
				t.Errorf("the table's row %d of the alarm is %q, want the first, with the difference and LOST %s:\n%s", i, row, stamp(lostA.From), stdout)
			}
		}},
		stage{"on the wire: one DescribeAlarms, one GetMetricData for both sides", func(t *testing.T) {
			proxy := countingProxy(t, em.url)
			if code, _, stderr := runBacktest(t, p.dir, withEndpoint(p.env, proxy.url), compare...); code != 3 {
				t.Fatalf("exit %d, want 3:\n%s", code, stderr)
			}
			if got, want := proxy.counts(), map[string]int{"DescribeAlarms": 1, "GetMetricData": 1}; !cmp.Equal(got, want) {
				t.Errorf("requests by action %v, want %v: the deployed alarms read in one request, the history once for both sides", got, want)
			}
		}},
	)
}

// comparisonOf is the report's comparison; a report without one fails
// the test.
func comparisonOf(t *testing.T, r backtest.Report) *backtest.Comparison {
	t.Helper()
	if r.Comparison == nil {
		t.Fatal("the report has no comparison")
	}
	return r.Comparison
}

// comparedAlarm is the comparison of the alarm of that name.
func comparedAlarm(t *testing.T, r backtest.Report, name string) backtest.AlarmComparison {
	t.Helper()
	for _, a := range comparisonOf(t, r).Alarms {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("the comparison has no alarm %s: %+v", name, r.Comparison.Alarms)
	return backtest.AlarmComparison{}
}

// tableRow is the row of the table whose ALARM column (the second) is
// alarm, and its index among the lines (the header is 0); -1 and "" when
// there is none.
func tableRow(table, alarm string) (int, string) {
	for i, line := range strings.Split(table, "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[1] == alarm {
			return i, line
		}
	}
	return -1, ""
}

// TestCompareRefusals: what --compare deployed does when it cannot compare
// everything, each case that reads AWS in a region of its own: nothing
// deployed yet, credentials without cloudwatch:DescribeAlarms, a deployed
// alarm the evaluator cannot replay, a value of --compare it does not know.
func TestCompareRefusals(t *testing.T) {
	slow(t)
	em := startEmulator(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	window := []string{"--start", stamp(now.Add(-time.Hour)), "--end", stamp(now)}
	compare := slices.Concat([]string{"--compare", "deployed"}, window)

	t.Run("nothing deployed yet: said, the configured side reported, exit 0", func(t *testing.T) {
		settings := map[string]any{"region": "eu-west-3", "streamName": "fresh-e2e", "alarmName": "fresh-e2e-write-throttled"}
		dir := t.TempDir()
		writeContext(t, dir, settings)
		code, stdout, stderr := runBacktest(t, dir, em.env, slices.Concat(compare, []string{"--fail-on-lost-incidents", "--json", "r.json"})...)
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		if code != 0 || !strings.Contains(stderr, "no deployed alarm found") {
			t.Fatalf("exit %d, want 0 with a message \"no deployed alarm found …\":\n%s", code, stderr)
		}
		var r backtest.Report
		readJSON(t, filepath.Join(dir, "r.json"), &r)
		alarmReport(t, r, "fresh-e2e-write-throttled")
		if c := comparisonOf(t, r); c.Deployed != 0 || !cmp.Equal(c.Added, []string{"fresh-e2e-write-throttled"}) || len(c.Removed) != 0 || c.LostIncidents != 0 {
			t.Errorf("comparison %+v, want nothing deployed, the configured alarm added", c)
		}
		if _, row := tableRow(stdout, "fresh-e2e-write-throttled"); !strings.Contains(row, "ADDED") {
			t.Errorf("the table's row of the configured alarm is %q, want it added:\n%s", row, stdout)
		}
	})

	t.Run("credentials without cloudwatch:DescribeAlarms: named, exit 1", func(t *testing.T) {
		dir := t.TempDir()
		writeContext(t, dir, map[string]any{"streamName": "denied-e2e"})
		proxy := refusingProxy(t, em.url, "DescribeAlarms")
		code, _, stderr := runBacktest(t, dir, withEndpoint(em.env, proxy.url), compare...)
		t.Logf("stderr:\n%s", stderr)
		if code != 1 || !strings.Contains(stderr, "cloudwatch:DescribeAlarms") || strings.Contains(stderr, "panic") {
			t.Errorf("exit %d, want 1 with a message naming cloudwatch:DescribeAlarms:\n%s", code, stderr)
		}
		if proxy.requests.Load() == 0 {
			t.Error("DescribeAlarms was never called")
		}
	})

	t.Run("a deployed alarm the evaluator cannot replay: named with its reason, the other compared", func(t *testing.T) {
		const region = "ap-northeast-2"
		settings := map[string]any{"region": region, "createStream": false,
			"watchStreams": map[string]any{"replayable-e2e": map[string]any{}, "percentile-e2e": map[string]any{}}}
		dir := t.TempDir()
		writeContext(t, dir, settings)
		cw := em.cloudwatch(region)
		for _, a := range estateConfig(t, settings).Alarms() {
			in := putAlarmInput(a)
			if strings.HasPrefix(a.Name, "percentile-e2e") {
				in.Statistic, in.ExtendedStatistic = "", aws.String("p99")
			}
			if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		code, stdout, stderr := runBacktest(t, dir, em.env, slices.Concat(compare, []string{"--json", "r.json"})...)
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		if code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, stderr)
		}
		// The table names it with its reason, before the alarm that
		// behaves the same.
		i, unreplayable := tableRow(stdout, "percentile-e2e-write-throttled")
		j, same := tableRow(stdout, "replayable-e2e-write-throttled")
		if !strings.Contains(unreplayable, "UNREPLAYABLE") || !strings.Contains(unreplayable, "p99") || !strings.Contains(same, "same") || i > j {
			t.Errorf("the table's rows %d %q and %d %q; want the percentile alarm unreplayable for its p99, then the other the same:\n%s", i, unreplayable, j, same, stdout)
		}
		var r backtest.Report
		readJSON(t, filepath.Join(dir, "r.json"), &r)
		c := comparisonOf(t, r)
		if len(c.Unreplayable) != 1 || c.Unreplayable[0].Name != "percentile-e2e-write-throttled" ||
			!slices.ContainsFunc(c.Unreplayable[0].Reasons, func(r string) bool { return strings.Contains(r, "p99") }) {
			t.Fatalf("comparison %+v, want percentile-e2e-write-throttled unreplayable, its reason naming p99", c)
		}
		if c.Deployed != 2 || len(c.Added) != 0 || len(c.Removed) != 0 {
			t.Errorf("%d deployed, added %v, removed %v; want 2 (the unreplayable counted), none, none", c.Deployed, c.Added, c.Removed)
		}
		if a := comparedAlarm(t, r, "replayable-e2e-write-throttled"); a.Deployed == nil || a.Configured == nil || len(a.Differences) != 0 {
			t.Errorf("the replayable alarm: %+v, want both sides, no difference", a)
		}
	})

	t.Run("--compare of something else: exit 2, naming deployed", func(t *testing.T) {
		dir := t.TempDir()
		writeContext(t, dir, map[string]any{"streamName": "bad-flag-e2e"})
		code, _, stderr := runBacktest(t, dir, em.env, slices.Concat([]string{"--compare", "main"}, window)...)
		t.Logf("stderr:\n%s", stderr)
		if code != 2 || !strings.Contains(stderr, `--compare "main"`) || !strings.Contains(stderr, "deployed") {
			t.Errorf("exit %d, want 2 naming the value and the allowed one, deployed:\n%s", code, stderr)
		}
	})
}

// putAlarmInput is the PutMetricAlarm request that deploys the alarm as
// the stack would (no actions): what DescribeAlarms then returns reads
// back as the alarm (backtest.DeployedAlarm).
func putAlarmInput(a alarms.Alarm) *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(a.Name), AlarmDescription: aws.String(a.Description),
		Namespace: aws.String(a.Namespace), MetricName: aws.String(a.Metric),
		Statistic: cwtypes.Statistic(a.Statistic), Period: aws.Int32(int32(a.Period)),
		EvaluationPeriods: aws.Int32(int32(a.EvaluationPeriods)), Threshold: aws.Float64(a.Threshold),
		ComparisonOperator: cwtypes.ComparisonOperator(a.Comparison), TreatMissingData: aws.String(a.TreatMissingData),
	}
	if a.DatapointsToAlarm != 0 { // unset: the stack leaves it out
		in.DatapointsToAlarm = aws.Int32(int32(a.DatapointsToAlarm))
	}
	for _, d := range a.Dimensions {
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	return in
}

// refusingProxy stands in front of the emulator and answers every request
// for the action as CloudWatch answers credentials whose policy does not
// allow it (moto allows everything): 403, AccessDenied. The message does
// not name the permission, so that a message that does is the app's.
func refusingProxy(t *testing.T, target, action string) *proxy {
	t.Helper()
	p := &proxy{}
	p.url = serveInFront(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		if requestAction(r) != action {
			return false
		}
		p.requests.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, fmt.Sprintf(`<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform this action</Message></Error><RequestId>denied-%d</RequestId></ErrorResponse>`, p.requests.Load()))
		return true
	})
	return p
}
