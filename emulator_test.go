package main

import (
	"bufio"
	"context"
	"encoding/xml"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// emulator is a moto server on a free loopback port, owned by one test.
type emulator struct {
	URL string
	cmd *exec.Cmd
}

var motoListening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// startEmulator starts moto_server on 127.0.0.1 with a port of the kernel's
// choosing, waits until it answers, and stops it when the test ends (also on
// failure).
func startEmulator(t testing.TB) *emulator {
	t.Helper()
	moto := requireTool(t, "moto_server", "the AWS emulator for deploy tests (pip install 'moto[server]')")
	cmd := exec.Command(moto, "-H", "127.0.0.1", "-p", "0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr // werkzeug logs to stderr; keep one stream
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	e := &emulator{cmd: cmd}
	t.Cleanup(e.stop)

	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			if m := motoListening.FindStringSubmatch(scanner.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case e.URL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("moto_server did not print its address within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(e.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server at %s did not answer /moto-api/ within 30 s: %v", e.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *emulator) stop() {
	if e.cmd.Process == nil {
		return
	}
	e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		e.cmd.Process.Kill()
		<-done
	}
}

// env is what terraform, the provider and the cdktf CLI need to talk to the
// emulator instead of AWS: the endpoint and test credentials, nothing from
// the developer's own AWS configuration.
func (e *emulator) env(base []string) []string {
	var env []string
	for _, kv := range base {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ENDPOINT_URL="+e.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	)
}

// awsConfig is an AWS SDK for Go v2 configuration aimed at the emulator.
func (e *emulator) awsConfig(region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(e.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "emulator"}, nil
		}),
	}
}

func (e *emulator) kinesis(region string) *kinesis.Client {
	return kinesis.NewFromConfig(e.awsConfig(region))
}

func (e *emulator) cloudwatch(region string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(e.awsConfig(region))
}

func (e *emulator) sns(region string) *sns.Client {
	return sns.NewFromConfig(e.awsConfig(region))
}

// createBucket makes an S3 bucket on the emulator (path-style PUT; moto does
// not check signatures).
func (e *emulator) createBucket(t testing.TB, bucket string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, e.URL+"/"+bucket, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("creating bucket %s on the emulator: %s", bucket, resp.Status)
	}
}

// objectKeys lists the keys in an emulator bucket.
func (e *emulator) objectKeys(t testing.TB, bucket string) []string {
	t.Helper()
	resp, err := http.Get(e.URL + "/" + bucket + "?list-type=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Contents []struct {
			Key string `xml:"Key"`
		} `xml:"Contents"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("listing bucket %s: %v", bucket, err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}
