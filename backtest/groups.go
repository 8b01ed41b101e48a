package backtest

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// What a fetch costs. "A GetMetricData operation that does not include a
// query can retrieve as many as 500 different metrics in a single request,
// with a total of as many as 100,800 data points" (GetMetricData API
// reference). "180,000 Datapoints Per Second (DPS) if the StartTime used
// in the API request is less than or equal to three hours from current
// time. 396,000 DPS if the StartTime is more than three hours from current
// time. ... The DPS is calculated based on estimated data points, not
// actual data points. The data point estimate is calculated using the
// requested time range, period, and retention period." (CloudWatch service
// quotas, GetMetricData; per account and Region.)
const (
	// MaxDatapointsPerRequest is the most datapoints one GetMetricData
	// request returns; more come in further pages.
	MaxDatapointsPerRequest = 100800
	// DatapointsPerSecond is the most datapoints an account reads a second
	// with GetMetricData when the start is more than 3 hours ago;
	// RecentDatapointsPerSecond when it is within them.
	DatapointsPerSecond       = 396000
	RecentDatapointsPerSecond = 180000
)

// A group is one metric, statistic and period, and every series of it
// that some alarm reads: each series is fetched once, however many alarms
// read it (the per-stream alarms of a stream, a query alarm, two kinds on
// one metric and statistic), and the group's alarms are replayed while its
// datapoints are held, one group at a time.
type group struct {
	namespace, metric, statistic string
	period                       int
	// series are the group's distinct series, each with its dimensions
	// sorted by name.
	series [][]alarms.Dimension
	index  map[string]int
	// readers are the alarms that read the group's series.
	readers []reader
	// start is the first period fetched (a multiple of the period), periods
	// how many up to the window's end.
	start   time.Time
	periods int
}

// A reader is an alarm of a group: its index in the list, and the indices
// of the series it reads (one for an alarm that is not a query alarm).
type reader struct {
	alarm  int
	series []int
}

func groupKey(a alarms.Alarm) string {
	return a.Namespace + "\x00" + a.Metric + "\x00" + a.Statistic + "\x00" + strconv.Itoa(a.Period)
}

// planGroups makes the groups of list, found holding the series of each
// query alarm, in the order the alarms name them.
func planGroups(list []alarms.Alarm, found [][][]alarms.Dimension) []*group {
	var groups []*group
	byKey := map[string]*group{}
	for i, a := range list {
		key := groupKey(a)
		g := byKey[key]
		if g == nil {
			g = &group{namespace: a.Namespace, metric: a.Metric, statistic: a.Statistic, period: a.Period, index: map[string]int{}}
			byKey[key] = g
			groups = append(groups, g)
		}
		r := reader{alarm: i}
		if a.IsQuery() {
			for _, dims := range found[i] {
				r.series = append(r.series, g.add(dims))
			}
		} else {
			dims := append([]alarms.Dimension(nil), a.Dimensions...)
			sortDimensions(dims)
			r.series = []int{g.add(dims)}
		}
		g.readers = append(g.readers, r)
	}
	return groups
}

// span sets the periods fetched: from the one start is in to the one
// before end.
func (g *group) span(start, end time.Time) {
	g.start = evaluator.PeriodStart(start, g.period)
	g.periods = int(ceilDiv(max(end.Unix()-g.start.Unix(), 0), int64(g.period)))
}

// add is the index of the series of these dimensions (sorted by name),
// added when new.
func (g *group) add(dims []alarms.Dimension) int {
	key := dimensionsKey(dims)
	i, ok := g.index[key]
	if !ok {
		i = len(g.series)
		g.index[key] = i
		g.series = append(g.series, dims)
	}
	return i
}

func (g *group) String() string {
	return fmt.Sprintf("%s %s %s %d s", g.namespace, g.metric, g.statistic, g.period)
}

// A Cost is what reading some series costs: how many, the datapoints
// CloudWatch counts (every period of the time range of each, data or
// not), the GetMetricData requests at the least, and the least time at
// CloudWatch's datapoints a second.
type Cost struct {
	Series, Datapoints, Requests int
	Least                        time.Duration
}

// cost is what fetching g costs, its start seen from now.
func (g *group) cost(now time.Time) Cost {
	c := Cost{Series: len(g.series), Datapoints: len(g.series) * g.periods}
	for first := 0; first < len(g.series); first += MaxQueriesPerRequest {
		n := min(MaxQueriesPerRequest, len(g.series)-first)
		c.Requests += max(1, int(ceilDiv(int64(n*g.periods), MaxDatapointsPerRequest)))
	}
	rate := DatapointsPerSecond
	if !g.start.Before(now.Add(-3 * time.Hour)) {
		rate = RecentDatapointsPerSecond
	}
	c.Least = time.Duration(math.Ceil(float64(c.Datapoints) / float64(rate) * float64(time.Second)))
	return c
}

func (c *Cost) add(o Cost) {
	c.Series += o.Series
	c.Datapoints += o.Datapoints
	c.Requests += o.Requests
	c.Least += o.Least
}

// fetch reads g's series with GetMetricData: up to MaxQueriesPerRequest
// queries a request, every page of each, one query per series. values[i]
// holds series i's datapoints, one a period from g.start on, NaN where a
// period has none; nil for a series without any. request numbers the
// requests across the groups, of about total.
func (g *group) fetch(ctx context.Context, api MetricDataAPI, end time.Time, stats *FetchStats, request func() string, progress io.Writer) ([][]float64, error) {
	values := make([][]float64, len(g.series))
	p := int64(g.period)
	stats.Metrics += len(g.series)
	for first := 0; first < len(g.series); first += MaxQueriesPerRequest {
		batch := g.series[first:min(first+MaxQueriesPerRequest, len(g.series))]
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(g.start), EndTime: aws.Time(end),
			ScanBy: types.ScanByTimestampAscending,
		}
		for i, dims := range batch {
			dimensions := make([]types.Dimension, len(dims))
			for j, d := range dims {
				dimensions[j] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
			}
			in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{
				Id: aws.String("m" + strconv.Itoa(first+i)),
				MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String(g.namespace), MetricName: aws.String(g.metric), Dimensions: dimensions},
					Period: aws.Int32(int32(g.period)),
					Stat:   aws.String(g.statistic),
				},
				ReturnData: aws.Bool(true),
			})
		}
		pages := cloudwatch.NewGetMetricDataPaginator(api, in)
		for pages.HasMorePages() {
			stats.Requests++
			if progress != nil {
				fmt.Fprintf(progress, "GetMetricData: request %s: %s, series %d-%d of %d\n", request(), g, first+1, first+len(batch), len(g.series))
			}
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, r := range out.MetricDataResults {
				i, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.Id), "m"))
				if err != nil || i < first || i >= first+len(batch) || len(r.Timestamps) != len(r.Values) {
					return nil, fmt.Errorf("GetMetricData answered with a result %q that was not asked for", aws.ToString(r.Id))
				}
				for k, ts := range r.Timestamps {
					// The start is a multiple of the period, so are the
					// timestamps; another stands for the period it falls
					// in, the later of two of a period kept, as the
					// evaluator does.
					j := int64(evaluator.PeriodStart(ts, g.period).Sub(g.start) / (time.Duration(p) * time.Second))
					if j < 0 || j >= int64(g.periods) {
						continue
					}
					if values[i] == nil {
						values[i] = make([]float64, g.periods)
						for x := range values[i] {
							values[i][x] = math.NaN()
						}
					}
					values[i][j] = r.Values[k]
				}
			}
		}
	}
	return values, nil
}

// ceilDiv is a/b rounded up, for a ≥ 0 and b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
