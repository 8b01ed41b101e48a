package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The exit codes of `backtest` (docs/tuning-alarms.md).
const (
	exitOK       = 0
	exitFailed   = 1 // AWS could not be read, or a file not written
	exitBadInput = 2 // a bad flag, setting or window: nothing was read
	exitGate     = 3 // some alarm went to ALARM more than --max-alarms times
)

// backtestCommand runs `backtest [flags]`: it replays every alarm the stack
// would deploy over CloudWatch's metric history. It starts no jsii kernel.
func backtestCommand(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("backtest", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var (
		stack     = flags.String("stack", "", "replay the alarms of this stack only (default: every stack)")
		startText = flags.String("start", "", "the window's start, RFC 3339 (with --end; instead of --days)")
		endText   = flags.String("end", "", "the window's end, RFC 3339 (with --start)")
		days      = flags.Int("days", 14, "the window: the last N days up to now")
		jsonFile  = flags.String("json", "", "write the report as JSON to this file")
		chartDir  = flags.String("chart", "", fmt.Sprintf("write one PNG per alarm into this directory (per contributor that went to ALARM of a query alarm, at most %d an alarm)", backtest.ChartsPerQueryAlarm))
		suggest   = flags.Int("suggest", -1, "suggest each alarm's threshold at which it would have gone to ALARM at most N times (a query alarm: each of its contributors)")
		maxAlarms = flags.Int("max-alarms", -1, "exit 3 when an alarm would have gone to ALARM more than N times (a query alarm: its contributors, all counted)")
		timeout   = flags.Duration("timeout", 10*time.Minute, "give up reading CloudWatch after this long (retries of throttled requests included)")
	)
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: kinesis-monitoring backtest [flags]\n\n"+
			"Replays every alarm of the stack over CloudWatch's metric history (docs/tuning-alarms.md).\n"+
			"Exit codes: 0 done, 1 CloudWatch could not be read, 2 bad input, 3 --max-alarms exceeded.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadInput
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "backtest: "+format+"\n", a...)
		return exitBadInput
	}
	var problems []string
	if flags.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("%q is not a flag; allowed: the flags below (kinesis-monitoring backtest -h)", flags.Arg(0)))
	}
	now := time.Now().UTC()
	window := backtest.Window{Start: now.Add(-time.Duration(*days) * 24 * time.Hour), End: now}
	switch {
	case set["start"] != set["end"]:
		problems = append(problems, "--start and --end go together; allowed: both, or --days alone")
	case set["start"] && set["days"]:
		problems = append(problems, "--days is set with --start and --end; allowed: one of the two")
	case set["start"]:
		start, err1 := time.Parse(time.RFC3339, *startText)
		end, err2 := time.Parse(time.RFC3339, *endText)
		if err1 != nil {
			problems = append(problems, fmt.Sprintf("--start %q is not an RFC 3339 time; allowed: such as 2026-11-20T00:00:00Z", *startText))
		}
		if err2 != nil {
			problems = append(problems, fmt.Sprintf("--end %q is not an RFC 3339 time; allowed: such as 2026-11-27T00:00:00Z", *endText))
		}
		window = backtest.Window{Start: start, End: end}
	case *days < 1:
		problems = append(problems, fmt.Sprintf("--days %d is out of range; allowed: a whole number of days, 1 or more (CloudWatch keeps one-minute data 15 days)", *days))
	}
	if set["suggest"] && *suggest < 0 {
		problems = append(problems, fmt.Sprintf("--suggest %d is out of range; allowed: 0 or more times in ALARM", *suggest))
	}
	if set["max-alarms"] && *maxAlarms < 0 {
		problems = append(problems, fmt.Sprintf("--max-alarms %d is out of range; allowed: 0 or more times in ALARM", *maxAlarms))
	}
	if *timeout <= 0 {
		problems = append(problems, fmt.Sprintf("--timeout %s is out of range; allowed: a positive duration such as 10m", *timeout))
	}
	configs, err := config.Load()
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return bad("%s", strings.Join(problems, "\nbacktest: "))
	}
	targets, err := backtestTargets(configs, *stack)
	if err != nil {
		return bad("%v", err)
	}
	var list []alarms.Alarm
	for _, t := range targets {
		list = append(list, t.Alarm)
	}
	if err := window.Check(now, list); err != nil {
		return bad("%s", explain(err, *timeout))
	}
	if *chartDir != "" {
		if err := os.MkdirAll(*chartDir, 0o755); err != nil {
			return bad("--chart %q: %v", *chartDir, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	clients := map[string]*cloudwatch.Client{}
	for _, t := range targets {
		if clients[t.Region] != nil {
			continue
		}
		client, err := cloudWatchClient(ctx, t.Region)
		if err != nil {
			fmt.Fprintf(stderr, "backtest: %v\n", err)
			return exitFailed
		}
		clients[t.Region] = client
	}
	report, stats, err := backtest.Run(ctx, func(region string) backtest.MetricDataAPI { return clients[region] }, targets, backtest.Options{
		Window: window, Now: now, Suggest: *suggest, ChartDir: *chartDir, Progress: stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "backtest: %s\n", explain(err, *timeout))
		return exitFailed
	}
	listed := ""
	if stats.ListRequests > 0 {
		listed = fmt.Sprintf(", the query alarms' series found in %d ListMetrics requests", stats.ListRequests)
	}
	fmt.Fprintf(stderr, "replayed %d alarms from %s to %s: %d metrics in %d GetMetricData requests%s\n",
		len(targets), stamp(window.Start), stamp(window.End), stats.Metrics, stats.Requests, listed)
	if err := report.WriteTable(stdout); err != nil {
		return exitFailed
	}
	if *jsonFile != "" {
		var data bytes.Buffer
		err := report.WriteJSON(&data)
		if err == nil {
			err = os.WriteFile(*jsonFile, data.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "backtest: --json %q: %v\n", *jsonFile, err)
			return exitFailed
		}
	}
	if set["max-alarms"] {
		if over := report.Over(*maxAlarms); len(over) > 0 {
			fmt.Fprintf(stderr, "backtest: %d alarm(s) would have gone to ALARM more than --max-alarms %d times: %s\n", len(over), *maxAlarms, strings.Join(over, ", "))
			return exitGate
		}
	}
	return exitOK
}

// cloudWatchClient is a CloudWatch client for the region with the standard
// credential chain (and AWS_ENDPOINT_URL, as every SDK honours it). Throttled
// requests are retried with backoff, within the command's timeout.
func cloudWatchClient(ctx context.Context, region string) (*cloudwatch.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region), awsconfig.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.MaxBackoff = 20 * time.Second
			o.RateLimiter = ratelimit.None
			// Nothing listening, or no such host: retrying does not help.
			o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				var dns *net.DNSError
				if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &dns) && dns.IsNotFound) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, o.Retryables...)
		})
	}))
	if err != nil {
		return nil, fmt.Errorf("the AWS configuration cannot be read: %v; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", err)
	}
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(checkCtx); err != nil {
		return nil, fmt.Errorf("no AWS credentials to read CloudWatch in %s: %v; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them", region, firstLine(err))
	}
	return cloudwatch.NewFromConfig(cfg), nil
}

// explain says in the command's words what went wrong: the flags that set
// what package backtest refused, or what to do when CloudWatch could not be
// read.
func explain(err error, timeout time.Duration) string {
	var window *backtest.WindowError
	var chart *backtest.ChartError
	var api smithy.APIError
	var netErr *net.OpError
	// The call refused: GetMetricData, or ListMetrics for the series of a
	// query alarm.
	operation := "GetMetricData"
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) && opErr.OperationName != "" {
		operation = opErr.OperationName
	}
	switch {
	case errors.As(err, &window):
		return windowWords(window)
	case errors.As(err, &chart):
		return "--chart: " + chart.Err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%v\nCloudWatch did not answer within --timeout %s (throttled requests are retried with backoff until then); try again later, a shorter window, or a longer --timeout", firstLine(err), timeout)
	case errors.As(err, &api) && (api.ErrorCode() == "Throttling" || api.ErrorCode() == "ThrottlingException"):
		return fmt.Sprintf("%v\nCloudWatch throttled %s through every retry; try again later or with a shorter window", firstLine(err), operation)
	case errors.As(err, &netErr):
		endpoint := os.Getenv("AWS_ENDPOINT_URL")
		if endpoint == "" {
			endpoint = "the CloudWatch endpoint of the region"
		}
		return fmt.Sprintf("%v\nCloudWatch cannot be reached at %s; check the network, or AWS_ENDPOINT_URL", firstLine(err), endpoint)
	case errors.As(err, &api) && operation == "ListMetrics":
		return fmt.Sprintf("%v\nCloudWatch refused ListMetrics (%s), which finds the series of the query alarms (watchAllStreams); check the credentials' permission cloudwatch:ListMetrics", firstLine(err), api.ErrorCode())
	case errors.As(err, &api):
		return fmt.Sprintf("%v\nCloudWatch refused %s (%s); check the credentials' permission cloudwatch:%s", firstLine(err), operation, api.ErrorCode(), operation)
	}
	return err.Error()
}

// windowWords says what is wrong with the window, naming the flags that
// set it.
func windowWords(e *backtest.WindowError) string {
	switch e.Problem {
	case backtest.WindowEmpty:
		return fmt.Sprintf("the window is empty: --end %s is not after --start %s; allowed: an end after the start", stamp(e.Window.End), stamp(e.Window.Start))
	case backtest.WindowInFuture:
		return fmt.Sprintf("the window ends in the future: --end %s is after now (%s); allowed: an end up to now", stamp(e.Window.End), stamp(e.Now))
	}
	// The alarm, its period and its retention, in package backtest's words.
	return e.Error() + "; allowed: --start or --days within that"
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// backtestTargets are the alarms the stacks deploy (of one stack, when
// stack is not ""), each with its stack and region: the values the stack
// turns into resources.
func backtestTargets(configs []config.Config, stack string) ([]backtest.Target, error) {
	var stacks []string
	var targets []backtest.Target
	for _, c := range configs {
		stacks = append(stacks, c.StackID())
		if stack != "" && c.StackID() != stack {
			continue
		}
		for _, a := range c.Alarms() {
			targets = append(targets, backtest.Target{Stack: c.StackID(), Region: c.Region, Alarm: a})
		}
	}
	if stack != "" && !slices.Contains(stacks, stack) {
		return nil, fmt.Errorf("--stack %q is not a stack of this app; allowed: %s", stack, strings.Join(stacks, ", "))
	}
	return targets, nil
}
