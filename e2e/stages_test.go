package e2e

import (
	"testing"
	"time"
)

// stage is one named step of a scenario (deploy, plan clean, drift, …).
type stage struct {
	name string
	run  func(t *testing.T)
}

// runStages runs a scenario's stages in order, each a subtest that logs how
// long it took. A stage that fails ends the scenario, and so does one that
// is skipped (a missing tool): the later stages build on it.
func runStages(t *testing.T, stages ...stage) {
	t.Helper()
	for _, s := range stages {
		start := time.Now()
		skipped := false
		ok := t.Run(s.name, func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			s.run(t)
		})
		t.Logf("stage %-44s %6.1f s", s.name, time.Since(start).Seconds())
		switch {
		case !ok:
			t.Fatalf("stage %q failed; the stages after it depend on it", s.name)
		case skipped:
			t.Skipf("stage %q was skipped; the stages after it depend on it", s.name)
		}
	}
}
