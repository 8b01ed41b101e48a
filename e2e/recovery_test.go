package e2e

import (
	"context"
	"errors"
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
	settings := scenarioSettings(name, "eu-central-1")
	delete(settings, "protect") // the default, protected, as a real stack is
	p := newProject(t, em, settings)
	k := em.kinesis("eu-central-1")
	var arn string
	runStages(t,
		stage{"synth and terraform init", p.synthAndInit},
		stage{"cdktf deploy", func(t *testing.T) { p.deploy(t); p.requireNoChanges(t, "after the first deploy") }},
		stage{"a producer writes records", func(t *testing.T) {
			putRecords(ctx, t, k, name)
			arn = streamARN(ctx, t, k, name)
		}},
		stage{"the state file is lost", func(t *testing.T) {
			if err := os.Remove(p.statePath()); err != nil {
				t.Fatal(err)
			}
			os.Remove(p.statePath() + ".backup")
		}},
		stage{"a plain deploy fails on the existing stream and changes nothing", func(t *testing.T) {
			out, err := p.tryDeploy(nil)
			if err == nil || !strings.Contains(out, "ResourceInUseException") {
				t.Fatalf("deploy without state: %v, want ResourceInUseException:\n%s", err, out)
			}
			if got := streamARN(ctx, t, k, name); got != arn {
				t.Errorf("the stream changed: %s, was %s", got, arn)
			}
		}},
		stage{"adoptExisting: the stream and the alarm are imported", func(t *testing.T) {
			p.setContext(t, maps(settings, map[string]any{"adoptExisting": true}))
			out := p.deploy(t)
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
		stage{"the next plan is clean, adoptExisting still on", func(t *testing.T) { p.requireNoChanges(t, "after adopting") }},
		stage{"cdktf destroy (unprotected)", func(t *testing.T) {
			p.setContext(t, maps(settings, map[string]any{"protect": false}))
			p.deploy(t)
			p.destroy(t)
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
	const name, region = "interrupt-e2e", "eu-north-1"
	settings := scenarioSettings(name, region)
	p := newProject(t, em, settings)
	k := em.kinesis(region)
	runStages(t, append([]stage{
		{"synth and terraform init", p.synthAndInit},
		{"cdktf deploy, interrupted while the stream is created", func(t *testing.T) {
			d := p.startDeploy(t, "aws_kinesis_stream.stream (stream): Creating...")
			<-d.marked
			time.Sleep(2 * time.Second) // the provider waits for ACTIVE
			interrupted := signalTerraform(t, p.stackDir(), syscall.SIGINT)
			output, _ := d.wait()
			if !interrupted {
				t.Fatalf("the deploy never reached the stream's creation, or terraform was not found:\n%s", output)
			}
			t.Logf("the interrupted deploy printed:\n%s", output)
		}},
		rerunFailsInUse(ctx, p, k, name),
	}, adoptUnknownStream(ctx, p, k, settings)...)...)
}

// deployKilledTerraform: terraform SIGKILLed once the provider configures
// the ACTIVE stream. cdktf exits 0 all the same ("No outputs found."). The
// stream exists, the state is empty and the re-run fails on
// ResourceInUseException: the state deployInterrupted's stages leave too,
// and its recovery (README's troubleshooting) is shown there.
func deployKilledTerraform(t *testing.T, em *emulator) {
	ctx := context.Background()
	const name, region = "killed-e2e", "ap-southeast-2"
	p := newProject(t, em, scenarioSettings(name, region))
	k := em.kinesis(region)
	runStages(t, killedStages(ctx, p, k, name, func(t *testing.T, p *project, _ *backgroundDeploy) {
		if !signalTerraform(t, p.stackDir(), syscall.SIGKILL) {
			t.Fatal("no terraform process in the stack directory")
		}
	}, "", "No outputs found.")...)
}

// deployKilledGroup: the hard end of a CI job past its timeout, SIGKILL to
// the process group of cdktf deploy, once the provider configures the
// ACTIVE stream. terraform is not in that group (cdktf runs it on a
// pseudo-terminal, in a session of its own); it ends when cdktf's side of
// the terminal closes, and the state is left as after a SIGKILL of
// terraform (the recovery from there is deployInterrupted's).
func deployKilledGroup(t *testing.T, em *emulator) {
	ctx := context.Background()
	const name, region = "timeout-e2e", "ap-northeast-1"
	p := newProject(t, em, scenarioSettings(name, region))
	k := em.kinesis(region)
	runStages(t, killedStages(ctx, p, k, name, func(t *testing.T, p *project, d *backgroundDeploy) {
		for pid, exe := range processesIn(t, p.stackDir()) {
			if exe == "terraform" {
				t.Logf("terraform (pid %d) is in process group %d, session %d; the deploy's group is %d",
					pid, procStat(pid, 5), procStat(pid, 6), d.pid)
			}
		}
		d.killGroup(t)
	}, "signal: killed", "")...)
}

// killedStages: a first deploy killed by kill once the provider configures
// the ACTIVE stream (it has the stream's id, and an interrupt would leave a
// tainted stream). Terraform has no chance to write the state: the stream
// exists, the state is empty, and the re-run fails on
// ResourceInUseException, not on a tainted stream. cdktf's own exit is
// wantExit (as exec reports it; "" for 0), and its output ends with wantLast
// unless that is "".
func killedStages(ctx context.Context, p *project, k *kinesis.Client, name string, kill func(*testing.T, *project, *backgroundDeploy), wantExit, wantLast string) []stage {
	return []stage{
		{"synth and terraform init", p.synthAndInit},
		{"cdktf deploy, killed once the stream is ACTIVE", func(t *testing.T) {
			output, errText := stopAfterActive(ctx, t, p, k, name, kill)
			if errText != wantExit || !strings.HasSuffix(strings.TrimSpace(output), wantLast) {
				t.Errorf("cdktf deploy ended with %q, want %q, and printed (want the last line %q):\n%s", errText, wantExit, wantLast, output)
			}
			t.Logf("the killed deploy printed:\n%s", output)
		}},
		{"the stream exists, the state does not hold it", func(t *testing.T) {
			if s := describeStream(ctx, t, k, name); s.StreamStatus != ktypes.StreamStatusActive {
				t.Errorf("stream %s is %s, want ACTIVE", name, s.StreamStatus)
			}
			if got := p.stateList(t); len(got) != 0 {
				t.Errorf("the state holds %v, want nothing", got)
			}
			size := int64(-1)
			if info, err := os.Stat(p.statePath()); err == nil {
				size = info.Size()
			}
			_, lockErr := os.Stat(filepath.Join(p.dir, ".terraform."+p.stack+".tfstate.lock.info"))
			t.Logf("the state file has %d bytes (-1: none); the lock info file is left: %v", size, lockErr == nil)
		}},
		rerunFailsInUse(ctx, p, k, name),
	}
}

// rerunFailsInUse: after a first deploy that left a stream the state does
// not hold, the re-run fails on ResourceInUseException and leaves the
// stream as it is.
func rerunFailsInUse(ctx context.Context, p *project, k *kinesis.Client, name string) stage {
	return stage{"the re-run fails: the stream exists, Terraform does not know it", func(t *testing.T) {
		created := aws.ToTime(waitActive(ctx, t, k, name).StreamCreationTimestamp)
		out, err := p.tryDeploy(nil)
		if err == nil || !strings.Contains(out, "ResourceInUseException") {
			t.Fatalf("re-run after the interrupt: %v, want ResourceInUseException:\n%s", err, out)
		}
		t.Logf("the re-run ended with %v: %s", err, errorLine(out))
		requireSameStream(ctx, t, k, name, created)
	}}
}

// adoptUnknownStream are the stages after rerunFailsInUse: adoptExisting
// ["stream"], README's recovery, imports the stream as it is and the next
// plan is clean; there is exactly one stream; destroy removes it (settings
// has protect false).
func adoptUnknownStream(ctx context.Context, p *project, k *kinesis.Client, settings map[string]any) []stage {
	name := settings["streamName"].(string)
	return []stage{
		{"recovery as README says: adoptExisting [\"stream\"]", func(t *testing.T) {
			created := aws.ToTime(describeStream(ctx, t, k, name).StreamCreationTimestamp)
			p.setContext(t, maps(settings, map[string]any{"adoptExisting": []any{"stream"}}))
			if out := p.deploy(t); !strings.Contains(out, "1 imported") || !strings.Contains(out, "0 destroyed") {
				t.Errorf("the recovering deploy did not import the stream, or destroyed something:\n%s", out)
			}
			requireSameStream(ctx, t, k, name, created)
			p.requireNoChanges(t, "after the recovery")
		}},
		{"exactly one stream", func(t *testing.T) {
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
		{"cdktf destroy", func(t *testing.T) { p.destroy(t); requireStreamGone(ctx, t, k, name) }},
	}
}

// deployTainted: a first deploy interrupted (SIGINT to terraform) once the
// provider configures the ACTIVE stream fails, and Terraform writes the
// stream to the state marked tainted. A producer writes records. With
// protect true the plain retry is refused at plan (prevent_destroy) and
// changes nothing; with protect false, as the stream was created, the plain
// retry destroys the stream and creates it again, and exits 0: the records
// are gone. The ARN stays the same (a Kinesis ARN names the stream, not one
// instance of it); the creation time tells the new stream from the old.
func deployTainted(t *testing.T, em *emulator) {
	ctx := context.Background()
	const name = "tainted-e2e"
	settings := scenarioSettings(name, "ca-central-1")
	p := newProject(t, em, settings)
	k := em.kinesis("ca-central-1")
	var before *ktypes.StreamDescriptionSummary
	runStages(t,
		stage{"synth and terraform init", p.synthAndInit},
		stage{"cdktf deploy, SIGINT to terraform once the stream is ACTIVE", func(t *testing.T) {
			output, errText := stopAfterActive(ctx, t, p, k, name, func(t *testing.T, p *project, _ *backgroundDeploy) {
				if !signalTerraform(t, p.stackDir(), syscall.SIGINT) {
					t.Fatal("no terraform process in the stack directory")
				}
			})
			if errText == "" || !strings.Contains(output, "context canceled") {
				t.Errorf("the interrupted deploy ended with %q, want a failure on the canceled create:\n%s", errText, output)
			}
			t.Logf("the interrupted deploy ended with %q and printed:\n%s", errText, output)
		}},
		stage{"the state marks the stream tainted", func(t *testing.T) {
			state := p.stateResources(t)
			if r := state["aws_kinesis_stream.stream"]; r == nil || !r.Tainted || len(state) != 1 {
				t.Fatalf("the state holds %v, want only the stream, tainted", p.stateList(t))
			}
		}},
		stage{"a producer writes records", func(t *testing.T) {
			putRecords(ctx, t, k, name)
			before = describeStream(ctx, t, k, name)
		}},
		stage{"protect true: a plain retry is refused (prevent_destroy)", func(t *testing.T) {
			p.setContext(t, maps(settings, map[string]any{"protect": true}))
			out, err := p.tryDeploy(nil)
			if err == nil {
				t.Fatalf("the retry replaced a protected stream:\n%s", out)
			}
			for _, want := range []string{"aws_kinesis_stream.stream (stream) is tainted, so must be replaced",
				"Instance cannot be destroyed",
				"has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed"} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
					t.Errorf("the refused retry does not say %q:\n%s", want, out)
				}
			}
			t.Logf("the refused retry ended with %v: %s", err, errorLine(out))
			requireSameStream(ctx, t, k, name, aws.ToTime(before.StreamCreationTimestamp))
			if got := readAll(ctx, t, k, name); len(got) != 3 {
				t.Errorf("records after the refused retry: %q, want the three written before", got)
			}
		}},
		stage{"protect false: a plain retry replaces the stream, exit 0", func(t *testing.T) {
			p.setContext(t, settings)
			out, err := p.tryDeploy(nil)
			if err != nil {
				t.Fatalf("plain retry: %v, want success:\n%s", err, out)
			}
			for _, want := range []string{"aws_kinesis_stream.stream (stream) is tainted, so must be replaced", "2 added, 0 changed, 1 destroyed"} {
				if !strings.Contains(out, want) {
					t.Errorf("the retry does not say %q:\n%s", want, out)
				}
			}
			after := describeStream(ctx, t, k, name)
			if !aws.ToTime(after.StreamCreationTimestamp).After(aws.ToTime(before.StreamCreationTimestamp)) {
				t.Errorf("the stream was created %v, before the retry %v: want a new stream", after.StreamCreationTimestamp, before.StreamCreationTimestamp)
			}
			if aws.ToString(after.StreamARN) != aws.ToString(before.StreamARN) {
				t.Errorf("the new stream's ARN %s differs from the old one's %s", aws.ToString(after.StreamARN), aws.ToString(before.StreamARN))
			}
			t.Logf("ARN %s before and after; created %v, now %v", aws.ToString(after.StreamARN),
				aws.ToTime(before.StreamCreationTimestamp), aws.ToTime(after.StreamCreationTimestamp))
		}},
		stage{"the records written before are gone", func(t *testing.T) {
			if got := readAll(ctx, t, k, name); len(got) != 0 {
				t.Errorf("records from TRIM_HORIZON after the retry: %q, want none", got)
			}
		}},
		stage{"the next plan is clean", func(t *testing.T) { p.requireNoChanges(t, "after the retry") }},
		stage{"cdktf destroy", func(t *testing.T) { p.destroy(t); requireStreamGone(ctx, t, k, name) }},
	)
}

// stopAfterActive starts a first deploy, waits until the provider configures
// the ACTIVE stream (waitConfiguring), stops the deploy with stop, and waits
// until none of its processes is left: terraform and its provider could
// otherwise still write the state. It returns what cdktf printed and how it
// ended (exec's error text, "" for exit 0), and logs the timings.
func stopAfterActive(ctx context.Context, t *testing.T, p *project, k *kinesis.Client, name string, stop func(*testing.T, *project, *backgroundDeploy)) (output, errText string) {
	t.Helper()
	start := time.Now()
	d := p.startDeploy(t, "aws_kinesis_stream.stream (stream): Creating...")
	active, configuring := waitConfiguring(ctx, t, k, name, d)
	stopped := time.Now()
	stop(t, p, d)
	output, errText = d.wait()
	ended := time.Since(stopped)
	waitNoProcesses(t, p.dir, 30*time.Second)
	t.Logf("after the deploy started: stream ACTIVE at %.1f s, shard-level metrics on at %.1f s, stopped at %.1f s; cdktf ended %.2f s later (%q), every process of the deploy %.2f s later",
		active.Sub(start).Seconds(), configuring.Sub(start).Seconds(), stopped.Sub(start).Seconds(), ended.Seconds(), errText, time.Since(stopped).Seconds())
	return output, errText
}

// waitConfiguring waits (up to four minutes), while the deploy d runs, until
// the provider configures the ACTIVE stream: the stream is ACTIVE with
// shard-level metrics on. The provider turns them on (and waits 10 s for
// the stream to settle, then starts encryption and waits again) only after
// its first DescribeStreamSummary found the stream ACTIVE, and it holds the
// stream's id from then on. ACTIVE alone is not that moment: moto makes a
// stream ACTIVE at CreateStream, and the provider looks 10 s later. It
// returns when the stream was first seen ACTIVE and when configuring.
func waitConfiguring(ctx context.Context, t *testing.T, k *kinesis.Client, name string, d *backgroundDeploy) (active, configuring time.Time) {
	t.Helper()
	deadline := time.After(4 * time.Minute)
	for {
		out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		var notFound *ktypes.ResourceNotFoundException
		switch {
		case errors.As(err, &notFound):
		case err != nil:
			t.Fatal(err)
		case out.StreamDescriptionSummary.StreamStatus == ktypes.StreamStatusActive:
			if active.IsZero() {
				active = time.Now()
			}
			for _, m := range out.StreamDescriptionSummary.EnhancedMonitoring {
				if len(m.ShardLevelMetrics) > 0 {
					return active, time.Now()
				}
			}
		}
		select {
		case <-d.ended:
			output, errText := d.wait()
			t.Fatalf("the deploy ended (%q) before the provider configured stream %s:\n%s", errText, name, output)
		case <-deadline:
			t.Fatalf("stream %s: no ACTIVE stream with shard-level metrics on after four minutes (ACTIVE seen: %v)", name, !active.IsZero())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// requireSameStream: the stream is the one created at created, not a new
// one of the same name.
func requireSameStream(ctx context.Context, t *testing.T, k *kinesis.Client, name string, created time.Time) {
	t.Helper()
	if got := aws.ToTime(describeStream(ctx, t, k, name).StreamCreationTimestamp); !got.Equal(created) {
		t.Errorf("stream %s was created %v, want the stream created %v", name, got, created)
	}
}

// processesIn maps the processes working in dir or below it (their working
// directory, so other deploys running at the same time do not count) to
// their executables' names: cdktf works in the project directory, terraform
// and its provider in the stack's.
func processesIn(t *testing.T, dir string) map[int]string {
	t.Helper()
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && (cwd == want || strings.HasPrefix(cwd, want+"/")) {
			found[pid] = filepath.Base(exe)
		}
	}
	return found
}

// procStat is the field of /proc/pid/stat numbered as proc(5) numbers them
// (5 the process group, 6 the session), or -1.
func procStat(pid, field int) int {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return -1
	}
	_, rest, ok := strings.Cut(string(data), ") ") // the command name may hold spaces
	fields := strings.Fields(rest)
	if !ok || field-3 >= len(fields) {
		return -1
	}
	n, _ := strconv.Atoi(fields[field-3])
	return n
}

// signalTerraform sends sig to the terraform process working in dir.
func signalTerraform(t *testing.T, dir string, sig syscall.Signal) bool {
	t.Helper()
	for pid, exe := range processesIn(t, dir) {
		if exe == "terraform" {
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			return true
		}
	}
	return false
}

// waitNoProcesses waits until no process works in dir any more.
func waitNoProcesses(t *testing.T, dir string, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
		left := processesIn(t, dir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes still working in %s after %v: %v", dir, within, left)
		}
	}
}

func streamARN(ctx context.Context, t *testing.T, k *kinesis.Client, name string) string {
	t.Helper()
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.StreamDescriptionSummary.StreamARN)
}

// errorLine is the first line of cdktf's output that holds "Error:", from
// there on.
func errorLine(out string) string {
	for line := range strings.Lines(out) {
		if _, msg, ok := strings.Cut(line, "Error:"); ok {
			return "Error:" + strings.TrimRight(msg, "\n")
		}
	}
	return ""
}

// putRecords writes three records, "record 0" to "record 2", as a producer
// would.
func putRecords(ctx context.Context, t *testing.T, k *kinesis.Client, name string) {
	t.Helper()
	for i := range 3 {
		if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name),
			PartitionKey: aws.String("k"), Data: []byte("record " + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
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

// scenarioSettings are the settings of a recovery scenario: a stream and an
// alarm named after it, in a region no other scenario uses, unprotected
// (disposable).
func scenarioSettings(name, region string) map[string]any {
	return map[string]any{"streamName": name, "alarmName": name + "-write-throttled", "region": region, "protect": false}
}
