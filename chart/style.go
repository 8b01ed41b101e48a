package chart

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// The chart's colours: the metric in blue, breaching datapoints in dark
// red, the threshold in orange, the ALARM spans in translucent red with a
// stronger strip along their top; another replay's spans in ALARM
// (Against) in violet.
var (
	seriesColor     = color.RGBA{R: 0, G: 102, B: 170, A: 255}
	breachColor     = color.RGBA{R: 190, G: 20, B: 20, A: 255}
	thresholdColor  = color.RGBA{R: 235, G: 140, B: 0, A: 255}
	alarmColor      = color.NRGBA{R: 230, G: 40, B: 40, A: 56}
	alarmStripColor = color.NRGBA{R: 215, G: 30, B: 30, A: 210}
	againstColor    = color.NRGBA{R: 120, G: 50, B: 180, A: 200}
	textColor       = color.RGBA{R: 25, G: 25, B: 25, A: 255}
	mutedColor      = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	gridColor       = color.RGBA{R: 228, G: 228, B: 228, A: 255}
)

// typeface is the typeface of every text in the chart.
var typeface = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle is a text style of the chart's typeface.
func textStyle(size vg.Length, clr color.Color) text.Style {
	return text.Style{
		Color:   clr,
		Font:    font.From(typeface, size),
		Handler: plot.DefaultTextHandler,
	}
}

// formatDuration writes a duration the short way: 45s, 12m, 1h05m, 2d3h.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		if d%time.Minute == 0 {
			return fmt.Sprintf("%dm", int(d/time.Minute))
		}
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		if d%time.Hour == 0 {
			return fmt.Sprintf("%dh", int(d/time.Hour))
		}
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	days, rest := int(d/(24*time.Hour)), d%(24*time.Hour)
	if rest/time.Hour == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, int(rest/time.Hour))
}

// formatNumber writes a threshold as it was set: 1, 0.5, 86400000.
func formatNumber(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e15) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
