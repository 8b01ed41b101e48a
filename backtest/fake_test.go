package backtest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/evaluator"
)

// fakeCloudWatch answers ListMetrics and GetMetricData as CloudWatch does,
// from metrics and datapoints held in memory, and counts the calls.
type fakeCloudWatch struct {
	// metrics are what ListMetrics lists, in this order, listPage a page.
	metrics  []types.Metric
	listed   map[string]bool // by dataKey without a statistic
	listPage int
	// data are the datapoints of each metric and statistic, by dataKey,
	// already aggregated over one-minute periods.
	data map[string][]evaluator.Point
	// dataPage is the most datapoints a GetMetricData page holds.
	dataPage int
	// refuse, when not nil, is what every call of that operation answers.
	refuse map[string]error

	mu sync.Mutex
	// The calls: ListMetrics requests, GetMetricData requests, and the
	// queries asked, by dataKey and period.
	lists, gets int
	queries     map[string]int
}

func newFake() *fakeCloudWatch {
	return &fakeCloudWatch{listPage: 500, dataPage: MaxDatapointsPerRequest, listed: map[string]bool{}, data: map[string][]evaluator.Point{}, queries: map[string]int{}}
}

// dataKey names a metric's series with a statistic.
func dataKey(namespace, metric string, dims []alarms.Dimension, statistic string) string {
	dims = slices.Clone(dims)
	sortDimensions(dims)
	return namespace + "|" + metric + "|" + dimensionsKey(dims) + "|" + statistic
}

// put adds a metric with these dimensions and its datapoints for the
// statistic (ListMetrics lists it once).
func (f *fakeCloudWatch) put(namespace, metric string, dims []alarms.Dimension, statistic string, points []evaluator.Point) {
	m := types.Metric{Namespace: aws.String(namespace), MetricName: aws.String(metric)}
	for _, d := range dims {
		m.Dimensions = append(m.Dimensions, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	if key := dataKey(namespace, metric, dims, ""); !f.listed[key] {
		f.listed[key] = true
		f.metrics = append(f.metrics, m)
	}
	f.data[dataKey(namespace, metric, dims, statistic)] = points
}

func fromSDK(ds []types.Dimension) []alarms.Dimension {
	var out []alarms.Dimension
	for _, d := range ds {
		out = append(out, alarms.Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	return out
}

// ListMetrics lists the metrics of the namespace and name that have every
// dimension filtered on (and maybe others), listPage a page.
func (f *fakeCloudWatch) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if err := f.refuse["ListMetrics"]; err != nil {
		return nil, err
	}
	var match []types.Metric
	for _, m := range f.metrics {
		if aws.ToString(m.Namespace) != aws.ToString(in.Namespace) || aws.ToString(m.MetricName) != aws.ToString(in.MetricName) {
			continue
		}
		all := true
		for _, filter := range in.Dimensions {
			all = all && slices.ContainsFunc(m.Dimensions, func(d types.Dimension) bool {
				return aws.ToString(d.Name) == aws.ToString(filter.Name) && (filter.Value == nil || aws.ToString(d.Value) == aws.ToString(filter.Value))
			})
		}
		if all {
			match = append(match, m)
		}
	}
	from, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &cloudwatch.ListMetricsOutput{Metrics: match[from:min(from+f.listPage, len(match))]}
	if from+f.listPage < len(match) {
		out.NextToken = aws.String(strconv.Itoa(from + f.listPage))
	}
	return out, nil
}

// GetMetricData answers the queries' datapoints in [StartTime, EndTime),
// dataPage datapoints a page across the queries, in their order.
func (f *fakeCloudWatch) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if err := f.refuse["GetMetricData"]; err != nil {
		return nil, err
	}
	if len(in.MetricDataQueries) > MaxQueriesPerRequest {
		return nil, fmt.Errorf("%d queries, more than %d", len(in.MetricDataQueries), MaxQueriesPerRequest)
	}
	skip, _ := strconv.Atoi(aws.ToString(in.NextToken))
	if skip == 0 && in.NextToken == nil {
		for _, q := range in.MetricDataQueries {
			s := q.MetricStat
			f.queries[dataKey(aws.ToString(s.Metric.Namespace), aws.ToString(s.Metric.MetricName), fromSDK(s.Metric.Dimensions), aws.ToString(s.Stat))+"|"+strconv.Itoa(int(aws.ToInt32(s.Period)))]++
		}
	}
	out := &cloudwatch.GetMetricDataOutput{}
	n, seen := 0, 0 // datapoints in this page, and before it
	for _, q := range in.MetricDataQueries {
		s := q.MetricStat
		r := types.MetricDataResult{Id: q.Id}
		for _, p := range f.data[dataKey(aws.ToString(s.Metric.Namespace), aws.ToString(s.Metric.MetricName), fromSDK(s.Metric.Dimensions), aws.ToString(s.Stat))] {
			if p.Time.Before(aws.ToTime(in.StartTime)) || !p.Time.Before(aws.ToTime(in.EndTime)) {
				continue
			}
			seen++
			if seen <= skip {
				continue
			}
			if n == f.dataPage {
				out.NextToken = aws.String(strconv.Itoa(skip + n))
				break
			}
			r.Timestamps = append(r.Timestamps, p.Time)
			r.Values = append(r.Values, p.Value)
			n++
		}
		if len(r.Timestamps) > 0 || out.NextToken == nil {
			out.MetricDataResults = append(out.MetricDataResults, r)
		}
		if out.NextToken != nil {
			break
		}
	}
	return out, nil
}

// minutely is one datapoint a minute in [from, to) of value(minute).
func minutely(from, to time.Time, value func(m int) float64) []evaluator.Point {
	var out []evaluator.Point
	for at := from; at.Before(to); at = at.Add(time.Minute) {
		out = append(out, evaluator.Point{Time: at, Value: value(int(at.Sub(t0) / time.Minute))})
	}
	return out
}

func streamDims(name string) []alarms.Dimension {
	return []alarms.Dimension{{Name: "StreamName", Value: name}}
}
