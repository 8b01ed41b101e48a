package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/dashboard"
)

// streamMonitoring is one stream's monitoring as the stack built it: its
// alarms, in the order of their values, and its dashboard (nil without one).
type streamMonitoring struct {
	alarms    []cloudwatchmetricalarm.CloudwatchMetricAlarm
	byID      map[string]cloudwatchmetricalarm.CloudwatchMetricAlarm // by the values' ID
	dashboard cloudwatchdashboard.CloudwatchDashboard
}

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

// newStreamMonitoring builds the monitoring of the stream named streamName
// (a reference to a stream of the stack's, or a name): one alarm per value
// (alarmResource), routed to the alert actions, and the dashboard when spec
// is not nil. The values' StreamName dimension is written as streamName, so
// Terraform orders the alarms after the stream they watch.
func newStreamMonitoring(stack cdktf.TerraformStack, streamName *string, values []alarms.Alarm, routing alertActions, spec *dashboardSpec) streamMonitoring {
	m := streamMonitoring{byID: map[string]cloudwatchmetricalarm.CloudwatchMetricAlarm{}}
	for _, a := range values {
		alarm := alarmResource(stack, a, streamName, routing)
		m.alarms = append(m.alarms, alarm)
		m.byID[a.ID] = alarm
	}
	if spec != nil {
		m.dashboard = newDashboard(stack, *spec, streamName, m.alarms)
	}
	return m
}

// alarm is the alarm of the value whose ID is id.
func (m streamMonitoring) alarm(id string) cloudwatchmetricalarm.CloudwatchMetricAlarm {
	alarm, ok := m.byID[id]
	if !ok {
		panic("the stream's monitoring has no alarm " + id) // a defect: the caller names an alarm of alarms.ForStream
	}
	return alarm
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
		Value: jsii.String(fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s",
			spec.region, spec.region, spec.name)),
		Description: jsii.String("CloudWatch dashboard of the stream"),
	})
	return dash
}

// newOutputs writes the specification's two outputs: the stream's name and
// the write-throttling alarm's name.
func newOutputs(stack cdktf.TerraformStack, stream kinesisstream.KinesisStream, m streamMonitoring) {
	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_stream_name"), &cdktf.TerraformOutputConfig{
		Value:       stream.Name(),
		Description: jsii.String("Name of the Kinesis data stream"),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_alarm_name"), &cdktf.TerraformOutputConfig{
		Value:       m.alarm(alarms.WriteThrottleID).AlarmName(),
		Description: jsii.String("Name of the CloudWatch alarm on the stream's write throttling"),
	})
}

// shortHash gives an e-mail subscription a construct id that does not move
// when the address list is reordered.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
