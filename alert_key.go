package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

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
