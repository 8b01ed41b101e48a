// Package config is the app's configuration: the settings of cdktf.json
// "context" decoded into a typed Config, its defaults (the specification),
// one validation pass against what AWS, the provider and Terraform accept,
// and environments. It imports neither jsii nor cdktf: the stack, the
// backtest and the tests read the same Config.
package config

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// Config is one deployment of the stack. Each field is one setting: its JSON
// name is the key in cdktf.json "context" (or in one of its environments),
// "allowed" says what the app accepts (the messages and docs/configuration.md
// quote it), and "default" describes a default that is not simply the field's
// value in Default. Default is the specification. A tag enum names the list
// of values (enums) the setting takes; "{enum}" in its allowed text lists them.
type Config struct {
	Region                  string            `json:"region" allowed:"an AWS region that hashicorp/aws 5.100 knows, such as us-east-1 or eu-west-2 (docs/environments-and-limits.md, Limits)"`
	StreamName              string            `json:"streamName" allowed:"1-128 characters from a-z A-Z 0-9 _ . -"`
	StreamMode              string            `json:"streamMode" enum:"streamModes" allowed:"one of {enum}: a fixed number of shards, or shards AWS adds as the traffic grows (no shardCount)"`
	ShardCount              int               `json:"shardCount" allowed:"a whole number from 1 to 10000 (Kinesis's default per-stream limit); PROVISIONED only"`
	ExternalShardScaling    bool              `json:"externalShardScaling" allowed:"true or false; true: Terraform ignores shard-count changes an autoscaler makes (lifecycle ignore_changes), shardCount is only the first count; PROVISIONED only"`
	RetentionHours          int               `json:"retentionHours" allowed:"a whole number of hours from 24 to 8760"`
	ShardLevelMetrics       []string          `json:"shardLevelMetrics" enum:"shardLevelMetrics" allowed:"a list without duplicates of {enum}; or [\"ALL\"]; [] turns enhanced monitoring off"`
	Encryption              bool              `json:"encryption" allowed:"true or false"`
	KMSKeyID                string            `json:"kmsKeyId" allowed:"a KMS key alias (alias/…), key id, or key or alias ARN; only with encryption true"`
	AlarmName               string            `json:"alarmName" allowed:"1-255 characters, no control characters"`
	AlarmDescription        string            `json:"alarmDescription" allowed:"0-1024 characters, no control characters"`
	AlarmThreshold          float64           `json:"alarmThreshold" allowed:"a number"`
	AlarmComparisonOperator alarms.Comparison `json:"alarmComparisonOperator" enum:"comparisonOperators" allowed:"one of {enum}"`
	AlarmStatistic          string            `json:"alarmStatistic" enum:"statistics" allowed:"one of {enum}"`
	AlarmPeriod             int               `json:"alarmPeriod" allowed:"10, 20, 30 or a multiple of 60 (seconds); with alarmEvaluationPeriods at most 1 day in all (7 days for periods of an hour or more)"`
	AlarmEvaluationPeriods  int               `json:"alarmEvaluationPeriods" allowed:"a whole number from 1 up to 1 day (7 days for periods of an hour or more) divided by alarmPeriod"`
	AlarmDatapointsToAlarm  int               `json:"alarmDatapointsToAlarm" allowed:"a whole number from 1 to alarmEvaluationPeriods: the alarm fires when that many of the evaluation periods breach (M of N)" default:"none (every evaluation period must breach)"`
	AlarmTreatMissingData   string            `json:"alarmTreatMissingData" enum:"missingData" allowed:"one of {enum}"`

	// Production posture; all off by default except Protect.
	Protect                 bool              `json:"protect" allowed:"true or false; false lets Terraform delete or replace the stream"`
	AlarmEmails             []string          `json:"alarmEmails" allowed:"a list of e-mail addresses without duplicates" default:"none"`
	AlarmTopicARN           string            `json:"alarmTopicArn" allowed:"the ARN of an existing standard SNS topic in the stack's region (arn:aws:sns:<region>:<account>:<name>)" default:"none"`
	AlarmOnInsufficientData bool              `json:"alarmOnInsufficientData" allowed:"true or false; true needs alarmEmails or alarmTopicArn"`
	AlertTopicEncryption    bool              `json:"alertTopicEncryption" allowed:"true or false; false leaves the alert topic of alarmEmails unencrypted and saves its KMS key (about $1 a month)"`
	AlertTopicKMSKeyID      string            `json:"alertTopicKmsKeyId" allowed:"the ARN of a KMS key or alias in the stack's region whose key policy lets cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*); needs alarmEmails" default:"none (a key the stack creates, with rotation)"`
	RecommendedAlarms       RecommendedAlarms `json:"recommendedAlarms" enum:"thresholdKeys" allowed:"true, false, or an object of thresholds that turns the set on with them: {enum} (docs/production.md, Recommended alarms)"`
	Dashboard               bool              `json:"dashboard" allowed:"true or false"`
	Tags                    map[string]string `json:"tags" allowed:"an object of up to 50 tags, {\"key\": \"value\"}: keys 1-128 and values 0-256 characters of letters, digits, spaces and _ . : / = + - @; keys not starting with aws:" default:"none"`
	StateBucket             string            `json:"stateBucket" allowed:"an S3 bucket name: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit" default:"none (local state)"`
	StateKey                string            `json:"stateKey" allowed:"an S3 object key of 1-1017 bytes (1024 with the lock file's .tflock), not starting or ending with / and without //; needs stateBucket" default:"kinesis-monitoring/terraform.tfstate (with environments: kinesis-monitoring/<name>/terraform.tfstate)"`
	StateRegion             string            `json:"stateRegion" allowed:"an AWS region, as for region; needs stateBucket" default:"the region setting"`
	AdoptExisting           Adoption          `json:"adoptExisting" enum:"adoptableKinds" allowed:"false, true (every resource the stack names for its own stream: the stream, its alarms, the SNS topic, the dashboard; never the alarms and dashboards of watchStreams and watchAllStreams, which a deploy takes over without an import), or a list of {enum} to import instead of creating (docs/troubleshooting.md)"`
	StateKMSKeyID           string            `json:"stateKmsKeyId" allowed:"a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>; Terraform's S3 backend takes key ids that are RFC 4122 UUIDs or mrk- ids) for the state object; needs stateBucket" default:"none (SSE-S3)"`

	// The streaming estate: streams the stack watches, owned elsewhere.
	CreateStream    bool         `json:"createStream" allowed:"true or false; false makes a watch-only stack that owns no stream (then watchStreams names at least one or watchAllStreams is on, and the own stream's settings stay out)"`
	WatchStreams    WatchStreams `json:"watchStreams" enum:"watchKeys" allowed:"an object whose keys are the names of existing streams in the stack's region, each with an object of the settings that differ for it: {enum}; the top-level values apply where it sets none, except consumers (docs/watching-an-estate.md)" default:"none"`
	WatchAllStreams WatchAll     `json:"watchAllStreams" enum:"watchAllKeys" allowed:"false, true (one Metrics Insights query alarm per kind watches every stream of the stack's region, present and future, each stream a contributor), or an object of {enum}: {\"exclude\": [<stream names>]} leaves streams out, {\"consumers\": true} (or an object of thresholds, as for consumers) adds the consumer alarms over every enhanced fan-out consumer (docs/watching-an-estate.md)" default:"false"`
	Consumers       Consumers    `json:"consumers" enum:"consumerKeys" allowed:"the enhanced fan-out consumers of the stream, each with three alarms: a list of consumer names (1-128 characters of a-z A-Z 0-9 _ . -), or an object of names, each with an object of thresholds: {enum} (docs/watching-an-estate.md)" default:"none"`

	// Environment is the name of the environment this configuration belongs
	// to, or "" for the single stack without environments. Not a setting.
	Environment string `json:"-"`
	// Watched are the streams of WatchStreams, each with the configuration
	// that applies to it, by name. Not a setting.
	Watched []Watched `json:"-"`
}

// Default returns the specification: what a synth without overrides builds.
func Default() Config {
	return Config{
		Region:         "us-east-1",
		StreamName:     "xfusion-kinesis-stream",
		StreamMode:     Provisioned,
		ShardCount:     1,
		RetentionHours: 24,
		ShardLevelMetrics: []string{
			"IncomingBytes",
			"IncomingRecords",
			"WriteProvisionedThroughputExceeded",
			"ReadProvisionedThroughputExceeded",
		},
		Encryption:              true,
		KMSKeyID:                "alias/aws/kinesis",
		AlarmName:               "xfusion-kinesis-alarm",
		AlarmDescription:        "Triggers when write throughput exceeds provisioned limit",
		AlarmThreshold:          1,
		AlarmComparisonOperator: alarms.GreaterThanThreshold,
		AlarmStatistic:          "Sum",
		AlarmPeriod:             60,
		AlarmEvaluationPeriods:  1,
		AlarmTreatMissingData:   "notBreaching",
		Protect:                 true,
		AlertTopicEncryption:    true,
		StateKey:                StackID + "/terraform.tfstate",
		CreateStream:            true,
	}
}

// The capacity modes of a stream.
const (
	Provisioned = "PROVISIONED"
	OnDemand    = "ON_DEMAND"
)

// enums are the lists of values that settings take, by the name a field's
// enum tag gives: the validation checks against them, and the allowed texts
// list them.
var enums = map[string][]string{
	"streamModes":         {Provisioned, OnDemand},
	"shardLevelMetrics":   kinesis.ShardLevelMetrics,
	"comparisonOperators": alarms.Names(alarms.ComparisonOperators),
	"statistics":          alarms.Statistics,
	"missingData":         alarms.MissingDataTreatments,
	"thresholdKeys":       alarms.Keys(),
	"adoptableKinds":      AdoptableKinds,
	"watchKeys":           watchKeys,
	"consumerKeys":        alarms.ConsumerKeys(),
	"watchAllKeys":        watchAllKeys,
}

// regions are the regions hashicorp/aws 5.100.0 accepts: it refuses others
// at plan time ("invalid AWS Region") unless skip_region_validation is set.
// Every name of the form <area>-<direction>-<n> in the provider was planned
// with it; these 44 passed (the aws, aws-cn, aws-us-gov, ISO and European
// Sovereign Cloud partitions).
var regions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isof-east-1", "us-isof-south-1", "eu-isoe-west-1",
	"eusc-de-east-1",
}

// AWS limits the settings are checked against (docs/environments-and-limits.md, Limits).
const (
	maxShardCount        = 10000                 // UpdateShardCount: default per-stream limit
	minRetentionHours    = 24                    // CreateStream default; DecreaseStreamRetentionPeriod minimum
	maxRetentionHours    = 8760                  // IncreaseStreamRetentionPeriod maximum (365 days)
	maxAlarmNameLength   = 255                   // PutMetricAlarm AlarmName
	maxDescriptionLength = 1024                  // PutMetricAlarm AlarmDescription
	maxEvaluationShort   = 86400                 // PutMetricAlarm: period × evaluation periods, periods under an hour
	maxEvaluationLong    = 604800                // … and for periods of an hour or more
	maxTags              = 50                    // tags per resource (Kinesis, SNS, CloudWatch)
	maxTagKeyLength      = 128                   // characters
	maxTagValueLength    = 256                   // characters
	maxStateKeyBytes     = 1024 - len(".tflock") // S3 object keys are at most 1024 bytes; the lock object adds .tflock
)

var (
	emailPattern      = regexp.MustCompile(`^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
	bucketPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipAddressPattern  = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	tagPattern        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
)

// validate checks every setting of c against what AWS, the provider and
// Terraform accept, alone and together, and reports each problem to v.
func (c Config) validate(v *validation) {
	v.cfg = c
	v.checkEnums()
	v.check("region", slices.Contains(regions, c.Region), "is not a region hashicorp/aws 5.100 knows")
	v.check("streamName", streamNamePattern.MatchString(c.StreamName), "is not allowed")
	v.check("shardCount", c.ShardCount >= 1 && c.ShardCount <= maxShardCount, "is out of range")
	if c.StreamMode == OnDemand {
		if v.set("shardCount") {
			v.badAllowed("shardCount", "is set while streamMode is ON_DEMAND",
				"leave shardCount out for an on-demand stream (AWS sets its shards), or use streamMode PROVISIONED")
		}
		if c.ExternalShardScaling {
			v.badAllowed("externalShardScaling", "is true while streamMode is ON_DEMAND",
				"leave externalShardScaling out for an on-demand stream: AWS scales it, nothing else does")
		}
	}
	v.check("retentionHours", c.RetentionHours >= minRetentionHours && c.RetentionHours <= maxRetentionHours, "is out of range")
	seen := map[string]bool{}
	for _, name := range c.ShardLevelMetrics {
		switch {
		case name == "ALL" && len(c.ShardLevelMetrics) > 1:
			v.bad("shardLevelMetrics", `combines "ALL" with other names`)
		case name == "ALL":
		case !slices.Contains(enums["shardLevelMetrics"], name):
			v.bad("shardLevelMetrics", fmt.Sprintf("names %q, which is not a shard-level metric", name))
		case seen[name]:
			v.bad("shardLevelMetrics", fmt.Sprintf("names %q twice", name))
		}
		seen[name] = true
	}
	v.check("kmsKeyId", kmsKeyReference(c.KMSKeyID), "is not allowed")
	if v.set("kmsKeyId") && !c.Encryption {
		v.badAllowed("kmsKeyId", "is set while encryption is false",
			"leave kmsKeyId out when encryption is false, or set encryption to true")
	}
	v.check("alarmName", c.AlarmName != "" && utf8.RuneCountInString(c.AlarmName) <= maxAlarmNameLength && noControlCharacters(c.AlarmName), "is not allowed")
	v.check("alarmDescription", utf8.RuneCountInString(c.AlarmDescription) <= maxDescriptionLength && noControlCharacters(c.AlarmDescription), "is not allowed")
	v.check("alarmThreshold", !math.IsNaN(c.AlarmThreshold) && !math.IsInf(c.AlarmThreshold, 0), "is not finite")
	periodOK := c.AlarmPeriod == 10 || c.AlarmPeriod == 20 || c.AlarmPeriod == 30 || (c.AlarmPeriod > 0 && c.AlarmPeriod%60 == 0)
	v.check("alarmPeriod", periodOK && c.AlarmPeriod <= maxEvaluationLong, "is not allowed")
	v.check("alarmEvaluationPeriods", c.AlarmEvaluationPeriods >= 1, "is out of range")
	if v.set("alarmDatapointsToAlarm") {
		v.check("alarmDatapointsToAlarm", c.AlarmDatapointsToAlarm >= 1 && c.AlarmDatapointsToAlarm <= c.AlarmEvaluationPeriods,
			fmt.Sprintf("is out of range with alarmEvaluationPeriods %d", c.AlarmEvaluationPeriods))
	}
	if periodOK && c.AlarmPeriod <= maxEvaluationLong && c.AlarmEvaluationPeriods >= 1 {
		limit, span := maxEvaluationShort, "1 day"
		if c.AlarmPeriod >= 3600 {
			limit, span = maxEvaluationLong, "7 days"
		}
		if total := c.AlarmPeriod * c.AlarmEvaluationPeriods; total > limit {
			v.badAllowed("alarmEvaluationPeriods", fmt.Sprintf("× alarmPeriod %d s is %d s, more than %s", c.AlarmPeriod, total, span),
				fmt.Sprintf("at most %d evaluation periods of %d s (CloudWatch evaluates at most %s: %d s)", limit/c.AlarmPeriod, c.AlarmPeriod, span, limit))
		}
	}

	// Production posture.
	c.validateRecommended(v)
	seen = map[string]bool{}
	for _, e := range c.AlarmEmails {
		switch {
		case !emailPattern.MatchString(e):
			v.bad("alarmEmails", fmt.Sprintf("has %q, which is not an e-mail address", clip(e, maxEchoLength)))
		case seen[strings.ToLower(e)]:
			v.bad("alarmEmails", fmt.Sprintf("names %q twice", clip(e, maxEchoLength)))
		}
		seen[strings.ToLower(e)] = true
	}
	if c.AlarmTopicARN != "" || v.set("alarmTopicArn") {
		region, ok := topicARN(c.AlarmTopicARN)
		v.check("alarmTopicArn", ok, "is not allowed")
		if ok && region != c.Region {
			v.badAllowed("alarmTopicArn", "is in region "+region+", the alarms in "+c.Region,
				"a topic in the stack's region: CloudWatch alarms notify topics of their own region only")
		}
	}
	if len(c.AlarmEmails) > 0 && c.AlarmTopicARN != "" {
		v.badAllowed("alarmTopicArn", "is set together with alarmEmails",
			"either alarmEmails (a new topic) or alarmTopicArn (an existing topic), not both")
	}
	if v.set("alertTopicKmsKeyId") || v.set("alertTopicEncryption") {
		switch {
		case len(c.AlarmEmails) == 0:
			for _, key := range []string{"alertTopicKmsKeyId", "alertTopicEncryption"} {
				if v.set(key) {
					v.badAllowed(key, "is set but the stack creates no alert topic", "set alarmEmails (a topic of the stack's), or leave "+key+" out; an existing topic (alarmTopicArn) keeps its own encryption")
				}
			}
		case c.AlertTopicKMSKeyID != "" && !c.AlertTopicEncryption:
			v.badAllowed("alertTopicKmsKeyId", "is set while alertTopicEncryption is false", "leave alertTopicKmsKeyId out, or set alertTopicEncryption to true")
		case c.AlertTopicKMSKeyID != "":
			region, ok := kmsARN(c.AlertTopicKMSKeyID, keyIDPattern)
			v.check("alertTopicKmsKeyId", ok, "is not allowed")
			if ok && region != c.Region {
				v.badAllowed("alertTopicKmsKeyId", "is in region "+region+", the alert topic in "+c.Region,
					"a key in the stack's region: SNS encrypts a topic only with a KMS key of the topic's own region")
			}
		}
	}
	c.validateAdoption(v)
	c.validateWatchAll(v)
	if c.CreateStream {
		c.validateConsumerNames(v, c.StreamName)
	}
	if c.AlarmOnInsufficientData && len(c.AlarmEmails) == 0 && c.AlarmTopicARN == "" {
		v.badAllowed("alarmOnInsufficientData", "is true but no alarm routing is configured",
			"set alarmEmails or alarmTopicArn too, or leave alarmOnInsufficientData out")
	}
	c.validateState(v)
	if len(c.Tags) > maxTags {
		v.bad("tags", fmt.Sprintf("has %d tags", len(c.Tags)))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		value := c.Tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyLength || !tagPattern.MatchString(k):
			v.bad("tags", fmt.Sprintf("has the key %q, which is not a valid tag key", clip(k, maxEchoLength)))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			v.bad("tags", fmt.Sprintf("has the key %q; the aws: prefix is reserved", clip(k, maxEchoLength)))
		case utf8.RuneCountInString(value) > maxTagValueLength || !tagPattern.MatchString(value):
			v.bad("tags", fmt.Sprintf("has a value for %q that is not a valid tag value", clip(k, maxEchoLength)))
		}
	}
}

// validateState checks the settings of the state: without stateBucket the
// state is local and the other state settings are refused; with it, each is
// checked as Terraform's S3 backend takes it. It returns to validate, so the
// checks after it run for local state too.
func (c Config) validateState(v *validation) {
	if c.StateBucket == "" {
		v.check("stateBucket", !v.set("stateBucket"), "is not allowed")
		for _, key := range []string{"stateKey", "stateRegion", "stateKmsKeyId"} {
			if v.set(key) {
				v.badAllowed(key, "is set without stateBucket", "set stateBucket to keep the state in S3, or leave "+key+" out")
			}
		}
		return
	}
	v.check("stateBucket", bucketPattern.MatchString(c.StateBucket) && !strings.Contains(c.StateBucket, "..") &&
		!ipAddressPattern.MatchString(c.StateBucket), "is not allowed")
	v.check("stateKey", c.StateKey != "" && len(c.StateKey) <= maxStateKeyBytes && !strings.HasPrefix(c.StateKey, "/") &&
		!strings.HasSuffix(c.StateKey, "/") && !strings.Contains(c.StateKey, "//") && noControlCharacters(c.StateKey), "is not allowed")
	v.check("stateRegion", c.StateRegion == "" || slices.Contains(regions, c.StateRegion), "is not a region hashicorp/aws 5.100 knows")
	_, stateKeyOK := kmsARN(c.StateKMSKeyID, backendKeyIDPattern)
	v.check("stateKmsKeyId", c.StateKMSKeyID == "" || stateKeyOK, "is not allowed")
}
