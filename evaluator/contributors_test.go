package evaluator

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// queryAlarm is testAlarm as a query alarm over every stream.
func queryAlarm(n, m int, comparison alarms.Comparison, threshold float64, treatment string) alarms.Alarm {
	a := testAlarm(n, m, comparison, threshold, treatment)
	a.Query = &alarms.Query{GroupBy: []string{"StreamName"}}
	return a
}

// stream is a series of one datapoint a minute from minute from on, gaps
// (NaN) left out.
func stream(name string, from int, values ...float64) Series {
	return NewSeries([]alarms.Dimension{{Name: "StreamName", Value: name}}, series(from, values...), time.Minute)
}

// repeat is n times v.
func repeat(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// at is a transition without its reason, at a minute, from → to.
func at(m int, from, to State) transition { return transition{minute(m), from, to} }

// contributorOf is the named series' contributor, and whether it went to
// ALARM.
func contributorOf(r QueryResult, series []Series, name string) (Contributor, bool) {
	for _, c := range r.Contributors {
		if dimension(series[c.Series].Dimensions, "StreamName") == name {
			return c, true
		}
	}
	return Contributor{}, false
}

// Each rule of a query alarm, one case each: the contributor's
// transitions, and what a plain replay of the series would have said
// instead, to show the rule at work.
func TestQueryAlarmRules(t *testing.T) {
	O, A, I := OK, Alarm, InsufficientData
	for _, c := range []struct {
		name   string
		alarm  alarms.Alarm
		series Series
		end    int
		want   []transition
		reason map[int]string // a transition's reason starts with, by minute
		plain  []transition   // Evaluate of the series alone
	}{
		{
			"no datapoint in the range: not a contributor, even under breaching",
			queryAlarm(1, 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataBreaching),
			stream("a", 0, append(append(repeat(5, 9), repeat(10, gap)...), repeat(5, 9)...)...), 25,
			[]transition{at(1, O, A), at(8, A, O), at(16, O, A), at(23, A, O)},
			map[int]string{8: "No datapoint in the evaluation range (3 periods)"},
			[]transition{at(1, I, A)},
		},
		{
			"no datapoint in the range under ignore: the state is not kept across it",
			queryAlarm(3, 3, alarms.GreaterThanThreshold, 5, alarms.MissingDataIgnore),
			stream("a", 0, append(append(repeat(3, 9), repeat(17, gap)...), 9)...), 25,
			// At 21 one breaching datapoint, fewer than 3: ignore keeps the
			// state, and the contributor is new: OK.
			[]transition{at(3, O, A), at(8, A, O)},
			map[int]string{8: "No datapoint"},
			[]transition{at(3, I, A)},
		},
		{
			"INSUFFICIENT_DATA counts as OK",
			queryAlarm(3, 3, alarms.GreaterThanThreshold, 5, alarms.MissingDataMissing),
			stream("a", 0, 9, 9, 9, gap, gap, gap, gap, 9), 15,
			// At 8 the only datapoint in the range is too recent to alarm
			// on: INSUFFICIENT_DATA, so OK; at 10 it is old enough.
			[]transition{at(3, O, A), at(8, A, O), at(10, O, A), at(13, A, O)},
			map[int]string{8: "Insufficient Data: 1 out of the last 1 datapoints", 10: "Threshold Crossed: 1 out of the last 1 datapoints", 13: "No datapoint"},
			[]transition{at(3, I, A), at(8, A, I), at(10, I, A), at(13, A, I)},
		},
		{
			"only the latest 3 hours: 180 of 180 periods see the gap, not 182",
			queryAlarm(180, 180, alarms.GreaterThanThreshold, 5, alarms.MissingDataNotBreaching),
			stream("a", -200, append(append(repeat(300, 9), gap), repeat(200, 9)...)...), 300,
			[]transition{at(1, O, A), at(101, A, O), at(281, O, A)},
			map[int]string{101: "Threshold Crossed: 0 out of the last 179 datapoints"},
			[]transition{at(1, I, A)},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			series := []Series{c.series}
			r := EvaluateQuery(c.alarm, series, t0, minute(c.end))
			got, _ := contributorOf(r, series, "a")
			if err := checkTransitions(got.Transitions, c.want); err != nil {
				t.Error(err)
			}
			for m, prefix := range c.reason {
				i := slices.IndexFunc(got.Transitions, func(tr Transition) bool { return tr.Time.Equal(minute(m)) })
				if i < 0 || !strings.HasPrefix(got.Transitions[i].Reason, prefix) {
					t.Errorf("the reason at minute %d does not start with %q: %+v", m, prefix, got.Transitions)
				}
			}
			plain := c.alarm
			plain.Query = nil
			if c.alarm.EvaluationPeriods+ExtraDatapoints > EvaluationRange(c.alarm) {
				plain.EvaluationPeriods = c.alarm.EvaluationPeriods // the same alarm, unclipped
			}
			if err := checkTransitions(Evaluate(plain, c.series.Points(time.Minute), t0, minute(c.end)).Transitions, c.plain); err != nil {
				t.Errorf("a plain replay: %v", err)
			}
			if got.AlarmCount != countInto(c.want) || r.ContributorAlarms != got.AlarmCount {
				t.Errorf("alarm count %d, contributors' %d; want %d", got.AlarmCount, r.ContributorAlarms, countInto(c.want))
			}
		})
	}
}

func countInto(ts []transition) int {
	n := 0
	for _, tr := range ts {
		if tr.to == Alarm {
			n++
		}
	}
	return n
}

// The 3 hours: the evaluation range of a query alarm, and the history to
// fetch, are clipped to them; a plain alarm's are not.
func TestQueryEvaluationRange(t *testing.T) {
	for _, c := range []struct {
		n, period, want int
	}{
		{1, 60, 3}, {15, 60, 17}, {178, 60, 180}, {179, 60, 180}, {180, 60, 180}, {60, 180, 60}, {36, 300, 36},
	} {
		a := queryAlarm(c.n, c.n, alarms.GreaterThanThreshold, 0, "")
		a.Period = c.period
		if got := EvaluationRange(a); got != c.want || History(a) != time.Duration(c.want*c.period)*time.Second {
			t.Errorf("%d × %d s: range %d, history %s; want %d", c.n, c.period, got, History(a), c.want)
		}
		a.Query = nil
		if got := EvaluationRange(a); got != c.n+ExtraDatapoints {
			t.Errorf("%d × %d s, not a query: range %d, want %d", c.n, c.period, got, c.n+ExtraDatapoints)
		}
	}
}

// Check refuses what a query alarm cannot be, with the reason.
func TestCheckQueryAlarm(t *testing.T) {
	ok := queryAlarm(15, 15, alarms.GreaterThanThreshold, 0, "")
	if err := Check(ok); err != nil {
		t.Fatalf("refused: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(*alarms.Alarm)
		want   string
	}{
		{"a percentile", func(a *alarms.Alarm) { a.Statistic = "p99" }, "has no Metrics Insights function"},
		{"no group", func(a *alarms.Alarm) { a.Query = &alarms.Query{} }, "groups by no dimension"},
		{"30 s", func(a *alarms.Alarm) { a.Period = 30 }, "period 30 s is not a whole number of minutes"},
		{"3 h 1 min", func(a *alarms.Alarm) { a.EvaluationPeriods, a.DatapointsToAlarm = 181, 181 }, "181 evaluation periods of 60 s are longer than the 3h0m0s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := ok
			c.change(&a)
			if err := Check(a); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Check: %v, want an error with %q", err, c.want)
			}
		})
	}
}

// filler is n series named s000, s001, … of value v every minute from
// minute from to minute to.
func filler(n, from, to int, v float64) []Series {
	var out []Series
	for i := range n {
		out = append(out, stream(fmt.Sprintf("s%03d", i), from, repeat(to-from, v)...))
	}
	return out
}

// ORDER BY and LIMIT at each evaluation: with 500 other streams always
// breaching, a breaching stream is a contributor only while the query's
// SUM over the evaluation range places it among the first 500.
func TestQueryLimitAtEachEvaluation(t *testing.T) {
	a := queryAlarm(1, 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataNotBreaching)
	a.Statistic = "Sum"
	O, A := OK, Alarm
	// The others' SUM over the 3 periods of the range is 24; this one's is
	// 21 until minute 10, 9 a minute from 10 to 19, then 7 again.
	special := append(append(repeat(13, 7), repeat(10, 9)...), repeat(10, 7)...)
	for _, c := range []struct {
		name   string
		series Series
		want   []transition
	}{
		// At 12 the range (9, 10, 11) sums 7+9+9 = 25: among the first
		// 500; at 11 (8, 9, 10) 23 was not. At 22 (19, 20, 21) 9+7+7 = 23:
		// out again.
		{"outside the LIMIT, then inside, then out", stream("zz", -3, special...), []transition{at(12, O, A), at(22, A, O)}},
		// A SUM equal to the others': the GROUP BY's alphabetical order
		// decides.
		{"a tie, first in the GROUP BY's order: inside", stream("a", -3, repeat(33, 8)...), []transition{at(1, O, A)}},
		{"a tie, last in the GROUP BY's order: outside", stream("zz", -3, repeat(33, 8)...), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			series := append(filler(alarms.QueryLimit, -3, 30, 8), c.series)
			r := EvaluateQuery(a, series, t0, minute(30))
			name := dimension(c.series.Dimensions, "StreamName")
			got, _ := contributorOf(r, series, name)
			if err := checkTransitions(got.Transitions, c.want); err != nil {
				t.Error(err)
			}
			if len(c.want) > 1 && !strings.Contains(got.Transitions[1].Reason, "501 time series had data, and ORDER BY SUM() DESC over the evaluation range placed this one after the first 500 (LIMIT 500)") {
				t.Errorf("the reason of leaving: %q", got.Transitions[1].Reason)
			}
			if r.Limited != 30 || r.Series != 501 {
				t.Errorf("%d evaluations limited, %d series; want 30, 501", r.Limited, r.Series)
			}
		})
	}
}

// The query's function orders the series: each of the five, in the
// comparison's direction, picks another stream when one is returned.
func TestQueryOrderByFunction(t *testing.T) {
	// Over the range of the one evaluation (periods 0, 1, 2): a is 5, 5, 5;
	// b is 1, 1, 10; c has one datapoint, 20.
	series := []Series{stream("a", 0, 5, 5, 5), stream("b", 0, 1, 1, 10), stream("c", 2, 20)}
	for _, c := range []struct {
		statistic  string
		comparison alarms.Comparison
		want       string
	}{
		{"Sum", alarms.GreaterThanThreshold, "c"},           // 15, 12, 20
		{"Sum", alarms.LessThanThreshold, "b"},              // the least: 12
		{"Maximum", alarms.GreaterThanThreshold, "c"},       // 5, 10, 20
		{"Minimum", alarms.LessThanOrEqualToThreshold, "b"}, // 5, 1, 20
		{"Average", alarms.GreaterThanThreshold, "c"},       // 5, 4, 20
		{"Average", alarms.LessThanThreshold, "b"},          // 4
		{"SampleCount", alarms.GreaterThanThreshold, "c"},   // the sum of the counts: 20 observations, not 1 datapoint
		{"SampleCount", alarms.LessThanThreshold, "b"},      // 12 observations
	} {
		t.Run(c.statistic+" "+string(c.comparison), func(t *testing.T) {
			a := queryAlarm(1, 1, c.comparison, 0, alarms.MissingDataNotBreaching)
			a.Statistic = c.statistic
			if !c.comparison.Greater() {
				a.Threshold = 100 // every value breaches
			}
			r := evaluateQuery(a, series, minute(2), minute(3), 1)
			var got []string
			for _, k := range r.Contributors {
				got = append(got, dimension(series[k.Series].Dimensions, "StreamName"))
			}
			if !slices.Equal(got, []string{c.want}) {
				t.Errorf("contributors in ALARM %v, want [%s]", got, c.want)
			}
		})
	}
}

// The alarm's own state: ALARM while at least one contributor is, with
// CloudWatch's reasons; the contributors' ALARMs all counted.
func TestQueryAlarmState(t *testing.T) {
	a := queryAlarm(1, 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataNotBreaching)
	series := []Series{
		stream("a", -3, append(append(repeat(5, 0), repeat(5, 9)...), repeat(10, 0)...)...),  // breaching 2-6: ALARM 3-8
		stream("b", -3, append(append(repeat(7, 0), repeat(7, 9)...), repeat(10, 0)...)...),  // 4-10: ALARM 5-12
		stream("c", -3, append(append(repeat(17, 0), repeat(3, 9)...), repeat(10, 0)...)...), // 14-16: ALARM 15-18
	}
	r := EvaluateQuery(a, series, t0, minute(25))
	O, A, I := OK, Alarm, InsufficientData
	if err := checkTransitions(r.Transitions, []transition{at(1, I, O), at(3, O, A), at(12, A, O), at(15, O, A), at(18, A, O)}); err != nil {
		t.Error(err)
	}
	var reasons []string
	for _, tr := range r.Transitions {
		reasons = append(reasons, tr.Reason)
	}
	want := []string{"0 out of 3 time series evaluated to ALARM", "1 out of 3 time series evaluated to ALARM", "0 out of 3 time series evaluated to ALARM",
		"1 out of 3 time series evaluated to ALARM", "0 out of 3 time series evaluated to ALARM"}
	if !slices.Equal(reasons, want) {
		t.Errorf("reasons %q\nwant %q", reasons, want)
	}
	if r.AlarmCount != 2 || r.ContributorAlarms != 3 || len(r.Contributors) != 3 || r.MostInAlarm != 2 || r.TimeInAlarm != 12*time.Minute || r.Final != OK {
		t.Errorf("alarm %d times, contributors %d times by %d, at most %d at once, %s in ALARM, final %s; want 2, 3 by 3, 2, 12m, OK",
			r.AlarmCount, r.ContributorAlarms, len(r.Contributors), r.MostInAlarm, r.TimeInAlarm, r.Final)
	}
	// More than 100 in ALARM at once: CloudWatch's "100+".
	many := filler(101, -3, 10, 9)
	r = EvaluateQuery(a, many, t0, minute(5))
	if len(r.Transitions) != 1 || r.Transitions[0].Reason != "100+ time series evaluated to ALARM" || r.MostInAlarm != 101 {
		t.Errorf("101 in ALARM: %+v, most %d", r.Transitions, r.MostInAlarm)
	}
	// No series at all: OK, no contributor.
	r = EvaluateQuery(a, nil, t0, minute(5))
	if len(r.Transitions) != 1 || r.Final != OK || r.Transitions[0].Reason != "The query returned no time series." || len(r.Contributors) != 0 {
		t.Errorf("no series: %+v", r)
	}
}

// NewSeries and Points are each other's inverse on datapoints Evaluate
// takes as they are.
func TestSeriesPoints(t *testing.T) {
	points := series(-3, 1, gap, 3, 4, gap, gap, 7)
	s := NewSeries(nil, points, time.Minute)
	if len(s.Values) != 7 || !s.Start.Equal(minute(-3)) || !math.IsNaN(s.Values[1]) {
		t.Errorf("NewSeries: %+v", s)
	}
	if got := s.Points(time.Minute); !slices.Equal(got, points) {
		t.Errorf("Points: %v, want %v", got, points)
	}
	// Moved back to the start of its period, the later of two kept.
	s = NewSeries(nil, []Point{{minute(1).Add(50 * time.Second), 2}, {minute(1).Add(10 * time.Second), 1}}, time.Minute)
	if len(s.Values) != 1 || s.Values[0] != 2 || !s.Start.Equal(minute(1)) {
		t.Errorf("NewSeries of two datapoints of a period: %+v", s)
	}
	if got := NewSeries(nil, nil, time.Minute); len(got.Values) != 0 || len(got.Points(time.Minute)) != 0 {
		t.Errorf("no datapoints: %+v", got)
	}
}

// referenceQuery replays the query alarm by brute force: at each
// evaluation it lists the series with a datapoint in the range, sorts them
// all by the query's function and name, keeps the first limit, and replays
// each one kept afresh from the evaluation since which it has been kept,
// with Evaluate. It returns each series' state after each evaluation (O or
// A) and the alarm's.
func referenceQuery(a alarms.Alarm, series []Series, start, end time.Time, limit int) ([]string, string) {
	p := a.PeriodDuration()
	rng := time.Duration(EvaluationRange(a)) * p
	fn, _ := alarms.QueryFunction(a.Statistic)
	first := start.Truncate(p).Add(p)
	points := make([][]Point, len(series))
	for i, s := range series {
		points[i] = s.Points(p)
	}
	states := make([]strings.Builder, len(series))
	var alarm strings.Builder
	keptSince := make([]time.Time, len(series)) // zero: not kept
	for t := first; !t.After(end); t = t.Add(p) {
		type candidate struct {
			i    int
			name string
			key  float64
		}
		var with []candidate
		for i, pts := range points {
			var values []float64
			for _, pt := range pts {
				if !pt.Time.Before(t.Add(-rng)) && pt.Time.Before(t) {
					values = append(values, pt.Value)
				}
			}
			if len(values) == 0 {
				continue
			}
			var v float64
			switch fn {
			case "SUM", "COUNT":
				for _, x := range values {
					v += x
				}
			case "AVG":
				for _, x := range values {
					v += x
				}
				v /= float64(len(values))
			case "MAX":
				v = slices.Max(values)
			case "MIN":
				v = slices.Min(values)
			}
			if a.Comparison.Greater() {
				v = -v
			}
			with = append(with, candidate{i, dimension(series[i].Dimensions, "StreamName"), v})
		}
		slices.SortFunc(with, func(x, y candidate) int {
			return cmp.Or(cmp.Compare(x.key, y.key), strings.Compare(x.name, y.name))
		})
		kept := make([]bool, len(series))
		for _, c := range with[:min(limit, len(with))] {
			kept[c.i] = true
		}
		any := false
		for i := range series {
			if !kept[i] {
				keptSince[i] = time.Time{}
				states[i].WriteByte('O')
				continue
			}
			if keptSince[i].IsZero() {
				keptSince[i] = t
			}
			if Evaluate(a, points[i], keptSince[i].Add(-p), t).Final == Alarm {
				states[i].WriteByte('A')
				any = true
			} else {
				states[i].WriteByte('O')
			}
		}
		if any {
			alarm.WriteByte('A')
		} else {
			alarm.WriteByte('O')
		}
	}
	out := make([]string, len(series))
	for i := range states {
		out[i] = states[i].String()
	}
	return out, alarm.String()
}

// statesOf is the state after each evaluation of (start, end] by the
// transitions, one letter each, starting from OK.
func statesOf(transitions []Transition, start, end time.Time, p time.Duration) string {
	var b strings.Builder
	state, k := OK, 0
	for t := start.Truncate(p).Add(p); !t.After(end); t = t.Add(p) {
		for k < len(transitions) && !transitions[k].Time.After(t) {
			state = transitions[k].To
			k++
		}
		b.WriteByte(state.String()[0])
	}
	return b.String()
}

// checkQueryStates compares EvaluateQuery's states with the reference's.
func checkQueryStates(r QueryResult, want []string, wantAlarm string, start, end time.Time, p time.Duration) error {
	got := make([]string, len(want))
	for i := range got {
		got[i] = strings.Repeat("O", len(wantAlarm))
	}
	for _, c := range r.Contributors {
		got[c.Series] = statesOf(c.Transitions, start, end, p)
	}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("series %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if gotAlarm := statesOf(r.Transitions, start, end, p); gotAlarm != wantAlarm {
		return fmt.Errorf("the alarm:\n got %s\nwant %s", gotAlarm, wantAlarm)
	}
	return nil
}

// randomFleet is 1 to 6 streams with datapoints of small values (many
// ties), gaps, and some that start late or stop early.
func randomFleet(rng *rand.Rand) []Series {
	var out []Series
	for i := range 1 + rng.IntN(6) {
		from, to := -8+rng.IntN(20), 20+rng.IntN(30)
		gaps := rng.Float64() * 0.6
		var values []float64
		for range to - from {
			if rng.Float64() < gaps {
				values = append(values, gap)
			} else {
				values = append(values, float64(rng.IntN(6)))
			}
		}
		out = append(out, stream(fmt.Sprintf("s%d", (i*7)%10), from, values...))
	}
	return out
}

// EvaluateQuery agrees with the brute-force reference, evaluation by
// evaluation, on random fleets, alarms and LIMITs.
func TestEvaluateQueryMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 5))
	start, end := t0, minute(45)
	for i := range 400 {
		a := randomAlarm(rng, i)
		a.Query = &alarms.Query{GroupBy: []string{"StreamName"}}
		a.Statistic = alarms.Statistics[rng.IntN(len(alarms.Statistics))]
		a.Threshold = float64(rng.IntN(6))
		fleet := randomFleet(rng)
		limit := 1 + rng.IntN(4)
		want, wantAlarm := referenceQuery(a, fleet, start, end, limit)
		r := evaluateQuery(a, fleet, start, end, limit)
		if err := checkQueryStates(r, want, wantAlarm, start, end, time.Minute); err != nil {
			t.Fatalf("case %d, %+v, %s, LIMIT %d: %v", i, a, a.Statistic, limit, err)
		}
	}
}

// The comparison sees a difference: a reference without the LIMIT, or one
// that keeps a series' state across its absences, disagrees with
// EvaluateQuery where those rules matter.
func TestQueryReferenceChecksFail(t *testing.T) {
	start, end := t0, minute(30)
	// Two streams both breaching, LIMIT 1: the reference without the LIMIT
	// has both in ALARM.
	a := queryAlarm(1, 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataNotBreaching)
	fleet := []Series{stream("a", -3, repeat(33, 9)...), stream("b", -3, repeat(33, 8)...)}
	r := evaluateQuery(a, fleet, start, end, 1)
	unlimited, unlimitedAlarm := referenceQuery(a, fleet, start, end, 2)
	if checkQueryStates(r, unlimited, unlimitedAlarm, start, end, time.Minute) == nil {
		t.Error("a reference without the LIMIT agrees")
	}
	want, wantAlarm := referenceQuery(a, fleet, start, end, 1)
	if err := checkQueryStates(r, want, wantAlarm, start, end, time.Minute); err != nil {
		t.Errorf("the reference with the LIMIT disagrees: %v", err)
	}
	// Under ignore, a replay that keeps the state across an absence (a
	// plain Evaluate) is ALARM where the contributor is OK.
	a = queryAlarm(3, 3, alarms.GreaterThanThreshold, 5, alarms.MissingDataIgnore)
	fleet = []Series{stream("a", 0, append(append(repeat(3, 9), repeat(17, gap)...), 9)...)}
	r = EvaluateQuery(a, fleet, start, end)
	plain := a
	plain.Query = nil
	kept := statesOf(Evaluate(plain, fleet[0].Points(time.Minute), start, end).Transitions, start, end, time.Minute)
	if checkQueryStates(r, []string{kept}, kept, start, end, time.Minute) == nil {
		t.Error("a reference that keeps the state across an absence agrees")
	}
}

// SuggestQueryThreshold agrees with replays of the fleet at every value
// seen and between them: the least strict threshold at which, with every
// stricter one, no contributor goes to ALARM more than N times.
func TestSuggestQueryThresholdMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 6))
	start, end := t0, minute(45)
	for i := range 60 {
		a := randomAlarm(rng, i)
		a.Query = &alarms.Query{GroupBy: []string{"StreamName"}}
		fleet := randomFleet(rng)
		var all []Point
		for _, s := range fleet {
			all = append(all, s.Points(time.Minute)...)
		}
		thresholds := thresholdsAround(all)
		for maxAlarms := range 3 {
			got, gotOK := SuggestQueryThreshold(a, fleet, start, end, maxAlarms)
			want, wantOK := bruteForceQuery(a, fleet, start, end, maxAlarms, thresholds)
			if err := checkSuggestion(got, gotOK, want, wantOK); err != nil {
				t.Errorf("case %d, %+v, at most %d: %v", i, a, maxAlarms, err)
			}
		}
	}
}

// bruteForceQuery is bruteForce for a query alarm: the most ALARMs of any
// contributor, by EvaluateQuery at each threshold.
func bruteForceQuery(a alarms.Alarm, fleet []Series, start, end time.Time, maxAlarms int, thresholds []float64) (float64, bool) {
	most := func(th float64) int {
		a.Threshold = th
		n := 0
		for _, c := range EvaluateQuery(a, fleet, start, end).Contributors {
			n = max(n, c.AlarmCount)
		}
		return n
	}
	best, ok := 0.0, false
	for _, th := range stricterFirst(a.Comparison, thresholds) {
		if most(th) > maxAlarms {
			return best, ok
		}
		best, ok = th, true
	}
	if !ok {
		return 0, false
	}
	if a.Comparison.Greater() {
		return math.Inf(-1), true
	}
	return math.Inf(1), true
}

// Where the query does not return a series its contributor is OK whatever
// the threshold: the suggestion counts the ALARMs of the contributor, which
// one plain replay of the series does not give.
func TestSuggestQueryThresholdHoldsAbsencesOK(t *testing.T) {
	a := queryAlarm(1, 1, alarms.GreaterThanThreshold, 0, alarms.MissingDataBreaching)
	// Two bursts of 9 apart by a gap: under breaching a plain replay stays
	// in ALARM through the gap (one ALARM); the contributor leaves the
	// query's result and comes back (two).
	fleet := []Series{stream("a", 0, append(append(repeat(3, 9), repeat(10, gap)...), repeat(3, 9)...)...)}
	start, end := t0, minute(20)
	if got, ok := SuggestQueryThreshold(a, fleet, start, end, 1); !ok || got != 9 {
		t.Errorf("at most 1: %v, %v; want 9 (the two bursts breach anything below)", got, ok)
	}
	plain := a
	plain.Query = nil
	if got, ok := SuggestThreshold(plain, fleet[0].Points(time.Minute), start, end, 1); ok && got == 9 {
		t.Error("a plain replay gives the same answer: the case does not show the stretches")
	}
}
