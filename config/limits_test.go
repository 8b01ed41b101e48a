package config

import (
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// Each capacity and alarm setting at its edge, and beyond it.
func TestCapacitySettingsAtTheEdge(t *testing.T) {
	rec := func(key string, v any) map[string]any {
		return map[string]any{"recommendedAlarms": map[string]any{key: v}}
	}
	cases := []edgeCase{
		{"on-demand takes no shardCount", map[string]any{"streamMode": "ON_DEMAND"}, map[string]any{"streamMode": "ON_DEMAND", "shardCount": 2},
			`shardCount: 2 is set while streamMode is ON_DEMAND; allowed: leave shardCount out for an on-demand stream (AWS sets its shards), or use streamMode PROVISIONED`},
		{"stream modes", map[string]any{"streamMode": "PROVISIONED"}, map[string]any{"streamMode": "on-demand"},
			`streamMode: "on-demand" is not allowed; allowed: one of PROVISIONED, ON_DEMAND: a fixed number of shards`},
		{"an autoscaler needs shards", map[string]any{"externalShardScaling": true}, map[string]any{"streamMode": "ON_DEMAND", "externalShardScaling": true},
			`externalShardScaling: true is true while streamMode is ON_DEMAND`},
		{"M of N: M at most N", map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 3}, map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 4},
			`alarmDatapointsToAlarm: 4 is out of range with alarmEvaluationPeriods 3; allowed: a whole number from 1 to alarmEvaluationPeriods`},
		{"M of N: M at least 1", map[string]any{"alarmDatapointsToAlarm": 1}, map[string]any{"alarmDatapointsToAlarm": 0},
			`alarmDatapointsToAlarm: 0 is out of range with alarmEvaluationPeriods 1`},
		{"iterator age: at most the retention", rec("iteratorAgeMilliseconds", 86400000), rec("iteratorAgeMilliseconds", 86400001),
			`recommendedAlarms: {"iteratorAgeMilliseconds":86400001} sets iteratorAgeMilliseconds to 8.6400001e+07; allowed: iteratorAgeMilliseconds: milliseconds, more than 0 and at most the retention (86400000 ms)`},
		{"iterator age: more than 0", rec("iteratorAgeMilliseconds", 1), rec("iteratorAgeMilliseconds", 0), `sets iteratorAgeMilliseconds to 0`},
		{"read throttling: a share below 1", rec("readProvisionedThroughputExceeded", 0.99), rec("readProvisionedThroughputExceeded", 1),
			`sets readProvisionedThroughputExceeded to 1; allowed: readProvisionedThroughputExceeded: a share of GetRecords calls from 0 up to but not including 1`},
		{"write throttling: 0 or more", rec("writeProvisionedThroughputExceeded", 0), rec("writeProvisionedThroughputExceeded", -0.1), `sets writeProvisionedThroughputExceeded to -0.1`},
		{"failed records: whole numbers", rec("putRecordsFailedRecords", 10), rec("putRecordsFailedRecords", 1.5), `sets putRecordsFailedRecords to 1.5`},
		{"GetRecords success: at most 1", rec("getRecordsSuccess", 1), rec("getRecordsSuccess", 1.01), `sets getRecordsSuccess to 1.01`},
		{"PutRecord success: more than 0", rec("putRecordSuccess", 0.01), rec("putRecordSuccess", 0), `sets putRecordSuccess to 0`},
		{"threshold keys", rec("putRecordSuccess", 0.5), rec("iteratorAge", 1000),
			`recommendedAlarms: {"iteratorAge":1000} has the threshold "iteratorAge", which is not one of ` + strings.Join(alarms.Keys(), ", ")},
		{"thresholds are numbers", rec("putRecordSuccess", 0.5), rec("putRecordSuccess", "0.5"), `has a threshold for putRecordSuccess that is not a number`},
	}
	checkEdges(t, cases)
	// Inside an environment, a shared shardCount meets the environment's mode.
	got := problemsOf(t, map[string]any{"shardCount": 2, EnvironmentsKey: map[string]any{
		"dev": map[string]any{"streamMode": "ON_DEMAND"}, "prod": map[string]any{"region": "eu-west-1"}}})
	if len(got) != 1 || !strings.Contains(got[0], "environments.dev.shardCount: 2 is set while streamMode is ON_DEMAND") {
		t.Errorf("shared shardCount with an on-demand environment: %q", got)
	}
}

func TestAdoptionAndTopicKeyRefusals(t *testing.T) {
	for name, c := range map[string]struct {
		ctx  map[string]any
		want string
	}{
		"adopting a topic the stack does not create": {map[string]any{"adoptExisting": []any{"stream", "topic"}},
			`adoptExisting: ["stream","topic"] names topic, which this stack does not create; allowed: topic only with alarmEmails`},
		"adopting an unknown kind": {map[string]any{"adoptExisting": []any{"bucket"}},
			`adoptExisting: ["bucket"] names "bucket", which is not one of stream, alarms, topic, dashboard`},
		"adopting a kind twice": {map[string]any{"adoptExisting": []any{"stream", "stream"}}, `names "stream" twice`},
		"adoption as a string":  {map[string]any{"adoptExisting": "stream"}, `adoptExisting: "stream" is not true, false or a list of stream, alarms, topic, dashboard`},
		"a topic key without a topic of the stack's": {map[string]any{"alertTopicKmsKeyId": "arn:aws:kms:us-east-1:111122223333:alias/alerts"},
			`alertTopicKmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/alerts" is set but the stack creates no alert topic`},
		"a topic key with encryption off": {map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicEncryption": false, "alertTopicKmsKeyId": "arn:aws:kms:us-east-1:111122223333:alias/alerts"},
			`alertTopicKmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/alerts" is set while alertTopicEncryption is false`},
		"a topic key that is no ARN": {map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": "alias/aws/sns"},
			`alertTopicKmsKeyId: "alias/aws/sns" is not allowed; allowed: the ARN of a KMS key or alias`},
		"a topic key ARN of another service": {map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": "arn:aws:sns:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			`alertTopicKmsKeyId: "arn:aws:sns:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" is not allowed`},
		"a topic key ARN without an account": {map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": "arn:aws:kms:us-east-1::key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			`alertTopicKmsKeyId: "arn:aws:kms:us-east-1::key/1234abcd-12ab-34cd-56ef-1234567890ab" is not allowed`},
	} {
		t.Run(name, func(t *testing.T) {
			got := problemsOf(t, c.ctx)
			if len(got) != 1 || !strings.Contains(got[0], c.want) {
				t.Errorf("problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), c.want)
			}
		})
	}
}

// The SNS topic's key is held to what SNS takes, not to the S3 backend's
// rule: the AWS docs' example key id (not an RFC 4122 UUID) is accepted for
// the topic and refused for the state (Terraform's S3 backend refuses it).
func TestKMSKeyRulesFollowTheirAPI(t *testing.T) {
	const docsExample = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cfg, err := FromContext(map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": docsExample})
	if err != nil || cfg[0].AlertTopicKMSKeyID != docsExample {
		t.Errorf("the topic key %s was refused: %v", docsExample, err)
	}
	got := problemsOf(t, map[string]any{"stateBucket": "xfusion-tfstate", "stateKmsKeyId": docsExample})
	if len(got) != 1 || !strings.Contains(got[0], "stateKmsKeyId: \""+docsExample+"\" is not allowed") {
		t.Errorf("the state key %s: %q, want it refused", docsExample, got)
	}
}
