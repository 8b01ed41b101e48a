package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/dashboard"
)

// newDashboard creates the stream's CloudWatch dashboard (body: package dashboard).
func newDashboard(stack cdktf.TerraformStack, cfg Config, stream kinesisstream.KinesisStream, alarms []cloudwatchmetricalarm.CloudwatchMetricAlarm) (cloudwatchdashboard.CloudwatchDashboard, error) {
	var arns []string
	for _, a := range alarms {
		arns = append(arns, *a.Arn())
	}
	in := dashboard.Input{StreamName: *stream.Name(), Region: cfg.Region, AlarmARNs: arns, VariableCapacity: variableCapacity(cfg)}
	if in.VariableCapacity == "" {
		in.ShardCount = cfg.ShardCount // a fixed capacity to draw
	}
	body, err := dashboard.Body(in)
	if err != nil {
		return nil, err
	}
	name := dashboardName(cfg)
	dash := cloudwatchdashboard.NewCloudwatchDashboard(stack, jsii.String("dashboard"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		DashboardName: jsii.String(name),
		DashboardBody: jsii.String(body),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("dashboard_url"), &cdktf.TerraformOutputConfig{
		Value: jsii.String(fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s",
			cfg.Region, cfg.Region, name)),
		Description: jsii.String("CloudWatch dashboard of the stream"),
	})
	return dash, nil
}

// variableCapacity says why the stream has no fixed capacity to draw, or ""
// when cfg.ShardCount shards are all it has.
func variableCapacity(cfg Config) string {
	switch {
	case cfg.StreamMode == streamModeOnDemand:
		return "on-demand: capacity follows the traffic"
	case cfg.ExternalShardScaling:
		return "shards set by an autoscaler"
	}
	return ""
}
