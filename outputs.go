package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// newOutputs writes the specification's two outputs: the stream's name and
// the write-throttling alarm's name.
func newOutputs(stack cdktf.TerraformStack, stream kinesisstream.KinesisStream, m streamMonitoring) {
	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_stream_name"), &cdktf.TerraformOutputConfig{
		Value:       stream.Name(),
		Description: jsii.String("Name of the Kinesis data stream"),
	})
	cdktf.NewTerraformOutput(stack, jsii.String("kke_kinesis_alarm_name"), &cdktf.TerraformOutputConfig{
		Value:       m.alarm(alarms.WriteThrottleID).AlarmName(),
		Description: jsii.String("Name of the CloudWatch alarm on the stream's write throttling"),
	})
}
