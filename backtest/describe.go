package backtest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// MaxNamesPerDescribe is how many alarm names one DescribeAlarms request
// takes (DescribeAlarms API reference, AlarmNames: "Maximum number of 100
// items").
const MaxNamesPerDescribe = 100

// DescribeAlarmsAPI is the CloudWatch call that reads deployed alarms; the
// SDK's *cloudwatch.Client has it.
type DescribeAlarmsAPI interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// DescribeStats counts what reading the deployed alarms cost.
type DescribeStats struct {
	Requests int // DescribeAlarms requests, pages included
}

// DeniedError is AWS refusing a call for want of a permission: the
// command names the permission.
type DeniedError struct {
	Service string // CloudWatch, S3
	Action  string // the API action, e.g. DescribeAlarms
	Err     error
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("%s refused %s: %v", e.Service, e.Action, e.Err)
}

func (e *DeniedError) Unwrap() error { return e.Err }

// denied wraps an error that is the service refusing the action for want
// of a permission (AccessDenied, AccessDeniedException,
// UnauthorizedOperation) in a *DeniedError, and returns others as they
// are.
func denied(service, action string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized":
			return &DeniedError{Service: service, Action: action, Err: err}
		}
	}
	return err
}

// DescribeDeployed reads the metric alarms of these names as they are
// deployed, with DescribeAlarms: MaxNamesPerDescribe names a request, every
// page of each. An alarm that does not exist is absent from the result,
// which is keyed by name. A refusal for want of cloudwatch:DescribeAlarms
// is a *DeniedError.
func DescribeDeployed(ctx context.Context, api DescribeAlarmsAPI, names []string) (map[string]cwtypes.MetricAlarm, DescribeStats, error) {
	var stats DescribeStats
	out := map[string]cwtypes.MetricAlarm{}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	for batch := range slices.Chunk(names, MaxNamesPerDescribe) {
		in := &cloudwatch.DescribeAlarmsInput{
			AlarmNames: batch,
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
		}
		pages := cloudwatch.NewDescribeAlarmsPaginator(api, in)
		for pages.HasMorePages() {
			stats.Requests++
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, stats, denied("CloudWatch", "DescribeAlarms", err)
			}
			for _, m := range page.MetricAlarms {
				name := aws.ToString(m.AlarmName)
				if slices.Contains(batch, name) {
					out[name] = m
				}
			}
		}
	}
	return out, stats, nil
}
