package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README and help document every setting the app knows, with the same
// "allowed" text the error messages use.
func TestDocsListEverySetting(t *testing.T) {
	readme := readFile(t, "README.md")
	help := readFile(t, "help")
	for _, s := range settings {
		row := rowOf(readme, "| `"+s.Key+"` |")
		switch {
		case row == "":
			t.Errorf("README.md has no configuration row for %s", s.Key)
		case !strings.Contains(row, s.Allowed):
			t.Errorf("README.md row for %s does not say what is allowed (%q):\n%s", s.Key, s.Allowed, row)
		}
		if rowOf(help, "    "+s.Key+" ") == "" {
			t.Errorf("help does not list the setting %s", s.Key)
		}
	}
	if rowOf(readme, "| `"+"noSuchSetting"+"` |") != "" {
		t.Error("rowOf found a row that does not exist")
	}
}

// CI runs the test command the README gives, and the README gives the
// set-up commands a newcomer needs.
func TestReadmeCommandsAreTheOnesInUse(t *testing.T) {
	readme := readFile(t, "README.md")
	ci := readFile(t, filepath.Join(".ci", "run"))
	for _, cmd := range []string{"npm ci && npx cdktf synth", "go test ./..."} {
		if rowOf(readme, cmd) == "" {
			t.Errorf("README.md lacks the command %q", cmd)
		}
	}
	if !strings.Contains(ci, "go test ./...") {
		t.Error(".ci/run does not run the README's test command go test ./...")
	}
}

func TestLeftoverTempDirsAreFound(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"jsii-runtime.123", "jsii-kernel-abc", "cdktf.outdir.x", "unrelated"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Join(leftoverTempDirs(dir), ",")
	if got != "cdktf.outdir.x,jsii-kernel-abc,jsii-runtime.123" {
		t.Errorf("found %q", got)
	}
	if left := leftoverTempDirs(t.TempDir()); len(left) != 0 {
		t.Errorf("found %v in an empty directory", left)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// rowOf returns the first line that contains s, or "".
func rowOf(text, s string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
