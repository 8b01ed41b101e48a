package main

import (
	"testing"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// goldenCase is one context kept in testdata and the golden file of each
// stack it synthesizes.
type goldenCase struct {
	name    string
	context func() map[string]any
	stacks  map[string]string // stack → golden file
}

// goldenCases are every golden of the project: the specification, the
// production settings, an existing topic, an on-demand stream, a watch-only
// stack, a stack with its own stream and watched ones, a watch-only stack
// that watches every stream of the region by query, and two environments.
var goldenCases = []goldenCase{
	{"default", func() map[string]any { return defaults }, map[string]string{"kinesis-monitoring": "testdata/default.cdk.tf.json"}},
	{"production", func() map[string]any { return production }, map[string]string{"kinesis-monitoring": "testdata/production.cdk.tf.json"}},
	{"existing-topic", func() map[string]any { return existingTopic }, map[string]string{"kinesis-monitoring": "testdata/existing-topic.cdk.tf.json"}},
	{"on-demand", func() map[string]any { return onDemand }, map[string]string{"kinesis-monitoring": "testdata/on-demand.cdk.tf.json"}},
	{"watch-only", func() map[string]any { return watchOnly }, map[string]string{"kinesis-monitoring": "testdata/watch-only.cdk.tf.json"}},
	{"mixed", func() map[string]any { return mixed }, map[string]string{"kinesis-monitoring": "testdata/mixed.cdk.tf.json"}},
	{"watch-all", func() map[string]any { return watchAll }, map[string]string{"kinesis-monitoring": "testdata/watch-all.cdk.tf.json"}},
	{"environments", func() map[string]any { return environments }, map[string]string{
		"kinesis-monitoring-dev":  "testdata/environments/kinesis-monitoring-dev.cdk.tf.json",
		"kinesis-monitoring-prod": "testdata/environments/kinesis-monitoring-prod.cdk.tf.json",
	}},
}

// Every golden, compared once with the synth of the lazy load (the
// default); the normal load is compared in TestLazyAndNormalLoadSynthesizeTheSame.
// This is the one test that -update lets write the goldens.
func TestGoldens(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN the context WHEN synthesized THEN each stack equals its
			// golden byte for byte, and there is no other stack
			s := synth(t, c.context())
			if len(s.Stacks) != len(c.stacks) {
				t.Errorf("%d stacks, want %d", len(s.Stacks), len(c.stacks))
			}
			for stack, golden := range c.stacks {
				testkit.Golden(t, golden, s.Stacks[stack], *update)
			}
		})
	}
}
