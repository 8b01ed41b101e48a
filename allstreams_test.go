package main

import (
	"fmt"
	"slices"
	"testing"

	"github.com/xfusion/kinesis-monitoring/config"
)

// watchAllStreams combines with a stream of the stack's own, with watched
// streams and with environments: in each stack, the alarms are exactly
// the configuration's, attribute for attribute (the query alarms among
// them, leaving out the own stream and the watched ones), the output
// all_streams_alarms names each query alarm's resource, and the dashboard
// <stack>-all-streams is there with dashboard true only.
func TestWatchAllStreamsCombines(t *testing.T) {
	for name, ctx := range map[string]map[string]any{
		"beside the stack's own stream": {"watchAllStreams": true},
		"own and watched streams, the recommended set, a dashboard": {"watchAllStreams": map[string]any{"exclude": []any{"legacy"}}, "recommendedAlarms": true,
			"dashboard": true, "watchStreams": map[string]any{"orders": map[string]any{"alarmThreshold": 3}}},
		"by query only": {"createStream": false, "watchAllStreams": true},
		"two environments": {"watchAllStreams": map[string]any{"consumers": true}, config.EnvironmentsKey: map[string]any{
			"dev":  map[string]any{"streamName": "dev-stream", "alarmName": "dev-alarm"},
			"prod": map[string]any{"region": "eu-west-1", "dashboard": true},
		}},
	} {
		configs, err := config.FromContext(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := synth(t, ctx)
		for _, cfg := range configs {
			t.Run(name+"/"+cfg.StackID(), func(t *testing.T) {
				doc := parse(t, s.Stacks[cfg.StackID()])
				if err := alarmsMatch(doc, cfg.Alarms()); err != nil {
					t.Error(err)
				}
				if err := checkAllStreams(doc, cfg); err != nil {
					t.Error(err)
				}
				for _, a := range cfg.QueryAlarms() {
					if cfg.CreateStream && !slices.Contains(a.Query.Exclude, cfg.StreamName) {
						t.Errorf("%s does not leave out the stack's own stream %s: %v", a.Name, cfg.StreamName, a.Query.Exclude)
					}
				}
			})
		}
	}
	// The check can fail: an alarm missing from the output, a dashboard
	// without dashboard true.
	ctx := map[string]any{"watchAllStreams": true, "dashboard": true}
	cfg := configOf(t, ctx)
	runMutations(t, synth(t, ctx).Doc, []mutation{
		{"a query alarm missing from the output", func(d map[string]any) error { return checkAllStreams(d, cfg) }, func(d map[string]any) {
			out := mustMap(d, "output", "all_streams_alarms")
			out["value"] = out["value"].([]any)[1:]
		}},
		{"the estate's dashboard under another name", func(d map[string]any) error { return checkAllStreams(d, cfg) }, func(d map[string]any) {
			mustMap(d, "resource", "aws_cloudwatch_dashboard", "all_streams")["dashboard_name"] = "x"
		}},
		{"no dashboard", func(d map[string]any) error { return checkAllStreams(d, cfg) }, func(d map[string]any) {
			delete(mustMap(d, "resource", "aws_cloudwatch_dashboard"), "all_streams")
		}},
	})
}

// checkAllStreams checks the output all_streams_alarms (each query alarm's
// name, by reference, in the configuration's order) and the dashboard of
// watchAllStreams (there with dashboard true, named
// <stack>-all-streams, and not otherwise).
func checkAllStreams(doc map[string]any, cfg config.Config) error {
	var want []any
	for _, a := range cfg.QueryAlarms() {
		want = append(want, "${"+alarmType+"."+a.ID+".alarm_name}")
	}
	got, _ := lookup(doc, "output", "all_streams_alarms", "value")
	list, _ := got.([]any)
	if !slices.Equal(list, want) {
		return fmt.Errorf("all_streams_alarms = %v, want %v", got, want)
	}
	name, has := lookup(doc, "resource", "aws_cloudwatch_dashboard", "all_streams", "dashboard_name")
	switch {
	case has != cfg.Dashboard:
		return fmt.Errorf("dashboard all_streams there: %v, dashboard %v", has, cfg.Dashboard)
	case has && name != cfg.AllStreamsDashboardName():
		return fmt.Errorf("dashboard all_streams named %v, want %s", name, cfg.AllStreamsDashboardName())
	}
	return nil
}
