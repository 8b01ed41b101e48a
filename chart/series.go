package chart

import (
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// series draws the metric: a line through each run of datapoints one
// period apart, broken where periods have no data, a small marker per
// datapoint, and the datapoints the evaluator counted as breaching in dark
// red. When the datapoints are closer than markerSpacing, only the
// isolated datapoints and the breaching ones get a marker: the line alone
// shows the rest.
type series struct {
	points []evaluator.Datapoint // sorted, one a period, as the evaluator counts them
	period time.Duration
}

// markerSpacing is the least distance between datapoints at which each of
// them gets a marker.
const markerSpacing = vg.Length(4)

var seriesLine = draw.LineStyle{Color: seriesColor, Width: vg.Points(1.2)}

// breaching is how many of the datapoints breach.
func (s *series) breaching() int {
	n := 0
	for _, p := range s.points {
		if p.Breaching {
			n++
		}
	}
	return n
}

func (s *series) Plot(c draw.Canvas, p *plot.Plot) {
	if len(s.points) == 0 {
		return
	}
	trX, trY := p.Transforms(&c)
	spacing := trX(p.X.Min+s.period.Seconds()) - trX(p.X.Min)
	radius := vg.Points(2.2)
	if r := spacing / 3; r < radius {
		radius = vg.Length(math.Max(float64(r), float64(vg.Points(1.3))))
	}
	dense := spacing < markerSpacing

	pts := make([]vg.Point, len(s.points))
	for i, dp := range s.points {
		pts[i] = vg.Point{X: trX(xOf(dp.Time)), Y: trY(dp.Value)}
	}
	var runs [][]vg.Point
	isolated := make([]bool, len(pts))
	start := 0
	for i := 1; i <= len(pts); i++ {
		if i < len(pts) && s.points[i].Time.Sub(s.points[i-1].Time) <= s.period {
			continue
		}
		if i-start > 1 {
			runs = append(runs, pts[start:i])
		} else {
			isolated[start] = true
		}
		start = i
	}
	c.StrokeLines(seriesLine, c.ClipLinesXY(runs...)...)

	for i, pt := range pts {
		clr := seriesColor
		if s.points[i].Breaching {
			clr = breachColor
		} else if dense && !isolated[i] {
			continue
		}
		r := radius
		if isolated[i] {
			r = vg.Points(2.6) // alone, it has no line to be seen by
		}
		c.DrawGlyph(draw.GlyphStyle{Color: clr, Radius: r, Shape: draw.CircleGlyph{}}, pt)
	}
}

// Thumbnail draws the legend's sample of the metric: a line with a marker.
func (s *series) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(seriesLine, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(draw.GlyphStyle{Color: seriesColor, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}, c.Center())
}

// breachThumb is the legend's sample of a breaching datapoint.
type breachThumb struct{}

func (breachThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: breachColor, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}, c.Center())
}
