package evaluator

import (
	"fmt"
	"math"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// edgeThresholds are finite thresholds at the edges of the floats: the
// zeros, the extremes, the denormals and ordinary values.
var edgeThresholds = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, -2.5, 1e15, -1e-300,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
}

// edgeValues are the values to compare with threshold: the threshold
// itself and its neighbours, the zeros, the infinities, NaN, huge and tiny
// values.
func edgeValues(threshold float64) []float64 {
	return []float64{
		threshold, math.Nextafter(threshold, math.Inf(1)), math.Nextafter(threshold, math.Inf(-1)), -threshold,
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		1e300, -1e300, 1e-300, -1e-300, 1, -1,
	}
}

// checkComparator compares the comparator that derive makes with
// alarms.Comparison.Breaches, for every operator, edge threshold and edge
// value, and reports each disagreement.
func checkComparator(derive func(alarms.Comparison, float64) comparator) error {
	var wrong []string
	for _, c := range alarms.ComparisonOperators {
		for _, th := range edgeThresholds {
			k := derive(c, th)
			for _, v := range edgeValues(th) {
				if got, want := k.breaches(v), c.Breaches(v, th); got != want {
					wrong = append(wrong, fmt.Sprintf("%s %v, value %v: the comparator says %v, the comparison %v", c, th, v, got, want))
				}
			}
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("%d disagreements, the first: %s", len(wrong), wrong[0])
	}
	return nil
}

// The replay's fast comparator, derived from Greater and OrEqual, breaches
// exactly where alarms.Comparison says a value breaches.
func TestComparatorAgreesWithComparison(t *testing.T) {
	if err := checkComparator(newComparator); err != nil {
		t.Error(err)
	}
	for _, c := range alarms.ComparisonOperators {
		a := testAlarm(1, 1, c, 3, alarms.MissingDataMissing)
		if got, want := newRules(a).comparator, newComparator(c, 3); got != want {
			t.Errorf("%s: the replay's comparator %+v, want %+v", c, got, want)
		}
	}
}

// The check sees a comparator whose derivation is broken.
func TestComparatorCheckFails(t *testing.T) {
	for name, derive := range map[string]func(alarms.Comparison, float64) comparator{
		"the operator ignored": func(_ alarms.Comparison, th float64) comparator { return comparator{sign: 1, thr: th} },
		"OrEqual ignored": func(c alarms.Comparison, th float64) comparator {
			k := newComparator(c, th)
			if c.OrEqual() {
				k.thr = k.sign * th
			}
			return k
		},
		"the float above the threshold": func(c alarms.Comparison, th float64) comparator {
			k := newComparator(c, th)
			if c.OrEqual() {
				k.thr = math.Nextafter(k.sign*th, math.Inf(1))
			}
			return k
		},
		"OrEqual by subtracting an epsilon": func(c alarms.Comparison, th float64) comparator {
			k := newComparator(c, th)
			if c.OrEqual() {
				k.thr = k.sign*th - 1e-9
			}
			return k
		},
		"Greater read the other way": func(c alarms.Comparison, th float64) comparator {
			k := newComparator(c, th)
			k.sign, k.thr = -k.sign, -k.thr
			return k
		},
	} {
		t.Run(name, func(t *testing.T) {
			if checkComparator(derive) == nil {
				t.Error("the check passes")
			}
		})
	}
}
