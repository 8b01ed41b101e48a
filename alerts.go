package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// alertActions are the SNS topic ARNs the alarms notify, or nil, and the
// topic the stack created (for adoption), if any.
type alertActions struct {
	alarmAndOK       *[]*string
	insufficientData *[]*string
	topic            snstopic.SnsTopic
}

// newAlertRouting creates the SNS topic and its e-mail subscriptions
// (alarmEmails) or uses an existing topic (alarmTopicArn).
func newAlertRouting(stack cdktf.TerraformStack, cfg config.Config, acct *account) alertActions {
	var topicARN *string
	var topic snstopic.SnsTopic
	switch {
	case len(cfg.AlarmEmails) > 0:
		topicConfig := &snstopic.SnsTopicConfig{Name: jsii.String(cfg.AlertTopicName())}
		if cfg.AlertTopicEncryption {
			topicConfig.KmsMasterKeyId = alertTopicKey(stack, cfg, acct)
		}
		topic = snstopic.NewSnsTopic(stack, jsii.String("alert_topic"), topicConfig)
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
	actions := alertActions{alarmAndOK: &[]*string{topicARN}, topic: topic}
	if cfg.AlarmOnInsufficientData {
		actions.insufficientData = &[]*string{topicARN}
	}
	return actions
}

// alarmsOf says whose alarms the stack's topic carries.
func alarmsOf(cfg config.Config) string {
	if !cfg.CreateStream {
		return "the alarms of the streams the stack " + cfg.StackID() + " watches"
	}
	return "the alarms of the Kinesis stream " + cfg.StreamName
}

// shortHash gives an e-mail subscription a construct id that does not move
// when the address list is reordered.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
