// Package testkit holds what the app's fast tests and the end-to-end tests
// share: finding the tools a test needs (a skip, or a failure in CI), the
// report of skipped tests, the environment for terraform and the cdktf CLI,
// golden-file comparison, and a stack's alarms read back from its JSON.
package testkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Environment switches of the test suites.
const (
	// RequireToolsVar makes a missing tool a failure instead of a skip.
	// .ci/run sets it.
	RequireToolsVar = "KINESIS_REQUIRE_TOOLS"
	// ProviderMirrorVar names a Terraform provider filesystem mirror to
	// install hashicorp/aws from (offline machines). Optional.
	ProviderMirrorVar = "TF_PROVIDER_MIRROR"
)

var (
	skipsMu sync.Mutex
	skips   []string
)

// Skip skips the test and records why, for the report at the end of the run.
func Skip(t testing.TB, reason string) {
	t.Helper()
	record(t.Name(), reason)
	t.Skip(reason)
}

// record notes a skipped test for ReportSkips.
func record(test, reason string) {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	skips = append(skips, test+": "+reason)
}

// Missing skips a test for a missing tool, or fails it when the run requires
// every tool (KINESIS_REQUIRE_TOOLS=1, as in CI).
func Missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(RequireToolsVar) == "1" {
		t.Fatalf("required for this run (%s=1): %s", RequireToolsVar, reason)
	}
	Skip(t, reason+"; set "+RequireToolsVar+"=1 to make this a failure")
}

// Tool finds a program on PATH; without it the test is skipped with the
// reason, or fails when the run requires every tool.
func Tool(t testing.TB, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, fmt.Sprintf("%s not found on PATH (%s)", name, why))
	}
	return path
}

// Main runs the tests and then lists the skipped ones with their reasons.
// A test binary's output is hidden when its package passes (go test ./...
// without -v prints one "ok" line per package), so the list also goes to
// the terminal, when there is one: a skipped test is never silent.
func Main(m *testing.M) int {
	code := m.Run()
	ReportSkips(os.Stdout, openTerminal())
	return code
}

// ReportSkips writes the list of skipped tests to each writer (nil ones are
// left out); nothing when no test was skipped.
func ReportSkips(writers ...io.Writer) {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	if len(skips) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d test(s) skipped in %s:\n", len(skips), packageName())
	for _, s := range slices.Sorted(slices.Values(skips)) {
		b.WriteString("  SKIP " + s + "\n")
	}
	for _, w := range writers {
		if w != nil {
			io.WriteString(w, b.String())
		}
	}
}

func openTerminal() io.Writer {
	if testing.Verbose() {
		return nil // stdout is shown already
	}
	f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	return f
}

func packageName() string {
	dir, _ := os.Getwd()
	if root, err := Root(); err == nil {
		if rel, err := filepath.Rel(root, dir); err == nil && rel != "." {
			return "./" + filepath.ToSlash(rel)
		}
	}
	return "the app's package"
}

// Root is the project directory (where go.mod is).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// MustRoot is Root for tests.
func MustRoot(t testing.TB) string {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Golden compares got with the golden file at path (relative to the project
// directory) byte for byte and reports a line diff; with update it rewrites
// the file instead.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	path = filepath.Join(MustRoot(t), path)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update in the project directory creates it)", err, t.Name())
	}
	if diff := GoldenDiff(want, got); diff != "" {
		t.Errorf("differs from %s (-golden +got); if the change is intended, run go test -run '%s' -update in the project directory and review the diff:\n%s", path, t.Name(), diff)
	}
}

// GoldenDiff is "" when the bytes are equal, else a line diff that also
// shows differences invisible in a line view (a trailing newline).
func GoldenDiff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n"))
	if diff == "" {
		diff = fmt.Sprintf("same lines, different bytes: %d vs %d bytes", len(want), len(got))
	}
	return diff
}

// ScriptEnvironment runs scripts/emulator.sh COMMAND DIR (terraform-env or
// start) in a new directory of the test's and returns that directory and the
// environment the script left there: the one way the scripts and the tests
// reach the provider mirror and the emulator.
func ScriptEnvironment(t testing.TB, command string) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	cmd := exec.Command("bash", filepath.Join(MustRoot(t), "scripts", "emulator.sh"), command, dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		Missing(t, strings.TrimSpace(string(out)))
	case err != nil:
		t.Fatalf("scripts/emulator.sh %s: %v\n%s", command, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range strings.Split(string(data), "\x00") {
		if kv != "" {
			env = append(env, kv)
		}
	}
	return dir, env
}

// jsiiTempPatterns are the temp directories the jsii runtime, its kernel and
// the cdktf Testing API create; none may outlive a run.
var jsiiTempPatterns = []string{"jsii-runtime.*", "jsii-kernel-*", "cdktf.outdir.*"}

// LeftoverTempDirs lists the jsii/cdktf temp directories in dir, sorted.
func LeftoverTempDirs(dir string) []string {
	var left []string
	for _, pattern := range jsiiTempPatterns {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			left = append(left, filepath.Base(m))
		}
	}
	slices.Sort(left)
	return left
}

// InOrder says whether text holds each of parts, one after the other, each
// after the end of the one before.
func InOrder(text string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(text, p)
		if i < 0 {
			return false
		}
		text = text[i+len(p):]
	}
	return true
}

// FirstError condenses terraform's output to one line: its first "Error:"
// line and the line after it (terraform puts the cause there), or the
// first line.
func FirstError(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i, line := range lines {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(strings.Trim(line, "│╷╵ ")), "Error: "); ok {
			for _, next := range lines[i+1:] {
				if next = strings.TrimSpace(strings.Trim(next, "│╷╵ ")); next != "" {
					return msg + ": " + next
				}
			}
			return msg
		}
	}
	return lines[0]
}

// Context reads testdata/<name>.context.json of the project: a cdktf.json
// "context" kept for the tests.
func Context(name string) (map[string]any, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(root, "testdata", name+".context.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ctx map[string]any
	if err := json.Unmarshal(data, &ctx); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return ctx, nil
}

// MustContext is Context for package initialization: it panics on error.
func MustContext(name string) map[string]any {
	ctx, err := Context(name)
	if err != nil {
		panic(err)
	}
	return ctx
}
