package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The estate scenario's streams, made out of band in a region of their own
// (no other scenario has streams there, so ListStreams shows only these).
const (
	estateRegion      = "sa-east-1"
	estateOnDemand    = "estate-e2e-on-demand"
	estateProvisioned = "estate-e2e-provisioned" // 4 shards, retention raised to 48 h
	estateFanOut      = "estate-e2e-fan-out"     // 1 shard, an enhanced fan-out consumer
	estateConsumer    = "estate-e2e-reader"
	estateMissing     = "estate-e2e-missing" // never created
)

// estateContext is a watch-only stack over the three streams, with
// settings of their own for each: the write-throttling alarm's on the
// on-demand stream, the retention AWS has on the provisioned one, the
// consumer (and one of its thresholds) on the fan-out one.
func estateContext(fanOutRetention int) map[string]any {
	return map[string]any{
		"region": estateRegion, "createStream": false, "recommendedAlarms": true, "dashboard": true,
		"watchStreams": map[string]any{
			estateOnDemand: map[string]any{"alarmThreshold": 5, "alarmStatistic": "Maximum", "alarmPeriod": 300,
				"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 2},
			estateProvisioned: map[string]any{"retentionHours": 48},
			estateFanOut: map[string]any{"retentionHours": fanOutRetention,
				"consumers": map[string]any{estateConsumer: map[string]any{"success": 0.95}}},
		},
	}
}

// deployEstate: a watch-only stack over three streams it does not own
// (on-demand, 4 provisioned shards, one with an enhanced fan-out consumer)
// creates their alarms and the estate dashboard and nothing else; the
// alarms are the app's own values attribute for attribute; a retention the
// owner raises stops the plan until the configuration follows it; the
// destroy leaves the streams as they were; a stream that does not exist
// stops the plan, naming it.
func deployEstate(t *testing.T, em *emulator) {
	ctx := context.Background()
	k, cw := em.kinesis(estateRegion), em.cloudwatch(estateRegion)
	settings := estateContext(24)
	p := newProject(t, em, settings)
	cfg := estateConfig(t, settings)
	streams := []string{estateFanOut, estateOnDemand, estateProvisioned} // sorted
	arns := map[string]string{}
	runStages(t,
		stage{"create three streams out of band", func(t *testing.T) {
			create := func(in *kinesis.CreateStreamInput) {
				if _, err := k.CreateStream(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			create(&kinesis.CreateStreamInput{StreamName: aws.String(estateOnDemand),
				StreamModeDetails: &ktypes.StreamModeDetails{StreamMode: ktypes.StreamModeOnDemand}})
			create(&kinesis.CreateStreamInput{StreamName: aws.String(estateProvisioned), ShardCount: aws.Int32(4),
				StreamModeDetails: &ktypes.StreamModeDetails{StreamMode: ktypes.StreamModeProvisioned}})
			create(&kinesis.CreateStreamInput{StreamName: aws.String(estateFanOut), ShardCount: aws.Int32(1)})
			for _, name := range streams {
				arns[name] = aws.ToString(waitActive(ctx, t, k, name).StreamARN)
			}
			if _, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
				StreamName: aws.String(estateProvisioned), RetentionPeriodHours: aws.Int32(48)}); err != nil {
				t.Fatal(err)
			}
			if got := aws.ToInt32(waitActive(ctx, t, k, estateProvisioned).RetentionPeriodHours); got != 48 {
				t.Fatalf("%s keeps records %d h, want the 48 h just set", estateProvisioned, got)
			}
			if _, err := k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
				StreamARN: aws.String(arns[estateFanOut]), ConsumerName: aws.String(estateConsumer)}); err != nil {
				t.Fatal(err)
			}
			requireConsumerActive(ctx, t, k, arns[estateFanOut], estateConsumer)
		}},
		stage{"watch-only stack: synth, terraform init, cdktf deploy", func(t *testing.T) {
			p.synthAndInit(t)
			// Every alarm and the one estate dashboard are added, nothing else.
			want := fmt.Sprintf("%d added, 0 changed, 0 destroyed", len(cfg.Alarms())+len(cfg.EstateDashboardNames()))
			if out := p.deploy(t); !strings.Contains(out, want) {
				t.Errorf("deploy did not say %q:\n%s", want, out)
			}
		}},
		stage{"no stream was created: the state reads the streams", func(t *testing.T) {
			if got := listStreams(ctx, t, k); !cmp.Equal(got, streams) {
				t.Errorf("streams in %s after the deploy: %v, want only the three made out of band %v", estateRegion, got, streams)
			}
			var wantData []string
			for _, name := range streams {
				wantData = append(wantData, fmt.Sprintf("data.aws_kinesis_stream.watched[%q]", name))
			}
			managed, data := stateAddresses(t, p)
			if !cmp.Equal(data, wantData) {
				t.Errorf("data sources in the state: %v, want %v", data, wantData)
			}
			if diff := cmp.Diff(estateAddresses(cfg), managed); diff != "" {
				t.Errorf("managed resources in the state (-the alarms and dashboards of the configuration +state):\n%s", diff)
			}
			if i := slices.IndexFunc(managed, func(a string) bool { return strings.HasPrefix(a, "aws_kinesis_stream.") }); i >= 0 {
				t.Errorf("the state manages a stream: %s", managed[i])
			}
		}},
		stage{"AWS has the configuration's alarms, attribute for attribute", func(t *testing.T) {
			requireNone(t, "watched alarms", checkWatchedAlarms(ctx, cw, cfg.Alarms()))
			// The numbers the settings say, read from AWS (the comparison
			// above takes them from the app).
			for name, want := range map[string]alarmNumbers{
				estateOnDemand + "-write-throttled":                              {"Maximum", 300, 3, 2, 5},         // the stream's own settings
				estateProvisioned + "-write-throttled":                           {"Sum", 60, 1, 0, 1},              // the top level's (the specification's)
				estateProvisioned + "-iterator-age":                              {"Maximum", 60, 15, 15, 86400000}, // half of 48 h
				estateOnDemand + "-iterator-age":                                 {"Maximum", 60, 15, 15, 43200000}, // half of 24 h
				estateFanOut + "-" + estateConsumer + "-millis-behind-latest":    {"Maximum", 60, 15, 15, 43200000},
				estateFanOut + "-" + estateConsumer + "-subscribe-success":       {"Average", 60, 15, 15, 0.95}, // the consumer's threshold
				estateFanOut + "-" + estateConsumer + "-subscribe-rate-exceeded": {"Sum", 60, 15, 15, 0},
			} {
				requireNone(t, name, want.check(describeAlarm(ctx, t, cw, name)))
			}
			consumerAlarm := describeAlarm(ctx, t, cw, estateFanOut+"-"+estateConsumer+"-subscribe-success")
			if got := dimensionMap(consumerAlarm.Dimensions); !cmp.Equal(got, map[string]string{"StreamName": estateFanOut, "ConsumerName": estateConsumer}) {
				t.Errorf("consumer alarm dimensions %v, want the stream and the consumer", got)
			}
			requireNone(t, "output watched_streams", checkWatchedOutput(t, p, cfg))
		}},
		stage{"the estate dashboard draws the fixed capacities", func(t *testing.T) {
			if got := listDashboards(ctx, t, cw, cfg.StackID()+"-estate-"); !cmp.Equal(got, cfg.EstateDashboardNames()) {
				t.Fatalf("estate dashboards %v, want %v", got, cfg.EstateDashboardNames())
			}
			lines := capacityLines(ctx, t, cw, cfg.EstateDashboardNames()[0])
			want := map[string][]float64{
				estateProvisioned: {4 * 1048576},
				estateFanOut:      {1048576},
				estateOnDemand:    {}, // on-demand: no line (moto gives it 4 open shards all the same)
			}
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("capacity lines by stream (-want +dashboard):\n%s", diff)
			}
		}},
		stage{"terraform plan: no changes", func(t *testing.T) { p.requireNoChanges(t, "after deploying the watch-only stack") }},
		stage{"the owner raises a retention: the plan stops, naming the setting", func(t *testing.T) {
			if _, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
				StreamName: aws.String(estateFanOut), RetentionPeriodHours: aws.Int32(72)}); err != nil {
				t.Fatal(err)
			}
			waitActive(ctx, t, k, estateFanOut)
			pl, err := p.tryPlan(t)
			printed := pl.printed
			if err == nil {
				t.Fatalf("the plan went through with the retention changed behind the configuration:\n%s", printed)
			}
			out := printed + "\n" + err.Error()
			for _, want := range []string{
				"Resource postcondition failed",
				"The watched stream " + estateFanOut + " keeps records 72 h, the configuration says 24 h",
				"set watchStreams." + estateFanOut + ".retentionHours to 72",
			} {
				if !strings.Contains(oneLine(out), want) {
					t.Errorf("the failed plan does not say %q:\n%s", want, out)
				}
			}
		}},
		stage{"retentionHours follows: the lag thresholds move, in place", func(t *testing.T) {
			settings = estateContext(72)
			p.setContext(t, settings)
			cfg = estateConfig(t, settings)
			p.cli(t, "synth")
			_, plan, printed := p.plan(t)
			changed := strings.Split(summarize(plan), ", ")
			slices.Sort(changed)
			want := []string{
				fmt.Sprintf("aws_cloudwatch_metric_alarm.watched[%q]: update", estateFanOut+"/"+alarms.ConsumerID(estateConsumer, alarms.ConsumerSet[0])),
				fmt.Sprintf("aws_cloudwatch_metric_alarm.watched[%q]: update", estateFanOut+"/"+alarms.RecommendedSet[0].ID),
			}
			if !cmp.Equal(changed, want) {
				t.Fatalf("the plan changes %v, want in place the fan-out stream's iterator age and its consumer's lag %v:\n%s", changed, want, printed)
			}
			if out := p.deploy(t); !strings.Contains(out, "0 added, 2 changed, 0 destroyed") {
				t.Errorf("the deploy did not change the two alarms in place:\n%s", out)
			}
			requireNone(t, "watched alarms", checkWatchedAlarms(ctx, cw, cfg.Alarms()))
			if got := aws.ToFloat64(describeAlarm(ctx, t, cw, estateFanOut+"-iterator-age").Threshold); got != 36*3600*1000 {
				t.Errorf("iterator-age threshold %v, want half of 72 h", got)
			}
			p.requireNoChanges(t, "after following the retention")
		}},
		stage{"cdktf destroy", func(t *testing.T) { p.destroy(t) }},
		stage{"the streams are as they were; alarms and dashboard gone", func(t *testing.T) {
			if got := listStreams(ctx, t, k); !cmp.Equal(got, streams) {
				t.Errorf("streams after the destroy: %v, want %v", got, streams)
			}
			for _, name := range streams {
				s := waitActive(ctx, t, k, name)
				if got := aws.ToString(s.StreamARN); got != arns[name] {
					t.Errorf("%s is another stream after the destroy: %s, was %s", name, got, arns[name])
				}
			}
			requireConsumerActive(ctx, t, k, arns[estateFanOut], estateConsumer)
			if left := alarmsWithPrefix(ctx, t, cw, "estate-e2e-"); len(left) != 0 {
				t.Errorf("%d alarms of the stack remain after the destroy: %v", len(left), left)
			}
			if left := listDashboards(ctx, t, cw, cfg.StackID()+"-estate-"); len(left) != 0 {
				t.Errorf("estate dashboards remain after the destroy: %v", left)
			}
			if _, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(cfg.EstateDashboardNames()[0])}); err == nil {
				t.Errorf("GetDashboard finds %s after the destroy", cfg.EstateDashboardNames()[0])
			}
		}},
		stage{"a watched stream that does not exist stops the plan, naming it", func(t *testing.T) {
			q := newProject(t, em, map[string]any{
				"region": estateRegion, "createStream": false, "recommendedAlarms": true,
				"watchStreams": map[string]any{estateMissing: map[string]any{}, estateProvisioned: map[string]any{"retentionHours": 48}},
			})
			q.synthAndInit(t)
			pl, err := q.tryPlan(t)
			printed := pl.printed
			if err == nil || !strings.Contains(printed+"\n"+err.Error(), estateMissing) {
				t.Errorf("terraform plan: %v, want an error naming %s:\n%s", err, estateMissing, printed)
			}
			out, err := q.tryDeploy(nil)
			if err == nil || !strings.Contains(out, estateMissing) {
				t.Errorf("cdktf deploy: %v, want a failure naming %s:\n%s", err, estateMissing, out)
			}
			// Nothing created: not the stream, not the existing stream's alarms.
			if got := listStreams(ctx, t, k); !cmp.Equal(got, streams) {
				t.Errorf("streams after the failed deploy: %v, want %v", got, streams)
			}
			if left := alarmsWithPrefix(ctx, t, cw, "estate-e2e-"); len(left) != 0 {
				t.Errorf("the failed deploy created %d alarms: %v", len(left), left)
			}
			if managed := q.stateList(t); len(managed) != 0 {
				t.Errorf("the failed deploy left resources in the state: %v", managed)
			}
		}},
	)
}

// estateConfig is the app's configuration from the context, as the app
// reads it (a JSON round trip: numbers as the CLI passes them).
func estateConfig(t *testing.T, settings map[string]any) config.Config {
	t.Helper()
	data, err := json.Marshal(settings)
	if err != nil {
		t.Fatal(err)
	}
	var ctx map[string]any
	if err := json.Unmarshal(data, &ctx); err != nil {
		t.Fatal(err)
	}
	cfgs, err := config.FromContext(ctx)
	if err != nil || len(cfgs) != 1 {
		t.Fatalf("the configuration of %s: %d stacks, %v", data, len(cfgs), err)
	}
	return cfgs[0]
}

// estateAddresses are the managed resources of the watched streams: one
// alarm per alarm of the configuration, one dashboard per page; sorted.
func estateAddresses(cfg config.Config) []string {
	var addrs []string
	for _, a := range cfg.Alarms() {
		addrs = append(addrs, fmt.Sprintf("aws_cloudwatch_metric_alarm.watched[%q]", a.ID))
	}
	for i := range cfg.EstateDashboardNames() {
		addrs = append(addrs, fmt.Sprintf("aws_cloudwatch_dashboard.estate[%q]", fmt.Sprint(i+1)))
	}
	slices.Sort(addrs)
	return addrs
}

// stateAddresses are the addresses in the stack's state: its managed
// resources and its data sources, each sorted.
func stateAddresses(t *testing.T, p *project) (managed, data []string) {
	t.Helper()
	state, err := p.tf(t).Show(context.Background())
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	if state.Values == nil {
		return nil, nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Mode == tfjson.DataResourceMode {
			data = append(data, r.Address)
		} else {
			managed = append(managed, r.Address)
		}
	}
	slices.Sort(managed)
	slices.Sort(data)
	return managed, data
}

func listStreams(ctx context.Context, t *testing.T, k *kinesis.Client) []string {
	t.Helper()
	var names []string
	for pages := kinesis.NewListStreamsPaginator(k, &kinesis.ListStreamsInput{}); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.StreamNames...)
	}
	slices.Sort(names)
	return names
}

func requireConsumerActive(ctx context.Context, t *testing.T, k *kinesis.Client, streamARN, name string) {
	t.Helper()
	out, err := k.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatalf("consumer %s: %v", name, err)
	}
	if got := out.ConsumerDescription.ConsumerStatus; got != ktypes.ConsumerStatusActive {
		t.Errorf("consumer %s is %s, want ACTIVE", name, got)
	}
}

// alarmsWithPrefix are the names of the alarms that start with prefix, sorted.
func alarmsWithPrefix(ctx context.Context, t *testing.T, cw *cloudwatch.Client, prefix string) []string {
	t.Helper()
	found, err := describeAlarmsWithPrefix(ctx, cw, prefix)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range found {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// describeAlarmsWithPrefix are the alarms whose names start with prefix, by name.
func describeAlarmsWithPrefix(ctx context.Context, cw *cloudwatch.Client, prefix string) (map[string]cwtypes.MetricAlarm, error) {
	out := map[string]cwtypes.MetricAlarm{}
	for pages := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix)}); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range page.MetricAlarms {
			out[aws.ToString(a.AlarmName)] = a
		}
	}
	return out, nil
}

// checkWatchedAlarms compares the alarms named "estate-e2e-…" in AWS with
// the configuration's, attribute for attribute, and the two sets of names.
// No topic: the stack routes the alarms nowhere.
func checkWatchedAlarms(ctx context.Context, cw *cloudwatch.Client, want []alarms.Alarm) []string {
	return checkAlarmsWithPrefix(ctx, cw, "estate-e2e-", want, "")
}

// checkAlarmsWithPrefix compares the alarms whose names start with prefix
// in AWS with want, the configuration's values, through the one comparator
// (backtest.DeployedAlarm reads each, alarms.Diff compares it), and the two
// sets of names. Each alarm notifies topic on ALARM and OK, or nothing when
// topic is "". A query alarm's query is also compared as text, with the
// expression the stack writes (alarms.Alarm.Expression), its period and its
// ReturnData.
func checkAlarmsWithPrefix(ctx context.Context, cw *cloudwatch.Client, prefix string, want []alarms.Alarm, topic string) []string {
	got, err := describeAlarmsWithPrefix(ctx, cw, prefix)
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	if len(got) != len(want) {
		errs = append(errs, fmt.Sprintf("AWS has %d alarms named %s…, the configuration %d", len(got), prefix, len(want)))
	}
	var actions []string
	if topic != "" {
		actions = []string{topic}
	}
	for _, w := range want {
		a, ok := got[w.Name]
		if !ok {
			errs = append(errs, "AWS has no alarm "+w.Name)
			continue
		}
		delete(got, w.Name)
		deployed, err := backtest.DeployedAlarm(a)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		for _, d := range alarms.Diff(deployed, w) {
			errs = append(errs, w.Name+" "+d)
		}
		if w.IsQuery() {
			errs = append(errs, checkQuery(a, w)...)
		}
		for _, routed := range []struct {
			state string
			got   []string
			want  []string
		}{{"ALARM", a.AlarmActions, actions}, {"OK", a.OKActions, actions}, {"INSUFFICIENT_DATA", a.InsufficientDataActions, nil}} {
			if !slices.Equal(routed.got, routed.want) {
				errs = append(errs, fmt.Sprintf("%s actions on %s: AWS has %v, the configuration %v", w.Name, routed.state, routed.got, routed.want))
			}
		}
	}
	var extra []string
	for name := range got {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	for _, name := range extra {
		errs = append(errs, "AWS has an alarm the configuration has not: "+name)
	}
	return errs
}

// checkQuery compares a deployed query alarm's one query with the
// configuration's alarm as text: the expression, the period, ReturnData.
func checkQuery(a cwtypes.MetricAlarm, w alarms.Alarm) []string {
	if len(a.Metrics) != 1 {
		return []string{fmt.Sprintf("%s: AWS has %d queries (Metrics), the configuration 1", w.Name, len(a.Metrics))}
	}
	q := a.Metrics[0]
	var errs []string
	if got, want := aws.ToString(q.Expression), w.MustExpression(); got != want {
		errs = append(errs, fmt.Sprintf("%s query: AWS has\n    %s\n  the configuration\n    %s", w.Name, got, want))
	}
	if got := int(aws.ToInt32(q.Period)); got != w.Period {
		errs = append(errs, fmt.Sprintf("%s query period: AWS has %d s, the configuration %d s", w.Name, got, w.Period))
	}
	if !aws.ToBool(q.ReturnData) {
		errs = append(errs, fmt.Sprintf("%s query ReturnData: AWS has %v, the configuration true", w.Name, q.ReturnData))
	}
	return errs
}

// alarmNumbers are an alarm's numbers as the settings say them; 0
// datapoints is "not set".
type alarmNumbers struct {
	statistic                       string
	period, evaluations, datapoints int32
	threshold                       float64
}

func (n alarmNumbers) check(a cwtypes.MetricAlarm) []string {
	got := alarmNumbers{string(a.Statistic), aws.ToInt32(a.Period), aws.ToInt32(a.EvaluationPeriods), aws.ToInt32(a.DatapointsToAlarm), aws.ToFloat64(a.Threshold)}
	if got != n {
		return []string{fmt.Sprintf("statistic, period, evaluation periods, datapoints, threshold: AWS has %v, want %v", got, n)}
	}
	return nil
}

func dimensionMap(dims []cwtypes.Dimension) map[string]string {
	out := map[string]string{}
	for _, d := range dims {
		out[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	return out
}

// checkWatchedOutput: the watched_streams output names each stream's alarms.
func checkWatchedOutput(t *testing.T, p *project, cfg config.Config) []string {
	t.Helper()
	outputs, err := p.tf(t).Output(context.Background())
	if err != nil {
		t.Fatalf("terraform output: %v", err)
	}
	var got map[string][]string
	if err := json.Unmarshal(outputs["watched_streams"].Value, &got); err != nil {
		return []string{fmt.Sprintf("watched_streams %s: %v", outputs["watched_streams"].Value, err)}
	}
	want := map[string][]string{}
	for _, w := range cfg.Watched {
		for _, a := range w.Alarms() {
			want[w.Name] = append(want[w.Name], a.Name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return []string{"(-configuration +output):\n" + diff}
	}
	return nil
}

func listDashboards(ctx context.Context, t *testing.T, cw *cloudwatch.Client, prefix string) []string {
	t.Helper()
	var names []string
	for pages := cloudwatch.NewListDashboardsPaginator(cw, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(prefix)}); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.DashboardEntries {
			names = append(names, aws.ToString(d.DashboardName))
		}
	}
	slices.Sort(names)
	return names
}

// capacityLines reads the deployed estate dashboard: for each stream, the
// values of the horizontal annotations of its incoming-bytes graph.
func capacityLines(ctx context.Context, t *testing.T, cw *cloudwatch.Client, name string) map[string][]float64 {
	t.Helper()
	out, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
	if err != nil {
		t.Fatalf("dashboard %s: %v", name, err)
	}
	var body struct {
		Widgets []struct {
			Properties struct {
				Title       string `json:"title"`
				Annotations *struct {
					Horizontal []struct {
						Label string  `json:"label"`
						Value float64 `json:"value"`
					} `json:"horizontal"`
				} `json:"annotations"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.DashboardBody)), &body); err != nil {
		t.Fatalf("dashboard %s: %v\n%s", name, err, aws.ToString(out.DashboardBody))
	}
	lines := map[string][]float64{}
	for _, w := range body.Widgets {
		stream, graph, _ := strings.Cut(w.Properties.Title, ": ")
		if !strings.HasPrefix(graph, "incoming bytes/s") {
			continue
		}
		values := []float64{}
		if a := w.Properties.Annotations; a != nil {
			for _, h := range a.Horizontal {
				values = append(values, h.Value)
				if want := fmt.Sprintf("%d shard", int(h.Value/1048576)); !strings.Contains(h.Label, want) {
					t.Errorf("%s: capacity line %q does not say %q", stream, h.Label, want)
				}
			}
		}
		lines[stream] = values
	}
	return lines
}

// oneLine is text with its runs of white space made one space (terraform
// wraps its messages).
func oneLine(text string) string { return strings.Join(strings.Fields(text), " ") }
