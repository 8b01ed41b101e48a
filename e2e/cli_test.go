package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// TestCdktfSynthThroughTheCLI: cdktf synth, as users run it in the project,
// prints one line, writes the golden default stack, and runs the app with the
// lazy load of the provider bindings.
func TestCdktfSynthThroughTheCLI(t *testing.T) {
	slow(t)
	t.Parallel()
	cli := cdktfCLI(t)
	testkit.Tool(t, "terraform", "the cdktf CLI calls terraform")
	_, env := testkit.ScriptEnvironment(t, "terraform-env")

	// GIVEN the project as users have it (its cdktf.json runs go run .), with
	// the output sent elsewhere
	out := filepath.Join(t.TempDir(), "cdktf.out")
	cmd := exec.Command(cli, "synth", "--output", out)
	cmd.Dir = testkit.MustRoot(t)
	// CI: no spinner frames in captured output; GOFLAGS=-v would make go run
	// print package names, which the CLI relays as [ERROR] lines.
	cmd.Env = append(env, "CI=1", "GOFLAGS=", "KINESIS_LAZY_BINDINGS=true")
	// AND a NODE_OPTIONS of the user's that counts the provider modules
	counterEnv, loaded := testkit.ModuleCounter(t)
	cmd.Env = append(cmd.Env, counterEnv...)

	// WHEN the user runs cdktf synth
	output, err := cmd.CombinedOutput()

	// THEN it succeeds with a clean report: no [ERROR] or warning lines, no
	// Node.js banner, just the generated stack
	if err != nil {
		t.Fatalf("cdktf synth: %v\n%s", err, output)
	}
	if text := strings.TrimSpace(string(output)); text != "Generated Terraform code for the stacks: kinesis-monitoring" {
		t.Errorf("cdktf synth printed more than its one-line report:\n%s", text)
	}
	// AND the stack it wrote is the golden one
	got, err := os.ReadFile(filepath.Join(out, "stacks", "kinesis-monitoring", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/default.cdk.tf.json", got, false)
	// AND the app the CLI ran loaded the provider lazily, as it does on its own
	if n := loaded(); n < 1 || n > testkit.LazilyLoaded {
		t.Errorf("under the CLI the kernel loaded %d modules of @cdktf/provider-aws, want 1 to %d", n, testkit.LazilyLoaded)
	}
}
