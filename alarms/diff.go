package alarms

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Diff lists the attributes in which got differs from want, one line each
// ("threshold: 5, want 1"), in the order of Alarm's fields; nil when they
// are the same alarm. The attributes are Differences'.
func Diff(got, want Alarm) []string {
	var out []string
	for _, d := range Differences(got, want) {
		out = append(out, fmt.Sprintf("%s: %s, want %s", d.Attribute, d.A, d.B))
	}
	return out
}

// A Difference is one attribute in which two alarms differ: its name in
// words ("evaluation periods") and its value in each, written as Diff
// writes them (text quoted, dimensions as {name=value, …}).
type Difference struct {
	Attribute string
	A, B      string
}

// Differences are the attributes in which a differs from b, in the order
// of Alarm's fields; nil when they are the same alarm. Every field is an
// attribute but ID, which names the alarm's resource in a stack, not the
// alarm: an alarm read back from a synthesized stack, from CloudWatch or
// from the configuration compares with any other. Dimensions compare as a
// set of name/value pairs, in any order. DatapointsToAlarm compares as
// written: 0 (not set) differs from a value equal to EvaluationPeriods,
// as the two resources differ.
func Differences(a, b Alarm) []Difference {
	var out []Difference
	av, bv := reflect.ValueOf(a), reflect.ValueOf(b)
	for _, f := range reflect.VisibleFields(av.Type()) {
		if f.Name == "ID" {
			continue
		}
		x, y := av.FieldByIndex(f.Index).Interface(), bv.FieldByIndex(f.Index).Interface()
		switch d := x.(type) {
		case []Dimension:
			x, y = dimensionSet(d), dimensionSet(y.([]Dimension))
		case *Query:
			x, y = d.text(), y.(*Query).text()
		}
		if !reflect.DeepEqual(x, y) {
			out = append(out, Difference{Attribute: words(f.Name), A: show(x), B: show(y)})
		}
	}
	return out
}

// text is the query as Diff shows it and compares it: its dimensions and
// the streams it leaves out (none and an empty list are the same); "none"
// for an alarm on one metric.
func (q *Query) text() queryText {
	if q == nil {
		return "none"
	}
	return queryText(fmt.Sprintf("grouped by [%s], excluding [%s]", strings.Join(q.GroupBy, ", "), strings.Join(q.Exclude, ", ")))
}

type queryText string

// dimensionSet is the dimensions by name.
func dimensionSet(list []Dimension) map[string]string {
	out := map[string]string{}
	for _, d := range list {
		out[d.Name] = d.Value
	}
	return out
}

// show writes a value of an attribute: text quoted, dimensions as
// name=value in the order of their names.
func show(v any) string {
	switch v := v.(type) {
	case Comparison:
		return fmt.Sprintf("%q", v)
	case string:
		return fmt.Sprintf("%q", v)
	case queryText:
		return string(v)
	case map[string]string:
		var pairs []string
		for _, name := range slices.Sorted(maps.Keys(v)) {
			pairs = append(pairs, name+"="+v[name])
		}
		return "{" + strings.Join(pairs, ", ") + "}"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// words writes a field's name as words: "EvaluationPeriods" is
// "evaluation periods".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
