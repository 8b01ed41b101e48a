package backtest

import (
	"fmt"
	"io"
	"math"

	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

// Report is what a backtest found; its JSON is a public format
// (docs/tuning-alarms.md, "The JSON report").
type Report struct {
	Window WindowJSON    `json:"window"`
	Alarms []AlarmReport `json:"alarms"`
}

// WindowJSON is the replayed window, in RFC 3339.
type WindowJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// AlarmReport is one alarm's replay.
type AlarmReport struct {
	Stack             string            `json:"stack"`
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	Metric            string            `json:"metric"`
	Dimensions        map[string]string `json:"dimensions"`
	Statistic         string            `json:"statistic"`
	Period            int               `json:"period"`
	EvaluationPeriods int               `json:"evaluationPeriods"`
	DatapointsToAlarm int               `json:"datapointsToAlarm"`
	Comparison        alarms.Comparison `json:"comparison"`
	Threshold         float64           `json:"threshold"`
	TreatMissingData  string            `json:"treatMissingData"`
	// Datapoints is how many periods of the window had data.
	Datapoints     int              `json:"datapoints"`
	FinalState     evaluator.State  `json:"finalState"`
	AlarmCount     int              `json:"alarmCount"`
	MinutesInAlarm float64          `json:"minutesInAlarm"`
	Transitions    []TransitionJSON `json:"transitions"`
	Suggestion     *Suggestion      `json:"suggestion,omitempty"`
	Chart          string           `json:"chart,omitempty"`
}

// TransitionJSON is one change of state.
type TransitionJSON struct {
	Time   time.Time       `json:"time"`
	From   evaluator.State `json:"from"`
	To     evaluator.State `json:"to"`
	Reason string          `json:"reason"`
}

// Suggestion is the least strict threshold at which the alarm would have
// gone to ALARM at most MaxAlarms times in the window (and so would every
// stricter one). Threshold is null when no single value says it: Any when
// every threshold would do, otherwise none would (missing data treated as
// breaching can alarm whatever the threshold).
type Suggestion struct {
	MaxAlarms int      `json:"maxAlarms"`
	Threshold *float64 `json:"threshold"`
	Any       bool     `json:"any"`
}

func newSuggestion(maxAlarms int, threshold float64, ok bool) *Suggestion {
	s := &Suggestion{MaxAlarms: maxAlarms}
	switch {
	case ok && math.IsInf(threshold, 0):
		s.Any = true
	case ok:
		s.Threshold = &threshold
	}
	return s
}

func newAlarmReport(t Target, points []evaluator.Point, result evaluator.Result, w Window) AlarmReport {
	a := t.Alarm
	r := AlarmReport{
		Stack: t.Stack, Name: a.Name, Namespace: a.Namespace, Metric: a.Metric, Dimensions: map[string]string{},
		Statistic: a.Statistic, Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.Datapoints(),
		Comparison: a.Comparison, Threshold: a.Threshold, TreatMissingData: a.TreatMissingData,
		FinalState: result.Final, AlarmCount: result.AlarmCount, MinutesInAlarm: result.TimeInAlarm.Minutes(),
		Transitions: []TransitionJSON{},
	}
	for _, d := range a.Dimensions {
		r.Dimensions[d.Name] = d.Value
	}
	for _, p := range points {
		if !p.Time.Before(w.Start) && p.Time.Before(w.End) {
			r.Datapoints++
		}
	}
	for _, tr := range result.Transitions {
		r.Transitions = append(r.Transitions, TransitionJSON{Time: tr.Time.UTC(), From: tr.From, To: tr.To, Reason: tr.Reason})
	}
	return r
}

// WriteTable writes the report as a table, one row per alarm.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	suggest := slices.ContainsFunc(r.Alarms, func(a AlarmReport) bool { return a.Suggestion != nil })
	header := []string{"STACK", "ALARM", "TIMES IN ALARM", "MINUTES IN ALARM", "FIRST TRANSITION", "LAST TRANSITION", "FINAL STATE", "DATAPOINTS"}
	if suggest {
		header = append(header, "SUGGESTED THRESHOLD")
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, a := range r.Alarms {
		row := []string{a.Stack, a.Name, strconv.Itoa(a.AlarmCount), strconv.FormatFloat(a.MinutesInAlarm, 'f', -1, 64),
			transitionText(a.Transitions, 0), transitionText(a.Transitions, len(a.Transitions)-1), a.FinalState.String(), strconv.Itoa(a.Datapoints)}
		if suggest {
			row = append(row, suggestionText(a.Suggestion, a.Comparison))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// WriteJSON writes the report as one line of JSON, the format of
// docs/tuning-alarms.md ("The JSON report"): the exact values, HTML
// characters literal.
func (r Report) WriteJSON(w io.Writer) error {
	data, err := jsontext.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func transitionText(ts []TransitionJSON, i int) string {
	if i < 0 || i >= len(ts) {
		return "-"
	}
	return ts[i].Time.Format("2006-01-02 15:04") + " " + ts[i].To.String()
}

// suggestionText is the suggested threshold as a person would set it (the
// JSON keeps the exact value): rounded to suggestedDigits significant digits
// toward the stricter side, so that it keeps the suggestion's promise.
func suggestionText(s *Suggestion, c alarms.Comparison) string {
	switch {
	case s == nil:
		return ""
	case s.Any:
		return "any"
	case s.Threshold == nil:
		return "none"
	}
	return strconv.FormatFloat(stricterShort(*s.Threshold, c.Greater()), 'f', -1, 64)
}

// suggestedDigits are the significant digits of a suggested threshold in
// the table.
const suggestedDigits = 3

// stricterShort is v with at most suggestedDigits significant digits,
// rounded toward the stricter side: up when higher is stricter (greater),
// down otherwise. The suggestion is the least strict threshold that, with
// every stricter one, keeps within the limit; a rounding toward the less
// strict side could break that. A v that is short already stays as it is.
func stricterShort(v float64, greater bool) float64 {
	text := strconv.FormatFloat(v, 'e', suggestedDigits-1, 64) // the nearest, as "9.56e+02"
	nearest, _ := strconv.ParseFloat(text, 64)
	if nearest == v || (nearest > v) == greater {
		return nearest
	}
	// One unit in the last digit toward the stricter side: the digits as
	// an integer m and its power of ten e.
	mantissa, exponent, _ := strings.Cut(text, "e")
	m, _ := strconv.Atoi(strings.Replace(mantissa, ".", "", 1))
	e, _ := strconv.Atoi(exponent)
	e -= suggestedDigits - 1
	if greater {
		m++
	} else {
		m--
	}
	if low := int(math.Pow10(suggestedDigits - 1)); m == low-1 || m == 1-low {
		// 100 stepped to 99 lost a digit: 999 of the decade below is tighter.
		m, e = m*10+m/(low-1)*9, e-1
	}
	r, _ := strconv.ParseFloat(fmt.Sprintf("%de%d", m, e), 64)
	return r
}

// Over lists the alarms that went to ALARM more than max times.
func (r Report) Over(max int) []string {
	var over []string
	for _, a := range r.Alarms {
		if a.AlarmCount > max {
			over = append(over, fmt.Sprintf("%s/%s (%d times)", a.Stack, a.Name, a.AlarmCount))
		}
	}
	return over
}
