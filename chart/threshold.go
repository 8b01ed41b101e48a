package chart

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// thresholdLine draws the threshold as a dashed line across the data area.
type thresholdLine struct {
	value float64
}

var thresholdStyle = draw.LineStyle{
	Color:  thresholdColor,
	Width:  vg.Points(1.6),
	Dashes: []vg.Length{vg.Points(6), vg.Points(3)},
}

func (t *thresholdLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(t.value)
	if !c.ContainsY(y) {
		return
	}
	c.StrokeLine2(thresholdStyle, c.Min.X, y, c.Max.X, y)
}

func (t *thresholdLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(thresholdStyle, c.Min.X, y, c.Max.X, y)
}
