package alarms

import "github.com/xfusion/kinesis-monitoring/internal/kinesis"

// Stream is what a stream's alarms depend on.
type Stream struct {
	Name           string
	RetentionHours int
	// OnDemand streams throttle for other reasons than provisioned ones;
	// the descriptions say so.
	OnDemand bool
}

// Settings are a stream's alarm settings: the write-throttling alarm's, and
// whether the recommended set is on, with the user's thresholds.
type Settings struct {
	Name, Description     string
	Threshold             float64
	Comparison, Statistic string
	Period                int
	EvaluationPeriods     int
	DatapointsToAlarm     int // 0: not set
	TreatMissingData      string
	Recommended           bool
	Thresholds            Thresholds
}

// WriteThrottleID names the write-throttling alarm's resource: the alarm of
// the specification.
const WriteThrottleID = "write_throttle_alarm"

// ForStream is every alarm of the stream's monitoring, in the order the
// stack creates them: the write-throttling alarm, then the recommended set
// when it is on.
func ForStream(s Stream, set Settings) []Alarm {
	dimensions := []Dimension{{Name: "StreamName", Value: s.Name}}
	out := []Alarm{{
		ID: WriteThrottleID, Name: set.Name, Description: set.Description,
		Namespace: kinesis.Namespace, Metric: "WriteProvisionedThroughputExceeded", Dimensions: dimensions,
		Statistic: set.Statistic, Period: set.Period, EvaluationPeriods: set.EvaluationPeriods,
		DatapointsToAlarm: set.DatapointsToAlarm, Threshold: set.Threshold,
		Comparison: set.Comparison, TreatMissingData: set.TreatMissingData,
	}}
	if !set.Recommended {
		return out
	}
	for _, r := range RecommendedSet {
		threshold := r.Threshold(s, set.Thresholds)
		out = append(out, Alarm{
			ID: r.ID, Name: s.Name + r.NameSuffix, Description: r.Description(s, threshold),
			Namespace: kinesis.Namespace, Metric: r.Metric, Dimensions: dimensions,
			Statistic: r.Statistic, Period: RecommendedPeriod, EvaluationPeriods: RecommendedEvaluationPeriods,
			DatapointsToAlarm: RecommendedEvaluationPeriods, Threshold: threshold,
			Comparison: r.Comparison, TreatMissingData: MissingDataNotBreaching,
		})
	}
	return out
}
