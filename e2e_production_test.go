package main

import (
	"bufio"
	"context"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
)

// deployProduction deploys the production settings (alert topic with e-mail
// subscribers, recommended alarms, dashboard, state in S3 with locking), then
// adds tags and a shard on the update path while a teammate's deploy runs
// into the state lock.
func deployProduction(t *testing.T, em *emulator) {
	ctx := context.Background()
	const bucket = "xfusion-tfstate-e2e"
	settings := map[string]any{
		"streamName":              "orders-prod-e2e",
		"alarmName":               "orders-prod-e2e-write-throttled",
		"protect":                 false, // disposable
		"alarmEmails":             production["alarmEmails"],
		"alarmOnInsufficientData": true,
		"recommendedAlarms":       true,
		"dashboard":               true,
		"stateBucket":             bucket,
		"stateKmsKeyId":           production["stateKmsKeyId"],
	}
	cfg, err := ConfigFromContext(settings)
	if err != nil {
		t.Fatal(err)
	}
	k, cw, topics := em.kinesis(cfg.Region), em.cloudwatch(cfg.Region), em.sns(cfg.Region)
	em.createBucket(t, bucket) // the documented bootstrap step
	a := newDeployment(t, em, settings)

	phase(t, "synth + terraform init (S3 state)", a.SynthAndInit)
	phase(t, "cdktf deploy", func() { a.Deploy() })
	phase(t, "terraform plan: no changes", func() { a.RequireNoChanges("after deploying the production settings") })
	phase(t, "verify through the AWS API", func() {
		requireNone(t, "stream", checkStream(ctx, k, cfg))
		requireNone(t, "write-throttling alarm", checkAlarm(ctx, cw, cfg))
		topic := a.Outputs()["alert_topic_arn"]
		if topic == "" {
			t.Fatal("no alert_topic_arn output")
		}
		requireNone(t, "alert routing", checkRouting(ctx, cw, topics, cfg, topic))
		requireNone(t, "dashboard", checkDashboardDeployed(ctx, cw, cfg))
		if keys := em.objectKeys(t, bucket); !cmp.Equal(keys, []string{cfg.StateKey}) {
			t.Errorf("bucket holds %v, want only the state %s", keys, cfg.StateKey)
		}
	})

	// A teammate's checkout with the same settings shares the state.
	// The update (tags, a shard, longer retention) keeps the first deploy in
	// apply, holding the lock, for a while: the provider waits after each step.
	updated := merge(settings, map[string]any{"tags": map[string]any{"team": "monitoring", "cost-center": "42"},
		"shardCount": 2, "retentionHours": 48})
	b := newDeployment(t, em, updated)
	phase(t, "teammate: synth + terraform init", b.SynthAndInit)
	a.SetContext(updated)

	phase(t, "two deploys at once: the lock holds", func() {
		first, done := a.startDeploy(t, "Modifying...")
		select {
		case <-first:
		case <-time.After(3 * time.Minute):
			t.Fatal("the first deploy never started modifying")
		}
		lock := cfg.StateKey + ".tflock"
		if keys := em.objectKeys(t, bucket); !contains(keys, lock) {
			t.Fatalf("no %s in the bucket while the first deploy applies: %v", lock, keys)
		}
		// The teammate's deploy (synthesized already) fails cleanly on the lock…
		out, err := b.TryDeploy([]string{"--skip-synth"})
		refused := err != nil && strings.Contains(out, "Error acquiring the state lock")
		// …or waits for it with a lock timeout and then finds nothing to do.
		waitStart := time.Now()
		lockedAtStart := contains(em.objectKeys(t, bucket), lock)
		waitOut, waitErr := b.TryDeploy([]string{"--skip-synth"}, "TF_CLI_ARGS_plan=-lock-timeout=5m", "TF_CLI_ARGS_apply=-lock-timeout=5m")
		waited := time.Since(waitStart)
		firstOut, firstErr := <-done, <-done
		if firstErr != "" {
			t.Fatalf("the first deploy failed: %s\n%s", firstErr, firstOut)
		}
		if !refused {
			t.Errorf("second deploy during the first: err %v, want the state lock error:\n%s\nfirst deploy:\n%s", err, out, firstOut)
		}
		if waitErr != nil {
			t.Errorf("deploy with -lock-timeout=5m: %v\n%s", waitErr, waitOut)
		}
		t.Logf("waiting deploy started with the lock %s held and took %.1f s", map[bool]string{true: "still", false: "no longer"}[lockedAtStart], waited.Seconds())
	})
	phase(t, "state intact: both checkouts plan clean", func() {
		a.RequireNoChanges("first checkout after the concurrent deploys")
		b.RequireNoChanges("teammate's checkout after the concurrent deploys")
		out, err := a.run(a.StackDir(), a.terraform, "state", "list")
		if err != nil {
			t.Fatalf("terraform state list: %v\n%s", err, out)
		}
		if n := len(strings.Fields(out)); n != 10 {
			t.Errorf("state lists %d resources, want 10 (stream, 5 alarms, topic, 2 subscriptions, dashboard):\n%s", n, out)
		}
		if keys := em.objectKeys(t, bucket); !cmp.Equal(keys, []string{cfg.StateKey}) {
			t.Errorf("bucket holds %v after the deploys, want only the state (lock released)", keys)
		}
	})
	phase(t, "tags and the new shard reached AWS", func() {
		cfg2, _ := ConfigFromContext(updated)
		requireNone(t, "stream", checkStream(ctx, k, cfg2))
		tags, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(cfg.StreamName)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tag := range tags.Tags {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if !cmp.Equal(got, cfg2.Tags) {
			t.Errorf("stream tags %v, want %v", got, cfg2.Tags)
		}
	})
	phase(t, "cdktf destroy", func() { a.Destroy() })
	phase(t, "verify all is gone", func() {
		requireGone(ctx, t, k, cw, cfg)
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(cfg.StreamName)})
		if err != nil || len(out.MetricAlarms) != 0 {
			t.Errorf("recommended alarms after destroy: %v, %v", err, out)
		}
		list, err := topics.ListTopics(ctx, &sns.ListTopicsInput{})
		if err != nil || len(list.Topics) != 0 {
			t.Errorf("topics after destroy: %v, %v", err, list)
		}
	})
}

// startDeploy runs cdktf deploy in the background; first receives once a
// line of its output contains marker, done receives the output and then the
// error text ("" on success).
func (d *deployment) startDeploy(t *testing.T, marker string) (first <-chan struct{}, done <-chan string) {
	t.Helper()
	cmd := exec.Command(d.cli, "deploy", "--auto-approve", "--no-color")
	cmd.Dir, cmd.Env = d.Dir, d.Env
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	firstCh, doneCh := make(chan struct{}), make(chan string, 2)
	go func() {
		var all strings.Builder
		seen := false
		scanner := bufio.NewScanner(pipe)
		for scanner.Scan() {
			all.WriteString(scanner.Text() + "\n")
			if !seen && strings.Contains(scanner.Text(), marker) {
				seen = true
				close(firstCh)
			}
		}
		err := cmd.Wait()
		if !seen {
			close(firstCh)
		}
		doneCh <- all.String()
		if err != nil {
			doneCh <- err.Error()
		} else {
			doneCh <- ""
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return firstCh, doneCh
}

// checkRouting: every alarm of the stack notifies the topic on ALARM, OK and
// INSUFFICIENT_DATA, and the topic has the configured e-mail subscriptions.
func checkRouting(ctx context.Context, cw *cloudwatch.Client, topics *sns.Client, cfg Config, topic string) []string {
	var errs []string
	names := []string{cfg.AlarmName}
	for _, r := range recommendedAlarms {
		names = append(names, cfg.StreamName+r.nameSuffix)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil {
		return []string{err.Error()}
	}
	if len(out.MetricAlarms) != len(names) {
		errs = append(errs, "found "+strings.Join(alarmNames(out), ", ")+"; want "+strings.Join(names, ", "))
	}
	want := []string{topic}
	for _, a := range out.MetricAlarms {
		for what, got := range map[string][]string{"alarm": a.AlarmActions, "OK": a.OKActions, "insufficient-data": a.InsufficientDataActions} {
			if !cmp.Equal(got, want) {
				errs = append(errs, aws.ToString(a.AlarmName)+": "+what+" actions "+strings.Join(got, ",")+", want "+topic)
			}
		}
	}
	subs, err := topics.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil {
		return append(errs, err.Error())
	}
	var endpoints []string
	for _, s := range subs.Subscriptions {
		if aws.ToString(s.Protocol) == "email" {
			endpoints = append(endpoints, aws.ToString(s.Endpoint))
		}
	}
	wantEmails := append([]string{}, cfg.AlarmEmails...)
	sort.Strings(endpoints)
	sort.Strings(wantEmails)
	if !cmp.Equal(endpoints, wantEmails) {
		errs = append(errs, "e-mail subscriptions "+strings.Join(endpoints, ",")+", want "+strings.Join(wantEmails, ","))
	}
	return errs
}

// checkDashboardDeployed: the dashboard exists and its alarm widget lists
// the deployed alarms' real ARNs.
func checkDashboardDeployed(ctx context.Context, cw *cloudwatch.Client, cfg Config) []string {
	name := dashboardName(cfg)
	dash, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
	if err != nil {
		return []string{"dashboard " + name + ": " + err.Error()}
	}
	body := aws.ToString(dash.DashboardBody)
	var errs []string
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(cfg.StreamName)})
	if err != nil {
		return []string{err.Error()}
	}
	for _, a := range alarms.MetricAlarms {
		if !strings.Contains(body, `"`+aws.ToString(a.AlarmArn)+`"`) {
			errs = append(errs, "dashboard lacks the alarm "+aws.ToString(a.AlarmArn))
		}
	}
	if !strings.Contains(body, `"StreamName","`+cfg.StreamName+`"`) {
		errs = append(errs, "dashboard does not chart the stream "+cfg.StreamName)
	}
	return errs
}

func alarmNames(out *cloudwatch.DescribeAlarmsOutput) []string {
	var names []string
	for _, a := range out.MetricAlarms {
		names = append(names, aws.ToString(a.AlarmName))
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
