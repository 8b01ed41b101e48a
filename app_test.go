package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/config"
)

// appModeVar makes the test binary run main() instead of the tests, so tests
// can run the app as a separate process without building it.
const appModeVar = "KINESIS_MONITORING_RUN_APP"

// --- determinism and the app as users run it ---------------------------------

func TestAppSynthIsIdenticalAcrossRunsAndDirectories(t *testing.T) {
	t.Parallel() // a process of its own: it runs beside the in-process tests
	// GIVEN the app run as a program in a checkout elsewhere
	dir := filepath.Join(t.TempDir(), "some", "checkout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runApp(t, dir, ""); code != 0 || stderr != "" {
		t.Fatalf("app: exit %d, stderr %q (want 0 and nothing)", code, stderr)
	}
	// AND the in-process synth of the default stack (its own directory)
	inProcess := treeOf(t, synth(t, defaults).Outdir)
	// THEN both cdktf.out trees are byte-identical and hold no path of either
	app := treeOf(t, filepath.Join(dir, "cdktf.out"))
	if diff := cmp.Diff(inProcess, app); diff != "" {
		t.Errorf("synth differs between runs in different directories (-in-process +app):\n%s", diff)
	}
	for name, content := range app {
		if strings.Contains(content, os.TempDir()) {
			t.Errorf("%s contains a checkout path (%s)", name, os.TempDir())
		}
	}
}

func TestAppRefusesBadContextAndWritesNothing(t *testing.T) {
	t.Parallel()
	// GIVEN a project with an earlier synth and three bad settings
	dir := t.TempDir()
	stackFile := filepath.Join(dir, "cdktf.out", "stacks", config.StackID, "cdk.tf.json")
	if err := os.MkdirAll(filepath.Dir(stackFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stackFile, []byte(`{"earlier":"synth"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := treeOf(t, dir)
	bad := `{"shardCount":"2x","retentionHours":12,"alarmComparisonOperator":"Bigger","cdktfRelativeModules":[]}`

	// WHEN the app runs
	code, stderr := runApp(t, dir, bad)

	// THEN it exits non-zero, names every bad setting at once, and leaves the
	// directory exactly as it was
	if code == 0 {
		t.Errorf("exit code 0 for a bad configuration")
	}
	for _, want := range []string{
		`3 problem(s)`,
		`shardCount: "2x" is not a number (write 2x without quotes); allowed: a whole number from 1 to 10000`,
		`retentionHours: 12 is out of range; allowed: a whole number of hours from 24 to 8760`,
		`alarmComparisonOperator: "Bigger" is not allowed; allowed: one of GreaterThanOrEqualToThreshold`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if diff := cmp.Diff(before, treeOf(t, dir)); diff != "" {
		t.Errorf("a refused synth changed the project directory:\n%s", diff)
	}

	// AND in an empty directory it creates no cdktf.out at all
	empty := t.TempDir()
	if code, _ := runApp(t, empty, bad); code == 0 {
		t.Error("exit code 0 for a bad configuration")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused synth created %v", entries)
	}
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
		cmd.Env = append(cmd.Env, contextVar+"="+contextJSON)
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
