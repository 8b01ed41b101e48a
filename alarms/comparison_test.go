package alarms

import (
	"math"
	"testing"
)

func TestComparisonBreaches(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		op                         Comparison
		below, equal, above, isNaN bool
		symbol                     string
		greater                    bool
	}{
		{GreaterThanThreshold, false, false, true, false, ">", true},
		{GreaterThanOrEqualToThreshold, false, true, true, false, "≥", true},
		{LessThanThreshold, true, false, false, false, "<", false},
		{LessThanOrEqualToThreshold, true, true, false, false, "≤", false},
		{"GreaterThanUpperThreshold", false, false, false, false, "", false},
	} {
		t.Run(string(c.op), func(t *testing.T) {
			got := [4]bool{c.op.Breaches(0.5, 1), c.op.Breaches(1, 1), c.op.Breaches(1.5, 1), c.op.Breaches(nan, 1)}
			if want := [4]bool{c.below, c.equal, c.above, c.isNaN}; got != want {
				t.Errorf("breaches (below, equal, above, NaN) = %v, want %v", got, want)
			}
			if c.op.Symbol() != c.symbol || c.op.Greater() != c.greater || c.op.Valid() != (c.symbol != "") {
				t.Errorf("symbol %q, greater %v, valid %v", c.op.Symbol(), c.op.Greater(), c.op.Valid())
			}
			if c.op.Valid() && c.op.Words() == "" {
				t.Error("no words")
			}
		})
	}
	if len(ComparisonOperators) != len(comparisons) {
		t.Errorf("%d operators listed, %d described", len(ComparisonOperators), len(comparisons))
	}
}
