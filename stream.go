package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// newStream creates the Kinesis data stream: its capacity, retention,
// shard-level metrics and encryption, protected against deletion unless
// protect is false.
func newStream(stack cdktf.TerraformStack, cfg config.Config) kinesisstream.KinesisStream {
	streamConfig := &kinesisstream.KinesisStreamConfig{
		Name:              jsii.String(cfg.StreamName),
		RetentionPeriod:   jsii.Number(cfg.RetentionHours),
		ShardLevelMetrics: jsii.Strings(cfg.ShardLevelMetrics...),
		StreamModeDetails: &kinesisstream.KinesisStreamStreamModeDetails{
			StreamMode: jsii.String(cfg.StreamMode),
		},
		EncryptionType: jsii.String("NONE"),
	}
	if cfg.StreamMode == config.Provisioned {
		// An on-demand stream has no shard count to set: AWS picks it, and
		// the provider refuses one.
		streamConfig.ShardCount = jsii.Number(cfg.ShardCount)
	}
	if cfg.Encryption {
		streamConfig.EncryptionType = jsii.String("KMS")
		streamConfig.KmsKeyId = jsii.String(cfg.KMSKeyID)
	}
	lifecycle := &cdktf.TerraformResourceLifecycle{}
	if cfg.Protect {
		// A stream holds up to its retention of unread records: deleting or
		// replacing it loses them. Terraform refuses at plan time.
		lifecycle.PreventDestroy = jsii.Bool(true)
	} else {
		// Unprotected, a destroy must go through even with enhanced fan-out
		// consumers registered: AWS refuses DeleteStream otherwise.
		streamConfig.EnforceConsumerDeletion = jsii.Bool(true)
	}
	if cfg.ExternalShardScaling {
		// An autoscaler owns the shard count after creation.
		lifecycle.IgnoreChanges = jsii.Strings("shard_count")
	}
	if cfg.Protect || cfg.ExternalShardScaling {
		streamConfig.Lifecycle = lifecycle
	}
	return kinesisstream.NewKinesisStream(stack, jsii.String("stream"), streamConfig)
}
