package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// productionContext is the production settings the app's golden test uses
// (testdata/production.context.json).
func productionContext(t *testing.T) map[string]any {
	t.Helper()
	return contextFile(t, "production")
}

// contextFile reads testdata/<name>.context.json, a context the app's golden
// tests use.
func contextFile(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testkit.MustRoot(t), "testdata", name+".context.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ctx map[string]any
	if err := json.Unmarshal(data, &ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// deployProduction deploys the production settings (alert topic with e-mail
// subscriptions, recommended alarms, dashboard, state in S3 with locking),
// then adds tags and a shard on the update path while a teammate's deploy
// runs into the state lock.
func deployProduction(t *testing.T, em *emulator) {
	ctx := context.Background()
	const bucket = "xfusion-tfstate-e2e"
	settings := productionContext(t)
	settings["streamName"] = "orders-prod-e2e"
	settings["alarmName"] = "orders-prod-e2e-write-throttled"
	settings["protect"] = false // disposable
	settings["stateBucket"] = bucket
	// A region of its own (the default scenario has us-east-1), the state in
	// the bucket's.
	settings["region"], settings["stateRegion"] = "us-east-2", "us-east-1"
	delete(settings, "tags") // added on the update path: moto ignores tags at CreateStream
	updated := maps(settings, map[string]any{"tags": map[string]any{"team": "monitoring", "cost-center": "42"},
		"shardCount": 2, "retentionHours": 48})

	a := newProject(t, em, settings)
	b := newProject(t, em, updated) // a teammate's checkout, sharing the state
	var s stack
	var k *kinesis.Client
	var cw *cloudwatch.Client
	var topics *sns.Client
	runStages(t,
		stage{"bootstrap the state bucket, synth and terraform init", func(t *testing.T) {
			em.createBucket(t, bucket) // the documented bootstrap step
			a.synthAndInit(t)
			s = a.synthesized(t)
			k, cw, topics = em.kinesis(s.region()), em.cloudwatch(s.region()), em.sns(s.region())
		}},
		stage{"cdktf deploy", func(t *testing.T) { a.deploy(t) }},
		stage{"terraform plan: no changes", func(t *testing.T) { a.requireNoChanges(t, "after deploying the production settings") }},
		stage{"AWS has what was synthesized", func(t *testing.T) {
			requireNone(t, "stream", checkStream(ctx, k, s.stream()))
			for _, alarm := range s.Resource.Alarms {
				requireNone(t, "alarm "+alarm.AlarmName, checkAlarm(ctx, cw, alarm, s.stream().Name))
			}
			topic := a.outputs(t)["alert_topic_arn"]
			if topic == "" {
				t.Fatal("no alert_topic_arn output")
			}
			requireNone(t, "alert routing", checkRouting(ctx, cw, topics, s, topic))
			requireNone(t, "alert topic encryption", checkTopicEncryption(ctx, topics, em.kms(s.region()), topic))
			requireNone(t, "dashboard", checkDashboardDeployed(ctx, cw, s))
			if keys := em.objectKeys(t, bucket); !cmp.Equal(keys, []string{s.Terraform.Backend.S3.Key}) {
				t.Errorf("bucket holds %v, want only the state %s", keys, s.Terraform.Backend.S3.Key)
			}
		}},
		stage{"teammate: synth and terraform init", b.synthAndInit},
		stage{"two deploys at once: the lock holds", func(t *testing.T) {
			a.setContext(t, updated)
			// The update (tags, a shard, longer retention) keeps the first
			// deploy in apply, holding the lock.
			first := a.startDeploy(t, "Modifying...")
			select {
			case <-first.marked:
			case <-time.After(3 * time.Minute):
				t.Fatal("the first deploy never started modifying")
			}
			lock := s.Terraform.Backend.S3.Key + ".tflock"
			if keys := em.objectKeys(t, bucket); !slices.Contains(keys, lock) {
				t.Fatalf("no %s in the bucket while the first deploy applies: %v", lock, keys)
			}
			// The first deploy's terraform is paused while it holds the lock,
			// so the teammate meets the lock however slow the machine is.
			if !signalTerraform(t, a.stackDir(), syscall.SIGSTOP) {
				t.Fatal("no terraform of the first deploy to pause")
			}
			resumed := false
			resume := func() {
				if !resumed {
					resumed = signalTerraform(t, a.stackDir(), syscall.SIGCONT)
				}
			}
			defer resume()
			// The teammate's deploy (synthesized already) fails cleanly on the lock…
			out, err := b.tryDeploy([]string{"--skip-synth"})
			refused := err != nil && strings.Contains(out, "Error acquiring the state lock")
			resume()
			// …or waits for it with a lock timeout and then finds nothing to do.
			waitStart := time.Now()
			lockedAtStart := slices.Contains(em.objectKeys(t, bucket), lock)
			waitOut, waitErr := b.tryDeploy([]string{"--skip-synth"}, "TF_CLI_ARGS_plan=-lock-timeout=5m", "TF_CLI_ARGS_apply=-lock-timeout=5m")
			waited := time.Since(waitStart)
			firstOut, firstErr := first.wait()
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
		}},
		stage{"state intact: both checkouts plan clean", func(t *testing.T) {
			a.requireNoChanges(t, "first checkout after the concurrent deploys")
			b.requireNoChanges(t, "teammate's checkout after the concurrent deploys")
			if got, want := a.stateList(t), a.synthesizedAddresses(t); !cmp.Equal(got, want) || len(want) < 10 {
				t.Errorf("the state lists %v, want every synthesized resource: %v", got, want)
			}
			if keys := em.objectKeys(t, bucket); !cmp.Equal(keys, []string{s.Terraform.Backend.S3.Key}) {
				t.Errorf("bucket holds %v after the deploys, want only the state (lock released)", keys)
			}
		}},
		stage{"tags and the new shard reached AWS", func(t *testing.T) {
			s2 := a.synthesized(t)
			requireNone(t, "stream", checkStream(ctx, k, s2.stream()))
			tags, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(s2.stream().Name)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, tag := range tags.Tags {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			if want := map[string]string{"team": "monitoring", "cost-center": "42"}; !cmp.Equal(got, want) {
				t.Errorf("stream tags %v, want %v", got, want)
			}
		}},
		stage{"cdktf destroy", func(t *testing.T) { a.destroy(t) }},
		stage{"all is gone", func(t *testing.T) {
			requireGone(ctx, t, k, cw, s)
			list, err := topics.ListTopics(ctx, &sns.ListTopicsInput{})
			if err != nil || len(list.Topics) != 0 {
				t.Errorf("topics after destroy: %v, %v", err, list)
			}
		}},
	)
}

// checkRouting: every alarm of the stack notifies the topic on ALARM, OK and
// INSUFFICIENT_DATA, and the topic has the synthesized e-mail subscriptions.
func checkRouting(ctx context.Context, cw *cloudwatch.Client, topics *sns.Client, s stack, topic string) []string {
	var errs []string
	names := s.alarmNames()
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
	for _, sub := range subs.Subscriptions {
		if aws.ToString(sub.Protocol) == "email" {
			endpoints = append(endpoints, aws.ToString(sub.Endpoint))
		}
	}
	wantEmails := s.emails()
	slices.Sort(endpoints)
	slices.Sort(wantEmails)
	if len(wantEmails) == 0 || !cmp.Equal(endpoints, wantEmails) {
		errs = append(errs, "e-mail subscriptions "+strings.Join(endpoints, ",")+", want "+strings.Join(wantEmails, ","))
	}
	return errs
}

// checkDashboardDeployed: the dashboard exists, charts the stream, and its
// alarm widget lists the deployed alarms' real ARNs.
func checkDashboardDeployed(ctx context.Context, cw *cloudwatch.Client, s stack) []string {
	d, ok := s.Resource.Dashboards["dashboard"]
	if !ok {
		return []string{"the synth has no dashboard"}
	}
	dash, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(d.Name)})
	if err != nil {
		return []string{"dashboard " + d.Name + ": " + err.Error()}
	}
	body := aws.ToString(dash.DashboardBody)
	var errs []string
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: s.alarmNames()})
	if err != nil {
		return []string{err.Error()}
	}
	for _, a := range alarms.MetricAlarms {
		if !strings.Contains(body, `"`+aws.ToString(a.AlarmArn)+`"`) {
			errs = append(errs, "dashboard lacks the alarm "+aws.ToString(a.AlarmArn))
		}
	}
	if !strings.Contains(body, `"StreamName","`+s.stream().Name+`"`) {
		errs = append(errs, "dashboard does not chart the stream "+s.stream().Name)
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

// checkTopicEncryption: the topic is encrypted with the stack's key (found
// by its alias), and the key's policy lets CloudWatch use it for this
// account's alarms only.
func checkTopicEncryption(ctx context.Context, topics *sns.Client, keys *kms.Client, topic string) []string {
	attrs, err := topics.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil {
		return []string{err.Error()}
	}
	name := topic[strings.LastIndex(topic, ":")+1:]
	key, err := keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/" + name)})
	if err != nil {
		return []string{"the topic's key alias/" + name + ": " + err.Error()}
	}
	var errs []string
	if got, want := attrs.Attributes["KmsMasterKeyId"], aws.ToString(key.KeyMetadata.Arn); got != want {
		errs = append(errs, fmt.Sprintf("topic KmsMasterKeyId %q, want the stack's key %q", got, want))
	}
	policy, err := keys.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		return append(errs, err.Error())
	}
	for _, want := range []string{`"Service":"cloudwatch.amazonaws.com"`, `"aws:SourceAccount"`, `:alarm:*"`} {
		if !strings.Contains(strings.ReplaceAll(aws.ToString(policy.Policy), " ", ""), want) {
			errs = append(errs, "the key policy lacks "+want+": "+aws.ToString(policy.Policy))
		}
	}
	rotation, err := keys.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: key.KeyMetadata.KeyId})
	if err != nil || !rotation.KeyRotationEnabled {
		errs = append(errs, fmt.Sprintf("key rotation: %v, %v", rotation, err))
	}
	return errs
}
