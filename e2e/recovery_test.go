package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// deployLostState: records written, the state file lost; a plain deploy
// fails on "already exists" and changes nothing; adoptExisting takes the
// stream and the alarm over, deletes nothing, and the records are still
// there; the next plan is clean, with the setting still on.
func deployLostState(t *testing.T, em *emulator) {
	ctx := context.Background()
	const name = "adopt-e2e"
	settings := map[string]any{"streamName": name, "alarmName": name + "-write-throttled", "region": "eu-central-1"}
	p := newProject(t, em, settings)
	k := em.kinesis("eu-central-1")
	var arn string
	runStages(t,
		stage{"synth and terraform init", p.SynthAndInit},
		stage{"cdktf deploy", func(t *testing.T) { p.Deploy(t); p.RequireNoChanges(t, "after the first deploy") }},
		stage{"a producer writes records", func(t *testing.T) {
			for i := range 3 {
				if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name),
					PartitionKey: aws.String("k"), Data: []byte("record " + strconv.Itoa(i))}); err != nil {
					t.Fatal(err)
				}
			}
			arn = streamARN(ctx, t, k, name)
		}},
		stage{"the state file is lost", func(t *testing.T) {
			if err := os.Remove(p.statePath()); err != nil {
				t.Fatal(err)
			}
			os.Remove(p.statePath() + ".backup")
		}},
		stage{"a plain deploy fails on the existing stream and changes nothing", func(t *testing.T) {
			out, err := p.TryDeploy(nil)
			if err == nil || !strings.Contains(out, "ResourceInUseException") {
				t.Fatalf("deploy without state: %v, want ResourceInUseException:\n%s", err, out)
			}
			if got := streamARN(ctx, t, k, name); got != arn {
				t.Errorf("the stream changed: %s, was %s", got, arn)
			}
		}},
		stage{"adoptExisting: the stream and the alarm are imported", func(t *testing.T) {
			p.SetContext(t, maps(settings, map[string]any{"adoptExisting": true}))
			out := p.Deploy(t)
			if !strings.Contains(out, "2 imported") || !strings.Contains(out, "0 destroyed") {
				t.Errorf("adopting deploy did not import both or destroyed something:\n%s", out)
			}
			if got := streamARN(ctx, t, k, name); got != arn {
				t.Errorf("the stream is another one: %s, was %s", got, arn)
			}
			if got := readAll(ctx, t, k, name); len(got) != 3 || got[0] != "record 0" {
				t.Errorf("records after the adoption: %q, want the three written before", got)
			}
		}},
		stage{"the next plan is clean, adoptExisting still on", func(t *testing.T) { p.RequireNoChanges(t, "after adopting") }},
		stage{"cdktf destroy (unprotected)", func(t *testing.T) {
			p.SetContext(t, maps(settings, map[string]any{"protect": false}))
			p.Deploy(t)
			p.Destroy(t)
			requireStreamGone(ctx, t, k, name)
		}},
	)
}

// deployInterrupted: a first deploy interrupted (SIGINT to terraform) while
// the stream is being created leaves a stream Terraform does not know; the
// re-run fails as README's troubleshooting says, the recovery it gives
// works, and there is exactly one stream.
func deployInterrupted(t *testing.T, em *emulator) {
	ctx := context.Background()
	const name = "interrupt-e2e"
	settings := map[string]any{"streamName": name, "alarmName": name + "-write-throttled", "region": "eu-central-1", "protect": false}
	p := newProject(t, em, settings)
	k := em.kinesis("eu-central-1")
	runStages(t,
		stage{"synth and terraform init", p.SynthAndInit},
		stage{"cdktf deploy, interrupted while the stream is created", func(t *testing.T) {
			d := p.startDeploy(t, "aws_kinesis_stream.stream (stream): Creating...")
			<-d.Marked
			time.Sleep(2 * time.Second) // the provider waits for ACTIVE
			interrupted := interruptTerraform(t, p.StackDir())
			output, _ := d.Wait()
			if !interrupted {
				t.Fatalf("the deploy never reached the stream's creation, or terraform was not found:\n%s", output)
			}
			t.Logf("the interrupted deploy printed:\n%s", output)
		}},
		stage{"the re-run fails: the stream exists, Terraform does not know it", func(t *testing.T) {
			waitActive(ctx, t, k, name)
			out, err := p.TryDeploy(nil)
			if err == nil || !strings.Contains(out, "ResourceInUseException") {
				t.Fatalf("re-run after the interrupt: %v, want ResourceInUseException:\n%s", err, out)
			}
		}},
		stage{"recovery as README says: adoptExisting [\"stream\"]", func(t *testing.T) {
			p.SetContext(t, maps(settings, map[string]any{"adoptExisting": []any{"stream"}}))
			if out := p.Deploy(t); !strings.Contains(out, "1 imported") {
				t.Errorf("the recovering deploy did not import the stream:\n%s", out)
			}
			p.RequireNoChanges(t, "after the recovery")
		}},
		stage{"exactly one stream", func(t *testing.T) {
			out, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range out.StreamNames {
				if strings.HasPrefix(s, name) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d streams named %s*, want 1: %v", n, name, out.StreamNames)
			}
		}},
		stage{"cdktf destroy", func(t *testing.T) { p.Destroy(t); requireStreamGone(ctx, t, k, name) }},
	)
}

// interruptTerraform sends SIGINT to the terraform process working in dir
// (found by its working directory: other deploys run at the same time).
func interruptTerraform(t *testing.T, dir string) bool {
	t.Helper()
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if filepath.Base(exe) == "terraform" && cwd == want {
			if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			return true
		}
	}
	return false
}

func streamARN(ctx context.Context, t *testing.T, k *kinesis.Client, name string) string {
	t.Helper()
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.StreamDescriptionSummary.StreamARN)
}

// readAll reads every record of the stream's shards from the start.
func readAll(ctx context.Context, t *testing.T, k *kinesis.Client, name string) []string {
	t.Helper()
	shards, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, shard := range shards.Shards {
		it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: shard.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			records = append(records, string(r.Data))
		}
	}
	return records
}
