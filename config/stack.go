package config

import (
	"regexp"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// What the stack derives from the configuration, in one place each.

// Alarms are every alarm of the stream's monitoring, as plain values: the
// write-throttling alarm of the specification, then the recommended set when
// it is on.
func (c Config) Alarms() []alarms.Alarm {
	return alarms.ForStream(c.alarmStream(), alarms.Settings{
		Name: c.AlarmName, Description: c.AlarmDescription, Threshold: c.AlarmThreshold,
		Comparison: c.AlarmComparisonOperator, Statistic: c.AlarmStatistic,
		Period: c.AlarmPeriod, EvaluationPeriods: c.AlarmEvaluationPeriods, DatapointsToAlarm: c.AlarmDatapointsToAlarm,
		TreatMissingData: c.AlarmTreatMissingData,
		Recommended:      c.RecommendedAlarms.Enabled, Thresholds: c.RecommendedAlarms.Thresholds,
	})
}

func (c Config) alarmStream() alarms.Stream {
	return alarms.Stream{Name: c.StreamName, RetentionHours: c.RetentionHours, OnDemand: c.StreamMode == OnDemand}
}

// nameUnsafe are the characters SNS topic and dashboard names may not hold
// (stream names allow ".").
var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// AlertTopicName is the SNS topic of alarmEmails: the stream's name, with "-"
// for what topic names do not allow, and "-alerts".
func (c Config) AlertTopicName() string {
	return nameUnsafe.ReplaceAllString(c.StreamName, "-") + "-alerts"
}

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
