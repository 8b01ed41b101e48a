package evaluator

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// # Query alarms
//
// A query alarm (alarms.Alarm.Query) evaluates a Metrics Insights query
// that returns one time series per stream or consumer; CloudWatch
// evaluates each series as a contributor with a state of its own, and the
// alarm from its contributors. EvaluateQuery replays that, with what the
// User Guide says of such alarms (pages "Create a CloudWatch alarm based on
// a Metrics Insights query", Create_Metrics_Insights_Alarm.html; "Create an
// alarm based on a Multi Time Series Metrics Insights query",
// multi-time-series-alarm.html; "Acting on alarm changes",
// Acting_Alarm_Changes.html; "Limits", alarm-limits.html; "Metrics
// Insights quotas", cloudwatch-metrics-insights-limits.html; "Metrics
// Insights query components and syntax",
// cloudwatch-metrics-insights-querylanguage.html; "SQL inference",
// cloudwatch-metrics-insights-inference.html):
//
//  1. Each series is replayed as Evaluate replays an alarm (the rules of
//     the package documentation, decided by the same code), its
//     evaluation range clipped to the latest 3 hours (EvaluationRange).
//  2. "each time series (contributor) can only be in ALARM or OK state,
//     never in INSUFFICIENT_DATA state. This is because a time series only
//     exists when data is present." (Acting_Alarm_Changes.html): a
//     contributor is in ALARM when its replay is, else OK.
//  3. A series is returned by the query, and so is a contributor, at an
//     evaluation only when it has a datapoint in that evaluation's range
//     (the same sentence); otherwise it is not evaluated and counts as OK,
//     whatever the missing-data treatment (breaching fills nothing there:
//     there is no series to fill).
//  4. "A single query can return no more than 500 time series ... If you
//     use an ORDER BY clause, then all the metrics being processed are
//     sorted, and the 500 that have the highest or lowest values according
//     to your ORDER BY clause are returned." ("Metrics Insights quotas"):
//     at an evaluation where more than alarms.QueryLimit series have data,
//     only the first QueryLimit in the ORDER BY order are returned; the
//     others are not contributors at that evaluation (OK). The order is
//     the query's function (alarms.QueryFunction: SUM, AVG, MAX, MIN,
//     COUNT) of each series, descending for a GreaterThan comparison and
//     ascending for a LessThan one (alarms.Alarm.Expression).
//  5. "The alarm activates when any contributor enters the ALARM state"
//     (Create_Metrics_Insights_Alarm.html): the alarm is in ALARM while at
//     least one contributor is, else OK; its state reasons are worded as
//     the "Limits" page quotes them ("95 out of 150 time series evaluated
//     to ALARM", "100+ time series evaluated to ALARM").
//
// Where the guide is silent, the replay chooses, and says so here:
//
//   - The time range of ORDER BY's function. "This aggregation operation
//     is performed on all the matched data points within each individual
//     time series over the entire queried time window" ("SQL inference");
//     the window an alarm's evaluation queries is not documented. The
//     replay takes the evaluation range (rule 1), the datapoints the
//     evaluation decides on.
//   - The function over a range, from the datapoints of its periods (the
//     observations themselves are not fetched): SUM, MAX and MIN of the
//     periods' sums, maxima and minima are exact; COUNT is the sum of the
//     periods' sample counts, exact; AVG is the mean of the periods'
//     averages, exact when the periods hold as many samples each. Sums
//     are kept as the range slides (the period that leaves taken out, the
//     one that comes in added) and added up afresh once the range has
//     renewed: a sum of fractions may differ from one added up afresh by
//     the rounding of a few additions, which changes the order only of
//     series that close (whole numbers, as counts are, are exact).
//   - Ties in the ORDER BY order keep the GROUP BY's default order:
//     "With a GROUP BY clause, by default the results are ordered in
//     alphabetical ascending order, using the sequence of labels specified
//     in the GROUP BY clause" (query components and syntax). The
//     comparison is of the values' bytes.
//   - A series that leaves the query's result (no datapoint in the range,
//     or outside the LIMIT) and comes back is a new contributor: its
//     replay starts afresh, in INSUFFICIENT_DATA (so OK), as an alarm
//     starts. This matters only under ignore, whose undecided evaluations
//     keep the state: a contributor that returns keeps OK, not a state it
//     had before it left.
//   - A query that returns no series leaves the alarm OK: no contributor
//     is in ALARM.
//   - CloudWatch holds at most alarms.MaxContributorsInAlarm contributors
//     in ALARM at once and does not say which; the replay holds every
//     contributor's state and reports the most that were in ALARM at once
//     (QueryResult.MostInAlarm).
//   - Evaluations are at the period boundaries, as for every alarm here;
//     the window (start, end] is the same for every contributor, and each
//     starts it as an alarm starts, in INSUFFICIENT_DATA, that is OK.

// Series is one time series of a query alarm's metric: its dimensions and
// its datapoints, as GetMetricData returns them for one metric with the
// alarm's statistic and period, held one value a period so that a fleet's
// series take 8 bytes a period (a Point takes 32).
type Series struct {
	Dimensions []alarms.Dimension
	// Start is the start of the period of Values[0], a multiple of the
	// alarm's period since the Unix epoch (another time stands for the
	// period it falls in, as Evaluate moves a datapoint back to the start
	// of its period).
	Start time.Time
	// Values are the datapoints, one a period from Start on; NaN where a
	// period has none. (CloudWatch keeps no NaN value: "Special values (for
	// example, NaN, +Infinity, -Infinity) are not supported", CloudWatch
	// service quotas, "Metric data values".)
	Values []float64
}

// NewSeries is the series of these datapoints at this period: each moved
// back to the start of its period, of two of a period the later kept (as
// Evaluate does), NaN values left out.
func NewSeries(dimensions []alarms.Dimension, points []Point, period time.Duration) Series {
	s := Series{Dimensions: dimensions}
	p := int64(period / time.Second)
	if len(points) == 0 || p <= 0 {
		return s
	}
	points = normalized(points, p)
	first := points[0].Time.Unix()
	s.Start = points[0].Time
	s.Values = make([]float64, (points[len(points)-1].Time.Unix()-first)/p+1)
	for i := range s.Values {
		s.Values[i] = math.NaN()
	}
	for _, pt := range points {
		s.Values[(pt.Time.Unix()-first)/p] = pt.Value
	}
	return s
}

// Points is the series' datapoints as Evaluate takes them.
func (s Series) Points(period time.Duration) []Point {
	p := int64(period / time.Second)
	var out []Point
	if p <= 0 {
		return out
	}
	start := floorDiv(s.Start.Unix(), p) * p
	for i, v := range s.Values {
		if !math.IsNaN(v) {
			out = append(out, Point{Time: time.Unix(start+int64(i)*p, 0).UTC(), Value: v})
		}
	}
	return out
}

// QueryResult is a query alarm's replay over (start, end].
type QueryResult struct {
	// Result is the alarm's own: INSUFFICIENT_DATA until the first
	// evaluation, then ALARM while at least one contributor is in ALARM,
	// else OK. Its AlarmCount counts the alarm's own transitions into
	// ALARM; ContributorAlarms counts the contributors'.
	Result
	// Series is how many series were evaluated.
	Series int
	// Contributors are the series that went to ALARM in the window, in the
	// GROUP BY's order.
	Contributors []Contributor
	// ContributorAlarms is the contributors' transitions into ALARM, all
	// of them.
	ContributorAlarms int
	// MostInAlarm is the most contributors in ALARM at once (CloudWatch
	// holds alarms.MaxContributorsInAlarm at most).
	MostInAlarm int
	// Limited is how many evaluations had more than alarms.QueryLimit
	// series with data, where ORDER BY and LIMIT chose the series returned
	// (CloudWatch's evaluation state PARTIAL_DATA).
	Limited int
}

// Contributor is one series' replay as a contributor.
type Contributor struct {
	// Series is the series' index in the series given.
	Series int
	// Result is its replay: OK and ALARM only, from the window's start (its
	// Transitions are between OK and ALARM; TimeInsufficientData is 0).
	Result
}

// checkQuery says why a query alarm cannot be evaluated: no dimension to
// group by, a statistic without a Metrics Insights function, a period that
// is not whole minutes (Metrics Insights serves one-minute data at the
// finest), evaluation periods longer than the 3 hours a query alarm
// evaluates.
func checkQuery(a alarms.Alarm) []error {
	var errs []error
	if len(a.Query.GroupBy) == 0 {
		errs = append(errs, errors.New("its query groups by no dimension"))
	}
	if _, err := alarms.QueryFunction(a.Statistic); err != nil {
		errs = append(errs, err)
	}
	if a.Period > 0 && a.Period%alarms.MinQueryPeriod != 0 {
		errs = append(errs, fmt.Errorf("period %d s is not a whole number of minutes, the finest data a query reads", a.Period))
	}
	if a.Period > 0 && a.EvaluationPeriods > 0 && time.Duration(a.EvaluationPeriods)*a.PeriodDuration() > alarms.MaxQueryEvaluation {
		errs = append(errs, fmt.Errorf("%d evaluation periods of %d s are longer than the %s a query alarm evaluates",
			a.EvaluationPeriods, a.Period, alarms.MaxQueryEvaluation))
	}
	return errs
}

// EvaluateQuery replays the query alarm a over (start, end] with the
// series its query matches (each aggregated with the alarm's statistic and
// period), as the section "Query alarms" of this file says. EvaluateQuery
// panics if Check(a) reports an error or a is not a query alarm.
//
// How, so that a fleet replays in seconds: whether the query returns a
// series with data (rule 4) matters to its contributor only where the
// contributor could be in ALARM, and the ranking is the costly part. Under
// missing, breaching and notBreaching an evaluation's outcome does not
// depend on the state before it (only ignore keeps a state), so a
// contributor is in ALARM exactly where one replay of its whole series is
// in ALARM and the query returns it: each series is replayed once, and the
// series ranked only at the evaluations where one with data is in ALARM.
// Under ignore each stretch of evaluations at which the query returns the
// series is replayed afresh, the series ranked wherever more than
// alarms.QueryLimit have data.
func EvaluateQuery(a alarms.Alarm, series []Series, start, end time.Time) QueryResult {
	return evaluateQuery(a, series, start, end, alarms.QueryLimit)
}

// evaluateQuery is EvaluateQuery with a LIMIT of limit series.
func evaluateQuery(a alarms.Alarm, series []Series, start, end time.Time, limit int) QueryResult {
	f := newFleet(a, series, start, end, limit)
	out := QueryResult{Series: len(series), Limited: f.limited}
	var contributors []Contributor
	if f.r.treat == treatIgnore {
		f.rank(nil)
		contributors = make([]Contributor, len(f.order))
		f.parallel(len(f.order), seriesChunk, func(w, from, to int) {
			for i := from; i < to; i++ {
				contributors[i] = f.freshContributor(w, f.order[i])
			}
		})
	} else {
		contributors = f.maskedContributors()
	}
	var events []inAlarmEvent
	for _, c := range contributors {
		if c.AlarmCount == 0 {
			continue
		}
		out.Contributors = append(out.Contributors, c)
		out.ContributorAlarms += c.AlarmCount
		for _, tr := range c.Transitions {
			d := int32(1)
			if tr.To != Alarm {
				d = -1
			}
			events = append(events, inAlarmEvent{t: tr.Time.Unix(), d: d})
		}
	}
	out.Result, out.MostInAlarm = f.alarm(events)
	return out
}

// SuggestQueryThreshold finds the threshold at which no contributor of the
// query alarm a (its threshold aside) would have gone to ALARM more than
// maxAlarms times in (start, end], replayed as EvaluateQuery replays them:
// the least strict threshold that, with every stricter one, keeps each
// contributor within maxAlarms, as SuggestThreshold says of one alarm.
// Which series the query returns at each evaluation does not depend on the
// threshold (the datapoints in the range, the ORDER BY order): each
// series' count is SuggestThreshold's with the evaluations where it is not
// returned held OK, and the answer is the strictest of the series'
// answers. The forms of the result are SuggestThreshold's.
// SuggestQueryThreshold panics as EvaluateQuery does.
func SuggestQueryThreshold(a alarms.Alarm, series []Series, start, end time.Time, maxAlarms int) (threshold float64, ok bool) {
	if maxAlarms < 0 {
		return 0, false
	}
	f := newFleet(a, series, start, end, alarms.QueryLimit)
	f.rank(nil)
	// Each series' answer, in the "greater than" form.
	answers := make([]float64, len(series))
	answered := make([]bool, len(series))
	f.parallel(len(series), seriesChunk, func(_, from, to int) {
		var pts []Point
		for s := from; s < to; s++ {
			answers[s], answered[s] = math.Inf(-1), true
			if len(f.runs(s)) == 0 {
				continue // never returned: never in ALARM
			}
			pts = f.points(s, pts[:0])
			p := maskedProfile(a, pts, start, end, func(e int) bool { return f.returned(s, e) })
			answers[s], answered[s] = p.leastStrict(maxAlarms)
		}
	})
	best := math.Inf(-1) // the strictest
	for s := range series {
		if !answered[s] {
			return 0, false
		}
		best = max(best, answers[s])
	}
	neg := f.r.sign < 0
	if neg {
		best = -best
	}
	return best, true
}

// A fleet is a query alarm's series prepared for the replay: which series
// the query returns at each evaluation.
type fleet struct {
	a      alarms.Alarm
	r      *rules
	series []Series
	// first is the first evaluation's boundary (Unix seconds); evals the
	// number of evaluations; start and end the window.
	first      int64
	evals      int
	start, end time.Time
	// order is the series' indices in the GROUP BY's order.
	order []int
	// present holds, series after series, a bit per evaluation: whether
	// the query returns the series at that evaluation (once ranked;
	// whether it has a datapoint in the range before).
	present []uint64
	words   int
	// withData is, per evaluation, how many series have a datapoint in its
	// range.
	withData []int32
	// limit is LIMIT's value: alarms.QueryLimit; limited the evaluations
	// with more series with data.
	limit   int
	limited int
	fn      string
	max     bool // fn is MAX
	min     bool // fn is MIN
	avg     bool // fn is AVG
	desc    bool
	// base is, per series, the index of its Values of the newest period
	// known at the first evaluation (evaluation e's is base+e).
	base []int
	// rulesOf are each worker's rules (the reasons' scratch is theirs);
	// rulesOf[0] is r.
	rulesOf []*rules
}

// The work of a fleet is shared by a goroutine a processor, each taking a
// chunk of series, or of evaluations (a multiple of 64: a word of the
// bitsets), at a time.
const (
	seriesChunk = 16
	evalChunk   = 8 * 64
)

// parallel runs work over [0, n) in chunks of chunk, each call with its
// worker's index, on as many workers as processors and chunks.
func (f *fleet) parallel(n, chunk int, work func(w, from, to int)) {
	workers := max(1, min(len(f.rulesOf), (n+chunk-1)/chunk))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(int64(chunk))) - chunk
				if from >= n {
					return
				}
				work(w, from, min(from+chunk, n))
			}
		}()
	}
	wg.Wait()
}

func newFleet(a alarms.Alarm, series []Series, start, end time.Time, limit int) *fleet {
	if !a.IsQuery() {
		panic(fmt.Sprintf("evaluator: alarm %q is not a query alarm", a.Name))
	}
	r := newRules(a)
	r.contributor = true
	fn, _ := alarms.QueryFunction(a.Statistic) // Check refused a statistic without one
	f := &fleet{a: a, r: r, series: series, start: start, end: end, limit: limit,
		fn: fn, max: fn == "MAX", min: fn == "MIN", avg: fn == "AVG", desc: a.Comparison.Greater()}
	p := r.period
	f.first = floorDiv(start.Unix(), p)*p + p
	if last := floorDiv(end.Unix(), p) * p; last >= f.first {
		f.evals = int((last-f.first)/p) + 1
	}
	f.order = make([]int, len(series))
	for i := range f.order {
		f.order[i] = i
	}
	groupBy := a.Query.GroupBy
	slices.SortStableFunc(f.order, func(x, y int) int {
		for _, name := range groupBy {
			if c := strings.Compare(dimension(series[x].Dimensions, name), dimension(series[y].Dimensions, name)); c != 0 {
				return c
			}
		}
		return 0
	})
	f.base = make([]int, len(series))
	for i, sr := range series {
		f.base[i] = int((f.first - p - floorDiv(sr.Start.Unix(), p)*p) / p)
	}
	f.rulesOf = []*rules{r}
	for range runtime.GOMAXPROCS(0) - 1 {
		w := newRules(a)
		w.contributor = true
		f.rulesOf = append(f.rulesOf, w)
	}
	f.words = (f.evals + 63) / 64
	f.present = make([]uint64, f.words*len(series))
	f.withData = make([]int32, f.evals)
	for s := range series {
		f.markData(s)
	}
	for _, n := range f.withData {
		if int(n) > f.limit {
			f.limited++
		}
	}
	return f
}

func dimension(ds []alarms.Dimension, name string) string {
	for _, d := range ds {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

// time is evaluation e's boundary.
func (f *fleet) time(e int) time.Time {
	return time.Unix(f.first+int64(e)*f.r.period, 0).UTC()
}

// window is the indices of series s's Values in evaluation e's range,
// [lo, hi], not clipped to the values.
func (f *fleet) window(s, e int) (lo, hi int) {
	hi = f.base[s] + e
	return hi - f.r.rng + 1, hi
}

// rangeValues are series s's values in evaluation e's range (NaN where a
// period has no datapoint).
func (f *fleet) rangeValues(s, e int) []float64 {
	lo, hi := f.window(s, e)
	values := f.series[s].Values
	lo = min(max(lo, 0), len(values))
	return values[lo:min(max(hi+1, lo), len(values))]
}

// points appends series s's datapoints from the first evaluation's range
// on to buf.
func (f *fleet) points(s int, buf []Point) []Point {
	lo, _ := f.window(s, 0)
	values := f.series[s].Values
	p := f.r.period
	start := floorDiv(f.series[s].Start.Unix(), p) * p
	for j := max(lo, 0); j < len(values); j++ {
		if !math.IsNaN(values[j]) {
			buf = append(buf, Point{Time: time.Unix(start+int64(j)*p, 0).UTC(), Value: values[j]})
		}
	}
	return buf
}

// markData sets series s's bits where it has a datapoint in the range, and
// counts them in withData.
func (f *fleet) markData(s int) {
	values := f.series[s].Values
	if len(values) == 0 || f.evals == 0 {
		return
	}
	lo, hi := f.window(s, 0)
	newest := math.MinInt // the newest index with a datapoint, up to hi
	for j := max(lo, 0); j < hi && j < len(values); j++ {
		if !math.IsNaN(values[j]) {
			newest = j
		}
	}
	bitset := f.present[s*f.words : (s+1)*f.words]
	for e := range f.evals {
		j := hi + e
		if j-f.r.rng+1 >= len(values) {
			break
		}
		if j >= 0 && j < len(values) && !math.IsNaN(values[j]) {
			newest = j
		}
		if newest >= j-f.r.rng+1 {
			bitset[e/64] |= 1 << (e % 64)
			f.withData[e]++
		}
	}
}

// rank applies ORDER BY and LIMIT (rule 4): at each evaluation where more
// than f.limit series have data, only the first f.limit in the ORDER BY
// order stay returned. alarmed, when not nil, holds (as present does) the
// evaluations at which each series is in ALARM, and only those series'
// bits matter: an evaluation without one is not ranked, and one where each
// is among the first f.limit needs no more.
func (f *fleet) rank(alarmed []uint64) {
	type state struct {
		slides        []slide
		keys, scratch []float64
		who           []int
	}
	states := make([]*state, len(f.rulesOf))
	f.parallel(f.evals, evalChunk, func(w, from, to int) {
		st := states[w]
		if st == nil {
			st = &state{slides: make([]slide, len(f.series))}
			for s := range st.slides {
				st.slides[s].e = -1
			}
			states[w] = st
		}
		for e := from; e < to; e++ {
			f.rankAt(e, alarmed, st.slides, &st.keys, &st.scratch, &st.who)
		}
	})
}

// rankAt is rank at evaluation e, with a worker's slides and scratch.
func (f *fleet) rankAt(e int, alarmed []uint64, slides []slide, keysBuf, scratchBuf *[]float64, whoBuf *[]int) {
	if int(f.withData[e]) <= f.limit {
		return
	}
	// The keys in the GROUP BY's order; with alarmed, the greatest of the
	// series in ALARM, and the place after it in the order.
	worst, after := math.Inf(-1), -1
	keys, who := (*keysBuf)[:0], (*whoBuf)[:0]
	defer func() { *keysBuf, *whoBuf = keys, who }()
	for _, s := range f.order {
		if !f.returned(s, e) {
			continue
		}
		k := f.orderKey(&slides[s], s, e)
		if alarmed != nil && bit(alarmed, s*f.words, e) && k >= worst {
			worst, after = k, len(keys)+1
		}
		keys = append(keys, k)
		who = append(who, s)
	}
	if alarmed != nil {
		if after < 0 {
			return // no series in ALARM
		}
		ahead := 0 // the series before the worst in ALARM
		for i, k := range keys {
			if k < worst || k == worst && i < after-1 {
				ahead++
			}
		}
		if ahead < f.limit {
			return // each series in ALARM is returned
		}
	}
	// The limit-th smallest key; ties go in the GROUP BY's order.
	scratch := append((*scratchBuf)[:0], keys...)
	*scratchBuf = scratch
	kth := kthLargest(scratch, len(scratch)-f.limit+1)
	ties := f.limit
	for _, k := range keys {
		if k < kth {
			ties--
		}
	}
	for i, k := range keys {
		switch {
		case k < kth:
		case k == kth && ties > 0:
			ties--
		default:
			f.present[who[i]*f.words+e/64] &^= 1 << (e % 64)
		}
	}
}

// bit is bit e of the bitset that starts at word from.
func bit(bits []uint64, from, e int) bool { return bits[from+e/64]&(1<<(e%64)) != 0 }

// returned says whether the query returns series s at evaluation e.
func (f *fleet) returned(s, e int) bool { return bit(f.present, s*f.words, e) }

// A slide is the query's function of a series over the range of one
// evaluation, kept as the range slides one period an evaluation: the sum
// and count of its datapoints, and their maximum or minimum.
type slide struct {
	e      int // the evaluation it is of; −1: none yet
	fresh  int // the evaluation it was last computed afresh at
	sum    float64
	n      int
	extent float64 // MAX's maximum or MIN's minimum
}

// orderKey is series s's place in the ORDER BY order at evaluation e: the
// query's function of the datapoints in the range, negated for DESC, so
// that the least key comes first. sl carries the function from the
// evaluation before, when it was computed there: the period that left the
// range is taken out and the new one added. The sum is computed afresh at
// least once every range's length of evaluations (the first after the
// range has renewed), so that the rounding of taking out stays within
// that of adding up one range.
func (f *fleet) orderKey(sl *slide, s, e int) float64 {
	lo, hi := f.window(s, e)
	extreme := f.max || f.min
	slid := sl.e >= 0 && sl.e == e-1 && e-sl.fresh < f.r.rng
	if slid {
		if out := f.value(s, lo-1); out == out { // not NaN
			sl.sum -= out
			sl.n--
			slid = !extreme || out != sl.extent // else the extent left: afresh
		}
	}
	if slid {
		if in := f.value(s, hi); in == in {
			if sl.n == 0 || f.beyond(in, sl.extent) {
				sl.extent = in
			}
			sl.sum += in
			sl.n++
		}
	} else {
		*sl = slide{fresh: e}
		for _, x := range f.rangeValues(s, e) {
			if x != x {
				continue
			}
			if sl.n == 0 || f.beyond(x, sl.extent) {
				sl.extent = x
			}
			sl.sum += x
			sl.n++
		}
	}
	sl.e = e
	v := sl.sum // SUM, COUNT (of the periods' counts)
	switch {
	case sl.n == 0:
		return math.Inf(1)
	case extreme:
		v = sl.extent
	case f.avg:
		v /= float64(sl.n)
	}
	if f.desc {
		return -v
	}
	return v
}

// value is series s's value of index j, NaN outside its values.
func (f *fleet) value(s, j int) float64 {
	if values := f.series[s].Values; j >= 0 && j < len(values) {
		return values[j]
	}
	return math.NaN()
}

// beyond says whether x is past extent for MAX (greater) or MIN (less).
func (f *fleet) beyond(x, extent float64) bool {
	return f.max && x > extent || f.min && x < extent
}

// A run is a stretch of evaluations [from, to].
type run struct{ from, to int }

// runs are the stretches of evaluations at which the query returns series
// s.
func (f *fleet) runs(s int) []run {
	return f.runsWithin(s, run{0, f.evals - 1}, nil)
}

// runsWithin appends to out the stretches within w at which the query
// returns series s.
func (f *fleet) runsWithin(s int, w run, out []run) []run {
	bitset := f.present[s*f.words : (s+1)*f.words]
	for e := w.from; e <= w.to; {
		word := bitset[e/64] >> (e % 64)
		if word == 0 {
			e += 64 - e%64
			continue
		}
		e += bits.TrailingZeros64(word)
		if e > w.to {
			break
		}
		from := e
		for e <= w.to && f.returned(s, e) {
			e++
		}
		out = append(out, run{from, e - 1})
	}
	return out
}

// rangePoints appends to buf series s's datapoints that the evaluations of
// w read.
func (f *fleet) rangePoints(s int, w run, buf []Point) []Point {
	lo, _ := f.window(s, w.from)
	_, hi := f.window(s, w.to)
	values := f.series[s].Values
	p := f.r.period
	start := floorDiv(f.series[s].Start.Unix(), p) * p
	for j := max(lo, 0); j <= hi && j < len(values); j++ {
		if !math.IsNaN(values[j]) {
			buf = append(buf, Point{Time: time.Unix(start+int64(j)*p, 0).UTC(), Value: values[j]})
		}
	}
	return buf
}

// newContributor is series s's contributor before any transition.
func (f *fleet) newContributor(s int) Contributor {
	c := Contributor{Series: s, Result: Result{Start: f.start, End: f.end, Final: OK, Evaluations: f.evals}}
	if f.evals == 0 {
		c.Final = InsufficientData
		c.TimeInsufficientData = max(f.end.Sub(f.start), 0)
	}
	return c
}

// add records a transition of the contributor.
func (c *Contributor) add(t time.Time, to State, reason string) {
	c.Transitions = append(c.Transitions, Transition{Time: t, From: okOrAlarm(to != Alarm), To: to, Reason: reason})
	if to == Alarm {
		c.AlarmCount++
	}
	c.Final = to
}

// done adds up the contributor's time in ALARM.
func (c *Contributor) done() {
	for _, span := range c.InAlarm() {
		c.TimeInAlarm += span.To.Sub(span.From)
	}
}

// maskedContributors are the contributors of every series in the GROUP
// BY's order, for a treatment other than ignore: one replay of each whole
// series, its ALARM kept where the query returns the series.
func (f *fleet) maskedContributors() []Contributor {
	type replayed struct {
		spans       []run // the evaluations in ALARM
		transitions []Transition
	}
	byOrder := make([]replayed, len(f.order))
	alarmed := make([]uint64, len(f.present)) // as present: in ALARM
	f.parallel(len(f.order), seriesChunk, func(w, from, to int) {
		var pts []Point
		for i := from; i < to; i++ {
			s := f.order[i]
			pts = f.points(s, pts[:0])
			res, _ := f.rulesOf[w].replay(pts, f.start, f.end, nil) // pts are well formed
			if res.AlarmCount == 0 {
				continue
			}
			var spans []run
			for _, span := range res.InAlarm() {
				from := int(span.From.Unix()-f.first) / int(f.r.period)
				to := f.evals - 1
				if span.To.Before(f.end) || res.Final != Alarm {
					to = int(ceilDiv(span.To.Unix()-f.first, f.r.period)) - 1
				}
				spans = append(spans, run{from, to})
				for e := from; e <= to; e++ {
					alarmed[s*f.words+e/64] |= 1 << (e % 64)
				}
			}
			byOrder[i] = replayed{spans, res.Transitions}
		}
	})
	f.rank(alarmed)

	out := make([]Contributor, len(f.order))
	f.parallel(len(f.order), seriesChunk, func(w, from, to int) {
		var pts []Point
		var stretches []run
		for i := from; i < to; i++ {
			s := f.order[i]
			c := f.newContributor(s)
			rp := byOrder[i]
			// The transition of the replay at a time, if any.
			at := func(t time.Time) (Transition, bool) {
				k, found := slices.BinarySearchFunc(rp.transitions, t, func(tr Transition, t time.Time) int { return tr.Time.Compare(t) })
				if !found {
					return Transition{}, false
				}
				return rp.transitions[k], true
			}
			stretches = stretches[:0]
			for _, span := range rp.spans {
				stretches = f.runsWithin(s, span, stretches)
			}
			for _, st := range stretches {
				t := f.time(st.from)
				if tr, ok := at(t); ok && tr.To == Alarm {
					c.add(t, Alarm, tr.Reason)
				} else {
					c.add(t, Alarm, f.freshReason(w, s, st.from, &pts))
				}
				if st.to+1 >= f.evals {
					continue
				}
				t = f.time(st.to + 1)
				if tr, ok := at(t); ok && f.returned(s, st.to+1) {
					c.add(t, OK, tr.Reason)
				} else {
					c.add(t, OK, f.leftReason(s, st.to+1))
				}
			}
			c.done()
			out[i] = c
		}
	})
	return out
}

// freshReason is the reason of series s's ALARM at evaluation e when the
// query returns it anew there: its evaluation replayed afresh, with worker
// w's rules.
func (f *fleet) freshReason(w, s, e int, buf *[]Point) string {
	*buf = f.rangePoints(s, run{e, e}, (*buf)[:0])
	res, _ := f.rulesOf[w].replay(*buf, f.time(e-1), f.time(e), nil)
	for _, tr := range res.Transitions {
		if tr.To == Alarm {
			return tr.Reason
		}
	}
	return ""
}

// freshContributor is series s's contributor under ignore: each stretch of
// evaluations at which the query returns it replayed afresh (rules 1 to
// 3), with the worker's rules.
func (f *fleet) freshContributor(worker, s int) Contributor {
	c := f.newContributor(s)
	var pts []Point
	for _, w := range f.runs(s) {
		pts = f.rangePoints(s, w, pts[:0])
		res, _ := f.rulesOf[worker].replay(pts, f.time(w.from-1), f.time(w.to), nil) // pts are well formed
		for _, tr := range res.Transitions {
			if (tr.To == Alarm) != (c.Final == Alarm) {
				c.add(tr.Time, okOrAlarm(tr.To == Alarm), tr.Reason)
			}
		}
		if c.Final == Alarm && w.to+1 < f.evals {
			c.add(f.time(w.to+1), OK, f.leftReason(s, w.to+1))
		}
	}
	c.done()
	return c
}

func okOrAlarm(alarm bool) State {
	if alarm {
		return Alarm
	}
	return OK
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// leftReason says why the query does not return series s at evaluation e.
func (f *fleet) leftReason(s, e int) string {
	if !slices.ContainsFunc(f.rangeValues(s, e), func(v float64) bool { return !math.IsNaN(v) }) {
		return fmt.Sprintf("No datapoint in the evaluation range (%d periods): the query returns no time series for this contributor, which is OK.", f.r.rng)
	}
	order := "ASC"
	if f.desc {
		order = "DESC"
	}
	return fmt.Sprintf("Not returned by the query: %d time series had data, and ORDER BY %s() %s over the evaluation range placed this one after the first %d (LIMIT %d), which is OK.",
		f.withData[e], f.fn, order, f.limit, f.limit)
}

// An inAlarmEvent is a contributor's transition: into ALARM (d = 1) or out
// of it (d = −1), at Unix second t.
type inAlarmEvent struct {
	t int64
	d int32
}

// alarm is the alarm's own replay from its contributors' transitions (rule
// 5), and the most contributors in ALARM at once.
func (f *fleet) alarm(events []inAlarmEvent) (Result, int) {
	res := Result{Start: f.start, End: f.end, Final: InsufficientData, Evaluations: f.evals}
	if f.evals == 0 {
		res.TimeInsufficientData = max(f.end.Sub(f.start), 0)
		return res, 0
	}
	slices.SortStableFunc(events, func(x, y inAlarmEvent) int { return cmp.Compare(x.t, y.t) })
	inAlarm, most, i := 0, 0, 0
	// The state after the first evaluation, then after each time
	// contributors change.
	for i < len(events) && events[i].t <= f.first {
		inAlarm += int(events[i].d)
		i++
	}
	f.alarmTransition(&res, f.first, inAlarm)
	most = inAlarm
	for i < len(events) {
		t := events[i].t
		for i < len(events) && events[i].t == t {
			inAlarm += int(events[i].d)
			i++
		}
		most = max(most, inAlarm)
		f.alarmTransition(&res, t, inAlarm)
	}
	for _, span := range res.InAlarm() {
		res.TimeInAlarm += span.To.Sub(span.From)
	}
	res.TimeInsufficientData = time.Unix(f.first, 0).Sub(f.start)
	return res, most
}

// alarmTransition records the alarm's state at Unix second t, with
// inAlarm contributors in ALARM, when it changes.
func (f *fleet) alarmTransition(res *Result, t int64, inAlarm int) {
	next := okOrAlarm(inAlarm > 0)
	if next == res.Final {
		return
	}
	e := int((t - f.first) / f.r.period)
	returned := min(int(f.withData[e]), f.limit)
	var reason string
	switch {
	case returned == 0:
		reason = "The query returned no time series."
	case inAlarm > alarms.MaxContributorsInAlarm:
		reason = fmt.Sprintf("%d+ time series evaluated to ALARM", alarms.MaxContributorsInAlarm)
	default:
		reason = fmt.Sprintf("%d out of %d time series evaluated to ALARM", inAlarm, returned)
	}
	res.Transitions = append(res.Transitions, Transition{Time: time.Unix(t, 0).UTC(), From: res.Final, To: next, Reason: reason})
	if next == Alarm {
		res.AlarmCount++
	}
	res.Final = next
}
