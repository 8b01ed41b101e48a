package chart

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// chartDir keeps the test charts to look at:
// go test ./chart -run TestWrite -chart-dir /tmp/charts
var chartDir = flag.String("chart-dir", "", "also write TestWrite's charts into this directory")

var testStart = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// at is a time in the test windows: testStart plus d.
func at(d time.Duration) time.Time { return testStart.Add(d) }

// testAlarm is an alarm of one evaluation period on a metric of AWS/Kinesis.
func testAlarm(name, metric string, period int, comparison alarms.Comparison, threshold float64, treatment string) alarms.Alarm {
	return alarms.Alarm{
		Name: name, Namespace: "AWS/Kinesis", Metric: metric, Statistic: "Sum", Period: period,
		EvaluationPeriods: 1, Threshold: threshold, Comparison: comparison, TreatMissingData: treatment,
	}
}

// resultWith is a result over [start, end) that was in ALARM over the
// spans, as transitions into and out of ALARM, for the cases that are
// about drawing spans rather than replaying.
func resultWith(start, end time.Time, spans ...evaluator.Span) evaluator.Result {
	r := evaluator.Result{Start: start, End: end, Final: evaluator.OK}
	for _, s := range spans {
		r.Transitions = append(r.Transitions,
			evaluator.Transition{Time: s.From, From: evaluator.OK, To: evaluator.Alarm},
			evaluator.Transition{Time: s.To, From: evaluator.Alarm, To: evaluator.OK})
	}
	return r
}

// day is one day of five-minute data replayed: a calm wave, no data from
// 15:00 to 17:00, a spike over the threshold from 20:00 to 20:40, and so
// ALARM from 20:05 to 20:45.
func day() Replay {
	a := testAlarm("kinesis-monitoring-prod-orders-WriteProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
		300, alarms.GreaterThanThreshold, 1, alarms.MissingDataNotBreaching)
	var points []evaluator.Point
	for m := 0; m < 24*60; m += 5 {
		d := time.Duration(m) * time.Minute
		if d >= 5*time.Hour && d < 7*time.Hour {
			continue
		}
		v := 0.3 + 0.3*math.Sin(float64(m)/50)
		if d >= 10*time.Hour && d < 10*time.Hour+40*time.Minute {
			v = 3 + float64(m-600)/10
		}
		points = append(points, evaluator.Point{Time: at(d), Value: v})
	}
	return Replay{Alarm: a, Points: points, Result: evaluator.Evaluate(a, points, testStart, at(24*time.Hour))}
}

// fortnight is 14 days of one-minute data (20,160 datapoints) with a daily
// peak over the threshold at 22:00, and a result in ALARM for 35 minutes
// from then every third day.
func fortnight() Replay {
	a := testAlarm("kinesis-monitoring-prod-orders-IncomingBytes-high", "IncomingBytes",
		60, alarms.GreaterThanOrEqualToThreshold, 2.2e6, alarms.MissingDataNotBreaching)
	points := make([]evaluator.Point, 0, 14*24*60)
	for m := 0; m < 14*24*60; m++ {
		v := 1e6 + 4e5*math.Sin(float64(m)/700) + 1e5*math.Sin(float64(m)/13)
		if m%1440 >= 720 && m%1440 < 760 {
			v += 1.5e6
		}
		points = append(points, evaluator.Point{Time: at(time.Duration(m) * time.Minute), Value: v})
	}
	var spans []evaluator.Span
	for d := 0; d < 14; d += 3 {
		from := at(time.Duration(d*1440+720) * time.Minute)
		spans = append(spans, evaluator.Span{From: from, To: from.Add(35 * time.Minute)})
	}
	return Replay{Alarm: a, Points: points, Result: resultWith(testStart, at(14*24*time.Hour), spans...)}
}

// picture is a rendered chart with the mapping from data to pixels.
type picture struct {
	img        image.Image
	area       image.Rectangle
	start, end time.Time
	lo, hi     float64
}

func renderPicture(t testing.TB, r Replay) picture {
	t.Helper()
	img, area, err := render(r)
	if err != nil {
		t.Fatal(err)
	}
	d, err := prepare(r)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := yRange(d.points, r.Alarm.Threshold)
	return picture{img: img, area: area, start: d.start, end: d.end, lo: lo, hi: hi}
}

// xAt is the pixel column of a time.
func (p picture) xAt(t time.Time) int {
	f := float64(t.Sub(p.start)) / float64(p.end.Sub(p.start))
	return p.area.Min.X + int(math.Round(f*float64(p.area.Dx())))
}

// yAt is the pixel row of a value.
func (p picture) yAt(v float64) int {
	f := (v - p.lo) / (p.hi - p.lo)
	return p.area.Max.Y - int(math.Round(f*float64(p.area.Dy())))
}

// rgba is the colour of the pixel at (x, y).
func (p picture) rgba(x, y int) color.RGBA {
	return color.RGBAModel.Convert(p.img.At(x, y)).(color.RGBA)
}

// column is the data area's pixels at x, below the ALARM strip along the top.
func (p picture) column(x int) []color.RGBA {
	strip := int(math.Ceil(float64(spanStripSize)*dpi/72)) + 2
	var out []color.RGBA
	for y := p.area.Min.Y + strip; y < p.area.Max.Y-1; y++ {
		out = append(out, p.rgba(x, y))
	}
	return out
}

func countPixels(px []color.RGBA, is func(color.RGBA) bool) int {
	n := 0
	for _, c := range px {
		if is(c) {
			n++
		}
	}
	return n
}

// The colours as they come out on white, with room for anti-aliasing and
// the grid lines underneath.
func isAlarmShade(c color.RGBA) bool {
	return c.R >= 235 && c.G >= 180 && c.G <= 225 && c.B >= 180 && c.B <= 225 && absDiff(c.G, c.B) <= 12
}

// isPlainBackground is white or a grid line's light grey.
func isPlainBackground(c color.RGBA) bool {
	lo, hi := min(c.R, c.G, c.B), max(c.R, c.G, c.B)
	return lo >= 220 && hi-lo <= 8
}

func isThresholdColor(c color.RGBA) bool {
	return c.R >= 215 && c.G >= 110 && c.G <= 170 && c.B <= 60
}

func isSeriesColor(c color.RGBA) bool {
	return int(c.B) > int(c.R)+60 && int(c.B) > int(c.G)+20 // the metric's blue
}

func isBreachColor(c color.RGBA) bool {
	return c.R >= 150 && c.G <= 90 && c.B <= 90
}

func isNoteColor(c color.RGBA) bool {
	return c.R == c.G && c.G == c.B && c.R < 150
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// isAgainstColor is the violet band of another replay's spans in ALARM,
// on white or over the ALARM shade.
func isAgainstColor(c color.RGBA) bool {
	return int(c.B) >= int(c.R)+25 && int(c.R) >= int(c.G)+35 && c.B >= 150
}

// bandRows are the data area's pixels at x within the band of another
// replay along its foot, a few pixels in from its edges.
func (p picture) bandRows(x int) []color.RGBA {
	size := int(float64(againstBandSize) * dpi / 72)
	var out []color.RGBA
	for y := p.area.Max.Y - size + 3; y < p.area.Max.Y-2; y++ {
		out = append(out, p.rgba(x, y))
	}
	return out
}

// A check looks at one thing in the picture and says what is wrong.
type check func(p picture) error

// shadedAt: the background of the column at t (what the metric and the
// threshold leave of it) is the ALARM shade.
func shadedAt(d time.Duration) check {
	return func(p picture) error {
		col := p.column(p.xAt(at(d)))
		shaded, plain := countPixels(col, isAlarmShade), countPixels(col, isPlainBackground)
		if shaded < len(col)/4 || shaded < (shaded+plain)*9/10 {
			return fmt.Errorf("at %s: %d pixels in the ALARM shade, %d plain, of %d; want the background shaded", d, shaded, plain, len(col))
		}
		return nil
	}
}

// notShadedAt: the background of the column at t has no ALARM shade, and
// there is no strip along the top.
func notShadedAt(d time.Duration) check {
	return func(p picture) error {
		x := p.xAt(at(d))
		col := p.column(x)
		shaded, plain := countPixels(col, isAlarmShade), countPixels(col, isPlainBackground)
		if plain < len(col)/4 || shaded > (shaded+plain)/20 {
			return fmt.Errorf("at %s: %d pixels in the ALARM shade, %d plain, of %d; want the background plain", d, shaded, plain, len(col))
		}
		top := p.rgba(x, p.area.Min.Y+3)
		if isBreachColor(top) {
			return fmt.Errorf("at %s: the ALARM strip (%v) along the top", d, top)
		}
		return nil
	}
}

// thresholdAt: the threshold's colour runs along the row of value v for
// most of the width (the line is dashed).
func thresholdAt(v float64) check {
	return func(p picture) error {
		y := p.yAt(v)
		best := 0
		for dy := -1; dy <= 1; dy++ {
			n := 0
			for x := p.area.Min.X; x < p.area.Max.X; x++ {
				if isThresholdColor(p.rgba(x, y+dy)) {
					n++
				}
			}
			best = max(best, n)
		}
		if best < p.area.Dx()/2 {
			return fmt.Errorf("row of %v (y %d): %d of %d pixels in the threshold's colour, want over half", v, y, best, p.area.Dx())
		}
		return nil
	}
}

// seriesAt: the column at t has the metric's line or a marker.
func seriesAt(d time.Duration) check {
	return func(p picture) error {
		col := p.column(p.xAt(at(d)))
		if countPixels(col, isSeriesColor)+countPixels(col, isBreachColor) == 0 {
			return fmt.Errorf("at %s: no pixel of the metric", d)
		}
		return nil
	}
}

// noSeriesAt: the column at t has nothing of the metric.
func noSeriesAt(d time.Duration) check {
	return func(p picture) error {
		col := p.column(p.xAt(at(d)))
		if n := countPixels(col, isSeriesColor) + countPixels(col, isBreachColor); n > 0 {
			return fmt.Errorf("at %s: %d pixels of the metric, want none", d, n)
		}
		return nil
	}
}

// againstAt: the band along the foot of the data area is violet at t:
// the other replay was in ALARM.
func againstAt(d time.Duration) check {
	return func(p picture) error {
		rows := p.bandRows(p.xAt(at(d)))
		if n := countPixels(rows, isAgainstColor); n < len(rows)*3/4 {
			return fmt.Errorf("at %s: %d of %d pixels of the band violet, want the other replay's span", d, n, len(rows))
		}
		return nil
	}
}

// noAgainstAt: nothing of the band at t.
func noAgainstAt(d time.Duration) check {
	return func(p picture) error {
		rows := p.bandRows(p.xAt(at(d)))
		if n := countPixels(rows, isAgainstColor); n > 0 {
			return fmt.Errorf("at %s: %d pixels of the band violet, want none", d, n)
		}
		return nil
	}
}

// noteShown: the "no datapoints" sentence is written in the middle third of the data area.
func noteShown(p picture) error {
	n := 0
	for y := p.area.Min.Y; y < p.area.Max.Y; y++ {
		for x := p.area.Min.X + p.area.Dx()/3; x < p.area.Max.X-p.area.Dx()/3; x++ {
			if isNoteColor(p.rgba(x, y)) {
				n++
			}
		}
	}
	if n < 200 {
		return fmt.Errorf("%d pixels of text in the data area, want the %q note", n, noDataNote)
	}
	return nil
}

// checkChartFile decodes the PNG at path and checks its size in pixels and bytes.
func checkChartFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() < 5<<10 || st.Size() > 300<<10 {
		return fmt.Errorf("%s: %d bytes, want 5 KB to 300 KB", path, st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if b := img.Bounds(); b.Dx() != 10*dpi || b.Dy() != 4*dpi {
		return fmt.Errorf("%s: %d × %d pixels, want %d × %d", path, b.Dx(), b.Dy(), 10*dpi, 4*dpi)
	}
	return nil
}

func TestWrite(t *testing.T) {
	h := time.Hour

	empty := day()
	empty.Alarm = testAlarm("kinesis-monitoring-prod-orders-GetRecordsSuccess-low", "GetRecords.Success",
		300, alarms.LessThanThreshold, 1, alarms.MissingDataBreaching)
	empty.Points = nil
	empty.Result = resultWith(testStart, at(24*h), evaluator.Span{From: at(2 * h), To: at(3 * h)})

	one := day() // the day's result, one datapoint
	one.Points = []evaluator.Point{{Time: at(5 * h), Value: 4}}

	negative := day()
	negative.Alarm = testAlarm("kinesis-monitoring-prod-orders-SomeGauge-low", "Level", 300, alarms.LessThanOrEqualToThreshold, -0.5, alarms.MissingDataNotBreaching)
	negative.Alarm.Namespace, negative.Alarm.Statistic, negative.Alarm.EvaluationPeriods = "Custom/Gauge", "Average", 3
	negative.Points = nil
	for m := 0; m < 24*60; m += 5 {
		negative.Points = append(negative.Points, evaluator.Point{Time: at(time.Duration(m) * time.Minute), Value: math.Cos(float64(m) / 120)})
	}
	negative.Result = resultWith(testStart, at(24*h), evaluator.Span{From: at(-h), To: at(h)}, evaluator.Span{From: at(23 * h), To: at(30 * h)})

	// The day against a replay that was in ALARM from 03:00 to 04:00 too
	// (an incident only it raised) and with the day's spike.
	against := day()
	against.Against = &Against{Label: "deployed", Result: resultWith(testStart, at(24*h),
		evaluator.Span{From: at(3 * h), To: at(4 * h)}, evaluator.Span{From: at(10*h + 5*time.Minute), To: at(10*h + 45*time.Minute)})}

	cases := []struct {
		name   string
		r      Replay
		checks []check
	}{{
		name: "against another replay",
		r:    against,
		checks: []check{
			againstAt(3*h + 30*time.Minute), notShadedAt(3*h + 30*time.Minute),
			againstAt(10*h + 20*time.Minute), shadedAt(10*h + 20*time.Minute),
			noAgainstAt(2 * h), noAgainstAt(18 * h),
			thresholdAt(1), seriesAt(h),
		},
	}, {
		name: "one day with a gap and a spike",
		r:    day(),
		checks: []check{
			shadedAt(10*h + 20*time.Minute),
			notShadedAt(2 * h), notShadedAt(18 * h),
			noAgainstAt(10*h + 20*time.Minute), // no other replay, no band
			thresholdAt(1),
			seriesAt(h), seriesAt(10*h + 20*time.Minute), seriesAt(20 * h),
			noSeriesAt(6 * h), // no data from 15:00 to 17:00: no line across
		},
	}, {
		name: "no datapoints",
		r:    empty,
		checks: []check{
			shadedAt(2*h + 30*time.Minute),
			notShadedAt(h), notShadedAt(12 * h),
			thresholdAt(1),
			noSeriesAt(6 * h), noSeriesAt(12 * h),
			noteShown,
		},
	}, {
		name: "one datapoint",
		r:    one,
		checks: []check{
			shadedAt(10*h + 20*time.Minute), notShadedAt(5 * h),
			thresholdAt(1),
			seriesAt(5 * h), noSeriesAt(4 * h), noSeriesAt(6 * h),
		},
	}, {
		name: "negative values, spans over the window's edges",
		r:    negative,
		checks: []check{
			shadedAt(10 * time.Minute), shadedAt(23*h + 50*time.Minute),
			notShadedAt(2 * h), notShadedAt(12 * h),
			thresholdAt(-0.5),
			seriesAt(3 * h),
		},
	}, {
		name: "14 days of one-minute data",
		r:    fortnight(),
		checks: []check{
			shadedAt(12*h + 17*time.Minute), shadedAt(3*24*h + 12*h + 17*time.Minute),
			notShadedAt(24*h + 12*h + 17*time.Minute), notShadedAt(5 * 24 * h),
			thresholdAt(2.2e6),
			seriesAt(h), seriesAt(7 * 24 * h),
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chart.png")
			if err := Write(path, tc.r); err != nil {
				t.Fatal(err)
			}
			if err := checkChartFile(path); err != nil {
				t.Error(err)
			}
			if *chartDir != "" {
				name := strings.NewReplacer(" ", "-", ",", "", "'", "").Replace(tc.name) + ".png"
				if err := Write(filepath.Join(*chartDir, name), tc.r); err != nil {
					t.Error(err)
				}
			}
			p := renderPicture(t, tc.r)
			for _, check := range tc.checks {
				if err := check(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestChecksFail shows that each kind of check reports a picture that
// lacks what it looks for.
func TestChecksFail(t *testing.T) {
	h := time.Hour
	noSpans := day()
	noSpans.Result = resultWith(testStart, at(24*h))
	against := day()
	against.Against = &Against{Label: "deployed", Result: resultWith(testStart, at(24*h), evaluator.Span{From: at(3 * h), To: at(4 * h)})}

	tiny := filepath.Join(t.TempDir(), "tiny.png")
	f, err := os.Create(tiny)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewRGBA(image.Rect(0, 0, 10, 10))); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := checkChartFile(tiny); err == nil {
		t.Error("checkChartFile passes a 10 × 10 PNG")
	}

	cases := []struct {
		name  string
		r     Replay
		check check
	}{
		{"shaded where there are no spans", noSpans, shadedAt(10*h + 20*time.Minute)},
		{"not shaded inside a span", day(), notShadedAt(10*h + 20*time.Minute)},
		{"threshold on another value's row", day(), thresholdAt(3)},
		{"metric in the gap", day(), seriesAt(6 * h)},
		{"no metric where there is data", day(), noSeriesAt(h)},
		{"note where there are datapoints", day(), noteShown},
		{"the other replay's band without one", day(), againstAt(10*h + 20*time.Minute)},
		{"no band inside the other replay's span", against, noAgainstAt(3*h + 30*time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.check(renderPicture(t, tc.r)); err == nil {
				t.Error("the check passes")
			}
		})
	}
}

func TestWriteRejects(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name   string
		change func(*Replay)
		path   string
		want   string
	}{
		{"window backwards", func(r *Replay) { r.Result.End = r.Result.Start.Add(-time.Hour) }, "", "before it starts"},
		{"empty window", func(r *Replay) { r.Result.End = r.Result.Start }, "", "before it starts"},
		{"no period", func(r *Replay) { r.Alarm.Period = 0 }, "", "period 0 s is not positive"},
		{"unknown comparison", func(r *Replay) { r.Alarm.Comparison = "LessThanLowerOrGreaterThanUpperThreshold" }, "",
			`comparison "LessThanLowerOrGreaterThanUpperThreshold" is not one of`},
		{"threshold NaN", func(r *Replay) { r.Alarm.Threshold = math.NaN() }, "", "threshold NaN is not a finite number"},
		{"no parent directory", func(*Replay) {}, filepath.Join(dir, "missing", "chart.png"), "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := day()
			tc.change(&r)
			path := tc.path
			if path == "" {
				path = filepath.Join(dir, "chart.png")
			}
			err := Write(path, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	r := fortnight()
	path := filepath.Join(b.TempDir(), "chart.png")
	for b.Loop() {
		if err := Write(path, r); err != nil {
			b.Fatal(err)
		}
	}
}
