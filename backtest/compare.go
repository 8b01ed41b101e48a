package backtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"golang.org/x/sync/errgroup"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/chart"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// A comparison replays two sets of alarms over the same window from one
// fetch: the alarms as they are deployed now and the alarms as the
// configuration makes them. An alarm of one side is paired with the alarm
// of the other of the same stack and name. For each pair it reports both
// sides' alarm count and minutes in ALARM, the attributes that differ
// (alarms.Differences), and the incidents only one side raised: a span in
// ALARM of one side that overlaps no span of the other (Unmatched), a
// query alarm's matched contributor by contributor (by their dimensions).
// An alarm only configured is added (all its incidents are new), one only
// deployed is removed (all its incidents are lost).

// Against is the one thing a comparison compares the configured alarms
// with: the alarms deployed now.
const Against = "deployed"

// Comparison is what a comparison found; its JSON is the report's
// "comparison" object (docs/tuning-alarms.md, "Reviewing a change by what
// it would have done").
type Comparison struct {
	// Against is what the configured alarms are compared with: "deployed".
	Against string `json:"against"`
	// Deployed is how many deployed alarms were found, unreplayable ones
	// included.
	Deployed int `json:"deployed"`
	// Added are the configured alarms not deployed, Removed the deployed
	// alarms no longer configured (found by the names the state holds).
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// Unreplayable are the deployed alarms left out of the comparison.
	Unreplayable []UnreplayableAlarm `json:"unreplayable"`
	// LostIncidents counts the incidents the deployed alarms raised that
	// the configured ones would not have (no incident of theirs overlaps
	// them), over all alarms; NewIncidents the other way round.
	LostIncidents int `json:"lostIncidents"`
	NewIncidents  int `json:"newIncidents"`
	// Alarms lists every alarm of both sides but the unreplayable, those
	// that differ first, each part in the order of the configured alarms,
	// then of the removed.
	Alarms []AlarmComparison `json:"alarms"`
}

// UnreplayableAlarm is a deployed alarm the evaluator cannot replay, with
// every reason.
type UnreplayableAlarm struct {
	Stack   string   `json:"stack"`
	Name    string   `json:"name"`
	Reasons []string `json:"reasons"`
}

// AlarmComparison is one alarm of either side or both.
type AlarmComparison struct {
	Stack string `json:"stack"`
	Name  string `json:"name"`
	// Differences are the attributes that differ, as "threshold: 1
	// (deployed) → 4 (configured)"; empty for an alarm of one side.
	Differences []string `json:"differences"`
	// Deployed and Configured are each side's replay; null for the side
	// that lacks the alarm.
	Deployed   *SideSummary `json:"deployed"`
	Configured *SideSummary `json:"configured"`
	// LostIncidents are the deployed side's incidents that the configured
	// side would not have raised, NewIncidents the other way round, oldest
	// first.
	LostIncidents []Incident `json:"lostIncidents"`
	NewIncidents  []Incident `json:"newIncidents"`
	// Charts are the pictures of the alarm with --chart, when it differs:
	// both sides' spans in ALARM on one picture (a query alarm's: one a
	// contributor whose incidents differ), or a removed alarm's own.
	Charts []string `json:"charts,omitempty"`
}

// Differs says whether the alarm differs between the sides: an attribute,
// an incident only one side raised, or an alarm only one side has.
func (a AlarmComparison) Differs() bool {
	return len(a.Differences) > 0 || len(a.LostIncidents) > 0 || len(a.NewIncidents) > 0 || a.Deployed == nil || a.Configured == nil
}

// SideSummary is one side's replay of an alarm.
type SideSummary struct {
	// AlarmCount is the transitions into ALARM (a query alarm's: its
	// contributors', all of them), MinutesInAlarm the minutes in ALARM.
	AlarmCount     int     `json:"alarmCount"`
	MinutesInAlarm float64 `json:"minutesInAlarm"`
}

// Incident is a span in ALARM, [From, To); a query alarm's carries the
// dimensions of its contributor.
type Incident struct {
	From       time.Time         `json:"from"`
	To         time.Time         `json:"to"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
}

// Deployed is the deployed side of a comparison.
type Deployed struct {
	// Targets are the deployed alarms that can be replayed, each with the
	// stack and region it was looked up for.
	Targets []Target
	// Unreplayable are the others.
	Unreplayable []UnreplayableAlarm
	// Found is how many deployed alarms were found, both kinds.
	Found int
}

// A Lookup is one alarm name looked up among the deployed alarms, for a
// stack in its region: the name of a configured alarm, or one its state
// holds.
type Lookup struct {
	Stack, Region, Name string
}

// NewDeployed is the deployed side of a comparison: found holds what
// DescribeDeployed found in each region (by region, then name), looked up
// under the lookups (in their order; a name looked up twice in a region
// counts once). Each alarm found is read with DeployedAlarm and checked as
// Run checks an alarm (evaluator.Check) and as the command checks the
// window at its period (Window.Check at now): one that passes is a target,
// one that does not is unreplayable, with every reason.
func NewDeployed(found map[string]map[string]cwtypes.MetricAlarm, lookups []Lookup, w Window, now time.Time) Deployed {
	var d Deployed
	seen := map[[2]string]bool{}
	for _, l := range lookups {
		m, ok := found[l.Region][l.Name]
		if !ok || seen[[2]string{l.Region, l.Name}] {
			continue
		}
		seen[[2]string{l.Region, l.Name}] = true
		d.Found++
		a, err := DeployedAlarm(m)
		var refused *UnreplayableError
		switch {
		case errors.As(err, &refused):
			d.Unreplayable = append(d.Unreplayable, UnreplayableAlarm{Stack: l.Stack, Name: l.Name, Reasons: refused.Reasons})
			continue
		case err != nil:
			d.Unreplayable = append(d.Unreplayable, UnreplayableAlarm{Stack: l.Stack, Name: l.Name, Reasons: []string{err.Error()}})
			continue
		}
		var reasons []string
		if err := evaluator.Check(a); err != nil {
			reasons = append(reasons, strings.TrimPrefix(err.Error(), fmt.Sprintf("evaluator: alarm %q: ", a.Name)))
		}
		var windowErr *WindowError
		if err := w.Check(now, []alarms.Alarm{a}); errors.As(err, &windowErr) && windowErr.Problem == WindowBeforeRetention {
			reasons = append(reasons, fmt.Sprintf("CloudWatch keeps the data of its period (%d s) %s, from %s: the window starts %s",
				a.Period, days(Retention(a.Period)), stamp(windowErr.Oldest), stamp(w.Start)))
		}
		if len(reasons) > 0 {
			d.Unreplayable = append(d.Unreplayable, UnreplayableAlarm{Stack: l.Stack, Name: l.Name, Reasons: reasons})
			continue
		}
		d.Targets = append(d.Targets, Target{Stack: l.Stack, Region: l.Region, Alarm: a})
	}
	return d
}

// Compare replays the configured alarms and the deployed ones over the
// window as Run does, in one run: the union of both sides' metrics is
// fetched once, in groups of one metric, statistic and period (a series
// both sides read is read once). The report is the configured side's, as
// Run reports it, with the Comparison. With opt.ChartDir the configured
// alarms get their charts as with Run, each alarm that differs a picture
// of both sides' spans in ALARM, and a removed alarm its own chart.
func Compare(ctx context.Context, client func(region string) MetricDataAPI, configured []Target, deployed Deployed, opt Options) (Report, FetchStats, error) {
	c := newComparer(configured, deployed, opt)
	h := hooks{noChart: func(i int) bool { return i < c.nd && c.partner[i] >= 0 }}
	if opt.ChartDir != "" {
		h.replayed = c.replayed
	}
	all, stats, err := runWith(ctx, client, c.targets, opt, h)
	if err != nil {
		return Report{}, stats, err
	}
	report := Report{Window: all.Window, Alarms: all.Alarms[c.nd:]}
	report.Comparison = c.comparison(all.Alarms, deployed)
	return report, stats, nil
}

// comparer pairs the two sides and draws the pictures of the pairs that
// differ while the datapoints are held.
type comparer struct {
	// targets are the deployed alarms (the first nd), then the configured.
	targets []Target
	nd      int
	// partner is the index of the alarm of the other side, -1 for none.
	partner []int
	// unreplayable are the stack and name of the deployed alarms left out.
	unreplayable map[string]bool
	opt          Options

	// As the groups are replayed, with --chart: each target's report
	// when done, the configured alarms' datapoints held until their
	// partner is replayed too, and the pictures drawn.
	reports []AlarmReport
	done    []bool
	held    map[int]seriesOf
	charts  map[int][]string
}

// seriesOf gives a series by its dimensions' key (dimensionsKey), or the
// series of an alarm that is not a query alarm under "".
type seriesOf func(key string) (evaluator.Series, bool)

func pairKey(t Target) string { return t.Stack + "\x00" + t.Alarm.Name }

func newComparer(configured []Target, deployed Deployed, opt Options) *comparer {
	c := &comparer{
		targets: append(slices.Clone(deployed.Targets), configured...), nd: len(deployed.Targets),
		unreplayable: map[string]bool{}, opt: opt, held: map[int]seriesOf{}, charts: map[int][]string{},
	}
	c.partner = slices.Repeat([]int{-1}, len(c.targets))
	c.reports, c.done = make([]AlarmReport, len(c.targets)), make([]bool, len(c.targets))
	byKey := map[string]int{}
	for i := c.nd; i < len(c.targets); i++ {
		byKey[pairKey(c.targets[i])] = i
	}
	for i := range c.nd {
		if j, ok := byKey[pairKey(c.targets[i])]; ok {
			c.partner[i], c.partner[j] = j, i
		}
	}
	for _, u := range deployed.Unreplayable {
		c.unreplayable[u.Stack+"\x00"+u.Name] = true
	}
	return c
}

// comparison compares the reports of every target (reports[i] of
// c.targets[i]).
func (c *comparer) comparison(reports []AlarmReport, deployed Deployed) *Comparison {
	out := &Comparison{Against: Against, Deployed: deployed.Found, Added: []string{}, Removed: []string{}, Unreplayable: []UnreplayableAlarm{}, Alarms: []AlarmComparison{}}
	out.Unreplayable = append(out.Unreplayable, deployed.Unreplayable...)
	var list []AlarmComparison
	for i := c.nd; i < len(c.targets); i++ {
		switch p := c.partner[i]; {
		case p >= 0:
			a := c.pair(reports, i, p)
			a.Charts = c.charts[i]
			list = append(list, a)
		case c.unreplayable[pairKey(c.targets[i])]:
			// Deployed, but left out: named among the unreplayable.
		default:
			// Added; its own charts are in its report.
			r := reports[i]
			list = append(list, AlarmComparison{Stack: r.Stack, Name: r.Name, Differences: []string{}, Configured: summary(r),
				LostIncidents: []Incident{}, NewIncidents: incidentsOf(r, c.opt.Window).all()})
			out.Added = append(out.Added, r.Name)
		}
	}
	for i := range c.nd {
		if c.partner[i] >= 0 {
			continue
		}
		r := reports[i]
		list = append(list, AlarmComparison{Stack: r.Stack, Name: r.Name, Differences: []string{}, Deployed: summary(r),
			LostIncidents: incidentsOf(r, c.opt.Window).all(), NewIncidents: []Incident{}, Charts: chartsOf(r)})
		out.Removed = append(out.Removed, r.Name)
	}
	for _, a := range list {
		out.LostIncidents += len(a.LostIncidents)
		out.NewIncidents += len(a.NewIncidents)
	}
	// Those that differ first, each part in its order.
	out.Alarms = append(out.Alarms, slices.DeleteFunc(slices.Clone(list), func(a AlarmComparison) bool { return !a.Differs() })...)
	out.Alarms = append(out.Alarms, slices.DeleteFunc(list, AlarmComparison.Differs)...)
	return out
}

// pair compares the configured alarm conf with the deployed alarm dep.
func (c *comparer) pair(reports []AlarmReport, conf, dep int) AlarmComparison {
	cr, dr := reports[conf], reports[dep]
	a := AlarmComparison{Stack: cr.Stack, Name: cr.Name, Differences: []string{}, Deployed: summary(dr), Configured: summary(cr)}
	for _, d := range alarms.Differences(asEvaluated(c.targets[dep].Alarm), asEvaluated(c.targets[conf].Alarm)) {
		a.Differences = append(a.Differences, fmt.Sprintf("%s: %s (deployed) → %s (configured)", d.Attribute, d.A, d.B))
	}
	ci, di := incidentsOf(cr, c.opt.Window), incidentsOf(dr, c.opt.Window)
	a.LostIncidents, a.NewIncidents = unmatched(di, ci), unmatched(ci, di)
	return a
}

// asEvaluated is the alarm with its datapoints to alarm as the evaluation
// takes them: not set and set to the evaluation periods are the same rule
// (N of N), so a review does not call them a difference.
func asEvaluated(a alarms.Alarm) alarms.Alarm {
	if a.DatapointsToAlarm == a.EvaluationPeriods {
		a.DatapointsToAlarm = 0
	}
	return a
}

func summary(r AlarmReport) *SideSummary {
	return &SideSummary{AlarmCount: r.AlarmCount, MinutesInAlarm: r.MinutesInAlarm}
}

// chartsOf are the pictures of a report: its own, its contributors'.
func chartsOf(r AlarmReport) []string {
	var out []string
	if r.Chart != "" {
		out = append(out, r.Chart)
	}
	if r.QueryReport != nil {
		for _, cr := range r.Contributors {
			if cr.Chart != "" {
				out = append(out, cr.Chart)
			}
		}
	}
	return out
}

// incidents are an alarm's spans in ALARM: its own under "" for an alarm
// that is not a query alarm, a query alarm's by contributor, under its
// dimensions' key.
type incidents struct {
	spans map[string][]evaluator.Span
	dims  map[string]map[string]string
}

// incidentsOf are the spans in ALARM of a report, from its transitions
// (evaluator.Result.InAlarm of them over the window).
func incidentsOf(r AlarmReport, w Window) incidents {
	in := incidents{spans: map[string][]evaluator.Span{}, dims: map[string]map[string]string{}}
	if r.QueryReport == nil {
		if spans := resultOf(r.Transitions, w).InAlarm(); len(spans) > 0 {
			in.spans[""] = spans
		}
		return in
	}
	for _, cr := range r.Contributors {
		key := mapKey(cr.Dimensions)
		in.spans[key] = resultOf(cr.Transitions, w).InAlarm()
		in.dims[key] = cr.Dimensions
	}
	return in
}

// all are every incident, oldest first.
func (in incidents) all() []Incident {
	return in.incidents(func(key string) []evaluator.Span { return in.spans[key] })
}

// incidents are the spans each key's function gives, as incidents, oldest
// first (ties in the dimensions' order).
func (in incidents) incidents(of func(key string) []evaluator.Span) []Incident {
	out := []Incident{}
	for _, key := range slices.Sorted(maps.Keys(in.spans)) {
		for _, s := range of(key) {
			out = append(out, Incident{From: s.From.UTC(), To: s.To.UTC(), Dimensions: in.dims[key]})
		}
	}
	slices.SortStableFunc(out, func(x, y Incident) int { return x.From.Compare(y.From) })
	return out
}

// unmatched are a's incidents that overlap none of b's, contributor by
// contributor.
func unmatched(a, b incidents) []Incident {
	return a.incidents(func(key string) []evaluator.Span { return Unmatched(a.spans[key], b.spans[key]) })
}

// resultOf is a replay's result as its report's transitions give it, over
// the window: what InAlarm and a chart ask of it.
func resultOf(ts []TransitionJSON, w Window) evaluator.Result {
	r := evaluator.Result{Start: w.Start, End: w.End}
	for _, t := range ts {
		r.Transitions = append(r.Transitions, evaluator.Transition{Time: t.Time, From: t.From, To: t.To, Reason: t.Reason})
	}
	return r
}

// mapKey is dimensions as dimensionsKey writes them.
func mapKey(dims map[string]string) string {
	list := make([]alarms.Dimension, 0, len(dims))
	for name, value := range dims {
		list = append(list, alarms.Dimension{Name: name, Value: value})
	}
	sortDimensions(list)
	return dimensionsKey(list)
}

// replayed takes a group's reports and, for each pair with both sides now
// replayed, draws its picture when it differs, from the configured side's
// datapoints: this group's, or those held since its own group. A
// configured alarm whose partner is not replayed yet has its datapoints
// held until then (the two sides read different metrics, statistics or
// periods).
func (c *comparer) replayed(g *group, values [][]float64, at []int, reports []AlarmReport) error {
	inGroup := map[int]reader{}
	for _, r := range g.readers {
		i := at[r.alarm]
		c.reports[i], c.done[i] = reports[r.alarm], true
		inGroup[i] = r
	}
	type job struct {
		conf, dep int
		series    seriesOf
	}
	var jobs []job
	for _, r := range g.readers {
		i := at[r.alarm]
		p := c.partner[i]
		if p < 0 {
			continue
		}
		conf, dep := i, p
		if i < c.nd {
			conf, dep = p, i
		}
		if _, drawn := c.charts[conf]; drawn || !c.done[conf] {
			continue // both sides in this group: once; or the configured side's group, later, draws
		}
		series := c.held[conf]
		if r, ok := inGroup[conf]; ok {
			series = groupSeries(g, values, r, c.targets[conf].Alarm)
		}
		if !c.done[dep] {
			c.held[conf] = series
			continue
		}
		delete(c.held, conf)
		c.charts[conf] = []string{}
		jobs = append(jobs, job{conf, dep, series})
	}
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	names := make([][]string, len(jobs))
	notes := make([]string, len(jobs))
	for k, j := range jobs {
		eg.Go(func() error {
			var err error
			names[k], notes[k], err = c.draw(j.conf, j.dep, j.series)
			return err
		})
	}
	err := eg.Wait()
	for k, j := range jobs {
		c.charts[j.conf] = names[k]
		if notes[k] != "" {
			note(c.opt.Progress, "%s", notes[k])
		}
	}
	return err
}

// groupSeries gives the series of g: for an alarm that is not a query
// alarm its reader's own under "", for a query alarm any series of the
// group by its key (those of the other side's alarm too, when it reads
// the same group).
func groupSeries(g *group, values [][]float64, r reader, a alarms.Alarm) seriesOf {
	if !a.IsQuery() {
		s := evaluator.Series{Dimensions: g.series[r.series[0]], Start: g.start, Values: values[r.series[0]]}
		return func(key string) (evaluator.Series, bool) { return s, key == "" }
	}
	return func(key string) (evaluator.Series, bool) {
		k, ok := g.index[key]
		if !ok {
			return evaluator.Series{}, false
		}
		return evaluator.Series{Dimensions: g.series[k], Start: g.start, Values: values[k]}, true
	}
}

// comparedSuffix ends the file name of a picture of both sides.
const comparedSuffix = "--against-deployed.png"

// draw writes the pictures of the pair when it differs: both sides' spans
// in ALARM over the configured side's metric; a query alarm's, one a
// contributor whose incidents differ (at most ChartsPerQueryAlarm, those
// with the most first, and a note when that leaves some out), none when
// only its attributes do.
func (c *comparer) draw(conf, dep int, series seriesOf) (names []string, note string, err error) {
	a := c.pair(c.reports, conf, dep)
	if !a.Differs() {
		return []string{}, "", nil
	}
	t, w := c.targets[conf], c.opt.Window
	cr, dr := c.reports[conf], c.reports[dep]
	period := t.Alarm.PeriodDuration()
	write := func(name string, alarm alarms.Alarm, s evaluator.Series, ok bool, mine, theirs evaluator.Result) error {
		var points []evaluator.Point
		if ok {
			points = s.Points(period)
		}
		r := chart.Replay{Alarm: alarm, Points: points, Result: mine, Against: &chart.Against{Label: Against, Result: theirs}}
		if err := chart.Write(filepath.Join(c.opt.ChartDir, name), r); err != nil {
			return &ChartError{Stack: t.Stack, Alarm: alarm.Name, Err: err}
		}
		return nil
	}
	if !t.Alarm.IsQuery() || cr.QueryReport == nil || dr.QueryReport == nil {
		if t.Alarm.IsQuery() {
			return []string{}, "", nil // one side's is a query alarm, the other's not: no one metric to draw
		}
		name := strings.TrimSuffix(chartName(t), ".png") + comparedSuffix
		s, ok := series("")
		alarm := t.Alarm
		alarm.Name += " · configured against " + Against
		return []string{name}, "", write(name, alarm, s, ok, resultOf(cr.Transitions, w), resultOf(dr.Transitions, w))
	}
	// The contributors whose incidents differ, the most first.
	count := map[string]int{}
	dims := map[string]map[string]string{}
	for _, in := range slices.Concat(a.LostIncidents, a.NewIncidents) {
		key := mapKey(in.Dimensions)
		count[key]++
		dims[key] = in.Dimensions
	}
	keys := slices.SortedFunc(maps.Keys(count), func(x, y string) int { return cmp.Or(cmp.Compare(count[y], count[x]), strings.Compare(x, y)) })
	if len(keys) > ChartsPerQueryAlarm {
		note = fmt.Sprintf("alarm %s: pictures against the deployed alarm for %d of its %d contributors whose incidents differ, those with the most (at most %d an alarm); the JSON lists every incident",
			t.Alarm.Name, ChartsPerQueryAlarm, len(keys), ChartsPerQueryAlarm)
		keys = keys[:ChartsPerQueryAlarm]
	}
	transitionsOf := func(r AlarmReport, key string) []TransitionJSON {
		for _, cr := range r.Contributors {
			if mapKey(cr.Dimensions) == key {
				return cr.Transitions
			}
		}
		return nil
	}
	names = []string{}
	for _, key := range keys {
		s, ok := series(key)
		list := make([]alarms.Dimension, 0, len(dims[key]))
		for _, name := range slices.Sorted(maps.Keys(dims[key])) {
			list = append(list, alarms.Dimension{Name: name, Value: dims[key][name]})
		}
		alarm := t.Alarm
		alarm.Name = t.Alarm.Name + " · " + dimensionsText(list) + " · configured against " + Against
		alarm.Dimensions = list
		name := strings.TrimSuffix(contributorChartName(t, list), ".png") + comparedSuffix
		if err := write(name, alarm, s, ok, resultOf(transitionsOf(cr, key), w), resultOf(transitionsOf(dr, key), w)); err != nil {
			return names, note, err
		}
		names = append(names, name)
	}
	return names, note, nil
}

// Lost names the incidents the deployed alarms raised that the configured
// ones would have missed, as "stack/alarm at <start>" (a query alarm's
// with its contributor), in the order of the comparison's alarms, each
// alarm's oldest first.
func (c *Comparison) Lost() []string {
	var out []string
	for _, a := range c.Alarms {
		for _, in := range a.LostIncidents {
			text := a.Stack + "/" + a.Name
			if len(in.Dimensions) > 0 {
				text += " (" + mapText(in.Dimensions) + ")"
			}
			out = append(out, text+" at "+stamp(in.From))
		}
	}
	return out
}
