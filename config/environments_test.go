package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// environments: dev and prod from one app, sharing alert routing and the
// recommended alarms; dev has names of its own in the default region, prod
// is in eu-west-1 with more shards, a dashboard and S3 state.
var environments = testkit.MustContext("environments")

func TestEachEnvironmentHasItsOwnStackAndState(t *testing.T) {
	configs, err := FromContext(environments)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct{ Stack, Region, Stream, Alarm, StatePath, StateKey string }
	var got []summary
	for _, c := range configs {
		got = append(got, summary{c.StackID(), c.Region, c.StreamName, c.AlarmName, c.StatePath(), c.StateKey})
	}
	want := []summary{
		// dev: local state in the project directory, its own names
		{"kinesis-monitoring-dev", "us-east-1", "orders-dev", "orders-dev-write-throttled",
			"../../../terraform.kinesis-monitoring-dev.tfstate", "kinesis-monitoring/dev/terraform.tfstate"},
		// prod: the specification's names in another region, S3 state under its own key
		{"kinesis-monitoring-prod", "eu-west-1", "xfusion-kinesis-stream", "xfusion-kinesis-alarm",
			"../../../terraform.kinesis-monitoring-prod.tfstate", "kinesis-monitoring/prod/terraform.tfstate"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Shared settings apply to both; an environment's own setting wins.
	for _, c := range configs {
		if !cmp.Equal(c.AlarmEmails, []string{"ops@example.com"}) || !c.RecommendedAlarms.Enabled {
			t.Errorf("%s lacks the shared settings: %+v", c.Environment, c)
		}
	}
	if configs[0].Protect || !configs[1].Protect || configs[1].ShardCount != 4 || configs[0].ShardCount != 1 {
		t.Errorf("environment settings did not override the shared ones: dev %+v, prod %+v", configs[0], configs[1])
	}
}

func TestEnvironmentsThatWouldCollideAreRefused(t *testing.T) {
	env := func(settings ...map[string]any) map[string]any {
		envs := map[string]any{}
		for i, s := range settings {
			envs[[]string{"dev", "prod", "test"}[i]] = s
		}
		return map[string]any{EnvironmentsKey: envs}
	}
	with := func(ctx map[string]any, shared map[string]any) map[string]any {
		maps.Copy(ctx, shared)
		return ctx
	}
	cases := []struct {
		name string
		ctx  map[string]any
		want []string
	}{
		{"same region, the specification's names", env(map[string]any{}, map[string]any{}), []string{
			`environments.prod.alarmName: "xfusion-kinesis-alarm" makes environments dev and prod both use the alarm "xfusion-kinesis-alarm" in us-east-1; allowed: alarm names of their own for each environment: set alarmName in environments.prod (or put the environments in different regions)`,
			`environments.prod.streamName: "xfusion-kinesis-stream" makes environments dev and prod both use the stream "xfusion-kinesis-stream" in us-east-1`,
		}},
		{"same region, the stream renamed but the alarm not", env(map[string]any{}, map[string]any{"streamName": "orders-prod"}), []string{
			`environments.prod.alarmName: "xfusion-kinesis-alarm" makes environments dev and prod both use the alarm`,
		}},
		{"dashboards are global: a collision across regions", with(env(map[string]any{}, map[string]any{"region": "eu-west-1"}), map[string]any{"dashboard": true}), []string{
			`environments.prod.streamName: "xfusion-kinesis-stream" makes environments dev and prod both use the dashboard "xfusion-kinesis-stream" in the account; allowed: dashboard names of their own for each environment (dashboards are global in an account)`,
		}},
		{"the recommended alarms and the topic follow the stream name", with(env(map[string]any{"alarmName": "a1"}, map[string]any{"alarmName": "a2"}),
			map[string]any{"recommendedAlarms": true, "alarmEmails": []any{"ops@example.com"}}), slices.Concat(
			[]string{`environments.prod.streamName: "xfusion-kinesis-stream" makes environments dev and prod both use the stream`},
			recommendedCollisions("xfusion-kinesis-stream"),
			[]string{`environments.prod.streamName: "xfusion-kinesis-stream-alerts" makes environments dev and prod both use the SNS topic "xfusion-kinesis-stream-alerts" in us-east-1`},
		)},
		{"one state key for two environments", with(env(map[string]any{"region": "eu-west-1"}, map[string]any{}), map[string]any{"stateBucket": "xfusion-tfstate", "stateKey": "shared.tfstate"}), []string{
			`environments.prod.stateKey: "shared.tfstate" makes environments dev and prod both use the S3 state object "shared.tfstate" in bucket xfusion-tfstate; allowed: a state of its own for each environment: leave stateKey out`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := problemsOf(t, c.ctx)
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n  %s\nwant %d", strings.Join(got, "\n  "), len(c.want))
			}
			for i, want := range c.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("problem %d:\n  %s\nwant it to contain\n  %s", i, got[i], want)
				}
			}
		})
	}
	// Different regions keep the specification's names apart: accepted.
	if _, err := FromContext(env(map[string]any{}, map[string]any{"region": "eu-west-1"})); err != nil {
		t.Errorf("two regions, same names: %v", err)
	}
}

func TestBadEnvironmentsAreReportedWithEveryOtherProblem(t *testing.T) {
	got := problemsOf(t, map[string]any{
		"shardCount": 0, // shared, wrong on its own: reported once
		EnvironmentsKey: map[string]any{
			"dev":     map[string]any{"retentionHours": 12, "shardCont": 2},
			"Prod":    map[string]any{},
			"staging": "eu-west-1",
			"test":    map[string]any{"region": "eu-west-1", "alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops"},
		},
	})
	want := []string{
		`environments.Prod: "Prod" is not an environment name; allowed: 1-20 characters of a-z 0-9 -, starting with a letter`,
		`environments.dev.retentionHours: 12 is out of range; allowed: a whole number of hours from 24 to 8760`,
		`environments.dev.shardCont: 2 is not a setting of this app; did you mean shardCount?`,
		`environments.staging: "eu-west-1" is not an object of settings`,
		`environments.test.alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:ops" is in region us-east-1, the alarms in eu-west-1`,
		`shardCount: 0 is out of range`,
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n  %s\nwant %d", strings.Join(got, "\n  "), len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("problem %d:\n  %s\nwant it to contain\n  %s", i, got[i], want[i])
		}
	}
	for _, bad := range []any{[]any{"dev"}, map[string]any{}, "dev"} {
		t.Run(fmt.Sprint(bad), func(t *testing.T) {
			got := problemsOf(t, map[string]any{EnvironmentsKey: bad})
			if len(got) != 1 || !strings.Contains(got[0], "environments: "+echo(bad)+" is not an object of environments") {
				t.Errorf("got %q", got)
			}
		})
	}
}

// Shared settings are checked as each environment sees them, not alone: a
// combination only the environments complete is accepted.
func TestSharedSettingsCompletedByEachEnvironment(t *testing.T) {
	ctx := map[string]any{
		"alarmOnInsufficientData": true, // the routing is per environment
		"stateKey":                "team/kinesis.tfstate",
		EnvironmentsKey: map[string]any{
			"dev":  map[string]any{"alarmEmails": []any{"dev@example.com"}, "stateBucket": "dev-tfstate", "streamName": "orders-dev", "alarmName": "orders-dev-alarm"},
			"prod": map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops", "stateBucket": "prod-tfstate"},
		},
	}
	configs, err := FromContext(ctx)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if configs[0].StateKey != "team/kinesis.tfstate" || configs[1].StateBucket != "prod-tfstate" {
		t.Errorf("configs %+v", configs)
	}
	// AND the same shared setting without the environments' part is refused,
	// once, by its own key (the check can fail)
	got := problemsOf(t, map[string]any{"alarmOnInsufficientData": true, EnvironmentsKey: map[string]any{
		"dev": map[string]any{"streamName": "orders-dev", "alarmName": "orders-dev-alarm"}, "prod": map[string]any{}}})
	if len(got) != 1 || !strings.HasPrefix(got[0], "alarmOnInsufficientData: true is true but no alarm routing is configured") {
		t.Errorf("problems %q", got)
	}
}

// recommendedCollisions are the collisions of the recommended set of two
// environments' streams of one name, one per alarm of the table.
func recommendedCollisions(stream string) []string {
	var out []string
	for _, r := range alarms.RecommendedSet {
		out = append(out, `environments.prod.streamName: "`+stream+r.NameSuffix+`" makes environments dev and prod both use the alarm`)
	}
	return out
}
