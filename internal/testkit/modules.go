package testkit

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// LazilyLoaded is the most modules of @cdktf/provider-aws a lazy load of the
// bindings may take: the index, the provider and one module per resource and
// data source type of the stack (11 for the production stack), with room for
// a few more types. The normal load takes all 2,100+.
const LazilyLoaded = 16

// moduleCounterScript is a preload of the tests' own, passed in NODE_OPTIONS
// as a user would: at exit, each node process appends how many modules of the
// AWS provider package it holds. It is independent of the app's preload.
const moduleCounterScript = `
process.on("exit", () => {
  const n = Object.keys(require.cache).filter((f) => f.includes("/@cdktf/provider-aws/")).length;
  require("fs").appendFileSync(process.env.KINESIS_TEST_MODULE_COUNT, n + "\n");
});
`

// ModuleCounter installs the counter for one test: the environment that
// passes it to node in a user's NODE_OPTIONS (with a heap size, as the cdktf
// CLI sets one and warns about NODE_OPTIONS without), and a function that
// returns the most provider modules one node process held.
func ModuleCounter(t testing.TB) (env []string, most func() int) {
	t.Helper()
	dir := t.TempDir()
	counter, counts := filepath.Join(dir, "counter.cjs"), filepath.Join(dir, "counts")
	if err := os.WriteFile(counter, []byte(moduleCounterScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(counter, " \"\\") {
		t.Fatalf("the counter's path %q needs quoting in NODE_OPTIONS", counter)
	}
	env = []string{"NODE_OPTIONS=--max-old-space-size=4096 --require=" + counter, "KINESIS_TEST_MODULE_COUNT=" + counts}
	return env, func() int {
		t.Helper()
		data, err := os.ReadFile(counts)
		if err != nil {
			t.Fatalf("the counter in the user's NODE_OPTIONS did not run, so NODE_OPTIONS was not kept: %v", err)
		}
		most := -1
		for _, line := range strings.Fields(string(data)) {
			n, err := strconv.Atoi(line)
			if err != nil {
				t.Fatalf("counter wrote %q", data)
			}
			most = max(most, n)
		}
		return most
	}
}
