package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// TestSynthIsValidTerraform: terraform validate, with the real hashicorp/aws
// provider, accepts every kind of stack the app writes and rejects a broken one.
func TestSynthIsValidTerraform(t *testing.T) {
	slow(t)
	t.Parallel()
	terraform := testkit.Tool(t, "terraform", "terraform validate checks the synthesized stack with the real AWS provider")
	_, env := testkit.ScriptEnvironment(t, "terraform-env")

	// GIVEN a directory where terraform has installed hashicorp/aws once (a
	// provider install is large: the cases share it)
	dir := t.TempDir()
	put := func(t *testing.T, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tf := newTerraform(t, dir, terraform, env)
	def := synth(t, map[string]any{}).only(t).file
	put(t, def)
	if err := tf.Init(context.Background(), tfexec.Backend(false)); err != nil {
		testkit.Missing(t, "terraform init could not install hashicorp/aws (offline? set "+testkit.ProviderMirrorVar+
			" to a provider mirror directory): "+testkit.FirstError(err.Error()))
	}

	// WHEN each kind of synthesized stack is validated THEN it is valid
	for name, ctx := range map[string]map[string]any{
		"default":                  {},
		"every setting overridden": customSettings(),
		"encryption off":           {"encryption": false},
		"production":               productionContext(t),
		"existing topic":           contextFile(t, "existing-topic"),
		"on-demand":                contextFile(t, "on-demand"),
		"watch-only":               contextFile(t, "watch-only"),
		"own and watched streams":  contextFile(t, "mixed"),
		"every stream by query":    contextFile(t, "watch-all"),
		"own stream and every other by query": {"watchAllStreams": map[string]any{"exclude": []any{"legacy"}}, "recommendedAlarms": true,
			"dashboard": true, "alarmEvaluationPeriods": 3, "alarmDatapointsToAlarm": 2},
		"autoscaled, unprotected, M of N": {"externalShardScaling": true, "protect": false,
			"alarmEvaluationPeriods": 5, "alarmDatapointsToAlarm": 3, "recommendedAlarms": map[string]any{"iteratorAgeMilliseconds": 3600000}},
	} {
		t.Run(name, func(t *testing.T) {
			put(t, synth(t, ctx).only(t).file)
			if r := validate(t, tf); !r.Valid {
				t.Fatalf("terraform validate: %d error(s):%s", r.ErrorCount, diagnostics(r))
			}
		})
	}

	// AND validate rejects a broken stack, naming the bad argument (the check can fail)
	t.Run("a broken stack is rejected", func(t *testing.T) {
		broken := strings.Replace(string(def), `"treat_missing_data": "notBreaching"`,
			`"treat_missing_data": "notBreaching", "no_such_argument": true`, 1)
		if broken == string(def) {
			t.Fatal("could not break the stack for the negative case")
		}
		put(t, []byte(broken))
		if r := validate(t, tf); r.Valid || !strings.Contains(diagnostics(r), "no_such_argument") {
			t.Errorf("terraform validate accepted a broken stack or did not name the bad argument:%s", diagnostics(r))
		}
	})
}

// customSettings change every setting of the specification (another region,
// names, 2 shards, 48 h, …).
func customSettings() map[string]any {
	var settings map[string]any
	json.Unmarshal([]byte(`{
		"region": "eu-west-1", "streamName": "team.orders-stream_2", "shardCount": 2, "retentionHours": 48,
		"shardLevelMetrics": ["IncomingBytes", "IteratorAgeMilliseconds"],
		"alarmName": "orders write throttling", "alarmDescription": "Add shards: writes are throttled",
		"alarmThreshold": 0, "alarmComparisonOperator": "GreaterThanOrEqualToThreshold", "alarmStatistic": "Maximum",
		"alarmPeriod": 300, "alarmEvaluationPeriods": 3, "alarmTreatMissingData": "breaching",
		"kmsKeyId": "alias/orders", "protect": false
	}`), &settings)
	return settings
}

// newTerraform is terraform (terraform-exec) in dir with the environment env.
func newTerraform(t *testing.T, dir, terraform string, env []string) *tfexec.Terraform {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, terraform)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if err := tf.SetEnv(tfexec.CleanEnv(vars)); err != nil {
		t.Fatal(err)
	}
	return tf
}

func validate(t *testing.T, tf *tfexec.Terraform) *tfjson.ValidateOutput {
	t.Helper()
	r, err := tf.Validate(context.Background())
	if err != nil {
		t.Fatalf("terraform validate: %v", err)
	}
	return r
}

func diagnostics(r *tfjson.ValidateOutput) string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		b.WriteString("\n  " + string(d.Severity) + ": " + d.Summary + " " + d.Detail)
	}
	return b.String()
}
