package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// TestBacktest plants four hours of datapoints with two incidents of write
// throttling on the emulator (PutMetricData; moto stores and aggregates
// them as CloudWatch does) and replays the stack's alarms over them with
// the app's backtest command, as a user runs it.
func TestBacktest(t *testing.T) {
	slow(t)
	t.Parallel()
	em := startEmulator(t)
	ctx := context.Background()
	const stream = "backtest-e2e"
	end := time.Now().UTC().Truncate(time.Hour)
	start := end.Add(-4 * time.Hour)
	at := func(minutes int) time.Time { return start.Add(time.Duration(minutes) * time.Minute) }
	// Incident A: five minutes with 3 of 10 writes throttled (Sum 3, Average
	// 0.3); incident B: twenty. Otherwise no throttling, but a single
	// throttled write every seventh minute (Sum 1: the specification's alarm,
	// Sum > 1, must not fire on it).
	incident := func(m int) bool { return (m >= 60 && m < 65) || (m >= 150 && m < 170) }
	var data []cwtypes.MetricDatum
	for m := -30; m < 240; m++ {
		throttled := 0
		switch {
		case incident(m):
			throttled = 3
		case m%7 == 0:
			throttled = 1
		}
		for k := range 10 {
			data = append(data, writeDatum(stream, at(m), float64(min(1, max(0, throttled-k)))))
		}
	}
	dir := t.TempDir()
	writeContext(t, dir, map[string]any{"streamName": stream, "recommendedAlarms": true})
	var report backtest.Report
	runStages(t,
		stage{"PutMetricData: 4.5 hours, two incidents", func(t *testing.T) { putMetricData(ctx, t, em.cloudwatch("us-east-1"), data) }},
		stage{"backtest with --json and --chart", func(t *testing.T) {
			code, stdout, stderr := runBacktest(t, dir, em.env, "--start", stamp(start), "--end", stamp(end), "--json", "report.json", "--chart", "charts")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			readJSON(t, filepath.Join(dir, "report.json"), &report)
			if !report.Window.Start.Equal(start) || !report.Window.End.Equal(end) {
				t.Errorf("window %v, want %s to %s", report.Window, stamp(start), stamp(end))
			}
			if !strings.Contains(stdout, "backtest-e2e-sustained-write-throttling") || !strings.Contains(stdout, "TIMES IN ALARM") {
				t.Errorf("the table lacks its header or an alarm:\n%s", stdout)
			}
		}},
		stage{"the specification's alarm fired twice, exactly at the incidents", func(t *testing.T) {
			a := alarmReport(t, report, "xfusion-kinesis-alarm")
			want := []string{
				stamp(at(1)) + " INSUFFICIENT_DATA→OK",
				stamp(at(61)) + " OK→ALARM", stamp(at(66)) + " ALARM→OK",
				stamp(at(151)) + " OK→ALARM", stamp(at(171)) + " ALARM→OK",
			}
			if diff := cmp.Diff(want, transitions(a)); diff != "" {
				t.Errorf("transitions (-want +got):\n%s", diff)
			}
			if a.AlarmCount != 2 || a.MinutesInAlarm != 25 || a.FinalState != evaluator.OK || a.Datapoints != 240 {
				t.Errorf("alarm count %d, %v minutes in ALARM, final %s, %d datapoints; want 2, 25, OK, 240", a.AlarmCount, a.MinutesInAlarm, a.FinalState, a.Datapoints)
			}
		}},
		stage{"the sustained alarm (15 of 15) fired once, 15 minutes into incident B", func(t *testing.T) {
			a := alarmReport(t, report, stream+"-sustained-write-throttling")
			want := []string{stamp(at(1)) + " INSUFFICIENT_DATA→OK", stamp(at(165)) + " OK→ALARM", stamp(at(171)) + " ALARM→OK"}
			if diff := cmp.Diff(want, transitions(a)); diff != "" {
				t.Errorf("transitions (-want +got):\n%s", diff)
			}
		}},
		stage{"alarms on metrics without data stay OK (missing data not breaching)", func(t *testing.T) {
			for _, r := range alarms.RecommendedSet {
				if r.Metric == "WriteProvisionedThroughputExceeded" {
					continue
				}
				if a := alarmReport(t, report, stream+r.NameSuffix); a.AlarmCount != 0 || a.FinalState != evaluator.OK || a.Datapoints != 0 {
					t.Errorf("%s: %d alarms, final %s, %d datapoints", a.Name, a.AlarmCount, a.FinalState, a.Datapoints)
				}
			}
		}},
		stage{"one chart per alarm", func(t *testing.T) {
			if len(report.Alarms) != 1+len(alarms.RecommendedSet) {
				t.Fatalf("%d alarms in the report", len(report.Alarms))
			}
			for _, a := range report.Alarms {
				f, err := os.Open(filepath.Join(dir, "charts", a.Chart))
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(f)
				f.Close()
				if err != nil || img.Bounds().Dx() < 600 {
					t.Errorf("%s: %v, %v", a.Chart, err, img)
				}
			}
		}},
		stage{"--max-alarms 1: exit 3, naming the alarm", func(t *testing.T) {
			code, _, stderr := runBacktest(t, dir, em.env, "--start", stamp(start), "--end", stamp(end), "--max-alarms", "1")
			if code != 3 || !strings.Contains(stderr, "kinesis-monitoring/xfusion-kinesis-alarm (2 times)") {
				t.Errorf("exit %d, want 3 naming the alarm:\n%s", code, stderr)
			}
			if code, _, stderr := runBacktest(t, dir, em.env, "--start", stamp(start), "--end", stamp(end), "--max-alarms", "2"); code != 0 {
				t.Errorf("--max-alarms 2: exit %d, want 0:\n%s", code, stderr)
			}
		}},
		stage{"--suggest 0: the threshold that never fires", func(t *testing.T) {
			code, stdout, stderr := runBacktest(t, dir, em.env, "--start", stamp(start), "--end", stamp(end), "--suggest", "0", "--json", "suggest.json")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			var r backtest.Report
			readJSON(t, filepath.Join(dir, "suggest.json"), &r)
			s := alarmReport(t, r, "xfusion-kinesis-alarm").Suggestion
			if code != 0 || s == nil || s.Threshold == nil || *s.Threshold != 3 || !strings.Contains(stdout, "SUGGESTED THRESHOLD") {
				t.Errorf("exit %d, suggestion %+v (want 3: the highest Sum seen):\n%s%s", code, s, stdout, stderr)
			}
		}},
	)
}

// TestBacktestQueryAlarms plants four hours of datapoints for three
// streams that no deploy created (PutMetricData) and replays a
// watchAllStreams stack's query alarms over them with the backtest command,
// through a proxy that counts the CloudWatch calls by action: the
// write-throttling query alarm reports the throttled stream's two
// incidents and when, the quiet stream is a series but no contributor, the
// excluded stream is in no alarm; each metric is listed once and each
// metric and statistic read once.
func TestBacktestQueryAlarms(t *testing.T) {
	slow(t)
	t.Parallel()
	em := startEmulator(t)
	ctx := context.Background()
	end := time.Now().UTC().Truncate(time.Hour)
	start := end.Add(-4 * time.Hour)
	at := func(minutes int) time.Time { return start.Add(time.Duration(minutes) * time.Minute) }
	// orders: incident A, five minutes of 3 throttled writes of 10, and
	// incident B, twenty; clicks: never throttled; payments: throttled all
	// along, and excluded.
	incident := func(m int) bool { return (m >= 60 && m < 65) || (m >= 150 && m < 170) }
	var data []cwtypes.MetricDatum
	for m := -30; m < 240; m++ {
		for k := range 10 {
			throttled := 0.0
			if incident(m) && k < 3 {
				throttled = 1
			}
			data = append(data, writeDatum("orders", at(m), throttled), writeDatum("clicks", at(m), 0), writeDatum("payments", at(m), float64(min(1, k%3))))
		}
	}
	dir := t.TempDir()
	writeContext(t, dir, map[string]any{"streamName": "own-stream", "recommendedAlarms": true, "watchAllStreams": map[string]any{"exclude": []string{"payments"}}})
	proxy := countingProxy(t, em.url)
	env := withEndpoint(em.env, proxy.url)
	var report backtest.Report
	var stderr string
	runStages(t,
		stage{"PutMetricData: three streams, no deploy", func(t *testing.T) { putMetricData(ctx, t, em.cloudwatch("us-east-1"), data) }},
		stage{"backtest with --json", func(t *testing.T) {
			var code int
			var stdout string
			code, stdout, stderr = runBacktest(t, dir, env, "--start", stamp(start), "--end", stamp(end), "--json", "report.json")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			readJSON(t, filepath.Join(dir, "report.json"), &report)
			if !strings.Contains(stdout, "  StreamName=orders") {
				t.Errorf("the table has no row for the contributor orders:\n%s", stdout)
			}
		}},
		stage{"the write-throttling query alarm: orders, twice, at the incidents", func(t *testing.T) {
			a := alarmReport(t, report, "kinesis-monitoring/all-streams/write-throttled")
			if a.QueryReport == nil || a.Series != 2 || len(a.Contributors) != 1 || a.Contributors[0].Dimensions["StreamName"] != "orders" {
				t.Fatalf("%d series, contributors %+v; want 2 series (orders, clicks), the contributor orders", a.Series, a.QueryReport)
			}
			c := a.Contributors[0]
			var got []string
			for _, tr := range c.Transitions {
				got = append(got, stamp(tr.Time)+" "+tr.From.String()+"→"+tr.To.String())
			}
			want := []string{stamp(at(61)) + " OK→ALARM", stamp(at(66)) + " ALARM→OK", stamp(at(151)) + " OK→ALARM", stamp(at(171)) + " ALARM→OK"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the contributor's transitions (-want +got):\n%s", diff)
			}
			if c.AlarmCount != 2 || c.MinutesInAlarm != 25 || c.Datapoints != 240 || a.AlarmCount != 2 || a.MinutesInAlarm != 25 {
				t.Errorf("contributor: %d times, %v minutes, %d datapoints; alarm: %d times, %v minutes; want 2, 25, 240; 2, 25",
					c.AlarmCount, c.MinutesInAlarm, c.Datapoints, a.AlarmCount, a.MinutesInAlarm)
			}
			wantAlarm := []string{stamp(at(1)) + " INSUFFICIENT_DATA→OK", stamp(at(61)) + " OK→ALARM", stamp(at(66)) + " ALARM→OK", stamp(at(151)) + " OK→ALARM", stamp(at(171)) + " ALARM→OK"}
			if diff := cmp.Diff(wantAlarm, transitions(a)); diff != "" {
				t.Errorf("the alarm's transitions (-want +got):\n%s", diff)
			}
		}},
		stage{"the sustained query alarm: orders once, 15 minutes into incident B", func(t *testing.T) {
			a := alarmReport(t, report, "kinesis-monitoring/all-streams/sustained-write-throttling")
			if a.QueryReport == nil || len(a.Contributors) != 1 || a.Contributors[0].AlarmCount != 1 || !a.Contributors[0].Transitions[0].Time.Equal(at(165)) {
				t.Errorf("contributors %+v, want orders once at %s", a.QueryReport, stamp(at(165)))
			}
		}},
		stage{"the excluded stream is in no alarm", func(t *testing.T) {
			for _, a := range report.Alarms {
				if a.QueryReport == nil {
					continue
				}
				if !strings.Contains(a.Query, "WHERE StreamName != 'own-stream' AND StreamName != 'payments'") {
					t.Errorf("%s: query %s", a.Name, a.Query)
				}
				for _, c := range a.Contributors {
					if c.Dimensions["StreamName"] == "payments" {
						t.Errorf("%s: the excluded stream payments is a contributor", a.Name)
					}
				}
			}
		}},
		stage{"each metric listed once, each metric and statistic read once", func(t *testing.T) {
			// 7 kinds on 6 metrics (two on WriteProvisionedThroughputExceeded,
			// Sum and Average), one listing a metric; 11 series, each read
			// once: 3 of WriteProvisionedThroughputExceeded by each statistic
			// (the own stream's, orders, clicks) and the own stream's of the
			// 5 others, all in one request (at most 500 series a request).
			got := proxy.counts()
			if got["ListMetrics"] != 6 || got["GetMetricData"] != 1 || len(got) != 2 {
				t.Errorf("calls %v, want ListMetrics 6, GetMetricData 1", got)
			}
			t.Logf("7 query alarms and 7 per-stream alarms, 11 series: ListMetrics %d calls, GetMetricData %d calls on the wire", got["ListMetrics"], got["GetMetricData"])
			for _, want := range []string{"us-east-1: 11 series in 7 groups", "ListMetrics: request 1, AWS/Kinesis", "GetMetricData: request 1 of at least 1: 7 metrics",
				"the query alarms' series found in 6 ListMetrics requests"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		}},
	)
}

// actionProxy stands in front of the emulator and counts the CloudWatch
// calls by action (the query protocol's Action, or X-Amz-Target).
type actionProxy struct {
	url string
	mu  sync.Mutex
	n   map[string]int
}

func countingProxy(t *testing.T, target string) *actionProxy {
	t.Helper()
	p := &actionProxy{n: map[string]int{}}
	p.url = serveInFront(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		action := requestAction(r)
		p.mu.Lock()
		p.n[action]++
		p.mu.Unlock()
		return false
	})
	return p
}

// serveInFront serves a loopback proxy in front of target until the test
// ends, and returns its URL. Each request goes to answer first; one that
// answer does not answer itself (it returns false) is forwarded.
func serveInFront(t *testing.T, target string, answer func(http.ResponseWriter, *http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(u)
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !answer(w, r) {
			forward.ServeHTTP(w, r)
		}
	})}
	listener := listenLoopback(t)
	go server.Serve(listener)
	t.Cleanup(func() { server.Close() })
	return "http://" + listener.Addr().String()
}

// requestAction is the AWS action a request calls: the query protocol's
// Action, or the operation of X-Amz-Target. It reads the body and puts it
// back for the request to be forwarded.
func requestAction(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	action := r.Header.Get("X-Amz-Target")
	if _, after, ok := strings.Cut(action, "."); ok {
		return after
	}
	if form, err := url.ParseQuery(string(body)); err == nil {
		return form.Get("Action")
	}
	return action
}

func (p *actionProxy) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for action, n := range p.n {
		out[action] = n
	}
	return out
}

// Bad input, unreachable or throttling APIs: each ends with a message that
// names what to change, and an exit code that says which.
func TestBacktestRefusals(t *testing.T) {
	slow(t)
	t.Parallel()
	em := startEmulator(t)
	dir := t.TempDir()
	writeContext(t, dir, map[string]any{"streamName": "nothing-here", "alarmTreatMissingData": "missing"})
	now := time.Now().UTC().Truncate(time.Minute)
	window := []string{"--start", stamp(now.Add(-time.Hour)), "--end", stamp(now)}
	without := func(env []string, names ...string) []string {
		return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
			name, _, _ := strings.Cut(kv, "=")
			return slices.Contains(names, name)
		})
	}
	for _, c := range []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"an unknown stack", em.env, []string{"--stack", "kinesis-monitoring-prod"}, 2,
			`--stack "kinesis-monitoring-prod" is not a stack of this app; allowed: kinesis-monitoring`},
		{"an end before the start", em.env, []string{"--start", stamp(now), "--end", stamp(now.Add(-time.Hour))}, 2, "is not after --start"},
		{"a window of no length", em.env, []string{"--start", stamp(now), "--end", stamp(now)}, 2, "the window is empty"},
		{"a window in the future", em.env, []string{"--start", stamp(now), "--end", stamp(now.Add(time.Hour))}, 2, "the window ends in the future"},
		{"older than CloudWatch keeps one-minute data", em.env, []string{"--days", "16"}, 2, "before CloudWatch keeps data at the period of alarm xfusion-kinesis-alarm (60 s: 15 days back"},
		{"a time that is not RFC 3339", em.env, []string{"--start", "yesterday", "--end", stamp(now)}, 2, `--start "yesterday" is not an RFC 3339 time`},
		{"--days with --start", em.env, append([]string{"--days", "2"}, window...), 2, "--days is set with --start and --end"},
		{"no credentials", append(without(em.env, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), "AWS_EC2_METADATA_DISABLED=true"), window, 1,
			"no AWS credentials to read CloudWatch in us-east-1"},
		{"an endpoint that does not answer", withEndpoint(em.env, "http://127.0.0.1:1"),
			window, 1, "CloudWatch cannot be reached at http://127.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runBacktest(t, dir, c.env, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, want %d with a message containing %q:\n%s", code, c.code, c.want, stderr)
			}
		})
	}
	t.Run("a metric without any data: INSUFFICIENT_DATA, not an error", func(t *testing.T) {
		code, stdout, stderr := runBacktest(t, dir, em.env, append([]string{"--json", "r.json"}, window...)...)
		var r backtest.Report
		readJSON(t, filepath.Join(dir, "r.json"), &r)
		if a := alarmReport(t, r, "xfusion-kinesis-alarm"); code != 0 || a.FinalState != evaluator.InsufficientData || a.AlarmCount != 0 {
			t.Errorf("exit %d, final state %s:\n%s%s", code, a.FinalState, stdout, stderr)
		}
	})
	t.Run("throttled requests are retried", func(t *testing.T) {
		proxy := throttlingProxy(t, em.url, 3)
		env := withEndpoint(em.env, proxy.url)
		if code, _, stderr := runBacktest(t, dir, env, window...); code != 0 || proxy.requests.Load() < 4 {
			t.Errorf("exit %d after %d requests (3 throttled):\n%s", code, proxy.requests.Load(), stderr)
		}
	})
	t.Run("throttling that does not stop: given up within --timeout", func(t *testing.T) {
		proxy := throttlingProxy(t, em.url, 1<<30)
		env := withEndpoint(em.env, proxy.url)
		began := time.Now()
		code, _, stderr := runBacktest(t, dir, env, append([]string{"--timeout", "5s"}, window...)...)
		if code != 1 || !strings.Contains(stderr, "--timeout 5s") || time.Since(began) > time.Minute {
			t.Errorf("exit %d after %s, want 1 within the timeout, naming --timeout:\n%s", code, time.Since(began), stderr)
		}
	})
	t.Run("no jsii kernel: the backtest runs without node", func(t *testing.T) {
		tmp := t.TempDir()
		env := append(without(em.env, "PATH", "TMPDIR"), "PATH="+t.TempDir(), "TMPDIR="+tmp)
		if code, _, stderr := runBacktest(t, dir, env, window...); code != 0 {
			t.Errorf("exit %d without node on PATH:\n%s", code, stderr)
		}
		if left := testkit.LeftoverTempDirs(tmp); len(left) > 0 {
			t.Errorf("the backtest left %v in TMPDIR", left)
		}
	})
}

// Batching: 1,200 alarms on distinct metrics take three GetMetricData
// requests of at most 500 queries, counted at the HTTP level, and each
// alarm gets its own metric's datapoints back.
func TestBacktestBatchesQueries(t *testing.T) {
	slow(t)
	t.Parallel()
	em := startEmulator(t)
	ctx := context.Background()
	end := time.Now().UTC().Truncate(time.Minute)
	var list []alarms.Alarm
	var data []cwtypes.MetricDatum
	for i := range 1200 {
		name := fmt.Sprintf("batch-%04d", i)
		list = append(list, alarms.Alarm{Name: name, Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded",
			Dimensions: []alarms.Dimension{{Name: "StreamName", Value: name}}, Statistic: "Sum", Period: 60, EvaluationPeriods: 1})
		data = append(data, writeDatum(name, end.Add(-time.Duration(1+i%5)*time.Minute), float64(i)))
	}
	putMetricData(ctx, t, em.cloudwatch("us-east-1"), data)
	var requests atomic.Int64
	cfg := em.awsConfig("us-east-1")
	cfg.HTTPClient = &http.Client{Transport: countingTransport{&requests, http.DefaultTransport}}
	series, stats, err := backtest.Fetch(ctx, cloudwatch.NewFromConfig(cfg), list, end.Add(-time.Hour), end, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Requests != 3 || requests.Load() != 3 || stats.Metrics != 1200 {
		t.Errorf("%d requests counted by the fetch, %d on the wire, %d metrics; want 3, 3, 1200", stats.Requests, requests.Load(), stats.Metrics)
	}
	for i, points := range series {
		if len(points) != 1 || points[0].Value != float64(i) || !points[0].Time.Equal(end.Add(-time.Duration(1+i%5)*time.Minute)) {
			t.Fatalf("alarm %d got %v, want its own datapoint %d", i, points, i)
		}
	}
	t.Logf("%d alarms: %d GetMetricData requests (%.4f per alarm)", len(list), stats.Requests, float64(stats.Requests)/float64(len(list)))
}

type countingTransport struct {
	n    *atomic.Int64
	next http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// throttlingProxy stands in front of the emulator and answers the first n
// requests as CloudWatch does when it throttles (moto never throttles).
type proxy struct {
	url      string
	requests atomic.Int64
}

func throttlingProxy(t *testing.T, target string, n int64) *proxy {
	t.Helper()
	p := &proxy{}
	p.url = serveInFront(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		if p.requests.Add(1) > n {
			return false
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled</RequestId></ErrorResponse>`)
		return true
	})
	return p
}

func writeDatum(stream string, at time.Time, v float64) cwtypes.MetricDatum {
	return cwtypes.MetricDatum{MetricName: aws.String("WriteProvisionedThroughputExceeded"), Timestamp: aws.Time(at), Value: aws.Float64(v),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("StreamName"), Value: aws.String(stream)}}}
}

// putMetricData writes the datapoints to AWS/Kinesis, 100 per request.
// CloudWatch takes up to 1,000 datums a request; moto's query-protocol
// parsing grows faster than the request, so requests of 100 are several
// times faster in all (8,100 datums: 21 s in requests of 1,000, 4 s in
// requests of 100, on an idle 2-core machine).
func putMetricData(ctx context.Context, t *testing.T, cw *cloudwatch.Client, data []cwtypes.MetricDatum) {
	t.Helper()
	for chunk := range slices.Chunk(data, 100) {
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Kinesis"), MetricData: chunk}); err != nil {
			t.Fatal(err)
		}
	}
}

// writeContext writes a cdktf.json with the settings into dir.
func writeContext(t *testing.T, dir string, settings map[string]any) {
	t.Helper()
	data, _ := json.Marshal(map[string]any{"language": "go", "app": app, "context": settings})
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runBacktest runs `<app> backtest args…` in dir with the environment.
func runBacktest(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(app, append([]string{"backtest"}, args...)...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// withEndpoint is env with AWS_ENDPOINT_URL set to url (a proxy in front
// of the emulator).
func withEndpoint(env []string, url string) []string {
	return append(slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") }), "AWS_ENDPOINT_URL="+url)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func alarmReport(t *testing.T, r backtest.Report, name string) backtest.AlarmReport {
	t.Helper()
	for _, a := range r.Alarms {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("the report has no alarm %s", name)
	return backtest.AlarmReport{}
}

func transitions(a backtest.AlarmReport) []string {
	var out []string
	for _, tr := range a.Transitions {
		out = append(out, stamp(tr.Time)+" "+tr.From.String()+"→"+tr.To.String())
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// listenLoopback is a listener on a free port of 127.0.0.1.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
