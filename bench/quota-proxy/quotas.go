package main

// quota is the documented rate of one AWS action, per account and region.
type quota struct {
	// PerSecond is the number of requests a second the action allows.
	PerSecond float64
	// PerStream: the rate applies to each Kinesis stream (the request's
	// StreamName or StreamARN), not to the account as a whole.
	PerStream bool
}

// documented holds each action the stack's plans and deploys call to its
// default quota, by the service name of the request's SigV4 credential
// scope ("monitoring" is CloudWatch). An action not listed passes
// unlimited and is counted; so do SNS, STS and KMS, whose rates a plan of
// this stack does not come near.
var documented = map[string]map[string]quota{
	// Amazon CloudWatch User Guide, "CloudWatch service quotas", the table
	// "CloudWatch": "Rate of <Action> requests ... per second, in this account
	// in the current region"
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html;
	// the same figures in the AWS General Reference, "Amazon CloudWatch
	// endpoints and quotas").
	"monitoring": {
		"PutMetricAlarm":          {PerSecond: 3},
		"PutCompositeAlarm":       {PerSecond: 3},
		"DeleteAlarms":            {PerSecond: 3},
		"SetAlarmState":           {PerSecond: 3},
		"EnableAlarmActions":      {PerSecond: 3},
		"DisableAlarmActions":     {PerSecond: 3},
		"DescribeAlarms":          {PerSecond: 9},
		"DescribeAlarmsForMetric": {PerSecond: 9},
		"DescribeAlarmHistory":    {PerSecond: 20},
		"ListTagsForResource":     {PerSecond: 10},
		"TagResource":             {PerSecond: 20},
		"UntagResource":           {PerSecond: 20},
		"PutDashboard":            {PerSecond: 10},
		"GetDashboard":            {PerSecond: 10},
		"DeleteDashboards":        {PerSecond: 10},
		"ListDashboards":          {PerSecond: 10},
		"ListMetrics":             {PerSecond: 25},
		// 500 on the page (adjustable); older copies of it, and many
		// articles, say 50.
		"GetMetricData":       {PerSecond: 500},
		"GetMetricStatistics": {PerSecond: 400},
		"PutMetricData":       {PerSecond: 500},
	},
	// Amazon Kinesis Data Streams Developer Guide, "Quotas and limits", the
	// table "Control Plane API Limits" (API call limit; per account or per
	// stream) (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
	"kinesis": {
		"CreateStream":          {PerSecond: 5},
		"DeleteStream":          {PerSecond: 5},
		"ListStreams":           {PerSecond: 5},
		"AddTagsToStream":       {PerSecond: 5},
		"DescribeStream":        {PerSecond: 10},
		"DescribeStreamSummary": {PerSecond: 20},
		"DescribeLimits":        {PerSecond: 1},
		// The table says 5 TPS per stream; the API Reference's page for the
		// action (and the SDKs' documentation) says "a limit of five
		// transactions per second per account". The stricter one is held.
		"ListTagsForStream":             {PerSecond: 5},
		"RemoveTagsFromStream":          {PerSecond: 5, PerStream: true},
		"ListShards":                    {PerSecond: 1000, PerStream: true}, // 100 in older copies of the page
		"ListStreamConsumers":           {PerSecond: 5, PerStream: true},
		"DescribeStreamConsumer":        {PerSecond: 20, PerStream: true},
		"RegisterStreamConsumer":        {PerSecond: 5, PerStream: true},
		"DeregisterStreamConsumer":      {PerSecond: 5, PerStream: true},
		"EnableEnhancedMonitoring":      {PerSecond: 5, PerStream: true},
		"DisableEnhancedMonitoring":     {PerSecond: 5, PerStream: true},
		"IncreaseStreamRetentionPeriod": {PerSecond: 5, PerStream: true},
		"DecreaseStreamRetentionPeriod": {PerSecond: 5, PerStream: true},
		"MergeShards":                   {PerSecond: 5, PerStream: true},
		"SplitShard":                    {PerSecond: 5, PerStream: true},
	},
}
