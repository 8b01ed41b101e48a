package evaluator

import (
	"bytes"
	"math"
	"strconv"
	"time"
)

// reasonListed is how many datapoints a reason lists, newest first.
const reasonListed = 5

// reason words a transition the way CloudWatch words its StateReason, for
// example (from the guide's page "How partial data from a Metrics Insights
// query is evaluated"): "Threshold Crossed: 3 out of the last 3 datapoints
// [20000.0 (08/11/22 11:25:00), 20000.0 (08/11/22 11:24:00), 20000.0
// (08/11/22 11:23:00)] were greater than the threshold (0.0) (minimum 1
// datapoint for OK -> ALARM transition)." It is built only for transitions.
//
// The evaluated points are the have points before k, breaching of which
// breach.
func (r *rules) reason(points []Point, t int64, decided how, k, have, breaching int, from, to State) string {
	evaluated := points[k-have : k]
	missing := r.n - len(evaluated)
	if r.contributor {
		from, to = okOrAlarm(from == Alarm), okOrAlarm(to == Alarm)
	}
	if r.buf == nil {
		r.buf = make([]byte, 0, 512)
	}
	b := r.buf[:0]
	switch {
	case decided == byNothing && len(evaluated) == 0:
		b = append(b, "Insufficient Data: "...)
		b = count(b, r.rng, "datapoint was", "datapoints were")
		b = append(b, " unknown."...)
	case decided == byNothing:
		b = append(b, "Insufficient Data: "...)
		b = r.outOf(b, breaching, evaluated, "")
		b = append(b, ", fewer than "...)
		b = strconv.AppendInt(b, int64(r.m), 10)
		b = append(b, " and too recent to alarm on, and "...)
		b = count(b, r.rng-len(evaluated), "datapoint was", "datapoints were")
		b = append(b, " unknown."...)
	case decided == byFill && len(evaluated) == 0:
		b = append(b, "Threshold Crossed: no datapoints were received for "...)
		b = count(b, r.rng, "period", "periods")
		b = append(b, " and "...)
		b = count(b, missing, "missing datapoint was", "missing datapoints were")
		b = append(b, " treated as ["...)
		b = append(b, r.fill()...)
		b = append(b, "]."...)
	case decided == byEarly:
		b = append(b, "Threshold Crossed: "...)
		b = r.outOf(b, breaching, evaluated, "")
		b = append(b, ", the oldest "...)
		b = count(b, int((t-evaluated[0].Time.Unix())/r.period), "period", "periods")
		b = append(b, " ago, and no more recent datapoint was received"...)
		b = minimumFor(b, r.m, from, to)
		b = append(b, ": the oldest breaching datapoint is at least that many periods old)."...)
	default:
		counted, not, minimum := breaching, "", r.m
		if to == OK {
			counted, not, minimum = len(evaluated)-breaching, "not ", r.n-r.m+1
		}
		b = append(b, "Threshold Crossed: "...)
		b = r.outOf(b, counted, evaluated, not)
		switch {
		case missing > 0 && decided == byFill:
			b = append(b, ", and "...)
			b = count(b, missing, "missing datapoint was", "missing datapoints were")
			b = append(b, " treated as ["...)
			b = append(b, r.fill()...)
			b = append(b, ']')
		case missing > 0:
			b = append(b, ", and "...)
			b = count(b, missing, "datapoint was missing", "datapoints were missing")
		}
		b = minimumFor(b, minimum, from, to)
		b = append(b, ")."...)
	}
	r.buf = b
	return string(b)
}

// outOf is "c out of the last n datapoints [list] was (not) <op> the
// threshold (t)".
func (r *rules) outOf(b []byte, c int, evaluated []Point, not string) []byte {
	b = strconv.AppendInt(b, int64(c), 10)
	b = append(b, " out of the last "...)
	b = strconv.AppendInt(b, int64(len(evaluated)), 10)
	b = append(b, " datapoints "...)
	b = list(b, evaluated)
	if c == 1 {
		b = append(b, " was "...)
	} else {
		b = append(b, " were "...)
	}
	b = append(b, not...)
	b = append(b, r.a.Comparison.Words()...)
	b = append(b, " the threshold ("...)
	b = number(b, r.a.Threshold)
	return append(b, ')')
}

// minimumFor is " (minimum n datapoints for FROM -> TO transition", to be
// closed.
func minimumFor(b []byte, minimum int, from, to State) []byte {
	b = append(b, " (minimum "...)
	b = count(b, minimum, "datapoint", "datapoints")
	b = append(b, " for "...)
	b = append(b, from.String()...)
	b = append(b, " -> "...)
	b = append(b, to.String()...)
	return append(b, " transition"...)
}

func (r *rules) fill() string {
	if r.treat == treatBreaching {
		return "Breaching"
	}
	return "NonBreaching"
}

// list is "[v (dd/mm/yy hh:mm:ss), …]", newest first, at most reasonListed.
func list(b []byte, points []Point) []byte {
	b = append(b, '[')
	for i := len(points) - 1; i >= 0; i-- {
		if len(points)-1-i == reasonListed {
			b = append(b, ", ..."...)
			break
		}
		if i < len(points)-1 {
			b = append(b, ", "...)
		}
		b = number(b, points[i].Value)
		b = append(b, " ("...)
		b = stamp(b, points[i].Time)
		b = append(b, ')')
	}
	return append(b, ']')
}

// number formats a value as CloudWatch does: always with a decimal point.
func number(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		b = strconv.AppendInt(b, int64(v), 10)
		return append(b, ".0"...)
	}
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', -1, 64)
	if !math.IsInf(v, 0) && !math.IsNaN(v) && !bytes.ContainsRune(b[n:], '.') {
		b = append(b, ".0"...)
	}
	return b
}

func count(b []byte, n int, one, many string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	if n == 1 {
		return append(b, one...)
	}
	return append(b, many...)
}

// stamp is the time as CloudWatch's reasons show it, dd/mm/yy hh:mm:ss
// ("02/01/06 15:04:05") in UTC, from its Unix seconds: the civil date of a
// day number (H. Hinnant's days_from_civil inverse), cheaper than
// Time.Date and Time.Clock.
func stamp(b []byte, t time.Time) []byte {
	sec := t.Unix()
	days, s := floorDiv(sec, 86400), sec-floorDiv(sec, 86400)*86400
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	for i, v := range [...]int64{d, m, ((y % 100) + 100) % 100, s / 3600, s / 60 % 60, s % 60} {
		if i > 0 {
			b = append(b, "// ::"[i-1])
		}
		b = append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return b
}
