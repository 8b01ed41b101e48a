package evaluator

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// SuggestThreshold finds the threshold at which the alarm (its threshold
// aside) would have gone to ALARM at most maxAlarms times in (start, end],
// replayed as Evaluate replays it.
//
// The number of ALARM transitions is not monotone in the threshold: making
// it stricter can split one ALARM episode into two. SuggestThreshold returns
// the least strict threshold t such that t and every stricter threshold give
// at most maxAlarms, stricter meaning higher for the GreaterThan operators
// and lower for the LessThan ones. The answer is exact: which datapoints
// breach changes only at the values seen, and every evaluation is ALARM on
// one side of one of them. For GreaterThanThreshold and LessThanThreshold
// the answer is one of the values; for the OrEqualTo operators, which breach
// at the threshold itself, it is the float next to one of them
// (math.Nextafter), so that the value itself does not breach.
//
// When every threshold keeps within maxAlarms the least strict one is
// unbounded: the result is -Inf for the GreaterThan operators and +Inf for
// the LessThan ones (not a threshold to set: Check wants a finite one). When none does (missing data treated as breaching can
// alarm whatever the threshold), ok is false. NaN values never breach.
// SuggestThreshold panics if Check(a) reports an error.
func SuggestThreshold(a alarms.Alarm, points []Point, start, end time.Time, maxAlarms int) (threshold float64, ok bool) {
	if maxAlarms < 0 {
		return 0, false
	}
	p := profileOf(a, points, start, end)
	s, ok := p.leastStrict(maxAlarms)
	if !ok {
		return 0, false
	}
	if p.neg {
		s = -s
	}
	return s, true
}

// A profile is the number of ALARM transitions as a function of the
// threshold, computed in the "greater than" form of rules: s is the
// threshold (negated for LessThan operators), a value u (negated likewise)
// breaches when u > s, or u >= s when orEqual.
type profile struct {
	neg, orEqual bool
	// top is the count for s at or above every step (no step crossed).
	top int
	// steps, by decreasing c: below c (at c too when orEqual) the count is
	// count, until the next step.
	steps []step
}

type step struct {
	c     float64
	count int
}

// countAt is the count for the threshold t.
func (p profile) countAt(t float64) int {
	s := t
	if p.neg {
		s = -t
	}
	n := p.top
	for _, st := range p.steps {
		if s < st.c || (p.orEqual && s == st.c) {
			n = st.count
			continue
		}
		break
	}
	return n
}

// leastStrict is the least s whose count and every higher s's count is at
// most limit.
func (p profile) leastStrict(limit int) (float64, bool) {
	if p.top > limit {
		return 0, false
	}
	for _, st := range p.steps {
		if st.count > limit {
			// The counts above st.c were all within the limit.
			if p.orEqual {
				return math.Nextafter(st.c, math.Inf(1)), true
			}
			return st.c, true
		}
	}
	return math.Inf(-1), true
}

// A critical is an evaluation's decision as a function of how many of its
// datapoints breach: lo below need, hi from need on (lo == hi: the same
// outcome whatever breaches).
type critical struct {
	lo, hi outcome
	need   int
}

// criticals asks decide, for each number of datapoints an evaluation can
// evaluate (0 to N) and each answer to "is the oldest old enough", at how
// many breaching datapoints its outcome changes: a binary search over the
// count, the outcome being a step in it. Indexed [real][oldEnough].
func (r *rules) criticals() [][2]critical {
	out := make([][2]critical, r.n+1)
	for real := range out {
		for old := range 2 {
			lo, _ := r.decide(real, 0, old == 1)
			hi, _ := r.decide(real, real, old == 1)
			need := 0
			if hi != lo {
				need = sort.Search(real+1, func(b int) bool {
					o, _ := r.decide(real, b, old == 1)
					return o == hi
				})
			}
			out[real][old] = critical{lo: lo, hi: hi, need: need}
		}
	}
	return out
}

// profileOf replays the evaluations symbolically: each one is high (below
// its critical value c) or low (at or above it), decide giving the outcome
// of each side; then a sweep from the strictest threshold down flips the
// evaluations one critical value at a time and keeps the count of ALARM
// transitions up to date.
func profileOf(a alarms.Alarm, points []Point, start, end time.Time) profile {
	return maskedProfile(a, points, start, end, nil)
}

// maskedProfile is profileOf where the evaluations that returned (when
// not nil) says false of, by their index from the first, are OK whatever
// the threshold: a query alarm's contributor where the query does not
// return its series. An OK there ends what an ignore would keep, as a
// contributor that comes back starts afresh: the ALARM transitions are the
// same.
func maskedProfile(a alarms.Alarm, points []Point, start, end time.Time, returned func(e int) bool) profile {
	r := newRules(a)
	if !wellFormed(points, r.period) {
		points = normalized(points, r.period)
	}
	prof := profile{neg: r.sign < 0, orEqual: a.Comparison.OrEqual()}
	p := r.period
	first := floorDiv(start.Unix(), p)*p + p
	last := floorDiv(end.Unix(), p) * p
	if last < first {
		return prof
	}

	u := make([]float64, len(points))
	for i, pt := range points {
		v := r.sign * pt.Value
		if math.IsNaN(v) {
			v = math.Inf(-1) // breaches no finite threshold
		}
		u[i] = v
	}
	evals := int((last-first)/p) + 1
	hi := make([]outcome, evals) // the outcome below c
	lo := make([]outcome, evals) // the outcome at or above c (the only one if equal)
	c := make([]float64, evals)
	scratch := make([]float64, 0, r.n)
	steps := r.criticals()

	span, early := int64(r.rng)*p, int64(r.m)*p
	k, j := 0, 0
	for e, t := 0, first; t <= last; e, t = e+1, t+p {
		for k < len(points) && points[k].Time.Unix() <= t-p {
			k++
		}
		for j < k && points[j].Time.Unix() < t-span {
			j++
		}
		if returned != nil && !returned(e) {
			hi[e], lo[e] = toOK, toOK
			continue
		}
		// The evaluated datapoints: the N most recent of the range, or all
		// of them.
		from := max(j, k-r.n)
		old := 0 // whether the oldest is old enough, which matters with fewer than N
		if k-from < r.n && k > j && t-points[j].Time.Unix() >= early {
			old = 1
		}
		st := &steps[k-from][old]
		hi[e], lo[e] = st.hi, st.lo
		if st.hi != st.lo {
			// High when at least need of the values breach: below the
			// need-th largest.
			scratch = append(scratch[:0], u[from:k]...)
			c[e] = kthLargest(scratch, st.need)
		}
		// A critical value no finite threshold is on both sides of.
		if hi[e] != lo[e] && math.IsInf(c[e], 0) {
			if c[e] > 0 {
				lo[e] = hi[e]
			} else {
				hi[e] = lo[e]
			}
		}
	}

	// The states of the strictest thresholds, as a list of the evaluations
	// that do not keep the state, after a head in INSUFFICIENT_DATA (node 0;
	// evaluation e is node e+1). Flips only turn OK into ALARM,
	// INSUFFICIENT_DATA or keep, so the list only loses nodes.
	st := make([]State, evals+1)
	prev := make([]int32, evals+1)
	next := make([]int32, evals+1)
	st[0] = InsufficientData
	last32 := int32(0)
	for e := range evals {
		x := int32(e + 1)
		if lo[e].keep {
			continue
		}
		st[x] = lo[e].state
		prev[x], next[last32] = last32, x
		last32 = x
	}
	next[last32] = -1
	// into is 1 when node x enters ALARM.
	into := func(x int32) int {
		if x > 0 && st[x] == Alarm && st[prev[x]] != Alarm {
			return 1
		}
		return 0
	}
	n := 0
	for x := next[0]; x > 0; x = next[x] {
		n += into(x)
	}
	prof.top = n

	var flips []int32
	for e := range evals {
		if hi[e] != lo[e] {
			flips = append(flips, int32(e))
		}
	}
	slices.SortFunc(flips, func(x, y int32) int { return cmp.Compare(c[y], c[x]) })
	for i, e := range flips {
		x := e + 1
		nx := next[x]
		n -= into(x) + into(nx)
		if hi[e].keep {
			next[prev[x]] = nx
			if nx > 0 {
				prev[nx] = prev[x]
			}
			n += into(nx)
		} else {
			st[x] = hi[e].state
			n += into(x) + into(nx)
		}
		if i+1 == len(flips) || c[flips[i+1]] != c[e] {
			prof.steps = append(prof.steps, step{c: c[e], count: n})
		}
	}
	return prof
}

// kthLargest is the k-th largest (1-based) of xs, which it reorders.
func kthLargest(xs []float64, k int) float64 {
	target := len(xs) - k // its index in increasing order
	lo, hi := 0, len(xs)-1
	for lo < hi {
		pivot := xs[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return xs[target]
		}
	}
	return xs[target]
}
