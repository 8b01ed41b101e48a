package backtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// MaxQueriesPerRequest is how many metric queries one GetMetricData request
// takes (GetMetricData API reference, MetricDataQueries).
const MaxQueriesPerRequest = 500

// MetricDataAPI is the one CloudWatch call the backtest makes; the SDK's
// *cloudwatch.Client has it.
type MetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// metricKey is what makes two alarms read the same datapoints: the metric,
// its dimensions, the statistic and the period.
func metricKey(a alarms.Alarm) string {
	var b strings.Builder
	b.WriteString(a.Namespace + "\x00" + a.Metric)
	for _, d := range a.Dimensions {
		b.WriteString("\x00" + d.Name + "=" + d.Value)
	}
	b.WriteString("\x00" + a.Statistic + "\x00" + strconv.Itoa(a.Period))
	return b.String()
}

// FetchStats counts what a fetch cost.
type FetchStats struct {
	Metrics  int // distinct metric queries (alarms reading the same datapoints share one)
	Requests int // GetMetricData requests, pages included
}

// Fetch reads the datapoints of every alarm's metric between start
// (inclusive) and end (exclusive), aggregated with the alarm's statistic over
// its period, with GetMetricData: up to MaxQueriesPerRequest queries per
// request, every page of each. Alarms on the same metric, statistic and
// period share one query. The result holds the datapoints of alarm i at
// index i, in time order. progress, when not nil, gets a line per request.
func Fetch(ctx context.Context, api MetricDataAPI, list []alarms.Alarm, start, end time.Time, progress io.Writer) ([][]evaluator.Point, FetchStats, error) {
	var stats FetchStats
	// One query per distinct metric, in the order the alarms name them.
	index := map[string]int{}
	var queries []alarms.Alarm
	slot := make([]int, len(list))
	for i, a := range list {
		key := metricKey(a)
		q, seen := index[key]
		if !seen {
			q = len(queries)
			index[key] = q
			queries = append(queries, a)
		}
		slot[i] = q
	}
	stats.Metrics = len(queries)
	series := make([][]evaluator.Point, len(queries))
	batches := (len(queries) + MaxQueriesPerRequest - 1) / MaxQueriesPerRequest
	for b := 0; b < batches; b++ {
		first := b * MaxQueriesPerRequest
		batch := queries[first:min(first+MaxQueriesPerRequest, len(queries))]
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(start), EndTime: aws.Time(end),
			ScanBy: types.ScanByTimestampAscending,
		}
		for i, a := range batch {
			dimensions := make([]types.Dimension, len(a.Dimensions))
			for j, d := range a.Dimensions {
				dimensions[j] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
			}
			in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{
				Id: aws.String("m" + strconv.Itoa(first+i)),
				MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String(a.Namespace), MetricName: aws.String(a.Metric), Dimensions: dimensions},
					Period: aws.Int32(int32(a.Period)),
					Stat:   aws.String(a.Statistic),
				},
				ReturnData: aws.Bool(true),
			})
		}
		pages := cloudwatch.NewGetMetricDataPaginator(api, in)
		for pages.HasMorePages() {
			stats.Requests++
			if progress != nil {
				fmt.Fprintf(progress, "GetMetricData: request %d (metrics %d-%d of %d)\n", stats.Requests, first+1, first+len(batch), len(queries))
			}
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, stats, err
			}
			for _, r := range out.MetricDataResults {
				q, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.Id), "m"))
				if err != nil || q < first || q >= first+len(batch) || len(r.Timestamps) != len(r.Values) {
					return nil, stats, fmt.Errorf("GetMetricData answered with a result %q that was not asked for", aws.ToString(r.Id))
				}
				for k, ts := range r.Timestamps {
					series[q] = append(series[q], evaluator.Point{Time: ts, Value: r.Values[k]})
				}
			}
		}
	}
	out := make([][]evaluator.Point, len(list))
	for q := range series {
		// Pages come in time order per query; sort anyway, as the API does
		// not promise it across pages, and drop repeated timestamps.
		slices.SortStableFunc(series[q], func(x, y evaluator.Point) int { return x.Time.Compare(y.Time) })
		series[q] = slices.CompactFunc(series[q], func(x, y evaluator.Point) bool { return x.Time.Equal(y.Time) })
	}
	for i := range list {
		out[i] = series[slot[i]]
	}
	return out, stats, nil
}
