package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// The recommended alarm set follows the CloudWatch user guide's "Recommended
// alarms" for Amazon Kinesis Data Streams: each alarm looks at one-minute
// periods and goes to ALARM when all of the last 15 breach, so a burst does
// not page anybody but a quarter of an hour of trouble does.
const (
	recommendedPeriod            = 60
	recommendedEvaluationPeriods = 15
)

// RecommendedThresholds overrides the thresholds of the recommended alarms,
// one field per alarm; a field left out keeps the default (README,
// Recommended alarms).
type RecommendedThresholds struct {
	IteratorAgeMilliseconds            *float64 `json:"iteratorAgeMilliseconds,omitempty"`
	ReadProvisionedThroughputExceeded  *float64 `json:"readProvisionedThroughputExceeded,omitempty"`
	WriteProvisionedThroughputExceeded *float64 `json:"writeProvisionedThroughputExceeded,omitempty"`
	PutRecordsFailedRecords            *float64 `json:"putRecordsFailedRecords,omitempty"`
	GetRecordsSuccess                  *float64 `json:"getRecordsSuccess,omitempty"`
	PutRecordSuccess                   *float64 `json:"putRecordSuccess,omitempty"`
}

// RecommendedAlarms is the recommendedAlarms setting: true or false, or an
// object of thresholds, which turns the set on with them.
type RecommendedAlarms struct {
	Enabled    bool
	Thresholds RecommendedThresholds
}

// settingError carries a reason in the user's words out of a decoder.
type settingError struct{ reason string }

func (e *settingError) Error() string { return e.reason }

func (r *RecommendedAlarms) UnmarshalJSON(data []byte) error {
	var on bool
	if err := json.Unmarshal(data, &on); err == nil {
		*r = RecommendedAlarms{Enabled: on}
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return &settingError{"is not true, false or an object of thresholds"}
	}
	keys := thresholdKeys()
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(keys, k) {
			return &settingError{fmt.Sprintf("has the threshold %q, which is not one of %s", clip(k, maxEchoLength), strings.Join(keys, ", "))}
		}
	}
	var t RecommendedThresholds
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&t); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &settingError{fmt.Sprintf("has a threshold for %s that is not a number", typeErr.Field)}
		}
		return &settingError{"is not readable: " + err.Error()}
	}
	*r = RecommendedAlarms{Enabled: true, Thresholds: t}
	return nil
}

// MarshalJSON writes the setting as a user would: true or false, or the
// thresholds set.
func (r RecommendedAlarms) MarshalJSON() ([]byte, error) {
	if r.Thresholds == (RecommendedThresholds{}) {
		return json.Marshal(r.Enabled)
	}
	return json.Marshal(r.Thresholds)
}

// thresholdKeys are the JSON names of RecommendedThresholds, in order.
func thresholdKeys() []string {
	var keys []string
	typ := reflect.TypeFor[RecommendedThresholds]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	return keys
}

// recommendedAlarm is one alarm of the set: what it watches, its default
// threshold, the thresholds that make sense for it, and what it tells the
// person it pages.
type recommendedAlarm struct {
	id, nameSuffix, metric, statistic, comparison string
	// key names the alarm's field of RecommendedThresholds (its JSON name).
	key string
	// threshold is the default; low and high bound what the app accepts.
	threshold func(Config) float64
	low, high func(Config) float64
	// lowOpen and highOpen exclude the bound itself; whole asks for a
	// whole number.
	lowOpen, highOpen, whole bool
	// limitText says what is allowed, and why.
	limitText   func(Config) string
	description func(c Config, threshold float64) string
}

// override is the threshold the user set for the alarm, or nil.
func (r recommendedAlarm) override(t RecommendedThresholds) *float64 {
	v := reflect.ValueOf(t)
	for i := range v.NumField() {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name == r.key {
			return v.Field(i).Interface().(*float64)
		}
	}
	panic("RecommendedThresholds has no field " + r.key)
}

// thresholdFor is the alarm's threshold under c: the user's, or the default.
func (r recommendedAlarm) thresholdFor(c Config) float64 {
	if t := r.override(c.RecommendedAlarms.Thresholds); t != nil {
		return *t
	}
	return r.threshold(c)
}

// accepts says whether a threshold lies within the alarm's bounds.
func (r recommendedAlarm) accepts(c Config, t float64) bool {
	low, high := r.low(c), r.high(c)
	switch {
	case math.IsNaN(t) || math.IsInf(t, 0), r.whole && t != math.Trunc(t):
		return false
	case t < low || (r.lowOpen && t == low), t > high || (r.highOpen && t == high):
		return false
	}
	return true
}

func retentionMilliseconds(c Config) float64 { return float64(c.RetentionHours) * 3600 * 1000 }

func constant(v float64) func(Config) float64 { return func(Config) float64 { return v } }

// throttling says what a throttle means for the stream's capacity mode.
func throttling(c Config, side string) string {
	if c.StreamMode == streamModeOnDemand {
		return "the on-demand stream gets more than twice its recent peak " + side + " traffic at once, or one partition key is hot (each shard still takes 1 MiB/s or 1,000 records/s in, 2 MiB/s out)"
	}
	if side == "write" {
		return "producers send more than the shards take (1 MiB/s or 1,000 records/s per shard)"
	}
	return "consumers ask for more than the shards give (5 GetRecords calls/s or 2 MiB/s per shard, shared)"
}

// recommendedAlarms are the set, in the order they are created.
var recommendedAlarms = []recommendedAlarm{
	{
		id: "iterator_age_alarm", nameSuffix: "-iterator-age", metric: "GetRecords.IteratorAgeMilliseconds",
		statistic: "Maximum", comparison: "GreaterThanThreshold",
		key: "iteratorAgeMilliseconds",
		// AWS: past half the retention, records risk expiring unread.
		threshold: func(c Config) float64 { return retentionMilliseconds(c) / 2 },
		low:       constant(0), lowOpen: true, high: retentionMilliseconds,
		limitText: func(c Config) string {
			return fmt.Sprintf("milliseconds, more than 0 and at most the retention (%.0f ms): an age beyond it cannot occur", retentionMilliseconds(c))
		},
		description: func(c Config, t float64) string {
			return fmt.Sprintf("Consumers are falling behind: for 15 minutes the oldest unread record has been older than %g h "+
				"(the stream keeps records %d h, then deletes them unread). "+
				"Add consumer capacity and look for stuck or failing consumers.", t/3600000, c.RetentionHours)
		},
	},
	{
		id: "read_throttle_alarm", nameSuffix: "-read-throttled", metric: "ReadProvisionedThroughputExceeded",
		statistic: "Average", comparison: "GreaterThanThreshold",
		key: "readProvisionedThroughputExceeded",
		// The Average of this metric is the share of GetRecords calls throttled.
		threshold: constant(0.01), low: constant(0), high: constant(1), highOpen: true,
		limitText: func(Config) string {
			return "a share of GetRecords calls from 0 up to but not including 1 (the metric's Average never exceeds 1)"
		},
		description: func(c Config, t float64) string {
			return fmt.Sprintf("For 15 minutes more than %g %% of GetRecords calls were throttled: %s. "+
				"Add shards, move consumers to enhanced fan-out, or poll less often.", t*100, throttling(c, "read"))
		},
	},
	{
		id: "sustained_write_throttle_alarm", nameSuffix: "-sustained-write-throttling", metric: "WriteProvisionedThroughputExceeded",
		statistic: "Average", comparison: "GreaterThanThreshold",
		key:       "writeProvisionedThroughputExceeded",
		threshold: constant(0.01), low: constant(0), high: constant(1), highOpen: true,
		limitText: func(Config) string {
			return "a share of written records from 0 up to but not including 1 (the metric's Average never exceeds 1)"
		},
		description: func(c Config, t float64) string {
			return fmt.Sprintf("For 15 minutes more than %g %% of the records written were throttled: %s. "+
				"Producers must retry them; add shards or spread the partition keys.", t*100, throttling(c, "write"))
		},
	},
	{
		id: "putrecords_failed_alarm", nameSuffix: "-putrecords-failed", metric: "PutRecords.FailedRecords",
		statistic: "Sum", comparison: "GreaterThanThreshold",
		key: "putRecordsFailedRecords",
		// Internal failures are not the producers' doing: any, every minute, is news.
		threshold: constant(0), low: constant(0), high: constant(math.MaxInt32), whole: true,
		limitText: func(Config) string { return "a whole number of failed records per minute, 0 or more" },
		description: func(_ Config, t float64) string {
			return fmt.Sprintf("For 15 minutes PutRecords calls had more than %g records a minute fail with internal errors. "+
				"Producers must retry the records PutRecords reports as failed, or they are lost.", t)
		},
	},
	{
		id: "getrecords_success_alarm", nameSuffix: "-getrecords-success", metric: "GetRecords.Success",
		statistic: "Average", comparison: "LessThanThreshold",
		key: "getRecordsSuccess",
		// The Average is the share of GetRecords calls that succeed.
		threshold: constant(0.99), low: constant(0), lowOpen: true, high: constant(1),
		limitText: func(Config) string {
			return "a share of successful GetRecords calls, more than 0 and at most 1"
		},
		description: func(_ Config, t float64) string {
			return fmt.Sprintf("For 15 minutes fewer than %g %% of GetRecords calls succeeded: consumers cannot read. "+
				"Check the consumers' errors (permissions, KMS key access, expired iterators).", t*100)
		},
	},
	{
		id: "putrecord_success_alarm", nameSuffix: "-putrecord-success", metric: "PutRecord.Success",
		statistic: "Average", comparison: "LessThanThreshold",
		key:       "putRecordSuccess",
		threshold: constant(0.99), low: constant(0), lowOpen: true, high: constant(1),
		limitText: func(Config) string {
			return "a share of successful PutRecord calls, more than 0 and at most 1"
		},
		description: func(_ Config, t float64) string {
			return fmt.Sprintf("For 15 minutes fewer than %g %% of PutRecord calls succeeded: producers cannot write. "+
				"Check the producers' errors (permissions, KMS key access, throttling).", t*100)
		},
	},
}

// validateRecommended checks the thresholds the user set against each
// alarm's bounds.
func (c Config) validateRecommended(v *validation) {
	for _, r := range recommendedAlarms {
		t := r.override(c.RecommendedAlarms.Thresholds)
		if t == nil || r.accepts(c, *t) {
			continue
		}
		v.badAllowed("recommendedAlarms", fmt.Sprintf("sets %s to %g", r.key, *t), r.key+": "+r.limitText(c))
	}
}
