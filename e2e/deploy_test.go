package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// TestDeploy deploys the stack through the cdktf CLI to moto's server with
// the real terraform and hashicorp/aws provider, and checks the result
// through the AWS API. The scenarios run side by side, each on an emulator of
// its own (nothing one scenario does in moto reaches another, and a failed
// scenario reports its own emulator's errors) and with a region and names of
// its own: most of a deploy is the provider waiting for the stream.
func TestDeploy(t *testing.T) {
	slow(t)
	t.Parallel()
	// -parallel (5) of them run at once, the rest as places free up. They
	// are started in this order, the longest first (times from CI on 2
	// cores), so that a long scenario is unlikely to start last and run on
	// alone. The first ones start 5 s apart: all of them synthesizing,
	// initializing and creating their streams at the same moment slowed the
	// emulator enough, twice in ten CI runs, that the provider's SDK sent a
	// CreateStream again after the first had created the stream, and the
	// deploy failed on ResourceInUseException. With the 5 s apart, a first
	// deploy still failed once in about ten CI runs on the one emulator the
	// scenarios shared then.
	for i, s := range []struct {
		name     string
		scenario func(*testing.T, *emulator)
	}{
		{"stream mode switches", deployModeSwitch},                             // about 10 min
		{"estate, watch-only", deployEstate},                                   // 9
		{"lost state, adopted", deployLostState},                               // 8
		{"two environments", deployEnvironments},                               // 7
		{"interrupted after the stream is active: tainted", deployTainted},     // 7
		{"default", deployDefault},                                             // 6
		{"production settings", deployProduction},                              // 6
		{"terraform killed after the stream is active", deployKilledTerraform}, // 6
		{"autoscaled, with a consumer", deployAutoscaledWithConsumer},          // 5
		{"interrupted first deploy", deployInterrupted},                        // 5
		{"custom configuration", deployCustom},                                 // 4
		{"compare with the deployed alarms", deployCompare},                    // 3
		{"CI timeout: the deploy's process group killed", deployKilledGroup},   // 2
		{"estate by query, watch-only", deployEstateByQuery},                   // 2 (1-2 min alone)
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			if i < 8 {
				time.Sleep(time.Duration(i) * 5 * time.Second)
			}
			s.scenario(t, startEmulator(t))
		})
	}
}

// deployDefault: the specification as it ships, from deploy to destroy.
func deployDefault(t *testing.T, em *emulator) {
	ctx := context.Background()
	p := newProject(t, em, map[string]any{})
	var s stack
	var k *kinesis.Client
	var cw *cloudwatch.Client
	runStages(t,
		stage{"synth and terraform init", func(t *testing.T) {
			p.synthAndInit(t)
			s = p.synthesized(t)
			k, cw = em.kinesis(s.region()), em.cloudwatch(s.region())
		}},
		stage{"cdktf deploy", func(t *testing.T) { p.deploy(t) }},
		stage{"terraform plan: no changes", func(t *testing.T) { p.requireNoChanges(t, "after the first deploy") }},
		stage{"cdktf diff: no changes", func(t *testing.T) {
			if out := p.diff(t); !strings.Contains(out, "No changes. Your infrastructure matches the configuration.") {
				t.Errorf("cdktf diff after deploy does not report no changes:\n%s", out)
			}
		}},
		stage{"AWS has what was synthesized", func(t *testing.T) {
			requireNone(t, "stream", checkStream(ctx, k, s.stream()))
			requireNone(t, "alarm", checkAlarm(ctx, cw, s.writeThrottleAlarm(), s.stream().Name))
			checkOutputValues(t, p, s)
		}},
		stage{"drift behind Terraform's back", func(t *testing.T) {
			makeDrift(ctx, t, k, cw, s)
		}},
		stage{"terraform plan names both drifts", func(t *testing.T) {
			changes, plan, printed := p.plan(t)
			if !changes {
				t.Fatalf("plan after drift has no changes:\n%s", printed)
			}
			want := map[string]string{
				"aws_cloudwatch_metric_alarm.write_throttle_alarm": "threshold",
				"aws_kinesis_stream.stream":                        "shard_level_metrics",
			}
			if got := updates(plan); !cmp.Equal(got, want) {
				t.Errorf("plan after drift updates %v, want %v (address: a changed attribute)\n%s", got, want, printed)
			}
		}},
		stage{"cdktf deploy repairs the drift", func(t *testing.T) {
			if out := p.deploy(t); !strings.Contains(out, "0 added, 2 changed, 0 destroyed") {
				t.Errorf("repairing deploy:\n%s", out)
			}
			p.requireNoChanges(t, "after repairing the drift")
			requireNone(t, "stream", checkStream(ctx, k, s.stream()))
			requireNone(t, "alarm", checkAlarm(ctx, cw, s.writeThrottleAlarm(), s.stream().Name))
		}},
		stage{"protection: a rename is refused at plan", func(t *testing.T) {
			renamed := s.stream().Name + "-renamed"
			p.setContext(t, map[string]any{"streamName": renamed})
			out, err := p.tryDeploy(nil)
			if err == nil {
				t.Fatalf("renaming a protected stream was deployed:\n%s", out)
			}
			for _, want := range []string{"Instance cannot be destroyed", "has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed"} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
					t.Errorf("refused rename does not say %q:\n%s", want, out)
				}
			}
			requireNone(t, "stream after the refused rename", checkStream(ctx, k, s.stream()))
			if _, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(renamed)}); err == nil {
				t.Errorf("the refused rename created %s", renamed)
			}
		}},
		stage{"protection off: no change to AWS", func(t *testing.T) {
			p.setContext(t, map[string]any{"protect": false})
			// The stream's enforce_consumer_deletion turns on: an argument of
			// the provider's delete, no AWS call. Nothing else changes.
			p.cli(t, "synth")
			if _, plan, printed := p.plan(t); !cmp.Equal(updates(plan), map[string]string{"aws_kinesis_stream.stream": "enforce_consumer_deletion"}) {
				t.Errorf("turning protection off plans %v, want only the stream's enforce_consumer_deletion:\n%s", updates(plan), printed)
			}
			arn := aws.ToString(describeStream(ctx, t, k, s.stream().Name).StreamARN)
			if out := p.deploy(t); !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
				t.Errorf("turning protection off changed resources:\n%s", out)
			}
			if got := aws.ToString(describeStream(ctx, t, k, s.stream().Name).StreamARN); got != arn {
				t.Errorf("the stream was replaced: %s, was %s", got, arn)
			}
			p.requireNoChanges(t, "after turning protection off")
		}},
		stage{"cdktf destroy", func(t *testing.T) { p.destroy(t) }},
		stage{"both are gone", func(t *testing.T) { requireGone(ctx, t, k, cw, s) }},
	)
}

// makeDrift changes the alarm's threshold and disables a shard-level metric
// behind Terraform's back, and shows that the API checks notice.
func makeDrift(ctx context.Context, t *testing.T, k *kinesis.Client, cw *cloudwatch.Client, s stack) {
	want := s.writeThrottleAlarm()
	alarm := describeAlarm(ctx, t, cw, want.AlarmName)
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: alarm.AlarmName, AlarmDescription: alarm.AlarmDescription,
		Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions,
		Statistic: alarm.Statistic, Period: alarm.Period, EvaluationPeriods: alarm.EvaluationPeriods,
		ComparisonOperator: alarm.ComparisonOperator, TreatMissingData: alarm.TreatMissingData,
		Threshold: aws.Float64(want.Threshold + 4),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{
		StreamName:        aws.String(s.stream().Name),
		ShardLevelMetrics: []ktypes.MetricsName{ktypes.MetricsNameReadProvisionedThroughputExceeded},
	}); err != nil {
		t.Fatal(err)
	}
	// The API checks see it (they can fail)…
	if errs := checkAlarm(ctx, cw, want, s.stream().Name); !containsError(errs, "threshold") {
		t.Errorf("alarm check did not notice the changed threshold: %v", errs)
	}
	if errs := checkStream(ctx, k, s.stream()); !containsError(errs, "shard-level metrics") {
		t.Errorf("stream check did not notice the disabled metric: %v", errs)
	}
}

// updates maps each resource a plan updates in place to the first attribute
// whose planned value differs from the current one.
func updates(plan *tfjson.Plan) map[string]string {
	out := map[string]string{}
	for _, rc := range plan.ResourceChanges {
		if !rc.Change.Actions.Update() {
			if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
				out[rc.Address] = actionsText(rc.Change.Actions)
			}
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		keys := make([]string, 0, len(after))
		for key := range after {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		for _, key := range keys {
			if !cmp.Equal(before[key], after[key]) {
				out[rc.Address] = key
				break
			}
		}
	}
	return out
}

// deployCustom proves the configuration reaches AWS, not just the JSON: the
// specification's settings all changed (another region, names, 2 shards,
// 48 h …), and the alarm routed to an existing SNS topic.
func deployCustom(t *testing.T, em *emulator) {
	ctx := context.Background()
	settings := customSettings()
	region := settings["region"].(string)
	// Alert routing to a topic the team already has, in the stack's region.
	topic, err := em.sns(region).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("existing-ops-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	settings["alarmTopicArn"] = aws.ToString(topic.TopicArn)
	p := newProject(t, em, settings)
	k, cw := em.kinesis(region), em.cloudwatch(region)
	var s stack
	runStages(t,
		stage{"synth and terraform init", func(t *testing.T) {
			p.synthAndInit(t)
			s = p.synthesized(t)
			if s.region() != region || s.stream().ShardCount != 2 || s.writeThrottleAlarm().Period != 300 {
				t.Fatalf("the synth does not carry the settings: region %s, %+v, %+v", s.region(), s.stream(), s.writeThrottleAlarm())
			}
		}},
		stage{"cdktf deploy", func(t *testing.T) { p.deploy(t) }},
		stage{"terraform plan: no changes", func(t *testing.T) { p.requireNoChanges(t, "after deploying the custom configuration") }},
		stage{"AWS has what was synthesized", func(t *testing.T) {
			requireNone(t, "stream", checkStream(ctx, k, s.stream()))
			requireNone(t, "alarm", checkAlarm(ctx, cw, s.writeThrottleAlarm(), s.stream().Name))
			checkOutputValues(t, p, s)
			a := describeAlarm(ctx, t, cw, s.writeThrottleAlarm().AlarmName)
			if want := []string{aws.ToString(topic.TopicArn)}; !cmp.Equal(a.AlarmActions, want) || !cmp.Equal(a.OKActions, want) || len(a.InsufficientDataActions) != 0 {
				t.Errorf("alarm actions %v / OK %v / insufficient %v, want the existing topic on ALARM and OK only",
					a.AlarmActions, a.OKActions, a.InsufficientDataActions)
			}
			// Nothing landed in the default region.
			if _, err := em.kinesis("us-east-1").DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{
				StreamName: aws.String(s.stream().Name)}); err == nil {
				t.Errorf("stream %s exists in us-east-1 too", s.stream().Name)
			}
		}},
		stage{"cdktf destroy", func(t *testing.T) { p.destroy(t) }},
		stage{"both are gone", func(t *testing.T) { requireGone(ctx, t, k, cw, s) }},
	)
}

func describeStream(ctx context.Context, t *testing.T, k *kinesis.Client, name string) *ktypes.StreamDescriptionSummary {
	t.Helper()
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamDescriptionSummary
}

// checkStream compares the stream AWS reports with the synthesized one and
// returns one message per difference.
func checkStream(ctx context.Context, k *kinesis.Client, want streamConfig) []string {
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(want.Name)})
	if err != nil {
		return []string{fmt.Sprintf("describe stream %s: %v", want.Name, err)}
	}
	s := out.StreamDescriptionSummary
	var errs []string
	differs := func(what string, got, want any) {
		if !cmp.Equal(got, want) {
			errs = append(errs, fmt.Sprintf("%s: AWS has %v, synthesized %v", what, got, want))
		}
	}
	differs("status", s.StreamStatus, ktypes.StreamStatusActive)
	mode := ktypes.StreamMode("")
	if s.StreamModeDetails != nil {
		mode = s.StreamModeDetails.StreamMode
	}
	differs("stream mode", string(mode), want.StreamModeDetails.StreamMode)
	if mode == ktypes.StreamModeProvisioned {
		differs("open shards", aws.ToInt32(s.OpenShardCount), int32(want.ShardCount))
	}
	differs("retention hours", aws.ToInt32(s.RetentionPeriodHours), int32(want.RetentionPeriod))
	var metrics []string
	for _, em := range s.EnhancedMonitoring {
		for _, m := range em.ShardLevelMetrics {
			metrics = append(metrics, string(m))
		}
	}
	wantMetrics := slices.Clone(want.ShardLevelMetrics)
	slices.Sort(metrics)
	slices.Sort(wantMetrics)
	differs("shard-level metrics", metrics, wantMetrics)
	differs("encryption", string(s.EncryptionType), want.EncryptionType)
	if want.EncryptionType == "KMS" {
		differs("KMS key", aws.ToString(s.KeyId), want.KMSKeyID)
	}
	return errs
}

// checkAlarm compares the alarm AWS reports with the synthesized one, whose
// StreamName dimension refers to the stream, attribute for attribute.
func checkAlarm(ctx context.Context, cw *cloudwatch.Client, want alarmConfig, streamName string) []string {
	synthesized, err := testkit.SynthesizedAlarm(want.Attributes, map[string]string{streamReference: streamName})
	if err != nil {
		return []string{fmt.Sprintf("synthesized alarm %s: %v", want.AlarmName, err)}
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{want.AlarmName}})
	if err != nil {
		return []string{fmt.Sprintf("describe alarm %s: %v", want.AlarmName, err)}
	}
	if len(out.MetricAlarms) != 1 {
		return []string{fmt.Sprintf("%d alarms named %q, want 1", len(out.MetricAlarms), want.AlarmName)}
	}
	deployed, err := backtest.DeployedAlarm(out.MetricAlarms[0])
	if err != nil {
		return []string{err.Error()}
	}
	return alarms.Diff(deployed, synthesized)
}

func describeAlarm(ctx context.Context, t *testing.T, cw *cloudwatch.Client, name string) cwtypes.MetricAlarm {
	t.Helper()
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("describe alarm %s: %v", name, err)
	}
	return out.MetricAlarms[0]
}

func checkOutputValues(t *testing.T, p *project, s stack) {
	t.Helper()
	got := p.outputs(t)
	for name, want := range map[string]string{"kke_kinesis_stream_name": s.stream().Name, "kke_kinesis_alarm_name": s.writeThrottleAlarm().AlarmName} {
		if got[name] != want {
			t.Errorf("cdktf output %s = %q, want %q", name, got[name], want)
		}
	}
}

// requireGone: after a destroy, neither the stream nor any alarm of the stack exists.
func requireGone(ctx context.Context, t *testing.T, k *kinesis.Client, cw *cloudwatch.Client, s stack) {
	t.Helper()
	_, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(s.stream().Name)})
	var notFound *ktypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("stream %s after destroy: want ResourceNotFoundException, got %v", s.stream().Name, err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: s.alarmNames()})
	switch {
	case err != nil:
		t.Errorf("describe alarms %v after destroy: %v", s.alarmNames(), err)
	case len(out.MetricAlarms) != 0:
		t.Errorf("%d alarms of the stack still exist after destroy", len(out.MetricAlarms))
	}
}

func requireNone(t *testing.T, what string, errs []string) {
	t.Helper()
	if len(errs) > 0 {
		t.Errorf("%s differs from the synthesized configuration:\n  %s", what, strings.Join(errs, "\n  "))
	}
}

func containsError(errs []string, s string) bool {
	return slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, s) })
}
