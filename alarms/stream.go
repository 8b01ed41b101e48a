package alarms

import (
	"strings"

	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// Stream is what a stream's alarms depend on.
type Stream struct {
	Name           string
	RetentionHours int
	// OnDemand streams throttle for other reasons than provisioned ones;
	// the descriptions say so.
	OnDemand bool
	// Watched is a stream the stack only watches: its capacity mode is the
	// owner's, and the descriptions speak of both.
	Watched bool
}

// Consumer is an enhanced fan-out consumer of the stream, with the
// thresholds the user set for its alarms (by ConsumerSet's keys).
type Consumer struct {
	Name       string
	Thresholds Thresholds
}

// Settings are a stream's alarm settings: the write-throttling alarm's, and
// whether the recommended set is on, with the user's thresholds.
type Settings struct {
	Name, Description string
	Threshold         float64
	Comparison        Comparison
	Statistic         string
	Period            int
	EvaluationPeriods int
	DatapointsToAlarm int // 0: not set
	TreatMissingData  string
	Recommended       bool
	Thresholds        Thresholds
	// Consumers get the alarms of ConsumerSet each, whether the
	// recommended set is on or not.
	Consumers []Consumer
}

// WriteThrottleID names the write-throttling alarm's resource: the alarm of
// the specification.
const WriteThrottleID = "write_throttle_alarm"

// ForStream is every alarm of the stream's monitoring, in the order the
// stack creates them: the write-throttling alarm, then the recommended set
// when it is on, then each consumer's alarms.
func ForStream(s Stream, set Settings) []Alarm {
	dimensions := []Dimension{{Name: "StreamName", Value: s.Name}}
	out := []Alarm{{
		ID: WriteThrottleID, Name: set.Name, Description: set.Description,
		Namespace: kinesis.Namespace, Metric: "WriteProvisionedThroughputExceeded", Dimensions: dimensions,
		Statistic: set.Statistic, Period: set.Period, EvaluationPeriods: set.EvaluationPeriods,
		DatapointsToAlarm: set.DatapointsToAlarm, Threshold: set.Threshold,
		Comparison: set.Comparison, TreatMissingData: set.TreatMissingData,
	}}
	if set.Recommended {
		for _, r := range RecommendedSet {
			out = append(out, r.alarm(s, r.ID, s.Name+r.NameSuffix, dimensions, set.Thresholds))
		}
	}
	for _, c := range set.Consumers {
		consumer := []Dimension{{Name: "StreamName", Value: s.Name}, {Name: "ConsumerName", Value: c.Name}}
		for _, r := range ConsumerSet {
			out = append(out, r.alarm(s, ConsumerID(c.Name, r), s.Name+"-"+c.Name+r.NameSuffix, consumer, c.Thresholds))
		}
	}
	return out
}

// alarm is the entry's alarm on the stream, one-minute periods, all of the
// last 15 breaching, missing data not breaching.
func (r Recommended) alarm(s Stream, id, name string, dimensions []Dimension, t Thresholds) Alarm {
	threshold := r.Threshold(s, t)
	return Alarm{
		ID: id, Name: name, Description: r.Description(s, threshold),
		Namespace: kinesis.Namespace, Metric: r.Metric, Dimensions: dimensions,
		Statistic: r.Statistic, Period: RecommendedPeriod, EvaluationPeriods: RecommendedEvaluationPeriods,
		DatapointsToAlarm: RecommendedEvaluationPeriods, Threshold: threshold,
		Comparison: r.Comparison, TreatMissingData: MissingDataNotBreaching,
	}
}

// ConsumerID names a consumer alarm's resource: consumer_<name>_<kind>,
// with "_" for what a resource name does not take.
func ConsumerID(consumer string, r Recommended) string {
	return "consumer_" + strings.ReplaceAll(consumer, ".", "_") + "_" + r.ID
}
