package alarms

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	base := Alarm{
		ID: "write_throttle_alarm", Name: "s-write-throttled", Description: "Triggers when writes are throttled",
		Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded",
		Dimensions: []Dimension{{"StreamName", "s"}, {"ConsumerName", "c"}},
		Statistic:  "Sum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2,
		Threshold: 1, Comparison: GreaterThanThreshold, TreatMissingData: MissingDataNotBreaching,
	}
	cases := []struct {
		name   string
		change func(*Alarm)
		want   []string
	}{
		{"the same alarm", func(*Alarm) {}, nil},
		{"another resource name only", func(a *Alarm) { a.ID = "watched/s" }, nil},
		{"the dimensions in another order", func(a *Alarm) { slices.Reverse(a.Dimensions) }, nil},
		{"a threshold", func(a *Alarm) { a.Threshold = 43200000 }, []string{"threshold: 43200000, want 1"}},
		{"a description", func(a *Alarm) { a.Description = "Fires" }, []string{`description: "Fires", want "Triggers when writes are throttled"`}},
		{"a comparison", func(a *Alarm) { a.Comparison = LessThanThreshold },
			[]string{`comparison: "LessThanThreshold", want "GreaterThanThreshold"`}},
		{"a dimension's value", func(a *Alarm) { a.Dimensions = []Dimension{{"StreamName", "t"}, {"ConsumerName", "c"}} },
			[]string{"dimensions: {ConsumerName=c, StreamName=t}, want {ConsumerName=c, StreamName=s}"}},
		{"a dimension missing", func(a *Alarm) { a.Dimensions = a.Dimensions[:1] },
			[]string{"dimensions: {StreamName=s}, want {ConsumerName=c, StreamName=s}"}},
		{"M of N not set, though equal to N", func(a *Alarm) { a.DatapointsToAlarm, a.EvaluationPeriods = 0, 2 },
			[]string{"evaluation periods: 2, want 3", "datapoints to alarm: 0, want 2"}},
		{"two attributes, in the order of the fields", func(a *Alarm) { a.TreatMissingData, a.Period = MissingDataBreaching, 300 },
			[]string{"period: 300, want 60", `treat missing data: "breaching", want "notBreaching"`}},
		{"a query alarm against one on a metric", func(a *Alarm) { a.Query = &Query{GroupBy: []string{"StreamName"}} },
			[]string{"query: grouped by [StreamName], excluding [], want none"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := base
			got.Dimensions = slices.Clone(base.Dimensions)
			c.change(&got)
			if diff := Diff(got, base); !slices.Equal(diff, c.want) {
				t.Errorf("Diff = %q, want %q", diff, c.want)
			}
		})
	}
}

// Two queries compare by their dimensions and the streams they leave out;
// none left out is the same written as nil or as an empty list.
func TestDiffQuery(t *testing.T) {
	want := Alarm{Query: &Query{GroupBy: []string{"StreamName"}, Exclude: []string{"y"}}}
	for _, c := range []struct {
		name string
		got  *Query
		want []string
	}{
		{"the same", &Query{GroupBy: []string{"StreamName"}, Exclude: []string{"y"}}, nil},
		{"another stream left out", &Query{GroupBy: []string{"StreamName"}, Exclude: []string{"x"}},
			[]string{"query: grouped by [StreamName], excluding [x], want grouped by [StreamName], excluding [y]"}},
		{"grouped by consumers too", &Query{GroupBy: []string{"ConsumerName", "StreamName"}, Exclude: []string{"y"}},
			[]string{"query: grouped by [ConsumerName, StreamName], excluding [y], want grouped by [StreamName], excluding [y]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := Diff(Alarm{Query: c.got}, want); !slices.Equal(diff, c.want) {
				t.Errorf("Diff = %q, want %q", diff, c.want)
			}
		})
	}
	none := Alarm{Query: &Query{GroupBy: []string{"StreamName"}}}
	if diff := Diff(Alarm{Query: &Query{GroupBy: []string{"StreamName"}, Exclude: []string{}}}, none); diff != nil {
		t.Errorf("none left out, nil and empty: %q", diff)
	}
}

// Differences gives each attribute's name and both values apart, for a
// caller that words them its own way; the same alarm has none.
func TestDifferences(t *testing.T) {
	a := Alarm{Name: "n", Threshold: 1, Comparison: GreaterThanThreshold, TreatMissingData: MissingDataNotBreaching}
	b := a
	b.Threshold, b.TreatMissingData = 4, MissingDataBreaching
	want := []Difference{{"threshold", "1", "4"}, {"treat missing data", `"notBreaching"`, `"breaching"`}}
	if got := Differences(a, b); !slices.Equal(got, want) {
		t.Errorf("Differences = %q, want %q", got, want)
	}
	if got := Differences(a, a); got != nil {
		t.Errorf("Differences of an alarm with itself = %q, want none", got)
	}
}
