package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deployment describes one run of the stack through the cdktf CLI, as a user
// would do it, in a project directory of its own: a cdktf.json whose app is
// this test binary in app mode (the same main) with the given context, the
// state file, and cdktf.out. Everything goes to the emulator.
type deployment struct {
	t         *testing.T
	Dir       string
	Env       []string
	cli       string
	terraform string
	app       string
}

// SetContext writes the project's cdktf.json with the given settings; the
// next cdktf command synthesizes them.
func (d *deployment) SetContext(ctx map[string]any) {
	d.t.Helper()
	project, _ := json.MarshalIndent(map[string]any{
		"language": "go", "app": d.app, "sendCrashReports": "false", "context": ctx,
	}, "", "  ")
	if err := os.WriteFile(filepath.Join(d.Dir, "cdktf.json"), project, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

func newDeployment(t *testing.T, em *emulator, ctx map[string]any) *deployment {
	t.Helper()
	app, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{
		t:         t,
		Dir:       t.TempDir(),
		cli:       cdktfCLI(t),
		terraform: requireTool(t, "terraform", "deploys run terraform"),
		app:       app,
	}
	d.SetContext(ctx)
	d.Env = append(em.env(terraformEnv(t)),
		appModeVar+"=1",
		"CI=1",                             // plain output, no spinner
		"CDKTF_DISABLE_PLUGIN_CACHE_ENV=1", // no plugin cache in the home directory
	)
	return d
}

// StackDir is where cdktf runs terraform for the stack.
func (d *deployment) StackDir() string { return filepath.Join(d.Dir, "cdktf.out", "stacks", StackID) }

func (d *deployment) run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, d.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (d *deployment) cdktf(args ...string) string {
	d.t.Helper()
	out, err := d.run(d.Dir, d.cli, args...)
	if err != nil {
		d.t.Fatalf("cdktf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// SynthAndInit synthesizes and runs terraform init in the stack directory,
// so the provider comes from the configured mirror (a first cdktf deploy
// would otherwise run terraform providers lock, which ignores mirrors).
func (d *deployment) SynthAndInit() {
	d.t.Helper()
	d.cdktf("synth")
	if out, err := d.run(d.StackDir(), d.terraform, "init", "-input=false", "-no-color"); err != nil {
		missing(d.t, "terraform init could not install hashicorp/aws (offline? set "+providerMirrorVar+"): "+firstError(out))
	}
}

func (d *deployment) Deploy() string {
	d.t.Helper()
	return d.cdktf("deploy", "--auto-approve", "--no-color")
}

// TryDeploy is a deploy that may fail, with extra arguments and extra
// environment variables.
func (d *deployment) TryDeploy(extraArgs []string, extraEnv ...string) (string, error) {
	cmd := exec.Command(d.cli, append([]string{"deploy", "--auto-approve", "--no-color"}, extraArgs...)...)
	cmd.Dir, cmd.Env = d.Dir, append(append([]string{}, d.Env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (d *deployment) Diff() string {
	d.t.Helper()
	return d.cdktf("diff", "--no-color")
}

func (d *deployment) Destroy() string {
	d.t.Helper()
	return d.cdktf("destroy", "--auto-approve", "--no-color")
}

// Plan runs terraform plan -detailed-exitcode on the synthesized stack:
// 0 = no changes, 2 = changes, 1 = error.
func (d *deployment) Plan() (int, string) {
	d.t.Helper()
	out, err := d.run(d.StackDir(), d.terraform, "plan", "-detailed-exitcode", "-no-color", "-input=false")
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out
	case errors.As(err, &exit):
		return exit.ExitCode(), out
	default:
		d.t.Fatalf("terraform plan: %v", err)
		return -1, ""
	}
}

// RequireNoChanges asserts the specification's acceptance: plan exits 0
// and says so.
func (d *deployment) RequireNoChanges(when string) {
	d.t.Helper()
	code, out := d.Plan()
	if code != 0 || !strings.Contains(out, "No changes. Your infrastructure matches the configuration.") {
		d.t.Fatalf("%s: terraform plan exit %d, want 0 and \"No changes\":\n%s", when, code, out)
	}
}

// Outputs reads the stack outputs through cdktf output --outputs-file.
func (d *deployment) Outputs() map[string]string {
	d.t.Helper()
	file := filepath.Join(d.Dir, "outputs.json")
	d.cdktf("output", "--outputs-file", file, "--no-color")
	data, err := os.ReadFile(file)
	if err != nil {
		d.t.Fatal(err)
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		d.t.Fatalf("outputs file: %v\n%s", err, data)
	}
	return all[StackID]
}

// phase runs one step and logs how long it took.
func phase(t *testing.T, name string, step func()) {
	t.Helper()
	start := time.Now()
	step()
	t.Logf("phase %-34s %6.1f s", name, time.Since(start).Seconds())
}
