package alarms

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A query alarm watches every series of its metric at once: its value is a
// CloudWatch Metrics Insights query that returns one time series per stream
// (or per consumer of a stream), and CloudWatch evaluates each series as a
// contributor with a state of its own, ALARM or OK, and a notification of
// its own ("Create an alarm based on a Multi Time Series Metrics Insights
// query", CloudWatch User Guide). A stream created later joins the alarm by
// itself, once it reports the metric.
//
// The limits that apply, from the User Guide's pages "Limits" (of alarms),
// "Metrics Insights quotas" and the PutMetricAlarm and GetMetricData API
// references (MetricDataQuery.Expression).
const (
	// QueryLimit is how many series a query returns at most: LIMIT's
	// largest value. With ORDER BY, all the matched series are sorted and
	// the first QueryLimit evaluated; the alarm's evaluation state is then
	// PARTIAL_DATA.
	QueryLimit = 500
	// MaxQueryMetrics is how many metrics a query processes; past it, the
	// first MaxQueryMetrics CloudWatch finds, and PARTIAL_DATA.
	MaxQueryMetrics = 10000
	// MaxQueryLength is the longest query, in characters.
	MaxQueryLength = 2048
	// MaxQueryAlarms is CloudWatch's default quota of alarms on Metrics
	// Insights queries per account and region.
	MaxQueryAlarms = 200
	// MaxQueryEvaluation is how much of the most recent data a query alarm
	// evaluates.
	MaxQueryEvaluation = 3 * time.Hour
	// MaxContributorsInAlarm is how many contributors CloudWatch holds in
	// ALARM at once ("100+ time series evaluated to ALARM").
	MaxContributorsInAlarm = 100
	// MinQueryPeriod is the shortest period of a query: Metrics Insights
	// does not serve high-resolution data and aggregates it to one-minute
	// periods.
	MinQueryPeriod = 60
)

// Query makes an alarm a Metrics Insights query alarm over every series of
// its namespace and metric whose dimensions are exactly GroupBy (the
// query's SCHEMA), grouped by them: each combination of their values is a
// contributor.
type Query struct {
	// GroupBy are the dimensions of a series, in the order the query
	// lists them: StreamName, or ConsumerName and StreamName.
	GroupBy []string
	// Exclude are the streams left out (WHERE StreamName != '…' AND …):
	// the stack's own stream, the streams with alarms of their own, and
	// those the configuration excludes. Sorted, without repeats.
	Exclude []string
}

// ExcludeDimension is the dimension that Query.Exclude names values of.
const ExcludeDimension = "StreamName"

// queryFunctions are the Metrics Insights functions of the statistics an
// alarm takes ("Metrics Insights query components and syntax": AVG, COUNT,
// MAX, MIN and SUM).
var queryFunctions = map[string]string{
	"Sum": "SUM", "Average": "AVG", "Maximum": "MAX", "Minimum": "MIN", "SampleCount": "COUNT",
}

// QueryFunction is the Metrics Insights function that computes the
// statistic, or an error saying why none does.
func QueryFunction(statistic string) (string, error) {
	if f, ok := queryFunctions[statistic]; ok {
		return f, nil
	}
	return "", fmt.Errorf("statistic %q has no Metrics Insights function: a query aggregates with AVG, COUNT, MAX, MIN or SUM only "+
		"(Average, SampleCount, Maximum, Minimum, Sum), not percentiles or other extended statistics", statistic)
}

// IsQuery says whether the alarm is a query alarm.
func (a Alarm) IsQuery() bool { return a.Query != nil }

// Expression is the query alarm's Metrics Insights query:
//
//	SELECT FN("metric") FROM SCHEMA("namespace", Dim, …) [WHERE StreamName != 'x' AND …] GROUP BY Dim, … ORDER BY FN() DESC|ASC LIMIT 500
//
// ORDER BY runs so that the series most likely to breach come first, and
// so are among the QueryLimit evaluated however many match: the highest
// first for a GreaterThan comparison, the lowest first for a LessThan one.
// The text is Select's. It fails for a statistic without a Metrics
// Insights function, or an alarm that is not a query alarm.
func (a Alarm) Expression() (string, error) {
	if a.Query == nil {
		return "", fmt.Errorf("alarm %q is not a query alarm", a.Name)
	}
	fn, err := QueryFunction(a.Statistic)
	if err != nil {
		return "", err
	}
	return Select{Function: fn, Namespace: a.Namespace, Metric: a.Metric, Schema: a.Query.GroupBy,
		Exclude: a.Query.Exclude, Descending: a.Comparison.Greater(), Limit: QueryLimit}.String(), nil
}

// MustExpression is Expression for an alarm known to have one (a validated
// configuration's); it panics otherwise.
func (a Alarm) MustExpression() string {
	e, err := a.Expression()
	if err != nil {
		panic(err)
	}
	return e
}

// ParseExpression is the inverse of Expression: it reads the query of a
// query alarm whose comparison is c, and returns the alarm's Namespace,
// Metric, Statistic (from the query's function), Query and Comparison, its
// other attributes empty. It takes only the query Expression writes, and
// refuses any other with the reason: another shape of query (FROM a
// namespace, a WHERE other than leaving streams out, no GROUP BY by the
// SCHEMA's dimensions), a function without a statistic, an ORDER BY in the
// direction that would let breaching series fall past LIMIT for c, a
// LIMIT other than QueryLimit.
func ParseExpression(expression string, c Comparison) (Alarm, error) {
	s, err := parseSelect(expression)
	if err != nil {
		return Alarm{}, fmt.Errorf("the query is not one the stack writes: %w", err)
	}
	statistic := ""
	for stat, fn := range queryFunctions {
		if fn == s.Function {
			statistic = stat
		}
	}
	if statistic == "" {
		return Alarm{}, fmt.Errorf("the query's function %s has no statistic: a query alarm aggregates with AVG, COUNT, MAX, MIN or SUM", s.Function)
	}
	if !c.Valid() {
		return Alarm{}, fmt.Errorf("comparison %q is not one on a static threshold, so the query's ORDER BY cannot be checked", c)
	}
	if s.Descending != c.Greater() {
		want := map[bool]string{true: "DESC", false: "ASC"}
		return Alarm{}, fmt.Errorf("the query orders %s while the alarm breaches %s the threshold (%s): past %d series the breaching ones would be left out; the stack writes ORDER BY %s() %s",
			want[s.Descending], map[bool]string{true: "above", false: "below"}[c.Greater()], c, QueryLimit, s.Function, want[c.Greater()])
	}
	if s.Limit != QueryLimit {
		return Alarm{}, fmt.Errorf("the query's LIMIT is %d, not %d: the stack's query alarms evaluate as many series as CloudWatch returns", s.Limit, QueryLimit)
	}
	return Alarm{Namespace: s.Namespace, Metric: s.Metric, Statistic: statistic, Comparison: c,
		Query: &Query{GroupBy: s.Schema, Exclude: s.Exclude}}, nil
}

// Estate says which query alarms watch the streams of a region that have no
// alarms of their own (watchAllStreams).
type Estate struct {
	// Stack names the alarms: <Stack>/all-streams/<kind> and
	// <Stack>/all-consumers/<kind>.
	Stack string
	// Exclude are the streams left out of every query, sorted.
	Exclude []string
	// Consumers adds the consumer alarms over every enhanced fan-out
	// consumer of those streams, with these thresholds.
	Consumers          bool
	ConsumerThresholds Thresholds
}

// Name prefixes of the query alarms. A stream's name cannot hold "/", so
// no per-stream alarm name (<stream>-…) starts like these.
const (
	AllStreams   = "all-streams"
	AllConsumers = "all-consumers"
)

// The prefix of the query alarms' resource IDs.
const (
	allStreamsID   = "all_streams_"
	allConsumersID = "all_consumers_"
)

// ForEstate computes the query alarms of an estate: one for the
// write-throttling alarm of the specification, one for each recommended
// alarm when set.Recommended is on, and one for each consumer alarm with
// e.Consumers, each with the settings of the per-stream alarm of its kind
// (s gives the retention the defaults follow). set.Name is not used: the
// names are <stack>/all-streams/write-throttled, <stack>/all-streams/
// iterator-age, … and <stack>/all-consumers/millis-behind-latest, ….
func ForEstate(s Stream, set Settings, e Estate) []Alarm {
	exclude := slices.Compact(slices.Sorted(slices.Values(e.Exclude)))
	streams := &Query{GroupBy: []string{"StreamName"}, Exclude: exclude}
	consumers := &Query{GroupBy: []string{"ConsumerName", "StreamName"}, Exclude: exclude}
	set.Consumers = nil
	var out []Alarm
	for _, a := range ForStream(s, set) {
		a.Dimensions = nil
		a.Query = streams
		a.Name = e.Stack + "/" + AllStreams + "/" + kindName(a.ID)
		a.ID = allStreamsID + a.ID
		a.Description = estateDescription(len(exclude), "stream", "StreamName") + a.Description
		out = append(out, a)
	}
	if e.Consumers {
		for _, r := range ConsumerSet {
			a := r.alarm(s, allConsumersID+r.ID, e.Stack+"/"+AllConsumers+"/"+strings.TrimPrefix(r.NameSuffix, "-"), nil, e.ConsumerThresholds)
			a.Query = consumers
			a.Description = estateDescription(len(exclude), "enhanced fan-out consumer", "ConsumerName and StreamName") + a.Description
			out = append(out, a)
		}
	}
	return out
}

// kindName is the last part of a query alarm's name for the per-stream
// alarm of that ID: write-throttled, iterator-age, read-throttled, ….
func kindName(id string) string {
	if id == WriteThrottleID {
		return "write-throttled"
	}
	for _, r := range RecommendedSet {
		if r.ID == id {
			return strings.TrimPrefix(r.NameSuffix, "-")
		}
	}
	panic("alarms: no kind name for " + id)
}

// estateDescription opens a query alarm's description: what it covers and
// what a contributor is.
func estateDescription(excluded int, what, attribute string) string {
	but := ""
	if excluded > 0 {
		but = fmt.Sprintf(", but the %d streams left out of the query", excluded)
	}
	return fmt.Sprintf("Covers every %s of the region%s: each is a contributor, named by %s, with an ALARM or OK state and a notification of its own. ", what, but, attribute)
}

// Matches says whether a metric of these dimensions is one of the query's
// series: exactly the dimensions of GroupBy (SCHEMA), and a stream not
// excluded.
func (q Query) Matches(dimensions []Dimension) bool {
	if len(dimensions) != len(q.GroupBy) {
		return false
	}
	for _, name := range q.GroupBy {
		i := slices.IndexFunc(dimensions, func(d Dimension) bool { return d.Name == name })
		if i < 0 {
			return false
		}
		if name == ExcludeDimension && slices.Contains(q.Exclude, dimensions[i].Value) {
			return false
		}
	}
	return true
}
