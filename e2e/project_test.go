package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	dir       string
	stack     string // the stack terraform runs for
	env       []string
	cdktf     string // the cdktf CLI
	terraform string
}

func newProject(t *testing.T, em *emulator, ctx map[string]any) *project {
	t.Helper()
	p := &project{
		dir:       t.TempDir(),
		stack:     "kinesis-monitoring",
		env:       em.env,
		cdktf:     cdktfCLI(t),
		terraform: testkit.Tool(t, "terraform", "deploys run terraform"),
	}
	p.setContext(t, ctx)
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

// setContext writes the project's cdktf.json with the given settings; the
// next cdktf command synthesizes them.
func (p *project) setContext(t *testing.T, ctx map[string]any) {
	t.Helper()
	data, _ := json.MarshalIndent(map[string]any{
		"language": "go", "app": app, "sendCrashReports": "false", "context": ctx,
	}, "", "  ")
	if err := os.WriteFile(filepath.Join(p.dir, "cdktf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// forStack is the same project seen through another of its stacks.
func (p *project) forStack(name string) *project {
	q := *p
	q.stack = name
	return &q
}

// stackDir is where cdktf runs terraform for the stack.
func (p *project) stackDir() string { return filepath.Join(p.dir, "cdktf.out", "stacks", p.stack) }

// statePath is the stack's local state file.
func (p *project) statePath() string { return filepath.Join(p.dir, "terraform."+p.stack+".tfstate") }

// synthesized is the stack as the last synth wrote it.
func (p *project) synthesized(t *testing.T) stack {
	t.Helper()
	s, ok := readSynth(t, filepath.Join(p.dir, "cdktf.out")).stacks[p.stack]
	if !ok {
		t.Fatalf("the synth holds no stack %s", p.stack)
	}
	return s.stack
}

// synthesizedAddresses are the addresses of every resource in the stack as
// the last synth wrote it (type.name), sorted.
func (p *project) synthesizedAddresses(t *testing.T) []string {
	t.Helper()
	s, ok := readSynth(t, filepath.Join(p.dir, "cdktf.out")).stacks[p.stack]
	if !ok {
		t.Fatalf("the synth holds no stack %s", p.stack)
	}
	var doc struct {
		Resource map[string]map[string]json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(s.file, &doc); err != nil {
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

// tryCLI runs cdktf with the arguments and extra environment, and returns its
// combined output; a command that fails returns its error.
func (p *project) tryCLI(args []string, env ...string) (string, error) {
	cmd := exec.Command(p.cdktf, args...)
	cmd.Dir, cmd.Env = p.dir, append(append([]string{}, p.env...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cli is tryCLI for a command that must succeed.
func (p *project) cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.tryCLI(args)
	if err != nil {
		t.Fatalf("cdktf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// synthAndInit synthesizes and runs terraform init in the stack directory,
// so the provider comes from the configured mirror (a first cdktf deploy
// would otherwise run terraform providers lock, which ignores mirrors).
func (p *project) synthAndInit(t *testing.T) {
	t.Helper()
	p.cli(t, "synth")
	p.init(t)
}

// init runs terraform init in the stack directory.
func (p *project) init(t *testing.T) {
	t.Helper()
	if err := p.tf(t).Init(context.Background()); err != nil {
		testkit.Missing(t, "terraform init could not install hashicorp/aws (offline? set "+testkit.ProviderMirrorVar+"): "+testkit.FirstError(err.Error()))
	}
}

// deployArgs are the arguments of every cdktf deploy of the tests.
var deployArgs = []string{"deploy", "--auto-approve", "--no-color"}

// tryDeploy runs cdktf deploy with extra arguments and environment, and
// returns its output; a deploy that fails returns its error.
func (p *project) tryDeploy(extraArgs []string, extraEnv ...string) (string, error) {
	return p.tryCLI(append(slices.Clone(deployArgs), extraArgs...), extraEnv...)
}

// deploy is tryDeploy, without extras, for a deploy that must succeed.
func (p *project) deploy(t *testing.T) string {
	t.Helper()
	out, err := p.tryDeploy(nil)
	if err != nil {
		t.Fatalf("cdktf %s: %v\n%s", strings.Join(deployArgs, " "), err, out)
	}
	return out
}

func (p *project) diff(t *testing.T) string {
	t.Helper()
	return p.cli(t, "diff", "--no-color")
}

func (p *project) destroy(t *testing.T) string {
	t.Helper()
	return p.cli(t, "destroy", "--auto-approve", "--no-color")
}

// tf is terraform (terraform-exec) in the stack directory, with the
// project's environment.
func (p *project) tf(t *testing.T) *tfexec.Terraform {
	t.Helper()
	return newTerraform(t, p.stackDir(), p.terraform, p.env)
}

// planned is a terraform plan that went through: whether it has changes,
// what it printed, and the plan file, shown as JSON only when a check needs
// it (terraform show starts the provider again, a few seconds of CPU).
type planned struct {
	changes bool
	printed string
	file    string
	p       *project
}

// json is the plan as terraform show -json gives it.
func (pl planned) json(t *testing.T) *tfjson.Plan {
	t.Helper()
	tf := pl.p.tf(t)
	plan, err := tf.ShowPlanFile(context.Background(), pl.file)
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	return plan
}

// tryPlan runs terraform plan on the synthesized stack (as it is, without
// a new synth); a plan that fails returns its error, which holds what
// terraform wrote to stderr, and what it printed.
func (p *project) tryPlan(t *testing.T) (planned, error) {
	t.Helper()
	tf := p.tf(t)
	var out bytes.Buffer
	tf.SetStdout(&out)
	pl := planned{file: filepath.Join(t.TempDir(), "plan.bin"), p: p}
	var err error
	pl.changes, err = tf.Plan(context.Background(), tfexec.Out(pl.file))
	pl.printed = out.String()
	if err != nil {
		return pl, fmt.Errorf("terraform plan: %w", err)
	}
	return pl, nil
}

// plan runs terraform plan, which must succeed, and returns whether it has
// changes, the plan as JSON and what plan printed.
func (p *project) plan(t *testing.T) (changes bool, plan *tfjson.Plan, printed string) {
	t.Helper()
	pl, err := p.tryPlan(t)
	if err != nil {
		t.Fatalf("%v\n%s", err, pl.printed)
	}
	return pl.changes, pl.json(t), pl.printed
}

// requireNoChanges asserts the specification's acceptance: terraform plan
// finds nothing to do, and says so. The plan's JSON is read only to name
// the changes of a plan that has some.
func (p *project) requireNoChanges(t *testing.T, when string) {
	t.Helper()
	pl, err := p.tryPlan(t)
	if err != nil {
		t.Fatalf("%s: %v\n%s", when, err, pl.printed)
	}
	if pl.changes || !strings.Contains(pl.printed, "No changes. Your infrastructure matches the configuration.") {
		t.Fatalf("%s: terraform plan has changes (%s), want \"No changes\":\n%s", when, summarize(pl.json(t)), pl.printed)
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

// outputs reads the stack outputs through cdktf output --outputs-file.
func (p *project) outputs(t *testing.T) map[string]string {
	t.Helper()
	file := filepath.Join(p.dir, "outputs.json")
	p.cli(t, "output", "--outputs-file", file, "--no-color")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatalf("outputs file: %v\n%s", err, data)
	}
	return all[p.stack]
}

// stateResources are the managed resources in the stack's state (not its
// data sources), by address.
func (p *project) stateResources(t *testing.T) map[string]*tfjson.StateResource {
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

// stateList lists the managed resources in the stack's state (not its data
// sources).
func (p *project) stateList(t *testing.T) []string {
	t.Helper()
	var addrs []string
	for addr := range p.stateResources(t) {
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
	// marked is closed once a line of the output contains the marker, or
	// when the deploy ends without one.
	marked <-chan struct{}
	// ended is closed when cdktf has exited; wait then returns at once.
	ended   <-chan struct{}
	pid     int
	output  string
	errText string
}

// wait waits for the deploy to end and returns its output and error text
// ("" on success, as exec reports it otherwise: "exit status 1",
// "signal: killed").
func (d *backgroundDeploy) wait() (output, errText string) {
	<-d.ended
	return d.output, d.errText
}

// killGroup sends SIGKILL to the deploy's process group, the hard end a CI
// runner gives a job step past its timeout.
func (d *backgroundDeploy) killGroup(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-d.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// startDeploy runs cdktf deploy in the background; marked is closed once a
// line of its output contains marker.
func (p *project) startDeploy(t *testing.T, marker string) *backgroundDeploy {
	t.Helper()
	cmd := exec.Command(p.cdktf, "deploy", "--auto-approve", "--no-color")
	cmd.Dir, cmd.Env = p.dir, p.env
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
	d := &backgroundDeploy{marked: marked, ended: ended, pid: cmd.Process.Pid}
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
