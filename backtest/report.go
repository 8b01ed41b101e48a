package backtest

import (
	"fmt"
	"io"
	"maps"
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
	// Comparison is what Compare found, against the deployed alarms; nil
	// (and absent from the JSON) for Run's report.
	Comparison *Comparison `json:"comparison,omitempty"`
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
	// QueryReport holds what only a query alarm has (its fields follow
	// the others in the JSON); nil for another alarm, whose JSON has none
	// of them. For a query alarm AlarmCount counts every contributor's
	// transitions into ALARM; MinutesInAlarm, Transitions and FinalState
	// are the alarm's own (ALARM while a contributor is); Datapoints
	// counts the periods with data of all its series.
	*QueryReport
}

// QueryReport is what a query alarm's replay adds to its AlarmReport.
type QueryReport struct {
	// Query is the alarm's Metrics Insights query.
	Query string `json:"query"`
	// Series is how many series the query matched and were replayed.
	Series int `json:"series"`
	// Contributors are the series that went to ALARM, in the GROUP BY's
	// order.
	Contributors []ContributorReport `json:"contributors"`
}

// ContributorReport is one contributor that went to ALARM.
type ContributorReport struct {
	Dimensions map[string]string `json:"dimensions"`
	// Datapoints is how many periods of the window had data.
	Datapoints     int              `json:"datapoints"`
	FinalState     evaluator.State  `json:"finalState"`
	AlarmCount     int              `json:"alarmCount"`
	MinutesInAlarm float64          `json:"minutesInAlarm"`
	Transitions    []TransitionJSON `json:"transitions"`
	// Chart is the contributor's picture, with --chart, for the
	// ChartsPerQueryAlarm that went to ALARM the most.
	Chart string `json:"chart,omitempty"`
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

// newQueryReport is the report of a query alarm's replay.
func newQueryReport(t Target, series []evaluator.Series, result evaluator.QueryResult, w Window) AlarmReport {
	r := newAlarmReport(t, nil, result.Result, w)
	r.AlarmCount = result.ContributorAlarms
	r.QueryReport = &QueryReport{Query: t.Alarm.MustExpression(), Series: result.Series, Contributors: []ContributorReport{}}
	period := t.Alarm.PeriodDuration()
	for _, s := range series {
		r.Datapoints += datapointsIn(s, period, w)
	}
	for _, c := range result.Contributors {
		s := series[c.Series]
		cr := ContributorReport{
			Dimensions: map[string]string{}, Datapoints: datapointsIn(s, period, w), FinalState: c.Final,
			AlarmCount: c.AlarmCount, MinutesInAlarm: c.TimeInAlarm.Minutes(), Transitions: transitionsJSON(c.Transitions),
		}
		for _, d := range s.Dimensions {
			cr.Dimensions[d.Name] = d.Value
		}
		r.Contributors = append(r.Contributors, cr)
	}
	return r
}

// datapointsIn is how many periods of the window the series has data for.
func datapointsIn(s evaluator.Series, period time.Duration, w Window) int {
	n := 0
	for i, v := range s.Values {
		at := s.Start.Add(time.Duration(i) * period)
		if !math.IsNaN(v) && !at.Before(w.Start) && at.Before(w.End) {
			n++
		}
	}
	return n
}

func transitionsJSON(ts []evaluator.Transition) []TransitionJSON {
	out := []TransitionJSON{}
	for _, tr := range ts {
		out = append(out, TransitionJSON{Time: tr.Time.UTC(), From: tr.From, To: tr.To, Reason: tr.Reason})
	}
	return out
}

// dimensionsText is dimensions as Name=value, joined with commas.
func dimensionsText(dims []alarms.Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.Name + "=" + d.Value
	}
	return strings.Join(parts, ",")
}

func newAlarmReport(t Target, points []evaluator.Point, result evaluator.Result, w Window) AlarmReport {
	a := t.Alarm
	r := AlarmReport{
		Stack: t.Stack, Name: a.Name, Namespace: a.Namespace, Metric: a.Metric, Dimensions: map[string]string{},
		Statistic: a.Statistic, Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.Datapoints(),
		Comparison: a.Comparison, Threshold: a.Threshold, TreatMissingData: a.TreatMissingData,
		FinalState: result.Final, AlarmCount: result.AlarmCount, MinutesInAlarm: result.TimeInAlarm.Minutes(),
		Transitions: transitionsJSON(result.Transitions),
	}
	for _, d := range a.Dimensions {
		r.Dimensions[d.Name] = d.Value
	}
	for _, p := range points {
		if !p.Time.Before(w.Start) && p.Time.Before(w.End) {
			r.Datapoints++
		}
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
		if a.QueryReport == nil {
			continue
		}
		// One indented row per contributor that went to ALARM.
		for _, c := range a.Contributors {
			row := []string{"", "  " + mapText(c.Dimensions), strconv.Itoa(c.AlarmCount), strconv.FormatFloat(c.MinutesInAlarm, 'f', -1, 64),
				transitionText(c.Transitions, 0), transitionText(c.Transitions, len(c.Transitions)-1), c.FinalState.String(), strconv.Itoa(c.Datapoints)}
			if suggest {
				row = append(row, "")
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	}
	return tw.Flush()
}

// mapText is dimensions as Name=value, by name, joined with commas.
func mapText(dims map[string]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(dims)) {
		parts = append(parts, name+"="+dims[name])
	}
	return strings.Join(parts, ",")
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

// Over lists the alarms that went to ALARM more than max times; a query
// alarm's count is its contributors' transitions into ALARM, all of them.
func (r Report) Over(max int) []string {
	var over []string
	for _, a := range r.Alarms {
		switch {
		case a.AlarmCount <= max:
		case a.QueryReport != nil:
			over = append(over, fmt.Sprintf("%s/%s (%d times, by %d contributors)", a.Stack, a.Name, a.AlarmCount, len(a.Contributors)))
		default:
			over = append(over, fmt.Sprintf("%s/%s (%d times)", a.Stack, a.Name, a.AlarmCount))
		}
	}
	return over
}
