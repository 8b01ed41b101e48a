package main

import (
	"strings"
	"testing"
)

// imports maps each import block of a synth to its id, by address.
func imports(t *testing.T, doc map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	list, _ := doc["import"].([]any)
	for _, item := range list {
		m := item.(map[string]any)
		out[m["to"].(string)] = m["id"].(string)
	}
	return out
}

func TestAdoptExistingWritesImportBlocks(t *testing.T) {
	everything := map[string]any{"adoptExisting": true, "alarmEmails": []any{"ops@example.com"}, "dashboard": true, "recommendedAlarms": true}
	topicARN := "arn:${data.aws_partition.current_partition.partition}:sns:us-east-1:${data.aws_caller_identity.current_account.account_id}:xfusion-kinesis-stream-alerts"
	cases := []struct {
		name     string
		ctx      map[string]any
		want     map[string]string
		required string
	}{
		{"everything the stack names", everything, map[string]string{
			"aws_kinesis_stream.stream":          "xfusion-kinesis-stream",
			"aws_sns_topic.alert_topic":          topicARN,
			"aws_cloudwatch_dashboard.dashboard": "xfusion-kinesis-stream",
		}, ">= 1.6.0"},
		{"the stream only (an interrupted first deploy)", map[string]any{"adoptExisting": []any{"stream"}},
			map[string]string{"aws_kinesis_stream.stream": "xfusion-kinesis-stream"}, ">= 1.5.0"},
		{"the stream and the alarm (lost state)", map[string]any{"adoptExisting": true}, map[string]string{
			"aws_kinesis_stream.stream": "xfusion-kinesis-stream", "aws_cloudwatch_metric_alarm.write_throttle_alarm": "xfusion-kinesis-alarm",
		}, ">= 1.5.0"},
		{"off: no import blocks (the check can fail)", map[string]any{}, map[string]string{}, ">= 1.2.0"},
		{"with watchAllStreams: the own stream's alarms, not the query alarms nor their dashboard", merge(everything, map[string]any{"watchAllStreams": true}), map[string]string{
			"aws_kinesis_stream.stream":          "xfusion-kinesis-stream",
			"aws_sns_topic.alert_topic":          topicARN,
			"aws_cloudwatch_dashboard.dashboard": "xfusion-kinesis-stream",
		}, ">= 1.6.0"},
	}
	// Every alarm of the stream, by its name.
	for _, i := range []int{0, len(cases) - 1} {
		for _, a := range configOf(t, cases[i].ctx).StreamAlarms() {
			cases[i].want[alarmType+"."+a.ID] = a.Name
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth(t, c.ctx)
			got := imports(t, s.Doc)
			if len(got) != len(c.want) {
				t.Errorf("%d import blocks, want %d: %v", len(got), len(c.want), got)
			}
			for to, id := range c.want {
				if got[to] != id {
					t.Errorf("import to %s: id %q, want %q", to, got[to], id)
				}
			}
			if v, _ := lookup(s.Doc, "terraform", "required_version"); v != c.required {
				t.Errorf("required_version %v, want %s", v, c.required)
			}
		})
	}
}

func TestAlertTopicEncryption(t *testing.T) {
	emails := map[string]any{"alarmEmails": []any{"ops@example.com"}}
	// GIVEN a topic of the stack's THEN a key of the stack's encrypts it,
	// with rotation, and lets CloudWatch use it for this account's alarms
	s := synth(t, emails)
	key := mustMap(s.Doc, "resource", "aws_kms_key", "alert_topic_key")
	if key["enable_key_rotation"] != true {
		t.Errorf("key rotation %v", key["enable_key_rotation"])
	}
	for _, want := range []string{`"Service":"cloudwatch.amazonaws.com"`, `"kms:GenerateDataKey*"`, `"aws:SourceAccount":"${data.aws_caller_identity.current_account.account_id}"`,
		`"aws:SourceArn":"arn:${data.aws_partition.current_partition.partition}:cloudwatch:us-east-1:${data.aws_caller_identity.current_account.account_id}:alarm:*"`} {
		if !strings.Contains(key["policy"].(string), want) {
			t.Errorf("the key policy lacks %s:\n%s", want, key["policy"])
		}
	}
	if got, _ := lookup(s.Doc, "resource", "aws_sns_topic", "alert_topic", "kms_master_key_id"); got != "${aws_kms_key.alert_topic_key.arn}" {
		t.Errorf("topic key %v", got)
	}
	// AND with a key of the user's, no key of the stack's
	userKey := "arn:aws:kms:us-east-1:111122223333:alias/alerts"
	s = synth(t, merge(emails, map[string]any{"alertTopicKmsKeyId": userKey}))
	if _, has := lookup(s.Doc, "resource", "aws_kms_key"); has {
		t.Error("a key of the stack's next to the user's")
	}
	if got, _ := lookup(s.Doc, "resource", "aws_sns_topic", "alert_topic", "kms_master_key_id"); got != userKey {
		t.Errorf("topic key %v, want the user's", got)
	}
	// AND switched off, neither (the check can fail)
	s = synth(t, merge(emails, map[string]any{"alertTopicEncryption": false}))
	if _, has := lookup(s.Doc, "resource", "aws_kms_key"); has {
		t.Error("a key while encryption is off")
	}
	if got, has := lookup(s.Doc, "resource", "aws_sns_topic", "alert_topic", "kms_master_key_id"); has {
		t.Errorf("topic key %v while encryption is off", got)
	}
}
