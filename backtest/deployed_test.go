package backtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// deployed is the write-throttling alarm as DescribeAlarms gives it, with
// what CloudWatch adds (ARN, state, actions), and with 2 of 3.
func deployed() cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{
		AlarmName: aws.String("s-write-throttled"), AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:s-write-throttled"),
		AlarmDescription: aws.String("Triggers when write throughput exceeds provisioned limit"),
		ActionsEnabled:   aws.Bool(true), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:alerts"},
		Namespace: aws.String("AWS/Kinesis"), MetricName: aws.String("WriteProvisionedThroughputExceeded"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("StreamName"), Value: aws.String("s")}},
		Statistic:  cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData: aws.String("notBreaching"), StateValue: cwtypes.StateValueOk,
	}
}

// ownQuery is the query of a query alarm of the stack's.
const ownQuery = `SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) WHERE StreamName != 's' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`

// toQuery makes the deployed alarm a query alarm, as DescribeAlarms gives
// one: no metric of its own, the query in Metrics.
func toQuery(m *cwtypes.MetricAlarm, expression string) {
	m.Namespace, m.MetricName, m.Statistic, m.Period, m.Dimensions = nil, nil, "", nil, nil
	m.Metrics = []cwtypes.MetricDataQuery{{Id: aws.String("q1"), Expression: aws.String(expression), Period: aws.Int32(60), ReturnData: aws.Bool(true)}}
}

// A query alarm of the stack's reads back as the alarm the configuration
// makes, its query included; ReturnData left out is true, as the API
// takes it.
func TestDeployedQueryAlarm(t *testing.T) {
	set := alarms.Settings{Description: "Triggers", Threshold: 1, Comparison: alarms.GreaterThanThreshold, Statistic: "Sum",
		Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: alarms.MissingDataNotBreaching, Recommended: true}
	for _, want := range alarms.ForEstate(alarms.Stream{RetentionHours: 24}, set, alarms.Estate{Stack: "k", Exclude: []string{"s", "t"}, Consumers: true}) {
		t.Run(want.Name, func(t *testing.T) {
			m := cwtypes.MetricAlarm{
				AlarmName: aws.String(want.Name), AlarmDescription: aws.String(want.Description),
				Metrics:           []cwtypes.MetricDataQuery{{Id: aws.String("q1"), Expression: aws.String(want.MustExpression()), Period: aws.Int32(int32(want.Period))}},
				EvaluationPeriods: aws.Int32(int32(want.EvaluationPeriods)), DatapointsToAlarm: aws.Int32(int32(want.DatapointsToAlarm)),
				Threshold: aws.Float64(want.Threshold), ComparisonOperator: cwtypes.ComparisonOperator(want.Comparison),
				TreatMissingData: aws.String(want.TreatMissingData), StateValue: cwtypes.StateValueOk,
			}
			got, err := DeployedAlarm(m)
			if err != nil {
				t.Fatal(err)
			}
			if diff := alarms.Diff(got, want); diff != nil {
				t.Errorf("DeployedAlarm: %q", diff)
			}
		})
	}
}

func TestDeployedAlarm(t *testing.T) {
	want := alarms.Alarm{
		Name: "s-write-throttled", Description: "Triggers when write throughput exceeds provisioned limit",
		Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded", Dimensions: []alarms.Dimension{{Name: "StreamName", Value: "s"}},
		Statistic: "Sum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2,
		Threshold: 1, Comparison: alarms.GreaterThanThreshold, TreatMissingData: alarms.MissingDataNotBreaching,
	}
	got, err := DeployedAlarm(deployed())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DeployedAlarm (-want +got):\n%s", diff)
	}
	// M of N not set: 0, as in alarms.Alarm.
	unset := deployed()
	unset.DatapointsToAlarm = nil
	if got, err := DeployedAlarm(unset); err != nil || got.DatapointsToAlarm != 0 {
		t.Errorf("without DatapointsToAlarm: %d, %v; want 0 (not set)", got.DatapointsToAlarm, err)
	}
}

// Each shape the evaluator cannot replay is refused, naming why; an alarm
// with several is refused with every reason.
func TestDeployedAlarmRefusals(t *testing.T) {
	cases := []struct {
		name   string
		change func(*cwtypes.MetricAlarm)
		want   []string // in the reasons, in order
	}{
		{"metric math", func(m *cwtypes.MetricAlarm) {
			m.Namespace, m.MetricName, m.Statistic, m.Period, m.Dimensions = nil, nil, "", nil, nil
			m.Metrics = []cwtypes.MetricDataQuery{
				{Id: aws.String("e1"), Expression: aws.String("m1 / 60"), ReturnData: aws.Bool(true)},
				{Id: aws.String("m1"), MetricStat: &cwtypes.MetricStat{Stat: aws.String("Sum")}, ReturnData: aws.Bool(false)},
			}
		}, []string{"it alarms on metric math (Metrics: 2 queries), not on one metric or on one Metrics Insights query"}},
		{"metric math in one query", func(m *cwtypes.MetricAlarm) {
			toQuery(m, "FILL(METRICS(), 0)")
		}, []string{"the query is not one the stack writes: it does not start with SELECT"}},
		{"a Metrics Insights query without ORDER BY", func(m *cwtypes.MetricAlarm) {
			toQuery(m, `SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName`)
		}, []string{"the query is not one the stack writes: it has no ORDER BY"}},
		{"a query of another LIMIT", func(m *cwtypes.MetricAlarm) {
			toQuery(m, strings.Replace(ownQuery, "LIMIT 500", "LIMIT 100", 1))
		}, []string{"the query's LIMIT is 100, not 500"}},
		{"a query ordered against the comparison", func(m *cwtypes.MetricAlarm) {
			toQuery(m, ownQuery)
			m.ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold
		}, []string{"the query orders DESC while the alarm breaches below the threshold"}},
		{"a query that returns no data, of another account", func(m *cwtypes.MetricAlarm) {
			toQuery(m, ownQuery)
			m.Metrics[0].ReturnData, m.Metrics[0].AccountId = aws.Bool(false), aws.String("111122223333")
		}, []string{"returns no data (ReturnData false)", "the metrics of the account 111122223333 (AccountId)"}},
		{"a query without a period", func(m *cwtypes.MetricAlarm) {
			toQuery(m, ownQuery)
			m.Metrics[0].Period = nil
		}, []string{"its query has no period"}},
		{"a metric written as a query", func(m *cwtypes.MetricAlarm) {
			toQuery(m, "")
			m.Metrics[0].Expression = nil
			m.Metrics[0].MetricStat = &cwtypes.MetricStat{Stat: aws.String("Sum"), Period: aws.Int32(60),
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Kinesis"), MetricName: aws.String("IncomingBytes")}}
		}, []string{"its one query (Metrics) is a metric (MetricStat), not a Metrics Insights query"}},
		{"anomaly detection", func(m *cwtypes.MetricAlarm) {
			m.Threshold, m.ThresholdMetricId = nil, aws.String("ad1")
			m.ComparisonOperator = cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold
		}, []string{"anomaly detection band (ThresholdMetricId ad1)"}},
		{"a band's operator on a number", func(m *cwtypes.MetricAlarm) {
			m.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanUpperThreshold
		}, []string{`comparison operator "GreaterThanUpperThreshold" is not one on a static threshold, GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold`}},
		{"a percentile", func(m *cwtypes.MetricAlarm) {
			m.Statistic, m.ExtendedStatistic = "", aws.String("p99")
		}, []string{"extended statistic p99 (percentiles and the like are not replayed), not one of SampleCount, Average, Sum, Minimum, Maximum"}},
		{"no statistic", func(m *cwtypes.MetricAlarm) { m.Statistic = "" }, []string{"it has no statistic"}},
		{"no dimensions", func(m *cwtypes.MetricAlarm) { m.Dimensions = nil }, []string{"its metric has no dimensions"}},
		{"a unit", func(m *cwtypes.MetricAlarm) { m.Unit = cwtypes.StandardUnitCount }, []string{"only the datapoints in unit Count (Unit)"}},
		{"no metric", func(m *cwtypes.MetricAlarm) { m.MetricName = nil }, []string{"it names no metric (Namespace, MetricName)"}},
		{"several at once", func(m *cwtypes.MetricAlarm) {
			m.Statistic, m.ExtendedStatistic, m.Dimensions = "", aws.String("p90"), nil
		}, []string{"extended statistic p90", "no dimensions"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := deployed()
			c.change(&m)
			_, err := DeployedAlarm(m)
			var refused *UnreplayableError
			if !errors.As(err, &refused) {
				t.Fatalf("DeployedAlarm: %v, want an *UnreplayableError", err)
			}
			if refused.Alarm != "s-write-throttled" || !strings.HasPrefix(err.Error(), "the alarm s-write-throttled cannot be replayed: ") {
				t.Errorf("the error names %q: %v", refused.Alarm, err)
			}
			if len(refused.Reasons) != len(c.want) {
				t.Fatalf("reasons %q, want %d", refused.Reasons, len(c.want))
			}
			for i, want := range c.want {
				if !strings.Contains(refused.Reasons[i], want) {
					t.Errorf("reason %q, want it to say %q", refused.Reasons[i], want)
				}
			}
		})
	}
	// And a shape it replays is not refused (the refusals above are each
	// one change away from it).
	if _, err := DeployedAlarm(deployed()); err != nil {
		t.Errorf("the stack's own alarm refused: %v", err)
	}
}
