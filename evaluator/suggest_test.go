package evaluator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// stricterFirst orders thresholds from the strictest: decreasing for the
// GreaterThan operators, increasing for the LessThan ones.
func stricterFirst(comparison alarms.Comparison, thresholds []float64) []float64 {
	ts := slices.Clone(thresholds)
	slices.Sort(ts)
	if comparison.Greater() {
		slices.Reverse(ts)
	}
	return ts
}

// bruteForce is the least strict of the thresholds such that it and every
// stricter one of them gives at most maxAlarms, by replaying the alarm at
// each; ±Inf when all of them qualify.
func bruteForce(a alarms.Alarm, points []Point, start, end time.Time, maxAlarms int, thresholds []float64) (float64, bool) {
	ts := stricterFirst(a.Comparison, thresholds)
	best, ok := 0.0, false
	for _, th := range ts {
		a.Threshold = th
		if Evaluate(a, points, start, end).AlarmCount > maxAlarms {
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

func checkSuggestion(got float64, gotOK bool, want float64, wantOK bool) error {
	if gotOK != wantOK || (wantOK && got != want) {
		return fmt.Errorf("SuggestThreshold = %v, %v; want %v, %v", got, gotOK, want, wantOK)
	}
	return nil
}

// checkCounts compares the profile's count of ALARM transitions with a
// replay at each threshold.
func checkCounts(a alarms.Alarm, points []Point, start, end time.Time, thresholds []float64) error {
	p := profileOf(a, points, start, end)
	for _, th := range thresholds {
		a.Threshold = th
		if got, want := p.countAt(th), Evaluate(a, points, start, end).AlarmCount; got != want {
			return fmt.Errorf("threshold %v: the profile counts %d ALARM transitions, the replay %d", th, got, want)
		}
	}
	return nil
}

// randomAlarm is an alarm of 1 to 4 evaluation periods with every operator
// and treatment in turn.
func randomAlarm(rng *rand.Rand, i int) alarms.Alarm {
	n := 1 + rng.IntN(4)
	return testAlarm(n, 1+rng.IntN(n), alarms.ComparisonOperators[i%4], 0, alarms.MissingDataTreatments[i/4%4])
}

// SuggestThreshold and the count behind it agree with replays at every
// value seen, the floats next to them and beyond them: the thresholds where
// the breach pattern changes and one inside each stretch between them.
func TestSuggestThresholdMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 64 {
		a := randomAlarm(rng, i)
		points := randomPoints(rng, -10, 60, rng.Float64()*0.5)
		start, end := t0, minute(60)
		thresholds := thresholdsAround(points)
		if err := checkCounts(a, points, start, end, thresholds); err != nil {
			t.Errorf("%+v: %v", a, err)
			continue
		}
		for maxAlarms := range 4 {
			got, gotOK := SuggestThreshold(a, points, start, end, maxAlarms)
			want, wantOK := bruteForce(a, points, start, end, maxAlarms, thresholds)
			if err := checkSuggestion(got, gotOK, want, wantOK); err != nil {
				t.Errorf("%+v, at most %d: %v", a, maxAlarms, err)
			}
		}
	}
}

// The checks report a difference.
func TestSuggestChecksFail(t *testing.T) {
	if checkSuggestion(5, true, 4, true) == nil || checkSuggestion(5, true, 5, false) == nil {
		t.Error("checkSuggestion reported no difference")
	}
	if checkSuggestion(0, false, 7, false) != nil {
		t.Error("checkSuggestion compared the threshold of no answer")
	}
	// A profile of another alarm does not count like this one.
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 0, alarms.MissingDataNotBreaching)
	points := series(0, 5, 3, 5)
	other := a
	other.Comparison = alarms.GreaterThanOrEqualToThreshold
	p := profileOf(other, points, t0, minute(4))
	a.Threshold = 5
	if p.countAt(5) == Evaluate(a, points, t0, minute(4)).AlarmCount {
		t.Error("the check would not see a profile that counts at the wrong side of a value")
	}
	if checkCounts(a, points, t0, minute(4), []float64{4, 5, 6}) != nil {
		t.Error("checkCounts reported a difference for the right profile")
	}
}

// Raising the threshold can split one ALARM episode into two, so the
// suggestion is the least strict threshold above which every threshold
// keeps within the limit, not the least strict one that does.
func TestSuggestThresholdNotMonotone(t *testing.T) {
	for _, c := range []struct {
		comparison alarms.Comparison
		values     []float64
		// counts at thresholds
		at     []float64
		counts []int
		want   float64
	}{
		// 5 3 5: below 3 one episode, from 3 to 5 two, from 5 none.
		{alarms.GreaterThanThreshold, []float64{5, 3, 5}, []float64{2, 3, 4, 5}, []int{1, 2, 2, 0}, 5},
		{alarms.GreaterThanOrEqualToThreshold, []float64{5, 3, 5}, []float64{3, 4, 5, math.Nextafter(5, 6)}, []int{1, 2, 2, 0}, math.Nextafter(5, 6)},
		{alarms.LessThanThreshold, []float64{1, 3, 1}, []float64{4, 3, 2, 1}, []int{1, 2, 2, 0}, 1},
		{alarms.LessThanOrEqualToThreshold, []float64{1, 3, 1}, []float64{3, 2, 1, math.Nextafter(1, 0)}, []int{1, 2, 2, 0}, math.Nextafter(1, 0)},
	} {
		a := testAlarm(1, 1, c.comparison, 0, alarms.MissingDataNotBreaching)
		points := series(0, c.values...)
		for i, th := range c.at {
			a.Threshold = th
			if n := Evaluate(a, points, t0, minute(4)).AlarmCount; n != c.counts[i] {
				t.Errorf("%s %v at %v: %d ALARM transitions, want %d", c.comparison, c.values, th, n, c.counts[i])
			}
		}
		got, ok := SuggestThreshold(a, points, t0, minute(4), 1)
		if err := checkSuggestion(got, ok, c.want, true); err != nil {
			t.Errorf("%s %v: %v", c.comparison, c.values, err)
		}
		a.Threshold = got
		if n := Evaluate(a, points, t0, minute(4)).AlarmCount; n != 0 {
			t.Errorf("%s at the suggestion %v: %d ALARM transitions", c.comparison, got, n)
		}
		// Two alarms: every threshold qualifies.
		got, ok = SuggestThreshold(a, points, t0, minute(4), 2)
		unbounded := math.Inf(-1)
		if !c.comparison.Greater() {
			unbounded = math.Inf(1)
		}
		if err := checkSuggestion(got, ok, unbounded, true); err != nil {
			t.Errorf("%s %v, 2 alarms: %v", c.comparison, c.values, err)
		}
	}
}

// Missing data treated as breaching alarms whatever the threshold: then no
// threshold keeps to zero alarms.
func TestSuggestThresholdBreaching(t *testing.T) {
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 0, alarms.MissingDataBreaching)
	if got, ok := SuggestThreshold(a, nil, t0, minute(60), 0); ok {
		t.Errorf("no data, breaching: %v, want none", got)
	}
	got, ok := SuggestThreshold(a, nil, t0, minute(60), 1)
	if err := checkSuggestion(got, ok, math.Inf(-1), true); err != nil {
		t.Errorf("no data, breaching, 1 alarm: %v", err)
	}
	// A gap of four minutes (longer than the evaluation range of 3) in a
	// series of good values.
	points := series(-3, 0, 0, 0, 0, 0, gap, gap, gap, gap, 0, 0, 0)
	if got, ok := SuggestThreshold(a, points, t0, minute(20), 0); ok {
		t.Errorf("a gap, breaching: %v, want none", got)
	}
	if _, ok := SuggestThreshold(a, points, t0, minute(20), -1); ok {
		t.Error("a negative number of alarms has a suggestion")
	}
}

// The stack's alarm over a day of throttled writes: no ALARM at all needs a
// threshold at the highest sum of a minute, and allowing the minutes that
// reached it lowers the threshold to the next highest.
func TestSuggestThresholdStackAlarm(t *testing.T) {
	a := alarms.Alarm{
		Name: "xfusion-kinesis-alarm", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
		Comparison: alarms.GreaterThanThreshold, TreatMissingData: alarms.MissingDataNotBreaching,
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var points []Point
	for i := range 1440 {
		if rng.IntN(10) == 0 {
			points = append(points, Point{minute(i), float64(rng.IntN(5))})
		}
	}
	points = append(points, Point{minute(600), 40}, Point{minute(900), 25})
	slices.SortFunc(points, func(x, y Point) int { return x.Time.Compare(y.Time) })
	points = dedupe(points)
	if got, ok := SuggestThreshold(a, points, t0, minute(1440), 0); !ok || got != 40 {
		t.Errorf("no alarm: %v, %v; want 40", got, ok)
	}
	if got, ok := SuggestThreshold(a, points, t0, minute(1440), 1); !ok || got != 25 {
		t.Errorf("one alarm: %v, %v; want 25", got, ok)
	}
}

func TestKthLargest(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 300 {
		xs := make([]float64, 1+rng.IntN(40))
		for i := range xs {
			xs[i] = float64(rng.IntN(8))
			if i%7 == 0 {
				xs[i] = math.Inf(-1)
			}
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		k := 1 + rng.IntN(len(xs))
		if got, want := kthLargest(slices.Clone(xs), k), sorted[len(xs)-k]; got != want {
			t.Fatalf("%d-th largest of %v: %v, want %v", k, xs, got, want)
		}
	}
}
