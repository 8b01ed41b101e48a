package backtest

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func minutes(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

var specAlarm = alarms.Alarm{Name: "xfusion-kinesis-alarm", Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded",
	Dimensions: []alarms.Dimension{{Name: "StreamName", Value: "s"}}, Statistic: "Sum", Period: 60, EvaluationPeriods: 1,
	Threshold: 1, Comparison: alarms.GreaterThanThreshold, TreatMissingData: alarms.MissingDataNotBreaching}

// The report of one replay: the table row and the JSON.
func TestReportOfAReplay(t *testing.T) {
	w := Window{Start: t0, End: minutes(60)}
	var points []evaluator.Point
	for m := -5; m < 60; m++ {
		v := 0.0
		if (m >= 10 && m < 13) || m >= 50 {
			v = 5
		}
		points = append(points, evaluator.Point{Time: minutes(m), Value: v})
	}
	reports, err := Replay([]Target{{Stack: "st", Region: "us-east-1", Alarm: specAlarm}}, [][]evaluator.Point{points}, Options{Window: w, Suggest: 0})
	if err != nil {
		t.Fatal(err)
	}
	r := reports[0]
	// Two episodes: minutes 10-12 (ALARM from the boundary 11 to 14) and
	// from minute 50 to the end of the window (ALARM from 51, still at 60).
	if r.AlarmCount != 2 || r.MinutesInAlarm != 3+9 || r.FinalState != evaluator.Alarm || r.Datapoints != 60 {
		t.Errorf("count %d, minutes %v, final %s, datapoints %d; want 2, 12, ALARM, 60", r.AlarmCount, r.MinutesInAlarm, r.FinalState, r.Datapoints)
	}
	if r.Suggestion == nil || r.Suggestion.Threshold == nil || *r.Suggestion.Threshold != 5 {
		t.Errorf("suggestion %+v, want 5: the highest value seen", r.Suggestion)
	}
	var table strings.Builder
	if err := (Report{Alarms: reports}).WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"STACK", "SUGGESTED THRESHOLD", "st", "xfusion-kinesis-alarm", "2026-11-20 00:01 OK", "2026-11-20 00:51 ALARM", " 12 "} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("the table lacks %q:\n%s", s, table.String())
		}
	}
	data, err := json.Marshal(Report{Window: WindowJSON(w), Alarms: reports})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"window":{"start":"2026-11-20T00:00:00Z","end":"2026-11-20T01:00:00Z"}`, `"dimensions":{"StreamName":"s"}`,
		`"finalState":"ALARM"`, `"alarmCount":2`, `"minutesInAlarm":12`, `{"time":"2026-11-20T00:11:00Z","from":"OK","to":"ALARM","reason":`, `"suggestion":{"maxAlarms":0,"threshold":5,"any":false}`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("the JSON lacks %s:\n%s", s, data)
		}
	}
	if got := (Report{Alarms: reports}).Over(1); len(got) != 1 || got[0] != "st/xfusion-kinesis-alarm (2 times)" {
		t.Errorf("Over(1) = %q", got)
	}
	if got := (Report{Alarms: reports}).Over(2); len(got) != 0 {
		t.Errorf("Over(2) = %q, want none: the gate can hold", got)
	}
}

func TestSuggestionForms(t *testing.T) {
	for _, c := range []struct {
		threshold float64
		ok        bool
		want      string
	}{
		{3, true, "3"}, {math.Inf(-1), true, "any"}, {math.Inf(1), true, "any"}, {0, false, "none"},
	} {
		s := newSuggestion(0, c.threshold, c.ok)
		if got := suggestionText(s, alarms.GreaterThanThreshold); got != c.want {
			t.Errorf("%v, %v: %q, want %q", c.threshold, c.ok, got, c.want)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Errorf("%v, %v: not JSON: %v", c.threshold, c.ok, err)
		}
	}
}

// Check refuses a window with a *WindowError that says what is wrong and
// holds the values; its message names no flag (the command's words do).
func TestWindowCheck(t *testing.T) {
	now := minutes(0)
	oneMinute := []alarms.Alarm{specAlarm}
	hourly := specAlarm
	hourly.Name, hourly.Period = "hourly", 3600
	fifteenDays := now.Add(-15 * 24 * time.Hour)
	for _, c := range []struct {
		name string
		w    Window
		list []alarms.Alarm
		want *WindowError // nil when accepted
		text string       // in its message
	}{
		{"14 days of one-minute data", Window{now.Add(-14 * 24 * time.Hour), now}, oneMinute, nil, ""},
		{"the last day CloudWatch keeps", Window{fifteenDays, now}, oneMinute, nil, ""},
		{"beyond it", Window{fifteenDays.Add(-time.Minute), now}, oneMinute,
			&WindowError{Problem: WindowBeforeRetention, Window: Window{fifteenDays.Add(-time.Minute), now}, Now: now, Alarm: "xfusion-kinesis-alarm", Period: 60, Oldest: fifteenDays},
			"the window starts 2026-11-04T23:59:00Z, before CloudWatch keeps data at the period of alarm xfusion-kinesis-alarm (60 s: 15 days back, so from 2026-11-05T00:00:00Z)"},
		{"hourly data goes back 455 days", Window{now.Add(-400 * 24 * time.Hour), now}, []alarms.Alarm{hourly}, nil, ""},
		{"an end before the start", Window{now, now.Add(-time.Hour)}, oneMinute,
			&WindowError{Problem: WindowEmpty, Window: Window{now, now.Add(-time.Hour)}, Now: now},
			"the window is empty: its end 2026-11-19T23:00:00Z is not after its start 2026-11-20T00:00:00Z"},
		{"no length", Window{now, now}, oneMinute, &WindowError{Problem: WindowEmpty, Window: Window{now, now}, Now: now}, "the window is empty"},
		{"the future", Window{now.Add(-time.Hour), now.Add(time.Minute)}, oneMinute,
			&WindowError{Problem: WindowInFuture, Window: Window{now.Add(-time.Hour), now.Add(time.Minute)}, Now: now},
			"the window ends in the future: its end 2026-11-20T00:01:00Z is after now (2026-11-20T00:00:00Z)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.w.Check(now, c.list)
			var got *WindowError
			switch {
			case c.want == nil && err != nil:
				t.Errorf("refused: %v", err)
			case c.want == nil:
			case !errors.As(err, &got):
				t.Errorf("got %v, want a *WindowError", err)
			case !cmp.Equal(got, c.want):
				t.Errorf("(-want +got):\n%s", cmp.Diff(c.want, got))
			case !strings.Contains(got.Error(), c.text) || strings.Contains(got.Error(), "--"):
				t.Errorf("message %q, want one containing %q and no flag", got.Error(), c.text)
			}
		})
	}
	for period, want := range map[int]time.Duration{10: 3 * time.Hour, 60: 15 * 24 * time.Hour, 120: 15 * 24 * time.Hour, 300: 63 * 24 * time.Hour, 900: 63 * 24 * time.Hour, 3600: 455 * 24 * time.Hour} {
		if got := Retention(period); got != want {
			t.Errorf("Retention(%d) = %s, want %s", period, got, want)
		}
	}
}
