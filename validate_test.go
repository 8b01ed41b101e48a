package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// validateResult is the verdict of `terraform validate -json`.
type validateResult struct {
	Valid       bool `json:"valid"`
	ErrorCount  int  `json:"error_count"`
	Diagnostics []struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
	} `json:"diagnostics"`
}

func (r validateResult) String() string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		b.WriteString("\n  " + d.Severity + ": " + d.Summary + " " + d.Detail)
	}
	return b.String()
}

func TestSynthIsValidTerraform(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: installs the AWS provider and runs terraform validate")
	}
	terraform := requireTool(t, "terraform", "terraform validate checks the synthesized stack with the real AWS provider")
	env := terraformEnv(t)

	// GIVEN a directory where terraform has installed hashicorp/aws once for
	// the default stack (a provider install is large: it is shared by the cases)
	dir := t.TempDir()
	stackFile := filepath.Join(dir, "cdk.tf.json")
	put := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(stackFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	def := synth(t, defaults).File
	put(def)
	init := exec.Command(terraform, "init", "-backend=false", "-input=false", "-no-color")
	init.Dir, init.Env = dir, env
	if out, err := init.CombinedOutput(); err != nil {
		missing(t, "terraform init could not install hashicorp/aws (offline? set "+providerMirrorVar+
			" to a provider mirror directory): "+firstError(string(out)))
	}

	// WHEN each synthesized configuration is validated THEN it is valid
	for _, c := range []struct {
		name string
		ctx  map[string]any
	}{
		{"default", defaults},
		{"all settings overridden", contextOf(everySpecSettingButEncryption)},
		{"encryption off", map[string]any{"encryption": false}},
		{"production", production},
		{"existing topic", existingTopic},
	} {
		t.Run(c.name, func(t *testing.T) {
			put(synth(t, c.ctx).File)
			if r := validate(t, terraform, dir, env); !r.Valid {
				t.Fatalf("terraform validate: %d error(s):%s", r.ErrorCount, r)
			}
		})
	}

	// AND validate rejects a broken stack, naming the bad argument (the check can fail)
	t.Run("broken stack is rejected", func(t *testing.T) {
		broken := strings.Replace(string(def), `"treat_missing_data": "notBreaching"`,
			`"treat_missing_data": "notBreaching", "no_such_argument": true`, 1)
		if broken == string(def) {
			t.Fatal("could not break the stack for the negative case")
		}
		put([]byte(broken))
		if r := validate(t, terraform, dir, env); r.Valid || !strings.Contains(r.String(), "no_such_argument") {
			t.Errorf("terraform validate accepted a broken stack or did not name the bad argument:%s", r)
		}
	})
}

func validate(t *testing.T, terraform, dir string, env []string) validateResult {
	t.Helper()
	cmd := exec.Command(terraform, "validate", "-json", "-no-color")
	cmd.Dir, cmd.Env = dir, env
	out, _ := cmd.Output() // exits 1 on an invalid configuration; the JSON says why
	var r validateResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("terraform validate -json printed no verdict: %v\n%s", err, out)
	}
	return r
}

// firstError condenses terraform's output to one line: its first "Error:"
// line and the line after it (terraform wraps the cause there).
func firstError(out string) string {
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		if strings.Contains(line, "Error:") {
			msg := strings.TrimSpace(strings.Trim(line, "│╷╵ "))
			if i+2 < len(lines) {
				msg += " " + strings.TrimSpace(strings.Trim(lines[i+2], "│╷╵ "))
			}
			return msg
		}
	}
	return strings.TrimSpace(out)
}
