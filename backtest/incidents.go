package backtest

import "github.com/xfusion/kinesis-monitoring/evaluator"

// Unmatched are the incidents of one side that the other side would not
// have raised: the spans of a (in ALARM, oldest first, none overlapping
// another) that overlap no span of b. Spans are [From, To): two that only
// touch do not overlap. A span of a that overlaps a span of b is the same
// incident on both sides, however much longer or shorter it is.
func Unmatched(a, b []evaluator.Span) []evaluator.Span {
	var out []evaluator.Span
	j := 0
	for _, s := range a {
		// Spans of b that end by s's start cannot overlap s or a later span of a.
		for j < len(b) && !b[j].To.After(s.From) {
			j++
		}
		if j < len(b) && b[j].From.Before(s.To) {
			continue
		}
		out = append(out, s)
	}
	return out
}
