package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

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

// README's settings table and help's settings list are generated from Config
// (its JSON names, "allowed" and "default" tags, and DefaultConfig); -update
// rewrites them.
func TestSettingsDocsComeFromTheModel(t *testing.T) {
	for _, doc := range []struct {
		file, begin, end string
		generated        string
	}{
		{"README.md", "<!-- settings: generated from Config by go test -run TestSettingsDocs -update; do not edit -->\n", "<!-- end of settings -->", settingsTable()},
		{"help", "  Settings (generated from Config; README.md, Configuration; environments: README.md, Environments):\n", "  end of settings\n", settingsHelp()},
	} {
		text := readFile(t, doc.file)
		before, rest, ok := strings.Cut(text, doc.begin)
		_, after, ok2 := strings.Cut(rest, doc.end)
		if !ok || !ok2 {
			t.Fatalf("%s lacks the generated block (%q … %q)", doc.file, doc.begin, doc.end)
		}
		want := before + doc.begin + doc.generated + doc.end + after
		if *update {
			if err := os.WriteFile(doc.file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if diff := testkit.GoldenDiff([]byte(want), []byte(text)); diff != "" {
			t.Errorf("%s does not list the settings as Config has them; run go test -run TestSettingsDocs -update (-generated +file):\n%s", doc.file, diff)
		}
	}
}

// settingDefault describes a setting's default: its "default" tag, or its
// value in DefaultConfig as JSON.
func settingDefault(s setting) string {
	if s.Default != "" {
		return s.Default
	}
	value := reflect.ValueOf(DefaultConfig()).Field(s.index).Interface()
	return "`" + strings.ReplaceAll(render(value), ",", ", ") + "`"
}

func settingsTable() string {
	var b strings.Builder
	b.WriteString("| Key | Default | Allowed |\n| --- | --- | --- |\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Key, settingDefault(s), s.Allowed)
	}
	return b.String()
}

// settingsHelp lists each setting with its default, and what it allows
// wrapped below it.
func settingsHelp() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "    %-25s default: %s\n", s.Key, strings.ReplaceAll(settingDefault(s), "`", ""))
		line := "      "
		for _, word := range strings.Fields(s.Allowed) {
			if len(line)+len(word) > 100 {
				b.WriteString(strings.TrimRight(line, " ") + "\n")
				line = "      "
			}
			line += word + " "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

func TestSettingsDocsCheckCanFail(t *testing.T) {
	// The generated block changes when the model does: a setting's allowed
	// text edited by hand in README is reported.
	table := settingsTable()
	edited := strings.Replace(table, "a whole number of hours from 24 to 8760", "24-8760", 1)
	if edited == table || testkit.GoldenDiff([]byte(table), []byte(edited)) == "" {
		t.Error("an edited row goes unnoticed")
	}
}
