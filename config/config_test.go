package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// overrides holds a non-default value for every setting and the field it must
// change; encryption is covered by its own case because turning it off rules
// out kmsKeyId.
var overrides = []struct {
	key    string
	value  any
	change func(*Config)
	with   map[string]any // settings this one needs (the base it is compared with)
}{
	{"region", "eu-west-1", func(c *Config) { c.Region = "eu-west-1" }, nil},
	{"streamName", "team.orders-stream_2", func(c *Config) { c.StreamName = "team.orders-stream_2" }, nil},
	{"shardCount", 3, func(c *Config) { c.ShardCount = 3 }, nil},
	{"retentionHours", 168, func(c *Config) { c.RetentionHours = 168 }, nil},
	{"shardLevelMetrics", []any{"IncomingBytes", "IteratorAgeMilliseconds"}, func(c *Config) {
		c.ShardLevelMetrics = []string{"IncomingBytes", "IteratorAgeMilliseconds"}
	}, nil},
	{"kmsKeyId", "alias/orders", func(c *Config) { c.KMSKeyID = "alias/orders" }, nil},
	{"alarmName", "orders write throttling", func(c *Config) { c.AlarmName = "orders write throttling" }, nil},
	{"alarmDescription", "Add shards: writes are throttled", func(c *Config) { c.AlarmDescription = "Add shards: writes are throttled" }, nil},
	{"alarmThreshold", 0, func(c *Config) { c.AlarmThreshold = 0 }, nil},
	{"alarmComparisonOperator", "GreaterThanOrEqualToThreshold", func(c *Config) { c.AlarmComparisonOperator = "GreaterThanOrEqualToThreshold" }, nil},
	{"alarmStatistic", "Maximum", func(c *Config) { c.AlarmStatistic = "Maximum" }, nil},
	{"alarmPeriod", 300, func(c *Config) { c.AlarmPeriod = 300 }, nil},
	{"alarmEvaluationPeriods", 3, func(c *Config) { c.AlarmEvaluationPeriods = 3 }, nil},
	{"alarmTreatMissingData", "breaching", func(c *Config) { c.AlarmTreatMissingData = "breaching" }, nil},
	{"encryption", false, func(c *Config) { c.Encryption = false }, nil},
	{"protect", false, func(c *Config) { c.Protect = false }, nil},
	{"alarmEmails", []any{"ops@example.com", "on-call+kinesis@example.org"}, func(c *Config) {
		c.AlarmEmails = []string{"ops@example.com", "on-call+kinesis@example.org"}
	}, nil},
	{"alarmTopicArn", "arn:aws:sns:us-east-1:111122223333:ops-alerts", func(c *Config) { c.AlarmTopicARN = "arn:aws:sns:us-east-1:111122223333:ops-alerts" }, nil},
	{"alarmOnInsufficientData", true, func(c *Config) { c.AlarmOnInsufficientData = true },
		map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops-alerts"}},
	{"recommendedAlarms", true, func(c *Config) { c.RecommendedAlarms.Enabled = true }, nil},
	{"streamMode", "ON_DEMAND", func(c *Config) {
		c.StreamMode = "ON_DEMAND"
		c.AlarmDescription = OnDemandAlarmDescription
	}, nil},
	{"externalShardScaling", true, func(c *Config) { c.ExternalShardScaling = true }, nil},
	{"alertTopicEncryption", false, func(c *Config) { c.AlertTopicEncryption = false }, map[string]any{"alarmEmails": []any{"ops@example.com"}}},
	{"alertTopicKmsKeyId", "arn:aws:kms:us-east-1:111122223333:alias/alerts", func(c *Config) {
		c.AlertTopicKMSKeyID = "arn:aws:kms:us-east-1:111122223333:alias/alerts"
	}, map[string]any{"alarmEmails": []any{"ops@example.com"}}},
	{"adoptExisting", []any{"stream", "alarms"}, func(c *Config) { c.AdoptExisting = Adoption{Kinds: []string{"stream", "alarms"}} }, nil},
	{"alarmDatapointsToAlarm", 2, func(c *Config) { c.AlarmDatapointsToAlarm = 2 }, map[string]any{"alarmEvaluationPeriods": 3}},
	{"dashboard", true, func(c *Config) { c.Dashboard = true }, nil},
	{"watchStreams", map[string]any{"orders": map[string]any{}}, func(c *Config) {
		c.WatchStreams = WatchStreams{"orders": {}}
		w := *c // the top level's settings, without its own stream's
		w.WatchStreams, w.CreateStream = nil, false
		c.Watched = []Watched{{Name: "orders", Config: w}}
	}, nil},
	{"createStream", false, func(c *Config) { c.CreateStream = false }, map[string]any{"watchStreams": map[string]any{"orders": map[string]any{}}}},
	{"consumers", []any{"analytics"}, func(c *Config) { c.Consumers = Consumers{{Name: "analytics"}} }, nil},
	{"watchAllStreams", map[string]any{"exclude": []any{"legacy"}, "consumers": true}, func(c *Config) {
		c.WatchAllStreams = WatchAll{Enabled: true, Exclude: []string{"legacy"}, Consumers: true}
	}, nil},
	{"tags", map[string]any{"team": "monitoring", "cost-center": "42"}, func(c *Config) {
		c.Tags = map[string]string{"team": "monitoring", "cost-center": "42"}
	}, nil},
	{"stateBucket", "xfusion-tfstate", func(c *Config) { c.StateBucket = "xfusion-tfstate" }, nil},
	{"stateKey", "streams/orders.tfstate", func(c *Config) { c.StateKey = "streams/orders.tfstate" },
		map[string]any{"stateBucket": "xfusion-tfstate"}},
	{"stateRegion", "eu-central-1", func(c *Config) { c.StateRegion = "eu-central-1" },
		map[string]any{"stateBucket": "xfusion-tfstate"}},
	{"stateKmsKeyId", "arn:aws:kms:us-east-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f", func(c *Config) {
		c.StateKMSKeyID = "arn:aws:kms:us-east-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"
	}, map[string]any{"stateBucket": "xfusion-tfstate"}},
}

func TestEveryOverrideChangesExactlyItsField(t *testing.T) {
	covered := map[string]bool{}
	for _, o := range overrides {
		covered[o.key] = true
		t.Run(o.key, func(t *testing.T) {
			// GIVEN this setting (and what it needs) WHEN the configuration is built
			base, err := ConfigFromContext(o.with)
			if err != nil {
				t.Fatal(err)
			}
			ctx := map[string]any{o.key: o.value}
			for k, v := range o.with {
				ctx[k] = v
			}
			got, err := ConfigFromContext(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// THEN it is the base with exactly this field changed
			want := base
			o.change(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if cmp.Equal(got, base) {
				t.Errorf("override %v equals the base: the test proves nothing", o.value)
			}
		})
	}
	for _, key := range settingKeys() {
		if !covered[key] {
			t.Errorf("setting %s has no override case", key)
		}
	}
}

// problemsOf returns the problem lines for a context that must be refused.
func problemsOf(t *testing.T, ctx map[string]any) []string {
	t.Helper()
	_, err := FromContext(ctx)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("context %s: want a *Error, got %v", echo(ctx), err)
	}
	if !strings.Contains(err.Error(), "nothing was synthesized") {
		t.Errorf("message does not say that nothing was written: %v", err)
	}
	var lines []string
	for _, p := range ce.Problems {
		lines = append(lines, p.String())
	}
	return lines
}

func TestAcceptedValueForms(t *testing.T) {
	cases := []struct {
		name  string
		ctx   map[string]any
		check func(Config) bool
	}{
		{"a whole number written 2.0 (the cdktf CLI passes it on as 2)", map[string]any{"shardCount": 2.0}, func(c Config) bool { return c.ShardCount == 2 }},
		{"fractional threshold", map[string]any{"alarmThreshold": 0.5}, func(c Config) bool { return c.AlarmThreshold == 0.5 }},
		{"negative threshold", map[string]any{"alarmThreshold": -1}, func(c Config) bool { return c.AlarmThreshold == -1 }},
		{"ALL stands for the seven metrics", map[string]any{"shardLevelMetrics": []any{"ALL"}}, func(c Config) bool { return cmp.Equal(c.ShardLevelMetrics, kinesis.ShardLevelMetrics) }},
		{"empty list turns enhanced monitoring off", map[string]any{"shardLevelMetrics": []any{}}, func(c Config) bool {
			return c.ShardLevelMetrics != nil && len(c.ShardLevelMetrics) == 0
		}},
		{"KMS key id", map[string]any{"kmsKeyId": "0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"}, func(c Config) bool { return c.KMSKeyID == "0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f" }},
		{"multi-Region KMS key id", map[string]any{"kmsKeyId": "mrk-1234abcd12ab34cd56ef1234567890ab"}, func(c Config) bool { return strings.HasPrefix(c.KMSKeyID, "mrk-") }},
		{"KMS key ARN", map[string]any{"kmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/0f4a9c2e-7b1d-4c3e-9a5f-6d8e2b1c4a7f"}, func(c Config) bool { return strings.HasPrefix(c.KMSKeyID, "arn:aws:kms:") }},
		{"KMS alias ARN in GovCloud", map[string]any{"region": "us-gov-west-1", "kmsKeyId": "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/streams"}, func(c Config) bool { return strings.HasSuffix(c.KMSKeyID, "alias/streams") }},
		{"GovCloud region", map[string]any{"region": "us-gov-west-1"}, func(c Config) bool { return c.Region == "us-gov-west-1" }},
		{"empty description", map[string]any{"alarmDescription": ""}, func(c Config) bool { return c.AlarmDescription == "" }},
		{"cdktf's own context keys are not settings", map[string]any{"cdktfRelativeModules": []any{}, "cdktfVersion": "0.20.12", "@acme/flag": true}, func(c Config) bool {
			return cmp.Equal(c, Default())
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ConfigFromContext(c.ctx)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.check(cfg) {
				t.Errorf("context %s gave %+v", render(c.ctx), cfg)
			}
		})
	}
}

func TestBadConfigurationsAreRefusedWithTheirMessage(t *testing.T) {
	cases := []struct {
		name string
		ctx  map[string]any
		want string // the whole message line: setting, value, reason, what is allowed
	}{
		{"empty stream name", map[string]any{"streamName": ""}, `streamName: "" is not allowed; allowed: 1-128 characters from a-z A-Z 0-9 _ . -`},
		{"stream name with a space", map[string]any{"streamName": "my stream"}, `streamName: "my stream" is not allowed`},
		{"stream name with a slash", map[string]any{"streamName": "a/b"}, `streamName: "a/b" is not allowed`},
		{"stream name not a string", map[string]any{"streamName": 5}, `streamName: 5 is not a string`},
		{"negative shards", map[string]any{"shardCount": -2}, `shardCount: -2 is out of range`},
		{"fractional shards", map[string]any{"shardCount": 1.5}, `shardCount: 1.5 is not a whole number`},
		{"shards as a string", map[string]any{"shardCount": "2"}, `shardCount: "2" is not a number (write 2 without quotes); allowed: a whole number from 1 to 10000`},
		{"shards as a boolean", map[string]any{"shardCount": true}, `shardCount: true is not a number`},
		{"shards beyond any integer", map[string]any{"shardCount": 1e20}, `shardCount: 100000000000000000000 is out of range`},
		{"shards null", map[string]any{"shardCount": nil}, `shardCount: null is null; leave the setting out to keep its default`},
		{"unknown metric", map[string]any{"shardLevelMetrics": []any{"IncomingBytes", "IncomingBites"}}, `shardLevelMetrics: ["IncomingBytes","IncomingBites"] names "IncomingBites", which is not a shard-level metric; allowed: a list without duplicates of IncomingBytes, IncomingRecords, OutgoingBytes`},
		{"duplicate metric", map[string]any{"shardLevelMetrics": []any{"IncomingBytes", "IncomingBytes"}}, `names "IncomingBytes" twice`},
		{"ALL with another metric", map[string]any{"shardLevelMetrics": []any{"ALL", "IncomingBytes"}}, `combines "ALL" with other names`},
		{"metrics as one string", map[string]any{"shardLevelMetrics": "IncomingBytes,OutgoingBytes"}, `shardLevelMetrics: "IncomingBytes,OutgoingBytes" is not a list of strings`},
		{"metric list with a number", map[string]any{"shardLevelMetrics": []any{"IncomingBytes", 3}}, `is not a list of strings`},
		{"encryption as a string", map[string]any{"encryption": "false"}, `encryption: "false" is not true or false (write false without quotes); allowed: true or false`},
		{"encryption as 1", map[string]any{"encryption": 1}, `encryption: 1 is not true or false`},
		{"KMS key as a name", map[string]any{"kmsKeyId": "my-key"}, `kmsKeyId: "my-key" is not allowed; allowed: a KMS key alias (alias/…), key id, or key or alias ARN`},
		{"KMS ARN of another service", map[string]any{"kmsKeyId": "arn:aws:s3:::bucket"}, `kmsKeyId: "arn:aws:s3:::bucket" is not allowed`},
		{"KMS key while encryption is off", map[string]any{"encryption": false, "kmsKeyId": "alias/orders"}, `kmsKeyId: "alias/orders" is set while encryption is false`},
		{"region with capitals", map[string]any{"region": "US-EAST-1"}, `region: "US-EAST-1" is not a region hashicorp/aws 5.100 knows`},
		{"region without number", map[string]any{"region": "us-east"}, `region: "us-east" is not a region`},
		{"alarm name with a newline", map[string]any{"alarmName": "a\nb"}, `alarmName: "a\nb" is not allowed`},
		{"threshold as a string", map[string]any{"alarmThreshold": "one"}, `alarmThreshold: "one" is not a number (write one without quotes); allowed: a number`},
		{"anomaly-band operator", map[string]any{"alarmComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"}, `alarmComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" is not allowed; allowed: one of GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold`},
		{"percentile statistic", map[string]any{"alarmStatistic": "p99"}, `alarmStatistic: "p99" is not allowed; allowed: one of SampleCount, Average, Sum, Minimum, Maximum`},
		{"statistic in lower case", map[string]any{"alarmStatistic": "sum"}, `alarmStatistic: "sum" is not allowed`},
		{"period 90", map[string]any{"alarmPeriod": 90}, `alarmPeriod: 90 is not allowed`},
		{"period zero", map[string]any{"alarmPeriod": 0}, `alarmPeriod: 0 is not allowed`},
		{"period negative minute", map[string]any{"alarmPeriod": -60}, `alarmPeriod: -60 is not allowed`},
		{"zero evaluation periods", map[string]any{"alarmEvaluationPeriods": 0}, `alarmEvaluationPeriods: 0 is out of range; allowed: a whole number from 1 up to 1 day`},
		{"missing data in another case", map[string]any{"alarmTreatMissingData": "NotBreaching"}, `alarmTreatMissingData: "NotBreaching" is not allowed; allowed: one of missing, ignore, breaching, notBreaching`},
		{"misspelt setting", map[string]any{"shardCont": 2}, `shardCont: 2 is not a setting of this app; did you mean shardCount?; allowed: one of region, streamName, streamMode, shardCount`},
		{"a setting in another case", map[string]any{"ShardCount": 2}, `ShardCount: 2 is not a setting of this app; did you mean shardCount?`},
		{"no setting at all", map[string]any{"owner": "ops"}, `owner: "ops" is not a setting of this app; allowed: one of region`},
		{"e-mail without domain", map[string]any{"alarmEmails": []any{"ops@"}}, `alarmEmails: ["ops@"] has "ops@", which is not an e-mail address; allowed: a list of e-mail addresses`},
		{"e-mail twice", map[string]any{"alarmEmails": []any{"ops@example.com", "OPS@example.com"}}, `names "OPS@example.com" twice`},
		{"e-mails as one string", map[string]any{"alarmEmails": "ops@example.com"}, `alarmEmails: "ops@example.com" is not a list of strings`},
		{"topic ARN of another service", map[string]any{"alarmTopicArn": "arn:aws:sqs:us-east-1:111122223333:q"}, `alarmTopicArn: "arn:aws:sqs:us-east-1:111122223333:q" is not allowed; allowed: the ARN of an existing standard SNS topic`},
		{"FIFO topic", map[string]any{"alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:alerts.fifo"}, `alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:alerts.fifo" is not allowed`},
		{"topic in another region", map[string]any{"alarmTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops"}, `alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:ops" is in region eu-west-1, the alarms in us-east-1; allowed: a topic in the stack's region`},
		{"topic and e-mails together", map[string]any{"alarmEmails": []any{"ops@example.com"}, "alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:ops"}, `alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:ops" is set together with alarmEmails`},
		{"insufficient data without routing", map[string]any{"alarmOnInsufficientData": true}, `alarmOnInsufficientData: true is true but no alarm routing is configured; allowed: set alarmEmails or alarmTopicArn too`},
		{"recommended alarms as yes", map[string]any{"recommendedAlarms": "yes"}, `recommendedAlarms: "yes" is not true, false or an object of thresholds`},
		{"tags as a list", map[string]any{"tags": []any{"team"}}, `tags: ["team"] is not an object of strings`},
		{"tag with the aws: prefix", map[string]any{"tags": map[string]any{"aws:team": "x"}}, `has the key "aws:team"; the aws: prefix is reserved`},
		{"tag value a number", map[string]any{"tags": map[string]any{"cost-center": 42}}, `has a value for "cost-center" that is not a string`},
		{"tag key with a quote", map[string]any{"tags": map[string]any{"te\"am": "x"}}, `which is not a valid tag key`},
		{"bucket with capitals", map[string]any{"stateBucket": "My_Bucket"}, `stateBucket: "My_Bucket" is not allowed; allowed: an S3 bucket name`},
		{"bucket shaped like an IP address", map[string]any{"stateBucket": "192.168.1.10"}, `stateBucket: "192.168.1.10" is not allowed`},
		{"state key without bucket", map[string]any{"stateKey": "a/b.tfstate"}, `stateKey: "a/b.tfstate" is set without stateBucket; allowed: set stateBucket`},
		{"state key with a leading slash", map[string]any{"stateBucket": "xfusion-tfstate", "stateKey": "/a.tfstate"}, `stateKey: "/a.tfstate" is not allowed`},
		{"state region malformed", map[string]any{"stateBucket": "xfusion-tfstate", "stateRegion": "useast1"}, `stateRegion: "useast1" is not a region`},
		{"state KMS key as an alias name", map[string]any{"stateBucket": "xfusion-tfstate", "stateKmsKeyId": "alias/state"}, `stateKmsKeyId: "alias/state" is not allowed; allowed: a KMS key or alias ARN`},
		{"state KMS key id that is no RFC 4122 UUID (Terraform's S3 backend)", map[string]any{"stateBucket": "xfusion-tfstate", "stateKmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, `stateKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" is not allowed`},
		{"a value of a megabyte is echoed in short", map[string]any{"alarmDescription": strings.Repeat("x", 1<<20)}, `alarmDescription: "` + strings.Repeat("x", 78) + `… is not allowed`},
		{"an alarm name a recommended alarm has too", map[string]any{"recommendedAlarms": true, "alarmName": "xfusion-kinesis-stream-iterator-age"},
			`alarmName: "xfusion-kinesis-stream-iterator-age" gives two alarms the name "xfusion-kinesis-stream-iterator-age" in us-east-1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN one bad setting WHEN the configuration is built
			// THEN exactly one problem is reported, with the expected message
			got := problemsOf(t, c.ctx)
			if len(got) != 1 || !strings.Contains(got[0], c.want) {
				t.Errorf("problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), c.want)
			}
			for _, line := range got {
				if len(line) > 1000 {
					t.Errorf("a message of %d characters", len(line))
				}
			}
		})
	}

	t.Run("all at once", func(t *testing.T) {
		// GIVEN every bad setting of the table with a distinct key
		ctx, keys := map[string]any{}, map[string]bool{}
		for _, c := range cases {
			for k, v := range c.ctx {
				// encryption would turn kmsKeyId's problem into another; with
				// the (bad) e-mails and bucket set, alarmOnInsufficientData and
				// stateKey are fine.
				if _, dup := ctx[k]; !dup && k != "encryption" && k != "recommendedAlarms" {
					ctx[k], keys[k] = v, true
				}
			}
		}
		// WHEN built THEN one problem per bad key, sorted by key
		_, err := ConfigFromContext(ctx)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("want a *Error, got %v", err)
		}
		var got []string
		for _, p := range ce.Problems {
			if len(got) == 0 || got[len(got)-1] != p.Key {
				got = append(got, p.Key)
			}
		}
		delete(keys, "alarmOnInsufficientData")
		delete(keys, "stateKey")
		want := slices.Sorted(maps.Keys(keys))
		if !sort.StringsAreSorted(got) || !cmp.Equal(got, want) {
			t.Errorf("problems for %v, want %v", got, want)
		}
	})
}

func TestLoadContext(t *testing.T) {
	write := func(t *testing.T, dir, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("from the cdktf CLI", func(t *testing.T) {
		t.Chdir(t.TempDir())
		t.Setenv(contextEnvironmentVar, `{"shardCount": 2, "cdktfRelativeModules": []}`)
		ctx, err := LoadContext()
		if err != nil || ctx["shardCount"] != 2.0 {
			t.Errorf("got %v, %v", ctx, err)
		}
	})
	t.Run("broken CDKTF_CONTEXT_JSON", func(t *testing.T) {
		t.Chdir(t.TempDir())
		t.Setenv(contextEnvironmentVar, `{"shardCount": `)
		if _, err := LoadContext(); err == nil || !strings.Contains(err.Error(), contextEnvironmentVar) {
			t.Errorf("want an error naming %s, got %v", contextEnvironmentVar, err)
		}
	})
	t.Run("run on its own: cdktf.json of the working directory", func(t *testing.T) {
		t.Setenv(contextEnvironmentVar, "")
		dir := t.TempDir()
		t.Chdir(dir)
		for file, want := range map[string]map[string]any{
			`{"app": "go run .", "context": {"streamName": "s1", "shardCount": 2.0}}`: {"streamName": "s1", "shardCount": 2.0},
			`{"app": "go run ."}`: {},
		} {
			write(t, dir, file)
			ctx, err := LoadContext()
			if err != nil || !cmp.Equal(ctx, want) {
				t.Errorf("cdktf.json %s: got %v, %v; want %v", file, ctx, err, want)
			}
		}
		os.Remove(filepath.Join(dir, "cdktf.json"))
		if ctx, err := LoadContext(); err != nil || len(ctx) != 0 {
			t.Errorf("no cdktf.json: got %v, %v", ctx, err)
		}
	})
	// The CLI turns these into an object of its own keys, or {"0": …}: the
	// app reads cdktf.json itself and refuses them with one message, with or
	// without the CLI.
	for context, kind := range map[string]string{
		`[]`: `a list ([])`, `null`: `null`, `"shardCount=2"`: `a string ("shardCount=2")`,
		`[{"shardCount": 2}]`: `a list ([{"shardCount":2}])`, `2`: `a number (2)`,
	} {
		for _, underCLI := range []bool{false, true} {
			t.Run(fmt.Sprintf("context %s, under the CLI %v", context, underCLI), func(t *testing.T) {
				dir := t.TempDir()
				t.Chdir(dir)
				write(t, dir, `{"app": "go run .", "context": `+context+`}`)
				t.Setenv(contextEnvironmentVar, "")
				if underCLI {
					t.Setenv(contextEnvironmentVar, `{"cdktfRelativeModules": [], "0": "s"}`)
				}
				_, err := LoadContext()
				want := `cdktf.json "context" is ` + kind + `, not an object of settings`
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want an error containing %q", err, want)
				}
			})
		}
	}
}

// The project's own cdktf.json must synthesize exactly the specification.
func TestProjectContextIsTheSpecification(t *testing.T) {
	data, err := os.ReadFile("../cdktf.json")
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &project); err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFromContext(project.Context)
	if err != nil || !cmp.Equal(cfg, Default()) {
		t.Errorf("cdktf.json context %v does not give the specification: %v", project.Context, err)
	}
	if project.App != "go run ." {
		t.Errorf("cdktf.json app %q, want \"go run .\"", project.App)
	}
}

// ConfigFromContext is ConfigsFromContext for a context without
// environments: the tests' shorthand.
func ConfigFromContext(ctx map[string]any) (Config, error) {
	configs, err := FromContext(ctx)
	if err != nil {
		return Config{}, err
	}
	if len(configs) != 1 {
		return Config{}, fmt.Errorf("the context defines %d environments; want a single configuration", len(configs))
	}
	return configs[0], nil
}

// The state's checks return to validate: a check after them (the tags')
// runs whether the state is local or in S3, with or without a state problem.
func TestChecksAfterTheStateRunForEveryState(t *testing.T) {
	const tagProblem = `tags: {"aws:team":"x"} has the key "aws:team"; the aws: prefix is reserved`
	badTag := map[string]any{"tags": map[string]any{"aws:team": "x"}}
	for name, c := range map[string]struct {
		state map[string]any
		want  []string // besides the tag's problem
	}{
		"local state":                    {nil, nil},
		"local state, a state key set":   {map[string]any{"stateKey": "a.tfstate"}, []string{`stateKey: "a.tfstate" is set without stateBucket`}},
		"S3 state":                       {map[string]any{"stateBucket": "xfusion-tfstate"}, nil},
		"S3 state with a bad key":        {map[string]any{"stateBucket": "xfusion-tfstate", "stateKey": "/a"}, []string{`stateKey: "/a" is not allowed`}},
		"local state, stateBucket empty": {map[string]any{"stateBucket": ""}, []string{`stateBucket: "" is not allowed`}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := maps.Clone(badTag)
			maps.Copy(ctx, c.state)
			got := problemsOf(t, ctx)
			want := append(slices.Clone(c.want), tagProblem)
			if len(got) != len(want) {
				t.Fatalf("problems\n  %s\nwant %d", strings.Join(got, "\n  "), len(want))
			}
			for _, w := range want {
				if !slices.ContainsFunc(got, func(line string) bool { return strings.Contains(line, w) }) {
					t.Errorf("problems\n  %s\nwant one containing\n  %s", strings.Join(got, "\n  "), w)
				}
			}
		})
	}
}
