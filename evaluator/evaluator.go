// Package evaluator replays CloudWatch's evaluation of a metric alarm on a
// static threshold: given an alarms.Alarm and the datapoints of its metric
// (already aggregated with the alarm's statistic and period, as GetMetricData
// returns them: one value per period, stamped with the period's start,
// periods without data absent), it says which state the alarm would have
// been in after each evaluation, and when it changed state.
//
// # The rules
//
// They are the CloudWatch User Guide's, cited next to the code that applies
// them. The guide's pages moved over the years; the text quoted here is the
// last complete revision of the guide's source (the archived repository
// awsdocs/amazon-cloudwatch-user-guide, 17 May 2023), whose
// sections now live on these pages:
//
//   - "Alarm evaluation" (period, evaluation periods, datapoints to alarm,
//     M out of N, the three states):
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
//   - "Configuring how CloudWatch alarms treat missing data", with its
//     sections "How alarm state is evaluated when data is missing" (the
//     evaluation range, the two example tables) and "Avoiding premature
//     transitions to alarm state":
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
//   - formerly both on "Using Amazon CloudWatch alarms":
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
//   - the archived source: https://github.com/awsdocs/amazon-cloudwatch-user-guide/blob/b35549706cab03cdcd0a8df9956a2381c0315642/doc_source/AlarmThatSendsEmail.md
//
// One evaluation at a period boundary t, for an alarm of period P, N
// evaluation periods and M datapoints to alarm:
//
//  1. The evaluation range is the EvaluationRange(a) = N+2 periods that
//     ended by t (see ExtraDatapoints). A period's datapoint is known once
//     the period is over.
//  2. If the range holds at least N real datapoints, the N most recent of
//     them decide, wherever the gaps are: ALARM if at least M breach, else
//     OK. The missing-data treatment is not consulted.
//  3. Otherwise, with r < N real datapoints in the range, all r are
//     evaluated and the N−r missing ones are filled with the treatment:
//     breaching adds N−r breaching datapoints, notBreaching N−r good ones;
//     ALARM if at least M breach, else OK.
//  4. Under missing and ignore the missing datapoints are not filled: with
//     no real datapoint in the range, missing goes to INSUFFICIENT_DATA and
//     ignore keeps the current state; with at least M breaching real
//     datapoints the alarm goes to ALARM; else with a real datapoint that
//     does not breach, to OK; with real datapoints that all breach but are
//     fewer than M, the premature-transition rule decides: under missing
//     the alarm goes to ALARM when the oldest of them is at least M periods
//     old (the datapoint of the period that ended at t is 1 period old),
//     else to INSUFFICIENT_DATA; under ignore the alarm keeps its state.
//
// The alarm starts in INSUFFICIENT_DATA ("The alarm has just started").
// A consequence of rule 3: with no datapoint at all, before start
// included, the first evaluation's range is all missing, and breaching
// goes to ALARM (notBreaching to OK) at the first boundary after start, as
// the row "- - - - -" of the guide's tables says. When the data stops
// instead, the last datapoints keep deciding while they are in the range
// (the guide's note: alarms "might repeatedly re-evaluate the last set of
// data points for a period of time after the metric has stopped flowing").
//
// # What is simplified
//
// CloudWatch evaluates an alarm of a period of a minute or more every
// minute, each time over the periods that end at that minute ("Alarm
// evaluation"). This package evaluates at period boundaries aligned to the
// Unix epoch only, the boundaries of the datapoints GetMetricData returns;
// for the 60-second periods of the stack's alarms both are the same.
// Percentile statistics with few samples, metric math and the AWS/DynamoDB
// namespace's forced "ignore" are not modelled.
package evaluator

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// State is the state of an alarm. Its text (String, MarshalText) is
// CloudWatch's spelling: OK, ALARM, INSUFFICIENT_DATA. The zero State is
// InsufficientData, the state an alarm starts in.
type State uint8

// The three states of a metric alarm ("Alarm evaluation", Metric alarm
// states).
const (
	InsufficientData State = iota
	OK
	Alarm
)

var stateNames = [...]string{InsufficientData: "INSUFFICIENT_DATA", OK: "OK", Alarm: "ALARM"}

// String is the state as CloudWatch spells it, or State(n) for a value
// that is no state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText is the state as CloudWatch spells it.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("evaluator: %d is not a state", s)
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText reads a state as CloudWatch spells it.
func (s *State) UnmarshalText(text []byte) error {
	i := slices.Index(stateNames[:], string(text))
	if i < 0 {
		return fmt.Errorf("evaluator: state %q is not one of %s", text, strings.Join(stateNames[:], ", "))
	}
	*s = State(i)
	return nil
}

// Point is one datapoint of the alarm's metric: the value of one period,
// aggregated with the alarm's statistic, stamped with the period's start.
type Point struct {
	Time  time.Time
	Value float64
}

// Transition is one change of state, at the period boundary whose
// evaluation made it, with a reason in the style of CloudWatch's
// StateReason.
type Transition struct {
	Time     time.Time
	From, To State
	Reason   string
}

// Result is what a replay found over (start, end].
type Result struct {
	// Start and End are the window replayed, (Start, End].
	Start, End time.Time
	// Final is the state after the last evaluation (INSUFFICIENT_DATA when
	// there was none).
	Final State
	// Transitions are the changes of state, oldest first.
	Transitions []Transition
	// AlarmCount is the number of transitions into ALARM.
	AlarmCount int
	// TimeInAlarm is how long the alarm was in ALARM within (start, end]:
	// each evaluation's state holds until the next evaluation or end.
	TimeInAlarm time.Duration
	// TimeInsufficientData is the same for INSUFFICIENT_DATA, counting the
	// time from start to the first evaluation, when the alarm has no state
	// yet.
	TimeInsufficientData time.Duration
	// Evaluations is the number of evaluations: the period boundaries in
	// (start, end].
	Evaluations int
}

// Span is a stretch of time, [From, To).
type Span struct {
	From, To time.Time
}

// InAlarm is the stretches of the window the alarm spent in ALARM, oldest
// first: from each transition into ALARM to the next transition out of it,
// or to End. Their lengths add up to TimeInAlarm.
func (r Result) InAlarm() []Span {
	var spans []Span
	for _, tr := range r.Transitions {
		switch {
		case tr.To == Alarm:
			spans = append(spans, Span{From: tr.Time, To: r.End})
		case tr.From == Alarm && len(spans) > 0:
			spans[len(spans)-1].To = tr.Time
		}
	}
	return spans
}

// Evaluation is one evaluation, for EvaluateEach.
type Evaluation struct {
	// Time is the period boundary of the evaluation.
	Time time.Time
	// State is the state after the evaluation.
	State State
	// Real is how many real datapoints were evaluated, at most
	// EvaluationPeriods.
	Real int
	// Filled is EvaluationPeriods − Real: the datapoints the evaluation
	// range could not supply, which breaching and notBreaching fill in (the
	// "# of data points that must be filled" column of the guide's tables).
	Filled int
	// Breaching is how many of the evaluated datapoints breach, filled ones
	// included when missing data is treated as breaching.
	Breaching int
}

// A Datapoint is a point as the evaluations count it, with whether it
// breaches the alarm's threshold.
type Datapoint struct {
	Point
	Breaching bool
}

// Datapoints is points as Evaluate evaluates them for the alarm a: in the
// form Evaluate puts them in (each moved back to the start of its period,
// sorted, of two points of a period only the later kept), each with whether
// it breaches, by the comparison the evaluations use. A chart that marks
// the breaching datapoints asks this, so that it marks what the
// evaluations counted. Datapoints panics if Check(a) reports an error.
func Datapoints(a alarms.Alarm, points []Point) []Datapoint {
	r := newRules(a)
	if !wellFormed(points, r.period) {
		points = normalized(points, r.period)
	}
	out := make([]Datapoint, len(points))
	for i, pt := range points {
		out[i] = Datapoint{Point: pt, Breaching: r.breaches(pt.Value)}
	}
	return out
}

// ExtraDatapoints is how many periods the evaluation range holds beyond the
// alarm's EvaluationPeriods.
//
// The guide does not document the size of the range in general: "The exact
// number of data points it attempts to retrieve depends on the length of
// the alarm period and whether it is based on a metric with standard
// resolution or high resolution" ("How alarm state is evaluated when data
// is missing"). It gives one figure, for its example alarms of a 5-minute
// period and 3 evaluation periods: "CloudWatch retrieves the 5 most recent
// data points when evaluating the alarm, in case some of the most recent 3
// data points are missing. 5 is the evaluation range for the alarm." N+2 is
// that figure, the only documented one, and the rule the guide's tables are
// reproduced with; other public reimplementations of the rules (LocalStack's
// alarm scheduler among them) use the same N+2.
const ExtraDatapoints = 2

// EvaluationRange is how many periods an evaluation looks at: the alarm's
// EvaluationPeriods plus ExtraDatapoints; for a query alarm, no more than
// the periods of alarms.MaxQueryEvaluation: "Only the latest 3 hours of
// data can be used for evaluating the alarm's conditions" ("Limits",
// alarm-limits.html, "Limits that apply to alarms based on Metrics Insights
// queries"; "Metrics Insights quotas": "You can query the most recent three
// hours of data for alarm condition evaluations").
func EvaluationRange(a alarms.Alarm) int {
	n := a.EvaluationPeriods + ExtraDatapoints
	if a.IsQuery() && a.Period > 0 {
		n = min(n, int(alarms.MaxQueryEvaluation/a.PeriodDuration()))
	}
	return n
}

// History is how far before start the caller must fetch datapoints so that
// the first evaluation after start has its whole evaluation range, whatever
// start is (for a start on a period boundary one period less would do).
// The guide: "If data points are missing soon after you create an alarm,
// and the metric was being reported to CloudWatch before you created the
// alarm, CloudWatch retrieves the most recent data points from before the
// alarm was created when evaluating the alarm."
func History(a alarms.Alarm) time.Duration {
	return time.Duration(EvaluationRange(a)) * a.PeriodDuration()
}

// Check reports why an alarm cannot be evaluated: a period or evaluation
// periods that are not positive, datapoints to alarm outside 1..N, a
// threshold that is not finite, an operator that is not one of the four static ones, an
// unknown missing-data treatment (empty means missing, CloudWatch's
// default); for a query alarm, what checkQuery says.
func Check(a alarms.Alarm) error {
	var errs []error
	if a.Period <= 0 {
		errs = append(errs, fmt.Errorf("period %d s is not positive", a.Period))
	}
	if a.EvaluationPeriods < 1 {
		errs = append(errs, fmt.Errorf("evaluation periods %d is not positive", a.EvaluationPeriods))
	}
	if a.DatapointsToAlarm < 0 || a.Datapoints() > a.EvaluationPeriods {
		errs = append(errs, fmt.Errorf("datapoints to alarm %d is not within 1..%d", a.DatapointsToAlarm, a.EvaluationPeriods))
	}
	if math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0) {
		errs = append(errs, fmt.Errorf("threshold %v is not a finite number", a.Threshold))
	}
	if !a.Comparison.Valid() {
		errs = append(errs, fmt.Errorf("comparison %q is not one of %v", a.Comparison, alarms.ComparisonOperators))
	}
	if a.TreatMissingData != "" && !slices.Contains(alarms.MissingDataTreatments, a.TreatMissingData) {
		errs = append(errs, fmt.Errorf("missing-data treatment %q is not one of %v", a.TreatMissingData, alarms.MissingDataTreatments))
	}
	if a.IsQuery() {
		errs = append(errs, checkQuery(a)...)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("evaluator: alarm %q: %w", a.Name, err)
	}
	return nil
}

// Evaluate replays the alarm over (start, end]: one evaluation at every
// period boundary t in (start, end], boundaries being multiples of the
// period since the Unix epoch. At t the datapoints of the periods that ended
// by t are known (a point stamped p is known from p+period on). The alarm is
// in INSUFFICIENT_DATA at start; points before start fill the evaluation
// ranges of the first evaluations (fetch History(a) before start).
//
// points should be sorted by Time, one per period, each stamped with its
// period's start, as GetMetricData returns them. Other points are put in
// that form in a copy: each time moved back to the start of its period,
// sorted, and of two points of a period only the later one kept (the later
// in points for equal times). Evaluate panics if Check(a) reports an
// error.
func Evaluate(a alarms.Alarm, points []Point, start, end time.Time) Result {
	return EvaluateEach(a, points, start, end, nil)
}

// EvaluateEach is Evaluate, calling each (when not nil) after every
// evaluation with the state it left the alarm in.
func EvaluateEach(a alarms.Alarm, points []Point, start, end time.Time, each func(Evaluation)) Result {
	r := newRules(a)
	if each != nil && !wellFormed(points, r.period) {
		// Up front, so that each never sees an evaluation twice.
		points = normalized(points, r.period)
	}
	res, ok := r.replay(points, start, end, each)
	if !ok {
		res, _ = r.replay(normalized(points, r.period), start, end, nil)
	}
	return res
}

// How an evaluation was decided, for the reasons.
type how uint8

const (
	// Enough real datapoints: the most recent N decide (rule 2).
	byData how = iota
	// Missing datapoints filled as breaching or not breaching (rule 3).
	byFill
	// missing or ignore, decided by the real datapoints alone (rule 4).
	byRealOnly
	// The premature-transition rule's ALARM (rule 4).
	byEarly
	// missing or ignore without a decision: INSUFFICIENT_DATA or the
	// current state (rule 4).
	byNothing
)

type treatment uint8

const (
	treatMissing treatment = iota
	treatIgnore
	treatBreaching
	treatNotBreaching
)

// rules is an alarm prepared for the replay.
type rules struct {
	a      alarms.Alarm
	period int64 // seconds
	n, m   int   // N evaluation periods, M datapoints to alarm
	rng    int   // evaluation range, periods
	comparator
	treat treatment
	buf   []byte // the reasons' scratch
	// contributor words the reasons' states as a query alarm's
	// contributor has them: INSUFFICIENT_DATA is OK.
	contributor bool
}

// comparator is the alarm's comparison (alarms.Comparison) in the form the
// replay's loops use, one "greater than": a value v breaches when
// sign·v > thr. newComparator derives it from the comparison's Greater and
// OrEqual: for the LessThan operators sign is −1 and thr the negated
// threshold; for the OrEqualTo ones thr is the float just below the
// (negated) threshold, which is exact for a finite threshold: no float lies
// between the two. TestComparatorAgreesWithComparison holds it to
// alarms.Comparison.Breaches.
type comparator struct {
	sign, thr float64
}

func newComparator(c alarms.Comparison, threshold float64) comparator {
	k := comparator{sign: 1, thr: threshold}
	if !c.Greater() {
		k.sign, k.thr = -1, -threshold
	}
	if c.OrEqual() {
		k.thr = math.Nextafter(k.thr, math.Inf(-1))
	}
	return k
}

func newRules(a alarms.Alarm) *rules {
	if err := Check(a); err != nil {
		panic(err)
	}
	r := &rules{
		a: a, period: int64(a.Period), n: a.EvaluationPeriods, m: a.Datapoints(), rng: EvaluationRange(a),
		comparator: newComparator(a.Comparison, a.Threshold),
	}
	switch a.TreatMissingData {
	case alarms.MissingDataIgnore:
		r.treat = treatIgnore
	case alarms.MissingDataBreaching:
		r.treat = treatBreaching
	case alarms.MissingDataNotBreaching:
		r.treat = treatNotBreaching
	}
	return r
}

// breaches reports whether a value breaches the threshold. NaN breaches
// nothing.
func (c comparator) breaches(v float64) bool { return c.sign*v > c.thr }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// replay runs the evaluations. It reports false, having stopped, when it
// finds points that are not wellFormed.
func (r *rules) replay(points []Point, start, end time.Time, each func(Evaluation)) (Result, bool) {
	res := Result{Start: start, End: end, Final: InsufficientData}
	p := r.period
	first := floorDiv(start.Unix(), p)*p + p
	last := floorDiv(end.Unix(), p) * p
	if last < first {
		res.TimeInsufficientData = max(end.Sub(start), 0)
		return res, true
	}

	var (
		n       = len(points)
		c       = r.comparator
		nEval   = r.n
		span    = int64(r.rng) * p
		early   = int64(r.m) * p
		cur     = InsufficientData
		k       int   // points[:k] are known
		secK    int64 // points[k].Time.Unix(), when k < n
		winB    int   // breaching among points[k-N:k]
		prevSec int64 = math.MinInt64
		inState [len(stateNames)]int64
	)
	if n > 0 {
		secK = points[0].Time.Unix()
	}
	for t := first; t <= last; t += p {
		if each == nil && cur != InsufficientData && k >= nEval {
			// A stretch of evaluations with a datapoint each, in the fast
			// loop.
			t0, k0 := t, k
			t, k, secK, winB = r.steady(points, t, last, k, secK, winB, cur == Alarm)
			if k > k0 {
				inState[cur] += (t - t0) / p
				prevSec = t - 2*p
				if t > last {
					break
				}
			}
		}
		for known := t - p; k < n && secK <= known; {
			if secK <= prevSec || secK%p != 0 {
				return Result{}, false
			}
			prevSec = secK
			winB += b2i(c.breaches(points[k].Value))
			if k >= nEval {
				winB -= b2i(c.breaches(points[k-nEval].Value))
			}
			if k++; k < n {
				secK = points[k].Time.Unix()
			}
		}

		lo := t - span // the range's oldest period
		have, rangeB, oldEnough := nEval, winB, false
		if k < nEval || points[k-nEval].Time.Unix() < lo {
			// Fewer than N: the known points from lo on.
			have, rangeB = 0, 0
			var oldest int64
			for i := k - 1; i >= 0; i-- {
				s := points[i].Time.Unix()
				if s < lo {
					break
				}
				have++
				rangeB += b2i(c.breaches(points[i].Value))
				oldest = s
			}
			oldEnough = have > 0 && t-oldest >= early
		}
		o, decided := r.decide(have, rangeB, oldEnough)
		next := o.from(cur)

		if next != cur {
			res.Transitions = append(res.Transitions, Transition{
				Time: time.Unix(t, 0).UTC(), From: cur, To: next,
				Reason: r.reason(points, t, decided, k, have, rangeB, cur, next),
			})
			if next == Alarm {
				res.AlarmCount++
			}
			cur = next
		}
		inState[cur]++
		if each != nil {
			e := Evaluation{Time: time.Unix(t, 0).UTC(), State: cur, Real: have, Filled: nEval - have, Breaching: rangeB}
			if decided == byFill && r.treat == treatBreaching {
				e.Breaching += e.Filled
			}
			each(e)
		}
	}
	// The last check of the form: the points after the last known one.
	if !wellFormed(points[k:], p) || (k < n && secK <= prevSec) {
		return Result{}, false
	}

	res.Final = cur
	res.Evaluations = int((last-first)/p) + 1
	// Every evaluation's state holds one period, the last one's until end.
	periodDur := time.Duration(p) * time.Second
	tail := end.Sub(time.Unix(last, 0))
	res.TimeInAlarm = time.Duration(inState[Alarm]) * periodDur
	res.TimeInsufficientData = time.Unix(first, 0).Sub(start) + time.Duration(inState[InsufficientData])*periodDur
	switch cur {
	case Alarm:
		res.TimeInAlarm += tail - periodDur
	case InsufficientData:
		res.TimeInsufficientData += tail - periodDur
	}
	return res, true
}

// steady is the replay's fast loop, for the common case of a datapoint
// every period: from the evaluation at t, as long as the point of the
// period that just ended is there (points[k], at secK; points[:k] are
// known) and the N most recent points, k's included, are in the range, the
// state is whether winB ≥ M (rule 2). It stops before the first evaluation
// that would change the state (alarm is whether it is ALARM), that finds
// no new point, or after last, and returns where it stopped.
//
// Whether the N most recent points are in the range is checked once: the
// points are wellFormed (replay checks the ones it took, steady takes only
// points of consecutive periods), so each new point is one period after
// the last and the oldest of the N moves at least one period: the N points
// never span more periods than when the loop started.
func (r *rules) steady(points []Point, t, last int64, k int, secK int64, winB int, alarm bool) (int64, int, int64, int) {
	c, p, nEval, m := r.comparator, r.period, r.n, r.m
	if t > last || k >= len(points) || secK != t-p || points[k+1-nEval].Time.Unix() < t-int64(r.rng)*p {
		return t, k, secK, winB
	}
	for t <= last && k < len(points) && secK == t-p {
		w := winB + b2i(c.breaches(points[k].Value)) - b2i(c.breaches(points[k-nEval].Value))
		if (w >= m) != alarm {
			break
		}
		winB = w
		if k++; k < len(points) {
			secK = points[k].Time.Unix()
		}
		t += p
	}
	return t, k, secK, winB
}

// An outcome is what an evaluation decides: a state to go to, or, under
// ignore with nothing to decide on, to keep the current one.
type outcome struct {
	state State
	keep  bool
}

// The outcomes.
var (
	toOK           = outcome{state: OK}
	toAlarm        = outcome{state: Alarm}
	toInsufficient = outcome{state: InsufficientData}
	keep           = outcome{keep: true}
)

// from is the state after an evaluation that found the alarm in cur.
func (o outcome) from(cur State) State {
	if o.keep {
		return cur
	}
	return o.state
}

// decide is CloudWatch's decision of one evaluation (rules 2 to 4 of the
// package documentation), the one place that makes it: the replay and
// SuggestThreshold's profile both call it. real is how many real datapoints
// are evaluated: the N most recent when the evaluation range holds N or
// more, else all that it holds; breaching is how many of them breach;
// oldEnough is whether the oldest of them is at least M periods old (the
// period that ended at the evaluation is 1 period old), which matters only
// with fewer than N. It returns the outcome and how it was decided.
//
// For given real and oldEnough the outcome is a step in breaching: one
// outcome below a count, another from it on (TestDecideIsAStep); the
// profile finds that count by binary search.
func (r *rules) decide(real, breaching int, oldEnough bool) (outcome, how) {
	if real >= r.n {
		// "If some data points in the evaluation range are missing, but
		// the total number of existing data points that were successfully
		// retrieved from the evaluation range is equal to or more than the
		// alarm's Evaluation Periods, CloudWatch evaluates the alarm state
		// based on the most recent real data points that were successfully
		// retrieved, including the necessary extra data points from farther
		// back in the evaluation range. In this case, the value you set for
		// how to treat missing data is not needed and is ignored." ("How
		// alarm state is evaluated when data is missing",
		// alarms-and-missing-data.html) With M of them breaching, ALARM:
		// "Datapoints to Alarm is the number of data points within the
		// Evaluation Periods that must be breaching to cause the alarm to go
		// to the ALARM state." ("Alarm evaluation", alarm-evaluation.html)
		if breaching >= r.m {
			return toAlarm, byData
		}
		return toOK, byData
	}
	switch r.treat {
	case treatBreaching:
		// "CloudWatch fills in the missing data points with the result you
		// specified for how to treat missing data, and then evaluates the
		// alarm. However, all real data points in the evaluation range are
		// included in the evaluation. CloudWatch uses missing data points
		// only as few times as possible." ("How alarm state is evaluated
		// when data is missing", alarms-and-missing-data.html)
		if breaching+r.n-real >= r.m {
			return toAlarm, byFill
		}
		return toOK, byFill
	case treatNotBreaching:
		if breaching >= r.m {
			return toAlarm, byFill
		}
		return toOK, byFill
	}
	// missing and ignore.
	switch {
	case real == 0:
		// "missing – If all data points in the alarm evaluation range are
		// missing, the alarm transitions to INSUFFICIENT_DATA."; "ignore –
		// The current alarm state is maintained" (alarms-and-missing-data.html).
		break
	case breaching >= r.m:
		return toAlarm, byRealOnly
	case breaching < real:
		// A real datapoint that does not breach: OK. The guide's tables:
		// 3 of 3, "0 - - - -" is OK under MISSING and IGNORE; 2 of 3,
		// "0 - X - -" and "- - - - 0" are OK under both.
		return toOK, byRealOnly
	case r.treat == treatMissing && oldEnough:
		// "Avoiding premature transitions to alarm state": "alarms are
		// designed to always go into ALARM state when the oldest available
		// breaching datapoint during the Evaluation Periods number of data
		// points is at least as old as the value of Datapoints to Alarm,
		// and all other more recent data points are breaching or missing.
		// In this case, the alarm goes into ALARM state even if the total
		// number of datapoints available is lower than M". It applies when
		// every real datapoint of the range breaches: the 2 of 3 row
		// "0 - X - -", whose X is old enough, stays OK under MISSING, and
		// the guide's older revisions say of "X - - - -" that it goes to
		// ALARM "because the oldest evaluated data point is breaching and
		// there aren't any non-breaching data points" (revision of 16 Jan
		// 2019, 72266c733fe0d9f183ca8e7b1120869691b0fc6e). The IGNORE column
		// of the same rows keeps the current state, so the rule is
		// missing's only. The Knowledge Center says the same: "Why did my
		// CloudWatch alarm send me a notification after a single breached
		// data point?",
		// https://aws.amazon.com/premiumsupport/knowledge-center/cloudwatch-alarm-single-data-point/
		return toAlarm, byEarly
	}
	// No decision: missing goes to INSUFFICIENT_DATA, ignore keeps the
	// state. For breaching datapoints too recent for the rule above
	// ("- - - - X" with 3 of 3 or 2 of 3) the guide's revision of 24 June
	// 2019 (d444eedf50fd3127aa855ae3c8d51bb0b7cba8dd) gives
	// INSUFFICIENT_DATA under MISSING and "Retain current state" under
	// IGNORE; the current text only says the alarm "does not go
	// immediately into ALARM state".
	if r.treat == treatIgnore {
		return keep, byNothing
	}
	return toInsufficient, byNothing
}

// PeriodStart is the start of the period of the given length (in seconds)
// that t falls in: periods are multiples of their length since the Unix
// epoch, as GetMetricData stamps its datapoints and as the evaluations run.
func PeriodStart(t time.Time, period int) time.Time {
	p := int64(period)
	return time.Unix(floorDiv(t.Unix(), p)*p, 0).UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// wellFormed reports whether points are sorted, one per period, each on
// its period's start (a multiple of the period since the Unix epoch, to
// the second).
func wellFormed(points []Point, period int64) bool {
	prev := int64(math.MinInt64)
	for _, pt := range points {
		s := pt.Time.Unix()
		if s <= prev || s%period != 0 {
			return false
		}
		prev = s
	}
	return true
}

// normalized is points made wellFormed: each time moved back to its
// period's start, sorted, the later of two points of a period kept.
func normalized(points []Point, period int64) []Point {
	c := slices.Clone(points)
	slices.SortStableFunc(c, func(x, y Point) int { return x.Time.Compare(y.Time) })
	out := c[:0]
	for _, pt := range c {
		pt.Time = PeriodStart(pt.Time, int(period))
		if len(out) > 0 && out[len(out)-1].Time.Equal(pt.Time) {
			out[len(out)-1] = pt
			continue
		}
		out = append(out, pt)
	}
	return out
}
