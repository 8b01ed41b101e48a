package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// contextEnvironmentVar is where the cdktf CLI passes cdktf.json's context.
const contextEnvironmentVar = "CDKTF_CONTEXT_JSON"

// OnDemandAlarmDescription replaces the specification's description of the
// write-throttling alarm ("… exceeds provisioned limit") for an on-demand
// stream, which has no provisioned limit, unless alarmDescription is set.
const OnDemandAlarmDescription = "Triggers when writes to the on-demand stream are throttled: more than twice its recent peak traffic at once, or a hot partition key"

// withModeDefaults gives an on-demand stream's alarm its own default
// description, unless the settings written say one.
func (c Config) withModeDefaults(written map[string]any) Config {
	if _, set := written["alarmDescription"]; !set && c.StreamMode == OnDemand {
		c.AlarmDescription = OnDemandAlarmDescription
	}
	return c
}

// normalized is the configuration as the stack uses it: ["ALL"] written out
// as the seven metric names, which is what AWS reports back, so plans stay
// clean.
func (c Config) normalized() Config {
	if len(c.ShardLevelMetrics) == 1 && c.ShardLevelMetrics[0] == "ALL" {
		c.ShardLevelMetrics = slices.Clone(kinesis.ShardLevelMetrics)
	}
	return c
}

// Load reads the context (LoadContext) and builds the configurations from it
// (FromContext).
func Load() ([]Config, error) {
	ctx, err := LoadContext()
	if err != nil {
		return nil, err
	}
	return FromContext(ctx)
}

// LoadContext returns the context the app runs with: what the cdktf CLI passes
// in CDKTF_CONTEXT_JSON, or, when the app runs on its own (go run ., the built
// binary), the "context" of cdktf.json in the working directory, so both ways
// synthesize the same stack. Numbers are read as JavaScript reads them (the
// CLI passes JSON.stringify of cdktf.json's context), so 2.0 is 2 either way.
//
// The CLI turns a "context" that is not an object into one before the app sees
// it ([] and null into an object of its own keys only, a string or a list into
// {"0": …}), so the app reads cdktf.json itself, when the working directory
// has one, and refuses such a context with one message.
func LoadContext() (map[string]any, error) {
	fileContext, err := projectContext()
	if err != nil {
		return nil, err
	}
	if text, ok := os.LookupEnv(contextEnvironmentVar); ok && strings.TrimSpace(text) != "" {
		var ctx map[string]any
		if err := json.Unmarshal([]byte(text), &ctx); err != nil || ctx == nil {
			return nil, fmt.Errorf("%s is not a JSON object (%v); it is set by the cdktf CLI from cdktf.json \"context\": unset it or fix cdktf.json", contextEnvironmentVar, err)
		}
		return ctx, nil
	}
	return fileContext, nil
}

// projectContext is the "context" of cdktf.json in the working directory:
// {} without the file or the key, an error when it is not an object.
func projectContext() (map[string]any, error) {
	data, err := os.ReadFile("cdktf.json")
	if errors.Is(err, os.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading cdktf.json: %w", err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("cdktf.json is not a JSON object: %v", err)
	}
	raw, ok := file["context"]
	if !ok {
		return map[string]any{}, nil
	}
	var ctx any
	if err := json.Unmarshal(raw, &ctx); err != nil {
		return nil, fmt.Errorf("cdktf.json \"context\": %v", err)
	}
	object, isObject := ctx.(map[string]any)
	if !isObject {
		return nil, fmt.Errorf("cdktf.json \"context\" is %s, not an object of settings; nothing was synthesized.\n"+
			"Write the settings as an object, such as \"context\": {\"shardCount\": 2}, or {} for the specification (see docs/configuration.md)",
			describeJSON(ctx))
	}
	return object, nil
}

// describeJSON names a JSON value's kind for a message, with the value cut short.
func describeJSON(v any) string {
	kind := map[bool]string{true: "null"}[v == nil]
	switch v.(type) {
	case []any:
		kind = "a list"
	case string:
		kind = "a string"
	case float64:
		kind = "a number"
	case bool:
		kind = "a boolean"
	}
	if v == nil {
		return kind
	}
	return kind + " (" + echo(v) + ")"
}
