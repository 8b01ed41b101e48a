package backtest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// stateJSON is a raw state of format 4 as Terraform writes it: the
// stack's own alarm, a watched stream's alarms by for_each, a data source
// and a resource of another type (neither an alarm of the stack).
const stateJSON = `{
  "version": 4, "terraform_version": "1.10.5", "serial": 7, "lineage": "5b2c", "outputs": {},
  "resources": [
    {"mode": "managed", "type": "aws_kinesis_stream", "name": "stream", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 1, "attributes": {"name": "orders"}}]},
    {"mode": "managed", "type": "aws_cloudwatch_metric_alarm", "name": "write_throttle_alarm", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 1, "attributes": {"alarm_name": "orders-write-throttled", "threshold": 1}}]},
    {"mode": "managed", "type": "aws_cloudwatch_metric_alarm", "name": "watched", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [
       {"index_key": "clicks/iterator-age", "schema_version": 1, "attributes": {"alarm_name": "clicks-iterator-age"}},
       {"index_key": "clicks/write-throttled", "schema_version": 1, "attributes": {"alarm_name": "clicks-write-throttled"}}]},
    {"mode": "data", "type": "aws_cloudwatch_metric_alarm", "name": "other", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 0, "attributes": {"alarm_name": "someone-elses"}}]}
  ]
}`

var stateNames = []string{"clicks-iterator-age", "clicks-write-throttled", "orders-write-throttled"}

// fakeS3 answers GetObject from objects held in memory, or refuses.
type fakeS3 struct {
	objects map[string]string // by bucket/key
	buckets map[string]bool
	refuse  error
	calls   int
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.calls++
	if f.refuse != nil {
		return nil, f.refuse
	}
	if !f.buckets[aws.ToString(in.Bucket)] {
		return nil, &s3types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}
	}
	body, ok := f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body))}, nil
}

func TestStateAlarmNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	local := write("terraform.kinesis-monitoring.tfstate", stateJSON)
	empty := write("empty.tfstate", "")
	old := write("old.tfstate", `{"version": 3, "modules": []}`)
	notJSON := write("not.tfstate", "<html>")
	s3api := &fakeS3{buckets: map[string]bool{"states": true}, objects: map[string]string{"states/kinesis-monitoring/terraform.tfstate": stateJSON}}
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: s3:GetObject"}
	for _, c := range []struct {
		name      string
		api       GetObjectAPI
		src       StateSource
		want      []string
		found     bool
		wantError string // in the *StateError; "" for none
	}{
		{"a local state", nil, StateSource{Path: local}, stateNames, true, ""},
		{"no local state", nil, StateSource{Path: filepath.Join(dir, "terraform.other.tfstate")}, nil, false, ""},
		{"an empty local state", nil, StateSource{Path: empty}, nil, true, ""},
		{"a local state that is a directory", nil, StateSource{Path: dir}, nil, false, "is a directory"},
		{"a state of format 3", nil, StateSource{Path: old}, nil, true, "its format version is 3; allowed: 4"},
		{"not JSON", nil, StateSource{Path: notJSON}, nil, true, "it is not JSON"},
		{"an S3 state", s3api, StateSource{Bucket: "states", Key: "kinesis-monitoring/terraform.tfstate"}, stateNames, true, ""},
		{"no object under the key", s3api, StateSource{Bucket: "states", Key: "kinesis-monitoring/prod/terraform.tfstate"}, nil, false, ""},
		{"no such bucket", s3api, StateSource{Bucket: "gone", Key: "k"}, nil, false, "NoSuchBucket"},
		{"a bucket it cannot read", &fakeS3{refuse: denied}, StateSource{Bucket: "states", Key: "k"}, nil, false, "S3 refused GetObject"},
	} {
		t.Run(c.name, func(t *testing.T) {
			names, found, err := StateAlarmNames(context.Background(), c.api, c.src)
			if !slices.Equal(names, c.want) || found != c.found {
				t.Errorf("names %q, found %v; want %q, %v", names, found, c.want, c.found)
			}
			var stateErr *StateError
			switch {
			case c.wantError == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case c.wantError != "" && (!errors.As(err, &stateErr) || !strings.Contains(err.Error(), c.wantError)):
				t.Errorf("error %v, want a *StateError saying %q", err, c.wantError)
			case c.wantError != "" && !strings.HasPrefix(err.Error(), "the Terraform state "+c.src.String()+" cannot be read: "):
				t.Errorf("error %v does not name the state", err)
			}
		})
	}
	// The refusal is named as one, with its action.
	_, _, err := StateAlarmNames(context.Background(), &fakeS3{refuse: denied}, StateSource{Bucket: "states", Key: "k"})
	var d *DeniedError
	if !errors.As(err, &d) || d.Action != "GetObject" || d.Service != "S3" {
		t.Errorf("a refused GetObject: %v, want a *DeniedError for S3 GetObject", err)
	}
}
