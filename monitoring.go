package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// iteratorAgeFraction: the iterator-age alarm fires when the oldest unread
// record is older than this share of the retention period. Records older than
// the retention are deleted unread.
const iteratorAgeFraction = 0.5

// alertActions are the SNS topic ARNs the alarms notify, or nil.
type alertActions struct {
	alarmAndOK       *[]*string
	insufficientData *[]*string
}

// newAlertRouting creates the SNS topic and its e-mail subscriptions
// (alarmEmails) or uses an existing topic (alarmTopicArn).
func newAlertRouting(stack cdktf.TerraformStack, cfg Config) alertActions {
	var topicARN *string
	switch {
	case len(cfg.AlarmEmails) > 0:
		topic := snstopic.NewSnsTopic(stack, jsii.String("alert_topic"), &snstopic.SnsTopicConfig{
			Name: jsii.String(alertTopicName(cfg)),
		})
		for _, email := range cfg.AlarmEmails {
			snstopicsubscription.NewSnsTopicSubscription(stack, jsii.String("alert_email_"+shortHash(email)), &snstopicsubscription.SnsTopicSubscriptionConfig{
				TopicArn: topic.Arn(),
				Protocol: jsii.String("email"),
				Endpoint: jsii.String(email),
			})
		}
		topicARN = topic.Arn()
		cdktf.NewTerraformOutput(stack, jsii.String("alert_topic_arn"), &cdktf.TerraformOutputConfig{
			Value:       topicARN,
			Description: jsii.String("SNS topic the stream's alarms notify; each e-mail address must confirm its subscription"),
		})
	case cfg.AlarmTopicARN != "":
		topicARN = jsii.String(cfg.AlarmTopicARN)
	default:
		return alertActions{}
	}
	actions := alertActions{alarmAndOK: &[]*string{topicARN}}
	if cfg.AlarmOnInsufficientData {
		actions.insufficientData = &[]*string{topicARN}
	}
	return actions
}

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
		Namespace:               jsii.String("AWS/Kinesis"),
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

// newDashboard creates the stream's CloudWatch dashboard (body: DashboardBody).
func newDashboard(stack cdktf.TerraformStack, cfg Config, stream kinesisstream.KinesisStream, alarms []cloudwatchmetricalarm.CloudwatchMetricAlarm) error {
	var arns []string
	for _, a := range alarms {
		arns = append(arns, *a.Arn())
	}
	body, err := DashboardBody(DashboardInput{
		StreamName: *stream.Name(), Region: cfg.Region, ShardCount: cfg.ShardCount, AlarmARNs: arns,
	})
	if err != nil {
		return err
	}
	name := dashboardName(cfg)
	cloudwatchdashboard.NewCloudwatchDashboard(stack, jsii.String("dashboard"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		DashboardName: jsii.String(name),
		DashboardBody: jsii.String(body),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("dashboard_url"), &cdktf.TerraformOutputConfig{
		Value: jsii.String(fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s",
			cfg.Region, cfg.Region, name)),
		Description: jsii.String("CloudWatch dashboard of the stream"),
	})
	return nil
}

// nameUnsafe are the characters SNS topic and dashboard names may not hold
// (stream names allow ".").
var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// alertTopicName and dashboardName derive from the stream name, with "-"
// for what those names do not allow.
func alertTopicName(cfg Config) string {
	return nameUnsafe.ReplaceAllString(cfg.StreamName, "-") + "-alerts"
}

func dashboardName(cfg Config) string { return nameUnsafe.ReplaceAllString(cfg.StreamName, "-") }

// shortHash gives an e-mail subscription a construct id that does not move
// when the address list is reordered.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
