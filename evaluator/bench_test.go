package evaluator

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// The project's target: 1,000 alarms over 14 days of one-minute datapoints
// in at most 1 s on two cores, so at most about 0.5 ms an alarm.
const benchDays = 14

// benchPoints is 14 days of one-minute datapoints (20,160) and the
// history before them: low values, a 20-minute burst above the threshold
// of 5 every 6 hours, 2% of the minutes missing and an hour-long outage a
// day.
func benchPoints(a alarms.Alarm) (points []Point, start, end time.Time) {
	rng := rand.New(rand.NewPCG(15, 16))
	start = t0
	end = t0.Add(benchDays * 24 * time.Hour)
	for at := start.Add(-History(a)); at.Before(end); at = at.Add(time.Minute) {
		m := int(at.Sub(t0) / time.Minute)
		if rng.IntN(50) == 0 || (m%1440 >= 180 && m%1440 < 240) {
			continue
		}
		v := float64(rng.IntN(3))
		if m%360 < 20 {
			v = 10 + float64(rng.IntN(10))
		}
		points = append(points, Point{at, v})
	}
	return points, start, end
}

func benchAlarms() map[string]alarms.Alarm {
	return map[string]alarms.Alarm{
		"15of15": testAlarm(15, 15, alarms.GreaterThanThreshold, 5, alarms.MissingDataMissing),
		"1of1":   testAlarm(1, 1, alarms.GreaterThanThreshold, 5, alarms.MissingDataNotBreaching),
	}
}

func BenchmarkEvaluate(b *testing.B) {
	for name, a := range benchAlarms() {
		b.Run(name, func(b *testing.B) {
			points, start, end := benchPoints(a)
			var res Result
			for b.Loop() {
				res = Evaluate(a, points, start, end)
			}
			b.ReportMetric(float64(len(points)), "points")
			b.ReportMetric(float64(len(res.Transitions)), "transitions")
		})
	}
}

func BenchmarkSuggestThreshold(b *testing.B) {
	for name, a := range benchAlarms() {
		b.Run(name, func(b *testing.B) {
			points, start, end := benchPoints(a)
			for b.Loop() {
				SuggestThreshold(a, points, start, end, 3)
			}
		})
	}
}

// The benchmark's data is what it says: 20,160 evaluations, few
// transitions, both alarms firing at the bursts.
func TestBenchmarkData(t *testing.T) {
	for name, a := range benchAlarms() {
		points, start, end := benchPoints(a)
		res := Evaluate(a, points, start, end)
		if res.Evaluations != benchDays*1440 {
			t.Errorf("%s: %d evaluations", name, res.Evaluations)
		}
		if res.AlarmCount < benchDays*4-2 || len(res.Transitions) > 200 {
			t.Errorf("%s: %d ALARMs, %d transitions", name, res.AlarmCount, len(res.Transitions))
		}
	}
}

// benchFleet is n streams of benchPoints' kind of data, each its own.
func benchFleet(a alarms.Alarm, n int) (fleet []Series, start, end time.Time) {
	rng := rand.New(rand.NewPCG(22, 1))
	points, start, end := benchPoints(a)
	for i := range n {
		own := make([]Point, 0, len(points))
		for _, p := range points {
			if rng.IntN(50) != 0 {
				own = append(own, Point{p.Time, p.Value + float64(rng.IntN(3))})
			}
		}
		fleet = append(fleet, NewSeries([]alarms.Dimension{{Name: "StreamName", Value: fmt.Sprintf("stream-%04d", i)}}, own, time.Minute))
	}
	return fleet, start, end
}

// A query alarm over 1,000 streams of 14 days: more than 500 with data at
// every evaluation, so ORDER BY and LIMIT rank them at each.
func BenchmarkEvaluateQuery(b *testing.B) {
	for name, a := range benchAlarms() {
		a.Query = &alarms.Query{GroupBy: []string{"StreamName"}}
		b.Run(name, func(b *testing.B) {
			fleet, start, end := benchFleet(a, 1000)
			var r QueryResult
			for b.Loop() {
				r = EvaluateQuery(a, fleet, start, end)
			}
			b.ReportMetric(float64(r.ContributorAlarms), "alarms")
			b.ReportMetric(float64(r.Limited), "limited")
		})
	}
}
