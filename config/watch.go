package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// watchKeys are the settings a watched stream can set for itself; the rest
// of its configuration is the top level's.
var watchKeys = []string{
	"alarmDescription", "alarmThreshold", "alarmComparisonOperator", "alarmStatistic", "alarmPeriod",
	"alarmEvaluationPeriods", "alarmDatapointsToAlarm", "alarmTreatMissingData", "recommendedAlarms",
	"retentionHours", "consumers",
}

// ownStreamKeys are the settings of the stack's own stream: a watch-only
// stack (createStream false) takes none of them.
var ownStreamKeys = []string{
	"streamName", "streamMode", "shardCount", "externalShardScaling", "shardLevelMetrics", "encryption",
	"kmsKeyId", "alarmName", "protect", "consumers",
}

// maxConsumers is how many enhanced fan-out consumers Kinesis registers for
// one stream (RegisterStreamConsumer; Kinesis Data Streams quotas).
const maxConsumers = 20

// WatchStreams is the watchStreams setting as written: each stream's name
// with its own settings, decoded by FromContext into Watched.
type WatchStreams map[string]map[string]any

func (w *WatchStreams) UnmarshalJSON(data []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return &settingError{`is not an object of streams, {"<stream name>": {<settings>}}`}
	}
	out := WatchStreams{}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		settings, ok := raw[name].(map[string]any)
		if !ok {
			return &settingError{fmt.Sprintf("has for %q a value that is not an object of settings ({} for the top-level settings)", clip(name, maxEchoLength))}
		}
		out[name] = settings
	}
	*w = out
	return nil
}

// Watched is a stream the stack watches but does not own: its name and the
// configuration that applies to it (the top level's settings with its own
// on top).
type Watched struct {
	Name   string
	Config Config
}

// WriteThrottleSuffix ends the name of a watched stream's write-throttling
// alarm: <stream>-write-throttled.
const WriteThrottleSuffix = "-write-throttled"

// Alarms are the watched stream's alarms, as a stream of the stack's would
// have them, each with the ID <stream>/<kind>: the write-throttling alarm
// named <stream>-write-throttled, the recommended set when it is on, and
// each consumer's alarms.
func (w Watched) Alarms() []alarms.Alarm {
	list := alarms.ForStream(alarms.Stream{Name: w.Name, RetentionHours: w.Config.RetentionHours, Watched: true},
		w.Config.alarmSettings(w.Name+WriteThrottleSuffix))
	for i := range list {
		list[i].ID = w.Name + "/" + list[i].ID
	}
	return list
}

// watched decodes each stream of watchStreams over the top-level settings
// and checks what each sets, reporting problems as
// watchStreams.<stream>.<key>. Problems the top level has already are not
// repeated for each stream.
func (c Config) watched(v *validation) []Watched {
	if !c.CreateStream {
		if len(c.WatchStreams) == 0 && !c.WatchAllStreams.Enabled {
			v.badAllowed("createStream", "is false but watchStreams names no stream and watchAllStreams is off",
				"watchStreams with at least one stream, or watchAllStreams, for a watch-only stack; or createStream true (the default)")
		}
		for _, key := range ownStreamKeys {
			if v.set(key) {
				v.badAllowed(key, "is set while createStream is false", "leave "+key+" out: a watch-only stack owns no stream")
			}
		}
	}
	if len(c.WatchStreams) == 0 {
		return nil
	}
	base := c
	base.Consumers, base.WatchStreams, base.Watched = nil, nil, nil
	base.CreateStream = false // its own checks are the top level's
	streamKey, _ := settingFor("streamName")
	var out []Watched
	for _, name := range slices.Sorted(maps.Keys(c.WatchStreams)) {
		prefix := "watchStreams." + name + "."
		switch {
		case !streamNamePattern.MatchString(name):
			v.badAllowed("watchStreams", fmt.Sprintf("names %q, which is not a stream name", clip(name, maxEchoLength)), streamKey.Allowed)
			continue
		case c.CreateStream && name == c.StreamName:
			v.badAllowed("watchStreams", fmt.Sprintf("names the stack's own stream %q", name),
				"streams the stack does not create: its own stream has its alarms already (or createStream false for a watch-only stack)")
			continue
		}
		own := map[string]any{}
		for key, value := range c.WatchStreams[name] {
			if slices.Contains(watchKeys, key) {
				own[key] = value
				continue
			}
			reason := "is not a setting of a watched stream"
			if _, isSetting := settingFor(key); !isSetting {
				reason = "is not a setting of this app"
			}
			if near := nearest(key, watchKeys); near != "" {
				reason += "; did you mean " + near + "?"
			}
			v.problems = append(v.problems, Problem{v.prefix + prefix + key, echo(value), reason, "one of " + strings.Join(watchKeys, ", ")})
		}
		wc, wv := decode(base, own, v.prefix+prefix)
		wv.raw = maps.Clone(v.raw)
		delete(wv.raw, "consumers") // consumers are each stream's own
		maps.Copy(wv.raw, own)
		wc.validate(wv)
		wc.validateConsumerNames(wv, name)
		for _, p := range wv.problems {
			key := strings.TrimPrefix(p.Key, v.prefix+prefix)
			top := p
			top.Key = v.prefix + key
			if !slices.Contains(watchKeys, strings.SplitN(key, ".", 2)[0]) || slices.Contains(v.problems, top) {
				continue
			}
			v.problems = append(v.problems, p)
		}
		out = append(out, Watched{Name: name, Config: wc})
	}
	return out
}

// nearest is the key among keys within two edits of key, or "".
func nearest(key string, keys []string) string {
	best, bestDistance := "", 3
	for _, k := range keys {
		if d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDistance {
			best, bestDistance = k, d
		}
	}
	return best
}

// Consumers is the consumers setting: a list of names, or an object of
// names each with its thresholds (by alarms.ConsumerKeys).
type Consumers []alarms.Consumer

func (cs *Consumers) UnmarshalJSON(data []byte) error {
	var names []string
	if err := json.Unmarshal(data, &names); err == nil {
		out := Consumers{}
		for i, n := range names {
			if slices.Contains(names[:i], n) {
				return &settingError{fmt.Sprintf("names %q twice", clip(n, maxEchoLength))}
			}
			out = append(out, alarms.Consumer{Name: n})
		}
		*cs = out
		return nil
	}
	var byName map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &byName); err != nil || byName == nil {
		return &settingError{`is not a list of consumer names or an object of consumers, {"<name>": {<thresholds>}}`}
	}
	keys := alarms.ConsumerKeys()
	out := Consumers{}
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		c := alarms.Consumer{Name: n, Thresholds: alarms.Thresholds{}}
		for _, k := range slices.Sorted(maps.Keys(byName[n])) {
			if !slices.Contains(keys, k) {
				return &settingError{fmt.Sprintf("has for %q the threshold %q, which is not one of %s", clip(n, maxEchoLength), clip(k, maxEchoLength), strings.Join(keys, ", "))}
			}
			t, why := threshold(byName[n][k])
			if why != "" {
				return &settingError{fmt.Sprintf("has for %q a threshold for %s that %s", clip(n, maxEchoLength), k, why)}
			}
			c.Thresholds[k] = t
		}
		out = append(out, c)
	}
	*cs = out
	return nil
}

func (cs Consumers) MarshalJSON() ([]byte, error) {
	if !slices.ContainsFunc(cs, func(c alarms.Consumer) bool { return len(c.Thresholds) > 0 }) {
		names := []string{}
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return json.Marshal(names)
	}
	byName := map[string]alarms.Thresholds{}
	for _, c := range cs {
		byName[c.Name] = c.Thresholds
	}
	return json.Marshal(byName)
}

// validateConsumerNames checks the consumers of the stream named stream:
// names as Kinesis takes them, alarm names CloudWatch takes, resource names
// that stay apart, thresholds within their alarms' bounds.
func (c Config) validateConsumerNames(v *validation, stream string) {
	if len(c.Consumers) > maxConsumers {
		v.badAllowed("consumers", fmt.Sprintf("names %d consumers", len(c.Consumers)),
			fmt.Sprintf("at most %d: Kinesis registers at most %d enhanced fan-out consumers per stream", maxConsumers, maxConsumers))
	}
	ids := map[string]string{}
	for _, consumer := range c.Consumers {
		name := consumer.Name
		longest := slices.MaxFunc(alarms.ConsumerSet, func(a, b alarms.Recommended) int { return len(a.NameSuffix) - len(b.NameSuffix) })
		switch id := alarms.ConsumerID(name, longest); {
		case !streamNamePattern.MatchString(name):
			v.bad("consumers", fmt.Sprintf("names %q, which is not a consumer name", clip(name, maxEchoLength)))
		case utf8.RuneCountInString(stream+"-"+name+longest.NameSuffix) > maxAlarmNameLength:
			v.badAllowed("consumers", fmt.Sprintf("names %q: the alarm %s-%s%s would be longer than %d characters", clip(name, maxEchoLength), clip(stream, 20), clip(name, 20), longest.NameSuffix, maxAlarmNameLength),
				fmt.Sprintf("names whose alarm names <stream>-<consumer>%s stay within %d characters", longest.NameSuffix, maxAlarmNameLength))
		case ids[id] != "":
			v.badAllowed("consumers", fmt.Sprintf("names %q and %q, whose alarms would share a resource name", ids[id], name),
				"consumer names that differ in more than . and _")
		default:
			ids[id] = name
		}
		stream := c.alarmStream()
		for _, r := range alarms.ConsumerSet {
			if t, set := consumer.Thresholds[r.Key]; set && !r.Accepts(stream, t) {
				v.badAllowed("consumers", fmt.Sprintf("sets %s of %q to %g", r.Key, clip(name, maxEchoLength), t), r.Key+": "+r.Allowed(stream))
			}
		}
	}
}
