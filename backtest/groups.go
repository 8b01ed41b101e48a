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

// A batch is groups read together. Small groups share GetMetricData
// requests, up to MaxQueriesPerRequest series in all, so that a stack's few
// alarms on several metrics take one request; a group of more series is a
// batch of its own. A batch's datapoints are held while its groups are
// replayed, then let go: memory stays bounded by the larger of one group
// and MaxQueriesPerRequest series.
type batch []*group

// batches packs the groups, in their order, into batches.
func batches(groups []*group) []batch {
	var out []batch
	n := 0
	for _, g := range groups {
		if len(out) == 0 || n+len(g.series) > MaxQueriesPerRequest {
			out = append(out, nil)
			n = 0
		}
		out[len(out)-1] = append(out[len(out)-1], g)
		n += len(g.series)
	}
	return out
}

// start is the first period any of the batch's groups fetches.
func (b batch) start() time.Time {
	start := b[0].start
	for _, g := range b[1:] {
		if g.start.Before(start) {
			start = g.start
		}
	}
	return start
}

// query is one series of a batch: its group and its index there.
type query struct{ group, series int }

func (b batch) queries() []query {
	var out []query
	for gi, g := range b {
		for i := range g.series {
			out = append(out, query{gi, i})
		}
	}
	return out
}

// cost is what fetching b costs, its start seen from now.
func (b batch) cost(now time.Time) Cost {
	var c Cost
	qs := b.queries()
	for first := 0; first < len(qs); first += MaxQueriesPerRequest {
		datapoints := 0
		for _, q := range qs[first:min(first+MaxQueriesPerRequest, len(qs))] {
			datapoints += b[q.group].periods
		}
		c.Requests += max(1, int(ceilDiv(int64(datapoints), MaxDatapointsPerRequest)))
		c.Datapoints += datapoints
	}
	c.Series = len(qs)
	rate := DatapointsPerSecond
	if !b.start().Before(now.Add(-3 * time.Hour)) {
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

// fetch reads the series of b's groups with GetMetricData: up to
// MaxQueriesPerRequest queries a request, every page of each, one query per
// series, from the earliest of the groups' starts. values[g][i] holds
// series i of group g's datapoints, one a period from the group's start
// on, NaN where a period has none; nil for a series without any. request
// numbers the requests across the batches, of about total.
func (b batch) fetch(ctx context.Context, api MetricDataAPI, end time.Time, stats *FetchStats, request func() string, progress io.Writer) ([][][]float64, error) {
	values := make([][][]float64, len(b))
	for gi, g := range b {
		values[gi] = make([][]float64, len(g.series))
	}
	qs := b.queries()
	stats.Metrics += len(qs)
	for first := 0; first < len(qs); first += MaxQueriesPerRequest {
		chunk := qs[first:min(first+MaxQueriesPerRequest, len(qs))]
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(b.start()), EndTime: aws.Time(end),
			ScanBy: types.ScanByTimestampAscending,
		}
		for k, q := range chunk {
			g := b[q.group]
			dims := g.series[q.series]
			dimensions := make([]types.Dimension, len(dims))
			for j, d := range dims {
				dimensions[j] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
			}
			in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{
				Id: aws.String("m" + strconv.Itoa(first+k)),
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
				fmt.Fprintf(progress, "GetMetricData: request %s: %s, series %d-%d of %d\n", request(), b, first+1, first+len(chunk), len(qs))
			}
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, r := range out.MetricDataResults {
				k, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.Id), "m"))
				if err != nil || k < first || k >= first+len(chunk) || len(r.Timestamps) != len(r.Values) {
					return nil, fmt.Errorf("GetMetricData answered with a result %q that was not asked for", aws.ToString(r.Id))
				}
				q := qs[k]
				g := b[q.group]
				for x, ts := range r.Timestamps {
					// The start is a multiple of the period, so are the
					// timestamps; another stands for the period it falls
					// in, the later of two of a period kept, as the
					// evaluator does. A period before the group's start
					// (an earlier group's in the batch) is not its.
					j := int64(evaluator.PeriodStart(ts, g.period).Sub(g.start) / (time.Duration(g.period) * time.Second))
					if j < 0 || j >= int64(g.periods) {
						continue
					}
					v := values[q.group][q.series]
					if v == nil {
						v = make([]float64, g.periods)
						for y := range v {
							v[y] = math.NaN()
						}
						values[q.group][q.series] = v
					}
					v[j] = r.Values[x]
				}
			}
		}
	}
	return values, nil
}

// String names the batch's groups for the progress lines.
func (b batch) String() string {
	if len(b) == 1 {
		return b[0].String()
	}
	return fmt.Sprintf("%d metrics (%s, …)", len(b), b[0])
}

// ceilDiv is a/b rounded up, for a ≥ 0 and b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
