package main

import (
	"os"
	"path/filepath"
	"slices"
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

// README's layout table names every file and directory at the top of the
// project (the ones git keeps), and each path it names exists.
func TestReadmeLayoutMatchesTheTree(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	exists := func(pattern string) bool { m, _ := filepath.Glob(pattern); return len(m) > 0 }
	for _, p := range layoutProblems(readFile(t, "README.md"), names, exists) {
		t.Error(p)
	}
	// The check can fail: a file the table forgets, a path that is gone.
	bad := "## Layout\n\n| Path | Contents |\n| --- | --- |\n| `main.go`, `gone.go` | x |\n"
	got := layoutProblems(bad, []string{"main.go", "config.go"}, exists)
	want := []string{"README's layout names gone.go, which does not exist", "README's layout does not mention config.go"}
	if !slices.Equal(got, want) {
		t.Errorf("layoutProblems on a wrong table: %q, want %q", got, want)
	}
}

// layoutProblems compares README's "## Layout" table with the names at the
// top of the project.
func layoutProblems(readme string, names []string, exists func(string) bool) []string {
	_, section, ok := strings.Cut(readme, "## Layout\n")
	if !ok {
		return []string{"README.md has no Layout section"}
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
				problems = append(problems, "README's layout names "+path+", which does not exist")
			}
			listed[strings.SplitN(strings.TrimSuffix(path, "/"), "/", 2)[0]] = true
		}
	}
	// Not kept by git (.gitignore), git's own, or the project's obvious files.
	skip := map[string]bool{".git": true, ".gitignore": true, "node_modules": true, "cdktf.out": true,
		"kinesis-monitoring": true, "README.md": true, "go.mod": true, "go.sum": true}
	for _, name := range names {
		switch {
		case skip[name], strings.HasSuffix(name, ".tfstate"):
		case strings.HasSuffix(name, "_test.go") && listed["*_test.go"]:
		case !listed[name]:
			problems = append(problems, "README's layout does not mention "+name)
		}
	}
	return problems
}
