package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// iteratorAgeFraction: the iterator-age alarm fires when the oldest unread
// record is older than this share of the retention period. Records older than
// the retention are deleted unread.
const iteratorAgeFraction = 0.5

// recommendedAlarm is one alarm of the opt-in set, after the AWS Kinesis
// developer guide's advice on what to watch.
type recommendedAlarm struct {
	id, nameSuffix, metric, statistic string
	period, evaluationPeriods         int
	threshold                         func(Config) float64
	description                       func(Config) string
}

var recommendedAlarms = []recommendedAlarm{
	{
		id: "iterator_age_alarm", nameSuffix: "-iterator-age", metric: "GetRecords.IteratorAgeMilliseconds",
		statistic: "Maximum", period: 60, evaluationPeriods: 5,
		threshold: func(c Config) float64 { return float64(c.RetentionHours) * 3600 * 1000 * iteratorAgeFraction },
		description: func(c Config) string {
			return fmt.Sprintf("Consumers are falling behind: for 5 minutes the oldest unread record has been older than %g h, "+
				"half of the stream's %d h retention, and records older than the retention are deleted unread. "+
				"Add consumer capacity (or shards and consumers) and look for stuck or failing consumers.",
				float64(c.RetentionHours)*iteratorAgeFraction, c.RetentionHours)
		},
	},
	{
		id: "read_throttle_alarm", nameSuffix: "-read-throttled", metric: "ReadProvisionedThroughputExceeded",
		statistic: "Sum", period: 60, evaluationPeriods: 5,
		threshold: func(Config) float64 { return 0 },
		description: func(Config) string {
			return "Reads were throttled in each of the last 5 minutes: consumers exceed 5 GetRecords calls/s or 2 MiB/s per shard. " +
				"Add shards, move consumers to enhanced fan-out, or poll less often."
		},
	},
	{
		id: "putrecords_failed_alarm", nameSuffix: "-putrecords-failed", metric: "PutRecords.FailedRecords",
		statistic: "Sum", period: 60, evaluationPeriods: 1,
		threshold: func(Config) float64 { return 0 },
		description: func(Config) string {
			return "PutRecords calls had records that failed with internal errors in the last minute. " +
				"Producers must retry the records that PutRecords reports as failed, or they are lost."
		},
	},
	{
		id: "putrecords_throttled_alarm", nameSuffix: "-putrecords-throttled", metric: "PutRecords.ThrottledRecords",
		statistic: "Sum", period: 60, evaluationPeriods: 5,
		threshold: func(Config) float64 { return 0 },
		description: func(Config) string {
			return "PutRecords calls had throttled records in each of the last 5 minutes: sustained write overload. " +
				"Add shards (each takes 1 MiB/s or 1,000 records/s) or spread the partition keys."
		},
	},
}

// streamAlarm is what differs between the stack's alarms; newStreamAlarm adds
// what they share: the AWS/Kinesis namespace, the StreamName dimension (a
// reference to the stream) and the alert routing.
type streamAlarm struct {
	id, name, description, metric, statistic, comparison, missingData string
	period, evaluationPeriods                                         int
	threshold                                                         float64
}

func newStreamAlarm(stack cdktf.TerraformStack, stream kinesisstream.KinesisStream, actions alertActions, a streamAlarm) cloudwatchmetricalarm.CloudwatchMetricAlarm {
	return cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String(a.id), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:               jsii.String(a.name),
		AlarmDescription:        jsii.String(a.description),
		Namespace:               jsii.String(kinesis.Namespace),
		MetricName:              jsii.String(a.metric),
		Dimensions:              &map[string]*string{"StreamName": stream.Name()},
		Statistic:               jsii.String(a.statistic),
		Period:                  jsii.Number(a.period),
		EvaluationPeriods:       jsii.Number(a.evaluationPeriods),
		ComparisonOperator:      jsii.String(a.comparison),
		Threshold:               jsii.Number(a.threshold),
		TreatMissingData:        jsii.String(a.missingData),
		AlarmActions:            actions.alarmAndOK,
		OkActions:               actions.alarmAndOK,
		InsufficientDataActions: actions.insufficientData,
	})
}

// recommendedAlarmNames are the names of the recommended alarms the
// configuration creates (none when they are off).
func recommendedAlarmNames(cfg Config) []string {
	if !cfg.RecommendedAlarms {
		return nil
	}
	var names []string
	for _, r := range recommendedAlarms {
		names = append(names, cfg.StreamName+r.nameSuffix)
	}
	return names
}

// newRecommendedAlarms creates the opt-in alarm set on the stream, with the
// same alert routing as the write-throttling alarm.
func newRecommendedAlarms(stack cdktf.TerraformStack, cfg Config, stream kinesisstream.KinesisStream, actions alertActions) []cloudwatchmetricalarm.CloudwatchMetricAlarm {
	var alarms []cloudwatchmetricalarm.CloudwatchMetricAlarm
	for _, r := range recommendedAlarms {
		alarms = append(alarms, newStreamAlarm(stack, stream, actions, streamAlarm{
			id: r.id, name: cfg.StreamName + r.nameSuffix, description: r.description(cfg),
			metric: r.metric, statistic: r.statistic, comparison: "GreaterThanThreshold", missingData: "notBreaching",
			period: r.period, evaluationPeriods: r.evaluationPeriods, threshold: r.threshold(cfg),
		}))
	}
	return alarms
}
