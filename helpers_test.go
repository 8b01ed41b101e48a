package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current synth")

// Environment switches of the test suite.
const (
	// requireToolsVar makes a missing tool (terraform, the AWS provider) a
	// failure instead of a skip. .ci/run sets it.
	requireToolsVar = "KINESIS_REQUIRE_TOOLS"
	// providerMirrorVar names a Terraform provider filesystem mirror to
	// install hashicorp/aws from (offline machines). Optional.
	providerMirrorVar = "TF_PROVIDER_MIRROR"
	// appModeVar makes the test binary run main() instead of the tests, so
	// tests can run the app as a separate process without building it.
	appModeVar = "KINESIS_MONITORING_RUN_APP"
)

// jsiiTempPatterns are the temp directories the jsii runtime, its kernel and
// the cdktf Testing API create; none may outlive a run.
var jsiiTempPatterns = []string{"jsii-runtime.*", "jsii-kernel-*", "cdktf.outdir.*"}

func TestMain(m *testing.M) {
	if os.Getenv(appModeVar) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(runTests(m))
}

// runTests gives the run its own TMPDIR, so that whatever jsii leaves behind
// is found and reported, and closes the jsii kernel at the end.
func runTests(m *testing.M) int {
	flag.Parse()
	// The end-to-end deployments run side by side and mostly wait for the
	// emulator; allow them all at once unless -parallel was given.
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		flag.Set("test.parallel", "4")
	}
	tmp, err := os.MkdirTemp("", "kinesis-monitoring-test.")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	os.Setenv("TMPDIR", tmp)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if err := prepareJsiiKernel(); err != nil { // also restarts the kernel under the new TMPDIR
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	code := m.Run()
	jsii.Close()

	if left := leftoverTempDirs(tmp); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the run left jsii/cdktf temp directories behind: %s\n", strings.Join(left, ", "))
		return 1
	}
	return code
}

func leftoverTempDirs(dir string) []string {
	var left []string
	for _, pattern := range jsiiTempPatterns {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			left = append(left, filepath.Base(m))
		}
	}
	sort.Strings(left)
	return left
}

// synthesis is one synthesized configuration: the stack file exactly as the
// app writes it, its parsed form, and the Testing_Synth string for matchers.
type synthesis struct {
	Outdir   string // cdktf.out of this synth (manifest.json, stacks/…)
	StackDir string // Outdir/stacks/<StackID>
	File     []byte // StackDir/cdk.tf.json
	Doc      map[string]any
	Testing  string // cdktf.Testing_Synth of the same stack
}

var (
	synthMu    sync.Mutex
	synthCache = map[string]*synthesis{}
	synthDir   string
)

// synth synthesizes the stack for the given context once per distinct
// context in the whole run and returns the shared result (do not modify it).
func synth(t testing.TB, ctx map[string]any) *synthesis {
	t.Helper()
	key := render(ctx)
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synthCache[key]; ok {
		return s
	}
	cfg, err := ConfigFromContext(ctx)
	if err != nil {
		t.Fatalf("GIVEN context %s: %v", key, err)
	}
	if synthDir == "" {
		// Lives until the process ends: TMPDIR of the run is removed then.
		if synthDir, err = os.MkdirTemp("", "synth."); err != nil {
			t.Fatal(err)
		}
	}
	outdir := filepath.Join(synthDir, fmt.Sprint(len(synthCache)))
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{
		Outdir:      jsii.String(outdir),
		StubVersion: jsii.Bool(false), // the version the users' synth writes
		Context:     &ctx,
	})
	stack := NewKinesisMonitoringStack(app, StackID, cfg)
	app.Synth()

	s := &synthesis{Outdir: outdir, StackDir: filepath.Join(outdir, "stacks", StackID)}
	if s.File, err = os.ReadFile(filepath.Join(s.StackDir, "cdk.tf.json")); err != nil {
		t.Fatal(err)
	}
	if err = json.Unmarshal(s.File, &s.Doc); err != nil {
		t.Fatal(err)
	}
	s.Testing = *cdktf.Testing_Synth(stack, jsii.Bool(true))
	synthCache[key] = s
	return s
}

// lookup walks a parsed JSON document along path ("resource",
// "aws_kinesis_stream", "stream", "name") and says whether it got there.
func lookup(doc any, path ...string) (any, bool) {
	cur := doc
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// flatten maps every leaf of a JSON document to its dotted path, skipping
// cdktf's "//" metadata.
func flatten(doc any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if k == "//" {
					continue
				}
				walk(prefix+"."+k, child)
			}
		default:
			out[strings.TrimPrefix(prefix, ".")] = render(x)
		}
	}
	walk("", doc)
	return out
}

// requireTool finds a program on PATH; without it the test is skipped with
// the reason, or fails when the run requires every tool (CI).
func requireTool(t testing.TB, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("%s not found on PATH (%s)", name, why))
	}
	return path
}

// missing skips, or fails under KINESIS_REQUIRE_TOOLS=1.
func missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(requireToolsVar) == "1" {
		t.Fatalf("required for this run (%s=1): %s", requireToolsVar, reason)
	}
	t.Skipf("skipped: %s; set %s=1 to make this a failure", reason, requireToolsVar)
}

// terraformEnv is the environment for terraform and cdktf commands: no
// checkpoint calls, and a CLI configuration that installs hashicorp/aws from
// TF_PROVIDER_MIRROR when that is set. A TF_CLI_CONFIG_FILE that points at a
// missing file is dropped (terraform would warn on every command).
func terraformEnv(t testing.TB) []string {
	t.Helper()
	env := []string{"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	for _, kv := range userEnviron() {
		if strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			if _, err := os.Stat(strings.TrimPrefix(kv, "TF_CLI_CONFIG_FILE=")); err != nil {
				continue
			}
		}
		env = append(env, kv)
	}
	if mirror := os.Getenv(providerMirrorVar); mirror != "" {
		if _, err := os.Stat(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
			t.Fatalf("%s=%s holds no registry.terraform.io/hashicorp/aws: %v", providerMirrorVar, mirror, err)
		}
		config := filepath.Join(t.TempDir(), "terraformrc")
		text := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`, mirror)
		if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "TF_CLI_CONFIG_FILE="+config)
	}
	return env
}

// runApp runs the app (this test binary in app mode) in dir with the given
// CDKTF_CONTEXT_JSON ("" for none) and returns its exit code and stderr.
func runApp(t testing.TB, dir, contextJSON string) (int, string) {
	t.Helper()
	code, stderr, err := execApp(dir, contextJSON)
	if err != nil {
		t.Fatalf("running the app: %v", err)
	}
	return code, stderr
}

func execApp(dir, contextJSON string, env ...string) (int, string, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Dir = dir
	cmd.Env = append(append(userEnviron(), appModeVar+"=1"), env...)
	if contextJSON != "" {
		cmd.Env = append(cmd.Env, contextEnvironmentVar+"="+contextJSON)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String(), nil
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String(), nil
	default:
		return -1, "", err
	}
}

// userEnviron is the environment as the user gave it to the test run: the
// kernel options prepareJsiiKernel added to this process are taken out again,
// so a program started from a test prepares its own.
func userEnviron() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, nodeOptionsVariable+"=") })
	if userNodeOptionsSet {
		env = append(env, nodeOptionsVariable+"="+userNodeOptions)
	}
	return env
}

// treeOf lists every file below dir with its content, for before/after and
// dir-to-dir comparisons.
func treeOf(t testing.TB, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		tree[rel] = string(data)
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return tree
}
