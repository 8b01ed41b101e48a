package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
)

// The query scenario's streams, made out of band in a region of their own
// (no other scenario has streams or alarms there).
const (
	queryRegion   = "eu-west-3"
	queryOrders   = "query-e2e-orders"    // 1 shard, watched by the queries
	queryFanOut   = "query-e2e-fan-out"   // 1 shard and an enhanced fan-out consumer, watched by the queries
	queryConsumer = "query-e2e-reader"    // its consumer, watched by the consumer queries
	queryExcluded = "query-e2e-load-test" // in watchAllStreams.exclude
	queryOwn      = "query-e2e-payments"  // in watchStreams, with a threshold of its own
	queryLate     = "query-e2e-late"      // made after the deploy
)

// queryContext is a watch-only stack that watches every stream of the
// region by query, consumers included, but one stream excluded and one
// watched per stream with its own threshold; the alarms go to an existing
// topic.
func queryContext(topic string) map[string]any {
	return map[string]any{
		"region": queryRegion, "createStream": false, "recommendedAlarms": true, "dashboard": true,
		"alarmTopicArn":   topic,
		"watchAllStreams": map[string]any{"exclude": []string{queryExcluded}, "consumers": true},
		"watchStreams":    map[string]any{queryOwn: map[string]any{"alarmThreshold": 5}},
	}
}

// deployEstateByQuery: a watch-only stack over every stream of the region
// by query (watchAllStreams) creates one alarm per kind, whatever the
// number of streams, and the per-stream alarms of the one stream it names
// in watchStreams; each query alarm reads back from AWS as the
// configuration's, its query leaving out the excluded and the watched
// stream; the next plan is clean; a stream made after the deploy changes
// no plan, and the backtest reports its incident as a contributor of the
// query alarm, with no new deploy; the destroy removes the alarms and
// leaves every stream. The streams are made out of band, so no step waits
// on a stream of Terraform's.
func deployEstateByQuery(t *testing.T, em *emulator) {
	ctx := context.Background()
	k, cw := em.kinesis(queryRegion), em.cloudwatch(queryRegion)
	streams := []string{queryFanOut, queryExcluded, queryOrders, queryOwn} // sorted
	arns := map[string]string{}
	// The alert topic the team has, in the region.
	out, err := em.sns(queryRegion).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("query-e2e-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(out.TopicArn)
	settings := queryContext(topic)
	p, cfg := newProject(t, em, settings), estateConfig(t, settings)
	runStages(t,
		stage{"four streams and a consumer out of band", func(t *testing.T) {
			for _, name := range streams {
				if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1),
					StreamModeDetails: &ktypes.StreamModeDetails{StreamMode: ktypes.StreamModeProvisioned}}); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range streams {
				arns[name] = aws.ToString(waitActive(ctx, t, k, name).StreamARN)
			}
			if _, err := k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
				StreamARN: aws.String(arns[queryFanOut]), ConsumerName: aws.String(queryConsumer)}); err != nil {
				t.Fatal(err)
			}
			requireConsumerActive(ctx, t, k, arns[queryFanOut], queryConsumer)
		}},
		stage{"synth, terraform init, cdktf deploy", func(t *testing.T) {
			p.synthAndInit(t)
			// The query alarms, the watched stream's alarms, its estate
			// dashboard and the all-streams dashboard; nothing else.
			want := fmt.Sprintf("%d added, 0 changed, 0 destroyed", len(cfg.Alarms())+len(cfg.EstateDashboardNames())+1)
			if out := p.deploy(t); !strings.Contains(out, want) {
				t.Errorf("deploy did not say %q:\n%s", want, out)
			}
		}},
		stage{"one alarm per kind, read back as configured", func(t *testing.T) {
			queries := cfg.QueryAlarms()
			// The write-throttling alarm, the recommended set, the consumer set.
			if want := 1 + len(alarms.RecommendedSet) + len(alarms.ConsumerSet); len(queries) != want {
				t.Fatalf("the configuration has %d query alarms, want one per kind: %d", len(queries), want)
			}
			prefix := cfg.StackID() + "/all-"
			var names []string
			for _, a := range queries {
				names = append(names, a.Name)
			}
			slices.Sort(names)
			if got := alarmsWithPrefix(ctx, t, cw, prefix); !cmp.Equal(got, names) {
				t.Errorf("alarms named %s… in AWS: %v, want one per kind %v", prefix, got, names)
			}
			requireNone(t, "query alarms", checkAlarmsWithPrefix(ctx, cw, prefix, queries, topic))
			requireNone(t, "the watched stream's alarms", checkAlarmsWithPrefix(ctx, cw, queryOwn+"-", cfg.Watched[0].Alarms(), topic))
			// The comparison can fail: a configuration that left the
			// watched stream in the queries is not what AWS has.
			wrong := slices.Clone(queries)
			wrong[0].Query = &alarms.Query{GroupBy: wrong[0].Query.GroupBy, Exclude: []string{queryExcluded}}
			// Both the comparator and the text of the query notice.
			errs := checkAlarmsWithPrefix(ctx, cw, prefix, wrong, topic)
			if !containsError(errs, wrong[0].Name+" query: grouped by") || !containsError(errs, wrong[0].Name+" query: AWS has") || len(errs) != 2 {
				t.Errorf("the comparison did not notice, in both ways and only there, a query that differs: %v", errs)
			}
			requireNone(t, "output all_streams_alarms", checkQueryOutput(t, p, names))
		}},
		stage{"the queries leave out the excluded and the watched stream, and only them", func(t *testing.T) {
			// As the query language writes it, by hand: StreamName != in
			// single quotes, joined by AND, in every query.
			where := fmt.Sprintf("WHERE StreamName != '%s' AND StreamName != '%s' GROUP BY ", queryExcluded, queryOwn)
			found, err := describeAlarmsWithPrefix(ctx, cw, cfg.StackID()+"/all-")
			if err != nil || len(found) != len(cfg.QueryAlarms()) {
				t.Fatalf("%d query alarms in AWS, want %d: %v", len(found), len(cfg.QueryAlarms()), err)
			}
			for name, a := range found {
				query := aws.ToString(a.Metrics[0].Expression)
				if !strings.Contains(query, where) || strings.Contains(query, queryOrders) || strings.Contains(query, queryFanOut) {
					t.Errorf("%s queries\n  %s\nwant %q, and neither %s nor %s named", name, query, where, queryOrders, queryFanOut)
				}
			}
			// The watched stream keeps its own threshold; the queries the top level's.
			for name, want := range map[string]float64{
				queryOwn + "-write-throttled":                                5,
				cfg.StackID() + "/" + alarms.AllStreams + "/write-throttled": 1,
			} {
				if got := aws.ToFloat64(describeAlarm(ctx, t, cw, name).Threshold); got != want {
					t.Errorf("%s: threshold %v in AWS, want %v", name, got, want)
				}
			}
		}},
		stage{"the state reads one stream and manages none", func(t *testing.T) {
			managed, data := stateAddresses(t, p)
			if want := []string{fmt.Sprintf("data.aws_kinesis_stream.watched[%q]", queryOwn)}; !cmp.Equal(data, want) {
				t.Errorf("data sources in the state: %v, want only the watched stream %v", data, want)
			}
			if i := slices.IndexFunc(managed, func(a string) bool { return strings.HasPrefix(a, "aws_kinesis_stream.") }); i >= 0 {
				t.Errorf("the state manages a stream: %s", managed[i])
			}
			if got := listDashboards(ctx, t, cw, cfg.AllStreamsDashboardName()); !cmp.Equal(got, []string{cfg.AllStreamsDashboardName()}) {
				t.Errorf("dashboards named %s: %v", cfg.AllStreamsDashboardName(), got)
			}
		}},
		stage{"terraform plan: no changes", func(t *testing.T) { p.requireNoChanges(t, "after deploying the query alarms") }},
		stage{"a stream made after the deploy: the plan stays clean, the backtest reports its incident", func(t *testing.T) {
			if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(queryLate), ShardCount: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			arns[queryLate] = aws.ToString(waitActive(ctx, t, k, queryLate).StreamARN)
			streams = slices.Sorted(slices.Values(append(streams, queryLate)))
			p.requireNoChanges(t, "with a stream made after the deploy")
			// Two hours of one-minute sums of throttled writes: the new
			// stream throttled 3 times a minute for five minutes, orders
			// once a minute throughout (Sum 1, not above the threshold 1),
			// the excluded stream 10 times a minute throughout, the watched
			// stream with the new one (above the queries' threshold 1, not
			// above its own 5).
			end := time.Now().UTC().Truncate(time.Minute)
			start := end.Add(-2 * time.Hour)
			at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
			var data []cwtypes.MetricDatum
			for m := range 120 {
				incident := 0.0
				if m >= 60 && m < 65 {
					incident = 3
				}
				data = append(data, writeDatum(queryLate, at(m), incident), writeDatum(queryOrders, at(m), 1),
					writeDatum(queryExcluded, at(m), 10), writeDatum(queryOwn, at(m), incident))
			}
			putMetricData(ctx, t, cw, data)
			code, stdout, stderr := runBacktest(t, p.dir, em.env, "--start", stamp(start), "--end", stamp(end), "--json", "report.json")
			if code != 0 {
				t.Fatalf("backtest: exit %d:\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, "StreamName="+queryLate) {
				t.Errorf("the backtest's table has no row for the contributor %s:\n%s", queryLate, stdout)
			}
			var report backtest.Report
			readJSON(t, filepath.Join(p.dir, "report.json"), &report)
			a := alarmReport(t, report, cfg.StackID()+"/"+alarms.AllStreams+"/write-throttled")
			if a.QueryReport == nil || len(a.Contributors) != 1 || a.Contributors[0].Dimensions["StreamName"] != queryLate {
				t.Fatalf("contributors of %s: %+v; want the new stream %s alone", a.Name, a.QueryReport, queryLate)
			}
			var got []string
			for _, tr := range a.Contributors[0].Transitions {
				got = append(got, stamp(tr.Time)+" "+tr.From.String()+"→"+tr.To.String())
			}
			if want := []string{stamp(at(61)) + " OK→ALARM", stamp(at(66)) + " ALARM→OK"}; !cmp.Equal(got, want) {
				t.Errorf("%s's transitions as a contributor of %s: %v, want %v", queryLate, a.Name, got, want)
			}
			// The new stream and orders are the query's series; the excluded and the watched stream are not.
			if a.Series != 2 || a.AlarmCount != 1 {
				t.Errorf("%s: %d series, %d times in ALARM; want 2 (%s, %s), once", a.Name, a.Series, a.AlarmCount, queryLate, queryOrders)
			}
			if own := alarmReport(t, report, queryOwn+"-write-throttled"); own.AlarmCount != 0 {
				t.Errorf("%s went to ALARM %d times at 3 throttled writes a minute, under its own threshold 5", own.Name, own.AlarmCount)
			}
		}},
		stage{"cdktf destroy", func(t *testing.T) { p.destroy(t) }},
		stage{"the alarms are gone, every stream stays", func(t *testing.T) {
			for _, prefix := range []string{cfg.StackID() + "/all-", "query-e2e-"} {
				if left := alarmsWithPrefix(ctx, t, cw, prefix); len(left) != 0 {
					t.Errorf("%d alarms named %s… remain after the destroy: %v", len(left), prefix, left)
				}
			}
			if left := listDashboards(ctx, t, cw, cfg.StackID()); len(left) != 0 {
				t.Errorf("dashboards remain after the destroy: %v", left)
			}
			if got := listStreams(ctx, t, k); !cmp.Equal(got, streams) {
				t.Errorf("streams after the destroy: %v, want %v", got, streams)
			}
			for _, name := range streams {
				if got := aws.ToString(waitActive(ctx, t, k, name).StreamARN); got != arns[name] {
					t.Errorf("%s is another stream after the destroy: %s, was %s", name, got, arns[name])
				}
			}
			requireConsumerActive(ctx, t, k, arns[queryFanOut], queryConsumer)
		}},
	)
}

// checkQueryOutput: the output all_streams_alarms names the query alarms.
func checkQueryOutput(t *testing.T, p *project, want []string) []string {
	t.Helper()
	outputs, err := p.tf(t).Output(context.Background())
	if err != nil {
		t.Fatalf("terraform output: %v", err)
	}
	var got []string
	if err := json.Unmarshal(outputs["all_streams_alarms"].Value, &got); err != nil {
		return []string{fmt.Sprintf("all_streams_alarms %s: %v", outputs["all_streams_alarms"].Value, err)}
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		return []string{"(-configuration +output):\n" + diff}
	}
	return nil
}
