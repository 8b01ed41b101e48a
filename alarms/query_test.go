package alarms

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestExpression(t *testing.T) {
	streams := &Query{GroupBy: []string{"StreamName"}}
	for _, c := range []struct {
		name  string
		alarm Alarm
		want  string
	}{
		{
			"the issue's own example", Alarm{Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded", Statistic: "Sum", Comparison: GreaterThanThreshold, Query: streams},
			`SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`,
		},
		{
			"less than: the lowest first", Alarm{Namespace: "AWS/Kinesis", Metric: "GetRecords.Success", Statistic: "Average", Comparison: LessThanOrEqualToThreshold, Query: streams},
			`SELECT AVG("GetRecords.Success") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY AVG() ASC LIMIT 500`,
		},
		{
			"exclusions and consumers", Alarm{Namespace: "AWS/Kinesis", Metric: "SubscribeToShard.RateExceeded", Statistic: "SampleCount", Comparison: GreaterThanOrEqualToThreshold,
				Query: &Query{GroupBy: []string{"ConsumerName", "StreamName"}, Exclude: []string{"a.b", "c_d"}}},
			`SELECT COUNT("SubscribeToShard.RateExceeded") FROM SCHEMA("AWS/Kinesis", ConsumerName, StreamName) WHERE StreamName != 'a.b' AND StreamName != 'c_d' GROUP BY ConsumerName, StreamName ORDER BY COUNT() DESC LIMIT 500`,
		},
		{
			"quotes escaped", Alarm{Namespace: `My"NS`, Metric: `it's`, Statistic: "Maximum", Comparison: LessThanThreshold,
				Query: &Query{GroupBy: []string{"Stream Name"}, Exclude: []string{`o'k`}}},
			`SELECT MAX("it\'s") FROM SCHEMA("My\"NS", "Stream Name") WHERE StreamName != 'o\'k' GROUP BY "Stream Name" ORDER BY MAX() ASC LIMIT 500`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.alarm.Expression()
			if err != nil || got != c.want {
				t.Errorf("Expression() = %q, %v\nwant %q", got, err, c.want)
			}
		})
	}
	for _, bad := range []Alarm{
		{Name: "per-stream", Statistic: "Sum"},
		{Name: "p99", Statistic: "p99", Query: streams},
	} {
		if got, err := bad.Expression(); err == nil {
			t.Errorf("%s: %q, want an error", bad.Name, got)
		}
	}
	if _, err := QueryFunction("p99"); err == nil || !strings.Contains(err.Error(), "percentiles") {
		t.Errorf("p99: %v, want the reason", err)
	}
	for _, s := range Statistics {
		if _, err := QueryFunction(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

func TestQueryMatches(t *testing.T) {
	q := Query{GroupBy: []string{"ConsumerName", "StreamName"}, Exclude: []string{"own"}}
	for _, c := range []struct {
		dims []Dimension
		want bool
	}{
		{[]Dimension{{"StreamName", "s"}, {"ConsumerName", "c"}}, true},
		{[]Dimension{{"StreamName", "own"}, {"ConsumerName", "c"}}, false}, // excluded
		{[]Dimension{{"StreamName", "s"}}, false},                          // not the schema's dimensions
		{[]Dimension{{"StreamName", "s"}, {"ConsumerName", "c"}, {"ShardId", "x"}}, false},
		{[]Dimension{{"StreamName", "s"}, {"Operation", "c"}}, false},
	} {
		if got := q.Matches(c.dims); got != c.want {
			t.Errorf("%v: %v, want %v", c.dims, got, c.want)
		}
	}
}

func TestForEstate(t *testing.T) {
	s := Stream{RetentionHours: 24, Watched: true}
	set := Settings{Name: "ignored", Description: "Triggers on throttled writes", Threshold: 1, Comparison: GreaterThanThreshold, Statistic: "Sum",
		Period: 60, EvaluationPeriods: 1, TreatMissingData: MissingDataNotBreaching, Recommended: true, Thresholds: Thresholds{"putRecordsFailedRecords": 5},
		Consumers: []Consumer{{Name: "not-used"}}}
	got := ForEstate(s, set, Estate{Stack: "kinesis-monitoring", Exclude: []string{"b", "a", "b"}, Consumers: true, ConsumerThresholds: Thresholds{"rateExceeded": 2}})
	if want := 1 + len(RecommendedSet) + len(ConsumerSet); len(got) != want {
		t.Fatalf("%d alarms, want %d", len(got), want)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
		switch {
		case a.Query == nil || len(a.Dimensions) != 0:
			t.Errorf("%s: not a query alarm: %+v", a.Name, a)
		case !slices.Equal(a.Query.Exclude, []string{"a", "b"}):
			t.Errorf("%s excludes %v", a.Name, a.Query.Exclude)
		case !strings.HasPrefix(a.Description, "Covers every "):
			t.Errorf("%s: description %q", a.Name, a.Description)
		}
		if _, err := a.Expression(); err != nil {
			t.Errorf("%s: %v", a.Name, err)
		}
	}
	wantNames := []string{"kinesis-monitoring/all-streams/write-throttled", "kinesis-monitoring/all-streams/iterator-age",
		"kinesis-monitoring/all-streams/read-throttled", "kinesis-monitoring/all-streams/sustained-write-throttling",
		"kinesis-monitoring/all-streams/putrecords-failed", "kinesis-monitoring/all-streams/getrecords-success",
		"kinesis-monitoring/all-streams/putrecord-success", "kinesis-monitoring/all-consumers/millis-behind-latest",
		"kinesis-monitoring/all-consumers/subscribe-rate-exceeded", "kinesis-monitoring/all-consumers/subscribe-success"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("names %q\nwant %q", names, wantNames)
	}
	// Each keeps its kind's settings.
	if w := got[0]; w.ID != "all_streams_write_throttle_alarm" || w.Threshold != 1 || w.Statistic != "Sum" || !strings.HasSuffix(w.Description, set.Description) ||
		!slices.Equal(w.Query.GroupBy, []string{"StreamName"}) {
		t.Errorf("write throttling: %+v", w)
	}
	if f := got[4]; f.Threshold != 5 || f.Datapoints() != RecommendedEvaluationPeriods {
		t.Errorf("putrecords-failed: threshold %v, %d of %d", f.Threshold, f.Datapoints(), f.EvaluationPeriods)
	}
	if c := got[len(got)-2]; c.Threshold != 2 || !slices.Equal(c.Query.GroupBy, []string{"ConsumerName", "StreamName"}) || c.ID != "all_consumers_subscribe_rate_exceeded" {
		t.Errorf("consumer rate: %+v", c)
	}
	if off := ForEstate(s, Settings{Name: "w", Comparison: GreaterThanThreshold, Statistic: "Sum"}, Estate{Stack: "x"}); len(off) != 1 || strings.Contains(off[0].Description, "left out") {
		t.Errorf("the specification's kind only: %d alarms, %q", len(off), off[0].Description)
	}
}

// ParseExpression reads back every query alarm the stack makes, exactly:
// with and without exclusions, over streams and over consumers, each kind
// and each direction of ORDER BY.
func TestParseExpressionRoundTrip(t *testing.T) {
	s := Stream{RetentionHours: 24, Watched: true}
	set := Settings{Threshold: 1, Comparison: GreaterThanThreshold, Statistic: "Sum", Period: 60, EvaluationPeriods: 1,
		TreatMissingData: MissingDataNotBreaching, Recommended: true}
	for _, exclude := range [][]string{nil, {"orders", "it's", "a.b_c-1"}} {
		for _, statistic := range Statistics {
			set.Statistic = statistic
			for _, a := range ForEstate(s, set, Estate{Stack: "kinesis-monitoring", Exclude: exclude, Consumers: true}) {
				t.Run(fmt.Sprintf("%s/%s/%d excluded", a.Name, statistic, len(exclude)), func(t *testing.T) {
					got, err := ParseExpression(a.MustExpression(), a.Comparison)
					if err != nil {
						t.Fatal(err)
					}
					want := Alarm{Namespace: a.Namespace, Metric: a.Metric, Statistic: a.Statistic, Comparison: a.Comparison, Query: a.Query}
					if diff := Diff(got, want); diff != nil {
						t.Errorf("%s: %q", a.MustExpression(), diff)
					}
					if again := got.MustExpression(); again != a.MustExpression() {
						t.Errorf("written again: %s\nwant %s", again, a.MustExpression())
					}
				})
			}
		}
	}
}

// Anything but the stack's own form of query is refused, with the reason.
func TestParseExpressionRefuses(t *testing.T) {
	const own = `SELECT SUM("WriteProvisionedThroughputExceeded") FROM SCHEMA("AWS/Kinesis", StreamName) WHERE StreamName != 'a' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`
	if _, err := ParseExpression(own, GreaterThanThreshold); err != nil {
		t.Fatalf("the stack's own form: %v", err)
	}
	// Keywords in any case, and names quoted or not, are the same query.
	lower := `select sum(WriteProvisionedThroughputExceeded) from schema("AWS/Kinesis", "StreamName") where StreamName != 'a' group by StreamName order by sum() desc limit 500`
	if a, err := ParseExpression(lower, GreaterThanThreshold); err != nil || a.Statistic != "Sum" || a.Query.Exclude[0] != "a" {
		t.Errorf("lower case: %+v, %v", a, err)
	}
	for _, c := range []struct {
		name, expression string
		comparison       Comparison
		reason           string
	}{
		{"metric math", "m1/PERIOD(m1)", GreaterThanThreshold, "it does not start with SELECT"},
		{"FROM a namespace", `SELECT SUM("IncomingBytes") FROM "AWS/Kinesis" GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, "not FROM SCHEMA"},
		{"a function without a statistic", `SELECT PERCENTILE("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY PERCENTILE() DESC LIMIT 500`, GreaterThanThreshold, "function PERCENTILE has no statistic"},
		{"no dimensions", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis") GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, "SCHEMA names no dimension"},
		{"a WHERE that keeps", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) WHERE StreamName = 'a' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, `"="`},
		{"a WHERE with OR", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) WHERE StreamName != 'a' OR StreamName != 'b' GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, "no GROUP BY"},
		{"a WHERE on another dimension", `SELECT SUM("SubscribeToShardEvent.MillisBehindLatest") FROM SCHEMA("AWS/Kinesis", ConsumerName, StreamName) WHERE ConsumerName != 'a' GROUP BY ConsumerName, StreamName ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, "its WHERE filters on ConsumerName"},
		{"no GROUP BY", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) ORDER BY SUM() DESC LIMIT 500`, GreaterThanThreshold, "no GROUP BY"},
		{"grouped by less than the schema", `SELECT MAX("SubscribeToShardEvent.MillisBehindLatest") FROM SCHEMA("AWS/Kinesis", ConsumerName, StreamName) GROUP BY StreamName ORDER BY MAX() DESC LIMIT 500`, GreaterThanThreshold, "not by the SCHEMA's dimensions"},
		{"no ORDER BY", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName LIMIT 500`, GreaterThanThreshold, "no ORDER BY"},
		{"ordered by another function", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY MAX() DESC LIMIT 500`, GreaterThanThreshold, "orders by MAX() but selects SUM()"},
		{"the lowest first for a greater-than alarm", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() ASC LIMIT 500`, GreaterThanOrEqualToThreshold, "orders ASC while the alarm breaches above"},
		{"the highest first for a less-than alarm", `SELECT AVG("GetRecords.Success") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY AVG() DESC LIMIT 500`, LessThanThreshold, "orders DESC while the alarm breaches below"},
		{"no direction", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() LIMIT 500`, GreaterThanThreshold, "neither DESC nor ASC"},
		{"LIMIT 10", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() DESC LIMIT 10`, GreaterThanThreshold, "LIMIT is 10, not 500"},
		{"no LIMIT", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() DESC`, GreaterThanThreshold, "no LIMIT"},
		{"something after LIMIT", `SELECT SUM("IncomingBytes") FROM SCHEMA("AWS/Kinesis", StreamName) GROUP BY StreamName ORDER BY SUM() DESC LIMIT 500 , x`, GreaterThanThreshold, "goes on after LIMIT 500"},
		{"a quote not closed", `SELECT SUM("IncomingBytes) FROM SCHEMA("AWS/Kinesis", StreamName)`, GreaterThanThreshold, "is not closed"},
		{"an anomaly band's comparison", own, "GreaterThanUpperThreshold", "not one on a static threshold"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseExpression(c.expression, c.comparison)
			if err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("ParseExpression = %+v, %v; want an error with %q", a, err, c.reason)
			}
		})
	}
}
