package chart

import (
	"fmt"
	"image/color"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// alarmShading shades the spans in ALARM over the full height of the data
// area, with a stronger strip along its top edge so that short spans are
// seen too. A span too short to see at the chart's scale is drawn
// minSpanWidth wide.
type alarmShading struct {
	spans []evaluator.Span
}

const (
	minSpanWidth  = vg.Length(3)
	spanStripSize = vg.Length(5)
)

// spanX is where a span stands on the time axis, at least minSpanWidth
// wide so that a span too short to see at the chart's scale is seen.
func spanX(trX func(float64) vg.Length, span evaluator.Span) (x0, x1 vg.Length) {
	x0, x1 = trX(xOf(span.From)), trX(xOf(span.To))
	if w := x1 - x0; w < minSpanWidth {
		x0 -= (minSpanWidth - w) / 2
		x1 = x0 + minSpanWidth
	}
	return x0, x1
}

func (s *alarmShading) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, span := range s.spans {
		x0, x1 := spanX(trX, span)
		fillSpan(c, alarmColor, x0, x1, c.Min.Y, c.Max.Y)
		fillSpan(c, alarmStripColor, x0, x1, c.Max.Y-spanStripSize, c.Max.Y)
	}
}

// fillSpan fills the rectangle from x0 to x1 and y0 to y1, clipped to the
// canvas.
func fillSpan(c draw.Canvas, col color.Color, x0, x1, y0, y1 vg.Length) {
	c.FillPolygon(col, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
}

func (s *alarmShading) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(alarmColor, []vg.Point{
		c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y},
	})
	top := c.Max.Y - (c.Max.Y-c.Min.Y)/4
	c.FillPolygon(alarmStripColor, []vg.Point{
		{X: c.Min.X, Y: top}, {X: c.Max.X, Y: top}, c.Max, {X: c.Min.X, Y: c.Max.Y},
	})
}

// clipSpans is the spans clipped to [start, end), sorted and merged where
// they overlap or touch.
func clipSpans(in []evaluator.Span, start, end time.Time) []evaluator.Span {
	var spans []evaluator.Span
	for _, s := range in {
		if s.From.Before(start) {
			s.From = start
		}
		if s.To.After(end) {
			s.To = end
		}
		if s.To.After(s.From) {
			spans = append(spans, s)
		}
	}
	slices.SortFunc(spans, func(x, y evaluator.Span) int { return x.From.Compare(y.From) })
	var merged []evaluator.Span
	for _, s := range spans {
		if n := len(merged); n > 0 && !s.From.After(merged[n-1].To) {
			if s.To.After(merged[n-1].To) {
				merged[n-1].To = s.To
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// spansSummary says how many spans there are and how long they last
// together.
func spansSummary(spans []evaluator.Span) string {
	if len(spans) == 0 {
		return "(never)"
	}
	var total time.Duration
	for _, s := range spans {
		total += s.To.Sub(s.From)
	}
	noun := "spans"
	if len(spans) == 1 {
		noun = "span"
	}
	return fmt.Sprintf("(%d %s, %s)", len(spans), noun, formatDuration(total))
}
