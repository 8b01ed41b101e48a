package testkit

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// alarmType is the Terraform type of a CloudWatch metric alarm.
const alarmType = "aws_cloudwatch_metric_alarm"

// SynthesizedAlarms reads the alarms of a synthesized stack (its
// cdk.tf.json, decoded) back into alarms.Alarm values, by ID: each
// aws_cloudwatch_metric_alarm resource by its name, and each instance of a
// resource that Terraform iterates (for_each over a local) by its key, its
// attributes resolved through the locals the way Terraform resolves them. A
// dimension that refers to a stream of the stack by its name
// (${aws_kinesis_stream.<id>.name}) holds that stream's name. Compare them
// with alarms.Diff.
func SynthesizedAlarms(doc map[string]any) (map[string]alarms.Alarm, error) {
	references := map[string]string{}
	streams, _ := dig(doc, "resource", "aws_kinesis_stream").(map[string]any)
	for id, s := range streams {
		if name, ok := dig(s, "name").(string); ok {
			references["${aws_kinesis_stream."+id+".name}"] = name
		}
	}
	resources, _ := dig(doc, "resource", alarmType).(map[string]any)
	out := map[string]alarms.Alarm{}
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		attributes, ok := resources[id].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.%s is not an object", alarmType, id)
		}
		instances := map[string]map[string]any{id: attributes}
		if _, iterated := attributes["for_each"]; iterated {
			var err error
			if instances, err = forEachInstances(doc, attributes); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", alarmType, id, err)
			}
		}
		for key, attributes := range instances {
			a, err := SynthesizedAlarm(attributes, references)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", alarmType, key, err)
			}
			if _, twice := out[key]; twice {
				return nil, fmt.Errorf("two alarms have the ID %s", key)
			}
			a.ID = key
			out[key] = a
		}
	}
	return out, nil
}

// SynthesizedAlarm reads one alarm from the attributes of its resource as
// the stack wrote them (numbers as JSON decodes them): an alarm on one
// metric, or an alarm on a Metrics Insights query (metric_query), whose
// query is read back with alarms.ParseExpression. A reference among the
// values is replaced by its value in references; any other is an error, as
// is an attribute the reader does not know. The routing (alarm_actions,
// ok_actions, insufficient_data_actions) is the stack's, not the alarm's,
// and is not read.
func SynthesizedAlarm(attributes map[string]any, references map[string]string) (alarms.Alarm, error) {
	var a alarms.Alarm
	// metric_query last: its query's ORDER BY is read against the
	// comparison.
	names := slices.DeleteFunc(slices.Sorted(maps.Keys(attributes)), func(name string) bool { return name == "metric_query" })
	if _, ok := attributes["metric_query"]; ok {
		names = append(names, "metric_query")
	}
	for _, name := range names {
		read, known := synthesizedAttributes[name]
		if !known {
			return a, fmt.Errorf("attribute %s: not one the reader knows (%s)", name, strings.Join(slices.Sorted(maps.Keys(synthesizedAttributes)), ", "))
		}
		if read == nil {
			continue
		}
		v, err := resolve(attributes[name], references)
		if err == nil {
			err = read(&a, v)
		}
		if err != nil {
			return a, fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	return a, nil
}

// attributeReader reads one attribute's value into the alarm.
type attributeReader func(a *alarms.Alarm, v any) error

// synthesizedAttributes are the attributes an alarm's resource may have,
// each with its reader (nil: not the alarm's).
var synthesizedAttributes = map[string]attributeReader{
	"alarm_name":          text(func(a *alarms.Alarm) *string { return &a.Name }),
	"alarm_description":   text(func(a *alarms.Alarm) *string { return &a.Description }),
	"namespace":           text(func(a *alarms.Alarm) *string { return &a.Namespace }),
	"metric_name":         text(func(a *alarms.Alarm) *string { return &a.Metric }),
	"dimensions":          readDimensions,
	"statistic":           text(func(a *alarms.Alarm) *string { return &a.Statistic }),
	"period":              integer(func(a *alarms.Alarm) *int { return &a.Period }),
	"evaluation_periods":  integer(func(a *alarms.Alarm) *int { return &a.EvaluationPeriods }),
	"datapoints_to_alarm": integer(func(a *alarms.Alarm) *int { return &a.DatapointsToAlarm }),
	"threshold":           number(func(a *alarms.Alarm) *float64 { return &a.Threshold }),
	"comparison_operator": text(func(a *alarms.Alarm) *alarms.Comparison { return &a.Comparison }),
	"treat_missing_data":  text(func(a *alarms.Alarm) *string { return &a.TreatMissingData }),
	"metric_query":        readMetricQuery,
	// The stack's routing, and cdktf's metadata.
	"alarm_actions": nil, "ok_actions": nil, "insufficient_data_actions": nil, "//": nil,
}

func text[S ~string](field func(*alarms.Alarm) *S) attributeReader {
	return func(a *alarms.Alarm, v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%v is not text", v)
		}
		*field(a) = S(s)
		return nil
	}
}

func number(field func(*alarms.Alarm) *float64) attributeReader {
	return func(a *alarms.Alarm, v any) error {
		n, ok := v.(float64)
		if !ok {
			return fmt.Errorf("%v is not a number", v)
		}
		*field(a) = n
		return nil
	}
}

func integer(field func(*alarms.Alarm) *int) attributeReader {
	return func(a *alarms.Alarm, v any) error {
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			return fmt.Errorf("%v is not a whole number", v)
		}
		*field(a) = int(n)
		return nil
	}
}

// readDimensions reads the dimensions, in the order of their names.
func readDimensions(a *alarms.Alarm, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%v is not a map", v)
	}
	a.Dimensions = nil
	for _, name := range slices.Sorted(maps.Keys(m)) {
		value, ok := m[name].(string)
		if !ok {
			return fmt.Errorf("dimension %s = %v is not text", name, m[name])
		}
		a.Dimensions = append(a.Dimensions, alarms.Dimension{Name: name, Value: value})
	}
	return nil
}

// readMetricQuery reads the one query of a query alarm, in the form the
// stack writes: an id, the expression, the period, and return_data true.
// The alarm must name no metric of its own (the provider refuses both),
// and its comparison is read already.
func readMetricQuery(a *alarms.Alarm, v any) error {
	list, ok := v.([]any)
	if !ok || len(list) != 1 {
		return fmt.Errorf("%v is not one query: the stack's query alarms have exactly one", v)
	}
	q, ok := list[0].(map[string]any)
	if !ok {
		return fmt.Errorf("%v is not an object", list[0])
	}
	for _, key := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains([]string{"id", "expression", "period", "return_data"}, key) {
			return fmt.Errorf("%s: not a field of the stack's query (id, expression, period, return_data)", key)
		}
	}
	id, _ := q["id"].(string)
	expression, _ := q["expression"].(string)
	switch {
	case id == "":
		return fmt.Errorf("the query has no id")
	case q["return_data"] != true:
		return fmt.Errorf("return_data is %v: the alarm would evaluate no data of the query", q["return_data"])
	case a.Namespace != "" || a.Metric != "" || a.Statistic != "" || a.Period != 0 || a.Dimensions != nil:
		return fmt.Errorf("the alarm names a metric as well as a query")
	}
	if err := integer(func(a *alarms.Alarm) *int { return &a.Period })(a, q["period"]); err != nil {
		return fmt.Errorf("period: %w", err)
	}
	read, err := alarms.ParseExpression(expression, a.Comparison)
	if err != nil {
		return err
	}
	a.Namespace, a.Metric, a.Statistic, a.Query = read.Namespace, read.Metric, read.Statistic, read.Query
	return nil
}

// resolve replaces the references in a value (text, or a map of text) by
// their values.
func resolve(v any, references map[string]string) (any, error) {
	switch v := v.(type) {
	case string:
		if value, ok := references[v]; ok {
			return value, nil
		}
		if strings.Contains(v, "${") {
			return nil, fmt.Errorf("%s: a reference the reader cannot resolve", v)
		}
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			var err error
			if out[k], err = resolve(e, references); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// instanceExpression is an attribute of a resource that Terraform iterates:
// a field of the instance's value (each.value.<field>), a field of the
// entry of a local that the value names (local.<local>[each.value.<key>].<field>),
// or an optional one (lookup(local.<local>[each.value.<key>], "<field>", null)).
var instanceExpression = regexp.MustCompile(`^\$\{(?:each\.value\.(\w+)|local\.(\w+)\[each\.value\.(\w+)\]\.(\w+)|lookup\(local\.(\w+)\[each\.value\.(\w+)\], "(\w+)", null\))\}$`)

// forEachInstances are the instances of a resource that iterates over a
// local (for_each = "${local.<name>}"), by key, each with the attributes
// Terraform would give it. An attribute that an optional lookup does not
// find is left out, as Terraform leaves out null.
func forEachInstances(doc map[string]any, attributes map[string]any) (map[string]map[string]any, error) {
	locals := map[string]map[string]map[string]any{}
	local := func(name string) (map[string]map[string]any, error) {
		if l, ok := locals[name]; ok {
			return l, nil
		}
		var l map[string]map[string]any
		if err := DecodeLocal(doc, name, &l); err != nil {
			return nil, err
		}
		locals[name] = l
		return l, nil
	}
	forEach, _ := attributes["for_each"].(string)
	name, ok := strings.CutPrefix(forEach, "${local.")
	name, ok2 := strings.CutSuffix(name, "}")
	if !ok || !ok2 {
		return nil, fmt.Errorf("for_each = %v: not a local", attributes["for_each"])
	}
	values, err := local(name)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for key, value := range values {
		instance := map[string]any{}
		for attribute, expression := range attributes {
			if attribute == "for_each" || attribute == "//" {
				continue
			}
			text, _ := expression.(string)
			m := instanceExpression.FindStringSubmatch(text)
			switch {
			case m == nil:
				// A value the same for every instance (the routing).
				instance[attribute] = expression
			case m[1] != "":
				instance[attribute] = value[m[1]]
			default:
				l, entry, field, optional := m[2], m[3], m[4], false
				if m[5] != "" {
					l, entry, field, optional = m[5], m[6], m[7], true
				}
				entries, err := local(l)
				if err != nil {
					return nil, err
				}
				v, set := entries[fmt.Sprint(value[entry])][field]
				switch {
				case set:
					instance[attribute] = v
				case !optional:
					return nil, fmt.Errorf("%s[%q]: %s = %s: local.%s[%v] has no %s", name, key, attribute, text, l, value[entry], field)
				}
			}
		}
		out[key] = instance
	}
	return out, nil
}

// DecodeLocal reads a local that the stack writes as jsondecode of a JSON
// text ("${jsondecode(\"…\")}") into v.
func DecodeLocal(doc map[string]any, name string, v any) error {
	text, _ := dig(doc, "locals", name).(string)
	inner, ok := strings.CutPrefix(text, "${jsondecode(")
	inner, ok2 := strings.CutSuffix(inner, ")}")
	if !ok || !ok2 {
		return fmt.Errorf("local %s is not jsondecode of a string: %.80s", name, text)
	}
	literal, err := strconv.Unquote(strings.NewReplacer("$${", "${", "%%{", "%{").Replace(inner))
	if err != nil {
		return fmt.Errorf("local %s: %v", name, err)
	}
	if err := json.Unmarshal([]byte(literal), v); err != nil {
		return fmt.Errorf("local %s: %v", name, err)
	}
	return nil
}

// dig follows keys through nested objects; nil when one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// DescribedAlarm is the alarm, one on a metric, as DescribeAlarms returns
// it once deployed (in state OK): what fakes of CloudWatch answer with.
func DescribedAlarm(a alarms.Alarm) cwtypes.MetricAlarm {
	m := cwtypes.MetricAlarm{
		AlarmName: aws.String(a.Name), AlarmDescription: aws.String(a.Description),
		Namespace: aws.String(a.Namespace), MetricName: aws.String(a.Metric), Statistic: cwtypes.Statistic(a.Statistic),
		Period: aws.Int32(int32(a.Period)), EvaluationPeriods: aws.Int32(int32(a.EvaluationPeriods)),
		Threshold: aws.Float64(a.Threshold), ComparisonOperator: cwtypes.ComparisonOperator(a.Comparison),
		TreatMissingData: aws.String(a.TreatMissingData), StateValue: cwtypes.StateValueOk,
	}
	if a.DatapointsToAlarm > 0 {
		m.DatapointsToAlarm = aws.Int32(int32(a.DatapointsToAlarm))
	}
	for _, d := range a.Dimensions {
		m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	return m
}
