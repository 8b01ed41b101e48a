package backtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A stack's Terraform state names the alarms it deployed, among them those
// the configuration no longer makes: the comparison reads their names from
// it. The state is Terraform's raw state, format version 4 (Terraform 0.12
// and later): "resources", each with its "type" and "instances", each
// instance with the resource's "attributes" (for an
// aws_cloudwatch_metric_alarm, "alarm_name").

// StateVersion is the raw state format read.
const StateVersion = 4

// A StateSource is where a stack's state is: a local file (Path), or an
// object of S3 (Bucket, Key, in Region).
type StateSource struct {
	Path                string
	Bucket, Key, Region string
}

func (s StateSource) String() string {
	if s.Bucket != "" {
		return "s3://" + s.Bucket + "/" + s.Key
	}
	return s.Path
}

// GetObjectAPI is the S3 call that reads a state object; the SDK's
// *s3.Client has it.
type GetObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// A StateError is a state that exists, or may, but could not be read: a
// file or an object refused (a refusal for want of s3:GetObject is a
// *DeniedError inside it), a bucket that does not exist, text that is not
// a state of format StateVersion.
type StateError struct {
	Source StateSource
	Err    error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("the Terraform state %s cannot be read: %v", e.Source, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// StateAlarmNames are the names of the CloudWatch metric alarms the state
// at src holds (every instance of every managed aws_cloudwatch_metric_alarm
// resource), sorted, each once; api reads an S3 state (nil will do for a
// local one). found is false when there is no state: no file, or no object
// under the key (nothing deployed yet). Anything else that keeps the state
// from being read is a *StateError.
func StateAlarmNames(ctx context.Context, api GetObjectAPI, src StateSource) (names []string, found bool, err error) {
	var data []byte
	if src.Bucket != "" {
		out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
		var noKey *s3types.NoSuchKey
		switch {
		case errors.As(err, &noKey):
			return nil, false, nil
		case err != nil:
			return nil, false, &StateError{Source: src, Err: denied("S3", "GetObject", err)}
		}
		defer out.Body.Close()
		if data, err = io.ReadAll(out.Body); err != nil {
			return nil, false, &StateError{Source: src, Err: err}
		}
	} else {
		data, err = os.ReadFile(src.Path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return nil, false, nil
		case err != nil:
			return nil, false, &StateError{Source: src, Err: err}
		}
	}
	names, err = alarmNamesOf(data)
	if err != nil {
		return nil, true, &StateError{Source: src, Err: err}
	}
	return names, true, nil
}

// rawState is what the comparison reads of a raw state.
type rawState struct {
	Version   *int `json:"version"`
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Instances []struct {
			Attributes struct {
				AlarmName string `json:"alarm_name"`
			} `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// alarmNamesOf reads the alarm names of a raw state. An empty file is a
// state of nothing, as Terraform leaves it after some failures.
func alarmNamesOf(data []byte) ([]string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var st rawState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("it is not JSON: %v", err)
	}
	if st.Version == nil || *st.Version != StateVersion {
		version := "none"
		if st.Version != nil {
			version = fmt.Sprint(*st.Version)
		}
		return nil, fmt.Errorf("its format version is %s; allowed: %d (Terraform 0.12 and later)", version, StateVersion)
	}
	var names []string
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != "aws_cloudwatch_metric_alarm" {
			continue
		}
		for _, in := range r.Instances {
			if in.Attributes.AlarmName != "" {
				names = append(names, in.Attributes.AlarmName)
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(names))), nil
}
