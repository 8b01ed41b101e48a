package backtest

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
)

// chartDir keeps the test charts to look at:
// go test ./backtest -run TestWriteChart -chart-dir /tmp/charts
var chartDir = flag.String("chart-dir", "", "also write TestWriteChart's charts into this directory")

var chartTestStart = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// chartAt is a time in the test windows: chartTestStart plus d.
func chartAt(d time.Duration) time.Time { return chartTestStart.Add(d) }

// chartDay is one day of five-minute data: a calm wave, no data from 15:00
// to 17:00, a spike over the threshold from 20:00 to 20:40 and ALARM from
// 20:00 to 20:45.
func chartDay() ChartData {
	var samples []Sample
	for m := 0; m < 24*60; m += 5 {
		at := time.Duration(m) * time.Minute
		if at >= 5*time.Hour && at < 7*time.Hour {
			continue
		}
		v := 0.3 + 0.3*math.Sin(float64(m)/50)
		if at >= 10*time.Hour && at < 10*time.Hour+40*time.Minute {
			v = 3 + float64(m-600)/10
		}
		samples = append(samples, Sample{Time: chartAt(at), Value: v})
	}
	return ChartData{
		Title:      "kinesis-monitoring-prod-orders-WriteProvisionedThroughputExceeded",
		Subtitle:   "AWS/Kinesis WriteProvisionedThroughputExceeded, Sum per 300 s; ALARM when > 1 for 1 of 1 periods; missing data: notBreaching",
		Samples:    samples,
		Period:     5 * time.Minute,
		Threshold:  1,
		Comparison: "GreaterThanThreshold",
		Start:      chartTestStart,
		End:        chartAt(24 * time.Hour),
		InAlarm:    []Interval{{From: chartAt(10 * time.Hour), To: chartAt(10*time.Hour + 45*time.Minute)}},
	}
}

// chartFortnight is 14 days of one-minute data (20,160 datapoints) with a
// daily peak over the threshold at 22:00 and ALARM for 35 minutes from then
// every third day.
func chartFortnight() ChartData {
	samples := make([]Sample, 0, 14*24*60)
	for m := 0; m < 14*24*60; m++ {
		v := 1e6 + 4e5*math.Sin(float64(m)/700) + 1e5*math.Sin(float64(m)/13)
		if m%1440 >= 720 && m%1440 < 760 {
			v += 1.5e6
		}
		samples = append(samples, Sample{Time: chartAt(time.Duration(m) * time.Minute), Value: v})
	}
	var spans []Interval
	for day := 0; day < 14; day += 3 {
		from := chartAt(time.Duration(day*1440+720) * time.Minute)
		spans = append(spans, Interval{From: from, To: from.Add(35 * time.Minute)})
	}
	return ChartData{
		Title:      "kinesis-monitoring-prod-orders-IncomingBytes-high",
		Subtitle:   "AWS/Kinesis IncomingBytes, Sum per 60 s; ALARM when ≥ 2200000 for 1 of 1 periods; missing data: notBreaching",
		Samples:    samples,
		Period:     time.Minute,
		Threshold:  2.2e6,
		Comparison: "GreaterThanOrEqualToThreshold",
		Start:      chartTestStart,
		End:        chartAt(14 * 24 * time.Hour),
		InAlarm:    spans,
	}
}

// chartPicture is a rendered chart with the mapping from data to pixels.
type chartPicture struct {
	img    image.Image
	area   image.Rectangle
	d      ChartData
	lo, hi float64
}

func renderChartPicture(t testing.TB, d ChartData) chartPicture {
	t.Helper()
	img, area, err := renderChart(d)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := chartYRange(d)
	return chartPicture{img: img, area: area, d: d, lo: lo, hi: hi}
}

// xAt is the pixel column of a time.
func (p chartPicture) xAt(t time.Time) int {
	f := float64(t.Sub(p.d.Start)) / float64(p.d.End.Sub(p.d.Start))
	return p.area.Min.X + int(math.Round(f*float64(p.area.Dx())))
}

// yAt is the pixel row of a value.
func (p chartPicture) yAt(v float64) int {
	f := (v - p.lo) / (p.hi - p.lo)
	return p.area.Max.Y - int(math.Round(f*float64(p.area.Dy())))
}

// column is the data area's pixels at x, below the ALARM strip along the top.
func (p chartPicture) column(x int) []color.RGBA {
	strip := int(math.Ceil(float64(chartSpanStripSize)*chartDPI/72)) + 2
	var out []color.RGBA
	for y := p.area.Min.Y + strip; y < p.area.Max.Y-1; y++ {
		out = append(out, color.RGBAModel.Convert(p.img.At(x, y)).(color.RGBA))
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

// A chartCheck looks at one thing in the picture and says what is wrong.
type chartCheck func(p chartPicture) error

// shadedAt: the background of the column at t (what the metric and the
// threshold leave of it) is the ALARM shade.
func shadedAt(at time.Duration) chartCheck {
	return func(p chartPicture) error {
		col := p.column(p.xAt(chartAt(at)))
		shaded, plain := countPixels(col, isAlarmShade), countPixels(col, isPlainBackground)
		if shaded < len(col)/4 || shaded < (shaded+plain)*9/10 {
			return fmt.Errorf("at %s: %d pixels in the ALARM shade, %d plain, of %d; want the background shaded", at, shaded, plain, len(col))
		}
		return nil
	}
}

// notShadedAt: the background of the column at t has no ALARM shade, and
// there is no strip along the top.
func notShadedAt(at time.Duration) chartCheck {
	return func(p chartPicture) error {
		x := p.xAt(chartAt(at))
		col := p.column(x)
		shaded, plain := countPixels(col, isAlarmShade), countPixels(col, isPlainBackground)
		if plain < len(col)/4 || shaded > (shaded+plain)/20 {
			return fmt.Errorf("at %s: %d pixels in the ALARM shade, %d plain, of %d; want the background plain", at, shaded, plain, len(col))
		}
		top := color.RGBAModel.Convert(p.img.At(x, p.area.Min.Y+3)).(color.RGBA)
		if isBreachColor(top) {
			return fmt.Errorf("at %s: the ALARM strip (%v) along the top", at, top)
		}
		return nil
	}
}

// thresholdAt: the threshold's colour runs along the row of value v for
// most of the width (the line is dashed).
func thresholdAt(v float64) chartCheck {
	return func(p chartPicture) error {
		y := p.yAt(v)
		best := 0
		for dy := -1; dy <= 1; dy++ {
			n := 0
			for x := p.area.Min.X; x < p.area.Max.X; x++ {
				if isThresholdColor(color.RGBAModel.Convert(p.img.At(x, y+dy)).(color.RGBA)) {
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
func seriesAt(at time.Duration) chartCheck {
	return func(p chartPicture) error {
		col := p.column(p.xAt(chartAt(at)))
		if countPixels(col, isSeriesColor)+countPixels(col, isBreachColor) == 0 {
			return fmt.Errorf("at %s: no pixel of the metric", at)
		}
		return nil
	}
}

// noSeriesAt: the column at t has nothing of the metric.
func noSeriesAt(at time.Duration) chartCheck {
	return func(p chartPicture) error {
		col := p.column(p.xAt(chartAt(at)))
		if n := countPixels(col, isSeriesColor) + countPixels(col, isBreachColor); n > 0 {
			return fmt.Errorf("at %s: %d pixels of the metric, want none", at, n)
		}
		return nil
	}
}

// noteShown: the "no datapoints" sentence is written in the middle third of the data area.
func noteShown(p chartPicture) error {
	n := 0
	for y := p.area.Min.Y; y < p.area.Max.Y; y++ {
		for x := p.area.Min.X + p.area.Dx()/3; x < p.area.Max.X-p.area.Dx()/3; x++ {
			if isNoteColor(color.RGBAModel.Convert(p.img.At(x, y)).(color.RGBA)) {
				n++
			}
		}
	}
	if n < 200 {
		return fmt.Errorf("%d pixels of text in the data area, want the %q note", n, chartNoDataNote)
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
	if b := img.Bounds(); b.Dx() != 10*chartDPI || b.Dy() != 4*chartDPI {
		return fmt.Errorf("%s: %d × %d pixels, want %d × %d", path, b.Dx(), b.Dy(), 10*chartDPI, 4*chartDPI)
	}
	return nil
}

func TestWriteChart(t *testing.T) {
	day := chartDay()

	empty := chartDay()
	empty.Samples = nil
	empty.Title = "kinesis-monitoring-prod-orders-GetRecordsSuccess-low"
	empty.Subtitle = "AWS/Kinesis GetRecords.Success, Sum per 300 s; ALARM when < 1 for 1 of 1 periods; missing data: breaching"
	empty.Comparison = "LessThanThreshold"
	empty.InAlarm = []Interval{{From: chartAt(2 * time.Hour), To: chartAt(3 * time.Hour)}}

	one := chartDay()
	one.Samples = []Sample{{Time: chartAt(5 * time.Hour), Value: 4}}

	negative := chartDay()
	negative.Title = "kinesis-monitoring-prod-orders-SomeGauge-low"
	negative.Subtitle = "Custom/Gauge Level, Average per 300 s; ALARM when ≤ -0.5 for 3 of 3 periods; missing data: notBreaching"
	negative.Comparison = "LessThanOrEqualToThreshold"
	negative.Threshold = -0.5
	negative.Samples = nil
	for m := 0; m < 24*60; m += 5 {
		negative.Samples = append(negative.Samples, Sample{Time: chartAt(time.Duration(m) * time.Minute), Value: math.Cos(float64(m) / 120)})
	}
	negative.InAlarm = []Interval{{From: chartAt(-time.Hour), To: chartAt(time.Hour)}, {From: chartAt(23 * time.Hour), To: chartAt(30 * time.Hour)}}

	cases := []struct {
		name   string
		d      ChartData
		checks []chartCheck
	}{{
		name: "one day with a gap and a spike",
		d:    day,
		checks: []chartCheck{
			shadedAt(10*time.Hour + 20*time.Minute),
			notShadedAt(2 * time.Hour), notShadedAt(18 * time.Hour),
			thresholdAt(1),
			seriesAt(time.Hour), seriesAt(10*time.Hour + 20*time.Minute), seriesAt(20 * time.Hour),
			noSeriesAt(6 * time.Hour), // no data from 15:00 to 17:00: no line across
		},
	}, {
		name: "no samples",
		d:    empty,
		checks: []chartCheck{
			shadedAt(2*time.Hour + 30*time.Minute),
			notShadedAt(time.Hour), notShadedAt(12 * time.Hour),
			thresholdAt(1),
			noSeriesAt(6 * time.Hour), noSeriesAt(12 * time.Hour),
			noteShown,
		},
	}, {
		name: "one sample",
		d:    one,
		checks: []chartCheck{
			shadedAt(10*time.Hour + 20*time.Minute), notShadedAt(5 * time.Hour),
			thresholdAt(1),
			seriesAt(5 * time.Hour), noSeriesAt(4 * time.Hour), noSeriesAt(6 * time.Hour),
		},
	}, {
		name: "negative values, spans over the window's edges",
		d:    negative,
		checks: []chartCheck{
			shadedAt(10 * time.Minute), shadedAt(23*time.Hour + 50*time.Minute),
			notShadedAt(2 * time.Hour), notShadedAt(12 * time.Hour),
			thresholdAt(-0.5),
			seriesAt(3 * time.Hour),
		},
	}, {
		name: "14 days of one-minute data",
		d:    chartFortnight(),
		checks: []chartCheck{
			shadedAt(12*time.Hour + 17*time.Minute), shadedAt(3*24*time.Hour + 12*time.Hour + 17*time.Minute),
			notShadedAt(24*time.Hour + 12*time.Hour + 17*time.Minute), notShadedAt(5 * 24 * time.Hour),
			thresholdAt(2.2e6),
			seriesAt(time.Hour), seriesAt(7 * 24 * time.Hour),
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chart.png")
			if err := WriteChart(path, tc.d); err != nil {
				t.Fatal(err)
			}
			if err := checkChartFile(path); err != nil {
				t.Error(err)
			}
			if *chartDir != "" {
				name := strings.NewReplacer(" ", "-", ",", "", "'", "").Replace(tc.name) + ".png"
				if err := WriteChart(filepath.Join(*chartDir, name), tc.d); err != nil {
					t.Error(err)
				}
			}
			p := renderChartPicture(t, tc.d)
			for _, check := range tc.checks {
				if err := check(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestChartChecksFail shows that each kind of check reports a picture that
// lacks what it looks for.
func TestChartChecksFail(t *testing.T) {
	day := chartDay()
	noSpans := chartDay()
	noSpans.InAlarm = nil

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
		d     ChartData
		check chartCheck
	}{
		{"shaded where there are no spans", noSpans, shadedAt(10*time.Hour + 20*time.Minute)},
		{"not shaded inside a span", day, notShadedAt(10*time.Hour + 20*time.Minute)},
		{"threshold on another value's row", day, thresholdAt(3)},
		{"metric in the gap", day, seriesAt(6 * time.Hour)},
		{"no metric where there is data", day, noSeriesAt(time.Hour)},
		{"note where there are samples", day, noteShown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.check(renderChartPicture(t, tc.d)); err == nil {
				t.Error("the check passes")
			}
		})
	}
}

func TestWriteChartRejects(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name   string
		change func(*ChartData)
		path   string
		want   string
	}{
		{"window backwards", func(d *ChartData) { d.End = d.Start.Add(-time.Hour) }, "", "before it starts"},
		{"empty window", func(d *ChartData) { d.End = d.Start }, "", "before it starts"},
		{"no period", func(d *ChartData) { d.Period = 0 }, "", "period"},
		{"unknown comparison", func(d *ChartData) { d.Comparison = "LessThanLowerOrGreaterThanUpperThreshold" }, "", "unknown comparison"},
		{"threshold NaN", func(d *ChartData) { d.Threshold = math.NaN() }, "", "threshold"},
		{"no parent directory", func(*ChartData) {}, filepath.Join(dir, "missing", "chart.png"), "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := chartDay()
			tc.change(&d)
			path := tc.path
			if path == "" {
				path = filepath.Join(dir, "chart.png")
			}
			err := WriteChart(path, d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteChart = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestChartTimeTicks(t *testing.T) {
	cases := []struct {
		name   string
		window time.Duration
		start  time.Time
		want   []string // the major tick labels
	}{
		{"3 hours", 3 * time.Hour, chartAt(7 * time.Minute), []string{"10:15", "10:30", "10:45", "11:00", "11:15", "11:30", "11:45", "12:00", "12:15", "12:30", "12:45", "13:00"}},
		{"1 day", 24 * time.Hour, chartTestStart, []string{"10:00", "12:00", "14:00", "16:00", "18:00", "20:00", "22:00", "00:00", "02:00", "04:00", "06:00", "08:00", "10:00"}},
		{"14 days", 14 * 24 * time.Hour, chartTestStart, []string{"Mar 3 00:00", "Mar 5 00:00", "Mar 7 00:00", "Mar 9 00:00", "Mar 11 00:00", "Mar 13 00:00", "Mar 15 00:00"}},
		{"90 days", 90 * 24 * time.Hour, chartTestStart, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			end := tc.start.Add(tc.window)
			var labels []string
			for _, tk := range chartTimeTicks(tc.window).Ticks(chartX(tc.start), chartX(end)) {
				if !tk.IsMinor() {
					labels = append(labels, tk.Label)
				}
			}
			if tc.want == nil {
				if len(labels) < 3 || len(labels) > 8 {
					t.Errorf("%d labels %q, want 3 to 8", len(labels), labels)
				}
				return
			}
			if strings.Join(labels, ",") != strings.Join(tc.want, ",") {
				t.Errorf("labels %q\nwant %q", labels, tc.want)
			}
		})
	}
}

func TestChartValueTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string
	}{
		{0, 7.15, "0,2,4,6"},
		{0, 1.1, "0,0.25,0.50,0.75,1.00"},
		{-0.03, 0.08, "-0.025,0,0.025,0.050,0.075"},
		{0, 3.2e6, "0,1M,2M,3M"},
		{0, 12000, "0,2.5k,5.0k,7.5k,10.0k"},
		{5, 6, "5.0,5.2,5.4,5.6,5.8,6.0"},
		{0, 9e9, "0,2G,4G,6G,8G"},
	}
	for _, tc := range cases {
		var labels []string
		for _, tk := range (chartValueTicker{}).Ticks(tc.lo, tc.hi) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, ","); got != tc.want {
			t.Errorf("[%v, %v]: %s, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestChartClipSpans(t *testing.T) {
	h := func(n int) time.Time { return chartAt(time.Duration(n) * time.Hour) }
	got := chartClipSpans([]Interval{
		{h(20), h(30)}, {h(-5), h(1)}, {h(3), h(4)}, {h(2), h(3)}, {h(5), h(5)}, {h(7), h(9)}, {h(8), h(8).Add(time.Hour / 2)},
	}, h(0), h(24))
	want := []Interval{{h(0), h(1)}, {h(2), h(4)}, {h(7), h(9)}, {h(20), h(24)}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("chartClipSpans = %v\nwant %v", got, want)
	}
	if s := chartSpansSummary(want); s != "(4 spans, 9h)" {
		t.Errorf("chartSpansSummary = %q", s)
	}
}

func BenchmarkWriteChart(b *testing.B) {
	d := chartFortnight()
	path := filepath.Join(b.TempDir(), "chart.png")
	for b.Loop() {
		if err := WriteChart(path, d); err != nil {
			b.Fatal(err)
		}
	}
}
