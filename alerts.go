package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

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
