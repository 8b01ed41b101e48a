package evaluator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// The example tables of "How alarm state is evaluated when data is missing",
// on "Configuring how CloudWatch alarms treat missing data",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
// (formerly on AlarmThatSendsEmail.html; quoted from the guide's source,
// https://github.com/awsdocs/amazon-cloudwatch-user-guide/blob/b35549706cab03cdcd0a8df9956a2381c0315642/doc_source/AlarmThatSendsEmail.md):
//
// "In the first table, Datapoints to Alarm and Evaluation Periods are both
// 3. CloudWatch retrieves the 5 most recent data points when evaluating the
// alarm, in case some of the most recent 3 data points are missing. 5 is
// the evaluation range for the alarm. Column 1 shows the 5 most recent data
// points, because the evaluation range is 5. These data points are shown
// with the most recent data point on the right. 0 is a non-breaching data
// point, X is a breaching data point, and - is a missing data point."
//
//	| Data points | # of data points that must be filled | MISSING | IGNORE | BREACHING | NOT BREACHING |
//	| 0 - X - X   | 0 | OK                | OK                   | OK    | OK    |
//	| 0 - - - -   | 2 | OK                | OK                   | OK    | OK    |
//	| - - - - -   | 3 | INSUFFICIENT_DATA | Retain current state | ALARM | OK    |
//	| 0 X X - X   | 0 | ALARM             | ALARM                | ALARM | ALARM |
//	| - - X - -   | 2 | ALARM             | Retain current state | ALARM | OK    |
//
// "In the next table, the Period is again set to 5 minutes, and Datapoints
// to Alarm is only 2 while Evaluation Periods is 3. This is a 2 out of 3, M
// out of N alarm. The evaluation range is 5."
//
//	| Data points | # of missing data points | MISSING | IGNORE | BREACHING | NOT BREACHING |
//	| 0 - X - X   | 0 | ALARM | ALARM                | ALARM | ALARM |
//	| 0 0 X 0 X   | 0 | ALARM | ALARM                | ALARM | ALARM |
//	| 0 - X - -   | 1 | OK    | OK                   | ALARM | OK    |
//	| - - - - 0   | 2 | OK    | OK                   | ALARM | OK    |
//	| - - - X -   | 2 | ALARM | Retain current state | ALARM | OK    |
var guideTables = []tableRow{
	{3, "0 - X - X", 0, "OK", "OK", "OK", "OK"},
	{3, "0 - - - -", 2, "OK", "OK", "OK", "OK"},
	{3, "- - - - -", 3, "INSUFFICIENT_DATA", retain, "ALARM", "OK"},
	{3, "0 X X - X", 0, "ALARM", "ALARM", "ALARM", "ALARM"},
	{3, "- - X - -", 2, "ALARM", retain, "ALARM", "OK"},

	{2, "0 - X - X", 0, "ALARM", "ALARM", "ALARM", "ALARM"},
	{2, "0 0 X 0 X", 0, "ALARM", "ALARM", "ALARM", "ALARM"},
	{2, "0 - X - -", 1, "OK", "OK", "ALARM", "OK"},
	{2, "- - - - 0", 2, "OK", "OK", "ALARM", "OK"},
	{2, "- - - X -", 2, "ALARM", retain, "ALARM", "OK"},
}

// Rows of earlier revisions of the same tables that the current ones
// dropped without contradicting them (the premature-transition rows were
// rewritten, these were not), from the guide's source history:
//
// revision of 16 January 2019 (72266c733fe0d9f183ca8e7b1120869691b0fc6e),
// 3 of 3:
//
//	| - - - - X | 2 | Insufficient data | Retain current state | ALARM | OK |
//	| X - - - - | 2 | ALARM             | Retain current state | ALARM | OK |
//
// "In the sixth row, the alarm goes to ALARM state even if missing data is
// treated as missing, because the oldest evaluated data point is breaching
// and there aren't any non-breaching data points."
//
// revision of 24 June 2019 (d444eedf50fd3127aa855ae3c8d51bb0b7cba8dd),
// 2 of 3:
//
//	| - - - - X | 2 | INSUFFICIENT_DATA | Retain current state | ALARM | OK |
var earlierRevisionRows = []tableRow{
	{3, "- - - - X", 2, "INSUFFICIENT_DATA", retain, "ALARM", "OK"},
	{2, "- - - - X", 2, "INSUFFICIENT_DATA", retain, "ALARM", "OK"},
	{3, "X - - - -", 2, "ALARM", retain, "ALARM", "OK"},
}

const retain = "Retain current state"

// tableRow is one row: an alarm of 3 evaluation periods and m datapoints to
// alarm, the 5 datapoints of its evaluation range (oldest first), the
// number of datapoints to fill, and the state under each treatment.
type tableRow struct {
	m                                        int
	pattern                                  string
	filled                                   int
	missing, ignore, breaching, notBreaching string
}

func (row tableRow) want(treatment string) string {
	switch treatment {
	case alarms.MissingDataMissing:
		return row.missing
	case alarms.MissingDataIgnore:
		return row.ignore
	case alarms.MissingDataBreaching:
		return row.breaching
	}
	return row.notBreaching
}

func TestGuideTables(t *testing.T) {
	rows := append(append([]tableRow(nil), guideTables...), earlierRevisionRows...)
	for _, row := range rows {
		for _, treatment := range alarms.MissingDataTreatments {
			for _, prior := range []State{OK, Alarm} {
				name := fmt.Sprintf("%d of 3 %s %s after %s", row.m, row.pattern, treatment, prior)
				if err := checkRow(row, treatment, prior, row.want(treatment)); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
	}
}

// A check of a row reports a state that differs from the expected one.
func TestGuideTablesCheckFails(t *testing.T) {
	row := guideTables[2] // - - - - -
	if err := checkRow(row, alarms.MissingDataBreaching, OK, "OK"); err == nil {
		t.Error("a wrong state (OK for breaching, all missing) was not reported")
	}
	if err := checkRow(row, alarms.MissingDataIgnore, Alarm, "OK"); err == nil {
		t.Error("a wrong state (OK instead of keeping ALARM) was not reported")
	}
	wrongFill := row
	wrongFill.filled = 2
	if err := checkRow(wrongFill, alarms.MissingDataMissing, OK, row.missing); err == nil {
		t.Error("a wrong number of filled datapoints was not reported")
	}
}

// checkRow replays the row: three datapoints that put the alarm in prior
// (all breaching for ALARM, none for OK), then the row's five, and checks
// the state after the evaluation whose range is exactly the row's five
// datapoints, and its number of filled datapoints. "Retain current state"
// expects the state of the evaluation before, which must be prior.
func checkRow(row tableRow, treatment string, prior State, want string) error {
	a := alarms.Alarm{
		Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: row.m,
		Threshold: 1, Comparison: alarms.GreaterThanThreshold, TreatMissingData: treatment,
	}
	p := a.PeriodDuration()
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) // the row's evaluation
	priorValue := 0.0
	if prior == Alarm {
		priorValue = 2
	}
	var points []Point
	for i := 8; i >= 6; i-- {
		points = append(points, Point{at.Add(-time.Duration(i) * p), priorValue})
	}
	slots := strings.Fields(row.pattern)
	if len(slots) != EvaluationRange(a) {
		return fmt.Errorf("pattern %q has %d datapoints, the range %d", row.pattern, len(slots), EvaluationRange(a))
	}
	for i, s := range slots {
		when := at.Add(-time.Duration(len(slots)-i) * p)
		switch s {
		case "X":
			points = append(points, Point{when, 2})
		case "0":
			points = append(points, Point{when, 0})
		}
	}
	var evals []Evaluation
	EvaluateEach(a, points, at.Add(-6*p), at, func(e Evaluation) { evals = append(evals, e) })
	if len(evals) < 2 || !evals[len(evals)-1].Time.Equal(at) {
		return fmt.Errorf("the replay did not end with an evaluation at %v: %v", at, evals)
	}
	before, final := evals[len(evals)-2], evals[len(evals)-1]
	if want == retain {
		if before.State != prior {
			return fmt.Errorf("the state before the row is %s, not %s: the setup does not test retention", before.State, prior)
		}
		want = prior.String()
	}
	if final.State.String() != want {
		return fmt.Errorf("state %s, want %s", final.State, want)
	}
	if final.Filled != row.filled {
		return fmt.Errorf("%d datapoints filled, want %d", final.Filled, row.filled)
	}
	return nil
}
