package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
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

// alertTopicKey is the KMS key that encrypts the alert topic: the user's
// (alertTopicKmsKeyId), or a customer-managed key the stack creates.
// CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key
// (alias/aws/sns): its policy cannot be changed to let CloudWatch in.
func alertTopicKey(stack cdktf.TerraformStack, cfg config.Config, acct *account) *string {
	if cfg.AlertTopicKMSKeyID != "" {
		return jsii.String(cfg.AlertTopicKMSKeyID)
	}
	policy, err := jsontext.Marshal(alertTopicKeyPolicy(cfg, acct))
	if err != nil {
		panic(err) // typed structs: only a defect gets here
	}
	key := kmskey.NewKmsKey(stack, jsii.String("alert_topic_key"), &kmskey.KmsKeyConfig{
		Description:       jsii.String("Encrypts the SNS topic " + cfg.AlertTopicName() + " that " + alarmsOf(cfg) + " notify"),
		EnableKeyRotation: jsii.Bool(true),
		Policy:            jsii.String(string(policy)),
	})
	kmsalias.NewKmsAlias(stack, jsii.String("alert_topic_key_alias"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String("alias/" + cfg.AlertTopicName()),
		TargetKeyId: key.KeyId(),
	})
	return key.Arn()
}

// keyPolicy and policyStatement are the IAM policy document of a KMS key.
type keyPolicy struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// alertTopicKeyPolicy lets the account manage the key (as every KMS key
// policy must, or the key cannot be changed again), and lets CloudWatch use
// it for this account's alarms in the stack's region only.
func alertTopicKeyPolicy(cfg config.Config, acct *account) keyPolicy {
	acct.lookup()
	return keyPolicy{
		Version: "2012-10-17",
		Statement: []policyStatement{
			{
				Sid: "AccountManagesTheKey", Effect: "Allow",
				Principal: map[string]string{"AWS": *acct.arn("iam", "", "root")},
				Action:    []string{"kms:*"}, Resource: "*",
			},
			{
				Sid: "CloudWatchAlarmsOfThisAccountPublish", Effect: "Allow",
				Principal: map[string]string{"Service": "cloudwatch.amazonaws.com"},
				Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: "*",
				Condition: map[string]map[string]string{
					"StringEquals": {"aws:SourceAccount": *acct.id},
					"ArnLike":      {"aws:SourceArn": *acct.arn("cloudwatch", cfg.Region, "alarm:*")},
				},
			},
		},
	}
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
