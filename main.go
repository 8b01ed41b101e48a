// Command kinesis-monitoring is a CDK for Terraform app in Go. With no
// argument, as `cdktf synth` runs it, it synthesizes one Terraform stack per
// environment of cdktf.json's "context" (package config; one stack without
// "environments"). A stack holds:
//
//   - an Amazon Kinesis data stream with shard-level metrics, and its
//     CloudWatch alarm on throttled writes (WriteProvisionedThroughputExceeded);
//   - with recommendedAlarms, the recommended alarms on the stream's health
//     (package alarms);
//   - alert routing: an SNS topic with e-mail subscriptions and its KMS key
//     (alarmEmails), or a topic of the user's (alarmTopicArn);
//   - with dashboard, a CloudWatch dashboard of the stream;
//   - for streams owned elsewhere (watchStreams), the same alarms and an
//     estate dashboard; createStream false makes a stack that only watches;
//   - for every stream of the region (watchAllStreams), one Metrics
//     Insights query alarm per kind, each stream a contributor, and a
//     dashboard of the estate's worst streams;
//   - import blocks for what already exists (adoptExisting), and the outputs.
//
// `backtest` replays every alarm of the stacks over CloudWatch's metric
// history with CloudWatch's evaluation rules (packages backtest and
// evaluator) and says when each would have gone to ALARM; it starts no jsii
// kernel. `help` lists the commands (the table in commands.go). Using it:
// README.md and docs/.
package main

import (
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// NewKinesisMonitoringStack defines the stream, its monitoring (the
// write-throttling alarm, and whatever the settings add: the recommended
// alarms, alert routing, a dashboard) and the two outputs; and the
// monitoring of the streams it watches (watchStreams) and of every stream
// of the region (watchAllStreams), or only that (createStream false). cfg
// must come from config.Load or config.FromContext (or be
// config.Default()).
func NewKinesisMonitoringStack(scope constructs.Construct, id string, cfg config.Config) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, &id)
	newBackend(stack, cfg)
	newProvider(stack, cfg)
	acct := &account{stack: stack}
	routing := newAlertRouting(stack, cfg, acct)
	if cfg.CreateStream {
		stream := newStream(stack, cfg)
		monitoring := newStreamMonitoring(stack, stream.Name(), cfg.StreamAlarms(), routing, dashboardOf(cfg))
		adoptExisting(cfg, acct, stream, monitoring, routing)
		newOutputs(stack, stream, monitoring)
	} else {
		adoptExisting(cfg, acct, nil, streamMonitoring{}, routing)
	}
	if len(cfg.Watched) > 0 {
		newEstateMonitoring(stack, cfg, routing)
	}
	if cfg.WatchAllStreams.Enabled {
		newAllStreamsMonitoring(stack, cfg, routing)
	}
	return stack
}

func main() {
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	// The jsii runtime made its temp directory as the construct packages
	// initialized (and the synth started its kernel): Close removes them,
	// which os.Exit would skip in a deferred call.
	jsii.Close()
	os.Exit(code)
}
