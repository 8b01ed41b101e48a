package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// deployModeSwitch: a stream switched PROVISIONED → ON_DEMAND → PROVISIONED
// is changed in place each time (the plan updates it, never replaces it),
// and the plan is clean after each step. (The stream stays protected, as
// by default; a destroy is the other scenarios'.)
func deployModeSwitch(t *testing.T, em *emulator) {
	ctx := context.Background()
	base := map[string]any{"streamName": "mode-e2e", "alarmName": "mode-e2e-write-throttled", "region": "us-west-2"}
	p := newProject(t, em, base)
	k := em.kinesis("us-west-2")
	var arn string
	switchTo := func(settings map[string]any, want ktypes.StreamMode) func(t *testing.T) {
		return func(t *testing.T) {
			p.setContext(t, maps(base, settings))
			p.cli(t, "synth")
			changes, plan, printed := p.plan(t)
			if !changes {
				t.Fatalf("switching to %s plans no change:\n%s", want, printed)
			}
			for _, rc := range plan.ResourceChanges {
				if rc.Address == "aws_kinesis_stream.stream" && !rc.Change.Actions.Update() {
					t.Fatalf("switching to %s plans %s for the stream, want an update in place:\n%s", want, actionsText(rc.Change.Actions), printed)
				}
			}
			p.deploy(t)
			p.requireNoChanges(t, "after switching to "+string(want))
			s := p.synthesized(t)
			requireNone(t, "stream", checkStream(ctx, k, s.stream()))
			out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(s.stream().Name)})
			if err != nil {
				t.Fatal(err)
			}
			if got := out.StreamDescriptionSummary.StreamModeDetails.StreamMode; got != want {
				t.Errorf("AWS has the stream in %s, want %s", got, want)
			}
			if got := aws.ToString(out.StreamDescriptionSummary.StreamARN); got != arn {
				t.Errorf("the stream is another one now (%s, was %s): it was replaced", got, arn)
			}
		}
	}
	runStages(t,
		stage{"synth and terraform init", p.synthAndInit},
		stage{"cdktf deploy: PROVISIONED", func(t *testing.T) {
			p.deploy(t)
			p.requireNoChanges(t, "after the first deploy")
			out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("mode-e2e")})
			if err != nil {
				t.Fatal(err)
			}
			arn = aws.ToString(out.StreamDescriptionSummary.StreamARN)
		}},
		stage{"switch to ON_DEMAND in place", switchTo(map[string]any{"streamMode": "ON_DEMAND"}, ktypes.StreamModeOnDemand)},
		stage{"switch back to PROVISIONED in place", switchTo(map[string]any{"streamMode": "PROVISIONED"}, ktypes.StreamModeProvisioned)},
	)
}

// deployAutoscaledWithConsumer: with externalShardScaling, an autoscaler's
// UpdateShardCount is no drift; and an unprotected stream with a registered
// enhanced fan-out consumer is destroyed.
func deployAutoscaledWithConsumer(t *testing.T, em *emulator) {
	ctx := context.Background()
	const region = "us-west-1"
	settings := map[string]any{"streamName": "scaled-e2e", "alarmName": "scaled-e2e-write-throttled", "region": region,
		"externalShardScaling": true, "shardCount": 1, "protect": false}
	p := newProject(t, em, settings)
	k := em.kinesis(region)
	var arn string
	runStages(t,
		stage{"synth and terraform init", p.synthAndInit},
		stage{"cdktf deploy", func(t *testing.T) {
			p.deploy(t)
			p.requireNoChanges(t, "after the first deploy")
		}},
		stage{"an autoscaler doubles the shards", func(t *testing.T) {
			if _, err := k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
				StreamName: aws.String("scaled-e2e"), TargetShardCount: aws.Int32(2), ScalingType: ktypes.ScalingTypeUniformScaling,
			}); err != nil {
				t.Fatal(err)
			}
			out := waitActive(ctx, t, k, "scaled-e2e")
			if got := aws.ToInt32(out.OpenShardCount); got != 2 {
				t.Fatalf("the stream has %d open shards after UpdateShardCount to 2", got)
			}
			arn = aws.ToString(out.StreamARN)
		}},
		stage{"terraform plan: no changes, the autoscaler's count stays", func(t *testing.T) {
			p.requireNoChanges(t, "after the autoscaler changed the shard count")
			if got := aws.ToInt32(waitActive(ctx, t, k, "scaled-e2e").OpenShardCount); got != 2 {
				t.Errorf("open shards %d after the plan, want the autoscaler's 2", got)
			}
		}},
		stage{"a consumer registers (enhanced fan-out)", func(t *testing.T) {
			if _, err := k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
				StreamARN: aws.String(arn), ConsumerName: aws.String("reader"),
			}); err != nil {
				t.Fatal(err)
			}
			out, err := k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn)})
			if err != nil || len(out.Consumers) != 1 {
				t.Fatalf("consumers %v, %v; want the one registered", out, err)
			}
		}},
		stage{"cdktf destroy completes with the consumer registered", func(t *testing.T) {
			// The synth sets enforce_consumer_deletion (the app's tests pin
			// it); moto deletes such a stream either way, so this shows only
			// that the destroy goes through.
			if enforce := p.synthesized(t).Resource.Streams["stream"].EnforceConsumerDeletion; !enforce {
				t.Error("the unprotected stream does not set enforce_consumer_deletion")
			}
			p.destroy(t)
			requireStreamGone(ctx, t, k, "scaled-e2e")
		}},
	)
}

// waitActive waits (up to two minutes) until the stream is ACTIVE again.
func waitActive(ctx context.Context, t *testing.T, k *kinesis.Client, name string) *ktypes.StreamDescriptionSummary {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if s := out.StreamDescriptionSummary; s.StreamStatus == ktypes.StreamStatusActive {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s is still %s after two minutes", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(time.Second)
	}
}

func requireStreamGone(ctx context.Context, t *testing.T, k *kinesis.Client, name string) {
	t.Helper()
	_, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	var notFound *ktypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("stream %s after destroy: want ResourceNotFoundException, got %v", name, err)
	}
}
