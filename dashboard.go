package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/dashboard"
)

// dashboardSpec is what a stream's dashboard shows besides the stream and
// its alarms.
type dashboardSpec struct {
	name, region string
	shardCount   int    // the fixed capacity to draw, or 0
	variable     string // why there is no fixed capacity, or ""
}

// dashboardOf is the stream's dashboard under cfg, or nil without one.
func dashboardOf(cfg config.Config) *dashboardSpec {
	if !cfg.Dashboard {
		return nil
	}
	spec := &dashboardSpec{name: cfg.DashboardName(), region: cfg.Region, variable: cfg.VariableCapacity()}
	if spec.variable == "" {
		spec.shardCount = cfg.ShardCount
	}
	return spec
}

// newDashboard creates the stream's CloudWatch dashboard (body: package
// dashboard) and an output with its console address.
func newDashboard(stack cdktf.TerraformStack, spec dashboardSpec, streamName *string, alarms []cloudwatchmetricalarm.CloudwatchMetricAlarm) cloudwatchdashboard.CloudwatchDashboard {
	var arns []string
	for _, a := range alarms {
		arns = append(arns, *a.Arn())
	}
	body := dashboard.Body(dashboard.Input{StreamName: *streamName, Region: spec.region, ShardCount: spec.shardCount,
		VariableCapacity: spec.variable, AlarmARNs: arns})
	dash := cloudwatchdashboard.NewCloudwatchDashboard(stack, jsii.String("dashboard"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		DashboardName: jsii.String(spec.name),
		DashboardBody: jsii.String(body),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("dashboard_url"), &cdktf.TerraformOutputConfig{
		Value:       jsii.String(consoleDashboardURL(spec.region, spec.name)),
		Description: jsii.String("CloudWatch dashboard of the stream"),
	})
	return dash
}

// consoleDashboardURL is the address of a dashboard in the CloudWatch
// console of the region.
func consoleDashboardURL(region, name string) string {
	return fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s", region, region, name)
}
