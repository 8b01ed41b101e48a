package backtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// A query alarm's series are found with ListMetrics: its namespace, its
// metric, and a dimension filter with each name of its GROUP BY, every
// page ("Up to 500 results are returned for any one call. To retrieve
// additional results, use the returned token with subsequent calls.",
// ListMetrics API reference); the filter returns a metric that has those
// dimensions and others too, so each metric is kept only when the query
// matches it (alarms.Query.Matches: exactly the GROUP BY's dimensions, as
// SCHEMA says, and a stream not excluded). "ListMetrics doesn't return
// information about metrics if those metrics haven't reported data in the
// past two weeks": a series whose data stopped more than two weeks ago is
// not found, and its datapoints of a window of 15 days are not replayed.

// listKey is one ListMetrics listing: a metric and the names of the
// dimensions filtered on.
type listKey struct {
	namespace, metric, groupBy string
}

func listKeyOf(a alarms.Alarm) listKey {
	return listKey{a.Namespace, a.Metric, strings.Join(slices.Sorted(slices.Values(a.Query.GroupBy)), "\x00")}
}

// discover finds the series of each query alarm of list: found[i] holds
// alarm i's, for a query alarm, sorted by their dimensions. Alarms on the
// same metric and GROUP BY share one listing. stats gets the ListMetrics
// requests.
func discover(ctx context.Context, api MetricDataAPI, list []alarms.Alarm, stats *FetchStats, progress io.Writer) ([][][]alarms.Dimension, error) {
	found := make([][][]alarms.Dimension, len(list))
	listed := map[listKey][][]alarms.Dimension{}
	for i, a := range list {
		if !a.IsQuery() {
			continue
		}
		key := listKeyOf(a)
		metrics, seen := listed[key]
		if !seen {
			var err error
			metrics, err = listMetrics(ctx, api, a, stats, progress)
			if err != nil {
				return nil, fmt.Errorf("listing the series of alarm %s (%s %s by %s): %w", a.Name, a.Namespace, a.Metric, strings.Join(a.Query.GroupBy, ", "), err)
			}
			listed[key] = metrics
		}
		for _, dims := range metrics {
			if a.Query.Matches(dims) {
				found[i] = append(found[i], dims)
			}
		}
		if progress != nil {
			fmt.Fprintf(progress, "alarm %s: %d series (of %d metrics listed)\n", a.Name, len(found[i]), len(metrics))
		}
	}
	return found, nil
}

// listMetrics lists the metrics with the query alarm's namespace, metric
// and GROUP BY dimensions (and maybe others), every page, each once, with
// its dimensions sorted by name.
func listMetrics(ctx context.Context, api MetricDataAPI, a alarms.Alarm, stats *FetchStats, progress io.Writer) ([][]alarms.Dimension, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(a.Namespace), MetricName: aws.String(a.Metric)}
	for _, name := range a.Query.GroupBy {
		in.Dimensions = append(in.Dimensions, types.DimensionFilter{Name: aws.String(name)})
	}
	var out [][]alarms.Dimension
	seen := map[string]bool{}
	pages := cloudwatch.NewListMetricsPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		stats.ListRequests++
		if err != nil {
			return nil, err
		}
		for _, m := range page.Metrics {
			if aws.ToString(m.Namespace) != a.Namespace || aws.ToString(m.MetricName) != a.Metric {
				continue
			}
			dims := make([]alarms.Dimension, len(m.Dimensions))
			for j, d := range m.Dimensions {
				dims[j] = alarms.Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)}
			}
			sortDimensions(dims)
			if key := dimensionsKey(dims); !seen[key] {
				seen[key] = true
				out = append(out, dims)
			}
		}
		if progress != nil {
			fmt.Fprintf(progress, "ListMetrics: request %d, %s %s by %s: %d metrics so far\n",
				stats.ListRequests, a.Namespace, a.Metric, strings.Join(a.Query.GroupBy, ", "), len(out))
		}
	}
	slices.SortFunc(out, func(x, y []alarms.Dimension) int { return strings.Compare(dimensionsKey(x), dimensionsKey(y)) })
	return out, nil
}

// sortDimensions sorts dimensions by name, then value.
func sortDimensions(dims []alarms.Dimension) {
	slices.SortFunc(dims, func(x, y alarms.Dimension) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Value, y.Value))
	})
}

// dimensionsKey is dimensions (sorted by name) as one string.
func dimensionsKey(dims []alarms.Dimension) string {
	var b strings.Builder
	for _, d := range dims {
		b.WriteString(d.Name + "=" + d.Value + "\x00")
	}
	return b.String()
}
