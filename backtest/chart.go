package backtest

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Sample is one datapoint of the alarm's metric: the start of its period and
// the value (already aggregated with the alarm's statistic).
type Sample struct {
	Time  time.Time
	Value float64
}

// Interval is a span of time [From, To).
type Interval struct {
	From, To time.Time
}

// ChartData is what WriteChart draws: one alarm's metric over the window,
// its threshold and the spans it spent in ALARM.
type ChartData struct {
	Title      string        // the alarm's name
	Subtitle   string        // e.g. "AWS/Kinesis WriteProvisionedThroughputExceeded, Sum per 60 s; ALARM when > 1 for 1 of 1 periods; missing data: notBreaching"
	Samples    []Sample      // sorted by time; periods without data are absent
	Period     time.Duration // the alarm's period
	Threshold  float64
	Comparison string     // GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold
	Start, End time.Time  // the window
	InAlarm    []Interval // the spans in ALARM within the window
}

// The picture: 10 × 4 inches at chartDPI dots per inch.
const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 4 * vg.Inch
	chartDPI    = 120
)

// chartNoDataNote is written in the data area when no datapoint falls in the window.
const chartNoDataNote = "no datapoints in the window"

// The chart's colours: the metric in blue, breaching datapoints in dark
// red, the threshold in orange, the ALARM spans in translucent red.
var (
	chartSeriesColor    = color.RGBA{R: 0, G: 102, B: 170, A: 255}
	chartBreachColor    = color.RGBA{R: 190, G: 20, B: 20, A: 255}
	chartThresholdColor = color.RGBA{R: 235, G: 140, B: 0, A: 255}
	chartAlarmColor     = color.NRGBA{R: 230, G: 40, B: 40, A: 56}
	chartTextColor      = color.RGBA{R: 25, G: 25, B: 25, A: 255}
	chartMutedColor     = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	chartGridColor      = color.RGBA{R: 228, G: 228, B: 228, A: 255}
)

// chartFont is the typeface of every text in the chart.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// WriteChart draws the chart as a PNG file at path (parent directory must exist).
//
// The picture, 10 × 4 inches at 120 dots per inch: the title, the subtitle
// and a legend on top; the metric as a blue line broken where periods have
// no data, with a marker per datapoint (when they are at least 4 points
// apart; closer than that, the line alone) and the breaching datapoints in
// dark red; the threshold as a dashed orange line; each ALARM span shaded
// translucent red over the data area's full height with a strip along its
// top; the time axis in UTC. With no datapoints in the window it says so.
func WriteChart(path string, d ChartData) (err error) {
	img, _, err := renderChart(d)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("chart %q: %w", d.Title, err)
	}
	return nil
}

// renderChart draws the chart in memory. dataArea is the rectangle, in the
// image's pixels, that the window [Start, End) and the value range of
// chartYRange span: Start at dataArea.Min.X, End at dataArea.Max.X, the
// range's top at dataArea.Min.Y and its bottom at dataArea.Max.Y.
func renderChart(d ChartData) (img image.Image, dataArea image.Rectangle, err error) {
	if err := checkChartData(d); err != nil {
		return nil, image.Rectangle{}, err
	}
	symbol, _ := chartComparisonSymbol(d.Comparison)
	inWindow := chartSamplesInWindow(d)
	spans := chartClipSpans(d.InAlarm, d.Start, d.End)

	canvas := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	whole := draw.New(canvas)
	page := draw.Crop(whole, vg.Points(6), vg.Points(-16), vg.Points(4), vg.Points(-8))

	series := &chartSeries{
		samples:    inWindow,
		period:     d.Period,
		threshold:  d.Threshold,
		comparison: d.Comparison,
	}
	threshold := &chartThreshold{value: d.Threshold}
	shading := &chartSpans{spans: spans}

	legend := []chartLegendEntry{
		{label: "metric", thumbs: []plot.Thumbnailer{series}},
	}
	if n := chartCountBreaching(inWindow, d.Threshold, d.Comparison); n > 0 {
		legend = append(legend, chartLegendEntry{
			label:  fmt.Sprintf("breaching (%d)", n),
			thumbs: []plot.Thumbnailer{chartBreachThumb{}},
		})
	}
	legend = append(legend,
		chartLegendEntry{
			label:  "threshold " + symbol + " " + chartFormatNumber(d.Threshold),
			thumbs: []plot.Thumbnailer{threshold},
		},
		chartLegendEntry{
			label:  "in ALARM " + chartSpansSummary(spans),
			thumbs: []plot.Thumbnailer{shading},
		},
	)
	body := drawChartHeader(page, d.Title, d.Subtitle, legend)

	p := plot.New()
	p.BackgroundColor = nil // the canvas is already white
	chartStyleAxis(&p.X)
	chartStyleAxis(&p.Y)
	p.X.Tick.Marker = chartTimeTicks(d.End.Sub(d.Start))
	p.X.Label.Text = fmt.Sprintf("UTC, %s to %s (%s)",
		d.Start.UTC().Format("2006-01-02 15:04"), d.End.UTC().Format("2006-01-02 15:04"),
		chartFormatDuration(d.End.Sub(d.Start)))
	p.Y.Tick.Marker = chartValueTicker{}

	p.Add(chartGrid{}, shading, threshold, series)
	if len(inWindow) == 0 {
		p.Add(&chartNote{text: chartNoDataNote, threshold: d.Threshold})
	}
	p.X.Min, p.X.Max = chartX(d.Start), chartX(d.End)
	p.Y.Min, p.Y.Max = chartYRange(d)

	p.Draw(body)
	dc := p.DataCanvas(body)
	return canvas.Image(), chartPixelRect(dc.Rectangle), nil
}

// checkChartData reports what makes d impossible to draw.
func checkChartData(d ChartData) error {
	var problems []string
	if !d.End.After(d.Start) {
		problems = append(problems, fmt.Sprintf("the window ends (%s) before it starts (%s)",
			d.End.UTC().Format(time.RFC3339), d.Start.UTC().Format(time.RFC3339)))
	}
	if d.Period <= 0 {
		problems = append(problems, fmt.Sprintf("the period is %s, not positive", d.Period))
	}
	if _, ok := chartComparisonSymbol(d.Comparison); !ok {
		problems = append(problems, fmt.Sprintf("unknown comparison %q", d.Comparison))
	}
	if math.IsNaN(d.Threshold) || math.IsInf(d.Threshold, 0) {
		problems = append(problems, fmt.Sprintf("the threshold is %v", d.Threshold))
	}
	if len(problems) > 0 {
		return fmt.Errorf("chart %q: %s", d.Title, strings.Join(problems, "; "))
	}
	return nil
}

// chartComparisonSymbol is the operator of a CloudWatch comparison.
func chartComparisonSymbol(comparison string) (string, bool) {
	switch comparison {
	case "GreaterThanThreshold":
		return ">", true
	case "GreaterThanOrEqualToThreshold":
		return "≥", true
	case "LessThanThreshold":
		return "<", true
	case "LessThanOrEqualToThreshold":
		return "≤", true
	}
	return "", false
}

// chartBreaches tells whether v breaches the threshold.
func chartBreaches(comparison string, v, threshold float64) bool {
	switch comparison {
	case "GreaterThanThreshold":
		return v > threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "LessThanThreshold":
		return v < threshold
	case "LessThanOrEqualToThreshold":
		return v <= threshold
	}
	return false
}

func chartCountBreaching(samples []Sample, threshold float64, comparison string) int {
	n := 0
	for _, s := range samples {
		if chartBreaches(comparison, s.Value, threshold) {
			n++
		}
	}
	return n
}

// chartSamplesInWindow is the samples with a finite value and a time in [Start, End).
func chartSamplesInWindow(d ChartData) []Sample {
	out := make([]Sample, 0, len(d.Samples))
	for _, s := range d.Samples {
		if s.Time.Before(d.Start) || !s.Time.Before(d.End) {
			continue
		}
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// chartYRange is the value axis: from min(0, data min, threshold) to a tenth
// of the range above max(data max, threshold).
func chartYRange(d ChartData) (lo, hi float64) {
	lo, hi = math.Min(0, d.Threshold), d.Threshold
	for _, s := range chartSamplesInWindow(d) {
		lo, hi = math.Min(lo, s.Value), math.Max(hi, s.Value)
	}
	if hi <= lo {
		return lo, lo + math.Max(math.Abs(lo), 1)
	}
	return lo, hi + (hi-lo)/10
}

// chartX is a time on the x axis: seconds since the Unix epoch.
func chartX(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// chartClipSpans is the spans clipped to [start, end), sorted and merged
// where they overlap or touch.
func chartClipSpans(in []Interval, start, end time.Time) []Interval {
	var spans []Interval
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
	sort.Slice(spans, func(i, j int) bool { return spans[i].From.Before(spans[j].From) })
	var merged []Interval
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

// chartSpansSummary says how many spans there are and how long they last together.
func chartSpansSummary(spans []Interval) string {
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
	return fmt.Sprintf("(%d %s, %s)", len(spans), noun, chartFormatDuration(total))
}

// chartFormatDuration writes a duration the short way: 45s, 12m, 1h05m, 2d3h.
func chartFormatDuration(d time.Duration) string {
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

// chartFormatNumber writes a threshold as it was set: 1, 0.5, 86400000.
func chartFormatNumber(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e15) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// chartPixelRect is a rectangle of the canvas in the image's pixels (y down).
func chartPixelRect(r vg.Rectangle) image.Rectangle {
	scale := float64(chartDPI) / float64(vg.Inch)
	height := math.Round(float64(chartHeight) * scale)
	return image.Rect(
		int(math.Round(float64(r.Min.X)*scale)),
		int(math.Round(height-float64(r.Max.Y)*scale)),
		int(math.Round(float64(r.Max.X)*scale)),
		int(math.Round(height-float64(r.Min.Y)*scale)),
	)
}

// chartTextStyle is a text style of the chart's typeface.
func chartTextStyle(size vg.Length, clr color.Color) text.Style {
	return text.Style{
		Color:   clr,
		Font:    font.From(chartFont, size),
		Handler: plot.DefaultTextHandler,
	}
}

func chartStyleAxis(a *plot.Axis) {
	a.LineStyle = draw.LineStyle{Color: chartMutedColor, Width: vg.Points(0.6)}
	a.Tick.LineStyle = a.LineStyle
	a.Tick.Length = vg.Points(4)
	tick := chartTextStyle(vg.Points(9), chartTextColor)
	tick.XAlign, tick.YAlign = a.Tick.Label.XAlign, a.Tick.Label.YAlign
	a.Tick.Label = tick
	label := chartTextStyle(vg.Points(8.5), chartMutedColor)
	label.XAlign, label.YAlign = a.Label.TextStyle.XAlign, a.Label.TextStyle.YAlign
	a.Label.TextStyle = label
	a.Padding = vg.Points(2)
}

// chartLegendEntry is one entry of the legend: its thumbnails and label.
type chartLegendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// drawChartHeader writes the title, the subtitle and, on one row, the legend
// at the top of c, and returns what is left of c below them.
func drawChartHeader(c draw.Canvas, title, subtitle string, legend []chartLegendEntry) draw.Canvas {
	width := c.Max.X - c.Min.X
	y := c.Max.Y

	titleStyle := chartTextStyle(vg.Points(13), chartTextColor)
	titleStyle.Font.Weight = xfont.WeightBold
	titleStyle.YAlign = draw.YTop
	title, titleStyle = chartFitText(title, titleStyle, width)
	c.FillText(titleStyle, vg.Point{X: c.Min.X, Y: y}, title)
	y -= titleStyle.Height(title) + vg.Points(3)

	if subtitle != "" {
		subStyle := chartTextStyle(vg.Points(9.5), chartMutedColor)
		subStyle.YAlign = draw.YTop
		subtitle, subStyle = chartFitText(subtitle, subStyle, width)
		c.FillText(subStyle, vg.Point{X: c.Min.X, Y: y}, subtitle)
		y -= subStyle.Height(subtitle) + vg.Points(5)
	}

	legendStyle := chartTextStyle(vg.Points(9), chartTextColor)
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

// chartFitText shrinks the font down to 7 points, then cuts the text, so
// that it fits in width.
func chartFitText(s string, sty text.Style, width vg.Length) (string, text.Style) {
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

// chartSeries draws the metric: a line through each run of datapoints one
// period apart, broken where periods have no data, a small marker per
// datapoint, and the breaching datapoints in dark red. When the datapoints
// are closer than chartMarkerSpacing, only the isolated datapoints and the
// breaching ones get a marker: the line alone shows the rest.
type chartSeries struct {
	samples    []Sample
	period     time.Duration
	threshold  float64
	comparison string
}

// chartMarkerSpacing is the least distance between datapoints at which each
// of them gets a marker.
const chartMarkerSpacing = vg.Length(4)

var chartSeriesLine = draw.LineStyle{Color: chartSeriesColor, Width: vg.Points(1.2)}

func (s *chartSeries) Plot(c draw.Canvas, p *plot.Plot) {
	if len(s.samples) == 0 {
		return
	}
	trX, trY := p.Transforms(&c)
	spacing := trX(p.X.Min+s.period.Seconds()) - trX(p.X.Min)
	radius := vg.Points(2.2)
	if r := spacing / 3; r < radius {
		radius = vg.Length(math.Max(float64(r), float64(vg.Points(1.3))))
	}
	dense := spacing < chartMarkerSpacing

	pts := make([]vg.Point, len(s.samples))
	for i, smp := range s.samples {
		pts[i] = vg.Point{X: trX(chartX(smp.Time)), Y: trY(smp.Value)}
	}
	var runs [][]vg.Point
	isolated := make([]bool, len(pts))
	start := 0
	for i := 1; i <= len(pts); i++ {
		if i < len(pts) && s.samples[i].Time.Sub(s.samples[i-1].Time) <= s.period {
			continue
		}
		if i-start > 1 {
			runs = append(runs, pts[start:i])
		} else {
			isolated[start] = true
		}
		start = i
	}
	c.StrokeLines(chartSeriesLine, c.ClipLinesXY(runs...)...)

	for i, pt := range pts {
		clr := chartSeriesColor
		if chartBreaches(s.comparison, s.samples[i].Value, s.threshold) {
			clr = chartBreachColor
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
func (s *chartSeries) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(chartSeriesLine, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(draw.GlyphStyle{Color: chartSeriesColor, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}, c.Center())
}

// chartBreachThumb is the legend's sample of a breaching datapoint.
type chartBreachThumb struct{}

func (chartBreachThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: chartBreachColor, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}, c.Center())
}

// chartThreshold draws the threshold as a dashed line across the data area.
type chartThreshold struct {
	value float64
}

var chartThresholdLine = draw.LineStyle{
	Color:  chartThresholdColor,
	Width:  vg.Points(1.6),
	Dashes: []vg.Length{vg.Points(6), vg.Points(3)},
}

func (t *chartThreshold) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(t.value)
	if !c.ContainsY(y) {
		return
	}
	c.StrokeLine2(chartThresholdLine, c.Min.X, y, c.Max.X, y)
}

func (t *chartThreshold) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(chartThresholdLine, c.Min.X, y, c.Max.X, y)
}

// chartSpans shades the ALARM spans over the full height of the data area,
// with a stronger strip along its top edge so that short spans are seen too.
// A span too short to see at the chart's scale is drawn chartMinSpanWidth wide.
type chartSpans struct {
	spans []Interval
}

const (
	chartMinSpanWidth  = vg.Length(3)
	chartSpanStripSize = vg.Length(5)
)

var chartAlarmStripColor = color.NRGBA{R: 215, G: 30, B: 30, A: 210}

func (s *chartSpans) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, span := range s.spans {
		x0, x1 := trX(chartX(span.From)), trX(chartX(span.To))
		if w := x1 - x0; w < chartMinSpanWidth {
			x0 -= (chartMinSpanWidth - w) / 2
			x1 = x0 + chartMinSpanWidth
		}
		rect := []vg.Point{
			{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y},
			{X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
		}
		c.FillPolygon(chartAlarmColor, c.ClipPolygonXY(rect))
		strip := []vg.Point{
			{X: x0, Y: c.Max.Y - chartSpanStripSize}, {X: x1, Y: c.Max.Y - chartSpanStripSize},
			{X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
		}
		c.FillPolygon(chartAlarmStripColor, c.ClipPolygonXY(strip))
	}
}

func (s *chartSpans) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(chartAlarmColor, []vg.Point{
		c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y},
	})
	top := c.Max.Y - (c.Max.Y-c.Min.Y)/4
	c.FillPolygon(chartAlarmStripColor, []vg.Point{
		{X: c.Min.X, Y: top}, {X: c.Max.X, Y: top}, c.Max, {X: c.Min.X, Y: c.Max.Y},
	})
}

// chartGrid draws light lines at the major ticks inside the data area, none
// on its edges, where the axes are.
type chartGrid struct{}

var chartGridLine = draw.LineStyle{Color: chartGridColor, Width: vg.Points(0.5)}

func (chartGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.IsMinor() || t.Value <= p.X.Min || t.Value >= p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(chartGridLine, x, c.Min.Y, x, c.Max.Y)
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() || t.Value <= p.Y.Min || t.Value >= p.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(chartGridLine, c.Min.X, y, c.Max.X, y)
	}
}

// chartNote writes a sentence in the data area, in the half away from the threshold.
type chartNote struct {
	text      string
	threshold float64
}

func (n *chartNote) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := c.Min.Y + (c.Max.Y-c.Min.Y)*0.7
	if trY(n.threshold) > c.Center().Y {
		y = c.Min.Y + (c.Max.Y-c.Min.Y)*0.3
	}
	sty := chartTextStyle(vg.Points(12), chartMutedColor)
	sty.Font.Style = xfont.StyleItalic
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, vg.Point{X: c.Center().X, Y: y}, n.text)
}

// chartTimeTicks is the time axis's ticks for a window of length d, in UTC:
// "15:04" up to a day, "Jan 2 15:04" beyond.
func chartTimeTicks(d time.Duration) plot.TimeTicks {
	format := "Jan 2 15:04"
	if d <= 24*time.Hour {
		format = "15:04"
	}
	return plot.TimeTicks{Ticker: chartTimeTicker{}, Format: format, Time: plot.UTCUnixTime}
}

// chartTimeSteps are the tick steps the time axis chooses from, each with
// the step of its minor ticks.
var chartTimeSteps = []struct{ major, minor time.Duration }{
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

// chartTimeTicker puts the time axis's ticks on round UTC times (whole
// minutes, hours, days), at most 12 labels for "15:04" and 8 for the longer
// "Jan 2 15:04". The labels are written by plot.TimeTicks.
type chartTimeTicker struct{}

func (chartTimeTicker) Ticks(min, max float64) []plot.Tick {
	span := time.Duration((max - min) * float64(time.Second))
	maxLabels := 12
	if span > 24*time.Hour {
		maxLabels = 8
	}
	step := chartTimeSteps[len(chartTimeSteps)-1]
	for _, s := range chartTimeSteps {
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
		for _, t := range chartMinorOnly(min, max, step.major, step.minor) {
			ticks = append(ticks, plot.Tick{Value: t})
		}
	}
	return ticks
}

// chartMinorOnly is the minor tick values that are not on a major tick.
func chartMinorOnly(min, max float64, major, minor time.Duration) []float64 {
	var out []float64
	ms, ns := major.Seconds(), minor.Seconds()
	for v := math.Ceil(min/ns) * ns; v <= max; v += ns {
		if math.Mod(v, ms) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// chartValueTicker puts about five ticks on round values (1, 2, 2.5 or 5
// times a power of ten), labelled in k, M or G when the axis goes past ten
// thousand.
type chartValueTicker struct{}

func (chartValueTicker) Ticks(min, max float64) []plot.Tick {
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
		ticks = append(ticks, plot.Tick{Value: v, Label: chartTickLabel(v, step, unit, suffix)})
		if h := v + step/2; h <= max {
			ticks = append(ticks, plot.Tick{Value: h})
		}
	}
	return ticks
}

// chartTickLabel writes v in the axis's unit (1, or 1e3, 1e6, 1e9 with
// their suffix) with as many decimals as the step needs.
func chartTickLabel(v, step, unit float64, suffix string) string {
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
