package backtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// describeAlarms answers DescribeAlarms from a set of deployed alarms, as
// CloudWatch does: the alarms of the names asked for, pageSize a page.
type describeAlarms struct {
	deployed map[string]bool
	pageSize int
	err      error
	calls    [][]string
}

func (d *describeAlarms) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	if d.err != nil {
		return nil, d.err
	}
	if len(in.AlarmNames) > MaxNamesPerDescribe {
		return nil, fmt.Errorf("ValidationError: %d names, at most %d", len(in.AlarmNames), MaxNamesPerDescribe)
	}
	d.calls = append(d.calls, in.AlarmNames)
	var found []string
	for _, n := range in.AlarmNames {
		if d.deployed[n] {
			found = append(found, n)
		}
	}
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(start+d.pageSize, len(found))
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, n := range found[start:end] {
		out.MetricAlarms = append(out.MetricAlarms, cwtypes.MetricAlarm{AlarmName: aws.String(n)})
	}
	if end < len(found) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func TestDescribeDeployed(t *testing.T) {
	var names []string
	deployed := map[string]bool{}
	for i := range 250 {
		n := fmt.Sprintf("alarm-%03d", i)
		names = append(names, n)
		if i%5 != 0 {
			deployed[n] = true
		}
	}
	api := &describeAlarms{deployed: deployed, pageSize: 50}
	got, stats, err := DescribeDeployed(context.Background(), api, append(names, names[:10]...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(deployed) {
		t.Errorf("%d alarms found, want %d", len(got), len(deployed))
	}
	for n := range got {
		if !deployed[n] {
			t.Errorf("%s found but not deployed", n)
		}
	}
	// 250 names: 3 batches (100, 100, 50) of 80, 80 and 40 deployed, 50 a page.
	if len(api.calls) != 3+2 || stats.Requests != 5 {
		t.Errorf("%d requests (%d counted), want 5: 2 pages, 2 pages and 1", len(api.calls), stats.Requests)
	}
	for _, c := range api.calls {
		if len(c) > MaxNamesPerDescribe || !slices.IsSorted(c) {
			t.Errorf("a request of %d names", len(c))
		}
	}
}

func TestDescribeDeployedNamesTheMissingPermission(t *testing.T) {
	refused := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: cloudwatch:DescribeAlarms"}
	_, _, err := DescribeDeployed(context.Background(), &describeAlarms{err: refused}, []string{"a"})
	var d *DeniedError
	if !errors.As(err, &d) || d.Action != "DescribeAlarms" {
		t.Errorf("AccessDenied: %v, want a *DeniedError for DescribeAlarms", err)
	}
	other := &smithy.GenericAPIError{Code: "Throttling"}
	if _, _, err := DescribeDeployed(context.Background(), &describeAlarms{err: other}, []string{"a"}); errors.As(err, &d) {
		t.Errorf("Throttling taken for a missing permission: %v", err)
	}
}
