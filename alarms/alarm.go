// Package alarms computes the CloudWatch metric alarms of a stream's
// monitoring as plain Go values: what PutMetricAlarm is given, minus the
// actions (the alert routing is the stack's). The stack turns these values
// into aws_cloudwatch_metric_alarm resources and the backtest evaluates the
// very same values; nothing else decides an alarm's attributes.
package alarms

import "time"

// Alarm is one CloudWatch metric alarm on a static threshold.
type Alarm struct {
	// ID names the alarm's resource in the stack (aws_cloudwatch_metric_alarm.<ID>).
	ID          string
	Name        string
	Description string
	Namespace   string
	Metric      string
	// Dimensions are the metric's dimensions with their values (the stream's
	// name, not a Terraform reference).
	Dimensions []Dimension
	Statistic  string
	// Period is the length of one evaluation period in seconds.
	Period            int
	EvaluationPeriods int
	// DatapointsToAlarm is M of "M out of N": how many of the
	// EvaluationPeriods must breach. 0 means not set: all of them.
	DatapointsToAlarm int
	Threshold         float64
	Comparison        Comparison
	TreatMissingData  string
	// Query, when not nil, makes the alarm a Metrics Insights query alarm
	// over every series of Namespace and Metric with the dimensions
	// Query.GroupBy, each a contributor; Dimensions is then empty.
	Query *Query
}

// Dimension is one name/value pair of a metric.
type Dimension struct {
	Name, Value string
}

// PeriodDuration is Period as a time.Duration.
func (a Alarm) PeriodDuration() time.Duration { return time.Duration(a.Period) * time.Second }

// Datapoints is M of "M out of N": DatapointsToAlarm, or EvaluationPeriods
// when it is not set.
func (a Alarm) Datapoints() int {
	if a.DatapointsToAlarm == 0 {
		return a.EvaluationPeriods
	}
	return a.DatapointsToAlarm
}

// Statistics are the statistics an alarm takes by name (percentiles and
// other extended statistics are not offered).
var Statistics = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}

// How an alarm treats a period without data (TreatMissingData).
const (
	MissingDataMissing      = "missing"
	MissingDataIgnore       = "ignore"
	MissingDataBreaching    = "breaching"
	MissingDataNotBreaching = "notBreaching"
)

// MissingDataTreatments are the treatments above.
var MissingDataTreatments = []string{MissingDataMissing, MissingDataIgnore, MissingDataBreaching, MissingDataNotBreaching}
