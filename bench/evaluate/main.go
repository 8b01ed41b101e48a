// Command evaluate measures the backtest's evaluation, and prints the
// figures (bench/backtest runs it):
//
//   - alarms: 1,000 alarms replayed over 14 days of one-minute datapoints
//     (20,160 each) with backtest.Replay, as the backtest replays them;
//   - contributors: the 7 query alarms of an estate of 1,000 streams over
//     the same 14 days, each kind's series held as a fetched group holds
//     them, replayed per contributor with evaluator.EvaluateQuery, one kind
//     at a time;
//   - fleet: the same 7 query alarms through backtest.Run, as the command
//     runs them, against an in-process CloudWatch that answers ListMetrics
//     and GetMetricData as CloudWatch documents them (500 results a
//     ListMetrics page, 500 queries and 100,800 datapoints a GetMetricData
//     page), counting the requests;
//   - backtest: 1,000 alarms (the seven kinds of 143 streams, each alarm
//     its own series) through backtest.Run against the same in-process
//     CloudWatch over the same 14 days, as `backtest` runs them: the
//     configured alarms of compare;
//   - compare: the same 1,000 configured alarms against 1,000 deployed
//     ones, as `backtest --compare deployed` runs them: DescribeAlarms (an
//     in-process answer, 100 names a request), backtest.NewDeployed and
//     backtest.Compare. The deployed alarms are the stack's kinds as they
//     are; the configured ones raise every fourth alarm's threshold above
//     its bursts (all its incidents lost) and make every fourth, two
//     further on, 2 of 3 (its attributes differ): both sides read the
//     same series, which are fetched once.
//
// Each run of each measure is a process of its own, so that its peak
// memory (the maximum resident set) is its own; the measures take turns,
// run after run, and the medians are reported.
//
//	go run ./bench/evaluate [-alarms 1000] [-streams 1000] [-kinds 7] [-days 14] [-runs 5] [-measures alarms,contributors,fleet,backtest,compare]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/evaluator"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// figures are what one run of a measure found.
type figures struct {
	// Seconds is the measured time: the replay (alarms), the replays
	// alone (contributors), the whole of Run (fleet); CPUSeconds the
	// processor time the process spent in it, all threads (the machine's
	// other load does not count).
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpuSeconds"`
	// PeakMiB is the process's maximum resident set.
	PeakMiB float64 `json:"peakMiB"`
	// Alarms are the transitions into ALARM (contributors' for query
	// alarms), to show the work is the same each run.
	Alarms int `json:"alarms"`
	// Gets and Lists are the fleet's GetMetricData and ListMetrics
	// requests; Series the series read.
	Gets   int `json:"gets"`
	Lists  int `json:"lists"`
	Series int `json:"series"`
	// For compare: the DescribeAlarms requests; the GetMetricData
	// requests and series of each side fetched alone (counted after the
	// measured run); the incidents lost and new.
	Describes        int `json:"describes"`
	DeployedGets     int `json:"deployedGets"`
	ConfiguredGets   int `json:"configuredGets"`
	DeployedSeries   int `json:"deployedSeries"`
	ConfiguredSeries int `json:"configuredSeries"`
	Lost, New        int
}

var (
	nAlarms  = flag.Int("alarms", 1000, "alarms of the alarms measure")
	nStreams = flag.Int("streams", 1000, "streams of the contributors and fleet measures")
	nKinds   = flag.Int("kinds", 7, "kinds of query alarm of the contributors and fleet measures (the first so many of the 7)")
	days     = flag.Int("days", 14, "days of one-minute datapoints")
	runs     = flag.Int("runs", 5, "runs of each measure; the median is reported")
	measures = flag.String("measures", "alarms,contributors,fleet,backtest,compare", "the measures, in the order they take turns")
	child    = flag.String("child", "", "run this measure once and print its figures as JSON (the parent's use)")
	profile  = flag.String("cpuprofile", "", "with -child: write the measure's CPU profile to this file")
)

func main() {
	flag.Parse()
	if *nAlarms < 1 || *nStreams < 1 || *days < 1 || *runs < 1 || *nKinds < 1 || *nKinds > 7 {
		fail("evaluate: -alarms, -streams, -days and -runs must be 1 or more, -kinds 1 to 7")
	}
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := end.Add(-time.Duration(*days) * 24 * time.Hour)
	if *child != "" {
		if *profile != "" {
			out, err := os.Create(*profile)
			if err != nil {
				fail(err.Error())
			}
			if err := pprof.StartCPUProfile(out); err != nil {
				fail(err.Error())
			}
		}
		f := measure(*child, start, end)
		pprof.StopCPUProfile()
		var usage syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err == nil {
			f.PeakMiB = float64(usage.Maxrss) / 1024 // kilobytes on Linux
		}
		if err := json.NewEncoder(os.Stdout).Encode(f); err != nil {
			fail(err.Error())
		}
		return
	}
	names := strings.Split(*measures, ",")
	self, err := os.Executable()
	if err != nil {
		fail(err.Error())
	}
	results := map[string][]figures{}
	for r := range *runs {
		for _, name := range names {
			args := append([]string{"-child", name}, passOn()...)
			out, err := exec.Command(self, args...).Output()
			if err != nil {
				fail(fmt.Sprintf("evaluate: run %d of %s: %v", r+1, name, err))
			}
			var f figures
			if err := json.Unmarshal(bytes.TrimSpace(out), &f); err != nil {
				fail(fmt.Sprintf("evaluate: run %d of %s: %v: %s", r+1, name, err, out))
			}
			results[name] = append(results[name], f)
		}
	}
	fmt.Printf("machine                %d processors (GOMAXPROCS), %s\n", runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("window                 %d days of one-minute periods (%d evaluations an alarm); 2 %% of the minutes and an hour a day without data\n",
		*days, int(end.Sub(start)/time.Minute))
	fmt.Printf("runs                   %d of each measure, one process each, the measures in turn (%s)\n", *runs, strings.Join(names, ", "))
	for _, name := range names {
		fs := results[name]
		secs := median(fs, func(f figures) float64 { return f.Seconds })
		cpuSecs := median(fs, func(f figures) float64 { return f.CPUSeconds })
		peak := median(fs, func(f figures) float64 { return f.PeakMiB })
		lo, hi := extremes(fs, func(f figures) float64 { return f.Seconds })
		last := fs[len(fs)-1]
		switch name {
		case "alarms":
			fmt.Printf("alarms                 %d alarms (the stack's seven kinds, in turn), replayed with backtest.Replay\n", *nAlarms)
			fmt.Printf("  median               %.3f s (%.3f-%.3f; %.3f s of processor time), %.3f ms an alarm (target: at most 1 s); peak %.0f MiB; %d transitions into ALARM\n",
				secs, lo, hi, cpuSecs, secs*1000/float64(*nAlarms), peak, last.Alarms)
		case "contributors":
			fmt.Printf("contributors           %d query alarms over %d streams (%d series), replayed per contributor with evaluator.EvaluateQuery, one kind at a time\n", *nKinds, *nStreams, last.Series)
			fmt.Printf("  median               %.3f s (%.3f-%.3f; %.3f s of processor time) for the %d; peak %.0f MiB; %d contributors' transitions into ALARM\n", secs, lo, hi, cpuSecs, *nKinds, peak, last.Alarms)
		case "fleet":
			fmt.Printf("fleet                  the same %d query alarms through backtest.Run, against an in-process CloudWatch\n", *nKinds)
			fmt.Printf("  median               %.3f s (%.3f-%.3f; %.3f s of processor time) for the %d, making the datapoints and the fetch's decoding included; peak %.0f MiB; %d contributors' transitions into ALARM\n", secs, lo, hi, cpuSecs, *nKinds, peak, last.Alarms)
			fmt.Printf("  requests             ListMetrics %d (%.2f an alarm), GetMetricData %d (%.1f an alarm, %.3f a series) for %d series\n",
				last.Lists, float64(last.Lists)/float64(*nKinds), last.Gets, float64(last.Gets)/float64(*nKinds), float64(last.Gets)/float64(last.Series), last.Series)
		case "backtest":
			fmt.Printf("backtest               %d alarms through backtest.Run, against an in-process CloudWatch (the configured side of compare)\n", *nAlarms)
			fmt.Printf("  median               %.3f s (%.3f-%.3f; %.3f s of processor time), making the datapoints and the fetch's decoding included; peak %.0f MiB; %d transitions into ALARM\n", secs, lo, hi, cpuSecs, peak, last.Alarms)
			fmt.Printf("  requests             GetMetricData %d for %d series\n", last.Gets, last.Series)
		case "compare":
			fmt.Printf("compare                %d alarm pairs, configured against deployed: DescribeAlarms, backtest.NewDeployed and backtest.Compare, against an in-process CloudWatch\n", *nAlarms)
			fmt.Printf("  median               %.3f s (%.3f-%.3f; %.3f s of processor time); peak %.0f MiB; %d incidents lost, %d new\n", secs, lo, hi, cpuSecs, peak, last.Lost, last.New)
			fmt.Printf("  requests             DescribeAlarms %d; GetMetricData %d for %d series (each side alone: deployed %d for %d series, configured %d for %d; shared: %d series)\n",
				last.Describes, last.Gets, last.Series, last.DeployedGets, last.DeployedSeries, last.ConfiguredGets, last.ConfiguredSeries, last.DeployedSeries+last.ConfiguredSeries-last.Series)
		}
	}
	if b, c := results["backtest"], results["compare"]; len(b) > 0 && len(c) > 0 {
		wall := median(c, func(f figures) float64 { return f.Seconds }) / median(b, func(f figures) float64 { return f.Seconds })
		proc := median(c, func(f figures) float64 { return f.CPUSeconds }) / median(b, func(f figures) float64 { return f.CPUSeconds })
		fmt.Printf("compare / backtest     %.2f× the time, %.2f× the processor time (medians; target: at most 2.2×)\n", wall, proc)
	}
}

// passOn is the flags a child needs.
func passOn() []string {
	return []string{"-alarms", strconv.Itoa(*nAlarms), "-streams", strconv.Itoa(*nStreams), "-kinds", strconv.Itoa(*nKinds), "-days", strconv.Itoa(*days)}
}

// cpu is the processor time the process has spent, all threads.
func cpu() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func median(fs []figures, of func(figures) float64) float64 {
	var xs []float64
	for _, f := range fs {
		xs = append(xs, of(f))
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func extremes(fs []figures, of func(figures) float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range fs {
		lo, hi = min(lo, of(f)), max(hi, of(f))
	}
	return lo, hi
}

// measure runs one measure once.
func measure(name string, start, end time.Time) figures {
	switch name {
	case "alarms":
		return measureAlarms(start, end)
	case "contributors":
		return measureContributors(start, end)
	case "fleet":
		return measureFleet(start, end)
	case "backtest":
		return measureBacktest(start, end)
	case "compare":
		return measureCompare(start, end)
	}
	fail("evaluate: no measure " + name + "; allowed: alarms, contributors, fleet, backtest, compare")
	return figures{}
}

func measureAlarms(start, end time.Time) figures {
	list, series := workload(*nAlarms, start, end)
	var targets []backtest.Target
	for _, a := range list {
		targets = append(targets, backtest.Target{Stack: "bench", Region: "us-east-1", Alarm: a})
	}
	runtime.GC()
	began, cpuBefore := time.Now(), cpu()
	reports, err := backtest.Replay(targets, series, backtest.Options{Window: backtest.Window{Start: start, End: end}, Suggest: -1})
	f := figures{Seconds: time.Since(began).Seconds(), CPUSeconds: (cpu() - cpuBefore).Seconds()}
	if err != nil {
		fail(err.Error())
	}
	for _, r := range reports {
		f.Alarms += r.AlarmCount
	}
	return f
}

// kinds are the stack's seven kinds of alarm, as a stream's alarms.
func kinds() []alarms.Alarm {
	return alarms.ForStream(alarms.Stream{Name: "bench", RetentionHours: 24}, settings)
}

var settings = alarms.Settings{
	Name: "bench-write-throttled", Threshold: 1, Comparison: alarms.GreaterThanThreshold, Statistic: "Sum",
	Period: 60, EvaluationPeriods: 1, TreatMissingData: alarms.MissingDataNotBreaching, Recommended: true,
}

// estate is the query alarms of an estate: the first -kinds of its seven.
func estate() []alarms.Alarm {
	return alarms.ForEstate(alarms.Stream{RetentionHours: 24, Watched: true}, settings, alarms.Estate{Stack: "bench"})[:*nKinds]
}

// workload is n alarms of the stack's kinds (the specification's and the
// recommended set, in turn) with a metric each: one-minute values with a
// burst every six hours, 2 % of the minutes missing and a quiet hour a day.
func workload(n int, start, end time.Time) ([]alarms.Alarm, [][]evaluator.Point) {
	ks := kinds()
	rng := rand.New(rand.NewPCG(16, 14))
	var list []alarms.Alarm
	var series [][]evaluator.Point
	for i := range n {
		a := ks[i%len(ks)]
		a.Name = fmt.Sprintf("%s-%04d", a.Name, i)
		high := a.Threshold*2 + 1
		if a.Comparison == alarms.LessThanThreshold {
			high = a.Threshold / 2
		}
		var points []evaluator.Point
		for at := start.Add(-evaluator.History(a)); at.Before(end); at = at.Add(time.Minute) {
			m := int(at.Sub(start) / time.Minute)
			if rng.IntN(50) == 0 || (m%1440 >= 180 && m%1440 < 240) {
				continue
			}
			v := a.Threshold * rng.Float64()
			if a.Comparison == alarms.LessThanThreshold {
				v = a.Threshold + (1-a.Threshold)*rng.Float64()
			}
			if m%360 < 20 {
				v = high
			}
			points = append(points, evaluator.Point{Time: at, Value: v})
		}
		list = append(list, a)
		series = append(series, points)
	}
	return list, series
}

// kindOf tells the kinds' metrics apart in value.
func kindOf(a alarms.Alarm) uint32 {
	h := fnv.New32a()
	h.Write([]byte(a.Metric + "\x00" + a.Statistic))
	return h.Sum32()
}

// value is stream s's datapoint of the alarm a's metric (kind: kindOf(a))
// in minute m of the
// window (m < 0: the history before it), and whether it has one: below the
// threshold (above for a LessThan comparison) but for a 20-minute burst
// every six hours at a time of the stream's own, 2 % of the minutes and
// an hour a day without data. The same s, a and m give the same value.
func value(a alarms.Alarm, kind uint32, s, m int) (float64, bool) {
	h := mix(uint64(s)<<40 ^ uint64(kind)<<20 ^ uint64(int64(m)))
	if h%50 == 0 || (m%1440+1440)%1440 >= 180 && (m%1440+1440)%1440 < 240 {
		return 0, false
	}
	u := float64(h>>11) / (1 << 53)
	offset := int(mix(uint64(s)) % 360)
	burst := ((m+offset)%360+360)%360 < 20
	if a.Comparison.Greater() {
		if burst {
			return a.Threshold*2 + 1, true
		}
		return a.Threshold * u, true
	}
	if burst {
		return a.Threshold / 2, true
	}
	return a.Threshold + (1-a.Threshold)*u, true
}

// mix is SplitMix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func streamName(s int) string { return fmt.Sprintf("stream-%04d", s) }

// measureContributors replays each query alarm with its series held as a
// fetched group holds them (a value a period), one kind at a time, and
// times the replays alone.
func measureContributors(start, end time.Time) figures {
	var f figures
	var spent, spentCPU time.Duration
	for _, a := range estate() {
		kind := kindOf(a)
		history := evaluator.History(a)
		first := start.Add(-history)
		periods := int(end.Sub(first) / time.Minute)
		series := make([]evaluator.Series, *nStreams)
		for s := range series {
			values := make([]float64, periods)
			for j := range values {
				v, ok := value(a, kind, s, int(first.Sub(start)/time.Minute)+j)
				if !ok {
					v = math.NaN()
				}
				values[j] = v
			}
			series[s] = evaluator.Series{Dimensions: []alarms.Dimension{{Name: "StreamName", Value: streamName(s)}}, Start: first, Values: values}
		}
		f.Series += len(series)
		runtime.GC()
		began, cpuBefore := time.Now(), cpu()
		r := evaluator.EvaluateQuery(a, series, start, end)
		spent += time.Since(began)
		spentCPU += cpu() - cpuBefore
		f.Alarms += r.ContributorAlarms
	}
	f.Seconds, f.CPUSeconds = spent.Seconds(), spentCPU.Seconds()
	return f
}

// measureFleet runs the query alarms through backtest.Run against an
// in-process CloudWatch.
func measureFleet(start, end time.Time) figures {
	fake := &cloudWatch{start: start, byMetric: map[string]alarms.Alarm{}}
	var targets []backtest.Target
	for _, a := range estate() {
		fake.byMetric[a.Metric+"\x00"+a.Statistic] = a
		targets = append(targets, backtest.Target{Stack: "bench", Region: "us-east-1", Alarm: a})
	}
	runtime.GC()
	began, cpuBefore := time.Now(), cpu()
	report, stats, err := backtest.Run(context.Background(), func(string) backtest.MetricDataAPI { return fake }, targets,
		backtest.Options{Window: backtest.Window{Start: start, End: end}, Now: end, Suggest: -1})
	f := figures{Seconds: time.Since(began).Seconds(), CPUSeconds: (cpu() - cpuBefore).Seconds(), Gets: stats.Requests, Lists: stats.ListRequests, Series: stats.Metrics}
	if err != nil {
		fail(err.Error())
	}
	for _, r := range report.Alarms {
		f.Alarms += r.AlarmCount
	}
	return f
}

// cloudWatch answers ListMetrics with the streams' metrics and
// GetMetricData with value's datapoints, as CloudWatch pages them.
type cloudWatch struct {
	start    time.Time
	byMetric map[string]alarms.Alarm // by metric and statistic
}

const listPage = 500

func (c *cloudWatch) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	from, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &cloudwatch.ListMetricsOutput{}
	for s := from; s < min(from+listPage, *nStreams); s++ {
		out.Metrics = append(out.Metrics, types.Metric{Namespace: in.Namespace, MetricName: in.MetricName,
			Dimensions: []types.Dimension{{Name: aws.String("StreamName"), Value: aws.String(streamName(s))}}})
	}
	if from+listPage < *nStreams {
		out.NextToken = aws.String(strconv.Itoa(from + listPage))
	}
	return out, nil
}

// GetMetricData answers each query's minutes in [StartTime, EndTime), at
// most backtest.MaxDatapointsPerRequest datapoints a page; the token is
// how many datapoints were answered before.
func (c *cloudWatch) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	skip, _ := strconv.Atoi(aws.ToString(in.NextToken))
	from, to := aws.ToTime(in.StartTime), aws.ToTime(in.EndTime)
	minutes := int(to.Sub(from) / time.Minute)
	first := int(from.Sub(c.start) / time.Minute)
	out := &cloudwatch.GetMetricDataOutput{}
	n := 0
	for q := skip / minutes; q < len(in.MetricDataQueries) && n < backtest.MaxDatapointsPerRequest; q++ {
		query := in.MetricDataQueries[q]
		a := c.byMetric[aws.ToString(query.MetricStat.Metric.MetricName)+"\x00"+aws.ToString(query.MetricStat.Stat)]
		kind := kindOf(a)
		s, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(query.MetricStat.Metric.Dimensions[0].Value), "stream-"))
		r := types.MetricDataResult{Id: query.Id}
		j := 0
		if q == skip/minutes {
			j = skip % minutes
		}
		for ; j < minutes && n < backtest.MaxDatapointsPerRequest; j++ {
			n++
			if v, ok := value(a, kind, s, first+j); ok {
				r.Timestamps = append(r.Timestamps, from.Add(time.Duration(j)*time.Minute))
				r.Values = append(r.Values, v)
			}
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	if skip+n < minutes*len(in.MetricDataQueries) {
		out.NextToken = aws.String(strconv.Itoa(skip + n))
	}
	return out, nil
}

// pairs are the deployed and the configured alarms of the backtest and
// compare measures: -alarms alarms, the seven kinds of a stream in turn,
// each on a stream of its own (143 streams for 1,000), so each its own
// series. The deployed alarms are the kinds as they are; of the
// configured ones every fourth has its threshold beyond its bursts (above
// for a GreaterThan alarm, below for a LessThan one: it never alarms) and
// every fourth, two further on, alarms on 2 of 3 periods.
func pairs() (deployed, configured []alarms.Alarm) {
	ks := kinds()
	for i := range *nAlarms {
		a := alarms.ForStream(alarms.Stream{Name: streamName(i / len(ks)), RetentionHours: 24}, settings)[i%len(ks)]
		a.Name = fmt.Sprintf("%s-%04d", a.Name, i)
		deployed = append(deployed, a)
		switch i % 4 {
		case 0:
			if a.Comparison.Greater() {
				a.Threshold = a.Threshold*3 + 2
			} else {
				a.Threshold /= 4
			}
		case 2:
			a.EvaluationPeriods, a.DatapointsToAlarm = 3, 2
		}
		configured = append(configured, a)
	}
	return deployed, configured
}

// streamCloudWatch is the in-process CloudWatch of the kinds' metrics:
// value's datapoints by each metric and statistic, of the stream its
// StreamName names.
func streamCloudWatch(start time.Time) *cloudWatch {
	fake := &cloudWatch{start: start, byMetric: map[string]alarms.Alarm{}}
	for _, a := range kinds() {
		fake.byMetric[a.Metric+"\x00"+a.Statistic] = a
	}
	return fake
}

func targetsOf(list []alarms.Alarm) []backtest.Target {
	var out []backtest.Target
	for _, a := range list {
		out = append(out, backtest.Target{Stack: "bench", Region: "us-east-1", Alarm: a})
	}
	return out
}

// measureBacktest runs the configured alarms through backtest.Run.
func measureBacktest(start, end time.Time) figures {
	_, configured := pairs()
	fake := streamCloudWatch(start)
	runtime.GC()
	began, cpuBefore := time.Now(), cpu()
	report, stats, err := backtest.Run(context.Background(), func(string) backtest.MetricDataAPI { return fake }, targetsOf(configured),
		backtest.Options{Window: backtest.Window{Start: start, End: end}, Now: end, Suggest: -1})
	f := figures{Seconds: time.Since(began).Seconds(), CPUSeconds: (cpu() - cpuBefore).Seconds(), Gets: stats.Requests, Series: stats.Metrics}
	if err != nil {
		fail(err.Error())
	}
	for _, r := range report.Alarms {
		f.Alarms += r.AlarmCount
	}
	return f
}

// describeAlarms answers DescribeAlarms with the deployed alarms of the
// names asked for, counting the requests.
type describeAlarms struct {
	deployed map[string]types.MetricAlarm
	requests int
}

func (d *describeAlarms) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	d.requests++
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, name := range in.AlarmNames {
		if m, ok := d.deployed[name]; ok {
			out.MetricAlarms = append(out.MetricAlarms, m)
		}
	}
	return out, nil
}

// measureCompare runs the pairs as `backtest --compare deployed` does:
// DescribeAlarms under the configured names, NewDeployed, Compare; then,
// untimed, each side through Run alone, to count what it would have read.
func measureCompare(start, end time.Time) figures {
	deployed, configured := pairs()
	api := &describeAlarms{deployed: map[string]types.MetricAlarm{}}
	var names []string
	var lookups []backtest.Lookup
	for _, a := range deployed {
		api.deployed[a.Name] = testkit.DescribedAlarm(a)
	}
	for _, a := range configured {
		names = append(names, a.Name)
		lookups = append(lookups, backtest.Lookup{Stack: "bench", Region: "us-east-1", Name: a.Name})
	}
	fake := streamCloudWatch(start)
	w := backtest.Window{Start: start, End: end}
	opt := backtest.Options{Window: w, Now: end, Suggest: -1}
	client := func(string) backtest.MetricDataAPI { return fake }
	runtime.GC()
	began, cpuBefore := time.Now(), cpu()
	found, _, err := backtest.DescribeDeployed(context.Background(), api, names)
	if err != nil {
		fail(err.Error())
	}
	side := backtest.NewDeployed(map[string]map[string]types.MetricAlarm{"us-east-1": found}, lookups, w, end)
	report, stats, err := backtest.Compare(context.Background(), client, targetsOf(configured), side, opt)
	f := figures{Seconds: time.Since(began).Seconds(), CPUSeconds: (cpu() - cpuBefore).Seconds(), Gets: stats.Requests, Series: stats.Metrics, Describes: api.requests}
	if err != nil {
		fail(err.Error())
	}
	if len(side.Targets) != len(deployed) {
		fail(fmt.Sprintf("evaluate: %d of the %d deployed alarms replayable", len(side.Targets), len(deployed)))
	}
	f.Lost, f.New = report.Comparison.LostIncidents, report.Comparison.NewIncidents
	for _, r := range report.Alarms {
		f.Alarms += r.AlarmCount
	}
	for _, s := range []struct {
		list          []alarms.Alarm
		gets, metrics *int
	}{{deployed, &f.DeployedGets, &f.DeployedSeries}, {configured, &f.ConfiguredGets, &f.ConfiguredSeries}} {
		_, alone, err := backtest.Run(context.Background(), client, targetsOf(s.list), opt)
		if err != nil {
			fail(err.Error())
		}
		*s.gets, *s.metrics = alone.Requests, alone.Metrics
	}
	return f
}
