package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// The first argument picks a command from the table; help and its aliases
// print the usage and succeed, an unknown one is refused with the allowed
// ones, and backtest keeps its own flags' help.
func TestCommandLine(t *testing.T) {
	for _, c := range []struct {
		name         string
		args         []string
		code         int
		stdout, want string // want: what stderr contains
	}{
		{"help", []string{"help"}, 0, usage(), ""},
		{"-h", []string{"-h"}, 0, usage(), ""},
		{"--help", []string{"--help"}, 0, usage(), ""},
		{"an unknown command", []string{"nonsense"}, 2, "",
			`"nonsense" is not a command of this app; allowed: backtest, help, -h, --help, or no argument to synthesize (go run . help)`},
		{"a flag that is not a command", []string{"--days", "3"}, 2, "", `"--days" is not a command of this app`},
		{"backtest -h", []string{"backtest", "-h"}, 0, "", "usage: kinesis-monitoring backtest [flags]"},
		{"backtest --help", []string{"backtest", "--help"}, 0, "", "-max-alarms int"},
		{"backtest --days 0", []string{"backtest", "--days", "0"}, 2, "",
			"backtest: --days 0 is out of range; allowed: a whole number of days, 1 or more (CloudWatch keeps one-minute data 15 days)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(c.args, &stdout, &stderr)
			if code != c.code || stdout.String() != c.stdout || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit %d, want %d; stdout:\n%s\nwant stdout:\n%s\nstderr:\n%s\nwant in stderr: %q", code, c.code, stdout.String(), c.stdout, stderr.String(), c.want)
			}
		})
	}
}

// The usage lists every command of the table, one line each, and the files
// it points to exist.
func TestUsageListsTheCommandsAndExistingDocs(t *testing.T) {
	u := usage()
	for _, c := range commands {
		if strings.Contains(c.summary, "\n") || !strings.Contains(u, c.summary) {
			t.Errorf("command %q: its summary %q is not one line of the usage:\n%s", c.name, c.summary, u)
		}
	}
	docs := regexp.MustCompile(`[\w/.-]+\.md`).FindAllString(u, -1)
	if len(docs) == 0 {
		t.Errorf("the usage points to no docs:\n%s", u)
	}
	for _, doc := range docs {
		if _, err := os.Stat(doc); err != nil {
			t.Errorf("the usage points to %s: %v", doc, err)
		}
	}
}

// The file help (cat help) holds the usage, as the command table prints it,
// in a block; go test -run Help -update . rewrites the block.
func TestHelpFileHoldsTheUsage(t *testing.T) {
	text := readFile(t, "help")
	want, diff, ok := withUsage(text, usage())
	switch {
	case !ok:
		t.Errorf("help lacks the usage block: a line %q, up to an empty line", usageHeader)
	case diff != "" && *update:
		if err := os.WriteFile("help", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	case diff != "":
		t.Errorf("help's usage block is not what the command table prints; run go test -run Help -update . (-printed +help):\n%s", diff)
	}
}

// The check can fail: a line of help edited by hand, a command added to the
// table and not to help, a block that is gone.
func TestHelpFileCheckCanFail(t *testing.T) {
	file := "Intro\n\n" + usage() + "\nSet up:\n  npm ci\n"
	if _, diff, ok := withUsage(file, usage()); !ok || diff != "" {
		t.Fatalf("the usage itself is reported: ok %v, diff %s", ok, diff)
	}
	for _, c := range []struct {
		name, file, usage, want string // want: in the diff
	}{
		{"a line edited by hand", strings.Replace(file, "Prints this list", "Prints the list", 1), usage(), "go run . help"},
		{"a command only in the table", file, strings.Replace(usage(), "  Docs:", "    go run . lint   Lints\n  Docs:", 1), "go run . lint"},
		{"a line only in help", strings.Replace(file, "  Docs:", "    go run . old    Gone\n  Docs:", 1), usage(), "go run . old"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, diff, ok := withUsage(c.file, c.usage); !ok || !strings.Contains(diff, c.want) {
				t.Errorf("goes unnoticed: ok %v, diff %q", ok, diff)
			}
		})
	}
	if _, _, ok := withUsage("Intro\n\nSet up:\n  npm ci\n", usage()); ok {
		t.Error("a help without the block is accepted")
	}
}

// withUsage returns text with its usage block (from the line usageHeader to
// the next empty line) replaced by usage, and what differs from the text as
// it is ("" when nothing); ok is false when text has no such block.
func withUsage(text, usage string) (want, diff string, ok bool) {
	start := strings.Index("\n"+text, "\n"+usageHeader+"\n")
	if start < 0 {
		return "", "", false
	}
	length := strings.Index(text[start:], "\n\n")
	if length < 0 {
		return "", "", false
	}
	want = text[:start] + usage + text[start+length+1:]
	return want, testkit.GoldenDiff([]byte(want), []byte(text)), true
}
