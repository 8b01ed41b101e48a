package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/dashboard"
)

// newAllStreamsMonitoring watches every stream of the region by query
// (watchAllStreams): one aws_cloudwatch_metric_alarm.<ID> per query alarm
// of config.QueryAlarms (a handful, whatever the number of streams), each
// on a Metrics Insights query whose every series is a contributor, routed
// like every alarm; the output all_streams_alarms with their names; with
// dashboard true, the dashboard <stack>-all-streams, whose Metrics
// Insights widgets show the estate's worst streams. No resource, and no
// API call at plan time, depends on the number of streams.
func newAllStreamsMonitoring(stack cdktf.TerraformStack, cfg config.Config, routing alertActions) {
	var names []*string
	var arns []string
	for _, a := range cfg.QueryAlarms() {
		alarm := alarmResource(stack, a, nil, routing)
		names = append(names, alarm.AlarmName())
		arns = append(arns, *alarm.Arn())
	}
	cdktf.NewTerraformOutput(stack, jsii.String("all_streams_alarms"), &cdktf.TerraformOutputConfig{
		Value:       &names,
		Description: jsii.String("The query alarms that watch every stream of the region (watchAllStreams): each stream, or consumer, is a contributor of each"),
	})
	if !cfg.Dashboard {
		return
	}
	name := cfg.AllStreamsDashboardName()
	cloudwatchdashboard.NewCloudwatchDashboard(stack, jsii.String("all_streams"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		DashboardName: jsii.String(name),
		DashboardBody: jsii.String(dashboard.AllStreamsBody(dashboard.AllStreams{
			Region: cfg.Region, Exclude: cfg.WatchAllStreams.Exclude, Consumers: cfg.WatchAllStreams.Consumers,
			AlarmARNs: arns,
		})),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("all_streams_dashboard_url"), &cdktf.TerraformOutputConfig{
		Value:       jsii.String(consoleDashboardURL(cfg.Region, name)),
		Description: jsii.String("CloudWatch dashboard of every stream of the region (watchAllStreams)"),
	})
}
