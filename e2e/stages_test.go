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
// long it took. A stage that fails ends the scenario: the later ones build
// on it.
func runStages(t *testing.T, stages ...stage) {
	t.Helper()
	for _, s := range stages {
		start := time.Now()
		ok := t.Run(s.name, s.run)
		t.Logf("stage %-44s %6.1f s", s.name, time.Since(start).Seconds())
		if !ok {
			t.Fatalf("stage %q failed; the stages after it depend on it", s.name)
		}
	}
}
