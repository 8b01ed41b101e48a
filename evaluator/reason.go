package evaluator

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// reasonListed is how many datapoints a reason lists, newest first.
const reasonListed = 5

// reason words a transition the way CloudWatch words its StateReason, for
// example (from the guide's page "How partial data from a Metrics Insights
// query is evaluated"): "Threshold Crossed: 3 out of the last 3 datapoints
// [20000.0 (08/11/22 11:25:00), 20000.0 (08/11/22 11:24:00), 20000.0
// (08/11/22 11:23:00)] were greater than the threshold (0.0) (minimum 1
// datapoint for OK -> ALARM transition)." It is built only for transitions.
func (r *rules) reason(points []Point, t int64, decided how, j, k, winB, rangeB int, from, to State) string {
	evaluated, breaching := points[j:k], rangeB
	if decided == byData {
		evaluated, breaching = points[k-r.n:k], winB
	}
	missing := r.n - len(evaluated)
	var b strings.Builder
	switch {
	case decided == byNothing && len(evaluated) == 0:
		fmt.Fprintf(&b, "Insufficient Data: %s unknown.", count(r.rng, "datapoint was", "datapoints were"))
	case decided == byNothing:
		fmt.Fprintf(&b, "Insufficient Data: %d out of the last %d datapoints %s %s %s the threshold (%s), fewer than %d and too recent to alarm on, and %s unknown.",
			breaching, len(evaluated), list(evaluated), verb(breaching), r.op(), number(r.a.Threshold), r.m,
			count(r.rng-len(evaluated), "datapoint was", "datapoints were"))
	case decided == byFill && len(evaluated) == 0:
		fmt.Fprintf(&b, "Threshold Crossed: no datapoints were received for %s and %s treated as [%s].",
			count(r.rng, "period", "periods"), count(missing, "missing datapoint was", "missing datapoints were"), r.fill())
	case decided == byEarly:
		fmt.Fprintf(&b, "Threshold Crossed: %d out of the last %d datapoints %s %s %s the threshold (%s), the oldest %s ago, and no more recent datapoint was received (minimum %s for %s -> %s transition: the oldest breaching datapoint is at least that many periods old).",
			breaching, len(evaluated), list(evaluated), verb(breaching), r.op(), number(r.a.Threshold),
			count(int((t-evaluated[0].Time.Unix())/r.period), "period", "periods"),
			count(r.m, "datapoint", "datapoints"), from, to)
	default:
		counted, not, minimum := breaching, "", r.m
		if to == OK {
			counted, not, minimum = len(evaluated)-breaching, "not ", r.n-r.m+1
		}
		fmt.Fprintf(&b, "Threshold Crossed: %d out of the last %d datapoints %s %s %s%s the threshold (%s)",
			counted, len(evaluated), list(evaluated), verb(counted), not, r.op(), number(r.a.Threshold))
		switch {
		case missing > 0 && decided == byFill:
			fmt.Fprintf(&b, ", and %s treated as [%s]", count(missing, "missing datapoint was", "missing datapoints were"), r.fill())
		case missing > 0:
			fmt.Fprintf(&b, ", and %s", count(missing, "datapoint was missing", "datapoints were missing"))
		}
		fmt.Fprintf(&b, " (minimum %s for %s -> %s transition).", count(minimum, "datapoint", "datapoints"), from, to)
	}
	return b.String()
}

func (r *rules) op() string {
	switch r.a.Comparison {
	case alarms.GreaterThanOrEqualToThreshold:
		return "greater than or equal to"
	case alarms.LessThanThreshold:
		return "less than"
	case alarms.LessThanOrEqualToThreshold:
		return "less than or equal to"
	}
	return "greater than"
}

func (r *rules) fill() string {
	if r.treat == treatBreaching {
		return "Breaching"
	}
	return "NonBreaching"
}

// list is "[v (dd/mm/yy hh:mm:ss), …]", newest first, at most reasonListed.
func list(points []Point) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := len(points) - 1; i >= 0; i-- {
		if len(points)-1-i == reasonListed {
			b.WriteString(", ...")
			break
		}
		if i < len(points)-1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", number(points[i].Value), points[i].Time.UTC().Format("02/01/06 15:04:05"))
	}
	b.WriteByte(']')
	return b.String()
}

// number formats a value as CloudWatch does: always with a decimal point.
func number(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !math.IsInf(v, 0) && !math.IsNaN(v) && !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func verb(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
