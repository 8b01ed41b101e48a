package testkit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoldenDiffCanFail(t *testing.T) {
	// GIVEN the golden text and a copy with one changed value
	want := []byte("{\n  \"shard_count\": 1\n}\n")
	got := []byte("{\n  \"shard_count\": 2\n}\n")
	// THEN the diff is reported and names the line; a missing final newline counts too
	if d := GoldenDiff(want, got); !strings.Contains(d, `"shard_count": 2`) {
		t.Errorf("diff does not show the changed line: %q", d)
	}
	if d := GoldenDiff(want, want[:len(want)-1]); d == "" {
		t.Error("a dropped trailing newline went unnoticed")
	}
	if d := GoldenDiff(want, want); d != "" {
		t.Errorf("equal input reported as different: %s", d)
	}
}

func TestLeftoverTempDirsAreFound(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"jsii-runtime.123", "jsii-kernel-abc", "cdktf.outdir.x", "unrelated"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(LeftoverTempDirs(dir), ","); got != "cdktf.outdir.x,jsii-kernel-abc,jsii-runtime.123" {
		t.Errorf("found %q", got)
	}
	if left := LeftoverTempDirs(t.TempDir()); len(left) != 0 {
		t.Errorf("found %v in an empty directory", left)
	}
}

func TestSkipsAreReported(t *testing.T) {
	// GIVEN a test that skipped for a missing tool (recorded as Skip does,
	// without skipping a test of this run)
	record("TestSkipsAreReported/needs_a_tool", "frobnicate not found on PATH")
	defer func() { skips = nil }()
	// WHEN the run reports THEN every writer gets the test and the reason
	var a, b bytes.Buffer
	ReportSkips(&a, nil, &b)
	for _, out := range []string{a.String(), b.String()} {
		if !strings.Contains(out, "1 test(s) skipped") || !strings.Contains(out, "SKIP TestSkipsAreReported/needs_a_tool: frobnicate not found on PATH") {
			t.Errorf("report:\n%s", out)
		}
	}
	// AND without skips it says nothing
	skips = nil
	var none bytes.Buffer
	ReportSkips(&none)
	if none.Len() != 0 {
		t.Errorf("a run without skips reported %q", none.String())
	}
}

func TestFirstErrorIsOneLine(t *testing.T) {
	out := "exit status 1\n\nError: Failed to query available provider packages\n\nCould not retrieve the list of available versions\nmore"
	if got := FirstError(out); got != "Failed to query available provider packages: Could not retrieve the list of available versions" {
		t.Errorf("got %q", got)
	}
	if got := FirstError("exit status 1\nsomething"); got != "exit status 1" {
		t.Errorf("without an Error: line, got %q", got)
	}
}

func TestInOrder(t *testing.T) {
	for _, c := range []struct {
		text  string
		parts []string
		want  bool
	}{
		{"a b c", []string{"a", "c"}, true},
		{"a b c", nil, true},
		{"a b c", []string{"c", "a"}, false}, // out of order
		{"a b", []string{"a", "a"}, false},   // one occurrence serves once
		{"ab", []string{"ab", "b"}, false},   // a part starts after the one before ends
		{"a b c", []string{"d"}, false},
	} {
		if got := InOrder(c.text, c.parts); got != c.want {
			t.Errorf("InOrder(%q, %q) = %v, want %v", c.text, c.parts, got, c.want)
		}
	}
}
