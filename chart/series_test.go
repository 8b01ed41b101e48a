package chart

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// markedAt is how many pixels of the breaching colour lie within 2 pixels
// of the place of a datapoint.
func (p picture) markedAt(pt evaluator.Point) int {
	x, y := p.xAt(pt.Time), p.yAt(pt.Value)
	n := 0
	for dx := -2; dx <= 2; dx++ {
		for dy := -2; dy <= 2; dy++ {
			if isBreachColor(p.rgba(x+dx, y+dy)) {
				n++
			}
		}
	}
	return n
}

// marksExactly: the picture has a breaching datapoint's mark at each of
// marked and at none of the other candidates.
func marksExactly(marked, candidates []evaluator.Point) check {
	return func(p picture) error {
		for _, pt := range candidates {
			n := p.markedAt(pt)
			switch want := slices.Contains(marked, pt); {
			case want && n < 5:
				return fmt.Errorf("%s %v: %d pixels of the breaching colour, want a mark", pt.Time.Format("15:04:05"), pt.Value, n)
			case !want && n > 0:
				return fmt.Errorf("%s %v: %d pixels of the breaching colour, want no mark", pt.Time.Format("15:04:05"), pt.Value, n)
			}
		}
		return nil
	}
}

// The chart marks exactly the datapoints the evaluator counted as
// breaching, on a case where comparing the points given with the threshold
// marks others: two datapoints in the period of 10:05 (the evaluator keeps
// the later, 0.5, which does not breach) and in that of 10:20 (it keeps
// the later, 4, at 10:20), and one at 10:45:40 (the evaluator counts it at
// 10:45).
func TestBreachingMarksAreTheEvaluators(t *testing.T) {
	a := testAlarm("kinesis-monitoring-prod-orders-WriteProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
		300, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
	m := func(min, sec int) time.Time {
		return at(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	points := []evaluator.Point{
		{Time: m(0, 0), Value: 0.5},
		{Time: m(5, 0), Value: 5}, {Time: m(7, 0), Value: 0.5},
		{Time: m(10, 0), Value: 0.5}, {Time: m(15, 0), Value: 0.5},
		{Time: m(20, 0), Value: 0.2}, {Time: m(23, 20), Value: 4},
		{Time: m(25, 0), Value: 0.5}, {Time: m(30, 0), Value: 0.5}, {Time: m(35, 0), Value: 3}, {Time: m(40, 0), Value: 0.5},
		{Time: m(45, 40), Value: 6},
		{Time: m(50, 0), Value: 0.5}, {Time: m(55, 0), Value: 0.5},
	}
	r := Replay{Alarm: a, Points: points, Result: evaluator.Evaluate(a, points, testStart, at(time.Hour))}

	var counted, recomputed, candidates []evaluator.Point
	for _, d := range evaluator.Datapoints(a, points) {
		if d.Breaching {
			counted = append(counted, d.Point)
		}
		candidates = append(candidates, d.Point)
	}
	for _, pt := range points {
		if a.Comparison.Breaches(pt.Value, a.Threshold) {
			recomputed = append(recomputed, pt)
		}
		candidates = append(candidates, pt)
	}
	want := []evaluator.Point{{Time: m(20, 0), Value: 4}, {Time: m(35, 0), Value: 3}, {Time: m(45, 0), Value: 6}}
	if !slices.Equal(counted, want) {
		t.Fatalf("the evaluator counts %v as breaching, want %v", counted, want)
	}
	if slices.Equal(counted, recomputed) {
		t.Fatal("a recomputation marks the same datapoints: the case does not tell the two apart")
	}

	p := renderPicture(t, r)
	if err := marksExactly(counted, candidates)(p); err != nil {
		t.Errorf("the evaluator's breaching datapoints: %v", err)
	}
	// The same check finds the picture unlike what a recomputation from
	// the points given would mark.
	if err := marksExactly(recomputed, candidates)(p); err == nil {
		t.Error("the picture also has the marks of a recomputation: the check cannot tell them apart")
	} else {
		t.Logf("a recomputation would differ: %v", err)
	}
	d, err := prepare(r)
	if err != nil {
		t.Fatal(err)
	}
	if n := (&series{points: d.points}).breaching(); n != len(counted) {
		t.Errorf("the legend counts %d breaching, the evaluator %d", n, len(counted))
	}
}
