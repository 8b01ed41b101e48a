package chart

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// Against is another replay of the alarm over the same window, drawn on
// the same picture so that the two can be told apart at a glance: the
// alarm as it is deployed against the alarm as it is configured.
type Against struct {
	// Label names the other replay in the legend ("deployed").
	Label string
	// Result is its replay; only its spans in ALARM are drawn.
	Result evaluator.Result
}

// againstBand draws the other replay's spans in ALARM as a band of their
// own along the foot of the data area, in violet, under the metric and
// the threshold, so that a span of one side that the other lacks stands
// out: red shading without violet under it, or violet without red above.
// A span too short to see is drawn minSpanWidth wide, as the ALARM shading
// is.
type againstBand struct {
	spans []evaluator.Span
}

// againstBandSize is the band's height.
const againstBandSize = vg.Length(12)

func (b *againstBand) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, span := range b.spans {
		x0, x1 := spanX(trX, span)
		fillSpan(c, againstColor, x0, x1, c.Min.Y, c.Min.Y+againstBandSize)
	}
}

func (b *againstBand) Thumbnail(c *draw.Canvas) {
	mid := c.Center().Y
	c.FillPolygon(againstColor, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: mid}, {X: c.Min.X, Y: mid},
	})
}
