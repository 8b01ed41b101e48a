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
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The exit codes of `backtest` (docs/tuning-alarms.md).
const (
	exitOK       = 0
	exitFailed   = 1 // AWS (CloudWatch, the state) could not be read, or a file not written
	exitBadInput = 2 // a bad flag, setting or window: nothing was read
	exitGate     = 3 // some alarm went to ALARM more than --max-alarms times, or an incident was lost (--fail-on-lost-incidents)
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
		maxAlarms = flags.Int("max-alarms", -1, "exit 3 when an alarm would have gone to ALARM more than N times (a query alarm: its contributors, all counted; with --compare: the configured alarms)")
		timeout   = flags.Duration("timeout", 10*time.Minute, "give up reading CloudWatch after this long (retries of throttled requests included)")
		compare   = flags.String("compare", "", "replay the alarms deployed now too, over the same history, and report what the configured ones would have done differently: "+backtest.Against)
		failLost  = flags.Bool("fail-on-lost-incidents", false, "with --compare: exit 3 when the configured alarms would have missed an incident the deployed ones raised")
	)
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: kinesis-monitoring backtest [flags]\n\n"+
			"Replays every alarm of the stack over CloudWatch's metric history (docs/tuning-alarms.md).\n"+
			"Exit codes: 0 done, 1 CloudWatch (or the state) could not be read, 2 bad input, 3 --max-alarms exceeded\n"+
			"or, with --fail-on-lost-incidents, an incident the deployed alarms raised lost.\n\nFlags:\n")
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
	if set["compare"] && *compare != backtest.Against {
		problems = append(problems, fmt.Sprintf("--compare %q is not allowed; allowed: %s (the alarms deployed now)", *compare, backtest.Against))
	}
	if *failLost && !set["compare"] {
		problems = append(problems, "--fail-on-lost-incidents is set without --compare; allowed: with --compare "+backtest.Against)
	}
	if set["compare"] && set["suggest"] {
		problems = append(problems, "--suggest is set with --compare; allowed: one of the two (--suggest replays the configured alarms alone)")
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
	clients := map[string]cloudWatchAPI{}
	for _, t := range targets {
		if clients[t.Region] != nil {
			continue
		}
		client, err := newCloudWatch(ctx, t.Region)
		if err != nil {
			fmt.Fprintf(stderr, "backtest: %v\n", err)
			return exitFailed
		}
		clients[t.Region] = client
	}
	client := func(region string) backtest.MetricDataAPI { return clients[region] }
	opt := backtest.Options{Window: window, Now: now, Suggest: *suggest, ChartDir: *chartDir, Progress: stderr}
	var report backtest.Report
	var stats backtest.FetchStats
	if set["compare"] {
		deployed, described, err := readDeployed(ctx, configs, *stack, clients, window, now, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "backtest: %s\n", explain(err, *timeout))
			return exitFailed
		}
		if deployed.Found == 0 {
			fmt.Fprintf(stderr, "no deployed alarm found under the names of the %d configured alarms and of the Terraform state (nothing deployed yet?): the configured alarms are reported, each of them added\n", len(targets))
		}
		report, stats, err = backtest.Compare(ctx, client, targets, deployed, opt)
		if err != nil {
			fmt.Fprintf(stderr, "backtest: %s\n", explain(err, *timeout))
			return exitFailed
		}
		c := report.Comparison
		fmt.Fprintf(stderr, "compared %d configured alarms with %d deployed (%d of them unreplayable) from %s to %s: %d metrics in %d GetMetricData requests%s, both sides' series read once; "+
			"the deployed alarms read in %d DescribeAlarms requests; %d incident(s) lost, %d new\n",
			len(targets), deployed.Found, len(deployed.Unreplayable), stamp(window.Start), stamp(window.End), stats.Metrics, stats.Requests, listed(stats),
			described.Requests, c.LostIncidents, c.NewIncidents)
		if err := report.WriteComparison(stdout); err != nil {
			return exitFailed
		}
	} else {
		report, stats, err = backtest.Run(ctx, client, targets, opt)
		if err != nil {
			fmt.Fprintf(stderr, "backtest: %s\n", explain(err, *timeout))
			return exitFailed
		}
		fmt.Fprintf(stderr, "replayed %d alarms from %s to %s: %d metrics in %d GetMetricData requests%s\n",
			len(targets), stamp(window.Start), stamp(window.End), stats.Metrics, stats.Requests, listed(stats))
		if err := report.WriteTable(stdout); err != nil {
			return exitFailed
		}
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
	code := exitOK
	if set["max-alarms"] {
		if over := report.Over(*maxAlarms); len(over) > 0 {
			fmt.Fprintf(stderr, "backtest: %d alarm(s) would have gone to ALARM more than --max-alarms %d times: %s\n", len(over), *maxAlarms, strings.Join(over, ", "))
			code = exitGate
		}
	}
	if *failLost && report.Comparison.LostIncidents > 0 {
		lost := report.Comparison.Lost()
		if more := len(lost) - backtest.IncidentsListed; more > 0 {
			lost = append(lost[:backtest.IncidentsListed], fmt.Sprintf("and %d more (the table and --json list them)", more))
		}
		fmt.Fprintf(stderr, "backtest: %d incident(s) the deployed alarms raised would have been lost: %s\n", report.Comparison.LostIncidents, strings.Join(lost, ", "))
		code = exitGate
	}
	return code
}

// listed says how many ListMetrics requests found the query alarms'
// series, when there were any.
func listed(stats backtest.FetchStats) string {
	if stats.ListRequests == 0 {
		return ""
	}
	return fmt.Sprintf(", the query alarms' series found in %d ListMetrics requests", stats.ListRequests)
}

// cloudWatchAPI is the CloudWatch calls of the backtest: GetMetricData and
// ListMetrics, and DescribeAlarms for --compare.
type cloudWatchAPI interface {
	backtest.MetricDataAPI
	backtest.DescribeAlarmsAPI
}

// The command's AWS clients of a region; the tests put fakes in their
// place.
var (
	newCloudWatch = func(ctx context.Context, region string) (cloudWatchAPI, error) { return cloudWatchClient(ctx, region) }
	newS3         = func(ctx context.Context, region string) (backtest.GetObjectAPI, error) { return s3Client(ctx, region) }
)

// cloudWatchClient is a CloudWatch client for the region (awsConfig).
func cloudWatchClient(ctx context.Context, region string) (*cloudwatch.Client, error) {
	cfg, err := awsConfig(ctx, region, "CloudWatch")
	if err != nil {
		return nil, err
	}
	return cloudwatch.NewFromConfig(cfg), nil
}

// s3Client is an S3 client for the region (awsConfig), which reads a
// stack's state for --compare. With an endpoint of its own (AWS_ENDPOINT_URL
// or AWS_ENDPOINT_URL_S3: the emulator) it addresses the bucket in the
// path, as such an endpoint has no host per bucket.
func s3Client(ctx context.Context, region string) (*s3.Client, error) {
	cfg, err := awsConfig(ctx, region, "the Terraform state in S3")
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	}), nil
}

// awsConfig is the AWS configuration for the region with the standard
// credential chain (and AWS_ENDPOINT_URL, as every SDK honours it), its
// credentials checked; what names what they are for. Throttled requests
// are retried with backoff, within the command's timeout.
func awsConfig(ctx context.Context, region, what string) (aws.Config, error) {
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
		return aws.Config{}, fmt.Errorf("the AWS configuration cannot be read: %v; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", err)
	}
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(checkCtx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials to read %s in %s: %v; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them", what, region, firstLine(err))
	}
	return cfg, nil
}

// explain says in the command's words what went wrong: the flags that set
// what package backtest refused, or what to do when CloudWatch could not be
// read.
func explain(err error, timeout time.Duration) string {
	var window *backtest.WindowError
	var chart *backtest.ChartError
	var state *backtest.StateError
	var denied *backtest.DeniedError
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
	case errors.As(err, &state):
		return stateWords(state, timeout)
	case errors.As(err, &denied) && denied.Action == "DescribeAlarms":
		return fmt.Sprintf("%v\nCloudWatch refused DescribeAlarms (%s), which reads the deployed alarms for --compare %s; check the credentials' permission cloudwatch:DescribeAlarms",
			firstLine(err), errorCode(denied.Err), backtest.Against)
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

// stateWords says why a stack's Terraform state could not be read, and
// what to check: the permission s3:GetObject on its object, the bucket,
// the file.
func stateWords(e *backtest.StateError, timeout time.Duration) string {
	var denied *backtest.DeniedError
	var api smithy.APIError
	src := e.Source
	switch {
	case errors.As(e, &denied):
		return fmt.Sprintf("%v\nS3 refused GetObject (%s) on the state object (stateBucket %s, stateKey %s), which names the deployed alarms for --compare %s; check the credentials' permission s3:GetObject on arn:aws:s3:::%s/%s",
			firstLine(e), errorCode(denied.Err), src.Bucket, src.Key, backtest.Against, src.Bucket, src.Key)
	case src.Bucket != "" && errors.As(e, &api) && api.ErrorCode() == "NoSuchBucket":
		return fmt.Sprintf("%v\nstateBucket %s does not exist in %s; check stateBucket and stateRegion", firstLine(e), src.Bucket, src.Region)
	case src.Bucket != "" && errors.Is(e, context.DeadlineExceeded):
		return fmt.Sprintf("%v\nS3 did not answer within --timeout %s; try again later, or a longer --timeout", firstLine(e), timeout)
	case src.Bucket != "":
		return fmt.Sprintf("%v\ncheck stateBucket %s, stateKey %s and stateRegion %s", firstLine(e), src.Bucket, src.Key, src.Region)
	}
	return fmt.Sprintf("%v\nthe local state is the project directory's %s (Terraform's, written by cdktf deploy); check that it can be read, or move it away if it is not a state", firstLine(e), src.Path)
}

// errorCode is the API error's code, or the error itself.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return firstLine(err)
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
