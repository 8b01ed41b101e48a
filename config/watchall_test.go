package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// Each limit of watchAllStreams at its edge and beyond it.
func TestWatchAllStreamsAtTheEdge(t *testing.T) {
	all := func(extra map[string]any) map[string]any {
		ctx := map[string]any{"watchAllStreams": true}
		for k, v := range extra {
			ctx[k] = v
		}
		return ctx
	}
	names := func(n, length int) []any {
		var out []any
		for i := range n {
			out = append(out, fmt.Sprintf("%0*d", length, i))
		}
		return out
	}
	// SELECT MAX("GetRecords.IteratorAgeMilliseconds") … is the longest query
	// of the set; each exclusion adds " AND StreamName != '<name>'".
	longest := func(exclude []any) int {
		var list []string
		for _, e := range exclude {
			list = append(list, e.(string))
		}
		a := alarms.ForEstate(alarms.Stream{RetentionHours: 24}, Default().alarmSettings(""), alarms.Estate{Stack: StackID, Exclude: append(list, Default().StreamName)})
		return len(slices.MaxFunc(a, func(x, y alarms.Alarm) int { return len(x.MustExpression()) - len(y.MustExpression()) }).MustExpression())
	}
	n := 0
	for longest(names(n+1, 120)) <= alarms.MaxQueryLength {
		n++
	}
	fits, tooMany := names(n, 120), names(n+1, 120)
	if longest(fits) > alarms.MaxQueryLength || longest(tooMany) <= alarms.MaxQueryLength {
		t.Fatalf("the query length case is not at the edge: %d and %d characters", longest(fits), longest(tooMany))
	}
	spec, err := ConfigFromContext(all(nil))
	if err != nil {
		t.Fatal(err)
	}
	prefix := len(spec.QueryAlarms()[0].Description) - len(spec.AlarmDescription)
	checkEdges(t, []edgeCase{
		{"exclusions are stream names", all(map[string]any{"watchAllStreams": map[string]any{"exclude": []any{"a.b_c-1"}}}),
			map[string]any{"watchAllStreams": map[string]any{"exclude": []any{"a b"}}},
			`watchAllStreams: {"exclude":["a b"]} excludes "a b", which is not a stream name; allowed: in exclude, 1-128 characters from a-z A-Z 0-9 _ . -`},
		{"not the own stream", all(nil), map[string]any{"watchAllStreams": map[string]any{"exclude": []any{"xfusion-kinesis-stream"}}},
			`excludes the stack's own stream "xfusion-kinesis-stream"; allowed: streams other than the stack's own`},
		{"not a watched stream", all(map[string]any{"watchStreams": map[string]any{"orders": map[string]any{}}}),
			map[string]any{"watchStreams": map[string]any{"orders": map[string]any{}}, "watchAllStreams": map[string]any{"exclude": []any{"orders"}}},
			`excludes "orders", which watchStreams names; allowed: a stream either in watchStreams`},
		{"a name once", all(nil), map[string]any{"watchAllStreams": map[string]any{"exclude": []any{"a", "a"}}}, `names "a" twice in exclude`},
		{"known keys", all(nil), map[string]any{"watchAllStreams": map[string]any{"exlude": []any{"a"}}},
			`has the key "exlude", which is not one of exclude, consumers; did you mean exclude?`},
		{"consumer thresholds in bounds", map[string]any{"watchAllStreams": map[string]any{"consumers": map[string]any{"success": 1}}},
			map[string]any{"watchAllStreams": map[string]any{"consumers": map[string]any{"success": 1.5}}},
			`sets the consumer threshold success to 1.5; allowed: success: a share of successful SubscribeToShard calls`},
		{"consumer threshold keys", map[string]any{"watchAllStreams": map[string]any{"consumers": true}},
			map[string]any{"watchAllStreams": map[string]any{"consumers": map[string]any{"lag": 1}}}, `has the consumer threshold "lag", which is not one of`},
		{"periods of whole minutes", all(map[string]any{"alarmPeriod": 120}), all(map[string]any{"alarmPeriod": 30}),
			`alarmPeriod: 30 is 30 s while watchAllStreams is on; allowed: a multiple of 60 s with watchAllStreams`},
		{"the latest 3 hours", all(map[string]any{"alarmEvaluationPeriods": 180}), all(map[string]any{"alarmEvaluationPeriods": 181}),
			`alarmEvaluationPeriods: 181 × alarmPeriod 60 s is 10860 s while watchAllStreams is on; allowed: at most 180 evaluation periods of 60 s`},
		{"the query's length", map[string]any{"watchAllStreams": map[string]any{"exclude": fits}, "recommendedAlarms": true},
			map[string]any{"watchAllStreams": map[string]any{"exclude": tooMany}, "recommendedAlarms": true},
			fmt.Sprintf("characters long (%d streams left out); allowed: queries of at most %d characters", n+2, alarms.MaxQueryLength)},
		{"the description's length", all(map[string]any{"alarmDescription": strings.Repeat("d", 1024-prefix)}), all(map[string]any{"alarmDescription": strings.Repeat("d", 1024-prefix+1)}),
			fmt.Sprintf("makes the description of kinesis-monitoring/all-streams/write-throttled 1025 characters long; allowed: a description of at most %d characters", 1024-prefix)},
		{"a watch-only stack needs streams to watch", map[string]any{"createStream": false, "watchAllStreams": true}, map[string]any{"createStream": false},
			`createStream: false is false but watchStreams names no stream and watchAllStreams is off; allowed: watchStreams with at least one stream, or watchAllStreams`},
		{"the estate's dashboard is not the stream's", all(map[string]any{"dashboard": true}), all(map[string]any{"dashboard": true, "streamName": "kinesis-monitoring-all-streams"}),
			`streamName: "kinesis-monitoring-all-streams" gives two dashboards the name "kinesis-monitoring-all-streams" in the account; allowed: a streamName whose dashboard is not one the stack names itself (kinesis-monitoring-estate-<n>, kinesis-monitoring-all-streams)`},
		{"not a list", all(nil), map[string]any{"watchAllStreams": map[string]any{"exclude": "a"}}, `has an exclude that is not a list of stream names`},
		{"true, false or an object", all(nil), map[string]any{"watchAllStreams": "yes"}, `watchAllStreams: "yes" is not true, false or an object`},
	})
}

// CloudWatch's default quota of 200 Metrics Insights alarms per region is
// counted across the environments that share a region.
func TestQueryAlarmQuotaAcrossEnvironments(t *testing.T) {
	envs := func(n int) map[string]any {
		out := map[string]any{}
		for i := range n {
			out[fmt.Sprintf("e%02d", i)] = map[string]any{"streamName": fmt.Sprintf("s%02d", i), "alarmName": fmt.Sprintf("a%02d", i)}
		}
		// one more in another region does not count
		out["other"] = map[string]any{"region": "eu-west-1"}
		return out
	}
	// 10 query alarms each: the specification's kind, 6 recommended, 3 consumer kinds.
	ctx := func(n int) map[string]any {
		return map[string]any{"watchAllStreams": map[string]any{"consumers": true}, "recommendedAlarms": true, EnvironmentsKey: envs(n)}
	}
	if _, err := FromContext(ctx(20)); err != nil {
		t.Errorf("20 environments of 10 query alarms in one region: %v", err)
	}
	got := problemsOf(t, ctx(21))
	if len(got) != 1 || !strings.Contains(got[0], "watchAllStreams: true makes 210 Metrics Insights alarms in us-east-1") || strings.Contains(got[0], "other") {
		t.Errorf("21 environments: %q", got)
	}
}

func TestQueryAlarmsLeaveOutWhatHasAlarms(t *testing.T) {
	cfg, err := ConfigFromContext(map[string]any{"watchAllStreams": map[string]any{"exclude": []any{"legacy"}},
		"watchStreams": map[string]any{"orders": map[string]any{"alarmThreshold": 5}}})
	if err != nil {
		t.Fatal(err)
	}
	q := cfg.QueryAlarms()
	if len(q) != 1 || !slices.Equal(q[0].Query.Exclude, []string{"legacy", "orders", "xfusion-kinesis-stream"}) {
		t.Fatalf("query alarms %+v", q)
	}
	all := cfg.Alarms()
	if all[len(all)-1].Name != "kinesis-monitoring/all-streams/write-throttled" || len(all) != 3 {
		t.Errorf("Alarms() = %d alarms, the last %q", len(all), all[len(all)-1].Name)
	}
	off, _ := ConfigFromContext(map[string]any{})
	if len(off.QueryAlarms()) != 0 {
		t.Error("query alarms without watchAllStreams")
	}
}
