package backtest

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/xfusion/kinesis-monitoring/evaluator"
)

func spans(minutePairs ...int) []evaluator.Span {
	var out []evaluator.Span
	for i := 0; i+1 < len(minutePairs); i += 2 {
		out = append(out, evaluator.Span{From: minutes(minutePairs[i]), To: minutes(minutePairs[i+1])})
	}
	return out
}

func TestUnmatched(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []evaluator.Span
		want []evaluator.Span
	}{
		{"nothing on the other side", spans(0, 5, 10, 12), nil, spans(0, 5, 10, 12)},
		{"the same incidents", spans(0, 5, 10, 12), spans(0, 5, 10, 12), nil},
		{"shorter or longer is still the same incident", spans(0, 5, 10, 12), spans(3, 4, 11, 30), nil},
		{"touching is not overlapping", spans(0, 5), spans(5, 9), spans(0, 5)},
		{"one lost of two", spans(0, 5, 60, 70), spans(2, 3), spans(60, 70)},
		{"one span of b covers two of a", spans(0, 5, 10, 12), spans(4, 11), nil},
		{"nothing on this side", nil, spans(0, 5), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Unmatched(c.a, c.b); !slices.Equal(got, c.want) {
				t.Errorf("Unmatched = %v, want %v", got, c.want)
			}
		})
	}
}

// Against the definition, on random spans: a span is unmatched exactly
// when no span of the other side overlaps it.
func TestUnmatchedAgainstTheDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func() []evaluator.Span {
		var out []evaluator.Span
		m := 0
		for range r.IntN(6) {
			from := m + r.IntN(5)
			to := from + 1 + r.IntN(5)
			out = append(out, evaluator.Span{From: minutes(from), To: minutes(to)})
			m = to
		}
		return out
	}
	overlaps := func(x, y evaluator.Span) bool { return x.From.Before(y.To) && y.From.Before(x.To) }
	for i := range 2000 {
		a, b := random(), random()
		var want []evaluator.Span
		for _, s := range a {
			if !slices.ContainsFunc(b, func(o evaluator.Span) bool { return overlaps(s, o) }) {
				want = append(want, s)
			}
		}
		if got := Unmatched(a, b); !slices.Equal(got, want) {
			t.Fatalf("case %d: Unmatched(%v, %v) = %v, want %v", i, a, b, got, want)
		}
	}
}
