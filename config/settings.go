package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

// Setting is one field of Config, found by its JSON name.
type Setting struct {
	Key     string
	Allowed string   // what the app accepts, with the enum written out
	Default string   // the default, as the docs give it
	Enum    []string // the values the setting takes, when it is a list of names
	index   int
}

// Settings are Config's fields in declaration order: the one list the
// decoder, the validation messages and the generated docs use.
var Settings = func() []Setting {
	var out []Setting
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "-" || key == "" {
			continue
		}
		allowed := f.Tag.Get("allowed")
		if allowed == "" {
			panic("Config." + f.Name + " has no allowed tag")
		}
		s := Setting{Key: key, index: i}
		if name := f.Tag.Get("enum"); name != "" {
			list, ok := enums[name]
			if !ok || !strings.Contains(allowed, "{enum}") {
				panic("Config." + f.Name + ": enum " + name + " is not a list of enums, or the allowed text does not list it")
			}
			s.Enum = list
			allowed = strings.ReplaceAll(allowed, "{enum}", strings.Join(list, ", "))
		}
		s.Allowed = allowed
		s.Default = f.Tag.Get("default")
		if s.Default == "" {
			s.Default = "`" + strings.ReplaceAll(render(reflect.ValueOf(Default()).Field(i).Interface()), ",", ", ") + "`"
		}
		out = append(out, s)
	}
	return out
}()

func settingFor(key string) (Setting, bool) {
	i := slices.IndexFunc(Settings, func(s Setting) bool { return s.Key == key })
	if i < 0 {
		return Setting{}, false
	}
	return Settings[i], true
}

// settingKeys are the keys of every setting, in the order of Config.
func settingKeys() []string {
	keys := make([]string, len(Settings))
	for i, s := range Settings {
		keys[i] = s.Key
	}
	return keys
}

// checkEnums checks each setting that takes one name of a list.
func (v *validation) checkEnums() {
	value := reflect.ValueOf(v.cfg)
	for _, s := range Settings {
		if field := value.Field(s.index); s.Enum != nil && field.Kind() == reflect.String {
			v.check(s.Key, slices.Contains(s.Enum, field.String()), "is not allowed")
		}
	}
}

// SettingsTable is the settings as a Markdown table: key, default, allowed
// (docs/configuration.md holds it).
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| Key | Default | Allowed |\n| --- | --- | --- |\n")
	for _, s := range Settings {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Key, s.Default, s.Allowed)
	}
	return b.String()
}

// render writes a value as JSON, the way it stands in cdktf.json.
func render(raw any) string {
	data, err := jsontext.Marshal(raw)
	if err != nil {
		return fmt.Sprintf("%v", raw)
	}
	return string(data)
}

// RecommendedTable is the recommended alarms as a Markdown table, for the
// default stream (docs/production.md holds it).
func RecommendedTable() string {
	stream := Default().alarmStream()
	var b strings.Builder
	fmt.Fprintf(&b, "Each alarm evaluates periods of %d s and fires when all %d of the last %d breach (%s).\n\n",
		alarms.RecommendedPeriod, alarms.RecommendedEvaluationPeriods, alarms.RecommendedEvaluationPeriods, alarms.Sustained())
	b.WriteString("| Alarm | Metric, statistic | Fires when | Default threshold, and why | Override key (allowed) |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range alarms.RecommendedSet {
		fmt.Fprintf(&b, "| `<stream>%s` | `%s`, %s | %s | %s | `%s` (%s) |\n", r.NameSuffix, r.Metric, r.Statistic, r.FiresWhen, r.Why, r.Key, r.Allowed(stream))
	}
	return b.String()
}
