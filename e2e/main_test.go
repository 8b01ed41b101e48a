// Package e2e holds the tests that run real tools against the app: the cdktf
// CLI, terraform with the hashicorp/aws provider, and deployments to moto's
// AWS emulator, checked through the AWS SDK for Go v2. The app's own fast
// tests live in the project directory; these take minutes, and -short skips
// them.
//
// The helpers are unexported, methods and fields alike (but for the fields
// encoding/json and go-cmp read). A helper that can fail comes as a pair, as
// terratest's X and XE: tryX returns the error (p.tryDeploy, p.tryPlan,
// p.tryCLI), x fails the test with it (p.deploy, p.plan, p.cli).
package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	// The deploy scenarios wait for the emulator (the provider polls each
	// stream state change), and in between each terraform and cdktf command
	// takes seconds of CPU: run 5 at once unless -parallel says. On 2 cores
	// that keeps both busy; 8 at once kept them busy too but spent more CPU
	// on the same work (one run each: 872 s and 1,713 CPU-s at 8, 796 s and
	// 1,556 CPU-s at 5).
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		flag.Set("test.parallel", "5")
	}
	if err := checkTimeout(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
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

// suiteTime is what the deploy scenarios (TestDeploy) need on a 2-core
// machine with room to spare: they take about 15 minutes side by side.
const suiteTime = 20 * time.Minute

// checkTimeout refuses, before anything runs, a run of TestDeploy under a
// -timeout shorter than suiteTime (go test's default is 10 minutes): the run
// would end in a panic halfway through the deploys, their emulator's
// resources and temp directories left behind.
func checkTimeout() error {
	if testing.Short() {
		return nil
	}
	timeout := flag.Lookup("test.timeout").Value.(flag.Getter).Get().(time.Duration)
	if timeout == 0 || timeout >= suiteTime {
		return nil
	}
	// Only the whole of TestDeploy takes that long: a -run that leaves it
	// out, or picks some of its scenarios (TestDeploy/default), is let be.
	run := flag.Lookup("test.run").Value.String()
	if strings.Contains(run, "/") {
		return nil
	}
	if matched, err := regexp.MatchString(run, "TestDeploy"); err != nil || !matched {
		return nil
	}
	return fmt.Errorf("e2e: -timeout %v is too short for the deploy scenarios (TestDeploy), which take about "+
		"15 minutes on 2 cores; run go test -timeout 30m ./... (README.md, Test), or pick tests with -run", timeout)
}

// slow skips a test under -short: everything in this package runs real tools.
// The slow tests then call t.Parallel(): they wait for the sequential ones
// (TestCheckTimeout, which sets flags) and run side by side with the deploy
// scenarios, -parallel of them at once, so that validate, the reference
// plan, the CLI and the backtest tests no longer add their minutes to the
// deploys'.
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		testkit.Skip(t, "-short leaves out the tests that run terraform, the cdktf CLI or the emulator")
	}
}

// checkTimeout refuses exactly the runs of the whole of TestDeploy under a
// timeout shorter than suiteTime. (Changing the flags here does not move
// this run's own deadline: the testing package set it as the run started.)
func TestCheckTimeout(t *testing.T) {
	slow(t) // under -short, checkTimeout lets every run be
	for _, tc := range []struct {
		timeout, run string
		refused      bool
	}{
		{"10m", "", true},
		{"10m", "TestDeploy", true},
		{"10m", "Deploy", true},
		{"19m59s", "", true},
		{"20m", "", false},
		{"0", "", false},
		{"10m", "TestDeploy/default", false},
		{"10m", "TestBacktest", false},
		{"10m", "[", false}, // not a pattern: go test reports it
	} {
		t.Run(tc.timeout+" "+tc.run, func(t *testing.T) {
			for name, value := range map[string]string{"test.timeout": tc.timeout, "test.run": tc.run} {
				f := flag.Lookup(name)
				was := f.Value.String()
				if err := f.Value.Set(value); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Value.Set(was) })
			}
			err := checkTimeout()
			if refused := err != nil; refused != tc.refused {
				t.Fatalf("-timeout %s -run %q: refused %v (%v), want refused %v", tc.timeout, tc.run, refused, err, tc.refused)
			}
			if err != nil && !strings.Contains(err.Error(), "go test -timeout 30m ./...") {
				t.Errorf("the refusal does not say what to run: %v", err)
			}
		})
	}
}
