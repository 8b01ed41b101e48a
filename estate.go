package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawskinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/config"
	"github.com/xfusion/kinesis-monitoring/dashboard"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

// newEstateMonitoring watches the streams the stack does not own. Each is
// read with the aws_kinesis_stream data source (a stream that does not exist
// stops the plan, naming it; its retention is checked against the
// configuration where a threshold follows it). Their alarms are the values
// of config.Watched, built by one resource that Terraform iterates
// (for_each, keyed <stream>/<alarm>), routed like the stack's own; with
// dashboard true, the estate dashboards, one per page of streams. The
// resources, and the synthesized JSON but for the values, stay the same in
// number whatever the number of streams.
func newEstateMonitoring(stack cdktf.TerraformStack, cfg config.Config, routing alertActions) {
	streams := map[string]any{}
	values := map[string]any{}
	names := map[string]any{}
	kinds := alarmKinds{index: map[string]string{}}
	for _, w := range cfg.Watched {
		list := w.Alarms()
		// A threshold follows the retention (the iterator age, a
		// consumer's lag): the plan checks the stream keeps what the
		// configuration says.
		checkRetention := w.Config.RecommendedAlarms.Enabled || len(w.Config.Consumers) > 0
		streams[w.Name] = map[string]any{"retention_hours": w.Config.RetentionHours, "check_retention": checkRetention}
		var alarmNames []string
		for _, a := range list {
			values[a.ID] = kinds.value(a)
			alarmNames = append(alarmNames, a.Name)
		}
		names[w.Name] = alarmNames
	}
	watchedStreams := cdktf.NewTerraformLocal(stack, jsii.String("watch_streams"), jsonDocument(streams))
	streamIt := cdktf.TerraformIterator_FromMap(watchedStreams.AsAnyMap())
	streamData := dataawskinesisstream.NewDataAwsKinesisStream(stack, jsii.String("watched_stream"), &dataawskinesisstream.DataAwsKinesisStreamConfig{
		ForEach: streamIt,
		Name:    streamIt.Key(),
		Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
			Condition: jsii.String("${!each.value.check_retention || self.retention_period == each.value.retention_hours}"),
			ErrorMessage: jsii.String("The watched stream ${each.key} keeps records ${self.retention_period} h, the configuration says ${each.value.retention_hours} h: " +
				"set watchStreams.${each.key}.retentionHours to ${self.retention_period} (the iterator-age and consumer-lag thresholds follow it)."),
		}}},
	})

	// Each alarm holds its name, its dimensions and its kind: the
	// attributes it shares with others.
	watchedAlarms := cdktf.NewTerraformLocal(stack, jsii.String("watch_alarms"), jsonDocument(values))
	cdktf.NewTerraformLocal(stack, jsii.String("watch_alarm_kinds"), jsonDocument(kinds.list))
	it := cdktf.TerraformIterator_FromMap(watchedAlarms.AsAnyMap())
	kind := func(attribute string) *string {
		return jsii.String("${local.watch_alarm_kinds[each.value.kind]." + attribute + "}")
	}
	alarm := cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String("watched_alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		ForEach:           it,
		AlarmName:         it.GetString(jsii.String("name")),
		Dimensions:        it.GetStringMap(jsii.String("dimensions")),
		AlarmDescription:  kind("description"),
		Namespace:         kind("namespace"),
		MetricName:        kind("metric"),
		Statistic:         kind("statistic"),
		Period:            cdktf.Token_AsNumber(kind("period")),
		EvaluationPeriods: cdktf.Token_AsNumber(kind("evaluation_periods")),
		// Not in the kind when not set (M of N is then N of N).
		DatapointsToAlarm:       cdktf.Token_AsNumber(jsii.String(`${lookup(local.watch_alarm_kinds[each.value.kind], "datapoints_to_alarm", null)}`)),
		Threshold:               cdktf.Token_AsNumber(kind("threshold")),
		ComparisonOperator:      kind("comparison"),
		TreatMissingData:        kind("treat_missing_data"),
		AlarmActions:            routing.alarmAndOK,
		OkActions:               routing.alarmAndOK,
		InsufficientDataActions: routing.insufficientData,
	})
	// data.aws_kinesis_stream.watched["<stream>"] and
	// aws_cloudwatch_metric_alarm.watched["<stream>/<alarm>"] in the plan.
	streamData.OverrideLogicalId(jsii.String("watched"))
	alarm.OverrideLogicalId(jsii.String("watched"))
	cdktf.NewTerraformOutput(stack, jsii.String("watched_streams"), &cdktf.TerraformOutputConfig{
		Value:       jsonDocument(names),
		Description: jsii.String("The streams the stack watches, each with the names of its alarms"),
	})

	if !cfg.Dashboard {
		return
	}
	pages := map[string]any{}
	for i, page := range cfg.EstatePages() {
		pages[fmt.Sprint(i+1)] = page
	}
	estatePages := cdktf.NewTerraformLocal(stack, jsii.String("estate_pages"), jsonDocument(pages))
	// The write capacity of each stream, from what AWS says of it at plan
	// time: its open shards, or none to draw for an on-demand stream.
	cdktf.NewTerraformLocal(stack, jsii.String("estate_capacity"), jsii.String(
		`${{for name, s in data.aws_kinesis_stream.watched : name => s.stream_mode_details[0].stream_mode == "ON_DEMAND" ? [] : `+
			`[{label = "Write capacity: ${length(s.open_shards)} shard${length(s.open_shards) == 1 ? "" : "s"} × 1 MiB/s", value = length(s.open_shards) * 1048576}]}}`))
	pageIt := cdktf.TerraformIterator_FromMap(estatePages.AsAnyMap())
	cloudwatchdashboard.NewCloudwatchDashboard(stack, jsii.String("estate"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		ForEach:       pageIt,
		DashboardName: jsii.String(cfg.StackID() + "-estate-${each.key}"),
		DashboardBody: jsii.String(dashboard.EstateBody(cfg.Region, "each.value", "local.estate_capacity")),
	})
}

// alarmKinds gathers the attributes the watched alarms share (all but the
// name and the dimensions) into kinds, each once.
type alarmKinds struct {
	list  map[string]any    // kind → its attributes
	index map[string]string // the attributes as JSON → kind
}

// value is the alarm as the watched alarms' for_each map holds it: its
// name, its dimensions and its kind; datapoints_to_alarm is in the kind
// only when set.
func (k *alarmKinds) value(a alarms.Alarm) map[string]any {
	shared := map[string]any{
		"description": a.Description, "namespace": a.Namespace, "metric": a.Metric, "statistic": a.Statistic,
		"period": a.Period, "evaluation_periods": a.EvaluationPeriods, "threshold": a.Threshold,
		"comparison": a.Comparison, "treat_missing_data": a.TreatMissingData,
	}
	if a.DatapointsToAlarm != 0 {
		shared["datapoints_to_alarm"] = a.DatapointsToAlarm
	}
	key := string(mustJSON(shared))
	id, seen := k.index[key]
	if !seen {
		if k.list == nil {
			k.list = map[string]any{}
		}
		id = fmt.Sprint(len(k.index) + 1)
		k.index[key] = id
		k.list[id] = shared
	}
	dimensions := map[string]string{}
	for _, d := range a.Dimensions {
		dimensions[d.Name] = d.Value
	}
	return map[string]any{"name": a.Name, "dimensions": dimensions, "kind": id}
}

// jsonDocument is a Terraform expression for the value: jsondecode of its
// JSON. What grows with the number of streams goes to Terraform this way:
// one string through the jsii kernel and one line of the stack file.
func jsonDocument(v any) *string {
	// A quoted string as HCL reads one; "${" and "%{" would start a
	// template sequence in it, "$${" and "%%{" are the literal text.
	literal := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strconv.Quote(string(mustJSON(v))))
	return jsii.String("${jsondecode(" + literal + ")}")
}

// mustJSON encodes maps of strings, numbers and lists, which cannot fail.
func mustJSON(v any) []byte {
	data, _ := jsontext.Marshal(v)
	return data
}
