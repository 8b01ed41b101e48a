package chart

import (
	"fmt"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/evaluator"
)

func TestClipSpans(t *testing.T) {
	h := func(n int) time.Time { return at(time.Duration(n) * time.Hour) }
	span := func(from, to time.Time) evaluator.Span { return evaluator.Span{From: from, To: to} }
	got := clipSpans([]evaluator.Span{
		span(h(20), h(30)), span(h(-5), h(1)), span(h(3), h(4)), span(h(2), h(3)), span(h(5), h(5)), span(h(7), h(9)), span(h(8), h(8).Add(time.Hour/2)),
	}, h(0), h(24))
	want := []evaluator.Span{span(h(0), h(1)), span(h(2), h(4)), span(h(7), h(9)), span(h(20), h(24))}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("clipSpans = %v\nwant %v", got, want)
	}
	if s := spansSummary(want); s != "(4 spans, 9h)" {
		t.Errorf("spansSummary = %q", s)
	}
}
