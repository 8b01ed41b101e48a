// Command kinesis-monitoring is a CDK for Terraform app: an Amazon Kinesis
// data stream with shard-level metrics and a CloudWatch alarm that fires when
// writes to it are throttled (WriteProvisionedThroughputExceeded).
package main

import (
	"fmt"
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// NewKinesisMonitoringStack defines the stream, its monitoring (the
// write-throttling alarm, and whatever the settings add: the recommended
// alarms, alert routing, a dashboard) and the two outputs; and the
// monitoring of the streams it watches (watchStreams), or only that
// (createStream false). cfg must come from
// config.Load or config.FromContext (or be config.Default()).
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
	return stack
}

func main() {
	if len(os.Args) > 1 {
		// A command other than the synth: no jsii kernel. The runtime made
		// its temp directory as the construct packages initialized; Close
		// removes it without starting the kernel.
		code := command(os.Args[1:])
		jsii.Close()
		os.Exit(code)
	}
	defer jsii.Close()
	err := prepareJsiiKernel()
	var configs []config.Config
	if err == nil {
		configs, err = config.Load()
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

// command runs the app's commands besides the synth (which takes no
// argument) and returns the exit code.
func command(args []string) int {
	if args[0] == "backtest" {
		return backtestCommand(args[1:], os.Stdout, os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "%q is not a command of this app; allowed: backtest (docs/tuning-alarms.md), or no argument to synthesize\n", args[0])
	return exitBadInput
}
