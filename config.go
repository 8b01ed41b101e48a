package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// Config describes one deployment of the stack. DefaultConfig is the
// specification; every field can be overridden through cdktf.json "context"
// (see the settings table below, README.md and help).
type Config struct {
	Region                  string
	StreamName              string
	ShardCount              int
	RetentionHours          int
	ShardLevelMetrics       []string
	Encryption              bool
	KMSKeyID                string
	AlarmName               string
	AlarmDescription        string
	AlarmThreshold          float64
	AlarmComparisonOperator string
	AlarmStatistic          string
	AlarmPeriod             int
	AlarmEvaluationPeriods  int
	AlarmTreatMissingData   string

	// Production posture; all off by default except Protect.
	Protect                 bool              // prevent_destroy on the stream
	AlarmEmails             []string          // a new SNS topic with these e-mail subscriptions
	AlarmTopicARN           string            // or an existing SNS topic
	AlarmOnInsufficientData bool              // also notify on INSUFFICIENT_DATA
	RecommendedAlarms       bool              // iterator age, read throttling, PutRecords failures
	Dashboard               bool              // a CloudWatch dashboard for the stream
	Tags                    map[string]string // provider default_tags
	StateBucket             string            // S3 backend instead of local state
	StateKey                string
	StateRegion             string // "" = Region
	StateKMSKeyID           string
}

// DefaultConfig returns the specification: what a synth without overrides builds.
func DefaultConfig() Config {
	return Config{
		Region:         "us-east-1",
		StreamName:     "xfusion-kinesis-stream",
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
		AlarmComparisonOperator: "GreaterThanThreshold",
		AlarmStatistic:          "Sum",
		AlarmPeriod:             60,
		AlarmEvaluationPeriods:  1,
		AlarmTreatMissingData:   "notBreaching",
		Protect:                 true,
		StateKey:                StackID + "/terraform.tfstate",
	}
}

// Values AWS accepts, in the order AWS documents them.
var (
	// staticComparisonOperators are the operators usable with a static threshold
	// (the LessThanLower… / GreaterThanUpper… ones need an anomaly-detection band).
	staticComparisonOperators = []string{
		"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
		"LessThanThreshold", "LessThanOrEqualToThreshold",
	}
	statistics        = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	missingDataValues = []string{"missing", "ignore", "breaching", "notBreaching"}
)

const (
	kmsKeyID              = `([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})`
	maxInt32              = math.MaxInt32
	maxAlarmNameLength    = 255
	maxDescriptionLength  = 1024
	contextEnvironmentVar = "CDKTF_CONTEXT_JSON"
)

var (
	emailPattern      = regexp.MustCompile(`^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
	topicARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:sns:([a-z]{2}(-[a-z]+)+-[0-9]+):[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)
	bucketPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipAddressPattern  = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	tagPattern        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	regionPattern     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// KMS key ids are RFC 4122 UUIDs (variant 8-b; Terraform's S3 backend
	// refuses others) or multi-Region mrk- ids.
	kmsKeyPatterns = []*regexp.Regexp{
		regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`),
		regexp.MustCompile(`^` + kmsKeyID + `$`),
		regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:(key/` + kmsKeyID + `|alias/[a-zA-Z0-9/_-]{1,250})$`),
	}
)

// A setting is one key of cdktf.json "context". The table drives parsing,
// unknown-key detection and the documentation tests.
type setting struct {
	Key     string
	Allowed string
	// apply parses raw into cfg and returns a problem description (the
	// "allowed" text is added by the caller) or "" when the value is good.
	apply func(cfg *Config, raw any) string
}

var settings = []setting{
	{"region", "an AWS region such as us-east-1 or eu-west-2", func(c *Config, raw any) string {
		return parseString(raw, &c.Region, func(s string) bool { return regionPattern.MatchString(s) })
	}},
	{"streamName", "1-128 characters from a-z A-Z 0-9 _ . -", func(c *Config, raw any) string {
		return parseString(raw, &c.StreamName, streamNamePattern.MatchString)
	}},
	{"shardCount", "a whole number from 1 to 2147483647", func(c *Config, raw any) string {
		return parseInt(raw, &c.ShardCount, func(n int) bool { return n >= 1 && n <= maxInt32 })
	}},
	{"retentionHours", "a whole number of hours from 24 to 8760", func(c *Config, raw any) string {
		return parseInt(raw, &c.RetentionHours, func(n int) bool { return n >= 24 && n <= 8760 })
	}},
	{"shardLevelMetrics", `a list without duplicates of ` + strings.Join(kinesis.ShardLevelMetrics, ", ") + `; or ["ALL"]; [] turns enhanced monitoring off`, parseMetrics},
	{"encryption", "true or false", func(c *Config, raw any) string { return parseBool(raw, &c.Encryption) }},
	{"kmsKeyId", "a KMS key alias (alias/…), key id, or key/alias ARN; only with encryption true", func(c *Config, raw any) string {
		return parseString(raw, &c.KMSKeyID, func(s string) bool {
			for _, p := range kmsKeyPatterns {
				if p.MatchString(s) {
					return true
				}
			}
			return false
		})
	}},
	{"alarmName", "1-255 characters, no control characters", func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmName, func(s string) bool {
			return s != "" && utf8.RuneCountInString(s) <= maxAlarmNameLength && noControlCharacters(s)
		})
	}},
	{"alarmDescription", "0-1024 characters, no control characters", func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmDescription, func(s string) bool {
			return utf8.RuneCountInString(s) <= maxDescriptionLength && noControlCharacters(s)
		})
	}},
	{"alarmThreshold", "a finite number", func(c *Config, raw any) string { return parseFloat(raw, &c.AlarmThreshold) }},
	{"alarmComparisonOperator", "one of " + strings.Join(staticComparisonOperators, ", "), func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmComparisonOperator, func(s string) bool { return slices.Contains(staticComparisonOperators, s) })
	}},
	{"alarmStatistic", "one of " + strings.Join(statistics, ", "), func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmStatistic, func(s string) bool { return slices.Contains(statistics, s) })
	}},
	{"alarmPeriod", "10, 30 or a positive multiple of 60 (seconds)", func(c *Config, raw any) string {
		return parseInt(raw, &c.AlarmPeriod, func(n int) bool { return n == 10 || n == 30 || (n > 0 && n%60 == 0 && n <= maxInt32) })
	}},
	{"alarmEvaluationPeriods", "a whole number from 1 to 2147483647", func(c *Config, raw any) string {
		return parseInt(raw, &c.AlarmEvaluationPeriods, func(n int) bool { return n >= 1 && n <= maxInt32 })
	}},
	{"alarmTreatMissingData", "one of " + strings.Join(missingDataValues, ", "), func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmTreatMissingData, func(s string) bool { return slices.Contains(missingDataValues, s) })
	}},
	{"protect", "true or false; false lets Terraform delete or replace the stream", func(c *Config, raw any) string { return parseBool(raw, &c.Protect) }},
	{"alarmEmails", "a list of e-mail addresses without duplicates (or one comma-separated string)", parseEmails},
	{"alarmTopicArn", "the ARN of an existing standard SNS topic in the stack's region (arn:aws:sns:<region>:<account>:<name>)", func(c *Config, raw any) string {
		return parseString(raw, &c.AlarmTopicARN, topicARNPattern.MatchString)
	}},
	{"alarmOnInsufficientData", "true or false; needs alarmEmails or alarmTopicArn", func(c *Config, raw any) string { return parseBool(raw, &c.AlarmOnInsufficientData) }},
	{"recommendedAlarms", "true or false", func(c *Config, raw any) string { return parseBool(raw, &c.RecommendedAlarms) }},
	{"dashboard", "true or false", func(c *Config, raw any) string { return parseBool(raw, &c.Dashboard) }},
	{"tags", `an object of up to 50 tags, {"key": "value"}: keys 1-128 and values 0-256 characters of letters, digits, spaces and _ . : / = + - @; keys not starting with aws:`, parseTags},
	{"stateBucket", "an S3 bucket name: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit", func(c *Config, raw any) string {
		return parseString(raw, &c.StateBucket, func(s string) bool {
			return bucketPattern.MatchString(s) && !strings.Contains(s, "..") && !ipAddressPattern.MatchString(s)
		})
	}},
	{"stateKey", "an S3 object key of 1-1024 characters, not starting with /; needs stateBucket", func(c *Config, raw any) string {
		return parseString(raw, &c.StateKey, func(s string) bool {
			return s != "" && len(s) <= 1024 && !strings.HasPrefix(s, "/") && noControlCharacters(s)
		})
	}},
	{"stateRegion", "an AWS region such as us-east-1; needs stateBucket (default: region)", func(c *Config, raw any) string {
		return parseString(raw, &c.StateRegion, regionPattern.MatchString)
	}},
	{"stateKmsKeyId", "a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>) for the state object; needs stateBucket", func(c *Config, raw any) string {
		return parseString(raw, &c.StateKMSKeyID, kmsKeyPatterns[len(kmsKeyPatterns)-1].MatchString)
	}},
}

// Problem is one bad setting.
type Problem struct {
	Key     string // the context key
	Value   string // the value as written, JSON-encoded
	Reason  string // what is wrong with it
	Allowed string // what would be accepted
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s %s; allowed: %s", p.Key, p.Value, p.Reason, p.Allowed)
}

// ConfigError lists every bad setting at once.
type ConfigError struct{ Problems []Problem }

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (cdktf.json \"context\"): %d problem(s); nothing was synthesized:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	b.WriteString("\nFix these settings in cdktf.json \"context\" (see README.md, Configuration) and run again.")
	return b.String()
}

// ConfigFromContext builds the configuration from cdktf context values:
// DefaultConfig with every known key applied. It reports every unknown key
// and every bad value together in a *ConfigError.
func ConfigFromContext(ctx map[string]any) (Config, error) {
	cfg := DefaultConfig()
	var problems []Problem
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Key] = true
		raw, present := ctx[s.Key]
		if !present {
			continue
		}
		if reason := s.apply(&cfg, raw); reason != "" {
			problems = append(problems, Problem{s.Key, render(raw), reason, s.Allowed})
		}
	}
	problems = append(problems, crossChecks(ctx, cfg)...)
	for _, key := range slices.Sorted(maps.Keys(ctx)) {
		if !known[key] && !reservedContextKey(key) {
			problems = append(problems, Problem{key, render(ctx[key]), "is not a setting of this app",
				"one of " + strings.Join(settingKeys(), ", ")})
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Key < problems[j].Key })
		return Config{}, &ConfigError{problems}
	}
	return cfg, nil
}

// crossChecks finds settings that are fine alone but not together.
func crossChecks(ctx map[string]any, cfg Config) []Problem {
	var problems []Problem
	set := func(key string) bool { _, ok := ctx[key]; return ok }
	if set("kmsKeyId") && !cfg.Encryption {
		problems = append(problems, Problem{"kmsKeyId", render(ctx["kmsKeyId"]), "is set while encryption is false",
			"leave kmsKeyId out when encryption is false, or set encryption to true"})
	}
	if len(cfg.AlarmEmails) > 0 && cfg.AlarmTopicARN != "" {
		problems = append(problems, Problem{"alarmTopicArn", render(ctx["alarmTopicArn"]), "is set together with alarmEmails",
			"either alarmEmails (a new topic) or alarmTopicArn (an existing topic), not both"})
	}
	if m := topicARNPattern.FindStringSubmatch(cfg.AlarmTopicARN); m != nil && m[1] != cfg.Region {
		problems = append(problems, Problem{"alarmTopicArn", render(ctx["alarmTopicArn"]), "is in region " + m[1] + ", the alarms in " + cfg.Region,
			"a topic in the stack's region: CloudWatch alarms notify topics of their own region only"})
	}
	if cfg.AlarmOnInsufficientData && len(cfg.AlarmEmails) == 0 && cfg.AlarmTopicARN == "" {
		problems = append(problems, Problem{"alarmOnInsufficientData", render(ctx["alarmOnInsufficientData"]), "is true but no alarm routing is configured",
			"set alarmEmails or alarmTopicArn too, or leave alarmOnInsufficientData out"})
	}
	if cfg.StateBucket == "" {
		for _, key := range []string{"stateKey", "stateRegion", "stateKmsKeyId"} {
			if set(key) {
				problems = append(problems, Problem{key, render(ctx[key]), "is set without stateBucket",
					"set stateBucket to keep the state in S3, or leave " + key + " out"})
			}
		}
	}
	return problems
}

// reservedContextKey tells the keys cdktf itself puts into the context
// (cdktfRelativeModules, cdktfVersion, …) and library flags (@scope/…).
func reservedContextKey(key string) bool {
	return strings.HasPrefix(key, "cdktf") || strings.HasPrefix(key, "@") ||
		key == "excludeStackIdFromLogicalIds" || key == "allowSepCharsInLogicalIds"
}

// LoadConfig reads the context (LoadContext) and builds the configuration
// from it (ConfigFromContext).
func LoadConfig() (Config, error) {
	ctx, err := LoadContext()
	if err != nil {
		return Config{}, err
	}
	return ConfigFromContext(ctx)
}

// LoadContext returns the context the app runs with: what the cdktf CLI passes
// in CDKTF_CONTEXT_JSON, or, when the app runs on its own (go run ., the built
// binary), the "context" of cdktf.json in the working directory, so both ways
// synthesize the same stack.
func LoadContext() (map[string]any, error) {
	if text, ok := os.LookupEnv(contextEnvironmentVar); ok && strings.TrimSpace(text) != "" {
		ctx, err := decodeObject([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("%s is not a JSON object (%v); it is set by the cdktf CLI from cdktf.json \"context\": unset it or fix cdktf.json", contextEnvironmentVar, err)
		}
		return ctx, nil
	}
	data, err := os.ReadFile("cdktf.json")
	if errors.Is(err, os.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading cdktf.json: %w", err)
	}
	var file struct {
		Context json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("cdktf.json is not valid JSON: %v", err)
	}
	if len(file.Context) == 0 || string(file.Context) == "null" {
		return map[string]any{}, nil
	}
	ctx, err := decodeObject(file.Context)
	if err != nil {
		return nil, fmt.Errorf("cdktf.json \"context\" must be a JSON object of settings: %v", err)
	}
	return ctx, nil
}

// decodeObject decodes a JSON object keeping numbers exact (json.Number), so
// 1.0000000000000001 is not silently taken for 1.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var ctx map[string]any
	if err := dec.Decode(&ctx); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errors.New("got null")
	}
	return ctx, nil
}

// --- value parsing -----------------------------------------------------------

func parseString(raw any, dst *string, ok func(string) bool) string {
	s, isString := raw.(string)
	if !isString {
		return "is not a string"
	}
	if !ok(s) {
		return "is not allowed"
	}
	*dst = s
	return ""
}

func parseInt(raw any, dst *int, ok func(int) bool) string {
	n, reason := toInt(raw)
	if reason != "" {
		return reason
	}
	if !ok(n) {
		return "is out of range"
	}
	*dst = n
	return ""
}

// toInt accepts a JSON number or a string of decimal digits that is a whole
// number: 2, 2.0 and "2" are 2; 2.5, "2x", " 2", "" and true are refused.
func toInt(raw any) (int, string) {
	var text string
	switch v := raw.(type) {
	case int:
		return v, ""
	case int64:
		return int(v), ""
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxInt64/2 {
			return 0, "is not a whole number"
		}
		return int(v), ""
	case json.Number:
		text = string(v)
	case string:
		text = v
	default:
		return 0, "is not a number"
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return int(n), ""
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2 {
		return 0, "is not a whole number"
	}
	return int(f), ""
}

func parseFloat(raw any, dst *float64) string {
	var f float64
	switch v := raw.(type) {
	case int:
		f = float64(v)
	case float64:
		f = v
	case json.Number, string:
		parsed, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return "is not a number"
		}
		f = parsed
	default:
		return "is not a number"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "is not finite"
	}
	*dst = f
	return ""
}

func parseBool(raw any, dst *bool) string {
	switch v := raw.(type) {
	case bool:
		*dst = v
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return "is not a boolean"
		}
		*dst = b
	default:
		return "is not a boolean"
	}
	return ""
}

// parseMetrics accepts a JSON list of names or one comma-separated string.
// ["ALL"] stands for all seven metrics, written out so Terraform's view of the
// stream (AWS reports the seven names) matches the configuration.
func parseMetrics(c *Config, raw any) string {
	names, reason := toStringList(raw)
	if reason != "" {
		return strings.Replace(reason, "is not a list", "is not a list of metric names", 1)
	}
	if len(names) == 1 && names[0] == "ALL" {
		c.ShardLevelMetrics = append([]string(nil), kinesis.ShardLevelMetrics...)
		return ""
	}
	seen := map[string]bool{}
	for _, name := range names {
		switch {
		case name == "ALL":
			return `combines "ALL" with other names`
		case !slices.Contains(kinesis.ShardLevelMetrics, name):
			return fmt.Sprintf("names %q, which is not a shard-level metric", name)
		case seen[name]:
			return fmt.Sprintf("names %q twice", name)
		}
		seen[name] = true
	}
	c.ShardLevelMetrics = names
	if c.ShardLevelMetrics == nil {
		c.ShardLevelMetrics = []string{}
	}
	return ""
}

// parseEmails accepts a JSON list or one comma-separated string.
func parseEmails(c *Config, raw any) string {
	names, reason := toStringList(raw)
	if reason != "" {
		return reason
	}
	seen := map[string]bool{}
	for _, e := range names {
		switch {
		case !emailPattern.MatchString(e):
			return fmt.Sprintf("has %q, which is not an e-mail address", e)
		case seen[strings.ToLower(e)]:
			return fmt.Sprintf("names %q twice", e)
		}
		seen[strings.ToLower(e)] = true
	}
	c.AlarmEmails = names
	return ""
}

// toStringList reads a JSON list of strings or one comma-separated string.
func toStringList(raw any) ([]string, string) {
	var items []string
	switch v := raw.(type) {
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, "has an item that is not a string"
			}
			items = append(items, s)
		}
	case []string:
		items = append(items, v...)
	case string:
		if strings.TrimSpace(v) != "" {
			for _, s := range strings.Split(v, ",") {
				items = append(items, strings.TrimSpace(s))
			}
		}
	default:
		return nil, "is not a list"
	}
	return items, ""
}

// parseTags accepts a JSON object of string values, with AWS's tag rules.
func parseTags(c *Config, raw any) string {
	m, ok := raw.(map[string]any)
	if !ok {
		return "is not an object of tags"
	}
	if len(m) > 50 {
		return fmt.Sprintf("has %d tags", len(m))
	}
	tags := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, isString := m[k].(string)
		switch {
		case !isString:
			return fmt.Sprintf("has a value for %q that is not a string", k)
		case k == "" || utf8.RuneCountInString(k) > 128 || !tagPattern.MatchString(k):
			return fmt.Sprintf("has the key %q, which is not a valid tag key", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return fmt.Sprintf("has the key %q; the aws: prefix is reserved", k)
		case utf8.RuneCountInString(v) > 256 || !tagPattern.MatchString(v):
			return fmt.Sprintf("has a value for %q that is not a valid tag value", k)
		}
		tags[k] = v
	}
	c.Tags = tags
	return ""
}

func noControlCharacters(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// render writes a value as JSON, the way it stands in cdktf.json.
func render(raw any) string {
	data, err := jsontext.Marshal(raw)
	if err != nil {
		return fmt.Sprintf("%v", raw)
	}
	return string(data)
}

// maxEchoLength is how much of a value a message repeats.
const maxEchoLength = 80

// clip cuts s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func settingKeys() []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.Key
	}
	return keys
}
