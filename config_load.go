package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
	"github.com/xfusion/kinesis-monitoring/internal/kinesis"
)

// A setting is one field of Config, found by its JSON name.
type setting struct {
	Key     string
	Allowed string // what the app accepts
	Default string // a description of the default, when the field's value does not say it
	index   int
}

// settings are Config's fields in declaration order: the one list the
// decoder, the validation messages and the generated docs use.
var settings = func() []setting {
	var out []setting
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "-" || key == "" {
			continue
		}
		if f.Tag.Get("allowed") == "" {
			panic("Config." + f.Name + " has no allowed tag")
		}
		out = append(out, setting{Key: key, Allowed: f.Tag.Get("allowed"), Default: f.Tag.Get("default"), index: i})
	}
	return out
}()

func settingFor(key string) (setting, bool) {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.Key == key })
	if i < 0 {
		return setting{}, false
	}
	return settings[i], true
}

// settingKeys are the keys of every setting, in the order of Config.
func settingKeys() []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.Key
	}
	return keys
}

// Problem is one bad setting.
type Problem struct {
	Key     string // the context key, "environments.<name>.<key>" inside an environment
	Value   string // the value as written (JSON), cut to a readable length
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

// validation collects the problems of one configuration: the settings as
// written (raw) and the keys the user set, for the messages.
type validation struct {
	prefix   string         // "" or "environments.<name>."
	cfg      Config         // the configuration being checked
	raw      map[string]any // the settings that apply, as written
	local    map[string]bool
	failed   map[string]bool // keys whose value did not decode: not checked further
	problems []Problem
}

// set says whether the user wrote the key (for the configuration at hand).
func (v *validation) set(key string) bool { _, ok := v.raw[key]; return ok }

// check reports reason for key unless ok (or the value did not even decode).
func (v *validation) check(key string, ok bool, reason string) {
	if !ok {
		v.bad(key, reason)
	}
}

func (v *validation) bad(key, reason string) {
	s, _ := settingFor(key)
	v.badAllowed(key, reason, s.Allowed)
}

func (v *validation) badAllowed(key, reason, allowed string) {
	if v.failed[key] {
		return
	}
	var value string
	if raw, ok := v.raw[key]; ok {
		value = echo(raw)
	} else if s, known := settingFor(key); known {
		value = echo(reflect.ValueOf(v.cfg).Field(s.index).Interface()) + " (the default)"
	}
	v.problems = append(v.problems, Problem{v.prefix + key, value, reason, allowed})
}

// echo is a value as it stands in cdktf.json, cut to a readable length.
func echo(raw any) string { return clip(render(raw), maxEchoLength) }

// render writes a value as JSON, the way it stands in cdktf.json.
func render(raw any) string {
	data, err := jsontext.Marshal(raw)
	if err != nil {
		return fmt.Sprintf("%v", raw)
	}
	return string(data)
}

// EnvironmentsKey holds the environments in the context.
const EnvironmentsKey = "environments"

// environmentName: short, as it becomes part of the stack name, the state
// file and the default S3 state key.
var environmentName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

const environmentNameAllowed = "1-20 characters of a-z 0-9 -, starting with a letter"

// ConfigsFromContext builds the configurations the context asks for: one per
// environment (sorted by name) under "environments", else the one of the
// top-level settings. Every problem is reported at once in a *ConfigError.
func ConfigsFromContext(ctx map[string]any) ([]Config, error) {
	shared := maps.Clone(ctx)
	delete(shared, EnvironmentsKey)
	base, v := decode(DefaultConfig(), shared, "")
	if _, ok := ctx[EnvironmentsKey]; !ok {
		base.validate(v)
		if len(v.problems) == 0 {
			v.problems = collisions([]Config{base})
		}
		if len(v.problems) > 0 {
			return nil, newConfigError(v.problems)
		}
		return []Config{base.withModeDefaults(shared).normalized()}, nil
	}
	problems := v.problems
	// A problem with a shared setting (one the environment does not set)
	// is reported once, by its own key, when every environment has it, and
	// per environment when only some do (a shared topic in another
	// environment's region, say).
	type sharedProblem struct {
		problem Problem // without the environment
		envs    []Problem
	}
	var sharedProblems []*sharedProblem

	envs, ok := ctx[EnvironmentsKey].(map[string]any)
	if !ok || len(envs) == 0 {
		problems = append(problems, Problem{EnvironmentsKey, echo(ctx[EnvironmentsKey]), "is not an object of environments",
			`an object of one or more environments, {"<name>": {<settings>}}; names of ` + environmentNameAllowed})
		return nil, newConfigError(problems)
	}
	var configs []Config
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		prefix := EnvironmentsKey + "." + name + "."
		if !environmentName.MatchString(name) {
			problems = append(problems, Problem{EnvironmentsKey + "." + name, echo(name), "is not an environment name", environmentNameAllowed})
			continue
		}
		own, isObject := envs[name].(map[string]any)
		if !isObject {
			problems = append(problems, Problem{strings.TrimSuffix(prefix, "."), echo(envs[name]), "is not an object of settings",
				`an object of settings such as {"region": "eu-west-1"}`})
			continue
		}
		merged := maps.Clone(shared)
		maps.Copy(merged, own)
		env := base
		if _, set := merged["stateKey"]; !set {
			env.StateKey = StackID + "/" + name + "/terraform.tfstate"
		}
		env.Environment = name
		env, ev := decode(env, own, prefix)
		ev.raw = merged
		env.validate(ev)
		for _, p := range ev.problems {
			key := strings.TrimPrefix(p.Key, prefix)
			if ev.local[key] {
				problems = append(problems, p)
				continue
			}
			plain := p
			plain.Key = key
			i := slices.IndexFunc(sharedProblems, func(sp *sharedProblem) bool { return sp.problem == plain })
			if i < 0 {
				sharedProblems = append(sharedProblems, &sharedProblem{problem: plain})
				i = len(sharedProblems) - 1
			}
			sharedProblems[i].envs = append(sharedProblems[i].envs, p)
		}
		configs = append(configs, env.withModeDefaults(merged).normalized())
	}
	for _, sp := range sharedProblems {
		if len(sp.envs) == len(configs) {
			problems = append(problems, sp.problem)
		} else {
			problems = append(problems, sp.envs...)
		}
	}
	if len(problems) == 0 {
		problems = collisions(configs)
	}
	if len(problems) > 0 {
		return nil, newConfigError(problems)
	}
	return configs, nil
}

func newConfigError(problems []Problem) *ConfigError {
	slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
	return &ConfigError{slices.Compact(problems)}
}

// decode applies the settings in values to cfg, each decoded by encoding/json
// into its field. Values that do not decode, and keys that are not settings,
// become problems.
func decode(cfg Config, values map[string]any, prefix string) (Config, *validation) {
	v := &validation{prefix: prefix, raw: values, local: map[string]bool{}, failed: map[string]bool{}}
	target := reflect.ValueOf(&cfg).Elem()
	for _, key := range slices.Sorted(maps.Keys(values)) {
		raw := values[key]
		s, known := settingFor(key)
		if !known {
			if !reservedContextKey(key) {
				v.problems = append(v.problems, unknownKey(prefix, key, raw))
			}
			continue
		}
		v.local[key] = true
		field := target.Field(s.index)
		if reason := decodeValue(raw, field); reason != "" {
			v.failed[key] = true
			v.problems = append(v.problems, Problem{prefix + key, echo(raw), reason, s.Allowed})
		}
	}
	return cfg, v
}

// decodeValue decodes one value into its field with encoding/json and says,
// in the user's words, why it does not fit ("" when it does).
func decodeValue(raw any, field reflect.Value) string {
	if raw == nil {
		return "is null; leave the setting out to keep its default"
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return "is not a JSON value"
	}
	fresh := reflect.New(field.Type())
	err = json.Unmarshal(data, fresh.Interface())
	var typeErr *json.UnmarshalTypeError
	var own *settingError
	switch {
	case errors.As(err, &own):
		return own.reason
	case err != nil && !errors.As(err, &typeErr):
		return "is not readable: " + err.Error()
	}
	if err == nil {
		field.Set(fresh.Elem())
		return ""
	}
	quoted := ""
	if s, isString := raw.(string); isString {
		quoted = fmt.Sprintf(" (write %s without quotes)", s)
	}
	switch field.Kind() {
	case reflect.Int:
		if f, isNumber := raw.(float64); isNumber {
			if f == math.Trunc(f) {
				return "is out of range"
			}
			return "is not a whole number"
		}
		return "is not a number" + quoted
	case reflect.Float64:
		return "is not a number" + quoted
	case reflect.Bool:
		return "is not true or false" + quoted
	case reflect.String:
		return "is not a string"
	case reflect.Slice:
		return "is not a list of strings"
	case reflect.Map:
		if m, isObject := raw.(map[string]any); isObject {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				if _, isString := m[k].(string); !isString {
					return fmt.Sprintf("has a value for %q that is not a string", clip(k, maxEchoLength))
				}
			}
		}
		return "is not an object of strings"
	}
	return "does not fit"
}

// unknownKey reports a key that is no setting, suggesting the closest one.
func unknownKey(prefix, key string, raw any) Problem {
	reason := "is not a setting of this app"
	best, bestDistance := "", 3 // suggest within two edits
	for _, s := range settings {
		d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(s.Key))
		if d < bestDistance {
			best, bestDistance = s.Key, d
		}
	}
	if best != "" {
		reason += "; did you mean " + best + "?"
	}
	return Problem{prefix + key, echo(raw), reason, "one of " + strings.Join(settingKeys(), ", ")}
}

// reservedContextKey tells the keys cdktf itself puts into the context
// (cdktfRelativeModules, cdktfVersion, …) and library flags (@scope/…).
func reservedContextKey(key string) bool {
	return strings.HasPrefix(key, "cdktf") || strings.HasPrefix(key, "@") ||
		key == "excludeStackIdFromLogicalIds" || key == "allowSepCharsInLogicalIds"
}

// onDemandAlarmDescription replaces the specification's description of the
// write-throttling alarm ("… exceeds provisioned limit") for an on-demand
// stream, which has no provisioned limit, unless alarmDescription is set.
const onDemandAlarmDescription = "Triggers when writes to the on-demand stream are throttled: more than twice its recent peak traffic at once, or a hot partition key"

// withModeDefaults gives an on-demand stream's alarm its own default
// description, unless the settings written say one.
func (c Config) withModeDefaults(written map[string]any) Config {
	if _, set := written["alarmDescription"]; !set && c.StreamMode == streamModeOnDemand {
		c.AlarmDescription = onDemandAlarmDescription
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

// LoadConfigs reads the context (LoadContext) and builds the configurations
// from it (ConfigsFromContext).
func LoadConfigs() ([]Config, error) {
	ctx, err := LoadContext()
	if err != nil {
		return nil, err
	}
	return ConfigsFromContext(ctx)
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
			"Write the settings as an object, such as \"context\": {\"shardCount\": 2}, or {} for the specification (see README.md, Configuration).",
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
