package chart

import (
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// noDataNote is written in the data area when no datapoint falls in the
// window.
const noDataNote = "no datapoints in the window"

// note writes a sentence in the data area, in the half away from the
// threshold.
type note struct {
	text      string
	threshold float64
}

func (n *note) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := c.Min.Y + (c.Max.Y-c.Min.Y)*0.7
	if trY(n.threshold) > c.Center().Y {
		y = c.Min.Y + (c.Max.Y-c.Min.Y)*0.3
	}
	sty := textStyle(vg.Points(12), mutedColor)
	sty.Font.Style = xfont.StyleItalic
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, vg.Point{X: c.Center().X, Y: y}, n.text)
}
