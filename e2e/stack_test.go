package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stack is what the tests read from a synthesized cdk.tf.json: the values the
// app told Terraform, which the deployed resources must have.
type stack struct {
	Provider struct {
		AWS []struct {
			Region string `json:"region"`
		} `json:"aws"`
	} `json:"provider"`
	Resource struct {
		Streams    map[string]streamConfig `json:"aws_kinesis_stream"`
		Alarms     alarmResources          `json:"aws_cloudwatch_metric_alarm"`
		Dashboards map[string]struct {
			Name string `json:"dashboard_name"`
		} `json:"aws_cloudwatch_dashboard"`
		Subscriptions map[string]struct {
			Protocol string `json:"protocol"`
			Endpoint string `json:"endpoint"`
		} `json:"aws_sns_topic_subscription"`
	} `json:"resource"`
	Terraform struct {
		Backend struct {
			S3 *struct {
				Bucket string `json:"bucket"`
				Key    string `json:"key"`
			} `json:"s3"`
		} `json:"backend"`
	} `json:"terraform"`
}

type streamConfig struct {
	Name                    string   `json:"name"`
	EnforceConsumerDeletion bool     `json:"enforce_consumer_deletion"`
	ShardCount              int      `json:"shard_count"`
	RetentionPeriod         int      `json:"retention_period"`
	ShardLevelMetrics       []string `json:"shard_level_metrics"`
	EncryptionType          string   `json:"encryption_type"`
	KMSKeyID                string   `json:"kms_key_id"`
	StreamModeDetails       struct {
		StreamMode string `json:"stream_mode"`
	} `json:"stream_mode_details"`
}

type alarmConfig struct {
	AlarmName          string            `json:"alarm_name"`
	AlarmDescription   string            `json:"alarm_description"`
	Namespace          string            `json:"namespace"`
	MetricName         string            `json:"metric_name"`
	Dimensions         map[string]string `json:"dimensions"`
	Statistic          string            `json:"statistic"`
	Period             int               `json:"period"`
	EvaluationPeriods  int               `json:"evaluation_periods"`
	ComparisonOperator string            `json:"comparison_operator"`
	Threshold          float64           `json:"threshold"`
	TreatMissingData   string            `json:"treat_missing_data"`
	// Attributes are every attribute of the resource, as
	// testkit.SynthesizedAlarm reads them.
	Attributes map[string]any `json:"-"`
}

// alarmResources are the stack's alarm resources by name, but for the
// watched streams' alarms: one resource Terraform iterates (for_each),
// whose attributes are expressions of each instance's value.
type alarmResources map[string]alarmConfig

func (a *alarmResources) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := alarmResources{}
	for name, r := range raw {
		var iterated struct {
			ForEach any `json:"for_each"`
		}
		if err := json.Unmarshal(r, &iterated); err != nil {
			return err
		}
		if iterated.ForEach != nil {
			continue
		}
		var c alarmConfig
		if err := json.Unmarshal(r, &c); err != nil {
			return err
		}
		if err := json.Unmarshal(r, &c.Attributes); err != nil {
			return err
		}
		out[name] = c
	}
	*a = out
	return nil
}

// streamReference is how the alarms name the stream in their dimension.
const streamReference = "${aws_kinesis_stream.stream.name}"

func (s *stack) region() string                  { return s.Provider.AWS[0].Region }
func (s *stack) stream() streamConfig            { return s.Resource.Streams["stream"] }
func (s *stack) writeThrottleAlarm() alarmConfig { return s.Resource.Alarms["write_throttle_alarm"] }

// alarmNames are the names of every alarm of the stack.
func (s *stack) alarmNames() []string {
	var names []string
	for _, a := range s.Resource.Alarms {
		names = append(names, a.AlarmName)
	}
	return names
}

func (s *stack) emails() []string {
	var emails []string
	for _, sub := range s.Resource.Subscriptions {
		if sub.Protocol == "email" {
			emails = append(emails, sub.Endpoint)
		}
	}
	return emails
}

// synthesized is one cdktf.out: its stacks by name, as the manifest lists them.
type synthesized struct {
	outdir string
	stacks map[string]synthesizedStack
}

type synthesizedStack struct {
	dir   string // where Terraform runs for the stack
	file  []byte // its cdk.tf.json
	stack stack
}

// readSynth reads a cdktf.out through its manifest.json.
func readSynth(t *testing.T, outdir string) synthesized {
	t.Helper()
	var manifest struct {
		Stacks map[string]struct {
			WorkingDirectory     string `json:"workingDirectory"`
			SynthesizedStackPath string `json:"synthesizedStackPath"`
		} `json:"stacks"`
	}
	data, err := os.ReadFile(filepath.Join(outdir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	out := synthesized{outdir: outdir, stacks: map[string]synthesizedStack{}}
	for name, m := range manifest.Stacks {
		s := synthesizedStack{dir: filepath.Join(outdir, m.WorkingDirectory)}
		if s.file, err = os.ReadFile(filepath.Join(outdir, m.SynthesizedStackPath)); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(s.file, &s.stack); err != nil {
			t.Fatalf("%s: %v", m.SynthesizedStackPath, err)
		}
		out.stacks[name] = s
	}
	return out
}

// only returns the one stack of a synth.
func (s synthesized) only(t *testing.T) synthesizedStack {
	t.Helper()
	if len(s.stacks) != 1 {
		t.Fatalf("%s holds %d stacks, want 1", s.outdir, len(s.stacks))
	}
	for _, st := range s.stacks {
		return st
	}
	panic("unreachable")
}

// synth runs the app (as cdktf does: the context in CDKTF_CONTEXT_JSON) in
// a new project directory and reads what it wrote.
func synth(t *testing.T, ctx map[string]any) synthesized {
	t.Helper()
	dir := t.TempDir()
	contextJSON, err := json.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(app)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CDKTF_CONTEXT_JSON="+string(contextJSON))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the app refused %s: %v\n%s", contextJSON, err, strings.TrimSpace(string(out)))
	}
	return readSynth(t, filepath.Join(dir, "cdktf.out"))
}
