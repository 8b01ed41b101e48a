package chart

import (
	"fmt"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// subtitle says when the alarm fires, in a line: "AWS/Kinesis
// WriteProvisionedThroughputExceeded, Sum per 60 s; ALARM when > 1 for 1 of
// 1 periods; missing data: notBreaching".
func subtitle(a alarms.Alarm) string {
	return fmt.Sprintf("%s %s, %s per %d s; ALARM when %s %s for %d of %d periods; missing data: %s",
		a.Namespace, a.Metric, a.Statistic, a.Period, a.Comparison.Symbol(), strconv.FormatFloat(a.Threshold, 'g', -1, 64),
		a.Datapoints(), a.EvaluationPeriods, a.TreatMissingData)
}

// legendEntry is one entry of the legend: its thumbnails and label.
type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// legend is the legend's entries: the metric, the breaching datapoints
// (when there are any), the threshold, the spans in ALARM and, with
// another replay (band), its spans in ALARM.
func legend(d drawing, metric *series, line *thresholdLine, shading *alarmShading, band *againstBand) []legendEntry {
	entries := []legendEntry{{label: "metric", thumbs: []plot.Thumbnailer{metric}}}
	if n := metric.breaching(); n > 0 {
		entries = append(entries, legendEntry{
			label:  fmt.Sprintf("breaching (%d)", n),
			thumbs: []plot.Thumbnailer{breachThumb{}},
		})
	}
	entries = append(entries,
		legendEntry{
			label:  "threshold " + d.alarm.Comparison.Symbol() + " " + formatNumber(d.alarm.Threshold),
			thumbs: []plot.Thumbnailer{line},
		},
		legendEntry{
			label:  "in ALARM " + spansSummary(d.spans),
			thumbs: []plot.Thumbnailer{shading},
		},
	)
	if band != nil {
		entries = append(entries, legendEntry{
			label:  d.against.label + " in ALARM " + spansSummary(d.against.spans),
			thumbs: []plot.Thumbnailer{band},
		})
	}
	return entries
}

// drawHeader writes the title, the subtitle and, on one row, the legend
// at the top of c, and returns what is left of c below them.
func drawHeader(c draw.Canvas, title, subtitle string, legend []legendEntry) draw.Canvas {
	width := c.Max.X - c.Min.X
	y := c.Max.Y

	titleStyle := textStyle(vg.Points(13), textColor)
	titleStyle.Font.Weight = xfont.WeightBold
	titleStyle.YAlign = draw.YTop
	title, titleStyle = fitText(title, titleStyle, width)
	c.FillText(titleStyle, vg.Point{X: c.Min.X, Y: y}, title)
	y -= titleStyle.Height(title) + vg.Points(3)

	if subtitle != "" {
		subStyle := textStyle(vg.Points(9.5), mutedColor)
		subStyle.YAlign = draw.YTop
		subtitle, subStyle = fitText(subtitle, subStyle, width)
		c.FillText(subStyle, vg.Point{X: c.Min.X, Y: y}, subtitle)
		y -= subStyle.Height(subtitle) + vg.Points(5)
	}

	legendStyle := textStyle(vg.Points(9), textColor)
	legendStyle.YAlign = draw.YCenter
	thumbW, thumbH := vg.Points(22), vg.Points(10)
	rowH := math.Max(float64(thumbH), float64(legendStyle.Height("M")))
	mid := y - vg.Length(rowH)/2
	x := c.Min.X
	for _, e := range legend {
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: mid - thumbH/2},
			Max: vg.Point{X: x + thumbW, Y: mid + thumbH/2},
		}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		x += thumbW + vg.Points(4)
		c.FillText(legendStyle, vg.Point{X: x, Y: mid}, e.label)
		x += legendStyle.Width(e.label) + vg.Points(16)
	}
	y -= vg.Length(rowH) + vg.Points(6)

	c.Max.Y = y
	return c
}

// fitText shrinks the font down to 7 points, then cuts the text, so that
// it fits in width.
func fitText(s string, sty text.Style, width vg.Length) (string, text.Style) {
	for sty.Width(s) > width && sty.Font.Size > vg.Points(7) {
		sty.Font.Size -= vg.Points(0.5)
	}
	if sty.Width(s) <= width {
		return s, sty
	}
	r := []rune(s)
	for len(r) > 1 && sty.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…", sty
}
