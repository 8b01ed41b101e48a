// Package backtest replays a stack's CloudWatch alarms over their metrics'
// history: it finds the series of the query alarms with ListMetrics, reads
// the datapoints with GetMetricData, evaluates each alarm with
// CloudWatch's rules (package evaluator; a query alarm per contributor),
// and reports when each would have gone to ALARM, as a table, as JSON and
// as charts (package chart). Compare replays the alarms as configured and
// as deployed (DescribeDeployed, DeployedAlarm, the names of the stack's
// Terraform state: StateAlarmNames) from one fetch, and reports what the
// change would have done differently.
package backtest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/chart"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// Target is one alarm of one stack, in the stack's region.
type Target struct {
	Stack, Region string
	Alarm         alarms.Alarm
}

// Options are a backtest's settings besides the alarms.
type Options struct {
	Window Window
	// Now is the time the window is checked against (CloudWatch's retention).
	Now time.Time
	// Suggest, when 0 or more, asks for each alarm's threshold at which it
	// would have gone to ALARM at most Suggest times (a query alarm: each
	// of its contributors); -1: none.
	Suggest int
	// ChartDir, when not empty, receives one PNG per alarm, and one per
	// contributor that went to ALARM of a query alarm (at most
	// ChartsPerQueryAlarm).
	ChartDir string
	// Progress, when not nil, gets what the fetch will cost, a line per
	// ListMetrics and GetMetricData request, and notes: some alarm's
	// history cut short, the charts of a query alarm capped, more than
	// alarms.QueryLimit series with data, more than
	// alarms.MaxContributorsInAlarm contributors in ALARM at once.
	Progress io.Writer
}

// ChartsPerQueryAlarm is how many contributors of a query alarm get a
// chart at most: those that went to ALARM the most times (ties in the
// GROUP BY's order). The JSON reports every contributor.
const ChartsPerQueryAlarm = 20

// A ChartError is an alarm's chart that could not be written.
type ChartError struct {
	Stack, Alarm string
	Err          error
}

func (e *ChartError) Error() string {
	return fmt.Sprintf("the chart of alarm %s of %s: %v", e.Alarm, e.Stack, e.Err)
}

func (e *ChartError) Unwrap() error { return e.Err }

// Run replays every target over the window with the client of its region:
// for each region it finds the query alarms' series (ListMetrics), says
// what reading them all will cost, then reads one group of series at a
// time (one metric, statistic and period: each series once, however many
// alarms read it), replays the group's alarms and lets its datapoints go,
// so that the memory held is one group's.
func Run(ctx context.Context, client func(region string) MetricDataAPI, targets []Target, opt Options) (Report, FetchStats, error) {
	return runWith(ctx, client, targets, opt, hooks{})
}

// hooks are what a comparison adds to a run; the zero value adds nothing.
type hooks struct {
	// noChart, when set, says which targets get no chart of their own.
	noChart func(i int) bool
	// replayed, when set, is called after each group's alarms are
	// replayed, while the group's datapoints are held: values as fetch
	// returns them, at[k] the index in the targets of the region's k-th
	// target (a reader's alarm), reports the region's reports so far.
	replayed func(g *group, values [][]float64, at []int, reports []AlarmReport) error
}

// runWith is Run with the hooks.
func runWith(ctx context.Context, client func(region string) MetricDataAPI, targets []Target, opt Options, h hooks) (Report, FetchStats, error) {
	for _, t := range targets {
		if err := evaluator.Check(t.Alarm); err != nil {
			return Report{}, FetchStats{}, fmt.Errorf("alarm %s of %s cannot be replayed: %w", t.Alarm.Name, t.Stack, err)
		}
	}
	report := Report{Window: WindowJSON{Start: opt.Window.Start.UTC(), End: opt.Window.End.UTC()}, Alarms: make([]AlarmReport, len(targets))}
	var total FetchStats
	// One region at a time, in the order the targets name them.
	var regions []string
	byRegion := map[string][]int{}
	for i, t := range targets {
		if _, seen := byRegion[t.Region]; !seen {
			regions = append(regions, t.Region)
		}
		byRegion[t.Region] = append(byRegion[t.Region], i)
	}
	for _, region := range regions {
		at := byRegion[region]
		var sub []Target
		for _, i := range at {
			sub = append(sub, targets[i])
		}
		reports, stats, err := runRegion(ctx, client(region), region, sub, at, opt, h)
		total.add(stats)
		if err != nil {
			var chartErr *ChartError
			if errors.As(err, &chartErr) {
				return Report{}, total, err
			}
			return Report{}, total, fmt.Errorf("reading the metrics in %s: %w", region, err)
		}
		for k, i := range at {
			report.Alarms[i] = reports[k]
		}
	}
	return report, total, nil
}

// runRegion is runWith for the targets of one region, at[k] the index of
// targets[k] in runWith's.
func runRegion(ctx context.Context, api MetricDataAPI, region string, targets []Target, at []int, opt Options, h hooks) ([]AlarmReport, FetchStats, error) {
	var stats FetchStats
	list := make([]alarms.Alarm, len(targets))
	for i, t := range targets {
		list[i] = t.Alarm
	}
	if _, clipped := opt.Window.fetchStart(opt.Now, list); len(clipped) > 0 {
		note(opt.Progress, "CloudWatch no longer keeps the datapoints of the evaluation ranges before the window's start: the first evaluations of %v have part of their evaluation range only", clipped)
	}
	found, err := discover(ctx, api, list, &stats, opt.Progress)
	if err != nil {
		return nil, stats, err
	}
	groups := planGroups(list, found)
	for _, g := range groups {
		var members []alarms.Alarm
		for _, r := range g.readers {
			members = append(members, list[r.alarm])
		}
		start, _ := opt.Window.fetchStart(opt.Now, members)
		g.span(start, opt.Window.End)
	}
	var cost Cost
	reads := batches(groups)
	for _, b := range reads {
		cost.add(b.cost(opt.Now))
	}
	if opt.Progress != nil {
		fmt.Fprintf(opt.Progress, "%s: %s\n", region, cost.words(len(groups)))
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < cost.Least {
			note(opt.Progress, "that is more than the %s left before the timeout", time.Until(deadline).Round(time.Second))
		}
	}
	n := 0
	request := func() string { n++; return strconv.Itoa(n) + " of at least " + strconv.Itoa(cost.Requests) }
	out := make([]AlarmReport, len(targets))
	charted := func(k int) bool { return h.noChart == nil || !h.noChart(at[k]) }
	for _, b := range reads {
		values, err := b.fetch(ctx, api, opt.Window.End, &stats, request, opt.Progress)
		if err != nil {
			return nil, stats, err
		}
		for gi, g := range b {
			if err := replayGroup(g, values[gi], targets, out, opt, charted); err != nil {
				return nil, stats, err
			}
			if h.replayed != nil {
				if err := h.replayed(g, values[gi], at, out); err != nil {
					return nil, stats, err
				}
			}
		}
	}
	return out, stats, nil
}

// words says what reading the series costs, in the progress's words.
func (c Cost) words(groups int) string {
	return fmt.Sprintf("%s series in %d groups of one metric, statistic and period; %s datapoints to read (every period of the window and of the history before it); "+
		"at least %s GetMetricData requests (%d series and %s datapoints a request at most) and %s at CloudWatch's %s datapoints a second for data older than 3 hours",
		thousands(c.Series), groups, thousands(c.Datapoints), thousands(c.Requests), MaxQueriesPerRequest, thousands(MaxDatapointsPerRequest),
		c.Least.Round(precision(c.Least)), thousands(DatapointsPerSecond))
}

// precision is how to round a duration to say it: to the second, to the
// millisecond under a second.
func precision(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Millisecond
	}
	return time.Second
}

// thousands is n with a comma between each three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func note(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "note: "+format+"\n", args...)
	}
}

// replayGroup replays the alarms that read g's series (values, as fetch
// returns them) side by side on every processor, each report into out at
// its alarm's index, and writes the notes after. The alarms that charted
// says no of get no chart.
func replayGroup(g *group, values [][]float64, targets []Target, out []AlarmReport, opt Options, charted func(k int) bool) error {
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	notes := make([][]string, len(g.readers))
	for i, r := range g.readers {
		t := targets[r.alarm]
		opt := opt
		if !charted(r.alarm) {
			opt.ChartDir = ""
		}
		eg.Go(func() error {
			var err error
			if t.Alarm.IsQuery() {
				series := make([]evaluator.Series, len(r.series))
				for j, k := range r.series {
					series[j] = evaluator.Series{Dimensions: g.series[k], Start: g.start, Values: values[k]}
				}
				out[r.alarm], notes[i], err = replayQuery(t, series, opt)
			} else {
				points := evaluator.Series{Start: g.start, Values: values[r.series[0]]}.Points(t.Alarm.PeriodDuration())
				out[r.alarm], err = replayOne(t, points, opt)
			}
			return err
		})
	}
	err := eg.Wait()
	for _, lines := range notes {
		for _, line := range lines {
			note(opt.Progress, "%s", line)
		}
	}
	return err
}

// Replay evaluates each target over the window with its datapoints (points[i]
// for targets[i]), side by side on every processor, and writes the charts
// and suggestions opt asks for. A query alarm is refused: its series are
// many, and Run replays them.
func Replay(targets []Target, points [][]evaluator.Point, opt Options) ([]AlarmReport, error) {
	for _, t := range targets {
		if t.Alarm.IsQuery() {
			return nil, fmt.Errorf("alarm %s of %s is a query alarm: its series are many, and Run replays them", t.Alarm.Name, t.Stack)
		}
	}
	out := make([]AlarmReport, len(targets))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, t := range targets {
		g.Go(func() error {
			var err error
			out[i], err = replayOne(t, points[i], opt)
			return err
		})
	}
	return out, g.Wait()
}

// replayOne replays one alarm that is not a query alarm.
func replayOne(t Target, points []evaluator.Point, opt Options) (AlarmReport, error) {
	result := evaluator.Evaluate(t.Alarm, points, opt.Window.Start, opt.Window.End)
	r := newAlarmReport(t, points, result, opt.Window)
	if opt.Suggest >= 0 {
		threshold, ok := evaluator.SuggestThreshold(t.Alarm, points, opt.Window.Start, opt.Window.End, opt.Suggest)
		r.Suggestion = newSuggestion(opt.Suggest, threshold, ok)
	}
	if opt.ChartDir != "" {
		r.Chart = chartName(t)
		if err := chart.Write(filepath.Join(opt.ChartDir, r.Chart), chart.Replay{Alarm: t.Alarm, Points: points, Result: result}); err != nil {
			return r, &ChartError{Stack: t.Stack, Alarm: t.Alarm.Name, Err: err}
		}
	}
	return r, nil
}

// replayQuery replays a query alarm with its series, and says what the
// progress should note of it.
func replayQuery(t Target, series []evaluator.Series, opt Options) (AlarmReport, []string, error) {
	a, w := t.Alarm, opt.Window
	result := evaluator.EvaluateQuery(a, series, w.Start, w.End)
	r := newQueryReport(t, series, result, w)
	var notes []string
	if result.Limited > 0 {
		notes = append(notes, fmt.Sprintf("alarm %s: at %d evaluations more than %d series had data; ORDER BY and LIMIT chose the %d evaluated, as CloudWatch does (its evaluation state PARTIAL_DATA)",
			a.Name, result.Limited, alarms.QueryLimit, alarms.QueryLimit))
	}
	if result.MostInAlarm > alarms.MaxContributorsInAlarm {
		notes = append(notes, fmt.Sprintf("alarm %s: up to %d contributors were in ALARM at once; CloudWatch holds %d at most",
			a.Name, result.MostInAlarm, alarms.MaxContributorsInAlarm))
	}
	if opt.Suggest >= 0 {
		threshold, ok := evaluator.SuggestQueryThreshold(a, series, w.Start, w.End, opt.Suggest)
		r.Suggestion = newSuggestion(opt.Suggest, threshold, ok)
	}
	if opt.ChartDir == "" {
		return r, notes, nil
	}
	// The contributors that went to ALARM the most, ties in the GROUP BY's
	// order (the order of result.Contributors).
	order := make([]int, len(result.Contributors))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		return cmp.Compare(result.Contributors[y].AlarmCount, result.Contributors[x].AlarmCount)
	})
	if len(order) > ChartsPerQueryAlarm {
		notes = append(notes, fmt.Sprintf("alarm %s: charts for %d of its %d contributors that went to ALARM, those that went the most times (at most %d an alarm); the JSON lists them all",
			a.Name, ChartsPerQueryAlarm, len(order), ChartsPerQueryAlarm))
		order = order[:ChartsPerQueryAlarm]
	}
	for _, i := range order {
		c := result.Contributors[i]
		s := series[c.Series]
		ca := a
		ca.Name = a.Name + " · " + dimensionsText(s.Dimensions)
		ca.Dimensions = s.Dimensions
		name := contributorChartName(t, s.Dimensions)
		if err := chart.Write(filepath.Join(opt.ChartDir, name), chart.Replay{Alarm: ca, Points: s.Points(a.PeriodDuration()), Result: c.Result}); err != nil {
			return r, notes, &ChartError{Stack: t.Stack, Alarm: ca.Name, Err: err}
		}
		r.Contributors[i].Chart = name
	}
	return r, notes, nil
}

var unsafeFileName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// chartName is the alarm's picture: <stack>--<alarm>.png, with "-" for
// what a file name should not hold.
func chartName(t Target) string {
	return unsafeFileName.ReplaceAllString(t.Stack, "-") + "--" + unsafeFileName.ReplaceAllString(t.Alarm.Name, "-") + ".png"
}

// contributorChartName is a contributor's picture:
// <stack>--<alarm>--<dimensions>-<hash>.png, with "-" for what a file name
// should not hold, cut to 200 characters, and the hash (the first 8 hex
// digits of the SHA-256 of the parts as they are) keeping apart the names
// that would read the same.
func contributorChartName(t Target, dims []alarms.Dimension) string {
	raw := t.Stack + "--" + t.Alarm.Name + "--" + dimensionsText(dims)
	safe := unsafeFileName.ReplaceAllString(raw, "-")
	if len(safe) > 200 {
		safe = safe[:200]
	}
	sum := sha256.Sum256([]byte(raw))
	return safe + "-" + hex.EncodeToString(sum[:4]) + ".png"
}
