// Package e2e holds the tests that run real tools against the app: the cdktf
// CLI, terraform with the hashicorp/aws provider, and deployments to moto's
// AWS emulator, checked through the AWS SDK for Go v2. The app's own fast
// tests live in the project directory; these take minutes, and -short skips
// them.
package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// app is the app, built once for the run from the project directory: what
// cdktf.json's "app" runs in every project the tests make.
var app string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	// The deploy scenarios mostly wait for the emulator (the provider polls
	// each stream state change): run them all at once unless -parallel says.
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		flag.Set("test.parallel", "8")
	}
	tmp, err := os.MkdirTemp("", "kinesis-monitoring-e2e.")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// Whatever jsii, cdktf or terraform leave in TMPDIR is found below.
	os.Setenv("TMPDIR", tmp)
	if !testing.Short() {
		root, err := testkit.Root()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		app = filepath.Join(tmp, "kinesis-monitoring")
		build := exec.Command("go", "build", "-o", app, ".")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the app: %v\n%s", err, out)
			return 1
		}
	}
	code := testkit.Main(m)
	if left := testkit.LeftoverTempDirs(tmp); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the run left jsii/cdktf temp directories behind: %v\n", left)
		return 1
	}
	return code
}

// slow skips a test under -short: everything in this package runs real tools.
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		testkit.Skip(t, "-short leaves out the tests that run terraform, the cdktf CLI or the emulator")
	}
}
