package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// deployEnvironments: two environments of one app deploy side by side with
// cdktf deploy '*', each plans clean, and destroying one leaves the other
// as it was.
func deployEnvironments(t *testing.T, em *emulator) {
	ctx := context.Background()
	settings := map[string]any{
		"protect": false, "shardCount": 1, "region": "eu-west-2",
		"environments": map[string]any{
			// Same region: names of their own, as the app demands.
			"dev":  map[string]any{"streamName": "env-e2e-dev", "alarmName": "env-e2e-dev-write-throttled"},
			"prod": map[string]any{"streamName": "env-e2e-prod", "alarmName": "env-e2e-prod-write-throttled", "shardCount": 2},
		},
	}
	p := newProject(t, em, settings)
	dev, prod := p.forStack("kinesis-monitoring-dev"), p.forStack("kinesis-monitoring-prod")
	var devStack, prodStack stack
	var k *kinesis.Client
	runStages(t,
		stage{"synth both environments and terraform init each", func(t *testing.T) {
			p.cli(t, "synth")
			dev.init(t)
			prod.init(t)
			devStack, prodStack = dev.synthesized(t), prod.synthesized(t)
			k = em.kinesis(devStack.region())
		}},
		stage{"cdktf deploy '*'", func(t *testing.T) { p.cli(t, "deploy", "*", "--auto-approve", "--no-color") }},
		stage{"each environment plans clean", func(t *testing.T) {
			dev.requireNoChanges(t, "dev after deploying both")
			prod.requireNoChanges(t, "prod after deploying both")
		}},
		stage{"AWS has both, each as synthesized", func(t *testing.T) {
			requireNone(t, "dev stream", checkStream(ctx, k, devStack.stream()))
			requireNone(t, "prod stream", checkStream(ctx, k, prodStack.stream()))
			if devStack.stream().ShardCount != 1 || prodStack.stream().ShardCount != 2 {
				t.Errorf("the environments' own settings did not reach the synth: dev %d, prod %d shards", devStack.stream().ShardCount, prodStack.stream().ShardCount)
			}
		}},
		stage{"cdktf destroy kinesis-monitoring-dev", func(t *testing.T) {
			p.cli(t, "destroy", "kinesis-monitoring-dev", "--auto-approve", "--no-color")
		}},
		stage{"dev is gone, prod untouched", func(t *testing.T) {
			var notFound *ktypes.ResourceNotFoundException
			if _, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(devStack.stream().Name)}); !errors.As(err, &notFound) {
				t.Errorf("dev's stream after its destroy: %v, want ResourceNotFoundException", err)
			}
			requireNone(t, "prod stream", checkStream(ctx, k, prodStack.stream()))
			prod.requireNoChanges(t, "prod after destroying dev")
		}},
		stage{"cdktf destroy kinesis-monitoring-prod", func(t *testing.T) {
			p.cli(t, "destroy", "kinesis-monitoring-prod", "--auto-approve", "--no-color")
			requireGone(ctx, t, k, em.cloudwatch(prodStack.region()), prodStack)
		}},
	)
}
