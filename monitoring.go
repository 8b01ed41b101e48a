package main

import (
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// streamMonitoring is one stream's monitoring as the stack built it: its
// alarms, in the order of their values, and its dashboard (nil without one).
type streamMonitoring struct {
	alarms    []cloudwatchmetricalarm.CloudwatchMetricAlarm
	byID      map[string]cloudwatchmetricalarm.CloudwatchMetricAlarm // by the values' ID
	dashboard cloudwatchdashboard.CloudwatchDashboard
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
