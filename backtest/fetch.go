package backtest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// MaxQueriesPerRequest is how many metric queries one GetMetricData request
// takes (GetMetricData API reference, MetricDataQueries).
const MaxQueriesPerRequest = 500

// MetricDataAPI is the CloudWatch calls the backtest makes: GetMetricData
// for the datapoints, ListMetrics for the series of a query alarm. The
// SDK's *cloudwatch.Client has them.
type MetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}

// FetchStats counts what a fetch cost.
type FetchStats struct {
	Metrics  int // distinct metric queries (alarms reading the same datapoints share one)
	Requests int // GetMetricData requests, pages included
	// ListRequests are the ListMetrics requests that found the query
	// alarms' series, pages included.
	ListRequests int
}

func (s *FetchStats) add(o FetchStats) {
	s.Metrics += o.Metrics
	s.Requests += o.Requests
	s.ListRequests += o.ListRequests
}

// Fetch reads the datapoints of every alarm's metric between start
// (inclusive; from the start of the period it is in) and end (exclusive),
// aggregated with the alarm's statistic over its period, with
// GetMetricData: up to MaxQueriesPerRequest queries per request, every page
// of each. Alarms on the same metric, statistic and period share one
// query. The result holds the datapoints of alarm i at index i, in time
// order. progress, when not nil, gets a line per request. A query alarm's
// series are many: Run finds and replays them, Fetch refuses it.
func Fetch(ctx context.Context, api MetricDataAPI, list []alarms.Alarm, start, end time.Time, progress io.Writer) ([][]evaluator.Point, FetchStats, error) {
	var stats FetchStats
	for _, a := range list {
		if a.IsQuery() {
			return nil, stats, fmt.Errorf("alarm %s is a query alarm: its series are many, and Run replays them", a.Name)
		}
	}
	out := make([][]evaluator.Point, len(list))
	n := 0
	request := func() string { n++; return strconv.Itoa(n) }
	groups := planGroups(list, nil)
	for _, g := range groups {
		g.span(start, end)
	}
	for _, b := range batches(groups) {
		values, err := b.fetch(ctx, api, end, &stats, request, progress)
		if err != nil {
			return nil, stats, err
		}
		for gi, g := range b {
			for _, r := range g.readers {
				k := r.series[0]
				out[r.alarm] = evaluator.Series{Start: g.start, Values: values[gi][k]}.Points(list[r.alarm].PeriodDuration())
			}
		}
	}
	return out, stats, nil
}
