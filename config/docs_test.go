package config

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the generated blocks of docs/ from the code")

// generatedBlocks are the parts of docs/ that are generated from the code.
var generatedBlocks = []struct {
	file, begin, end string
	generate         func() string
}{
	{"../docs/configuration.md", "<!-- settings: generated from config.Config by go test ./config -update; do not edit -->\n", "<!-- end of settings -->", SettingsTable},
	{"../docs/production.md", "<!-- recommended alarms: generated from alarms.RecommendedSet by go test ./config -update; do not edit -->\n", "<!-- end of recommended alarms -->", RecommendedTable},
}

// withBlock returns text with the block between begin and end replaced by
// generated, and what differs from the text as it is ("" when nothing).
func withBlock(text, begin, end, generated string) (want, diff string, ok bool) {
	before, rest, found := strings.Cut(text, begin)
	_, after, found2 := strings.Cut(rest, end)
	if !found || !found2 {
		return "", "", false
	}
	want = before + begin + generated + end + after
	return want, testkit.GoldenDiff([]byte(want), []byte(text)), true
}

// The settings table and the recommended alarms table in docs/ are generated
// from Config and alarms.RecommendedSet; -update rewrites them.
func TestDocsTablesComeFromTheCode(t *testing.T) {
	for _, b := range generatedBlocks {
		data, err := os.ReadFile(b.file)
		if err != nil {
			t.Fatal(err)
		}
		want, diff, ok := withBlock(string(data), b.begin, b.end, b.generate())
		switch {
		case !ok:
			t.Errorf("%s lacks the generated block (%q … %q)", b.file, b.begin, b.end)
		case diff != "" && *update:
			if err := os.WriteFile(b.file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		case diff != "":
			t.Errorf("%s is not what the code generates; run go test ./config -update (-generated +file):\n%s", b.file, diff)
		}
	}
}

// The check can fail: a row edited by hand, a block that is gone.
func TestDocsTablesCheckCanFail(t *testing.T) {
	b := generatedBlocks[0]
	table := b.generate()
	file := "# Configuration\n\n" + b.begin + table + b.end + "\n"
	if _, diff, ok := withBlock(file, b.begin, b.end, table); !ok || diff != "" {
		t.Fatalf("the generated file itself is reported: ok %v, diff %s", ok, diff)
	}
	edited := strings.Replace(file, "a whole number of hours from 24 to 8760", "24-8760", 1)
	if _, diff, ok := withBlock(edited, b.begin, b.end, table); !ok || !strings.Contains(diff, "retentionHours") {
		t.Errorf("a row edited by hand goes unnoticed: ok %v, diff %q", ok, diff)
	}
	if _, _, ok := withBlock("# Configuration\n", b.begin, b.end, table); ok {
		t.Error("a file without the block is accepted")
	}
}
