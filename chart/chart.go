// Package chart draws one alarm's replay (package evaluator) as a PNG
// picture, for the backtest's --chart.
//
// # What a picture shows
//
// The picture is 10 × 4 inches at 120 dots per inch: 1200 × 480 pixels.
//
// On top, the alarm's name in bold; under it the condition: the namespace
// and metric, the statistic per period, "ALARM when" the operator's symbol
// (>, ≥, <, ≤) and the threshold "for M of N periods", and the treatment
// of missing data; then a legend on one row: the metric, the breaching
// datapoints with their number (when there are any), the threshold with
// its operator, and the spans in ALARM with their number and total length
// ("(never)" when none).
//
// Below, the data area, over the replayed window (Result.Start to
// Result.End):
//   - the metric in blue: a line through each run of datapoints one period
//     apart, broken where periods have no data, and a marker per datapoint
//     (when the datapoints are closer than 4 points, only the isolated ones
//     and the breaching ones get a marker: the line shows the rest; an
//     isolated datapoint has a larger marker). Each datapoint is drawn as
//     the evaluator counts it (evaluator.Datapoints): at the start of its
//     period, and of two datapoints of one period only the later;
//   - in dark red, the datapoints that breach, exactly those the evaluator
//     counted as breaching: the chart asks evaluator.Datapoints and
//     compares nothing itself;
//   - the threshold as a dashed orange line across the data area;
//   - each span in ALARM (evaluator.Result.InAlarm: from a transition into
//     ALARM to the next transition out of it, or to the end of the window)
//     shaded translucent red over the full height, with a stronger red
//     strip along the top so that a short span is seen too; a span too
//     short to see at the chart's scale is drawn 3 points wide;
//   - light grey grid lines at the major ticks.
//
// The time axis is in UTC: ticks on round minutes, hours or days, labelled
// "15:04" for a window up to a day and "Jan 2 15:04" beyond, and under it
// "UTC, <start> to <end> (<length>)". The value axis runs from the least of
// 0, the datapoints and the threshold to a tenth of the range above the
// greater of the datapoints and the threshold, with about five ticks on
// round values (1, 2, 2.5 or 5 times a power of ten), in k, M or G past ten
// thousand.
//
// With no datapoint in the window (values that are NaN or infinite are not
// drawn), the data area says "no datapoints in the window"; the threshold
// and the spans in ALARM are drawn all the same.
//
// # Two replays on one picture
//
// With Replay.Against (the backtest's --compare: the alarm as configured,
// against the alarm as deployed), the picture draws the first replay as
// above, and the other's spans in ALARM as a violet band 12 points high
// along the foot of the data area, under the metric and the threshold
// (clipped and merged as the ALARM shading is; a span too short to see
// drawn 3 points wide). The legend adds an entry after the spans in ALARM:
// the other's label, "in ALARM", and its spans' number and total length. An
// incident that only one replay raised is red shading without violet under
// it, or violet without red shading above it.
package chart

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// Replay is what a chart draws: an alarm, the datapoints of its metric as
// they were given to the evaluator, and the evaluator's result of them.
type Replay struct {
	Alarm  alarms.Alarm
	Points []evaluator.Point
	Result evaluator.Result
	// Against, when not nil, is another replay of the alarm over the same
	// window, whose spans in ALARM are drawn too (the package
	// documentation, "Two replays on one picture").
	Against *Against
}

// The picture: 10 × 4 inches at dpi dots per inch.
const (
	width  = 10 * vg.Inch
	height = 4 * vg.Inch
	dpi    = 120
)

// Write draws the chart of r as a PNG file at path (its directory must
// exist).
func Write(path string, r Replay) (err error) {
	img, _, err := render(r)
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
		return fmt.Errorf("chart %q: %w", r.Alarm.Name, err)
	}
	return nil
}

// drawing is a Replay made ready to draw.
type drawing struct {
	alarm      alarms.Alarm
	start, end time.Time
	// points are the datapoints in [start, end) with a finite value, as the
	// evaluator counts them.
	points []evaluator.Datapoint
	// spans are the spans in ALARM, clipped to [start, end) and merged.
	spans []evaluator.Span
	// against is the other replay's label and spans in ALARM, clipped and
	// merged the same way; nil without one.
	against *againstDrawing
}

type againstDrawing struct {
	label string
	spans []evaluator.Span
}

// prepare checks r and asks the evaluator for the datapoints it counts and
// the spans in ALARM.
func prepare(r Replay) (drawing, error) {
	start, end := r.Result.Start, r.Result.End
	var problems []error
	if !end.After(start) {
		problems = append(problems, fmt.Errorf("the window ends (%s) before it starts (%s)",
			end.UTC().Format(time.RFC3339), start.UTC().Format(time.RFC3339)))
	}
	if err := evaluator.Check(r.Alarm); err != nil {
		problems = append(problems, err)
	}
	if err := errors.Join(problems...); err != nil {
		return drawing{}, fmt.Errorf("chart %q: %w", r.Alarm.Name, err)
	}
	d := drawing{alarm: r.Alarm, start: start, end: end, spans: clipSpans(r.Result.InAlarm(), start, end)}
	if r.Against != nil {
		d.against = &againstDrawing{label: r.Against.Label, spans: clipSpans(r.Against.Result.InAlarm(), start, end)}
	}
	for _, p := range evaluator.Datapoints(r.Alarm, r.Points) {
		if p.Time.Before(start) || !p.Time.Before(end) || math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			continue
		}
		d.points = append(d.points, p)
	}
	return d, nil
}

// render draws the chart in memory. dataArea is the rectangle, in the
// image's pixels, that the window [start, end) and the value range of
// yRange span: start at dataArea.Min.X, end at dataArea.Max.X, the range's
// top at dataArea.Min.Y and its bottom at dataArea.Max.Y.
func render(r Replay) (img image.Image, dataArea image.Rectangle, err error) {
	d, err := prepare(r)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	a := d.alarm

	canvas := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	whole := draw.New(canvas)
	page := draw.Crop(whole, vg.Points(6), vg.Points(-16), vg.Points(4), vg.Points(-8))

	metric := &series{points: d.points, period: a.PeriodDuration()}
	line := &thresholdLine{value: a.Threshold}
	shading := &alarmShading{spans: d.spans}
	var band *againstBand
	if d.against != nil {
		band = &againstBand{spans: d.against.spans}
	}
	body := drawHeader(page, a.Name, subtitle(a), legend(d, metric, line, shading, band))

	p := plot.New()
	p.BackgroundColor = nil // the canvas is already white
	styleAxis(&p.X)
	styleAxis(&p.Y)
	p.X.Tick.Marker = timeTicks(d.end.Sub(d.start))
	p.X.Label.Text = fmt.Sprintf("UTC, %s to %s (%s)",
		d.start.UTC().Format("2006-01-02 15:04"), d.end.UTC().Format("2006-01-02 15:04"),
		formatDuration(d.end.Sub(d.start)))
	p.Y.Tick.Marker = valueTicker{}

	p.Add(grid{}, shading)
	if band != nil {
		p.Add(band)
	}
	p.Add(line, metric)
	if len(d.points) == 0 {
		p.Add(&note{text: noDataNote, threshold: a.Threshold})
	}
	p.X.Min, p.X.Max = xOf(d.start), xOf(d.end)
	p.Y.Min, p.Y.Max = yRange(d.points, a.Threshold)

	p.Draw(body)
	dc := p.DataCanvas(body)
	return canvas.Image(), pixelRect(dc.Rectangle), nil
}

// yRange is the value axis: from min(0, data min, threshold) to a tenth of
// the range above max(data max, threshold).
func yRange(points []evaluator.Datapoint, threshold float64) (lo, hi float64) {
	lo, hi = math.Min(0, threshold), threshold
	for _, p := range points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if hi <= lo {
		return lo, lo + math.Max(math.Abs(lo), 1)
	}
	return lo, hi + (hi-lo)/10
}

// xOf is a time on the x axis: seconds since the Unix epoch.
func xOf(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// pixelRect is a rectangle of the canvas in the image's pixels (y down).
func pixelRect(r vg.Rectangle) image.Rectangle {
	scale := float64(dpi) / float64(vg.Inch)
	h := math.Round(float64(height) * scale)
	return image.Rect(
		int(math.Round(float64(r.Min.X)*scale)),
		int(math.Round(h-float64(r.Max.Y)*scale)),
		int(math.Round(float64(r.Max.X)*scale)),
		int(math.Round(h-float64(r.Min.Y)*scale)),
	)
}
