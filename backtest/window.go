package backtest

import (
	"fmt"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// Window is the span the alarms are replayed over: evaluations at every
// period boundary in (Start, End].
type Window struct {
	Start, End time.Time
}

// Retention is how far back CloudWatch keeps datapoints at a period
// (CloudWatch User Guide, "Metrics retention"; GetMetricData, StartTime):
// under a minute, 3 hours; a minute, 15 days; five minutes, 63 days; an
// hour, 455 days. A period is served at the coarsest of these it is a
// multiple of.
func Retention(period int) time.Duration {
	const day = 24 * time.Hour
	switch {
	case period < 60:
		return 3 * time.Hour
	case period%3600 == 0:
		return 455 * day
	case period%300 == 0:
		return 63 * day
	}
	return 15 * day
}

// A WindowError is a window that cannot be replayed: what is wrong with it
// and the values that show it. Its message names no flag; the command says
// which of its flags set the window.
type WindowError struct {
	Problem WindowProblem
	Window  Window
	Now     time.Time
	// For WindowBeforeRetention: the alarm, its period in seconds, and the
	// oldest time CloudWatch keeps data at that period.
	Alarm  string
	Period int
	Oldest time.Time
}

// WindowProblem is what is wrong with a window.
type WindowProblem int

const (
	// WindowEmpty: the end is not after the start.
	WindowEmpty WindowProblem = iota + 1
	// WindowInFuture: the end is after now.
	WindowInFuture
	// WindowBeforeRetention: the start is before CloudWatch keeps the data
	// at some alarm's period (Retention).
	WindowBeforeRetention
)

func (e *WindowError) Error() string {
	switch e.Problem {
	case WindowEmpty:
		return fmt.Sprintf("the window is empty: its end %s is not after its start %s", stamp(e.Window.End), stamp(e.Window.Start))
	case WindowInFuture:
		return fmt.Sprintf("the window ends in the future: its end %s is after now (%s)", stamp(e.Window.End), stamp(e.Now))
	}
	return fmt.Sprintf("the window starts %s, before CloudWatch keeps data at the period of alarm %s (%d s: %s back, so from %s)",
		stamp(e.Window.Start), e.Alarm, e.Period, days(Retention(e.Period)), stamp(e.Oldest))
}

// Check says what is wrong with the window for these alarms at now, as a
// *WindowError: a window of no length or an end before the start, one that
// ends in the future, or one that starts before CloudWatch keeps the data of
// some alarm's period.
func (w Window) Check(now time.Time, list []alarms.Alarm) error {
	switch {
	case !w.End.After(w.Start):
		return &WindowError{Problem: WindowEmpty, Window: w, Now: now}
	case w.End.After(now):
		return &WindowError{Problem: WindowInFuture, Window: w, Now: now}
	}
	for _, a := range list {
		if oldest := now.Add(-Retention(a.Period)); w.Start.Before(oldest) {
			return &WindowError{Problem: WindowBeforeRetention, Window: w, Now: now, Alarm: a.Name, Period: a.Period, Oldest: oldest}
		}
	}
	return nil
}

// fetchStart is when the datapoints must start for every alarm to have its
// full evaluation range at the first evaluation, but not before CloudWatch
// keeps them; clipped is true when that cut some alarm's history short.
func (w Window) fetchStart(now time.Time, list []alarms.Alarm) (start time.Time, clipped []string) {
	start = w.Start
	for _, a := range list {
		want := w.Start.Add(-evaluator.History(a))
		oldest := now.Add(-Retention(a.Period))
		if want.Before(oldest) {
			want = oldest
			clipped = append(clipped, a.Name)
		}
		if want.Before(start) {
			start = want
		}
	}
	// Whole minutes, as CloudWatch rounds a start time anyway.
	return start.Truncate(time.Minute), clipped
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func days(d time.Duration) string {
	if d < 24*time.Hour {
		return fmt.Sprintf("%g hours", d.Hours())
	}
	return fmt.Sprintf("%g days", d.Hours()/24)
}
