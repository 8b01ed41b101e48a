package backtest

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

// The table prints a suggested threshold as a person would set it: at most
// three significant digits, rounded toward the stricter side (up when higher
// is stricter), so that it and every stricter threshold keep the promise; a
// value that is short already prints as it is.
func TestSuggestedThresholdAsAPersonSetsIt(t *testing.T) {
	gt, ge := alarms.GreaterThanThreshold, alarms.GreaterThanOrEqualToThreshold
	lt, le := alarms.LessThanThreshold, alarms.LessThanOrEqualToThreshold
	for _, c := range []struct {
		exact float64
		op    alarms.Comparison
		want  string
	}{
		{956.2737808409977, gt, "957"},
		{956.2737808409977, lt, "956"},
		{0.0123456, gt, "0.0124"},
		{0.0123456, lt, "0.0123"},
		{0.9876, lt, "0.987"},
		{0.9876, gt, "0.988"},
		{0.01, gt, "0.01"},
		{0.01, lt, "0.01"},
		{1, gt, "1"},
		{5, le, "5"},
		{0, gt, "0"},
		{0.07, gt, "0.07"}, // 0.07 × 100 is 7.000000000000001 in floating point
		{43200000, gt, "43200000"},
		{43210987, gt, "43300000"},
		{math.Nextafter(4, math.Inf(1)), ge, "4.01"}, // ≥ a hair above 4: the 4s do not breach
		{math.Nextafter(5, math.Inf(-1)), le, "4.99"},
		{999.5, gt, "1000"},
		{0.09996, lt, "0.0999"}, // not 0.099: a digit is not lost
		{-0.09996, gt, "-0.0999"},
		{-0.5123, gt, "-0.512"},
		{-0.5123, lt, "-0.513"},
		{1.234567e-7, gt, "0.000000124"},
	} {
		t.Run(strconv.FormatFloat(c.exact, 'g', -1, 64)+" "+string(c.op), func(t *testing.T) {
			got := suggestionText(&Suggestion{Threshold: &c.exact}, c.op)
			if got != c.want {
				t.Errorf("printed %s, want %s", got, c.want)
			}
			printed, err := strconv.ParseFloat(got, 64)
			if err != nil || !keepsThePromise(printed, c.exact, c.op) || significantDigits(printed) > suggestedDigits {
				t.Errorf("printed %s: at least as strict as %v under %s, at most %d significant digits: %v, %d digits",
					got, c.exact, c.op, suggestedDigits, keepsThePromise(printed, c.exact, c.op), significantDigits(printed))
			}
		})
	}
	// The check can fail: the nearest short value is on the less strict side
	// here, and breaks the promise.
	for _, c := range []struct {
		nearest, exact float64
		op             alarms.Comparison
	}{
		{956, 956.2737808409977, gt}, {0.988, 0.9876, lt}, {4, math.Nextafter(4, math.Inf(1)), ge},
	} {
		if keepsThePromise(c.nearest, c.exact, c.op) {
			t.Errorf("%v for %v under %s is accepted, though it is less strict", c.nearest, c.exact, c.op)
		}
	}
}

// keepsThePromise says whether the printed threshold is at least as strict
// as the exact suggestion: every such threshold goes to ALARM at most the
// suggestion's N times.
func keepsThePromise(printed, exact float64, op alarms.Comparison) bool {
	if op.Greater() {
		return printed >= exact
	}
	return printed <= exact
}

func significantDigits(v float64) int {
	mantissa, _, _ := strings.Cut(strconv.FormatFloat(math.Abs(v), 'e', -1, 64), "e")
	return len(strings.Replace(mantissa, ".", "", 1))
}

// Replayed at the threshold the table prints, the alarm keeps within the
// limit it was suggested for; at the nearest short value, less strict, it
// would not.
func TestPrintedSuggestionKeepsItsPromise(t *testing.T) {
	w := Window{Start: t0, End: minutes(60)}
	for _, c := range []struct {
		op            alarms.Comparison
		calm, peak    float64 // every minute is calm, but minute 30
		printed, near string
	}{
		{alarms.GreaterThanThreshold, 0, 956.2737808409977, "957", "956"},
		{alarms.LessThanThreshold, 5, 0.9876, "0.987", "0.988"},
	} {
		t.Run(string(c.op), func(t *testing.T) {
			a := specAlarm
			a.Comparison = c.op
			var points []evaluator.Point
			for m := -5; m < 60; m++ {
				v := c.calm
				if m == 30 {
					v = c.peak
				}
				points = append(points, evaluator.Point{Time: minutes(m), Value: v})
			}
			reports, err := Replay([]Target{{Stack: "st", Alarm: a}}, [][]evaluator.Point{points}, Options{Window: w, Suggest: 0})
			if err != nil {
				t.Fatal(err)
			}
			var table strings.Builder
			if err := (Report{Alarms: reports}).WriteTable(&table); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(table.String()), "\n")
			row := strings.Fields(lines[len(lines)-1])
			printed := row[len(row)-1]
			if printed != c.printed {
				t.Errorf("the table suggests %s, want %s:\n%s", printed, c.printed, table.String())
			}
			for _, threshold := range []struct {
				text string
				want int // times in ALARM
			}{{printed, 0}, {c.near, 1}} {
				a.Threshold, _ = strconv.ParseFloat(threshold.text, 64)
				if got := evaluator.Evaluate(a, points, w.Start, w.End).AlarmCount; got != threshold.want {
					t.Errorf("replayed at %s: %d times in ALARM, want %d", threshold.text, got, threshold.want)
				}
			}
		})
	}
}

// WriteJSON writes the report as one line of JSON with the exact suggestion,
// byte for byte what --json wrote before it (jsontext.Marshal and a newline).
func TestWriteJSON(t *testing.T) {
	threshold := 956.2737808409977
	r := Report{Window: WindowJSON{Start: t0, End: minutes(60)}, Alarms: []AlarmReport{{
		Stack: "st", Name: "a&b<c>", Comparison: alarms.GreaterThanThreshold, Transitions: []TransitionJSON{},
		Suggestion: &Suggestion{MaxAlarms: 0, Threshold: &threshold},
	}}}
	var got bytes.Buffer
	if err := r.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	before, err := jsontext.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(before, '\n'); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteJSON wrote\n%s\nwant\n%s", got.Bytes(), want)
	}
	for _, s := range []string{`"name":"a&b<c>"`, `"suggestion":{"maxAlarms":0,"threshold":956.2737808409977,"any":false}`} {
		if !strings.Contains(got.String(), s) {
			t.Errorf("the JSON lacks %s:\n%s", s, got.String())
		}
	}
	if strings.Count(got.String(), "\n") != 1 || !strings.HasSuffix(got.String(), "}\n") {
		t.Errorf("not one line ending in a newline: %q", got.String())
	}
}
