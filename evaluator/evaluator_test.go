package evaluator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func minute(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

// testAlarm is an alarm of a one-minute period.
func testAlarm(n, m int, comparison alarms.Comparison, threshold float64, treatment string) alarms.Alarm {
	return alarms.Alarm{
		Name: "test", Statistic: "Sum", Period: 60, EvaluationPeriods: n, DatapointsToAlarm: m,
		Threshold: threshold, Comparison: comparison, TreatMissingData: treatment,
	}
}

// gap in series is a minute without a datapoint.
var gap = math.NaN()

// series is one datapoint a minute from minute from on, gaps left out.
func series(from int, values ...float64) []Point {
	var points []Point
	for i, v := range values {
		if !math.IsNaN(v) {
			points = append(points, Point{minute(from + i), v})
		}
	}
	return points
}

// states is the state after each evaluation, one letter each: O, A or I.
func states(a alarms.Alarm, points []Point, start, end time.Time) string {
	var b strings.Builder
	EvaluateEach(a, points, start, end, func(e Evaluation) { b.WriteByte(e.State.String()[0]) })
	return b.String()
}

func checkStates(got, want string) error {
	if got != want {
		return fmt.Errorf("states\n got %s\nwant %s", got, want)
	}
	return nil
}

// transition is a Transition without its reason.
type transition struct {
	at       time.Time
	from, to State
}

func checkTransitions(got []Transition, want []transition) error {
	var g []transition
	for _, tr := range got {
		g = append(g, transition{tr.Time, tr.From, tr.To})
	}
	if !reflect.DeepEqual(g, want) {
		return fmt.Errorf("transitions\n got %v\nwant %v", g, want)
	}
	return nil
}

// The checks report a difference.
func TestChecksFail(t *testing.T) {
	if checkStates("IOA", "IOO") == nil {
		t.Error("checkStates reported no difference")
	}
	got := []Transition{{Time: minute(1), From: InsufficientData, To: OK}}
	if checkTransitions(got, []transition{{minute(1), InsufficientData, Alarm}}) == nil {
		t.Error("checkTransitions reported no difference in the state")
	}
	if checkTransitions(got, []transition{{minute(2), InsufficientData, OK}}) == nil {
		t.Error("checkTransitions reported no difference in the time")
	}
	if checkTransitions(got, nil) == nil {
		t.Error("checkTransitions reported no missing transition")
	}
}

// "INSUFFICIENT_DATA – The alarm has just started, the metric is not
// available, or not enough data is available for the metric to determine
// the alarm state." ("Alarm evaluation", Metric alarm states,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html)
func TestStartsInInsufficientData(t *testing.T) {
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)

	res := Evaluate(a, nil, t0, t0.Add(30*time.Second))
	if res.Final != InsufficientData || res.Evaluations != 0 || res.TimeInsufficientData != 30*time.Second {
		t.Errorf("no evaluation: %+v", res)
	}
	res = Evaluate(a, nil, t0, t0.Add(-time.Minute))
	if res.Final != InsufficientData || res.Evaluations != 0 || res.TimeInsufficientData != 0 {
		t.Errorf("end before start: %+v", res)
	}

	// The first evaluation leaves INSUFFICIENT_DATA, whatever it finds.
	res = Evaluate(a, series(-3, 0, 0, 0, 0, 0), t0, minute(3))
	if err := checkTransitions(res.Transitions, []transition{{minute(1), InsufficientData, OK}}); err != nil {
		t.Error(err)
	}
	if res.TimeInsufficientData != time.Minute {
		t.Errorf("time in INSUFFICIENT_DATA %v, want the minute before the first evaluation", res.TimeInsufficientData)
	}
}

// "Datapoints to Alarm is the number of data points within the Evaluation
// Periods that must be breaching to cause the alarm to go to the ALARM
// state. The breaching data points don't have to be consecutive, but they
// must all be within the last number of data points equal to Evaluation
// Period." ("Alarm evaluation")
func TestMOutOfN(t *testing.T) {
	// The guide's figure: threshold 3, 3 of 3; "when all existing data
	// points in the most recent three consecutive periods are above the
	// threshold, the alarm goes to ALARM state. In the figure, this happens
	// in the third through fifth time periods. At period six, the value
	// dips below the threshold, so one of the periods being evaluated is
	// not breaching, and the alarm state changes back to OK. During the
	// ninth time period, the threshold is breached again, but for only one
	// period. Consequently, the alarm state remains OK."
	figure := series(0, 1, 2, 4, 5, 4, 2, 1, 2, 4, 2)
	a := testAlarm(3, 3, alarms.GreaterThanThreshold, 3, alarms.MissingDataMissing)
	if err := checkStates(states(a, figure, t0, minute(10)), "OOOOAOOOOO"); err != nil {
		t.Error(err)
	}

	for _, c := range []struct {
		values []float64
		m      int
		want   string
	}{
		{[]float64{5, 0, 5}, 2, "A"}, // not consecutive
		{[]float64{5, 0, 0}, 2, "O"},
		{[]float64{0, 5, 5}, 2, "A"},
		{[]float64{5, 5, 0}, 3, "O"},
		{[]float64{5, 5, 5}, 3, "A"},
		{[]float64{0, 0, 5}, 1, "A"},
	} {
		a := testAlarm(3, c.m, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
		if err := checkStates(states(a, series(0, c.values...), minute(2), minute(3)), c.want); err != nil {
			t.Errorf("%d of 3, %v: %v", c.m, c.values, err)
		}
	}
}

// A value equal to the threshold breaches the OrEqualTo operators only.
func TestComparisonAtTheThreshold(t *testing.T) {
	for _, c := range []struct {
		comparison          alarms.Comparison
		equal, above, below string
	}{
		{alarms.GreaterThanThreshold, "O", "A", "O"},
		{alarms.GreaterThanOrEqualToThreshold, "A", "A", "O"},
		{alarms.LessThanThreshold, "O", "O", "A"},
		{alarms.LessThanOrEqualToThreshold, "A", "O", "A"},
	} {
		a := testAlarm(1, 1, c.comparison, 1.5, alarms.MissingDataMissing)
		for _, v := range []struct {
			value float64
			want  string
		}{{1.5, c.equal}, {math.Nextafter(1.5, 2), c.above}, {math.Nextafter(1.5, 1), c.below}} {
			if err := checkStates(states(a, series(0, v.value), t0, minute(1)), v.want); err != nil {
				t.Errorf("%s, value %v: %v", c.comparison, v.value, err)
			}
		}
	}
	// NaN breaches nothing.
	for _, comparison := range alarms.ComparisonOperators {
		a := testAlarm(1, 1, comparison, 1.5, alarms.MissingDataMissing)
		if err := checkStates(states(a, []Point{{t0, math.NaN()}}, t0, minute(1)), "O"); err != nil {
			t.Errorf("%s, NaN: %v", comparison, err)
		}
	}
}

// "If some data points in the evaluation range are missing, but the total
// number of existing data points that were successfully retrieved from the
// evaluation range is equal to or more than the alarm's Evaluation Periods,
// CloudWatch evaluates the alarm state based on the most recent real data
// points that were successfully retrieved, including the necessary extra
// data points from farther back in the evaluation range. In this case, the
// value you set for how to treat missing data is not needed and is
// ignored." ("How alarm state is evaluated when data is missing",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html)
func TestEvaluationRange(t *testing.T) {
	a := testAlarm(3, 3, alarms.GreaterThanThreshold, 1, alarms.MissingDataBreaching)
	if EvaluationRange(a) != 5 {
		t.Errorf("evaluation range of 3 evaluation periods: %d, want the guide's 5", EvaluationRange(a))
	}
	if h := History(a); h != 5*time.Minute {
		t.Errorf("history %v, want 5m", h)
	}
	a5 := a
	a5.Period, a5.EvaluationPeriods = 300, 15
	if h := History(a5); h != 17*5*time.Minute {
		t.Errorf("history of 15 periods of 5 minutes %v, want 85m", h)
	}

	// Three real datapoints in the range: the two gaps are not filled.
	if err := checkStates(states(a, series(0, 0, 0, gap, 0, gap), minute(4), minute(5)), "O"); err != nil {
		t.Errorf("0 0 - 0 -: %v", err)
	}
	// Two: the third is filled (breaching), the older datapoint counts.
	if err := checkStates(states(a, series(0, gap, 0, gap, gap, 5), minute(4), minute(5)), "O"); err != nil {
		t.Errorf("- 0 - - X: %v", err)
	}
	if err := checkStates(states(a, series(0, gap, gap, gap, 5, 5), minute(4), minute(5)), "A"); err != nil {
		t.Errorf("- - - X X: %v", err)
	}
	// A datapoint older than the range does not count.
	if err := checkStates(states(a, series(0, 0, gap, gap, gap, gap, gap, 5, 5), minute(7), minute(8)), "A"); err != nil {
		t.Errorf("0 | - - - X X: %v", err)
	}
	// History: datapoints before start fill the first evaluation's range.
	res := Evaluate(a, series(-5, 0, 0, 0, 0, 0), t0, minute(1))
	if res.Final != OK {
		t.Errorf("with history: %s, want OK", res.Final)
	}

	// "A particular case of this behavior is that CloudWatch alarms might
	// repeatedly re-evaluate the last set of data points for a period of
	// time after the metric has stopped flowing." Here for as long as the
	// last breaching datapoint is in the range of 3 (1 evaluation period).
	one := testAlarm(1, 1, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
	if err := checkStates(states(one, series(-3, 0, 0, 0, 5), t0, minute(6)), "AAAOOO"); err != nil {
		t.Error(err)
	}
}

// "Avoiding premature transitions to alarm state" (on
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
// "Suppose an alarm's most recent data is - - - - X, with four missing data
// points and then a breaching data point as the most recent data point.
// Because the next data point may be non-breaching, the alarm does not go
// immediately into ALARM state when the data is either - - - - X or
// - - - X - and Datapoints to Alarm is 3. ... However, if the last few data
// points are - - X - -, the alarm goes into ALARM state even if missing
// data points are treated as missing."
func TestPrematureTransition(t *testing.T) {
	// One breaching datapoint, at minute 10, in silence: known at 11, old
	// enough (3 periods) at 13, out of the range (5) at 16.
	lone := series(10, 5)
	a := testAlarm(3, 3, alarms.GreaterThanThreshold, 1, alarms.MissingDataMissing)
	res := EvaluateEach(a, lone, t0, minute(20), nil)
	if err := checkTransitions(res.Transitions, []transition{
		{minute(13), InsufficientData, Alarm},
		{minute(16), Alarm, InsufficientData},
	}); err != nil {
		t.Errorf("3 of 3: %v", err)
	}
	// 2 of 3: old enough at 2 periods.
	a.DatapointsToAlarm = 2
	if err := checkStates(states(a, lone, minute(10), minute(17)), "IAAAAII"); err != nil {
		t.Errorf("2 of 3: %v", err)
	}
	// The rule is missing's: ignore keeps the state (here the first one).
	a.TreatMissingData = alarms.MissingDataIgnore
	if err := checkStates(states(a, lone, minute(10), minute(17)), "IIIIIII"); err != nil {
		t.Errorf("ignore: %v", err)
	}
	// A non-breaching datapoint in the range prevents it (the guide's
	// 2-of-3 row "0 - X - -" is OK under MISSING), until it leaves the
	// range while the breaching one is still in it.
	a.TreatMissingData = alarms.MissingDataMissing
	if err := checkStates(states(a, series(9, 0, 5), minute(10), minute(17)), "OOOOAII"); err != nil {
		t.Errorf("0 X: %v", err)
	}
}

// "ignore – The current alarm state is maintained" ("Configuring how
// CloudWatch alarms treat missing data").
func TestIgnoreKeepsTheState(t *testing.T) {
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 1, alarms.MissingDataIgnore)
	res := Evaluate(a, series(0, 5, 5), t0, minute(60))
	if res.Final != Alarm || res.AlarmCount != 1 || res.TimeInAlarm != 59*time.Minute {
		t.Errorf("after ALARM: %+v", res)
	}
	res = Evaluate(a, series(0, 0, 0), t0, minute(60))
	if res.Final != OK || len(res.Transitions) != 1 || res.TimeInAlarm != 0 {
		t.Errorf("after OK: %+v", res)
	}
}

// No datapoint at all, neither in the window nor before it: the range of
// the first evaluation is all missing, so the treatment decides at once.
// When the data stops instead, the treatment takes over once the last
// datapoints have left the range.
func TestNoData(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 1 + rng.IntN(15)
		m := 1 + rng.IntN(n)
		period := []int{10, 60, 300, 3600}[rng.IntN(4)]
		start := t0.Add(time.Duration(rng.IntN(7200)) * time.Second)
		end := start.Add(time.Duration(n+10) * time.Duration(period) * time.Second)
		a := alarms.Alarm{Name: "p", Period: period, EvaluationPeriods: n, DatapointsToAlarm: m, Threshold: 1, Comparison: alarms.GreaterThanThreshold}
		p := a.PeriodDuration()
		firstBoundary := start.Truncate(p).Add(p)
		name := fmt.Sprintf("%d of %d, period %d s, start %v", m, n, period, start.Format(time.TimeOnly))

		a.TreatMissingData = alarms.MissingDataBreaching
		res := Evaluate(a, nil, start, end)
		if err := checkTransitions(res.Transitions, []transition{{firstBoundary, InsufficientData, Alarm}}); err != nil {
			t.Errorf("%s, breaching: %v", name, err)
		}
		if res.TimeInAlarm != end.Sub(firstBoundary) {
			t.Errorf("%s, breaching: %v in ALARM, want %v", name, res.TimeInAlarm, end.Sub(firstBoundary))
		}
		a.TreatMissingData = alarms.MissingDataNotBreaching
		res = Evaluate(a, nil, start, end)
		if err := checkTransitions(res.Transitions, []transition{{firstBoundary, InsufficientData, OK}}); err != nil {
			t.Errorf("%s, notBreaching: %v", name, err)
		}
		for _, treatment := range []string{alarms.MissingDataMissing, alarms.MissingDataIgnore, ""} {
			a.TreatMissingData = treatment
			res = Evaluate(a, nil, start, end)
			if res.Final != InsufficientData || len(res.Transitions) != 0 || res.TimeInsufficientData != end.Sub(start) {
				t.Errorf("%s, %q: %+v", name, treatment, res)
			}
		}

		// Good datapoints up to the period starting at last, then none:
		// with breaching, ALARM once at most N−M real datapoints are left in
		// the range, that is at last + (M+ExtraDatapoints+1) periods.
		a.TreatMissingData = alarms.MissingDataBreaching
		last := firstBoundary.Add(-p)
		var good []Point
		for i := range EvaluationRange(a) {
			good = append(good, Point{last.Add(-time.Duration(i) * p), 0})
		}
		res = Evaluate(a, good, start, end)
		wantAt := last.Add(time.Duration(m+ExtraDatapoints+1) * p)
		if err := checkTransitions(res.Transitions, []transition{
			{firstBoundary, InsufficientData, OK}, {wantAt, OK, Alarm},
		}); err != nil {
			t.Errorf("%s, breaching after the data stopped: %v", name, err)
		}
	}
}

// The stack's alarm: WriteProvisionedThroughputExceeded, Sum over 60 s, 1
// evaluation period, GreaterThanThreshold 1, missing data notBreaching.
func TestStackAlarm(t *testing.T) {
	a := alarms.Alarm{
		Name: "xfusion-kinesis-alarm", Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded",
		Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
		Comparison: alarms.GreaterThanThreshold, TreatMissingData: alarms.MissingDataNotBreaching,
	}
	perMinute := func(throttled func(minute int) float64) []Point {
		var points []Point
		for i := -3; i < 60; i++ {
			points = append(points, Point{minute(i), throttled(i)})
		}
		return points
	}

	// One throttled write every minute never fires.
	res := Evaluate(a, perMinute(func(int) float64 { return 1 }), t0, minute(60))
	if res.AlarmCount != 0 || res.Final != OK {
		t.Errorf("one a minute: %+v", res)
	}

	// Two in minute 10 fire at the boundary after it; the next minute's
	// datapoint brings it back to OK.
	two := perMinute(func(i int) float64 {
		if i == 10 {
			return 2
		}
		return 1
	})
	res = Evaluate(a, two, t0, minute(60))
	if err := checkTransitions(res.Transitions, []transition{
		{minute(1), InsufficientData, OK}, {minute(11), OK, Alarm}, {minute(12), Alarm, OK},
	}); err != nil {
		t.Error(err)
	}
	if res.AlarmCount != 1 || res.TimeInAlarm != time.Minute {
		t.Errorf("two in minute 10: %d alarms, %v in ALARM", res.AlarmCount, res.TimeInAlarm)
	}
	want := "Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/01/26 00:10:00)] was greater than the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
	if res.Transitions[1].Reason != want {
		t.Errorf("reason\n got %s\nwant %s", res.Transitions[1].Reason, want)
	}

	// When no datapoint follows (no writes, no datapoint), the breaching
	// one is re-evaluated while it is in the evaluation range: ALARM for 3
	// minutes.
	res = Evaluate(a, series(9, 1, 2), t0, minute(60))
	if err := checkTransitions(res.Transitions, []transition{
		{minute(1), InsufficientData, OK}, {minute(11), OK, Alarm}, {minute(14), Alarm, OK},
	}); err != nil {
		t.Errorf("silence after the throttling: %v", err)
	}
}

func TestReasons(t *testing.T) {
	a := testAlarm(3, 2, alarms.GreaterThanThreshold, 1, alarms.MissingDataMissing)
	res := Evaluate(a, series(0, 5, 0, 7), t0, minute(3))
	var got []string
	for _, tr := range res.Transitions {
		got = append(got, tr.Reason)
	}
	want := []string{
		// minute 2: 5 0, one missing; minute 3: 5 0 7.
		"Threshold Crossed: 1 out of the last 2 datapoints [0.0 (01/01/26 00:01:00), 5.0 (01/01/26 00:00:00)] was not greater than the threshold (1.0), and 1 datapoint was missing (minimum 2 datapoints for INSUFFICIENT_DATA -> OK transition).",
		"Threshold Crossed: 2 out of the last 3 datapoints [7.0 (01/01/26 00:02:00), 0.0 (01/01/26 00:01:00), 5.0 (01/01/26 00:00:00)] were greater than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons\n got %q\nwant %q", got, want)
	}

	for _, c := range []struct {
		a      alarms.Alarm
		points []Point
		want   string
	}{
		{testAlarm(3, 3, alarms.GreaterThanThreshold, 1, alarms.MissingDataBreaching), nil,
			"Threshold Crossed: no datapoints were received for 5 periods and 3 missing datapoints were treated as [Breaching]."},
		{testAlarm(3, 3, alarms.LessThanThreshold, 1, alarms.MissingDataNotBreaching), series(-1, 1.5),
			"Threshold Crossed: 1 out of the last 1 datapoints [1.5 (31/12/25 23:59:00)] was not less than the threshold (1.0), and 2 missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for INSUFFICIENT_DATA -> OK transition)."},
		{testAlarm(3, 3, alarms.GreaterThanOrEqualToThreshold, 1, alarms.MissingDataMissing), series(-2, 1),
			"Threshold Crossed: 1 out of the last 1 datapoints [1.0 (31/12/25 23:58:00)] was greater than or equal to the threshold (1.0), the oldest 3 periods ago, and no more recent datapoint was received (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition: the oldest breaching datapoint is at least that many periods old)."},
		{testAlarm(15, 15, alarms.LessThanOrEqualToThreshold, 1, alarms.MissingDataMissing), series(-15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
			"Threshold Crossed: 15 out of the last 15 datapoints [0.0 (31/12/25 23:59:00), 0.0 (31/12/25 23:58:00), 0.0 (31/12/25 23:57:00), 0.0 (31/12/25 23:56:00), 0.0 (31/12/25 23:55:00), ...] were less than or equal to the threshold (1.0) (minimum 15 datapoints for INSUFFICIENT_DATA -> ALARM transition)."},
	} {
		res := Evaluate(c.a, c.points, t0, minute(1))
		if len(res.Transitions) != 1 || res.Transitions[0].Reason != c.want {
			t.Errorf("reason\n got %+v\nwant %s", res.Transitions, c.want)
		}
	}

	// INSUFFICIENT_DATA from another state.
	res = Evaluate(testAlarm(3, 3, alarms.GreaterThanThreshold, 1, alarms.MissingDataMissing), series(-1, 0), t0, minute(6))
	if n := len(res.Transitions); n != 2 || res.Transitions[1].Reason != "Insufficient Data: 5 datapoints were unknown." {
		t.Errorf("transitions %+v", res.Transitions)
	}
	res = Evaluate(testAlarm(3, 3, alarms.GreaterThanThreshold, 1, alarms.MissingDataMissing), series(0, 0, gap, gap, gap, gap, 5), t0, minute(6))
	if want := "Insufficient Data: 1 out of the last 1 datapoints [5.0 (01/01/26 00:05:00)] was greater than the threshold (1.0), fewer than 3 and too recent to alarm on, and 4 datapoints were unknown."; len(res.Transitions) != 2 || res.Transitions[1].Reason != want {
		t.Errorf("transitions %+v\nwant second %s", res.Transitions, want)
	}
}

// Unsorted points are sorted; each sees every evaluation once.
func TestUnsortedPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := testAlarm(3, 2, alarms.GreaterThanThreshold, 5, alarms.MissingDataMissing)
	points := randomPoints(rng, -10, 200, 0.2)
	want := Evaluate(a, points, t0, minute(200))
	var wantEach []Evaluation
	EvaluateEach(a, points, t0, minute(200), func(e Evaluation) { wantEach = append(wantEach, e) })

	shuffled := append([]Point(nil), points...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := Evaluate(a, shuffled, t0, minute(200)); !reflect.DeepEqual(got, want) {
		t.Errorf("shuffled: %+v\nwant %+v", got, want)
	}
	var gotEach []Evaluation
	EvaluateEach(a, shuffled, t0, minute(200), func(e Evaluation) { gotEach = append(gotEach, e) })
	if !reflect.DeepEqual(gotEach, wantEach) {
		t.Error("shuffled: the evaluations differ")
	}
	// Only the last point out of order.
	late := append(append([]Point(nil), points[1:]...), points[0])
	if got := Evaluate(a, late, t0, minute(200)); !reflect.DeepEqual(got, want) {
		t.Errorf("first point last: %+v\nwant %+v", got, want)
	}
}

// Points off their periods' starts, two in a period, out of order: the
// same as the points of each period's start, the later one of a period
// kept, in both loops.
func TestPointsPutInForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for i := range 40 {
		a := randomAlarm(rng, i)
		a.Threshold = 5
		clean := randomPoints(rng, -10, 120, 0.2)
		var messy []Point
		for _, pt := range clean {
			switch rng.IntN(4) {
			case 0: // off the start
				messy = append(messy, Point{pt.Time.Add(time.Duration(1+rng.IntN(59)) * time.Second), pt.Value})
			case 1: // an earlier point of the same period, overridden
				messy = append(messy, Point{pt.Time, pt.Value + 100}, Point{pt.Time.Add(30 * time.Second), pt.Value})
			default:
				messy = append(messy, pt)
			}
		}
		rng.Shuffle(len(messy), func(i, j int) { messy[i], messy[j] = messy[j], messy[i] })
		want := reference(a, clean, t0, minute(120))
		if err := checkAgainstReference(Evaluate(a, messy, t0, minute(120)), want); err != nil {
			t.Fatalf("Evaluate %+v: %v", a, err)
		}
		if err := checkAgainstReference(EvaluateEach(a, messy, t0, minute(120), func(Evaluation) {}), want); err != nil {
			t.Fatalf("EvaluateEach %+v: %v", a, err)
		}
		if got, want := profileOf(a, messy, t0, minute(120)), profileOf(a, clean, t0, minute(120)); !reflect.DeepEqual(got, want) {
			t.Fatalf("profile %+v: %+v, want %+v", a, got, want)
		}
	}
}

// The times in each state add up to (start, end], boundaries or not.
func TestTimeAccounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 50 {
		a := testAlarm(1+rng.IntN(3), 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataMissing)
		a.Period = []int{60, 300}[i%2]
		start := t0.Add(time.Duration(rng.IntN(600_000)) * time.Millisecond)
		end := start.Add(time.Duration(rng.IntN(4*3600_000)) * time.Millisecond)
		points := randomPoints(rng, -20, 300, 0.3)
		for j := range points {
			points[j].Time = points[j].Time.Truncate(a.PeriodDuration())
		}
		points = dedupe(points)
		var inOK time.Duration
		res := EvaluateEach(a, points, start, end, func(e Evaluation) {
			if e.State == OK {
				inOK += min(a.PeriodDuration(), end.Sub(e.Time))
			}
		})
		if total := res.TimeInAlarm + res.TimeInsufficientData + inOK; total != end.Sub(start) {
			t.Errorf("%v to %v: %v + %v + %v = %v", start, end, res.TimeInAlarm, res.TimeInsufficientData, inOK, total)
		}
		if want := int(end.Truncate(a.PeriodDuration()).Sub(start.Truncate(a.PeriodDuration())) / a.PeriodDuration()); res.Evaluations != want {
			t.Errorf("%d evaluations, want %d", res.Evaluations, want)
		}
	}
}

func TestCheck(t *testing.T) {
	good := testAlarm(3, 2, alarms.GreaterThanThreshold, 1, alarms.MissingDataMissing)
	if err := Check(good); err != nil {
		t.Errorf("a good alarm: %v", err)
	}
	for _, bad := range []func(*alarms.Alarm){
		func(a *alarms.Alarm) { a.Period = 0 },
		func(a *alarms.Alarm) { a.EvaluationPeriods = 0 },
		func(a *alarms.Alarm) { a.DatapointsToAlarm = 4 },
		func(a *alarms.Alarm) { a.DatapointsToAlarm = -1 },
		func(a *alarms.Alarm) { a.Threshold = math.NaN() },
		func(a *alarms.Alarm) { a.Threshold = math.Inf(-1) },
		func(a *alarms.Alarm) { a.Comparison = "LessThanLowerThreshold" },
		func(a *alarms.Alarm) { a.TreatMissingData = "NotBreaching" },
	} {
		a := good
		bad(&a)
		if Check(a) == nil {
			t.Errorf("no error for %+v", a)
			continue
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Evaluate did not panic for %+v", a)
				}
			}()
			Evaluate(a, nil, t0, minute(1))
		}()
	}
}

// For the GreaterThan operators a higher threshold never adds time in
// ALARM, for the LessThan ones a lower one: an evaluation is ALARM below a
// critical value of the threshold (above, for LessThan), and ignore only
// carries an ALARM forward that the stricter threshold also has. Checked on
// random data, every operator and treatment.
func TestStricterThresholdNeverAddsTimeInAlarm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 64 {
		n := 1 + rng.IntN(5)
		a := testAlarm(n, 1+rng.IntN(n), alarms.ComparisonOperators[i%4], 0, alarms.MissingDataTreatments[i/4%4])
		points := randomPoints(rng, -10, 100, rng.Float64()*0.6)
		thresholds := thresholdsAround(points)
		if !a.Comparison.Greater() {
			for l, r := 0, len(thresholds)-1; l < r; l, r = l+1, r-1 {
				thresholds[l], thresholds[r] = thresholds[r], thresholds[l]
			}
		}
		var inAlarm []time.Duration
		for _, th := range thresholds {
			a.Threshold = th
			inAlarm = append(inAlarm, Evaluate(a, points, t0, minute(100)).TimeInAlarm)
		}
		if err := nonIncreasing(inAlarm); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func nonIncreasing(ds []time.Duration) error {
	for i := 1; i < len(ds); i++ {
		if ds[i] > ds[i-1] {
			return fmt.Errorf("a stricter threshold (#%d) has more time in ALARM: %v after %v", i, ds[i], ds[i-1])
		}
	}
	return nil
}

func TestNonIncreasingFails(t *testing.T) {
	if nonIncreasing([]time.Duration{3, 2, 2, 3}) == nil {
		t.Error("an increase was not reported")
	}
	if nonIncreasing([]time.Duration{3, 2, 2, 0}) != nil {
		t.Error("a non-increasing sequence was reported")
	}
}

// randomPoints is one datapoint a minute from minute from to minute to,
// each missing with probability gaps, of small integer values (ties and
// values equal to thresholds) mixed with fractional ones.
func randomPoints(rng *rand.Rand, from, to int, gaps float64) []Point {
	var points []Point
	for i := from; i < to; i++ {
		if rng.Float64() < gaps {
			continue
		}
		v := float64(rng.IntN(10))
		if rng.IntN(4) == 0 {
			v += rng.Float64()
		}
		points = append(points, Point{minute(i), v})
	}
	return points
}

// thresholdsAround is every value seen, the floats next to them and one
// below and above all of them, increasing.
func thresholdsAround(points []Point) []float64 {
	seen := map[float64]bool{-1: true, 11: true}
	for _, p := range points {
		seen[p.Value] = true
		seen[math.Nextafter(p.Value, math.Inf(1))] = true
		seen[math.Nextafter(p.Value, math.Inf(-1))] = true
	}
	var ts []float64
	for v := range seen {
		ts = append(ts, v)
	}
	slices.Sort(ts)
	return ts
}

func dedupe(points []Point) []Point {
	var out []Point
	for _, p := range points {
		if len(out) > 0 && out[len(out)-1].Time.Equal(p.Time) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// reference replays an alarm as the package documentation states the
// rules, directly: at each boundary it looks up the datapoint of each
// period of the range. It is slow and independent of the replay's cursors,
// fast loop and comparison; points must be on period boundaries.
func reference(a alarms.Alarm, points []Point, start, end time.Time) Result {
	p := a.PeriodDuration()
	byPeriod := map[time.Time]float64{}
	for _, pt := range points {
		byPeriod[pt.Time] = pt.Value
	}
	breaches := func(v float64) bool {
		switch a.Comparison {
		case alarms.GreaterThanThreshold:
			return v > a.Threshold
		case alarms.GreaterThanOrEqualToThreshold:
			return v >= a.Threshold
		case alarms.LessThanThreshold:
			return v < a.Threshold
		}
		return v <= a.Threshold
	}
	n, m := a.EvaluationPeriods, a.Datapoints()
	res := Result{Start: start, End: end, Final: InsufficientData}
	cur := InsufficientData
	at := start.Truncate(p).Add(p) // the periods used here divide a day
	res.TimeInsufficientData = at.Sub(start)
	for ; !at.After(end); at = at.Add(p) {
		var real []float64 // oldest first
		var oldest time.Time
		for i := EvaluationRange(a); i >= 1; i-- {
			if v, ok := byPeriod[at.Add(-time.Duration(i)*p)]; ok {
				if len(real) == 0 {
					oldest = at.Add(-time.Duration(i) * p)
				}
				real = append(real, v)
			}
		}
		count := func(vs []float64) int {
			c := 0
			for _, v := range vs {
				if breaches(v) {
					c++
				}
			}
			return c
		}
		next := cur
		b := count(real)
		switch {
		case len(real) >= n:
			next = map[bool]State{true: Alarm, false: OK}[count(real[len(real)-n:]) >= m]
		case a.TreatMissingData == alarms.MissingDataBreaching:
			next = map[bool]State{true: Alarm, false: OK}[b+n-len(real) >= m]
		case a.TreatMissingData == alarms.MissingDataNotBreaching:
			next = map[bool]State{true: Alarm, false: OK}[b >= m]
		case len(real) == 0:
			if a.TreatMissingData != alarms.MissingDataIgnore {
				next = InsufficientData
			}
		case b >= m:
			next = Alarm
		case b < len(real):
			next = OK
		case a.TreatMissingData != alarms.MissingDataIgnore && at.Sub(oldest) >= time.Duration(m)*p:
			next = Alarm
		case a.TreatMissingData != alarms.MissingDataIgnore:
			next = InsufficientData
		}
		if next != cur {
			res.Transitions = append(res.Transitions, Transition{Time: at, From: cur, To: next})
			if next == Alarm {
				res.AlarmCount++
			}
			cur = next
		}
		held := min(p, end.Sub(at))
		switch cur {
		case Alarm:
			res.TimeInAlarm += held
		case InsufficientData:
			res.TimeInsufficientData += held
		}
		res.Evaluations++
	}
	if res.Evaluations == 0 {
		res.TimeInsufficientData = max(end.Sub(start), 0)
	}
	res.Final = cur
	return res
}

func checkAgainstReference(got, want Result) error {
	var g, w []transition
	for _, tr := range got.Transitions {
		g = append(g, transition{tr.Time, tr.From, tr.To})
	}
	for _, tr := range want.Transitions {
		w = append(w, transition{tr.Time, tr.From, tr.To})
	}
	got.Transitions, want.Transitions = nil, nil
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(g, w) {
		return fmt.Errorf("got %+v %v\nwant %+v %v", got, g, want, w)
	}
	return nil
}

// Evaluate (with its fast loop) and EvaluateEach (without) agree with the
// reference on random data: long runs of datapoints and gaps, every
// operator and treatment, up to 70 evaluation periods, any start and end.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for i := range 300 {
		n := 1 + rng.IntN(6)
		if i%10 == 0 {
			n = 60 + rng.IntN(11)
		}
		a := testAlarm(n, 1+rng.IntN(n), alarms.ComparisonOperators[i%4], float64(rng.IntN(10)), alarms.MissingDataTreatments[i/4%4])
		a.Period = []int{60, 300}[rng.IntN(2)]
		p := a.PeriodDuration()
		var points []Point
		for at := t0.Add(-History(a)); at.Before(t0.Add(400 * p)); at = at.Add(p) {
			if rng.IntN(100) < 85 || (at.Sub(t0)/p)%97 < 60 { // runs, gaps
				points = append(points, Point{at, float64(rng.IntN(10))})
			}
		}
		start := t0.Add(time.Duration(rng.IntN(int(60*p/time.Second))) * time.Second)
		end := start.Add(time.Duration(rng.IntN(int(380*p/time.Second))) * time.Second)
		want := reference(a, points, start, end)
		if err := checkAgainstReference(Evaluate(a, points, start, end), want); err != nil {
			t.Fatalf("Evaluate %+v: %v", a, err)
		}
		if err := checkAgainstReference(EvaluateEach(a, points, start, end, func(Evaluation) {}), want); err != nil {
			t.Fatalf("EvaluateEach %+v: %v", a, err)
		}
		if err := checkSpans(want); err != nil {
			t.Fatalf("%+v: %v", a, err)
		}
	}
}

func TestAgainstReferenceCheckFails(t *testing.T) {
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
	points := series(0, 2, 0)
	want := reference(a, points, t0, minute(3))
	got := Evaluate(a, points, t0, minute(3))
	if checkAgainstReference(got, want) != nil {
		t.Fatal("the replay and the reference differ on a simple case")
	}
	wrong := got
	wrong.Transitions = append([]Transition(nil), got.Transitions...)
	wrong.Transitions[0].To = OK
	if checkAgainstReference(wrong, want) == nil {
		t.Error("a wrong transition was not reported")
	}
	wrong = got
	wrong.TimeInAlarm += time.Second
	if checkAgainstReference(wrong, want) == nil {
		t.Error("a wrong time in ALARM was not reported")
	}
}

func TestStamp(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for i := range 2000 {
		at := time.Unix(rng.Int64N(8_000_000_000)-2_000_000_000, 0)
		if i == 0 {
			at = time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC)
		}
		if got, want := string(stamp(nil, at)), at.UTC().Format("02/01/06 15:04:05"); got != want {
			t.Fatalf("%v: %s, want %s", at, got, want)
		}
	}
}

// A state's text is CloudWatch's spelling, in String and in JSON both ways;
// a value that is no state and a misspelt name are refused.
func TestStateText(t *testing.T) {
	for s, want := range map[State]string{OK: "OK", Alarm: "ALARM", InsufficientData: "INSUFFICIENT_DATA"} {
		if s.String() != want {
			t.Errorf("%d: String %q, want %q", s, s.String(), want)
		}
		data, err := json.Marshal(struct{ S State }{s})
		if got := `{"S":"` + want + `"}`; err != nil || string(data) != got {
			t.Errorf("%s: JSON %s, %v; want %s", want, data, err, got)
		}
		var back struct{ S State }
		if err := json.Unmarshal(data, &back); err != nil || back.S != s {
			t.Errorf("%s: read back as %v, %v", want, back.S, err)
		}
	}
	var zero State
	if zero != InsufficientData {
		t.Errorf("the zero State is %s, want INSUFFICIENT_DATA", zero)
	}
	if _, err := State(3).MarshalText(); err == nil || State(3).String() != "State(3)" {
		t.Errorf("State(3): %q, %v; want an error", State(3).String(), err)
	}
	var s State
	if err := s.UnmarshalText([]byte("ok")); err == nil || !strings.Contains(err.Error(), "INSUFFICIENT_DATA, OK, ALARM") {
		t.Errorf(`"ok": %v, want an error naming the states`, err)
	}
}

// checkSpans compares the spans in ALARM with the result's time in ALARM
// and its transitions: they add up to TimeInAlarm, each starts at a
// transition into ALARM and ends at the next transition or at End.
func checkSpans(res Result) error {
	spans := res.InAlarm()
	var total time.Duration
	for _, s := range spans {
		total += s.To.Sub(s.From)
	}
	if total != res.TimeInAlarm {
		return fmt.Errorf("the spans in ALARM %v last %s, the time in ALARM is %s", spans, total, res.TimeInAlarm)
	}
	var into []time.Time
	for _, tr := range res.Transitions {
		if tr.To == Alarm {
			into = append(into, tr.Time)
		}
	}
	if len(spans) != len(into) || len(spans) != res.AlarmCount {
		return fmt.Errorf("%d spans, %d transitions into ALARM, AlarmCount %d", len(spans), len(into), res.AlarmCount)
	}
	for i, s := range spans {
		if !s.From.Equal(into[i]) || !s.To.After(s.From) || s.To.After(res.End) {
			return fmt.Errorf("span %d %v: not from the transition at %v to a later time by %v", i, s, into[i], res.End)
		}
	}
	return nil
}

// The spans in ALARM of two episodes, the second still in ALARM at the
// end of the window.
func TestInAlarm(t *testing.T) {
	a := testAlarm(1, 1, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
	var values []float64
	for m := -5; m < 60; m++ {
		v := 0.0
		if (m >= 10 && m < 13) || m >= 50 {
			v = 5
		}
		values = append(values, v)
	}
	res := Evaluate(a, series(-5, values...), t0, minute(60))
	want := []Span{{minute(11), minute(14)}, {minute(51), minute(60)}}
	if got := res.InAlarm(); !reflect.DeepEqual(got, want) {
		t.Errorf("spans in ALARM %v, want %v", got, want)
	}
	if err := checkSpans(res); err != nil {
		t.Error(err)
	}
	// The check sees spans that do not add up.
	wrong := res
	wrong.TimeInAlarm -= time.Minute
	if checkSpans(wrong) == nil {
		t.Error("checkSpans passes spans that last a minute more than the time in ALARM")
	}
	wrong = res
	wrong.End = minute(61)
	if checkSpans(wrong) == nil {
		t.Error("checkSpans passes a last span that runs past the time in ALARM")
	}
}

// checkDatapoints compares ds, datapoints with whether each breaches, with
// what the evaluations of a (one evaluation period) count: each datapoint
// on its period's start, one a period, and an evaluation whose last period
// has a datapoint counts one breaching datapoint exactly when that one
// breaches.
func checkDatapoints(a alarms.Alarm, points []Point, ds []Datapoint) error {
	breaching := map[time.Time]bool{}
	for _, d := range ds {
		if d.Time.Unix()%int64(a.Period) != 0 {
			return fmt.Errorf("datapoint at %v, not on its period's start", d.Time)
		}
		if _, twice := breaching[d.Time]; twice {
			return fmt.Errorf("two datapoints at %v", d.Time)
		}
		breaching[d.Time] = d.Breaching
	}
	var errs []error
	EvaluateEach(a, points, t0, minute(200), func(e Evaluation) {
		period := e.Time.Add(-a.PeriodDuration())
		want, ok := breaching[period]
		if !ok {
			return // the range's most recent datapoint is older
		}
		if got := e.Breaching == 1; got != want {
			errs = append(errs, fmt.Errorf("%v: the evaluation counts %d breaching, the datapoint says %v", period, e.Breaching, want))
		}
	})
	return errors.Join(errs...)
}

// Datapoints are what the evaluations count, whatever form the points come
// in (off their period's start, two in a period, unsorted); a
// recomputation from the points themselves is not, even one that moves
// each to its period's start.
func TestDatapoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range alarms.ComparisonOperators {
		a := testAlarm(1, 1, c, 5, alarms.MissingDataNotBreaching)
		var points []Point
		for i := range 200 {
			if rng.IntN(5) == 0 {
				continue
			}
			at := minute(i).Add(time.Duration(rng.IntN(60)) * time.Second)
			points = append(points, Point{at, float64(rng.IntN(11))})
			if rng.IntN(4) == 0 {
				points = append(points, Point{at.Add(time.Duration(rng.IntN(60-at.Second())) * time.Second), float64(rng.IntN(11))})
			}
		}
		rng.Shuffle(len(points), func(i, j int) { points[i], points[j] = points[j], points[i] })
		if err := checkDatapoints(a, points, Datapoints(a, points)); err != nil {
			t.Errorf("%s: %v", c, err)
		}
		// Recomputed: each point as it is; each moved to its period's
		// start, the first of a period kept.
		var raw, firsts []Datapoint
		seen := map[time.Time]bool{}
		for _, pt := range slices.SortedFunc(slices.Values(points), func(x, y Point) int { return x.Time.Compare(y.Time) }) {
			raw = append(raw, Datapoint{pt, c.Breaches(pt.Value, a.Threshold)})
			at := pt.Time.Truncate(a.PeriodDuration())
			if !seen[at] {
				seen[at] = true
				firsts = append(firsts, Datapoint{Point{at, pt.Value}, c.Breaches(pt.Value, a.Threshold)})
			}
		}
		if checkDatapoints(a, points, raw) == nil {
			t.Errorf("%s: the check passes the raw points", c)
		}
		if checkDatapoints(a, points, firsts) == nil {
			t.Errorf("%s: the check passes the first point of each period", c)
		}
	}
}
