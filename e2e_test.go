package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
)

// TestDeployToEmulator deploys the stack through the cdktf CLI to moto's
// server with the real terraform and hashicorp/aws provider, and checks the
// result through the AWS API. It takes a few minutes: -short skips it.
func TestDeployToEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: the end-to-end deploy to the emulator takes minutes")
	}
	cdktfCLI(t)
	requireTool(t, "terraform", "deploys run terraform")
	var em *emulator
	phase(t, "start the emulator", func() { em = startEmulator(t) })

	// The deployments run at once, each in its own project directory: most
	// of a deploy is the provider waiting for the stream to change state.
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		deployDefault(t, em)
	})
	t.Run("custom configuration", func(t *testing.T) {
		t.Parallel()
		deployCustom(t, em)
	})
	t.Run("production settings", func(t *testing.T) {
		t.Parallel()
		deployProduction(t, em)
	})
}

func deployDefault(t *testing.T, em *emulator) {
	ctx := context.Background()
	cfg := DefaultConfig()
	d := newDeployment(t, em, defaults)
	k, cw := em.kinesis(cfg.Region), em.cloudwatch(cfg.Region)

	phase(t, "synth + terraform init", d.SynthAndInit)
	phase(t, "cdktf deploy", func() { d.Deploy() })
	phase(t, "terraform plan: no changes", func() { d.RequireNoChanges("after the first deploy") })
	phase(t, "cdktf diff: no changes", func() {
		if out := d.Diff(); !strings.Contains(out, "No changes. Your infrastructure matches the configuration.") {
			t.Errorf("cdktf diff after deploy does not report no changes:\n%s", out)
		}
	})
	phase(t, "second deploy changes nothing", func() {
		if out := d.Deploy(); !strings.Contains(out, "0 added, 0 changed, 0 destroyed") {
			t.Errorf("second deploy was not a no-op:\n%s", out)
		}
	})
	phase(t, "verify through the AWS API", func() {
		requireNone(t, "stream", checkStream(ctx, k, cfg))
		requireNone(t, "alarm", checkAlarm(ctx, cw, cfg))
		checkOutputValues(t, d, cfg)
	})

	phase(t, "drift behind Terraform's back", func() {
		alarm := describeAlarm(ctx, t, cw, cfg.AlarmName)
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: alarm.AlarmName, AlarmDescription: alarm.AlarmDescription,
			Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions,
			Statistic: alarm.Statistic, Period: alarm.Period, EvaluationPeriods: alarm.EvaluationPeriods,
			ComparisonOperator: alarm.ComparisonOperator, TreatMissingData: alarm.TreatMissingData,
			Threshold: aws.Float64(cfg.AlarmThreshold + 4),
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := k.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{
			StreamName:        aws.String(cfg.StreamName),
			ShardLevelMetrics: []ktypes.MetricsName{ktypes.MetricsNameReadProvisionedThroughputExceeded},
		}); err != nil {
			t.Fatal(err)
		}
		// The API checks see it (they can fail)…
		if errs := checkAlarm(ctx, cw, cfg); !containsError(errs, "threshold") {
			t.Errorf("alarm check did not notice the changed threshold: %v", errs)
		}
		if errs := checkStream(ctx, k, cfg); !containsError(errs, "shard-level metrics") {
			t.Errorf("stream check did not notice the disabled metric: %v", errs)
		}
	})
	phase(t, "terraform plan: names both drifts", func() {
		code, out := d.Plan()
		if code != 2 {
			t.Fatalf("plan after drift: exit %d, want 2:\n%s", code, out)
		}
		for _, want := range []string{
			"aws_cloudwatch_metric_alarm.write_throttle_alarm will be updated in-place",
			"aws_kinesis_stream.stream will be updated in-place",
			"threshold", `"ReadProvisionedThroughputExceeded"`,
			"Plan: 0 to add, 2 to change, 0 to destroy.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("plan after drift does not mention %q:\n%s", want, out)
			}
		}
	})
	phase(t, "cdktf deploy repairs the drift", func() {
		if out := d.Deploy(); !strings.Contains(out, "0 added, 2 changed, 0 destroyed") {
			t.Errorf("repairing deploy:\n%s", out)
		}
		d.RequireNoChanges("after repairing the drift")
		requireNone(t, "stream", checkStream(ctx, k, cfg))
		requireNone(t, "alarm", checkAlarm(ctx, cw, cfg))
	})

	phase(t, "protection: a rename is refused at plan", func() {
		renamed := cfg.StreamName + "-renamed"
		d.SetContext(map[string]any{"streamName": renamed})
		out, err := d.TryDeploy(nil)
		if err == nil {
			t.Fatalf("renaming a protected stream was deployed:\n%s", out)
		}
		for _, want := range []string{"Instance cannot be destroyed", "has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed"} {
			if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("refused rename does not say %q:\n%s", want, out)
			}
		}
		requireNone(t, "stream after the refused rename", checkStream(ctx, k, cfg))
		if _, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(renamed)}); err == nil {
			t.Errorf("the refused rename created %s", renamed)
		}
	})
	phase(t, "protection off: no change to AWS", func() {
		d.SetContext(map[string]any{"protect": false})
		if out := d.Deploy(); !strings.Contains(out, "0 added, 0 changed, 0 destroyed") {
			t.Errorf("turning protection off changed resources:\n%s", out)
		}
		d.RequireNoChanges("after turning protection off")
	})
	phase(t, "cdktf destroy", func() { d.Destroy() })
	phase(t, "verify both are gone", func() { requireGone(ctx, t, k, cw, cfg) })
}

// deployCustom proves the configuration reaches AWS, not just the JSON: every
// setting overridden (another region, names, 2 shards, 48 h …), and the alarm
// routed to an existing SNS topic.
func deployCustom(t *testing.T, em *emulator) {
	ctx := context.Background()
	custom := contextOf(func(key string) bool { return everySpecSettingButEncryption(key) && key != "kmsKeyId" })
	custom["shardCount"], custom["retentionHours"], custom["protect"] = 2, 48, false
	// Alert routing to a topic the team already has, in the stack's region.
	region := custom["region"].(string)
	topic, err := em.sns(region).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("existing-ops-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	custom["alarmTopicArn"] = aws.ToString(topic.TopicArn)
	cfg, err := ConfigFromContext(custom)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region == DefaultConfig().Region || cfg.StreamName == DefaultConfig().StreamName {
		t.Fatal("the custom configuration must use another region and names")
	}
	d := newDeployment(t, em, custom)
	k, cw := em.kinesis(cfg.Region), em.cloudwatch(cfg.Region)

	phase(t, "synth + terraform init", d.SynthAndInit)
	phase(t, "cdktf deploy", func() { d.Deploy() })
	phase(t, "terraform plan: no changes", func() { d.RequireNoChanges("after deploying the custom configuration") })
	phase(t, "verify through the AWS API", func() {
		requireNone(t, "stream", checkStream(ctx, k, cfg))
		requireNone(t, "alarm", checkAlarm(ctx, cw, cfg))
		checkOutputValues(t, d, cfg)
		a := describeAlarm(ctx, t, cw, cfg.AlarmName)
		if want := []string{cfg.AlarmTopicARN}; !cmp.Equal(a.AlarmActions, want) || !cmp.Equal(a.OKActions, want) || len(a.InsufficientDataActions) != 0 {
			t.Errorf("alarm actions %v / OK %v / insufficient %v, want the existing topic on ALARM and OK only",
				a.AlarmActions, a.OKActions, a.InsufficientDataActions)
		}
		// Nothing landed in the default region.
		if _, err := em.kinesis(DefaultConfig().Region).DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{
			StreamName: aws.String(cfg.StreamName)}); err == nil {
			t.Errorf("stream %s exists in %s too", cfg.StreamName, DefaultConfig().Region)
		}
	})
	phase(t, "cdktf destroy", func() { d.Destroy() })
	phase(t, "verify both are gone", func() { requireGone(ctx, t, k, cw, cfg) })
}

// checkStream compares the stream AWS reports with the configuration and
// returns one message per difference.
func checkStream(ctx context.Context, k *kinesis.Client, cfg Config) []string {
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(cfg.StreamName)})
	if err != nil {
		return []string{fmt.Sprintf("describe stream %s: %v", cfg.StreamName, err)}
	}
	s := out.StreamDescriptionSummary
	var errs []string
	differs := func(what string, got, want any) {
		if !cmp.Equal(got, want) {
			errs = append(errs, fmt.Sprintf("%s: AWS has %v, configured %v", what, got, want))
		}
	}
	differs("status", s.StreamStatus, ktypes.StreamStatusActive)
	differs("open shards", aws.ToInt32(s.OpenShardCount), int32(cfg.ShardCount))
	differs("retention hours", aws.ToInt32(s.RetentionPeriodHours), int32(cfg.RetentionHours))
	mode := ktypes.StreamMode("")
	if s.StreamModeDetails != nil {
		mode = s.StreamModeDetails.StreamMode
	}
	differs("stream mode", mode, ktypes.StreamModeProvisioned)
	var metrics []string
	for _, em := range s.EnhancedMonitoring {
		for _, m := range em.ShardLevelMetrics {
			metrics = append(metrics, string(m))
		}
	}
	want := append([]string{}, cfg.ShardLevelMetrics...)
	sort.Strings(metrics)
	sort.Strings(want)
	differs("shard-level metrics", metrics, want)
	if cfg.Encryption {
		differs("encryption", s.EncryptionType, ktypes.EncryptionTypeKms)
		differs("KMS key", aws.ToString(s.KeyId), cfg.KMSKeyID)
	} else {
		differs("encryption", s.EncryptionType, ktypes.EncryptionTypeNone)
	}

	shards, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(cfg.StreamName)})
	if err != nil {
		return append(errs, fmt.Sprintf("list shards: %v", err))
	}
	open := 0
	for _, sh := range shards.Shards {
		if sh.SequenceNumberRange == nil || sh.SequenceNumberRange.EndingSequenceNumber == nil {
			open++
		}
	}
	differs("open shards listed", open, cfg.ShardCount)
	return errs
}

// checkAlarm compares the alarm AWS reports with the configuration.
func checkAlarm(ctx context.Context, cw *cloudwatch.Client, cfg Config) []string {
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{cfg.AlarmName}})
	if err != nil {
		return []string{fmt.Sprintf("describe alarm %s: %v", cfg.AlarmName, err)}
	}
	if len(out.MetricAlarms) != 1 {
		return []string{fmt.Sprintf("%d alarms named %q, want 1", len(out.MetricAlarms), cfg.AlarmName)}
	}
	a := out.MetricAlarms[0]
	var errs []string
	differs := func(what string, got, want any) {
		if !cmp.Equal(got, want) {
			errs = append(errs, fmt.Sprintf("%s: AWS has %v, configured %v", what, got, want))
		}
	}
	differs("namespace", aws.ToString(a.Namespace), "AWS/Kinesis")
	differs("metric", aws.ToString(a.MetricName), "WriteProvisionedThroughputExceeded")
	differs("statistic", string(a.Statistic), cfg.AlarmStatistic)
	differs("period", aws.ToInt32(a.Period), int32(cfg.AlarmPeriod))
	differs("evaluation periods", aws.ToInt32(a.EvaluationPeriods), int32(cfg.AlarmEvaluationPeriods))
	differs("comparison", string(a.ComparisonOperator), cfg.AlarmComparisonOperator)
	differs("threshold", aws.ToFloat64(a.Threshold), cfg.AlarmThreshold)
	differs("missing data", aws.ToString(a.TreatMissingData), cfg.AlarmTreatMissingData)
	differs("description", aws.ToString(a.AlarmDescription), cfg.AlarmDescription)
	var dims []string
	for _, d := range a.Dimensions {
		dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	differs("dimensions", dims, []string{"StreamName=" + cfg.StreamName})
	return errs
}

func describeAlarm(ctx context.Context, t *testing.T, cw *cloudwatch.Client, name string) cwtypes.MetricAlarm {
	t.Helper()
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("describe alarm %s: %v", name, err)
	}
	return out.MetricAlarms[0]
}

func checkOutputValues(t *testing.T, d *deployment, cfg Config) {
	t.Helper()
	want := map[string]string{"kke_kinesis_stream_name": cfg.StreamName, "kke_kinesis_alarm_name": cfg.AlarmName}
	if got := d.Outputs(); !cmp.Equal(got, want) {
		t.Errorf("cdktf output: %v, want %v", got, want)
	}
}

func requireGone(ctx context.Context, t *testing.T, k *kinesis.Client, cw *cloudwatch.Client, cfg Config) {
	t.Helper()
	_, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(cfg.StreamName)})
	var notFound *ktypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("stream %s after destroy: want ResourceNotFoundException, got %v", cfg.StreamName, err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{cfg.AlarmName}})
	switch {
	case err != nil:
		t.Errorf("describe alarm %s after destroy: %v", cfg.AlarmName, err)
	case len(out.MetricAlarms) != 0:
		t.Errorf("alarm %s still exists after destroy", cfg.AlarmName)
	}
}

func requireNone(t *testing.T, what string, errs []string) {
	t.Helper()
	if len(errs) > 0 {
		t.Errorf("%s differs from the configuration:\n  %s", what, strings.Join(errs, "\n  "))
	}
}

func containsError(errs []string, s string) bool {
	for _, e := range errs {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}
