package config

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// Each AWS limit, at its edge: the last value AWS accepts is accepted, the
// first one beyond it is refused with its message (docs/environments-and-limits.md, Limits).
func TestLimitsAtTheEdge(t *testing.T) {
	tags := func(n int) map[string]any {
		m := map[string]any{}
		for i := range n {
			m[fmt.Sprintf("k%02d", i)] = "v"
		}
		return m
	}
	state := func(key string) map[string]any {
		return map[string]any{"stateBucket": "xfusion-tfstate", "stateKey": key}
	}
	cases := []edgeCase{
		{"stream name: 128 characters", map[string]any{"streamName": strings.Repeat("s", 128)}, map[string]any{"streamName": strings.Repeat("s", 129)},
			`streamName: "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss… is not allowed; allowed: 1-128 characters`},
		{"shards: 10000", map[string]any{"shardCount": 10000}, map[string]any{"shardCount": 10001},
			`shardCount: 10001 is out of range; allowed: a whole number from 1 to 10000 (Kinesis's default per-stream limit)`},
		{"shards: 1", map[string]any{"shardCount": 1}, map[string]any{"shardCount": 0}, `shardCount: 0 is out of range`},
		{"retention: 8760 h", map[string]any{"retentionHours": 8760}, map[string]any{"retentionHours": 8761},
			`retentionHours: 8761 is out of range; allowed: a whole number of hours from 24 to 8760`},
		{"retention: 24 h", map[string]any{"retentionHours": 24}, map[string]any{"retentionHours": 23}, `retentionHours: 23 is out of range`},
		{"alarm name: 255 characters", map[string]any{"alarmName": strings.Repeat("a", 255)}, map[string]any{"alarmName": strings.Repeat("a", 256)},
			`is not allowed; allowed: 1-255 characters, no control characters`},
		{"description: 1024 characters", map[string]any{"alarmDescription": strings.Repeat("d", 1024)}, map[string]any{"alarmDescription": strings.Repeat("d", 1025)},
			`alarmDescription: "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd… is not allowed; allowed: 0-1024 characters`},
		{"period: 20 s (high resolution)", map[string]any{"alarmPeriod": 20}, map[string]any{"alarmPeriod": 40},
			`alarmPeriod: 40 is not allowed; allowed: 10, 20, 30 or a multiple of 60 (seconds)`},
		{"period under an hour: 1 day in all", map[string]any{"alarmPeriod": 60, "alarmEvaluationPeriods": 1440}, map[string]any{"alarmPeriod": 60, "alarmEvaluationPeriods": 1441},
			`alarmEvaluationPeriods: 1441 × alarmPeriod 60 s is 86460 s, more than 1 day; allowed: at most 1440 evaluation periods of 60 s (CloudWatch evaluates at most 1 day: 86400 s)`},
		{"period of 10 s: 1 day in all", map[string]any{"alarmPeriod": 10, "alarmEvaluationPeriods": 8640}, map[string]any{"alarmPeriod": 10, "alarmEvaluationPeriods": 8641},
			`alarmEvaluationPeriods: 8641 × alarmPeriod 10 s is 86410 s, more than 1 day`},
		{"period of an hour: 7 days in all", map[string]any{"alarmPeriod": 3600, "alarmEvaluationPeriods": 168}, map[string]any{"alarmPeriod": 3600, "alarmEvaluationPeriods": 169},
			`alarmEvaluationPeriods: 169 × alarmPeriod 3600 s is 608400 s, more than 7 days; allowed: at most 168 evaluation periods of 3600 s`},
		{"period of 7 days", map[string]any{"alarmPeriod": 604800}, map[string]any{"alarmPeriod": 604860},
			`alarmPeriod: 604860 is not allowed`},
		{"tags: 50", map[string]any{"tags": tags(50)}, map[string]any{"tags": tags(51)}, `tags: {"k00":"v","k01":"v","k02":"v","k03":"v","k04":"v","k05":"v","k06":"v","k07":"v… has 51 tags`},
		{"tag key: 128 characters", map[string]any{"tags": map[string]any{strings.Repeat("k", 128): "v"}}, map[string]any{"tags": map[string]any{strings.Repeat("k", 129): "v"}},
			`which is not a valid tag key`},
		{"tag value: 256 characters", map[string]any{"tags": map[string]any{"k": strings.Repeat("v", 256)}}, map[string]any{"tags": map[string]any{"k": strings.Repeat("v", 257)}},
			`has a value for "k" that is not a valid tag value`},
		{"bucket: 63 characters", map[string]any{"stateBucket": strings.Repeat("b", 63)}, map[string]any{"stateBucket": strings.Repeat("b", 64)},
			`stateBucket: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" is not allowed; allowed: an S3 bucket name`},
		{"bucket: 3 characters", map[string]any{"stateBucket": "abc"}, map[string]any{"stateBucket": "ab"}, `stateBucket: "ab" is not allowed`},
		{"state key: 1017 bytes, 1024 with .tflock", state(strings.Repeat("é", 508) + "k"), state(strings.Repeat("é", 509)),
			`is not allowed; allowed: an S3 object key of 1-1017 bytes (1024 with the lock file's .tflock), not starting or ending with / and without //`},
		{"state key: ends without /", state("a/b"), state("a/b/"), `stateKey: "a/b/" is not allowed`},
		{"state key: no //", state("a/b"), state("a//b"), `stateKey: "a//b" is not allowed`},
		{"region: one the provider knows", map[string]any{"region": "ap-southeast-7"}, map[string]any{"region": "ap-southeast-6"},
			`region: "ap-southeast-6" is not a region hashicorp/aws 5.100 knows; allowed: an AWS region that hashicorp/aws 5.100 knows`},
	}
	checkEdges(t, cases)
}

// edgeCase is one limit: the last value accepted, the first refused, and
// the message that refusal gives.
type edgeCase struct {
	name         string
	edge, beyond map[string]any
	want         string
}

func checkEdges(t *testing.T, cases []edgeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ConfigFromContext(c.edge); err != nil {
				t.Errorf("the edge %s was refused: %v", echo(c.edge), err)
			}
			got := problemsOf(t, c.beyond)
			if len(got) != 1 || !strings.Contains(got[0], c.want) {
				t.Errorf("beyond the edge: problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), c.want)
			}
		})
	}
}

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

// Each KMS key is held to what its API takes: the stream's and the SNS
// topic's take the AWS docs' example key id (not an RFC 4122 UUID; KMS,
// Kinesis, SNS and hashicorp/aws 5.100 accept it), the state's refuses it
// (Terraform's S3 backend does).
func TestKMSKeyRulesFollowTheirAPI(t *testing.T) {
	const docsID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	const docsARN = "arn:aws:kms:us-east-1:111122223333:key/" + docsID
	for _, c := range []struct {
		name    string
		ctx     map[string]any
		refused string // "" when accepted
	}{
		{"the stream's key id", map[string]any{"kmsKeyId": docsID}, ""},
		{"the stream's key ARN", map[string]any{"kmsKeyId": docsARN}, ""},
		{"the topic's key ARN", map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": docsARN}, ""},
		{"the state's key ARN", map[string]any{"stateBucket": "xfusion-tfstate", "stateKmsKeyId": docsARN}, `stateKmsKeyId: "` + docsARN + `" is not allowed`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.refused == "" {
				if _, err := FromContext(c.ctx); err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if got := problemsOf(t, c.ctx); len(got) != 1 || !strings.Contains(got[0], c.refused) {
				t.Errorf("problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), c.refused)
			}
		})
	}
}

// Every refusal of the estate's settings, with its message, each naming
// watchStreams.<stream>.<key> where a stream's own setting is at fault.
func TestEstateRefusals(t *testing.T) {
	long := strings.Repeat("s", 128)
	for name, c := range map[string]struct {
		ctx  map[string]any
		want []string // one problem each, in this order
	}{
		"watchStreams not an object": {map[string]any{"watchStreams": []any{"orders"}},
			[]string{`watchStreams: ["orders"] is not an object of streams`}},
		"a stream's settings not an object": {map[string]any{"watchStreams": map[string]any{"orders": 5}},
			[]string{`watchStreams: {"orders":5} has for "orders" a value that is not an object of settings`}},
		"a name that is no stream name": {map[string]any{"watchStreams": map[string]any{"a b": map[string]any{}}},
			[]string{`watchStreams: {"a b":{}} names "a b", which is not a stream name; allowed: 1-128 characters from a-z A-Z 0-9 _ . -`}},
		"the stack's own stream": {map[string]any{"watchStreams": map[string]any{"xfusion-kinesis-stream": map[string]any{}}},
			[]string{`watchStreams: {"xfusion-kinesis-stream":{}} names the stack's own stream "xfusion-kinesis-stream"`}},
		"a misspelt setting": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"alarmTreshold": 2}}},
			[]string{`watchStreams.orders.alarmTreshold: 2 is not a setting of this app; did you mean alarmThreshold?; allowed: one of alarmDescription, alarmThreshold`}},
		"a setting a watched stream does not take": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"shardCount": 2}}},
			[]string{`watchStreams.orders.shardCount: 2 is not a setting of a watched stream; allowed: one of alarmDescription`}},
		"a bad value": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"alarmPeriod": 90}}},
			[]string{`watchStreams.orders.alarmPeriod: 90 is not allowed; allowed: 10, 20, 30 or a multiple of 60`}},
		"a value that does not decode": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"alarmThreshold": "five"}}},
			[]string{`watchStreams.orders.alarmThreshold: "five" is not a number`}},
		"a stream's periods against the top level's M of N": {map[string]any{"alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 3,
			"watchStreams": map[string]any{"orders": map[string]any{"alarmEvaluationPeriods": 2}}},
			[]string{`watchStreams.orders.alarmDatapointsToAlarm: 3 is out of range with alarmEvaluationPeriods 2`}},
		"a top-level problem is reported once, not per stream": {map[string]any{"alarmPeriod": 90,
			"watchStreams": map[string]any{"orders": map[string]any{}, "clicks": map[string]any{}}},
			[]string{`alarmPeriod: 90 is not allowed`}},
		"a stream's retention out of range": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"retentionHours": 10}}},
			[]string{`watchStreams.orders.retentionHours: 10 is out of range`}},
		"a stream's threshold beyond its retention": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"retentionHours": 24,
			"recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 86400001}}}},
			[]string{`watchStreams.orders.recommendedAlarms: {"iteratorAgeMilliseconds":86400001} sets iteratorAgeMilliseconds to 8.6400001e+07`}},
		"watch-only without streams": {map[string]any{"createStream": false},
			[]string{`createStream: false is false but watchStreams names no stream`}},
		"watch-only with the own stream's settings": {map[string]any{"createStream": false, "shardCount": 2, "consumers": []any{"c"},
			"watchStreams": map[string]any{"orders": map[string]any{}}},
			[]string{`consumers: ["c"] is set while createStream is false`, `shardCount: 2 is set while createStream is false; allowed: leave shardCount out: a watch-only stack owns no stream`}},
		"adopting a stream the stack does not own": {map[string]any{"createStream": false, "adoptExisting": []any{"stream"},
			"watchStreams": map[string]any{"orders": map[string]any{}}},
			[]string{`adoptExisting: ["stream"] names stream, which this stack does not create; allowed: stream and alarms only with a stream of the stack's (createStream true); a watched stream is never managed`}},
		"a consumer name Kinesis refuses": {map[string]any{"consumers": []any{"a b"}},
			[]string{`consumers: ["a b"] names "a b", which is not a consumer name`}},
		"21 consumers": {map[string]any{"consumers": consumerNames(21)},
			[]string{`names 21 consumers; allowed: at most 20: Kinesis registers at most 20 enhanced fan-out consumers per stream`}},
		"20 consumers: accepted": {map[string]any{"consumers": consumerNames(20)}, nil},
		"a consumer twice":       {map[string]any{"consumers": []any{"c", "c"}}, []string{`consumers: ["c","c"] names "c" twice`}},
		"consumers whose resources would share a name": {map[string]any{"consumers": []any{"a.b", "a_b"}},
			[]string{`names "a.b" and "a_b", whose alarms would share a resource name`}},
		"a consumer threshold out of range": {map[string]any{"consumers": map[string]any{"c": map[string]any{"success": 2}}},
			[]string{`consumers: {"c":{"success":2}} sets success of "c" to 2; allowed: success: a share of successful SubscribeToShard calls`}},
		"an unknown consumer threshold": {map[string]any{"consumers": map[string]any{"c": map[string]any{"lag": 2}}},
			[]string{`consumers: {"c":{"lag":2}} has for "c" the threshold "lag", which is not one of ` + strings.Join(alarms.ConsumerKeys(), ", ")}},
		"a consumer alarm name too long": {map[string]any{"createStream": false, "watchStreams": map[string]any{long: map[string]any{"consumers": []any{long}}}},
			[]string{`watchStreams.` + long + `.consumers: ["` + strings.Repeat("s", 77) + `… names "` + strings.Repeat("s", 79) + `…": the alarm`}},
		"a watched stream's consumer": {map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"consumers": []any{"x y"}}}},
			[]string{`watchStreams.orders.consumers: ["x y"] names "x y", which is not a consumer name`}},
		"an alarm name taken by a watched stream's": {map[string]any{"alarmName": "orders-write-throttled", "watchStreams": map[string]any{"orders": map[string]any{}}},
			[]string{`alarmName: "orders-write-throttled" gives two alarms the name "orders-write-throttled" in us-east-1`}},
		"watched streams and consumers whose names overlap: accepted": {map[string]any{"createStream": false, "watchStreams": map[string]any{
			"a": map[string]any{"consumers": []any{"b"}}, "a-b-millis-behind": map[string]any{}}},
			nil},
		"inside an environment": {map[string]any{"environments": map[string]any{"dev": map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"alarmPeriod": 90}}}}},
			[]string{`environments.dev.watchStreams.orders.alarmPeriod: 90 is not allowed`}},
	} {
		t.Run(name, func(t *testing.T) {
			if c.want == nil {
				if _, err := FromContext(c.ctx); err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			got := problemsOf(t, c.ctx)
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n  %s\nwant %d", strings.Join(got, "\n  "), len(c.want))
			}
			for i := range c.want {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("problem %d:\n  %s\nwant it to contain\n  %s", i, got[i], c.want[i])
				}
			}
		})
	}
}

// A watched stream gets the top level's alarm settings, its own on top, and
// never the top level's consumers.
func TestWatchedStreamsInheritTheTopLevel(t *testing.T) {
	cfgs, err := FromContext(map[string]any{"alarmThreshold": 3, "recommendedAlarms": true, "consumers": []any{"own"},
		"watchStreams": map[string]any{"orders": map[string]any{}, "clicks": map[string]any{"alarmThreshold": 7, "retentionHours": 48}}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Config{}
	for _, w := range cfgs[0].Watched {
		byName[w.Name] = w.Config
	}
	if byName["orders"].AlarmThreshold != 3 || byName["clicks"].AlarmThreshold != 7 || byName["clicks"].RetentionHours != 48 || byName["orders"].RetentionHours != 24 {
		t.Errorf("orders %v/%d h, clicks %v/%d h; want 3/24 h and 7/48 h", byName["orders"].AlarmThreshold, byName["orders"].RetentionHours, byName["clicks"].AlarmThreshold, byName["clicks"].RetentionHours)
	}
	for name, c := range byName {
		if len(c.Consumers) != 0 || !c.RecommendedAlarms.Enabled {
			t.Errorf("%s: consumers %v, recommended %v; want none and on", name, c.Consumers, c.RecommendedAlarms.Enabled)
		}
	}
	var names []string
	for _, a := range cfgs[0].Alarms() {
		names = append(names, a.Name)
	}
	for _, want := range []string{"xfusion-kinesis-alarm", "xfusion-kinesis-stream-own-millis-behind-latest", "orders-write-throttled", "clicks-iterator-age"} {
		if !slices.Contains(names, want) {
			t.Errorf("no alarm %s among %v", want, names)
		}
	}
	if n := len(names); n != 3*(1+len(alarms.RecommendedSet))+len(alarms.ConsumerSet) {
		t.Errorf("%d alarms; want the set for each of three streams and one consumer's", n)
	}
}

func consumerNames(n int) []any {
	var names []any
	for i := range n {
		names = append(names, fmt.Sprintf("c%02d", i))
	}
	return names
}

// Each ARN setting's partition: an AWS partition (aws, aws-cn, aws-us-gov,
// …) is accepted, anything else that starts with aws is refused, as it was
// before the configuration moved to package config.
func TestARNPartitionsAtTheEdge(t *testing.T) {
	const key = "key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"
	topicKey := func(arn string) map[string]any {
		return map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": arn}
	}
	state := func(arn string) map[string]any {
		return map[string]any{"stateBucket": "xfusion-tfstate", "stateKmsKeyId": arn}
	}
	checkEdges(t, []edgeCase{
		{"alarmTopicArn", map[string]any{"region": "us-gov-west-1", "alarmTopicArn": "arn:aws-us-gov:sns:us-gov-west-1:111122223333:ops"},
			map[string]any{"alarmTopicArn": "arn:aws1:sns:us-east-1:111122223333:ops"},
			`alarmTopicArn: "arn:aws1:sns:us-east-1:111122223333:ops" is not allowed; allowed: the ARN of an existing standard SNS topic`},
		{"kmsKeyId", map[string]any{"region": "cn-north-1", "kmsKeyId": "arn:aws-cn:kms:cn-north-1:111122223333:" + key},
			map[string]any{"kmsKeyId": "arn:aws_cn:kms:us-east-1:111122223333:" + key},
			`kmsKeyId: "arn:aws_cn:kms:us-east-1:111122223333:` + key + `" is not allowed; allowed: a KMS key alias (alias/…), key id, or key or alias ARN`},
		{"alertTopicKmsKeyId", topicKey("arn:aws:kms:us-east-1:111122223333:alias/alerts"), topicKey("arn:awsX:kms:us-east-1:111122223333:alias/alerts"),
			`alertTopicKmsKeyId: "arn:awsX:kms:us-east-1:111122223333:alias/alerts" is not allowed; allowed: the ARN of a KMS key or alias`},
		{"stateKmsKeyId", state("arn:aws-us-gov:kms:us-gov-west-1:111122223333:" + key), state("arn:aws2:kms:us-east-1:111122223333:" + key),
			`stateKmsKeyId: "arn:aws2:kms:us-east-1:111122223333:` + key + `" is not allowed; allowed: a KMS key or alias ARN`},
	})
}

// The alert topic's key is in the stack's region: SNS encrypts a topic only
// with a KMS key of its own region (a multi-Region key by its replica's ARN
// there).
func TestAlertTopicKeyInTheStacksRegion(t *testing.T) {
	topicKey := func(region, arn string) map[string]any {
		return map[string]any{"region": region, "alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": arn}
	}
	const mrk = "key/mrk-1234abcd12ab34cd56ef1234567890ab"
	checkEdges(t, []edgeCase{
		{"a key", topicKey("eu-west-1", "arn:aws:kms:eu-west-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"),
			topicKey("eu-west-1", "arn:aws:kms:us-east-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"),
			`alertTopicKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f" is in region us-east-1, the alert topic in eu-west-1; ` +
				`allowed: a key in the stack's region: SNS encrypts a topic only with a KMS key of the topic's own region`},
		{"an alias", topicKey("us-east-1", "arn:aws:kms:us-east-1:111122223333:alias/alerts"), topicKey("us-east-1", "arn:aws:kms:us-east-2:111122223333:alias/alerts"),
			`alertTopicKmsKeyId: "arn:aws:kms:us-east-2:111122223333:alias/alerts" is in region us-east-2, the alert topic in us-east-1`},
		{"a multi-Region key: its replica in the stack's region", topicKey("eu-west-1", "arn:aws:kms:eu-west-1:111122223333:"+mrk),
			topicKey("eu-west-1", "arn:aws:kms:us-east-1:111122223333:"+mrk), `is in region us-east-1, the alert topic in eu-west-1`},
	})
	t.Run("a shared key, refused in the environment of another region", func(t *testing.T) {
		got := problemsOf(t, map[string]any{"alarmEmails": []any{"ops@example.com"}, "alertTopicKmsKeyId": "arn:aws:kms:us-east-1:111122223333:alias/alerts",
			EnvironmentsKey: map[string]any{"dev": map[string]any{"streamName": "orders-dev", "alarmName": "orders-dev"}, "prod": map[string]any{"region": "eu-west-1"}}})
		want := `environments.prod.alertTopicKmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/alerts" is in region us-east-1, the alert topic in eu-west-1`
		if len(got) != 1 || !strings.Contains(got[0], want) {
			t.Errorf("problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), want)
		}
	})
}

// A threshold written null is refused, as a setting written null is
// (docs/configuration.md, Accepted value forms): before, it had become 0 (a
// throttling alarm on any throttle, or a refusal that named 0).
func TestNullThresholdsAreRefused(t *testing.T) {
	const null = "is null; leave it out to keep the alarm's default"
	checkEdges(t, []edgeCase{
		{"recommendedAlarms", map[string]any{"recommendedAlarms": map[string]any{"readProvisionedThroughputExceeded": 0}},
			map[string]any{"recommendedAlarms": map[string]any{"readProvisionedThroughputExceeded": nil}},
			`recommendedAlarms: {"readProvisionedThroughputExceeded":null} has a threshold for readProvisionedThroughputExceeded that ` + null + `; allowed: true, false, or an object of thresholds`},
		{"recommendedAlarms, where 0 is out of range", map[string]any{"recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 1}},
			map[string]any{"recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": nil}},
			`has a threshold for iteratorAgeMilliseconds that ` + null},
		{"a consumer's", map[string]any{"consumers": map[string]any{"c": map[string]any{"success": 0.5}}},
			map[string]any{"consumers": map[string]any{"c": map[string]any{"success": nil}}},
			`consumers: {"c":{"success":null}} has for "c" a threshold for success that ` + null + `; allowed: the enhanced fan-out consumers`},
		{"a watched stream's", map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"recommendedAlarms": map[string]any{"putRecordsFailedRecords": 0}}}},
			map[string]any{"watchStreams": map[string]any{"orders": map[string]any{"recommendedAlarms": map[string]any{"putRecordsFailedRecords": nil}}}},
			`watchStreams.orders.recommendedAlarms: {"putRecordsFailedRecords":null} has a threshold for putRecordsFailedRecords that ` + null},
	})
}

// The rules each setting had before the configuration moved to package
// config, at the edge and beyond, for each rule the other tables show from
// one side only (the report of issue 21 lists every rule with its test).
func TestSettingRulesAtTheEdge(t *testing.T) {
	emails := []any{"ops@example.com"}
	with := func(base map[string]any, key string, value any) map[string]any {
		ctx := maps.Clone(base)
		ctx[key] = value
		return ctx
	}
	state := map[string]any{"stateBucket": "xfusion-tfstate"}
	rec := func(key string, v any) map[string]any {
		return map[string]any{"recommendedAlarms": map[string]any{key: v}}
	}
	tags := func(k, v string) map[string]any { return map[string]any{"tags": map[string]any{k: v}} }
	checkEdges(t, []edgeCase{
		{"streamName: 1 character", map[string]any{"streamName": "s"}, map[string]any{"streamName": ""}, `streamName: "" is not allowed; allowed: 1-128 characters`},
		{"alarmName: 1 character", map[string]any{"alarmName": "a"}, map[string]any{"alarmName": ""}, `alarmName: "" is not allowed; allowed: 1-255 characters, no control characters`},
		{"alarmDescription: no control characters", map[string]any{"alarmDescription": "a b"}, map[string]any{"alarmDescription": "a\tb"},
			`alarmDescription: "a\tb" is not allowed; allowed: 0-1024 characters, no control characters`},
		{"alarmThreshold: finite", map[string]any{"alarmThreshold": math.MaxFloat64}, map[string]any{"alarmThreshold": math.Inf(1)},
			`alarmThreshold: +Inf is not a JSON value; allowed: a number`},
		{"alarmTopicArn: a topic name of 256 characters", map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:" + strings.Repeat("t", 256)},
			map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:" + strings.Repeat("t", 257)}, `is not allowed; allowed: the ARN of an existing standard SNS topic`},
		{"alarmTopicArn: an account of 12 digits", map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops"},
			map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:11112222333:ops"}, `alarmTopicArn: "arn:aws:sns:us-east-1:11112222333:ops" is not allowed`},
		{"alarmTopicArn: set, not empty", map[string]any{}, map[string]any{"alarmTopicArn": ""}, `alarmTopicArn: "" is not allowed; allowed: the ARN of an existing standard SNS topic`},
		{"alarmTopicArn: in the stack's region", map[string]any{"region": "eu-west-1", "alarmTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops"},
			map[string]any{"region": "eu-west-1", "alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops"},
			`alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:ops" is in region us-east-1, the alarms in eu-west-1; allowed: a topic in the stack's region`},
		{"alertTopicEncryption: needs alarmEmails", map[string]any{"alarmEmails": emails, "alertTopicEncryption": false}, map[string]any{"alertTopicEncryption": false},
			`alertTopicEncryption: false is set but the stack creates no alert topic; allowed: set alarmEmails`},
		{"alertTopicKmsKeyId: an ARN, not an alias name", map[string]any{"alarmEmails": emails, "alertTopicKmsKeyId": "arn:aws:kms:us-east-1:111122223333:alias/aws/sns"},
			map[string]any{"alarmEmails": emails, "alertTopicKmsKeyId": "alias/aws/sns"}, `alertTopicKmsKeyId: "alias/aws/sns" is not allowed`},
		{"read throttling: 0 or more", rec("readProvisionedThroughputExceeded", 0), rec("readProvisionedThroughputExceeded", -0.01), `sets readProvisionedThroughputExceeded to -0.01`},
		{"write throttling: a share below 1", rec("writeProvisionedThroughputExceeded", 0.99), rec("writeProvisionedThroughputExceeded", 1), `sets writeProvisionedThroughputExceeded to 1`},
		{"failed records: 0 or more", rec("putRecordsFailedRecords", 0), rec("putRecordsFailedRecords", -1), `sets putRecordsFailedRecords to -1`},
		{"failed records: at most 2147483647", rec("putRecordsFailedRecords", math.MaxInt32), rec("putRecordsFailedRecords", math.MaxInt32+1), `sets putRecordsFailedRecords to 2.147483648e+09`},
		{"GetRecords success: more than 0", rec("getRecordsSuccess", 0.01), rec("getRecordsSuccess", 0), `sets getRecordsSuccess to 0`},
		{"PutRecord success: at most 1", rec("putRecordSuccess", 1), rec("putRecordSuccess", 1.01), `sets putRecordSuccess to 1.01`},
		{"iterator age: within a longer retention", map[string]any{"retentionHours": 48, "recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 172800000}},
			map[string]any{"retentionHours": 48, "recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 172800001}}, `at most the retention (172800000 ms)`},
		{"tags: a key of 1 character", tags("k", "v"), tags("", "v"), `tags: {"":"v"} has the key "", which is not a valid tag key`},
		{"tags: the aws: prefix in any case", tags("awsx:team", "v"), tags("AWS:team", "v"), `has the key "AWS:team"; the aws: prefix is reserved`},
		{"tags: a value's characters", tags("k", "a b_.:/=+-@"), tags("k", `a"b`), `has a value for "k" that is not a valid tag value`},
		{"stateBucket: no ..", map[string]any{"stateBucket": "a.b.c"}, map[string]any{"stateBucket": "a..b"}, `stateBucket: "a..b" is not allowed; allowed: an S3 bucket name`},
		{"stateBucket: starts with a letter or digit", map[string]any{"stateBucket": "0ab"}, map[string]any{"stateBucket": "-ab"}, `stateBucket: "-ab" is not allowed`},
		{"stateKey: 1 byte", with(state, "stateKey", "k"), with(state, "stateKey", ""), `stateKey: "" is not allowed; allowed: an S3 object key of 1-1017 bytes`},
		{"stateKey: no control characters", with(state, "stateKey", "a b"), with(state, "stateKey", "a\nb"), `stateKey: "a\nb" is not allowed`},
		{"stateKey: starts without /", with(state, "stateKey", "a/b"), with(state, "stateKey", "/a/b"), `stateKey: "/a/b" is not allowed`},
		{"stateRegion: one the provider knows", with(state, "stateRegion", "ap-southeast-7"), with(state, "stateRegion", "ap-southeast-6"),
			`stateRegion: "ap-southeast-6" is not a region hashicorp/aws 5.100 knows; allowed: an AWS region, as for region; needs stateBucket`},
		{"stateRegion: needs stateBucket", with(state, "stateRegion", "eu-west-1"), map[string]any{"stateRegion": "eu-west-1"},
			`stateRegion: "eu-west-1" is set without stateBucket; allowed: set stateBucket to keep the state in S3, or leave stateRegion out`},
		{"stateKmsKeyId: needs stateBucket", with(state, "stateKmsKeyId", "arn:aws:kms:us-east-1:111122223333:alias/state"),
			map[string]any{"stateKmsKeyId": "arn:aws:kms:us-east-1:111122223333:alias/state"}, `stateKmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/state" is set without stateBucket`},
		{"adoptExisting: a dashboard needs dashboard true", map[string]any{"dashboard": true, "adoptExisting": []any{"dashboard"}}, map[string]any{"adoptExisting": []any{"dashboard"}},
			`adoptExisting: ["dashboard"] names dashboard, which this stack does not create; allowed: dashboard only with dashboard true`},
		{"adoptExisting: a topic needs alarmEmails", map[string]any{"alarmEmails": emails, "adoptExisting": []any{"topic"}}, map[string]any{"adoptExisting": []any{"topic"}},
			`adoptExisting: ["topic"] names topic, which this stack does not create; allowed: topic only with alarmEmails`},
		{"adoptExisting: alarms are the own stream's, not the query alarms", map[string]any{"watchAllStreams": true, "adoptExisting": []any{"alarms"}},
			map[string]any{"createStream": false, "watchAllStreams": true, "adoptExisting": []any{"alarms"}},
			`adoptExisting: ["alarms"] names alarms, which this stack does not create; allowed: alarms only with a stream of the stack's; CloudWatch lets the alarms of watchStreams and watchAllStreams be taken over without an import`},
	})
}
