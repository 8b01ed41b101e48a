package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cdktfCLI finds the pinned cdktf CLI (npm ci puts it in node_modules), or
// one on PATH.
func cdktfCLI(t testing.TB) string {
	t.Helper()
	local, _ := filepath.Abs(filepath.Join("node_modules", ".bin", "cdktf"))
	if _, err := os.Stat(local); err == nil {
		return local
	}
	return requireTool(t, "cdktf", "the cdktf CLI: run npm ci in the project directory")
}

func TestCdktfSynthThroughTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: runs the cdktf CLI (node) and go run")
	}
	cli := cdktfCLI(t)
	requireTool(t, "terraform", "the cdktf CLI calls terraform")

	// GIVEN the project as users have it, with the output sent elsewhere
	out := filepath.Join(t.TempDir(), "cdktf.out")
	cmd := exec.Command(cli, "synth", "--output", out)
	// CI: no spinner frames in captured output; GOFLAGS=-v would make go run
	// print package names, which the CLI relays as [ERROR] lines.
	cmd.Env = append(terraformEnv(t), "CI=1", "GOFLAGS=")
	// AND a NODE_OPTIONS of the user's that counts the provider modules
	counterEnv, loaded := moduleCounter(t)
	cmd.Env = append(append(cmd.Env, counterEnv...), LazyBindingsVariable+"=true")

	// WHEN the user runs cdktf synth
	output, err := cmd.CombinedOutput()

	// THEN it succeeds with a clean report: no [ERROR] or warning lines, no
	// Node.js banner, just the generated stack
	if err != nil {
		t.Fatalf("cdktf synth: %v\n%s", err, output)
	}
	text := strings.TrimSpace(string(output))
	if text != "Generated Terraform code for the stacks: "+StackID {
		t.Errorf("cdktf synth printed more than its one-line report:\n%s", text)
	}
	// AND the stack it wrote is the golden one
	got, err := os.ReadFile(filepath.Join(out, "stacks", StackID, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, defaultGolden, got)
	// AND the app the CLI ran loaded the provider lazily, as it does on its own
	if n := loaded(); n < 1 || n > lazilyLoaded {
		t.Errorf("under the CLI the kernel loaded %d modules of @cdktf/provider-aws, want 1 to %d", n, lazilyLoaded)
	}
}
