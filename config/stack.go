package config

import (
	"fmt"
	"regexp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/dashboard"
)

// What the stack derives from the configuration, in one place each.

// Alarms are every alarm the stack deploys, as plain values: its own
// stream's (StreamAlarms), then each watched stream's, then the query
// alarms of watchAllStreams.
func (c Config) Alarms() []alarms.Alarm {
	out := c.StreamAlarms()
	for _, w := range c.Watched {
		out = append(out, w.Alarms()...)
	}
	return append(out, c.QueryAlarms()...)
}

// StreamAlarms are the alarms of the stack's own stream: the
// write-throttling alarm of the specification, the recommended set when it
// is on, and its consumers'. None for a watch-only stack.
func (c Config) StreamAlarms() []alarms.Alarm {
	if !c.CreateStream {
		return nil
	}
	return alarms.ForStream(c.alarmStream(), c.alarmSettings(c.AlarmName))
}

// alarmSettings are c's alarm settings, for an alarm of that name.
func (c Config) alarmSettings(name string) alarms.Settings {
	return alarms.Settings{
		Name: name, Description: c.AlarmDescription, Threshold: c.AlarmThreshold,
		Comparison: c.AlarmComparisonOperator, Statistic: c.AlarmStatistic,
		Period: c.AlarmPeriod, EvaluationPeriods: c.AlarmEvaluationPeriods, DatapointsToAlarm: c.AlarmDatapointsToAlarm,
		TreatMissingData: c.AlarmTreatMissingData,
		Recommended:      c.RecommendedAlarms.Enabled, Thresholds: c.RecommendedAlarms.Thresholds,
		Consumers: c.Consumers,
	}
}

func (c Config) alarmStream() alarms.Stream {
	return alarms.Stream{Name: c.StreamName, RetentionHours: c.RetentionHours, OnDemand: c.StreamMode == OnDemand}
}

// nameUnsafe are the characters SNS topic and dashboard names may not hold
// (stream names allow ".").
var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// AlertTopicName is the SNS topic of alarmEmails: the stream's name (the
// stack's, for a watch-only stack), with "-" for what topic names do not
// allow, and "-alerts".
func (c Config) AlertTopicName() string {
	if !c.CreateStream {
		return c.StackID() + "-alerts"
	}
	return nameUnsafe.ReplaceAllString(c.StreamName, "-") + "-alerts"
}

// EstatePages are the watched streams, by name, in the rows of the estate
// dashboards: as many to a dashboard as CloudWatch's limits take.
func (c Config) EstatePages() [][]string {
	var names []string
	for _, w := range c.Watched {
		names = append(names, w.Name)
	}
	return dashboard.Pages(names)
}

// EstateDashboardNames are the estate dashboards of the watched streams
// (with dashboard true): <stack>-estate-1, -2, …, one per page.
func (c Config) EstateDashboardNames() []string {
	var names []string
	for i := range c.EstatePages() {
		names = append(names, fmt.Sprintf("%s-estate-%d", c.StackID(), i+1))
	}
	return names
}

// AllStreamsDashboardName is the dashboard of watchAllStreams (with
// dashboard true): <stack>-all-streams.
func (c Config) AllStreamsDashboardName() string { return c.StackID() + "-all-streams" }

// DashboardName is the stream's dashboard: the stream's name, with "-" for
// what dashboard names do not allow.
func (c Config) DashboardName() string { return nameUnsafe.ReplaceAllString(c.StreamName, "-") }

// VariableCapacity says why the stream has no fixed capacity to draw, or ""
// when ShardCount shards are all it has.
func (c Config) VariableCapacity() string {
	switch {
	case c.StreamMode == OnDemand:
		return "on-demand: capacity follows the traffic"
	case c.ExternalShardScaling:
		return "shards set by an autoscaler"
	}
	return ""
}
