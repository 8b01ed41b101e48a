package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// fakeAWS answers the backtest's CloudWatch calls (DescribeAlarms from the
// deployed alarms; GetMetricData from burst, one datapoint a minute;
// ListMetrics with nothing) and S3's GetObject from the state objects, and
// counts the calls.
type fakeAWS struct {
	deployed    map[string]cwtypes.MetricAlarm
	describeErr error
	// burst is the value of the write-throttling metric in each minute
	// after start (0 elsewhere); other metrics are 0.
	start   time.Time
	burst   map[int]float64
	objects map[string]string // bucket/key
	s3Err   error

	describes, gets int
	queries         map[string]int // by metric, dimensions, statistic and period
}

func (f *fakeAWS) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f.describes++
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, name := range in.AlarmNames {
		if m, ok := f.deployed[name]; ok {
			out.MetricAlarms = append(out.MetricAlarms, m)
		}
	}
	return out, nil
}

func (f *fakeAWS) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	f.gets++
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		s := q.MetricStat
		var dims []string
		for _, d := range s.Metric.Dimensions {
			dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
		}
		f.queries[fmt.Sprintf("%s %v %s %d", aws.ToString(s.Metric.MetricName), dims, aws.ToString(s.Stat), aws.ToInt32(s.Period))]++
		r := cwtypes.MetricDataResult{Id: q.Id}
		for at := aws.ToTime(in.StartTime); at.Before(aws.ToTime(in.EndTime)); at = at.Add(time.Minute) {
			v := 0.0
			if aws.ToString(s.Metric.MetricName) == "WriteProvisionedThroughputExceeded" {
				v = f.burst[int(at.Sub(f.start)/time.Minute)]
			}
			r.Timestamps, r.Values = append(r.Timestamps, at), append(r.Values, v)
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out, nil
}

func (f *fakeAWS) ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return &cloudwatch.ListMetricsOutput{}, nil
}

func (f *fakeAWS) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if f.s3Err != nil {
		return nil, f.s3Err
	}
	body, ok := f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body))}, nil
}

// configuredAlarms are the alarms of a context, as the stack deploys them.
func configuredAlarms(t *testing.T, ctx map[string]any) []alarms.Alarm {
	t.Helper()
	configs, err := config.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return configs[0].Alarms()
}

// state is a raw state of format 4 holding alarms of these names.
func state(names ...string) string {
	var instances []string
	for _, n := range names {
		instances = append(instances, fmt.Sprintf(`{"schema_version": 1, "attributes": {"alarm_name": %q}}`, n))
	}
	return `{"version": 4, "terraform_version": "1.10.5", "serial": 3, "lineage": "x", "outputs": {}, "resources": [` +
		`{"mode": "managed", "type": "aws_cloudwatch_metric_alarm", "name": "alarms", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [` +
		strings.Join(instances, ", ") + `]}]}`
}

const (
	streamOf = "orders"
	alarmOf  = "orders-write-throttled"
	removed  = "orders-old-alarm"
)

// The command's comparison against the deployed alarms, with fakes of
// CloudWatch and S3: the deployed write-throttling alarm has threshold 1,
// and its metric is 2 in minutes 10-12 after the window's start and 5 in
// minutes 40-42; a configured threshold of 4 misses the first burst.
func TestBacktestCompare(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	start, end := now.Add(-3*time.Hour), now.Add(-time.Hour)
	window := []string{"--start", stamp(start), "--end", stamp(end)}
	lostAt := stamp(start.Add(11 * time.Minute))
	base := map[string]any{"streamName": streamOf, "alarmName": alarmOf}
	with := func(changes map[string]any) map[string]any {
		ctx := map[string]any{}
		for _, m := range []map[string]any{base, changes} {
			for k, v := range m {
				ctx[k] = v
			}
		}
		return ctx
	}
	deployedAlarm := testkit.DescribedAlarm(configuredAlarms(t, base)[0])
	old := deployedAlarm
	old.AlarmName, old.MetricName = aws.String(removed), aws.String("OutgoingBytes")
	p99 := deployedAlarm
	p99.Statistic, p99.ExtendedStatistic = "", aws.String("p99")
	refused := &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "DescribeAlarms", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: cloudwatch:DescribeAlarms"}}
	s3Refused := &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}

	type check func(t *testing.T, stdout, stderr string, f *fakeAWS, jsonFile string)
	hasIn := func(where string, parts ...string) check {
		return func(t *testing.T, stdout, stderr string, _ *fakeAWS, _ string) {
			text := map[string]string{"stdout": stdout, "stderr": stderr}[where]
			if !testkit.InOrder(text, parts) {
				t.Errorf("%s lacks %q:\n%s", where, parts, text)
			}
		}
	}
	lacks := func(where, part string) check {
		return func(t *testing.T, stdout, stderr string, _ *fakeAWS, _ string) {
			if text := map[string]string{"stdout": stdout, "stderr": stderr}[where]; strings.Contains(text, part) {
				t.Errorf("%s holds %q:\n%s", where, part, text)
			}
		}
	}
	lastLine := func(want string) check {
		return func(t *testing.T, _, stderr string, _ *fakeAWS, _ string) {
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if got := lines[len(lines)-1]; got != want {
				t.Errorf("stderr's last line %q, want %q", got, want)
			}
		}
	}
	// firstRow: the table's first row after its header.
	firstRow := func(parts ...string) check {
		return func(t *testing.T, stdout, _ string, _ *fakeAWS, _ string) {
			lines := strings.Split(stdout, "\n")
			if len(lines) < 2 || !testkit.InOrder(lines[1], parts) {
				t.Errorf("the table's first row lacks %q:\n%s", parts, stdout)
			}
		}
	}
	for _, c := range []struct {
		name     string
		ctx      map[string]any
		deployed []cwtypes.MetricAlarm
		files    map[string]string // in the project directory
		objects  map[string]string // S3
		fake     func(*fakeAWS)
		args     []string
		code     int
		checks   []check
	}{{
		name: "a raised threshold loses an incident", ctx: with(map[string]any{"alarmThreshold": 4}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm, old}, files: map[string]string{"terraform.kinesis-monitoring.tfstate": state(alarmOf, removed)},
		args: []string{"--compare", "deployed"}, code: exitOK,
		checks: []check{
			firstRow("kinesis-monitoring", alarmOf, "CHANGED", "2 times, 6 min → 1 time, 3 min", "threshold: 1 (deployed) → 4 (configured)", "LOST "+lostAt),
			hasIn("stdout", removed, "REMOVED", "0 times, 0 min → -"), // an alarm the state holds and the configuration no longer makes
			hasIn("stderr", "compared 1 configured alarms with 2 deployed (0 of them unreplayable)", "the deployed alarms read in 1 DescribeAlarms requests; 1 incident(s) lost, 0 new"),
			lacks("stderr", "no deployed alarm found"),
			func(t *testing.T, _, _ string, f *fakeAWS, _ string) {
				// Both sides read the write-throttling metric: asked once.
				for q, n := range f.queries {
					if n != 1 {
						t.Errorf("%s asked %d times, want once", q, n)
					}
				}
				if len(f.queries) != 2 || f.gets != 1 {
					t.Errorf("%d series in %d requests, want 2 in 1 (two metrics, one request)", len(f.queries), f.gets)
				}
			},
		},
	}, {
		name: "the gate: an incident lost", ctx: with(map[string]any{"alarmThreshold": 4}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm}, files: map[string]string{"terraform.kinesis-monitoring.tfstate": state(alarmOf)},
		args: []string{"--compare", "deployed", "--fail-on-lost-incidents"}, code: exitGate,
		checks: []check{lastLine("backtest: 1 incident(s) the deployed alarms raised would have been lost: kinesis-monitoring/" + alarmOf + " at " + lostAt)},
	}, {
		name: "an unchanged configuration: no difference, the gate holds", ctx: base,
		deployed: []cwtypes.MetricAlarm{deployedAlarm}, files: map[string]string{"terraform.kinesis-monitoring.tfstate": state(alarmOf)},
		args: []string{"--compare", "deployed", "--fail-on-lost-incidents"}, code: exitOK,
		checks: []check{firstRow("kinesis-monitoring", alarmOf, "same", "2 times, 6 min → 2 times, 6 min"), lacks("stdout", "LOST"), lacks("stderr", "would have been lost")},
	}, {
		name: "--max-alarms gates the configured side, which held", ctx: with(map[string]any{"alarmThreshold": 4}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm},
		args:     []string{"--compare", "deployed", "--max-alarms", "1"}, code: exitOK, // the deployed alarm went twice
		checks: []check{lacks("stderr", "--max-alarms")},
	}, {
		name: "--max-alarms exceeded by the configured side", ctx: with(map[string]any{"alarmThreshold": 4}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm},
		args:     []string{"--compare", "deployed", "--max-alarms", "0", "--fail-on-lost-incidents"}, code: exitGate,
		checks: []check{
			hasIn("stderr", "backtest: 1 alarm(s) would have gone to ALARM more than --max-alarms 0 times: kinesis-monitoring/"+alarmOf+" (1 times)\n",
				"backtest: 1 incident(s) the deployed alarms raised would have been lost"),
		},
	}, {
		name: "nothing deployed yet", ctx: base,
		args: []string{"--compare", "deployed", "--fail-on-lost-incidents"}, code: exitOK,
		checks: []check{
			hasIn("stderr", "note: stack kinesis-monitoring has no Terraform state at terraform.kinesis-monitoring.tfstate"),
			hasIn("stderr", "no deployed alarm found under the names of the 1 configured alarms and of the Terraform state (nothing deployed yet?)"),
			firstRow("kinesis-monitoring", alarmOf, "ADDED", "- → 2 times, 6 min", "not deployed; NEW "),
		},
	}, {
		name: "a deployed alarm that cannot be replayed", ctx: base, deployed: []cwtypes.MetricAlarm{p99},
		args: []string{"--compare", "deployed", "--fail-on-lost-incidents"}, code: exitOK,
		checks: []check{
			firstRow("kinesis-monitoring", alarmOf, "UNREPLAYABLE", "? → 2 times, 6 min", "the deployed alarm cannot be replayed: its statistic is the extended statistic p99"),
			lacks("stderr", "no deployed alarm found"),
		},
	}, {
		name: "credentials without cloudwatch:DescribeAlarms", ctx: base,
		fake: func(f *fakeAWS) { f.describeErr = refused },
		args: []string{"--compare", "deployed"}, code: exitFailed,
		checks: []check{
			hasIn("stderr", "backtest: reading the deployed alarms in us-east-1: CloudWatch refused DescribeAlarms: operation error CloudWatch: DescribeAlarms, api error AccessDenied",
				"CloudWatch refused DescribeAlarms (AccessDenied), which reads the deployed alarms for --compare deployed; check the credentials' permission cloudwatch:DescribeAlarms"),
			lacks("stdout", alarmOf),
		},
	}, {
		name: "the state in S3", ctx: with(map[string]any{"stateBucket": "states"}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm, old}, objects: map[string]string{"states/kinesis-monitoring/terraform.tfstate": state(alarmOf, removed)},
		args: []string{"--compare", "deployed"}, code: exitOK,
		checks: []check{hasIn("stdout", removed, "REMOVED"), lacks("stderr", "no Terraform state")},
	}, {
		name: "no state in S3 yet", ctx: with(map[string]any{"stateBucket": "states"}),
		deployed: []cwtypes.MetricAlarm{deployedAlarm, old},
		args:     []string{"--compare", "deployed"}, code: exitOK,
		checks: []check{hasIn("stderr", "note: stack kinesis-monitoring has no Terraform state at s3://states/kinesis-monitoring/terraform.tfstate"), lacks("stdout", removed)},
	}, {
		name: "a state bucket it cannot read", ctx: with(map[string]any{"stateBucket": "states"}),
		fake: func(f *fakeAWS) { f.s3Err = s3Refused },
		args: []string{"--compare", "deployed"}, code: exitFailed,
		checks: []check{hasIn("stderr", "backtest: the Terraform state s3://states/kinesis-monitoring/terraform.tfstate cannot be read: S3 refused GetObject",
			"check the credentials' permission s3:GetObject on arn:aws:s3:::states/kinesis-monitoring/terraform.tfstate")},
	}, {
		name: "a local state that is not one", ctx: base, files: map[string]string{"terraform.kinesis-monitoring.tfstate": `{"version": 3}`},
		args: []string{"--compare", "deployed"}, code: exitFailed,
		checks: []check{hasIn("stderr", "backtest: the Terraform state terraform.kinesis-monitoring.tfstate cannot be read: its format version is 3; allowed: 4")},
	}, {
		name: "--compare against something else", ctx: base, args: []string{"--compare", "configured"}, code: exitBadInput,
		checks: []check{hasIn("stderr", `backtest: --compare "configured" is not allowed; allowed: deployed`)},
	}, {
		name: "--fail-on-lost-incidents alone", ctx: base, args: []string{"--fail-on-lost-incidents"}, code: exitBadInput,
		checks: []check{hasIn("stderr", "backtest: --fail-on-lost-incidents is set without --compare; allowed: with --compare deployed")},
	}, {
		name: "without --compare: today's backtest", ctx: with(map[string]any{"alarmThreshold": 4}), deployed: []cwtypes.MetricAlarm{deployedAlarm},
		args: []string{"--json", "report.json"}, code: exitOK,
		checks: []check{
			firstRow("kinesis-monitoring", alarmOf, "1", "3"), lacks("stdout", "CHANGE"),
			func(t *testing.T, _, _ string, f *fakeAWS, jsonFile string) {
				data, err := os.ReadFile(jsonFile)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(data), `"comparison":{`) || f.describes != 0 {
					t.Errorf("without --compare: %d DescribeAlarms, JSON %s", f.describes, data)
				}
			},
		},
	}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			project, err := json.Marshal(map[string]any{"language": "go", "app": "go run .", "context": c.ctx})
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]string{"cdktf.json": string(project)}
			for name, text := range c.files {
				files[name] = text
			}
			for name, text := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			t.Setenv("CDKTF_CONTEXT_JSON", "")
			f := &fakeAWS{deployed: map[string]cwtypes.MetricAlarm{}, start: start, burst: map[int]float64{10: 2, 11: 2, 12: 2, 40: 5, 41: 5, 42: 5},
				objects: c.objects, queries: map[string]int{}}
			for _, m := range c.deployed {
				f.deployed[aws.ToString(m.AlarmName)] = m
			}
			if c.fake != nil {
				c.fake(f)
			}
			useFakeAWS(t, f)
			var stdout, stderr strings.Builder
			args := append(append([]string{"backtest"}, window...), c.args...)
			if !slices.Contains(args, "--json") {
				args = append(args, "--json", "report.json")
			}
			if code := run(args, &stdout, &stderr); code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout.String(), stderr.String())
			}
			for _, check := range c.checks {
				check(t, stdout.String(), stderr.String(), f, filepath.Join(dir, "report.json"))
			}
		})
	}
}

// useFakeAWS puts f in place of the command's AWS clients for the test.
func useFakeAWS(t *testing.T, f *fakeAWS) {
	cw, s := newCloudWatch, newS3
	t.Cleanup(func() { newCloudWatch, newS3 = cw, s })
	newCloudWatch = func(context.Context, string) (cloudWatchAPI, error) { return f, nil }
	newS3 = func(context.Context, string) (backtest.GetObjectAPI, error) { return f, nil }
}

// The JSON of --compare: today's report, the configured side's alarms,
// and the comparison object.
func TestBacktestCompareJSON(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	start, end := now.Add(-3*time.Hour), now.Add(-time.Hour)
	ctx := map[string]any{"streamName": streamOf, "alarmName": alarmOf}
	deployedAlarm := testkit.DescribedAlarm(configuredAlarms(t, ctx)[0])
	ctx["alarmThreshold"] = 4
	dir := t.TempDir()
	project, _ := json.Marshal(map[string]any{"context": ctx})
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), project, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("CDKTF_CONTEXT_JSON", "")
	useFakeAWS(t, &fakeAWS{deployed: map[string]cwtypes.MetricAlarm{alarmOf: deployedAlarm}, start: start,
		burst: map[int]float64{10: 2, 11: 2, 12: 2, 40: 5, 41: 5, 42: 5}, queries: map[string]int{}})
	var stdout, stderr strings.Builder
	if code := run([]string{"backtest", "--start", stamp(start), "--end", stamp(end), "--compare", "deployed", "--json", "r.json"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile("r.json")
	if err != nil {
		t.Fatal(err)
	}
	var r backtest.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	c := r.Comparison
	lost := []backtest.Incident{{From: start.Add(11 * time.Minute), To: start.Add(14 * time.Minute)}}
	if c == nil || c.Against != "deployed" || c.Deployed != 1 || c.LostIncidents != 1 || c.NewIncidents != 0 || len(c.Alarms) != 1 ||
		!slices.EqualFunc(c.Alarms[0].LostIncidents, lost, func(a, b backtest.Incident) bool { return a.From.Equal(b.From) && a.To.Equal(b.To) }) {
		t.Errorf("comparison %+v, want one lost incident %v", c, lost)
	}
	if len(r.Alarms) != 1 || r.Alarms[0].Threshold != 4 {
		t.Errorf("the report's alarms %+v, want the configured one (threshold 4)", r.Alarms)
	}
}

// The local state is the project directory's terraform.<stack>.tfstate:
// config.StatePath, relative to the stack's directory, leads there.
func TestStateSource(t *testing.T) {
	for _, c := range []struct {
		ctx  map[string]any
		want backtest.StateSource
	}{
		{map[string]any{}, backtest.StateSource{Path: "terraform.kinesis-monitoring.tfstate"}},
		{map[string]any{"environments": map[string]any{"prod": map[string]any{}}}, backtest.StateSource{Path: "terraform.kinesis-monitoring-prod.tfstate"}},
		{map[string]any{"stateBucket": "states", "region": "eu-west-1"}, backtest.StateSource{Bucket: "states", Key: "kinesis-monitoring/terraform.tfstate", Region: "eu-west-1"}},
		{map[string]any{"stateBucket": "states", "stateRegion": "us-west-2"}, backtest.StateSource{Bucket: "states", Key: "kinesis-monitoring/terraform.tfstate", Region: "us-west-2"}},
	} {
		configs, err := config.FromContext(c.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := stateSource(configs[0]); got != c.want {
			t.Errorf("%v: %+v, want %+v", c.ctx, got, c.want)
		}
	}
}
