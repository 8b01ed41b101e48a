package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawskinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

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
	alarm := watchedAlarmsResource(stack, cdktf.TerraformIterator_FromMap(watchedAlarms.AsAnyMap()), routing)
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
