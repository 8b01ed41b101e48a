package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// project is a cdktf project as a user has it, in a directory of its own: a
// cdktf.json whose app is the built app, the state file, cdktf.out. The cdktf
// CLI synthesizes and deploys it; terraform (through terraform-exec) plans
// and inspects the stack it wrote. Everything goes to the emulator.
type project struct {
	Dir       string
	Stack     string // the stack terraform runs for
	env       []string
	cli       string
	terraform string
}

func newProject(t *testing.T, em *emulator, ctx map[string]any) *project {
	t.Helper()
	p := &project{
		Dir:       t.TempDir(),
		Stack:     "kinesis-monitoring",
		env:       em.Env,
		cli:       cdktfCLI(t),
		terraform: testkit.Tool(t, "terraform", "deploys run terraform"),
	}
	p.SetContext(t, ctx)
	return p
}

// cdktfCLI finds the pinned cdktf CLI (npm ci puts it in node_modules), or
// one on PATH.
func cdktfCLI(t *testing.T) string {
	t.Helper()
	local := filepath.Join(testkit.MustRoot(t), "node_modules", ".bin", "cdktf")
	if _, err := os.Stat(local); err == nil {
		return local
	}
	return testkit.Tool(t, "cdktf", "the cdktf CLI: run npm ci in the project directory")
}

// SetContext writes the project's cdktf.json with the given settings; the
// next cdktf command synthesizes them.
func (p *project) SetContext(t *testing.T, ctx map[string]any) {
	t.Helper()
	data, _ := json.MarshalIndent(map[string]any{
		"language": "go", "app": app, "sendCrashReports": "false", "context": ctx,
	}, "", "  ")
	if err := os.WriteFile(filepath.Join(p.Dir, "cdktf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// forStack is the same project seen through another of its stacks.
func (p *project) forStack(name string) *project {
	q := *p
	q.Stack = name
	return &q
}

// StackDir is where cdktf runs terraform for the stack.
func (p *project) StackDir() string { return filepath.Join(p.Dir, "cdktf.out", "stacks", p.Stack) }

// statePath is the stack's local state file.
func (p *project) statePath() string { return filepath.Join(p.Dir, "terraform."+p.Stack+".tfstate") }

// Synthesized is the stack as the last synth wrote it.
func (p *project) Synthesized(t *testing.T) stack {
	t.Helper()
	s, ok := readSynth(t, filepath.Join(p.Dir, "cdktf.out")).Stacks[p.Stack]
	if !ok {
		t.Fatalf("the synth holds no stack %s", p.Stack)
	}
	return s.Stack
}

// SynthesizedAddresses are the addresses of every resource in the stack as
// the last synth wrote it (type.name), sorted.
func (p *project) SynthesizedAddresses(t *testing.T) []string {
	t.Helper()
	s, ok := readSynth(t, filepath.Join(p.Dir, "cdktf.out")).Stacks[p.Stack]
	if !ok {
		t.Fatalf("the synth holds no stack %s", p.Stack)
	}
	var doc struct {
		Resource map[string]map[string]json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(s.File, &doc); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for typ, byName := range doc.Resource {
		for name := range byName {
			addrs = append(addrs, typ+"."+name)
		}
	}
	slices.Sort(addrs)
	return addrs
}

// CLI runs cdktf with the arguments and extra environment, and returns its
// combined output.
func (p *project) CLI(args []string, env ...string) (string, error) {
	cmd := exec.Command(p.cli, args...)
	cmd.Dir, cmd.Env = p.Dir, append(append([]string{}, p.env...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p *project) mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.CLI(args)
	if err != nil {
		t.Fatalf("cdktf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// SynthAndInit synthesizes and runs terraform init in the stack directory,
// so the provider comes from the configured mirror (a first cdktf deploy
// would otherwise run terraform providers lock, which ignores mirrors).
func (p *project) SynthAndInit(t *testing.T) {
	t.Helper()
	p.mustCLI(t, "synth")
	p.Init(t)
}

// Init runs terraform init in the stack directory.
func (p *project) Init(t *testing.T) {
	t.Helper()
	if err := p.tf(t).Init(context.Background()); err != nil {
		testkit.Missing(t, "terraform init could not install hashicorp/aws (offline? set "+testkit.ProviderMirrorVar+"): "+testkit.FirstError(err.Error()))
	}
}

func (p *project) Deploy(t *testing.T) string {
	t.Helper()
	return p.mustCLI(t, "deploy", "--auto-approve", "--no-color")
}

// TryDeploy is a deploy that may fail, with extra arguments and environment.
func (p *project) TryDeploy(extraArgs []string, extraEnv ...string) (string, error) {
	return p.CLI(append([]string{"deploy", "--auto-approve", "--no-color"}, extraArgs...), extraEnv...)
}

func (p *project) Diff(t *testing.T) string {
	t.Helper()
	return p.mustCLI(t, "diff", "--no-color")
}

func (p *project) Destroy(t *testing.T) string {
	t.Helper()
	return p.mustCLI(t, "destroy", "--auto-approve", "--no-color")
}

// tf is terraform (terraform-exec) in the stack directory, with the
// project's environment.
func (p *project) tf(t *testing.T) *tfexec.Terraform {
	t.Helper()
	return newTerraform(t, p.StackDir(), p.terraform, p.env)
}

// Plan runs terraform plan on the synthesized stack (as it is, without a new
// synth) and returns whether it has changes, the plan as JSON and what plan
// printed.
func (p *project) Plan(t *testing.T) (bool, *tfjson.Plan, string) {
	t.Helper()
	ctx := context.Background()
	tf := p.tf(t)
	var printed bytes.Buffer
	tf.SetStdout(&printed)
	planFile := filepath.Join(t.TempDir(), "plan.bin")
	changes, err := tf.Plan(ctx, tfexec.Out(planFile))
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, printed.String())
	}
	tf.SetStdout(io.Discard)
	plan, err := tf.ShowPlanFile(ctx, planFile)
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	return changes, plan, printed.String()
}

// TryPlan runs terraform plan on the synthesized stack, for a plan that may
// fail, and returns what it printed and, when it failed, its error output
// after that.
func (p *project) TryPlan(t *testing.T) (string, error) {
	t.Helper()
	tf := p.tf(t)
	var printed bytes.Buffer
	tf.SetStdout(&printed)
	_, err := tf.Plan(context.Background())
	if err != nil {
		return printed.String() + "\n" + err.Error(), err
	}
	return printed.String(), nil
}

// RequireNoChanges asserts the specification's acceptance: terraform plan
// finds nothing to do, and says so.
func (p *project) RequireNoChanges(t *testing.T, when string) {
	t.Helper()
	changes, plan, printed := p.Plan(t)
	if changes || !strings.Contains(printed, "No changes. Your infrastructure matches the configuration.") {
		t.Fatalf("%s: terraform plan has changes (%s), want \"No changes\":\n%s", when, summarize(plan), printed)
	}
}

// summarize lists a plan's resource changes as "address: actions".
func summarize(plan *tfjson.Plan) string {
	var parts []string
	for _, rc := range plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			parts = append(parts, rc.Address+": "+actionsText(rc.Change.Actions))
		}
	}
	return strings.Join(parts, ", ")
}

func actionsText(a tfjson.Actions) string {
	var words []string
	for _, action := range a {
		words = append(words, string(action))
	}
	return strings.Join(words, "+")
}

// Outputs reads the stack outputs through cdktf output --outputs-file.
func (p *project) Outputs(t *testing.T) map[string]string {
	t.Helper()
	file := filepath.Join(p.Dir, "outputs.json")
	p.mustCLI(t, "output", "--outputs-file", file, "--no-color")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatalf("outputs file: %v\n%s", err, data)
	}
	return all[p.Stack]
}

// StateResources are the managed resources in the stack's state (not its
// data sources), by address.
func (p *project) StateResources(t *testing.T) map[string]*tfjson.StateResource {
	t.Helper()
	state, err := p.tf(t).Show(context.Background())
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	resources := map[string]*tfjson.StateResource{}
	if state.Values != nil {
		for _, r := range state.Values.RootModule.Resources {
			if r.Mode == tfjson.ManagedResourceMode {
				resources[r.Address] = r
			}
		}
	}
	return resources
}

// StateList lists the managed resources in the stack's state (not its data
// sources).
func (p *project) StateList(t *testing.T) []string {
	t.Helper()
	var addrs []string
	for addr := range p.StateResources(t) {
		addrs = append(addrs, addr)
	}
	slices.Sort(addrs)
	return addrs
}

// maps merges maps into a new one; later ones win.
func maps(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// backgroundDeploy is a cdktf deploy running in the background, in a
// process group of its own (as a CI job's step runs).
type backgroundDeploy struct {
	// Marked is closed once a line of the output contains the marker, or
	// when the deploy ends without one.
	Marked <-chan struct{}
	// Ended is closed when cdktf has exited; Wait then returns at once.
	Ended   <-chan struct{}
	pid     int
	output  string
	errText string
}

// Wait waits for the deploy to end and returns its output and error text
// ("" on success, as exec reports it otherwise: "exit status 1",
// "signal: killed").
func (d *backgroundDeploy) Wait() (output, errText string) {
	<-d.Ended
	return d.output, d.errText
}

// KillGroup sends SIGKILL to the deploy's process group, the hard end a CI
// runner gives a job step past its timeout.
func (d *backgroundDeploy) KillGroup(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-d.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// startDeploy runs cdktf deploy in the background; Marked is closed once a
// line of its output contains marker.
func (p *project) startDeploy(t *testing.T, marker string) *backgroundDeploy {
	t.Helper()
	cmd := exec.Command(p.cli, "deploy", "--auto-approve", "--no-color")
	cmd.Dir, cmd.Env = p.Dir, p.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	marked, ended := make(chan struct{}), make(chan struct{})
	d := &backgroundDeploy{Marked: marked, Ended: ended, pid: cmd.Process.Pid}
	go func() {
		var all strings.Builder
		seen := false
		scanner := bufio.NewScanner(pipe)
		for scanner.Scan() {
			all.WriteString(scanner.Text() + "\n")
			if !seen && strings.Contains(scanner.Text(), marker) {
				seen = true
				close(marked)
			}
		}
		err := cmd.Wait()
		if !seen {
			close(marked)
		}
		d.output = all.String()
		if err != nil {
			d.errText = err.Error()
		}
		close(ended)
	}()
	t.Cleanup(func() {
		select {
		case <-ended:
		default:
			syscall.Kill(-d.pid, syscall.SIGKILL)
			select {
			case <-ended:
			case <-time.After(30 * time.Second):
			}
		}
	})
	return d
}
