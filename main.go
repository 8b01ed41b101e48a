// Command kinesis-monitoring is a CDK for Terraform app: an Amazon Kinesis
// data stream with shard-level metrics and a CloudWatch alarm that fires when
// writes to it are throttled (WriteProvisionedThroughputExceeded).
package main

import (
	"fmt"
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// ProviderConstraint replaces the exact "5.99.1" the aws/v19 bindings write:
// the release they were built for and every later 5.x.
const ProviderConstraint = ">= 5.99.1, < 6.0.0"

// NewKinesisMonitoringStack defines the stream, its write-throttling alarm and
// the two outputs, plus whatever the production settings switch on (alert
// routing, recommended alarms, dashboard, tags, S3 state). cfg must come from
// ConfigsFromContext (or DefaultConfig).
func NewKinesisMonitoringStack(scope constructs.Construct, id string, cfg Config) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, &id)

	newBackend(stack, cfg)
	providerConfig := &provider.AwsProviderConfig{Region: jsii.String(cfg.Region)}
	if len(cfg.Tags) > 0 {
		tags := map[string]*string{}
		for k, v := range cfg.Tags {
			tags[k] = jsii.String(v)
		}
		providerConfig.DefaultTags = &[]*provider.AwsProviderDefaultTags{{Tags: &tags}}
	}
	provider.NewAwsProvider(stack, jsii.String("aws"), providerConfig)
	stack.AddOverride(jsii.String("terraform.required_providers.aws.source"), jsii.String("hashicorp/aws"))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(ProviderConstraint))
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(requiredTerraform(cfg)))

	streamConfig := &kinesisstream.KinesisStreamConfig{
		Name:              jsii.String(cfg.StreamName),
		RetentionPeriod:   jsii.Number(cfg.RetentionHours),
		ShardLevelMetrics: jsii.Strings(cfg.ShardLevelMetrics...),
		StreamModeDetails: &kinesisstream.KinesisStreamStreamModeDetails{
			StreamMode: jsii.String(cfg.StreamMode),
		},
		EncryptionType: jsii.String("NONE"),
	}
	if cfg.StreamMode == streamModeProvisioned {
		// An on-demand stream has no shard count to set: AWS picks it, and
		// the provider refuses one.
		streamConfig.ShardCount = jsii.Number(cfg.ShardCount)
	}
	if cfg.Encryption {
		streamConfig.EncryptionType = jsii.String("KMS")
		streamConfig.KmsKeyId = jsii.String(cfg.KMSKeyID)
	}
	lifecycle := &cdktf.TerraformResourceLifecycle{}
	if cfg.Protect {
		// A stream holds up to its retention of unread records: deleting or
		// replacing it loses them. Terraform refuses at plan time.
		lifecycle.PreventDestroy = jsii.Bool(true)
	} else {
		// Unprotected, a destroy must go through even with enhanced fan-out
		// consumers registered: AWS refuses DeleteStream otherwise.
		streamConfig.EnforceConsumerDeletion = jsii.Bool(true)
	}
	if cfg.ExternalShardScaling {
		// An autoscaler owns the shard count after creation.
		lifecycle.IgnoreChanges = jsii.Strings("shard_count")
	}
	if cfg.Protect || cfg.ExternalShardScaling {
		streamConfig.Lifecycle = lifecycle
	}
	stream := kinesisstream.NewKinesisStream(stack, jsii.String("stream"), streamConfig)

	acct := &account{stack: stack}
	actions := newAlertRouting(stack, cfg, acct)
	alarm := newStreamAlarm(stack, stream, actions, streamAlarm{
		id: "write_throttle_alarm", name: cfg.AlarmName, description: cfg.AlarmDescription,
		metric: "WriteProvisionedThroughputExceeded", statistic: cfg.AlarmStatistic,
		comparison: cfg.AlarmComparisonOperator, missingData: cfg.AlarmTreatMissingData,
		period: cfg.AlarmPeriod, evaluationPeriods: cfg.AlarmEvaluationPeriods, threshold: cfg.AlarmThreshold,
		datapointsToAlarm: cfg.AlarmDatapointsToAlarm,
	})
	alarms := []cloudwatchmetricalarm.CloudwatchMetricAlarm{alarm}
	if cfg.RecommendedAlarms.Enabled {
		alarms = append(alarms, newRecommendedAlarms(stack, cfg, stream, actions)...)
	}
	var dash cloudwatchdashboard.CloudwatchDashboard
	if cfg.Dashboard {
		var err error
		if dash, err = newDashboard(stack, cfg, stream, alarms); err != nil {
			panic(err) // cfg is validated: only a defect gets here
		}
	}
	adoptExisting(cfg, acct, stream, alarms, actions, dash)

	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_stream_name"), &cdktf.TerraformOutputConfig{
		Value:       stream.Name(),
		Description: jsii.String("Name of the Kinesis data stream"),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_alarm_name"), &cdktf.TerraformOutputConfig{
		Value:       alarm.AlarmName(),
		Description: jsii.String("Name of the CloudWatch alarm on the stream's write throttling"),
	})
	return stack
}

func main() {
	defer jsii.Close()
	err := prepareJsiiKernel()
	var configs []Config
	if err == nil {
		configs, err = LoadConfigs()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		jsii.Close() // os.Exit skips deferred calls; this removes the kernel's temp dir
		os.Exit(1)
	}
	app := cdktf.NewApp(nil)
	for _, cfg := range configs {
		NewKinesisMonitoringStack(app, cfg.StackID(), cfg)
	}
	app.Synth()
}
