package chart

import (
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// styleAxis gives an axis the chart's thin grey line, ticks and labels.
func styleAxis(a *plot.Axis) {
	a.LineStyle = draw.LineStyle{Color: mutedColor, Width: vg.Points(0.6)}
	a.Tick.LineStyle = a.LineStyle
	a.Tick.Length = vg.Points(4)
	tick := textStyle(vg.Points(9), textColor)
	tick.XAlign, tick.YAlign = a.Tick.Label.XAlign, a.Tick.Label.YAlign
	a.Tick.Label = tick
	label := textStyle(vg.Points(8.5), mutedColor)
	label.XAlign, label.YAlign = a.Label.TextStyle.XAlign, a.Label.TextStyle.YAlign
	a.Label.TextStyle = label
	a.Padding = vg.Points(2)
}

// grid draws light lines at the major ticks inside the data area, none
// on its edges, where the axes are.
type grid struct{}

var gridLine = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}

func (grid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.IsMinor() || t.Value <= p.X.Min || t.Value >= p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(gridLine, x, c.Min.Y, x, c.Max.Y)
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() || t.Value <= p.Y.Min || t.Value >= p.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(gridLine, c.Min.X, y, c.Max.X, y)
	}
}

// timeTicks is the time axis's ticks for a window of length d, in UTC:
// "15:04" up to a day, "Jan 2 15:04" beyond.
func timeTicks(d time.Duration) plot.TimeTicks {
	format := "Jan 2 15:04"
	if d <= 24*time.Hour {
		format = "15:04"
	}
	return plot.TimeTicks{Ticker: timeTicker{}, Format: format, Time: plot.UTCUnixTime}
}

// timeSteps are the tick steps the time axis chooses from, each with
// the step of its minor ticks.
var timeSteps = []struct{ major, minor time.Duration }{
	{time.Minute, 0},
	{2 * time.Minute, time.Minute},
	{5 * time.Minute, time.Minute},
	{10 * time.Minute, 5 * time.Minute},
	{15 * time.Minute, 5 * time.Minute},
	{30 * time.Minute, 10 * time.Minute},
	{time.Hour, 15 * time.Minute},
	{2 * time.Hour, 30 * time.Minute},
	{3 * time.Hour, time.Hour},
	{6 * time.Hour, time.Hour},
	{12 * time.Hour, 3 * time.Hour},
	{24 * time.Hour, 6 * time.Hour},
	{2 * 24 * time.Hour, 12 * time.Hour},
	{7 * 24 * time.Hour, 24 * time.Hour},
	{14 * 24 * time.Hour, 24 * time.Hour},
	{28 * 24 * time.Hour, 7 * 24 * time.Hour},
}

// timeTicker puts the time axis's ticks on round UTC times (whole
// minutes, hours, days), at most 12 labels for "15:04" and 8 for the longer
// "Jan 2 15:04". The labels are written by plot.TimeTicks.
type timeTicker struct{}

func (timeTicker) Ticks(min, max float64) []plot.Tick {
	span := time.Duration((max - min) * float64(time.Second))
	maxLabels := 12
	if span > 24*time.Hour {
		maxLabels = 8
	}
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s.major <= time.Duration(maxLabels) {
			step = s
			break
		}
	}
	if span/step.major > time.Duration(maxLabels) { // longer than the table goes
		days := int64(span/(24*time.Hour))/int64(maxLabels) + 1
		step.major, step.minor = time.Duration(days)*24*time.Hour, 0
	}
	var ticks []plot.Tick
	each := func(d time.Duration, label string) {
		s := d.Seconds()
		for v := math.Ceil(min/s) * s; v <= max; v += s {
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	each(step.major, "major") // any label: plot.TimeTicks rewrites it
	if step.minor > 0 {
		for _, t := range minorOnly(min, max, step.major, step.minor) {
			ticks = append(ticks, plot.Tick{Value: t})
		}
	}
	return ticks
}

// minorOnly is the minor tick values that are not on a major tick.
func minorOnly(min, max float64, major, minor time.Duration) []float64 {
	var out []float64
	ms, ns := major.Seconds(), minor.Seconds()
	for v := math.Ceil(min/ns) * ns; v <= max; v += ns {
		if math.Mod(v, ms) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// valueTicker puts about five ticks on round values (1, 2, 2.5 or 5
// times a power of ten), labelled in k, M or G when the axis goes past ten
// thousand.
type valueTicker struct{}

func (valueTicker) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	raw := (max - min) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	unit, suffix := 1.0, ""
	switch a := math.Max(math.Abs(min), math.Abs(max)); {
	case a >= 1e9:
		unit, suffix = 1e9, "G"
	case a >= 1e6:
		unit, suffix = 1e6, "M"
	case a >= 1e4:
		unit, suffix = 1e3, "k"
	}
	var ticks []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := first; i*step <= max+step*1e-9; i++ {
		v := i * step
		ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, step, unit, suffix)})
		if h := v + step/2; h <= max {
			ticks = append(ticks, plot.Tick{Value: h})
		}
	}
	return ticks
}

// tickLabel writes v in the axis's unit (1, or 1e3, 1e6, 1e9 with
// their suffix) with as many decimals as the step needs.
func tickLabel(v, step, unit float64, suffix string) string {
	if v == 0 {
		return "0"
	}
	decimals := 0
	for s := step / unit; s < 1 && decimals < 12; s *= 10 {
		decimals++
	}
	if math.Abs(step/unit*math.Pow10(decimals)-math.Round(step/unit*math.Pow10(decimals))) > 1e-9 {
		decimals++ // 2.5 × a power of ten
	}
	return strconv.FormatFloat(v/unit, 'f', decimals, 64) + suffix
}
