package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/xfusion/kinesis-monitoring/backtest"
	"github.com/xfusion/kinesis-monitoring/config"
)

// The deployed side of `backtest --compare deployed`: the alarms deployed
// now, read with DescribeAlarms under the names of the configured alarms
// and of the alarms each stack's Terraform state holds (so that an alarm
// the configuration removes is found).

// stateSource is where the stack's state is: the project directory's
// terraform.<stack>.tfstate (config.StatePath is relative to the stack's
// directory, cdktf.out/stacks/<stack>, which Terraform runs in), or the S3
// object of stateBucket and stateKey, in stateRegion (default: region).
func stateSource(c config.Config) backtest.StateSource {
	if c.StateBucket == "" {
		return backtest.StateSource{Path: filepath.Join("cdktf.out", "stacks", c.StackID(), c.StatePath())}
	}
	region := c.StateRegion
	if region == "" {
		region = c.Region
	}
	return backtest.StateSource{Bucket: c.StateBucket, Key: c.StateKey, Region: region}
}

// readDeployed reads the deployed side of the stacks (of one, when stack is
// not ""): for each, the names of its configured alarms and of its state's
// (a stack without a state is noted on stderr: its configured names
// only); then DescribeAlarms in each region with the client of clients
// (100 names a request, every page); then each alarm found through
// backtest.NewDeployed. A state that cannot be read is a
// *backtest.StateError, a refused DescribeAlarms a *backtest.DeniedError.
func readDeployed(ctx context.Context, configs []config.Config, stack string, clients map[string]cloudWatchAPI, w backtest.Window, now time.Time, stderr io.Writer) (backtest.Deployed, backtest.DescribeStats, error) {
	var lookups []backtest.Lookup
	var stats backtest.DescribeStats
	for _, c := range configs {
		if stack != "" && c.StackID() != stack {
			continue
		}
		for _, a := range c.Alarms() {
			lookups = append(lookups, backtest.Lookup{Stack: c.StackID(), Region: c.Region, Name: a.Name})
		}
		src := stateSource(c)
		var api backtest.GetObjectAPI
		if src.Bucket != "" {
			var err error
			if api, err = newS3(ctx, src.Region); err != nil {
				return backtest.Deployed{}, stats, err
			}
		}
		names, found, err := backtest.StateAlarmNames(ctx, api, src)
		if err != nil {
			return backtest.Deployed{}, stats, err
		}
		if !found {
			fmt.Fprintf(stderr, "note: stack %s has no Terraform state at %s (nothing deployed yet, or deployed from another directory): the deployed alarms are looked up under the configured alarms' names only, so an alarm the configuration removes is not found\n", c.StackID(), src)
		}
		for _, name := range names {
			lookups = append(lookups, backtest.Lookup{Stack: c.StackID(), Region: c.Region, Name: name})
		}
	}
	var regions []string
	names := map[string][]string{}
	for _, l := range lookups {
		if _, seen := names[l.Region]; !seen {
			regions = append(regions, l.Region)
		}
		names[l.Region] = append(names[l.Region], l.Name)
	}
	found := map[string]map[string]cwtypes.MetricAlarm{}
	for _, region := range regions {
		alarms, s, err := backtest.DescribeDeployed(ctx, clients[region], names[region])
		stats.Requests += s.Requests
		if err != nil {
			return backtest.Deployed{}, stats, fmt.Errorf("reading the deployed alarms in %s: %w", region, err)
		}
		found[region] = alarms
	}
	return backtest.NewDeployed(found, lookups, w, now), stats, nil
}
