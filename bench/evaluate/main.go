// Command evaluate measures the backtest's evaluation: 1,000 alarms replayed
// over 14 days of one-minute datapoints (20,160 each) with backtest.Replay,
// as the backtest replays them, and prints the figures (bench/backtest runs
// it).
//
//	go run ./bench/evaluate [-alarms 1000] [-days 14] [-runs 5]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

func main() {
	n := flag.Int("alarms", 1000, "alarms to replay")
	days := flag.Int("days", 14, "days of one-minute datapoints per alarm")
	runs := flag.Int("runs", 5, "runs; the median is reported")
	flag.Parse()
	if *n < 1 || *days < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "evaluate: -alarms, -days and -runs must be 1 or more")
		os.Exit(2)
	}
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := end.Add(-time.Duration(*days) * 24 * time.Hour)
	list, series := workload(*n, start, end)
	points := 0
	for _, s := range series {
		points += len(s)
	}
	var targets []backtest.Target
	for _, a := range list {
		targets = append(targets, backtest.Target{Stack: "bench", Region: "us-east-1", Alarm: a})
	}
	var wall []time.Duration
	var alarmsFired int
	for range *runs {
		runtime.GC()
		began := time.Now()
		reports, err := backtest.Replay(targets, series, backtest.Options{Window: backtest.Window{Start: start, End: end}, Suggest: -1})
		wall = append(wall, time.Since(began))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		alarmsFired = 0
		for _, r := range reports {
			alarmsFired += r.AlarmCount
		}
	}
	slices.Sort(wall)
	median := wall[len(wall)/2]
	fmt.Printf("alarms                 %d (the stack's seven kinds, in turn), replayed as the backtest does, on %d processors\n", *n, runtime.GOMAXPROCS(0))
	fmt.Printf("evaluations per alarm  %d (%d days of one-minute periods)\n", int(end.Sub(start)/time.Minute), *days)
	fmt.Printf("datapoints per alarm   %d (2 %% of the minutes and an hour a day without data; the history before the window included)\n", points / *n)
	fmt.Printf("runs                   %d, min %.3f s, max %.3f s\n", *runs, wall[0].Seconds(), wall[len(wall)-1].Seconds())
	fmt.Printf("median                 %.3f s for all alarms, %.3f ms per alarm (target: at most 1 s)\n", median.Seconds(), median.Seconds()*1000/float64(*n))
	fmt.Printf("transitions into ALARM %d in all\n", alarmsFired)
}

// workload is n alarms of the stack's kinds (the specification's and the
// recommended set, in turn) with a metric each: one-minute values with a
// burst every six hours, 2 % of the minutes missing and a quiet hour a day.
func workload(n int, start, end time.Time) ([]alarms.Alarm, [][]evaluator.Point) {
	kinds := alarms.ForStream(alarms.Stream{Name: "bench", RetentionHours: 24}, alarms.Settings{
		Name: "bench-write-throttled", Threshold: 1, Comparison: alarms.GreaterThanThreshold, Statistic: "Sum",
		Period: 60, EvaluationPeriods: 1, TreatMissingData: alarms.MissingDataNotBreaching, Recommended: true,
	})
	rng := rand.New(rand.NewPCG(16, 14))
	var list []alarms.Alarm
	var series [][]evaluator.Point
	for i := range n {
		a := kinds[i%len(kinds)]
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
