package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	stdmaps "maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// TestSynthIsValidTerraform: terraform validate, with the real hashicorp/aws
// provider, accepts every kind of stack the app writes and rejects a broken one.
//
// The stacks are validated in one run: each is a module of its own, called
// by a root module, so that the provider (a large process, its schema
// loaded at every command) starts once for all of them. A stack's
// diagnostics are told apart by their file. A module's backend block is
// ignored, with a warning; everything else of the stack is validated as
// it is in a root module.
func TestSynthIsValidTerraform(t *testing.T) {
	slow(t)
	t.Parallel()
	terraform := testkit.Tool(t, "terraform", "terraform validate checks the synthesized stack with the real AWS provider")
	_, env := testkit.ScriptEnvironment(t, "terraform-env")

	// GIVEN each kind of synthesized stack, and one broken on purpose, as
	// the modules of one configuration
	cases := map[string]map[string]any{
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
	}
	const broken = "a broken stack is rejected"
	dir := t.TempDir()
	modules := map[string]any{}
	files := map[string]string{} // case → its file, as diagnostics name it
	write := func(name string, data []byte) {
		module := fmt.Sprintf("stack%02d", len(files)+1)
		if err := os.MkdirAll(filepath.Join(dir, module), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, module, "cdk.tf.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		modules[module] = map[string]any{"source": "./" + module}
		files[name] = module + "/cdk.tf.json"
	}
	for _, name := range slices.Sorted(stdmaps.Keys(cases)) {
		write(name, synth(t, cases[name]).only(t).file)
	}
	def := synth(t, map[string]any{}).only(t).file
	bad := strings.Replace(string(def), `"treat_missing_data": "notBreaching"`,
		`"treat_missing_data": "notBreaching", "no_such_argument": true`, 1)
	if bad == string(def) {
		t.Fatal("could not break the stack for the negative case")
	}
	write(broken, []byte(bad))
	root, err := json.Marshal(map[string]any{"module": modules})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf.json"), root, 0o644); err != nil {
		t.Fatal(err)
	}
	tf := newTerraform(t, dir, terraform, env)
	if err := tf.Init(context.Background(), tfexec.Backend(false)); err != nil {
		testkit.Missing(t, "terraform init could not install hashicorp/aws (offline? set "+testkit.ProviderMirrorVar+
			" to a provider mirror directory): "+testkit.FirstError(err.Error()))
	}

	// WHEN terraform validates them
	r := validate(t, tf)
	errorsIn := map[string][]string{}
	for _, d := range r.Diagnostics {
		if d.Severity != tfjson.DiagnosticSeverityError {
			continue
		}
		file := ""
		if d.Range != nil {
			file = d.Range.Filename
		}
		errorsIn[file] = append(errorsIn[file], d.Summary+": "+d.Detail)
	}

	// THEN each stack the app writes is valid
	for name, file := range files {
		if name == broken {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if errs := errorsIn[file]; len(errs) > 0 {
				t.Fatalf("terraform validate: %d error(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
			}
		})
	}
	// AND validate rejects the broken one, naming the bad argument (the check can fail)
	t.Run(broken, func(t *testing.T) {
		errs := errorsIn[files[broken]]
		if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "no_such_argument") {
			t.Errorf("terraform validate accepted a broken stack or did not name the bad argument: %q", errs)
		}
	})
	// AND no error stands outside the stacks
	if errs := errorsIn[""]; len(errs) > 0 {
		t.Errorf("terraform validate: errors of no stack: %q", errs)
	}
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
