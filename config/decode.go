package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
)

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
	for _, s := range Settings {
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
