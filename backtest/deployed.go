package backtest

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// DeployedAlarm is an alarm as CloudWatch describes it (DescribeAlarms) as
// the value the evaluator replays. Its ID is empty: a deployed alarm has a
// name, not a resource of a stack. An alarm of a shape the evaluator cannot
// replay is refused with an *UnreplayableError that names every reason. The
// values themselves (a period, a threshold) are checked where every alarm's
// are, when it is replayed (evaluator.Check).
func DeployedAlarm(m cwtypes.MetricAlarm) (alarms.Alarm, error) {
	var reasons []string
	refuse := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if len(m.Metrics) > 0 {
		refuse("it alarms on metric math or a Metrics Insights query (Metrics), not on one metric")
	} else if m.Namespace == nil || m.MetricName == nil {
		refuse("it names no metric (Namespace, MetricName)")
	}
	if m.ThresholdMetricId != nil {
		refuse("its threshold is an anomaly detection band (ThresholdMetricId %s), not a number", aws.ToString(m.ThresholdMetricId))
	} else if c := alarms.Comparison(m.ComparisonOperator); !c.Valid() {
		refuse("comparison operator %q is not one on a static threshold, %s", c, strings.Join(alarms.Names(alarms.ComparisonOperators), ", "))
	}
	switch {
	case m.ExtendedStatistic != nil:
		refuse("its statistic is the extended statistic %s (percentiles and the like are not replayed), not one of %s",
			aws.ToString(m.ExtendedStatistic), strings.Join(alarms.Statistics, ", "))
	case m.Statistic == "" && len(m.Metrics) == 0:
		refuse("it has no statistic")
	}
	if len(m.Dimensions) == 0 && len(m.Metrics) == 0 {
		refuse("its metric has no dimensions: the backtest replays the metrics of one stream or one consumer")
	}
	if m.Unit != "" {
		refuse("it counts only the datapoints in unit %s (Unit): the backtest reads the metric in every unit", m.Unit)
	}
	if len(reasons) > 0 {
		return alarms.Alarm{}, &UnreplayableError{Alarm: aws.ToString(m.AlarmName), Reasons: reasons}
	}
	a := alarms.Alarm{
		Name: aws.ToString(m.AlarmName), Description: aws.ToString(m.AlarmDescription),
		Namespace: aws.ToString(m.Namespace), Metric: aws.ToString(m.MetricName),
		Statistic: string(m.Statistic), Period: int(aws.ToInt32(m.Period)),
		EvaluationPeriods: int(aws.ToInt32(m.EvaluationPeriods)), DatapointsToAlarm: int(aws.ToInt32(m.DatapointsToAlarm)),
		Threshold: aws.ToFloat64(m.Threshold), Comparison: alarms.Comparison(m.ComparisonOperator),
		TreatMissingData: aws.ToString(m.TreatMissingData),
	}
	for _, d := range m.Dimensions {
		a.Dimensions = append(a.Dimensions, alarms.Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	return a, nil
}

// UnreplayableError is a deployed alarm that the evaluator cannot replay,
// with every reason.
type UnreplayableError struct {
	Alarm   string
	Reasons []string
}

func (e *UnreplayableError) Error() string {
	return fmt.Sprintf("the alarm %s cannot be replayed: %s", e.Alarm, strings.Join(e.Reasons, "; "))
}
