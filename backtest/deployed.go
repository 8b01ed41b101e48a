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
// name, not a resource of a stack. It reads an alarm on one metric, and an
// alarm on one Metrics Insights query of the form the stack writes (one
// MetricDataQuery: the query, its period, ReturnData true) into an alarm
// with its Query (alarms.ParseExpression), each of whose series is a
// contributor. An alarm of a shape the evaluator cannot replay (metric
// math, several queries, a query of another form) is refused with an
// *UnreplayableError that names every reason. The values themselves (a
// period, a threshold) are checked where every alarm's are, when it is
// replayed (evaluator.Check).
func DeployedAlarm(m cwtypes.MetricAlarm) (alarms.Alarm, error) {
	var reasons []string
	refuse := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	comparison := alarms.Comparison(m.ComparisonOperator)
	var query alarms.Alarm
	switch {
	case len(m.Metrics) > 1:
		refuse("it alarms on metric math (Metrics: %d queries), not on one metric or on one Metrics Insights query", len(m.Metrics))
	case len(m.Metrics) == 1:
		var why []string
		query, why = deployedQuery(m.Metrics[0], comparison)
		reasons = append(reasons, why...)
	case m.Namespace == nil || m.MetricName == nil:
		refuse("it names no metric (Namespace, MetricName)")
	}
	if m.ThresholdMetricId != nil {
		refuse("its threshold is an anomaly detection band (ThresholdMetricId %s), not a number", aws.ToString(m.ThresholdMetricId))
	} else if !comparison.Valid() {
		refuse("comparison operator %q is not one on a static threshold, %s", comparison, strings.Join(alarms.Names(alarms.ComparisonOperators), ", "))
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
		Threshold: aws.ToFloat64(m.Threshold), Comparison: comparison,
		TreatMissingData: aws.ToString(m.TreatMissingData),
	}
	for _, d := range m.Dimensions {
		a.Dimensions = append(a.Dimensions, alarms.Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	if query.Query != nil {
		a.Namespace, a.Metric, a.Statistic, a.Query = query.Namespace, query.Metric, query.Statistic, query.Query
		a.Period = int(aws.ToInt32(m.Metrics[0].Period))
	}
	return a, nil
}

// deployedQuery reads the one query of a query alarm, or says why it is
// not the stack's form: no query text (a metric written as a query), a
// query that returns no data (ReturnData false; left out, it is true), no
// period, another account's metrics, a query alarms.ParseExpression
// refuses.
func deployedQuery(q cwtypes.MetricDataQuery, c alarms.Comparison) (alarms.Alarm, []string) {
	if q.Expression == nil {
		return alarms.Alarm{}, []string{"its one query (Metrics) is a metric (MetricStat), not a Metrics Insights query"}
	}
	var reasons []string
	switch {
	case q.ReturnData != nil && !*q.ReturnData:
		reasons = append(reasons, "its one query (Metrics) returns no data (ReturnData false)")
	case q.Period == nil:
		reasons = append(reasons, "its query has no period (Metrics[0].Period)")
	}
	if q.AccountId != nil {
		reasons = append(reasons, fmt.Sprintf("its query reads the metrics of the account %s (AccountId), not the alarm's own", aws.ToString(q.AccountId)))
	}
	if !c.Valid() {
		return alarms.Alarm{}, reasons // the comparison's reason is given; ORDER BY cannot be checked without it
	}
	a, err := alarms.ParseExpression(aws.ToString(q.Expression), c)
	if err != nil {
		reasons = append(reasons, err.Error())
	}
	return a, reasons
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
