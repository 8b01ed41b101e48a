package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// referenceDir holds the hand-written Terraform (HCL) equivalent of the
// default stack, the plain-Terraform side of the benchmark.
const referenceDir = "bench/reference"

// TestReferenceHCLPlansLikeTheApp checks that the benchmark is fair: the
// hand-written HCL in bench/reference plans exactly what the app's default
// synth plans (same addresses, actions, planned values, outputs, provider
// constraint and output descriptions) and protects the stream the same way.
// Both are planned with the real terraform and hashicorp/aws provider against
// the emulator.
func TestReferenceHCLPlansLikeTheApp(t *testing.T) {
	slow(t)
	t.Parallel()
	terraform := testkit.Tool(t, "terraform", "the reference and the synth are planned with terraform")
	em := startEmulator(t)

	// GIVEN the reference HCL in a directory of its own
	tmp := t.TempDir()
	ref := refWorkdir{name: "reference HCL", dir: filepath.Join(tmp, "reference"), stateFile: "terraform.tfstate"}
	refCopyReference(t, ref.dir, nil)

	// AND the default synth where the app writes it (<tmp>/app/cdktf.out/…),
	// so its relative local state path stays inside tmp
	def := synth(t, map[string]any{}).only(t)
	var backend struct {
		Terraform struct {
			Backend struct {
				Local struct {
					Path string `json:"path"`
				} `json:"local"`
			} `json:"backend"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal(def.file, &backend); err != nil || backend.Terraform.Backend.Local.Path == "" {
		t.Fatalf("the default synth has no terraform.backend.local.path (%v)", err)
	}
	app := refWorkdir{name: "cdktf synth", dir: filepath.Join(tmp, "app", "cdktf.out", "stacks", "kinesis-monitoring"),
		stateFile: backend.Terraform.Backend.Local.Path}
	if rel, err := filepath.Rel(tmp, filepath.Join(app.dir, app.stateFile)); err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("the synth's state path %s would leave the temp directory %s", app.stateFile, tmp)
	}
	if err := os.MkdirAll(app.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app.dir, "cdk.tf.json"), def.file, 0o644); err != nil {
		t.Fatal(err)
	}

	// AND a mutant of the reference with one change for each check below,
	// sharing the reference's initialized providers
	mutant := refWorkdir{name: "mutated reference HCL", dir: filepath.Join(tmp, "mutant"), stateFile: "terraform.tfstate"}
	refCopyReference(t, mutant.dir, []refMutation{
		{"retention_period = 24", "retention_period = 48"},              // a resource argument
		{"write_throttle_alarm.alarm_name", "write_throttle_alarm.arn"}, // an output value
		{`"Name of the Kinesis data stream"`, `"Name of the stream"`},   // an output description
		{"prevent_destroy = true", "prevent_destroy = false"},           // the stream's protection
	})
	workdirs := []*refWorkdir{&ref, &app, &mutant}
	for _, w := range workdirs {
		w.tf = newTerraform(t, w.dir, terraform, em.env)
	}
	ctx := context.Background()
	for _, w := range []*refWorkdir{&ref, &app} {
		if err := w.tf.Init(ctx); err != nil {
			testkit.Missing(t, "terraform init could not install hashicorp/aws (offline? set "+testkit.ProviderMirrorVar+
				" to a provider mirror directory): "+testkit.FirstError(err.Error()))
		}
	}
	refShareInit(t, ref.dir, mutant.dir)

	// WHEN each is planned against the empty emulator (plan -out, show
	// -json), and then planned for destruction with the stream in its state
	var wg sync.WaitGroup
	for _, w := range workdirs {
		wg.Add(1)
		go func() { defer wg.Done(); w.planAll(ctx) }()
	}
	wg.Wait()
	for _, w := range workdirs {
		if w.err != nil {
			t.Fatalf("%s: %v", w.name, w.err)
		}
	}

	// THEN the reference plans exactly what the app plans
	t.Run("same resource changes, outputs and configuration", func(t *testing.T) {
		if diffs := refDiffPlans(app.plan, ref.plan); len(diffs) > 0 {
			t.Errorf("the reference HCL plans differently from the synth (-synth +reference):\n%s", refReport(diffs))
		}
		if len(app.plan.Resources) != 2 || len(app.plan.Outputs) != 2 {
			t.Errorf("the synth plans %d resources and %d outputs, want 2 and 2", len(app.plan.Resources), len(app.plan.Outputs))
		}
	})

	// AND both refuse to destroy the stream (lifecycle is not in the plan JSON)
	t.Run("both refuse to destroy the stream", func(t *testing.T) {
		for _, w := range []refWorkdir{app, ref} {
			if !w.destroyRefused() {
				t.Errorf("%s: terraform plan -destroy with the stream in the state was not refused by prevent_destroy: %v", w.name, w.destroyErr)
			}
		}
	})

	// AND the comparison can fail: each change of the mutant is reported,
	// naming what differs
	t.Run("a changed reference is reported", func(t *testing.T) {
		diffs := refDiffPlans(app.plan, mutant.plan)
		wants := map[string][]string{
			"resource aws_kinesis_stream.stream": {`"retention_period"`, "float64(24)", "float64(48)"},
			"output kke_kinesis_alarm_name":      {"AfterUnknown", `"xfusion-kinesis-alarm"`},
			"configuration":                      {`"Name of the Kinesis data stream"`, `"Name of the stream"`},
		}
		for key, mentions := range wants {
			for _, m := range mentions {
				if !strings.Contains(diffs[key], m) {
					t.Errorf("the difference in %s does not mention %s:\n%s", key, m, diffs[key])
				}
			}
		}
		for key := range diffs {
			if _, ok := wants[key]; !ok {
				t.Errorf("%s is reported different, but the mutant did not change it:\n%s", key, diffs[key])
			}
		}
		if mutant.destroyRefused() {
			t.Errorf("the mutant without prevent_destroy was refused destruction too, so the protection check cannot fail: %v", mutant.destroyErr)
		}
	})
}

// refWorkdir is one Terraform working directory of the comparison and what
// planning it gave.
type refWorkdir struct {
	name      string
	dir       string
	stateFile string // the local backend's state path, relative to dir
	tf        *tfexec.Terraform

	plan       refPlanView
	destroyErr error // terraform plan -destroy with the stream in the state
	err        error // a step that had to succeed did not
}

// planAll plans the directory from an empty state, reads the plan as JSON,
// then puts the stream into the state and plans its destruction without
// refreshing (the stream is not on the emulator). Safe to run concurrently
// for different directories; problems land in w.err.
func (w *refWorkdir) planAll(ctx context.Context) {
	planFile := filepath.Join(w.dir, "plan.bin")
	if _, w.err = w.tf.Plan(ctx, tfexec.Out(planFile)); w.err != nil {
		return
	}
	plan, err := w.tf.ShowPlanFile(ctx, planFile)
	if err != nil {
		w.err = err
		return
	}
	if w.plan, w.err = refReadPlan(plan); w.err != nil {
		return
	}
	if w.err = os.WriteFile(filepath.Join(w.dir, w.stateFile), []byte(refStreamState), 0o644); w.err != nil {
		return
	}
	_, w.destroyErr = w.tf.Plan(ctx, tfexec.Destroy(true), tfexec.Refresh(false))
}

// destroyRefused tells whether the destroy plan failed because of the
// stream's prevent_destroy.
func (w *refWorkdir) destroyRefused() bool {
	if w.destroyErr == nil {
		return false
	}
	text := strings.Join(strings.Fields(w.destroyErr.Error()), " ")
	return strings.Contains(text, "Instance cannot be destroyed") &&
		strings.Contains(text, "aws_kinesis_stream.stream has lifecycle.prevent_destroy set")
}

// refStreamState is a local state holding only the stream, enough for
// terraform plan -destroy -refresh=false to plan its destruction.
const refStreamState = `{
  "version": 4,
  "terraform_version": "1.0.0",
  "serial": 1,
  "lineage": "reference-test",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "aws_kinesis_stream",
      "name": "stream",
      "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
      "instances": [
        {
          "schema_version": 1,
          "attributes": {
            "id": "arn:aws:kinesis:us-east-1:123456789012:stream/xfusion-kinesis-stream",
            "name": "xfusion-kinesis-stream"
          }
        }
      ]
    }
  ]
}
`

// refPlanView is what the comparison looks at in a plan: every resource
// change by address, every output change by name, and the configuration
// Terraform read (provider constraint and region, resource expressions,
// output expressions and descriptions).
type refPlanView struct {
	Resources     map[string]refResourceChange
	Outputs       map[string]refChange
	Configuration any
}

type refResourceChange struct {
	Mode, Type, Name, ProviderName string
	Change                         refChange
}

type refChange struct {
	Actions                             []string
	After, AfterUnknown, AfterSensitive any
}

func refReadPlan(plan *tfjson.Plan) (refPlanView, error) {
	v := refPlanView{Resources: map[string]refResourceChange{}, Outputs: map[string]refChange{}}
	change := func(c *tfjson.Change) refChange {
		var actions []string
		for _, a := range c.Actions {
			actions = append(actions, string(a))
		}
		return refChange{actions, c.After, c.AfterUnknown, c.AfterSensitive}
	}
	for _, rc := range plan.ResourceChanges {
		if _, dup := v.Resources[rc.Address]; dup {
			return refPlanView{}, fmt.Errorf("the plan changes %s twice", rc.Address)
		}
		v.Resources[rc.Address] = refResourceChange{string(rc.Mode), rc.Type, rc.Name, rc.ProviderName, change(rc.Change)}
	}
	for name, oc := range plan.OutputChanges {
		v.Outputs[name] = change(oc)
	}
	// The configuration as generic JSON, for the template rule below.
	data, err := json.Marshal(plan.Config)
	if err != nil {
		return refPlanView{}, err
	}
	var config any
	if err := json.Unmarshal(data, &config); err != nil {
		return refPlanView{}, err
	}
	v.Configuration = refWithoutJSONTemplates(config)
	return v, nil
}

// refDiffPlans compares two plans and returns the readable differences
// (cmp.Diff, -want +got) of what differs, keyed "resource <address>",
// "output <name>" and "configuration". A resource or output that only one
// plan has differs from nothing (nil).
func refDiffPlans(want, got refPlanView) map[string]string {
	diffs := map[string]string{}
	add := func(key string, w, g any) {
		if d := cmp.Diff(w, g); d != "" {
			diffs[key] = d
		}
	}
	for _, addr := range refUnion(want.Resources, got.Resources) {
		add("resource "+addr, refEntry(want.Resources, addr), refEntry(got.Resources, addr))
	}
	for _, name := range refUnion(want.Outputs, got.Outputs) {
		add("output "+name, refEntry(want.Outputs, name), refEntry(got.Outputs, name))
	}
	add("configuration", want.Configuration, got.Configuration)
	return diffs
}

// refEntry is m[key], or nil when m has no key.
func refEntry[V any](m map[string]V, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	return nil
}

// refUnion lists the keys of a and b, sorted.
func refUnion[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// refReport lays the differences out one after the other, in key order.
func refReport(diffs map[string]string) string {
	keys := make([]string, 0, len(diffs))
	for k := range diffs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "--- %s:\n%s\n", k, diffs[k])
	}
	return b.String()
}

// refWithoutJSONTemplates drops the one thing in which Terraform's view of a
// JSON configuration differs from the same configuration in HCL: a JSON
// string such as "${aws_kinesis_stream.stream.name}" is a template, which
// `terraform show -json` reports as a constant_value holding the template
// text next to its references; the HCL reference aws_kinesis_stream.stream.name
// has only the references. An expression with references keeps them (they
// are compared) and loses a constant_value that contains a template.
func refWithoutJSONTemplates(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, child := range x {
			out[k] = refWithoutJSONTemplates(child)
		}
		if _, hasRefs := x["references"]; hasRefs && refHasTemplate(x["constant_value"]) {
			delete(out, "constant_value")
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, child := range x {
			out[i] = refWithoutJSONTemplates(child)
		}
		return out
	default:
		return v
	}
}

func refHasTemplate(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "${")
	case map[string]any:
		for _, child := range x {
			if refHasTemplate(child) {
				return true
			}
		}
	case []any:
		for _, child := range x {
			if refHasTemplate(child) {
				return true
			}
		}
	}
	return false
}

// refMutation replaces one text that must occur exactly once in the
// reference.
type refMutation struct{ Old, New string }

// refCopyReference copies bench/reference/*.tf into dir, applying the
// mutations (each must hit exactly once across the files).
func refCopyReference(t *testing.T, dir string, mutations []refMutation) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testkit.MustRoot(t), referenceDir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference configuration in %s (%v)", referenceDir, err)
	}
	sort.Strings(files)
	texts := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(data)
	}
	for _, m := range mutations {
		hits := 0
		for name, text := range texts {
			hits += strings.Count(text, m.Old)
			texts[name] = strings.ReplaceAll(text, m.Old, m.New)
		}
		if hits != 1 {
			t.Fatalf("mutation %q → %q hits the reference %d times, want once", m.Old, m.New, hits)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range texts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// refShareInit lets dir use the providers and backend settings terraform init
// installed in initialized (same backend block, same provider requirements):
// its .terraform is a link to the other one's and the lock file a copy. This
// saves a provider install (hundreds of MB without a mirror).
func refShareInit(t *testing.T, initialized, dir string) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(initialized, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(initialized, ".terraform"), filepath.Join(dir, ".terraform")); err != nil {
		t.Fatal(err)
	}
}
