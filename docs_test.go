package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// CI runs the test command the README gives, and the README gives the
// set-up commands a newcomer needs.
func TestReadmeCommandsAreTheOnesInUse(t *testing.T) {
	readme := readFile(t, "README.md")
	ci := readFile(t, filepath.Join(".ci", "run"))
	for _, cmd := range []string{"npm ci && npx cdktf synth", readmeTestCommand} {
		if rowOf(readme, cmd) == "" {
			t.Errorf("README.md lacks the command %q", cmd)
		}
	}
	if !strings.Contains(ci, readmeTestCommand) {
		t.Errorf(".ci/run does not run the README's test command %s", readmeTestCommand)
	}
}

// readmeTestCommand is the test command README.md gives, the one .ci/run
// runs: go test's default timeout (10 minutes) is shorter than the deploys.
const readmeTestCommand = "go test -timeout 30m ./..."

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

// CONTRIBUTING's layout table names every file and directory at the top of the
// project (the ones git keeps), and each path it names exists.
func TestLayoutMatchesTheTree(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	exists := func(pattern string) bool { m, _ := filepath.Glob(pattern); return len(m) > 0 }
	for _, p := range layoutProblems(readFile(t, "CONTRIBUTING.md"), names, exists) {
		t.Error(p)
	}
	// The check can fail: a file the table forgets, a path that is gone.
	bad := "## Layout\n\n| Path | Contents |\n| --- | --- |\n| `main.go`, `gone.go` | x |\n"
	got := layoutProblems(bad, []string{"main.go", "config.go"}, exists)
	want := []string{"the layout names gone.go, which does not exist", "the layout does not mention config.go"}
	if !slices.Equal(got, want) {
		t.Errorf("layoutProblems on a wrong table: %q, want %q", got, want)
	}
}

// layoutProblems compares the "## Layout" table of a page with the names at
// the top of the project.
func layoutProblems(readme string, names []string, exists func(string) bool) []string {
	_, section, ok := strings.Cut(readme, "## Layout\n")
	if !ok {
		return []string{"no Layout section"}
	}
	var problems []string
	listed := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		for _, part := range strings.Split(strings.Split(line, "|")[1], ",") {
			path := strings.Trim(strings.TrimSpace(part), "`")
			if !exists(path) {
				problems = append(problems, "the layout names "+path+", which does not exist")
			}
			listed[strings.SplitN(strings.TrimSuffix(path, "/"), "/", 2)[0]] = true
		}
	}
	// Not kept by git (.gitignore), git's own, or the project's obvious files.
	skip := map[string]bool{".git": true, ".gitignore": true, "node_modules": true, "cdktf.out": true,
		"kinesis-monitoring": true, "README.md": true, "CONTRIBUTING.md": true, "go.mod": true, "go.sum": true}
	for _, name := range names {
		switch {
		case skip[name], strings.HasSuffix(name, ".tfstate"):
		case strings.HasSuffix(name, "_test.go") && listed["*_test.go"]:
		case !listed[name]:
			problems = append(problems, "the layout does not mention "+name)
		}
	}
	return problems
}

// README.md is the front page: short, with the detail in docs/.
func TestReadmeIsAFrontPage(t *testing.T) {
	for _, p := range frontPageProblems(readFile(t, "README.md")) {
		t.Error(p)
	}
	// The check can fail: a page too long, a line too wide.
	long := strings.Repeat("line\n", maxReadmeLines+1) + strings.Repeat("x", maxReadmeWidth+1)
	if got := frontPageProblems(long); len(got) != 2 {
		t.Errorf("a long page with a wide line: %q, want two problems", got)
	}
}

const (
	maxReadmeLines = 200
	maxReadmeWidth = 200
)

func frontPageProblems(text string) []string {
	var problems []string
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > maxReadmeLines {
		problems = append(problems, fmt.Sprintf("README.md has %d lines; at most %d (the detail goes to docs/)", len(lines), maxReadmeLines))
	}
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n > maxReadmeWidth {
			problems = append(problems, fmt.Sprintf("README.md line %d has %d characters; at most %d", i+1, n, maxReadmeWidth))
		}
	}
	return problems
}
