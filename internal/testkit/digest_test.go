package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIDigestShowsWhatFailedTestsPrinted runs .ci/digest on the output of a
// real go test -v run in which a parallel subtest fails: the digest names the
// failed tests and repeats the failure's own lines, cut in the middle, and
// says nothing of a passing run.
func TestCIDigestShowsWhatFailedTestsPrinted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a package with go test")
	}
	digest := filepath.Join(MustRoot(t), ".ci", "digest")
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module digest\n\ngo 1.26\n")
	write("x_test.go", `package digest

import (
	"os"
	"strings"
	"testing"
)

func TestDeploy(t *testing.T) {
	for _, name := range []string{"default", "two environments"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("synth", func(t *testing.T) { t.Log("synthesized") })
			t.Run("cdktf deploy '*'", func(t *testing.T) {
				if name == "two environments" && os.Getenv("FAIL") == "1" {
					t.Fatalf("cdktf deploy: exit status 1\n%sError: the cause\nlast line", strings.Repeat("noise\n", 80))
				}
				t.Log("deployed")
			})
		})
	}
}
`)
	run := func(fail string) string {
		t.Helper()
		test := exec.Command("go", "test", "-count=1", "-v", ".")
		test.Dir, test.Env = dir, append(os.Environ(), "FAIL="+fail, "GOFLAGS=")
		out, _ := test.CombinedOutput()
		log := filepath.Join(dir, "log-"+fail)
		if err := os.WriteFile(log, out, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command(digest, log).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", digest, err, got)
		}
		return string(got)
	}

	got := run("1")
	for _, want := range []string{
		"3 test(s) failed:\n    TestDeploy\n    TestDeploy/two_environments\n    TestDeploy/two_environments/cdktf_deploy_'*'\n",
		"what TestDeploy/two_environments/cdktf_deploy_'*' printed (83 lines):\n",
		"x_test.go:16: cdktf deploy: exit status 1\n",
		"[... 31 lines ...]",
		"Error: the cause\n        last line\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the digest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "deployed") || strings.Contains(got, "synthesized") {
		t.Errorf("the digest shows a passing test's lines:\n%s", got)
	}
	if n := strings.Count(got, "noise"); n != 80-31 {
		t.Errorf("the digest shows %d of the 80 noise lines, want the first 11 and the last 38:\n%s", n, got)
	}
	if got := run("0"); got != "" {
		t.Errorf("a passing run's digest: %q, want nothing", got)
	}
}
