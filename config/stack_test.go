package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// Each setting that takes one name of a list takes exactly the names its
// allowed text lists: the list the validation checks against.
func TestEnumsAreTheListsTheValidationChecks(t *testing.T) {
	stream := Default().alarmStream()
	contextFor := map[string]func(v string) map[string]any{
		"streamMode":              func(v string) map[string]any { return map[string]any{"streamMode": v} },
		"shardLevelMetrics":       func(v string) map[string]any { return map[string]any{"shardLevelMetrics": []any{v}} },
		"alarmComparisonOperator": func(v string) map[string]any { return map[string]any{"alarmComparisonOperator": v} },
		"alarmStatistic":          func(v string) map[string]any { return map[string]any{"alarmStatistic": v} },
		"alarmTreatMissingData":   func(v string) map[string]any { return map[string]any{"alarmTreatMissingData": v} },
		"recommendedAlarms": func(v string) map[string]any {
			threshold := 1.0
			for _, r := range alarms.RecommendedSet {
				if r.Key == v {
					threshold = r.Default(stream)
				}
			}
			return map[string]any{"recommendedAlarms": map[string]any{v: threshold}}
		},
		"watchStreams": func(v string) map[string]any {
			value := map[string]any{"alarmDescription": "d", "alarmThreshold": 2, "alarmComparisonOperator": "GreaterThanThreshold",
				"alarmStatistic": "Sum", "alarmPeriod": 60, "alarmEvaluationPeriods": 1, "alarmDatapointsToAlarm": 1,
				"alarmTreatMissingData": "missing", "recommendedAlarms": true, "retentionHours": 48, "consumers": []any{"c1"}}[v]
			if value == nil {
				value = "x"
			}
			return map[string]any{"watchStreams": map[string]any{"orders": map[string]any{v: value}}}
		},
		"consumers": func(v string) map[string]any {
			threshold := 0.5
			for _, r := range alarms.ConsumerSet {
				if r.Key == v {
					threshold = r.Default(stream)
				}
			}
			return map[string]any{"consumers": map[string]any{"c1": map[string]any{v: threshold}}}
		},
		"watchAllStreams": func(v string) map[string]any {
			return map[string]any{"watchAllStreams": map[string]any{v: map[string]any{"exclude": []any{"legacy"}, "consumers": true}[v]}}
		},
		"adoptExisting": func(v string) map[string]any {
			return map[string]any{"adoptExisting": []any{v}, "alarmEmails": []any{"ops@example.com"}, "dashboard": true}
		},
	}
	for _, s := range Settings {
		if s.Enum == nil {
			continue
		}
		t.Run(s.Key, func(t *testing.T) {
			ctx, ok := contextFor[s.Key]
			if !ok {
				t.Fatalf("setting %s takes a list of names; add it to this test", s.Key)
			}
			for _, v := range s.Enum {
				if !strings.Contains(s.Allowed, v) {
					t.Errorf("allowed text %q does not list %s", s.Allowed, v)
				}
				if _, err := FromContext(ctx(v)); err != nil {
					t.Errorf("%s %q is listed but refused: %v", s.Key, v, err)
				}
			}
			// AND a name that is not listed is refused, naming the setting
			got := problemsOf(t, ctx("NotListed"))
			if len(got) != 1 || !strings.HasPrefix(got[0], s.Key) {
				t.Errorf("an unlisted name: %q, want one problem of %s", got, s.Key)
			}
		})
	}
}

// The specification's alarm, as a plain value.
func TestTheDefaultAlarmIsTheSpecification(t *testing.T) {
	want := []alarms.Alarm{{
		ID: "write_throttle_alarm", Name: "xfusion-kinesis-alarm",
		Description: "Triggers when write throughput exceeds provisioned limit",
		Namespace:   "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded",
		Dimensions: []alarms.Dimension{{Name: "StreamName", Value: "xfusion-kinesis-stream"}},
		Statistic:  "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
		Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching",
	}}
	if diff := cmp.Diff(want, Default().Alarms()); diff != "" {
		t.Errorf("(-specification +Default().Alarms()):\n%s", diff)
	}
}

// The recommended set is the table: one alarm per entry, in its order, named
// after the stream, with the user's threshold where one is set.
func TestRecommendedAlarmsFollowTheTable(t *testing.T) {
	override := alarms.RecommendedSet[len(alarms.RecommendedSet)-1]
	cfgs, err := FromContext(map[string]any{"streamName": "orders", "retentionHours": 48,
		"recommendedAlarms": map[string]any{override.Key: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := cfgs[0]
	got := cfg.Alarms()
	if len(got) != 1+len(alarms.RecommendedSet) || got[0].ID != alarms.WriteThrottleID {
		t.Fatalf("%d alarms, first %s; want the write-throttling alarm and %d recommended", len(got), got[0].ID, len(alarms.RecommendedSet))
	}
	for i, r := range alarms.RecommendedSet {
		a := got[i+1]
		t.Run(r.ID, func(t *testing.T) {
			threshold := r.Default(cfg.alarmStream())
			if r.Key == override.Key {
				threshold = 0.5
			}
			want := alarms.Alarm{ID: r.ID, Name: "orders" + r.NameSuffix, Description: r.Description(cfg.alarmStream(), threshold),
				Namespace: "AWS/Kinesis", Metric: r.Metric, Dimensions: []alarms.Dimension{{Name: "StreamName", Value: "orders"}},
				Statistic: r.Statistic, Period: alarms.RecommendedPeriod, EvaluationPeriods: alarms.RecommendedEvaluationPeriods,
				DatapointsToAlarm: alarms.RecommendedEvaluationPeriods, Threshold: threshold, Comparison: r.Comparison, TreatMissingData: "notBreaching"}
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !strings.Contains(strings.ToLower(a.Description), "for "+alarms.Sustained()) {
				t.Errorf("description %q does not say how long the condition held (%s)", a.Description, alarms.Sustained())
			}
		})
	}
	// The iterator age follows the retention: half of 48 h.
	if got[1].Threshold != 48*3600*1000/2 || !strings.Contains(got[1].Description, fmt.Sprintf("older than %g h", 24.0)) {
		t.Errorf("iterator age threshold %v, description %q; want half the 48 h retention", got[1].Threshold, got[1].Description)
	}
}
