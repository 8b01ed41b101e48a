package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// streamAlarm is what differs between the stack's alarms; newStreamAlarm adds
// what they share: the AWS/Kinesis namespace, the StreamName dimension (a
// reference to the stream) and the alert routing.
type streamAlarm struct {
	id, name, description, metric, statistic, comparison, missingData string
	period, evaluationPeriods                                         int
	datapointsToAlarm                                                 int // 0: not written (every period)
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
		DatapointsToAlarm:       optionalNumber(a.datapointsToAlarm),
	})
}

// optionalNumber is nil for 0: the attribute is not written.
func optionalNumber(n int) *float64 {
	if n == 0 {
		return nil
	}
	return jsii.Number(n)
}

// recommendedAlarmNames are the names of the recommended alarms the
// configuration creates (none when they are off).
func recommendedAlarmNames(cfg Config) []string {
	if !cfg.RecommendedAlarms.Enabled {
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
		threshold := r.thresholdFor(cfg)
		alarms = append(alarms, newStreamAlarm(stack, stream, actions, streamAlarm{
			id: r.id, name: cfg.StreamName + r.nameSuffix, description: r.description(cfg, threshold),
			metric: r.metric, statistic: r.statistic, comparison: r.comparison, missingData: "notBreaching",
			period: recommendedPeriod, evaluationPeriods: recommendedEvaluationPeriods,
			datapointsToAlarm: recommendedEvaluationPeriods, threshold: threshold,
		}))
	}
	return alarms
}
