# Reference for the benchmark: plain Terraform doing what the cdktf app does.
#
# Hand-written HCL equivalent to the app's default synthesized stack
# (testdata/default.cdk.tf.json): the same provider, resources, arguments,
# addresses and outputs, so that the benchmark compares like with like.
# TestReferenceHCLPlansLikeTheApp (reference_test.go) checks that both plan
# the same changes.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.99.1, < 6.0.0"
    }
  }

  # State in terraform.tfstate in this directory.
  backend "local" {}
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesis_stream" "stream" {
  name             = "xfusion-kinesis-stream"
  shard_count      = 1
  retention_period = 24

  shard_level_metrics = [
    "IncomingBytes",
    "IncomingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
  ]

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }

  encryption_type = "KMS"
  kms_key_id      = "alias/aws/kinesis"

  # A stream holds unread records for its retention period: deleting or
  # replacing it loses them. Terraform refuses at plan time.
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_cloudwatch_metric_alarm" "write_throttle_alarm" {
  alarm_name        = "xfusion-kinesis-alarm"
  alarm_description = "Triggers when write throughput exceeds provisioned limit"

  namespace   = "AWS/Kinesis"
  metric_name = "WriteProvisionedThroughputExceeded"
  dimensions = {
    StreamName = aws_kinesis_stream.stream.name
  }

  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
}

output "kke_kinesis_stream_name" {
  description = "Name of the Kinesis data stream"
  value       = aws_kinesis_stream.stream.name
}

output "kke_kinesis_alarm_name" {
  description = "Name of the CloudWatch alarm on the stream's write throttling"
  value       = aws_cloudwatch_metric_alarm.write_throttle_alarm.alarm_name
}
