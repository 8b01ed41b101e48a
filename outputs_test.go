package main

import (
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// The output kke_kinesis_alarm_name takes the specification's alarm by its
// ID, not by its place among the stream's alarm values: in whatever order
// the values come, the output and the whole stack are the same.
func TestAlarmNameOutputIsTheWriteThrottlingAlarmInAnyOrder(t *testing.T) {
	cfg := configOf(t, production)
	values := cfg.StreamAlarms()
	reversed := slices.Clone(values)
	slices.Reverse(reversed)
	// The check can fail: reversed, the first value is another alarm, the
	// one a pick by position would name.
	if reversed[0].ID == alarms.WriteThrottleID {
		t.Fatalf("the reversed values start with %s too: the test would prove nothing", alarms.WriteThrottleID)
	}
	synthOf := func(t *testing.T, values []alarms.Alarm) map[string]any {
		app := cdktf.Testing_App(&cdktf.TestingAppConfig{Outdir: jsii.String(t.TempDir()), StubVersion: jsii.Bool(true)})
		stack := cdktf.NewTerraformStack(app, jsii.String("stack"))
		stream := newStream(stack, cfg)
		newOutputs(stack, stream, newStreamMonitoring(stack, stream.Name(), values, alertActions{}, nil))
		return parse(t, []byte(*cdktf.Testing_Synth(stack, nil)))
	}
	want := "${aws_cloudwatch_metric_alarm." + alarms.WriteThrottleID + ".alarm_name}"
	docs := map[string]map[string]any{"in order": synthOf(t, values), "reversed": synthOf(t, reversed)}
	for name, doc := range docs {
		if got, _ := lookup(doc, "output", "kke_kinesis_alarm_name", "value"); got != want {
			t.Errorf("values %s: kke_kinesis_alarm_name = %v, want %s", name, got, want)
		}
	}
	if diff := cmp.Diff(docs["in order"], docs["reversed"]); diff != "" {
		t.Errorf("the values reversed give another stack (-in order +reversed):\n%s", diff)
	}
}
