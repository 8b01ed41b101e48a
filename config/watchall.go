package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// watchAllKeys are the keys of watchAllStreams written as an object.
var watchAllKeys = []string{"exclude", "consumers"}

// WatchAll is the watchAllStreams setting: false (the default), true (every
// stream of the region), or an object: {"exclude": [names]} leaves streams
// out, {"consumers": true} adds the consumer alarms over every enhanced
// fan-out consumer, {"consumers": {thresholds}} with thresholds of their
// own (alarms.ConsumerKeys).
type WatchAll struct {
	Enabled            bool
	Exclude            []string
	Consumers          bool
	ConsumerThresholds alarms.Thresholds
}

func (w *WatchAll) UnmarshalJSON(data []byte) error {
	var on bool
	if err := json.Unmarshal(data, &on); err == nil {
		*w = WatchAll{Enabled: on}
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return &settingError{`is not true, false or an object {"exclude": [<stream names>], "consumers": true}`}
	}
	out := WatchAll{Enabled: true}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		switch k {
		case "exclude":
			if err := json.Unmarshal(fields[k], &out.Exclude); err != nil || out.Exclude == nil {
				return &settingError{"has an exclude that is not a list of stream names"}
			}
			for i, name := range out.Exclude {
				if slices.Contains(out.Exclude[:i], name) {
					return &settingError{fmt.Sprintf("names %q twice in exclude", clip(name, maxEchoLength))}
				}
			}
		case "consumers":
			if err := json.Unmarshal(fields[k], &out.Consumers); err == nil {
				continue
			}
			var thresholds map[string]json.RawMessage
			if err := json.Unmarshal(fields[k], &thresholds); err != nil || thresholds == nil {
				return &settingError{"has consumers that is not true, false or an object of thresholds"}
			}
			keys := alarms.ConsumerKeys()
			out.Consumers, out.ConsumerThresholds = true, alarms.Thresholds{}
			for _, t := range slices.Sorted(maps.Keys(thresholds)) {
				if !slices.Contains(keys, t) {
					return &settingError{fmt.Sprintf("has the consumer threshold %q, which is not one of %s", clip(t, maxEchoLength), strings.Join(keys, ", "))}
				}
				var value float64
				if err := json.Unmarshal(thresholds[t], &value); err != nil {
					return &settingError{fmt.Sprintf("has a consumer threshold for %s that is not a number", t)}
				}
				out.ConsumerThresholds[t] = value
			}
		default:
			reason := fmt.Sprintf("has the key %q, which is not one of %s", clip(k, maxEchoLength), strings.Join(watchAllKeys, ", "))
			if near := nearest(k, watchAllKeys); near != "" {
				reason += "; did you mean " + near + "?"
			}
			return &settingError{reason}
		}
	}
	*w = out
	return nil
}

// MarshalJSON writes the setting as a user would.
func (w WatchAll) MarshalJSON() ([]byte, error) {
	if w.Exclude == nil && !w.Consumers {
		return json.Marshal(w.Enabled)
	}
	out := map[string]any{}
	if w.Exclude != nil {
		out["exclude"] = w.Exclude
	}
	switch {
	case len(w.ConsumerThresholds) > 0:
		out["consumers"] = w.ConsumerThresholds
	case w.Consumers:
		out["consumers"] = true
	}
	return json.Marshal(out)
}

// QueryAlarms are the alarms of watchAllStreams: one Metrics Insights query
// alarm per kind over every stream of the region (and every consumer, with
// consumers), but the stack's own stream, the watched streams (they have
// alarms of their own) and those excluded. None when it is off.
func (c Config) QueryAlarms() []alarms.Alarm {
	if !c.WatchAllStreams.Enabled {
		return nil
	}
	exclude := slices.Clone(c.WatchAllStreams.Exclude)
	if c.CreateStream {
		exclude = append(exclude, c.StreamName)
	}
	for _, w := range c.Watched {
		exclude = append(exclude, w.Name)
	}
	if c.Watched == nil {
		// Before watched is decoded (validation): the names as written.
		exclude = append(exclude, slices.Collect(maps.Keys(c.WatchStreams))...)
	}
	stream := alarms.Stream{RetentionHours: c.RetentionHours, Watched: true}
	return alarms.ForEstate(stream, c.alarmSettings(""), alarms.Estate{
		Stack: c.StackID(), Exclude: exclude,
		Consumers: c.WatchAllStreams.Consumers, ConsumerThresholds: c.WatchAllStreams.ConsumerThresholds,
	})
}

// validateWatchAll checks watchAllStreams: the names it excludes, and each
// query alarm against what CloudWatch takes of a Metrics Insights alarm.
func (c Config) validateWatchAll(v *validation) {
	w := c.WatchAllStreams
	if !w.Enabled {
		return
	}
	streamKey, _ := settingFor("streamName")
	for _, name := range w.Exclude {
		switch {
		case !streamNamePattern.MatchString(name):
			v.badAllowed("watchAllStreams", fmt.Sprintf("excludes %q, which is not a stream name", clip(name, maxEchoLength)), "in exclude, "+streamKey.Allowed)
		case c.CreateStream && name == c.StreamName:
			v.badAllowed("watchAllStreams", fmt.Sprintf("excludes the stack's own stream %q", name),
				"streams other than the stack's own: the queries leave it out already (it has alarms of its own)")
		case isWatched(c.WatchStreams, name):
			v.badAllowed("watchAllStreams", fmt.Sprintf("excludes %q, which watchStreams names", name),
				"a stream either in watchStreams (alarms of its own; the queries leave it out) or in exclude (no alarms), not both")
		}
	}
	stream := alarms.Stream{RetentionHours: c.RetentionHours, Watched: true}
	for _, r := range alarms.ConsumerSet {
		if t, set := w.ConsumerThresholds[r.Key]; set && !r.Accepts(stream, t) {
			v.badAllowed("watchAllStreams", fmt.Sprintf("sets the consumer threshold %s to %g", r.Key, t), r.Key+": "+r.Allowed(stream))
		}
	}
	if c.AlarmPeriod%alarms.MinQueryPeriod != 0 {
		v.badAllowed("alarmPeriod", fmt.Sprintf("is %d s while watchAllStreams is on", c.AlarmPeriod),
			fmt.Sprintf("a multiple of %d s with watchAllStreams: Metrics Insights serves no data finer than a minute", alarms.MinQueryPeriod))
	}
	limit := int(alarms.MaxQueryEvaluation.Seconds())
	if total := c.AlarmPeriod * c.AlarmEvaluationPeriods; c.AlarmPeriod > 0 && total > limit {
		v.badAllowed("alarmEvaluationPeriods", fmt.Sprintf("× alarmPeriod %d s is %d s while watchAllStreams is on", c.AlarmPeriod, total),
			fmt.Sprintf("at most %d evaluation periods of %d s with watchAllStreams: a Metrics Insights alarm evaluates the latest 3 hours (%d s) only", limit/c.AlarmPeriod, c.AlarmPeriod, limit))
	}
	var longest alarms.Alarm
	longestLength := 0
	for _, a := range c.QueryAlarms() {
		expression, err := a.Expression()
		if err != nil {
			v.badAllowed("alarmStatistic", fmt.Sprintf("%q cannot be a query's: %v", a.Statistic, err), "Sum, Average, Maximum, Minimum or SampleCount with watchAllStreams")
			return
		}
		if n := utf8.RuneCountInString(expression); n > longestLength {
			longest, longestLength = a, n
		}
		if n := utf8.RuneCountInString(a.Description); n > maxDescriptionLength {
			v.badAllowed("alarmDescription", fmt.Sprintf("makes the description of %s %d characters long", a.Name, n),
				fmt.Sprintf("a description of at most %d characters with what watchAllStreams puts before it", maxDescriptionLength-(n-utf8.RuneCountInString(c.AlarmDescription))))
		}
		if n := utf8.RuneCountInString(a.Name); n > maxAlarmNameLength {
			v.badAllowed("watchAllStreams", fmt.Sprintf("names an alarm %s of %d characters", a.Name, n), fmt.Sprintf("alarm names of at most %d characters", maxAlarmNameLength))
		}
	}
	if longestLength > alarms.MaxQueryLength {
		v.badAllowed("watchAllStreams", fmt.Sprintf("makes the query of %s %d characters long (%d streams left out)", longest.Name, longestLength, len(longest.Query.Exclude)),
			fmt.Sprintf("queries of at most %d characters (MetricDataQuery.Expression): exclude fewer streams, or give the streams with alarms of their own a stack of their own", alarms.MaxQueryLength))
	}
}

// queryQuota reports the regions where the configurations would make more
// Metrics Insights alarms than CloudWatch's default quota (per account and
// region: the environments are taken to share an account).
func queryQuota(configs []Config) []Problem {
	count := map[string]int{}
	var envs = map[string][]string{}
	for _, c := range configs {
		if n := len(c.QueryAlarms()); n > 0 {
			count[c.Region] += n
			envs[c.Region] = append(envs[c.Region], c.Environment)
		}
	}
	var problems []Problem
	for _, region := range slices.Sorted(maps.Keys(count)) {
		if count[region] <= alarms.MaxQueryAlarms {
			continue
		}
		problems = append(problems, Problem{"watchAllStreams", echo(true),
			fmt.Sprintf("makes %d Metrics Insights alarms in %s (environments %s)", count[region], region, strings.Join(envs[region], ", ")),
			fmt.Sprintf("at most %d in a region of an account (CloudWatch's default quota; raise it with Service Quotas first), so fewer environments with watchAllStreams in %s", alarms.MaxQueryAlarms, region)})
	}
	return problems
}

func isWatched(w WatchStreams, name string) bool {
	_, ok := w[name]
	return ok
}
