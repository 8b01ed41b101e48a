package alarms

import (
	"fmt"
	"math"
	"time"
)

// The recommended set follows the CloudWatch user guide's "Recommended
// alarms" for Amazon Kinesis Data Streams: each alarm looks at one-minute
// periods and goes to ALARM when all of the last 15 breach, so a burst does
// not page anybody but a quarter of an hour of trouble does.
const (
	RecommendedPeriod            = 60
	RecommendedEvaluationPeriods = 15
)

// Sustained is how long a recommended alarm's condition must hold, in words:
// "15 minutes".
func Sustained() string {
	d := time.Duration(RecommendedPeriod*RecommendedEvaluationPeriods) * time.Second
	if d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Recommended is one alarm of the recommended set: what it watches, its
// threshold (the default, the user's override, what is allowed) and what it
// tells the person it pages. The set is the table Recommended; adding an
// alarm is adding an entry there.
type Recommended struct {
	// ID names the alarm's resource; the alarm's name is the stream's name
	// followed by NameSuffix.
	ID, NameSuffix    string
	Metric, Statistic string
	Comparison        Comparison
	// Key is the alarm's key in the recommendedAlarms thresholds object.
	Key string
	// Default is the threshold when the user sets none.
	Default func(Stream) float64
	// Low and High bound the thresholds the app accepts; LowOpen and
	// HighOpen exclude the bound itself; Whole asks for a whole number.
	Low, High                func(Stream) float64
	LowOpen, HighOpen, Whole bool
	// Allowed says what is allowed, and why.
	Allowed func(Stream) string
	// Description is the alarm's description for a threshold.
	Description func(s Stream, threshold float64) string
	// FiresWhen and Why are for the docs: the condition in words, and the
	// reason for the default threshold.
	FiresWhen, Why string
}

// Thresholds are the user's thresholds for the recommended alarms, by Key;
// an alarm without one keeps its default.
type Thresholds map[string]float64

// Threshold is the alarm's threshold for the stream: the user's, or the default.
func (r Recommended) Threshold(s Stream, t Thresholds) float64 {
	if v, ok := t[r.Key]; ok {
		return v
	}
	return r.Default(s)
}

// Accepts says whether a threshold lies within the alarm's bounds.
func (r Recommended) Accepts(s Stream, t float64) bool {
	low, high := r.Low(s), r.High(s)
	switch {
	case math.IsNaN(t) || math.IsInf(t, 0), r.Whole && t != math.Trunc(t):
		return false
	case t < low || (r.LowOpen && t == low), t > high || (r.HighOpen && t == high):
		return false
	}
	return true
}

// Keys are the keys of the recommended alarms' thresholds, in table order.
func Keys() []string {
	keys := make([]string, len(RecommendedSet))
	for i, r := range RecommendedSet {
		keys[i] = r.Key
	}
	return keys
}

// age writes a threshold in milliseconds in the largest unit that keeps it
// whole: "12 h", "10 min", "90 s", or "1500 ms".
func age(ms float64) string {
	for _, u := range []struct {
		ms   float64
		unit string
	}{{3600000, "h"}, {60000, "min"}, {1000, "s"}} {
		if ms >= u.ms && math.Mod(ms, u.ms) == 0 {
			return fmt.Sprintf("%g %s", ms/u.ms, u.unit)
		}
	}
	if ms >= 3600000 {
		return fmt.Sprintf("%g h", ms/3600000)
	}
	return fmt.Sprintf("%g ms", ms)
}

func retentionMilliseconds(s Stream) float64 { return float64(s.RetentionHours) * 3600 * 1000 }

func constant(v float64) func(Stream) float64 { return func(Stream) float64 { return v } }

// throttling says what a throttle means for the stream's capacity mode.
func throttling(s Stream, side string) string {
	if s.Watched {
		// The mode is the stream owner's, read from AWS at plan time.
		if side == "write" {
			return "producers send more than the stream takes (a provisioned shard takes 1 MiB/s or 1,000 records/s; an on-demand stream about twice its recent peak), or one partition key is hot"
		}
		return "consumers ask for more than the stream gives (5 GetRecords calls/s or 2 MiB/s per shard, shared)"
	}
	if s.OnDemand {
		return "the on-demand stream gets more than twice its recent peak " + side + " traffic at once, or one partition key is hot (each shard still takes 1 MiB/s or 1,000 records/s in, 2 MiB/s out)"
	}
	if side == "write" {
		return "producers send more than the shards take (1 MiB/s or 1,000 records/s per shard)"
	}
	return "consumers ask for more than the shards give (5 GetRecords calls/s or 2 MiB/s per shard, shared)"
}

// RecommendedSet is the recommended set, in the order the stack creates it.
var RecommendedSet = []Recommended{
	{
		ID: "iterator_age_alarm", NameSuffix: "-iterator-age", Metric: "GetRecords.IteratorAgeMilliseconds",
		Statistic: "Maximum", Comparison: GreaterThanThreshold,
		Key: "iteratorAgeMilliseconds",
		// AWS: past half the retention, records risk expiring unread.
		Default: func(s Stream) float64 { return retentionMilliseconds(s) / 2 },
		Low:     constant(0), LowOpen: true, High: retentionMilliseconds,
		Allowed: func(s Stream) string {
			return fmt.Sprintf("milliseconds, more than 0 and at most the retention (%.0f ms): an age beyond it cannot occur", retentionMilliseconds(s))
		},
		Description: func(s Stream, t float64) string {
			return fmt.Sprintf("Consumers are falling behind: for %s the oldest unread record has been older than %s "+
				"(the stream keeps records %d h, then deletes them unread). "+
				"Add consumer capacity and look for stuck or failing consumers.", Sustained(), age(t), s.RetentionHours)
		},
		FiresWhen: "the oldest unread record is older than the threshold",
		Why:       "half the retention: AWS's point where records risk expiring unread; Maximum, as one lagging shard is enough to lose data",
	},
	{
		ID: "read_throttle_alarm", NameSuffix: "-read-throttled", Metric: "ReadProvisionedThroughputExceeded",
		Statistic: "Average", Comparison: GreaterThanThreshold,
		Key: "readProvisionedThroughputExceeded",
		// The Average of this metric is the share of GetRecords calls throttled.
		Default: constant(0.01), Low: constant(0), High: constant(1), HighOpen: true,
		Allowed: func(Stream) string {
			return "a share of GetRecords calls from 0 up to but not including 1 (the metric's Average never exceeds 1)"
		},
		Description: func(s Stream, t float64) string {
			return fmt.Sprintf("For %s more than %g %% of GetRecords calls were throttled: %s. "+
				"Add shards, move consumers to enhanced fan-out, or poll less often.", Sustained(), t*100, throttling(s, "read"))
		},
		FiresWhen: "more than the threshold share of GetRecords calls is throttled",
		Why:       "0.01: the Average is the share of calls throttled; 1 % throughout the window is sustained, not a retry burst",
	},
	{
		ID: "sustained_write_throttle_alarm", NameSuffix: "-sustained-write-throttling", Metric: "WriteProvisionedThroughputExceeded",
		Statistic: "Average", Comparison: GreaterThanThreshold,
		Key:     "writeProvisionedThroughputExceeded",
		Default: constant(0.01), Low: constant(0), High: constant(1), HighOpen: true,
		Allowed: func(Stream) string {
			return "a share of written records from 0 up to but not including 1 (the metric's Average never exceeds 1)"
		},
		Description: func(s Stream, t float64) string {
			return fmt.Sprintf("For %s more than %g %% of the records written were throttled: %s. "+
				"Producers must retry them; add shards or spread the partition keys.", Sustained(), t*100, throttling(s, "write"))
		},
		FiresWhen: "more than the threshold share of written records is throttled",
		Why:       "0.01, as for reads; the specification's write-throttling alarm catches the first minute, this one the sustained overload",
	},
	{
		ID: "putrecords_failed_alarm", NameSuffix: "-putrecords-failed", Metric: "PutRecords.FailedRecords",
		Statistic: "Sum", Comparison: GreaterThanThreshold,
		Key: "putRecordsFailedRecords",
		// Internal failures are not the producers' doing: any, every minute, is news.
		Default: constant(0), Low: constant(0), High: constant(math.MaxInt32), Whole: true,
		Allowed: func(Stream) string { return "a whole number of failed records per minute, 0 or more" },
		Description: func(_ Stream, t float64) string {
			return fmt.Sprintf("For %s PutRecords calls had more than %g records a minute fail with internal errors. "+
				"Producers must retry the records PutRecords reports as failed, or they are lost.", Sustained(), t)
		},
		FiresWhen: "more records than the threshold fail with internal errors in a minute",
		Why:       "0: internal failures are AWS's, not the producers'; failures in every minute of the window are an incident",
	},
	{
		ID: "getrecords_success_alarm", NameSuffix: "-getrecords-success", Metric: "GetRecords.Success",
		Statistic: "Average", Comparison: LessThanThreshold,
		Key: "getRecordsSuccess",
		// The Average is the share of GetRecords calls that succeed.
		Default: constant(0.99), Low: constant(0), LowOpen: true, High: constant(1),
		Allowed: func(Stream) string {
			return "a share of successful GetRecords calls, more than 0 and at most 1"
		},
		Description: func(_ Stream, t float64) string {
			return fmt.Sprintf("For %s fewer than %g %% of GetRecords calls succeeded: consumers cannot read. "+
				"Check the consumers' errors (permissions, KMS key access, expired iterators).", Sustained(), t*100)
		},
		FiresWhen: "fewer GetRecords calls than the threshold share succeed",
		Why:       "0.99: the Average is the share that succeeds; below 99 % throughout the window, consumers cannot read",
	},
	{
		ID: "putrecord_success_alarm", NameSuffix: "-putrecord-success", Metric: "PutRecord.Success",
		Statistic: "Average", Comparison: LessThanThreshold,
		Key:     "putRecordSuccess",
		Default: constant(0.99), Low: constant(0), LowOpen: true, High: constant(1),
		Allowed: func(Stream) string {
			return "a share of successful PutRecord calls, more than 0 and at most 1"
		},
		Description: func(_ Stream, t float64) string {
			return fmt.Sprintf("For %s fewer than %g %% of PutRecord calls succeeded: producers cannot write. "+
				"Check the producers' errors (permissions, KMS key access, throttling).", Sustained(), t*100)
		},
		FiresWhen: "fewer PutRecord calls than the threshold share succeed",
		Why:       "0.99, as for reads",
	},
}

// ConsumerSet are the alarms of one enhanced fan-out consumer of a stream
// (the metrics Kinesis publishes per consumer, with the dimensions
// StreamName and ConsumerName), evaluated as the recommended set is. Each
// consumer's thresholds are overridden by these keys.
var ConsumerSet = []Recommended{
	{
		ID: "millis_behind_latest", NameSuffix: "-millis-behind-latest", Metric: "SubscribeToShardEvent.MillisBehindLatest",
		Statistic: "Maximum", Comparison: GreaterThanThreshold,
		Key: "millisBehindLatest",
		// As for the iterator age: past half the retention, records risk
		// expiring before the consumer reads them.
		Default: func(s Stream) float64 { return retentionMilliseconds(s) / 2 },
		Low:     constant(0), LowOpen: true, High: retentionMilliseconds,
		Allowed: func(s Stream) string {
			return fmt.Sprintf("milliseconds, more than 0 and at most the retention (%.0f ms)", retentionMilliseconds(s))
		},
		Description: func(s Stream, t float64) string {
			return fmt.Sprintf("The enhanced fan-out consumer is falling behind: for %s the records it was sent were more than %s behind the tip of the stream "+
				"(the stream keeps records %d h). Add capacity to the consumer's application or look for a stuck shard.", Sustained(), age(t), s.RetentionHours)
		},
		FiresWhen: "the records pushed to the consumer are further behind the tip than the threshold",
		Why:       "half the retention, as for the iterator age; Maximum, as one lagging shard is enough to lose data",
	},
	{
		ID: "subscribe_rate_exceeded", NameSuffix: "-subscribe-rate-exceeded", Metric: "SubscribeToShard.RateExceeded",
		Statistic: "Sum", Comparison: GreaterThanThreshold,
		Key:     "rateExceeded",
		Default: constant(0), Low: constant(0), High: constant(math.MaxInt32), Whole: true,
		Allowed: func(Stream) string { return "a whole number of refused subscriptions per minute, 0 or more" },
		Description: func(_ Stream, t float64) string {
			return fmt.Sprintf("For %s more than %g SubscribeToShard calls a minute were refused: the consumer subscribes more than once a second per shard, "+
				"or twice to one shard at once. Check that only one worker holds each shard's lease.", Sustained(), t)
		},
		FiresWhen: "more subscriptions than the threshold are refused in a minute",
		Why:       "0: a healthy consumer renews each shard's subscription every 5 minutes and is never refused; refusals in every minute of the window mean workers fight over shards",
	},
	{
		ID: "subscribe_success", NameSuffix: "-subscribe-success", Metric: "SubscribeToShard.Success",
		Statistic: "Average", Comparison: LessThanThreshold,
		Key:     "success",
		Default: constant(0.99), Low: constant(0), LowOpen: true, High: constant(1),
		Allowed: func(Stream) string { return "a share of successful SubscribeToShard calls, more than 0 and at most 1" },
		Description: func(_ Stream, t float64) string {
			return fmt.Sprintf("For %s fewer than %g %% of the consumer's SubscribeToShard calls succeeded: it cannot read. "+
				"Check its errors (permissions, KMS key access, a deregistered consumer).", Sustained(), t*100)
		},
		FiresWhen: "fewer subscriptions than the threshold share succeed",
		Why:       "0.99: the Average is the share that succeeds, as for GetRecords",
	},
}

// ConsumerKeys are the keys of a consumer's thresholds, in table order.
func ConsumerKeys() []string {
	keys := make([]string, len(ConsumerSet))
	for i, r := range ConsumerSet {
		keys[i] = r.Key
	}
	return keys
}
