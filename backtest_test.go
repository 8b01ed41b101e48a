package main

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// Package backtest says what is wrong in its own terms; the command says it
// with the flags that set it, and exits 2 before reading anything.
func TestBacktestRefusesAWindowNamingItsFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want []string // in stderr, in this order
	}{
		{"an end before the start", []string{"--start", "2026-11-20T01:00:00Z", "--end", "2026-11-20T00:00:00Z"},
			[]string{"backtest: the window is empty: --end 2026-11-20T00:00:00Z is not after --start 2026-11-20T01:00:00Z; allowed: an end after the start\n"}},
		{"a window in the future", []string{"--start", "2099-01-01T00:00:00Z", "--end", "2099-01-02T00:00:00Z"},
			[]string{"backtest: the window ends in the future: --end 2099-01-02T00:00:00Z is after now (", "); allowed: an end up to now\n"}},
		{"older than CloudWatch keeps one-minute data", []string{"--days", "16"},
			[]string{"backtest: the window starts ", ", before CloudWatch keeps data at the period of alarm xfusion-kinesis-alarm (60 s: 15 days back, so from ",
				"); allowed: --start or --days within that\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(append([]string{"backtest"}, c.args...), &stdout, &stderr)
			if code != exitBadInput || !testkit.InOrder(stderr.String(), c.want) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit %d, want %d with one line holding %q:\n%s", code, exitBadInput, c.want, stderr.String())
			}
		})
	}
}

// refused is CloudWatch's refusal of an operation, as the SDK returns it.
func refused(operation string) error {
	return &smithy.OperationError{ServiceID: "CloudWatch", OperationName: operation, Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}}
}

// explain turns package backtest's typed errors into the command's words;
// other errors are CloudWatch's, each naming the permission of the call
// refused.
func TestBacktestErrorsInTheCommandsWords(t *testing.T) {
	denied := &fs.PathError{Op: "open", Path: "charts/st--a.png", Err: syscall.EACCES}
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"a chart not written", &backtest.ChartError{Stack: "st", Alarm: "a", Err: denied}, "--chart: open charts/st--a.png: permission denied"},
		{"a chart error wrapped", fmt.Errorf("replaying: %w", &backtest.ChartError{Stack: "st", Alarm: "a", Err: denied}), "--chart: open charts/st--a.png: permission denied"},
		{"an empty window", &backtest.WindowError{Problem: backtest.WindowEmpty, Window: backtest.Window{Start: now, End: now}, Now: now},
			"the window is empty: --end 2026-11-20T00:00:00Z is not after --start 2026-11-20T00:00:00Z; allowed: an end after the start"},
		{"ListMetrics refused", fmt.Errorf("reading the metrics in us-east-1: listing the series of alarm st/all-streams/write-throttled: %w", refused("ListMetrics")),
			"reading the metrics in us-east-1: listing the series of alarm st/all-streams/write-throttled: operation error CloudWatch: ListMetrics, api error AccessDenied: not authorized\n" +
				"CloudWatch refused ListMetrics (AccessDenied), which finds the series of the query alarms (watchAllStreams); check the credentials' permission cloudwatch:ListMetrics"},
		{"GetMetricData refused", fmt.Errorf("reading the metrics in us-east-1: %w", refused("GetMetricData")),
			"reading the metrics in us-east-1: operation error CloudWatch: GetMetricData, api error AccessDenied: not authorized\n" +
				"CloudWatch refused GetMetricData (AccessDenied); check the credentials' permission cloudwatch:GetMetricData"},
		{"CloudWatch too slow", fmt.Errorf("reading the metrics in us-east-1: %w", context.DeadlineExceeded),
			"reading the metrics in us-east-1: context deadline exceeded\nCloudWatch did not answer within --timeout 5s (throttled requests are retried with backoff until then); try again later, a shorter window, or a longer --timeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := explain(c.err, 5*time.Second); got != c.want {
				t.Errorf("explain:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}
