// Package backtest replays a stack's CloudWatch alarms over their metrics'
// history: it reads the datapoints with GetMetricData, evaluates each alarm
// with CloudWatch's rules (package evaluator), and reports when each would
// have gone to ALARM, as a table, as JSON and as charts (package chart).
package backtest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
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
	// would have gone to ALARM at most Suggest times; -1: none.
	Suggest int
	// ChartDir, when not empty, receives one PNG per alarm.
	ChartDir string
	// Progress, when not nil, gets a line per GetMetricData request and a
	// note when some alarm's history is cut short.
	Progress io.Writer
}

// A ChartError is an alarm's chart that could not be written.
type ChartError struct {
	Stack, Alarm string
	Err          error
}

func (e *ChartError) Error() string {
	return fmt.Sprintf("the chart of alarm %s of %s: %v", e.Alarm, e.Stack, e.Err)
}

func (e *ChartError) Unwrap() error { return e.Err }

// Run fetches each region's datapoints with the client for that region and
// replays every target over the window.
func Run(ctx context.Context, client func(region string) MetricDataAPI, targets []Target, opt Options) (Report, FetchStats, error) {
	for _, t := range targets {
		if err := evaluator.Check(t.Alarm); err != nil {
			return Report{}, FetchStats{}, fmt.Errorf("alarm %s of %s cannot be replayed: %w", t.Alarm.Name, t.Stack, err)
		}
	}
	report := Report{Window: WindowJSON{Start: opt.Window.Start.UTC(), End: opt.Window.End.UTC()}}
	var total FetchStats
	// One fetch per region, in the order the targets name them.
	var regions []string
	byRegion := map[string][]int{}
	for i, t := range targets {
		if _, seen := byRegion[t.Region]; !seen {
			regions = append(regions, t.Region)
		}
		byRegion[t.Region] = append(byRegion[t.Region], i)
	}
	points := make([][]evaluator.Point, len(targets))
	for _, region := range regions {
		var list []alarms.Alarm
		for _, i := range byRegion[region] {
			list = append(list, targets[i].Alarm)
		}
		start, clipped := opt.Window.fetchStart(opt.Now, list)
		if len(clipped) > 0 && opt.Progress != nil {
			fmt.Fprintf(opt.Progress, "note: CloudWatch no longer keeps the datapoints before %s: the first evaluations of %v have part of their evaluation range only\n", stamp(start), clipped)
		}
		series, stats, err := Fetch(ctx, client(region), list, start, opt.Window.End, opt.Progress)
		total.Metrics += stats.Metrics
		total.Requests += stats.Requests
		if err != nil {
			return Report{}, total, fmt.Errorf("reading the metrics in %s: %w", region, err)
		}
		for k, i := range byRegion[region] {
			points[i] = series[k]
		}
	}
	alarmReports, err := Replay(targets, points, opt)
	report.Alarms = alarmReports
	return report, total, err
}

// Replay evaluates each target over the window with its datapoints (points[i]
// for targets[i]), side by side on every processor, and writes the charts
// and suggestions opt asks for.
func Replay(targets []Target, points [][]evaluator.Point, opt Options) ([]AlarmReport, error) {
	out := make([]AlarmReport, len(targets))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, t := range targets {
		g.Go(func() error {
			result := evaluator.Evaluate(t.Alarm, points[i], opt.Window.Start, opt.Window.End)
			r := newAlarmReport(t, points[i], result, opt.Window)
			if opt.Suggest >= 0 {
				threshold, ok := evaluator.SuggestThreshold(t.Alarm, points[i], opt.Window.Start, opt.Window.End, opt.Suggest)
				r.Suggestion = newSuggestion(opt.Suggest, threshold, ok)
			}
			if opt.ChartDir != "" {
				r.Chart = chartName(t)
				if err := chart.Write(filepath.Join(opt.ChartDir, r.Chart), chart.Replay{Alarm: t.Alarm, Points: points[i], Result: result}); err != nil {
					return &ChartError{Stack: t.Stack, Alarm: t.Alarm.Name, Err: err}
				}
			}
			out[i] = r
			return nil
		})
	}
	return out, g.Wait()
}

var unsafeFileName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// chartName is the alarm's picture: <stack>--<alarm>.png, with "-" for
// what a file name should not hold.
func chartName(t Target) string {
	return unsafeFileName.ReplaceAllString(t.Stack, "-") + "--" + unsafeFileName.ReplaceAllString(t.Alarm.Name, "-") + ".png"
}
