// Package kinesis holds the facts about Amazon Kinesis Data Streams that the
// stack, its alarms and its dashboard share.
package kinesis

// Namespace is the CloudWatch namespace of the Kinesis Data Streams metrics.
const Namespace = "AWS/Kinesis"

// Write capacity of one provisioned shard.
const (
	ShardWriteBytesPerSecond   = 1 << 20 // 1 MiB/s
	ShardWriteRecordsPerSecond = 1000
)

// ShardLevelMetrics are the seven enhanced (shard-level) metrics, in the
// order AWS documents them.
var ShardLevelMetrics = []string{
	"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
	"IteratorAgeMilliseconds",
}
