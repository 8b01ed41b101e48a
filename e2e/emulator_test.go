package e2e

import (
	"context"
	"encoding/xml"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/xfusion/kinesis-monitoring/internal/testkit"
)

// emulator is moto's server on a free loopback port, started by
// scripts/emulator.sh (as the scripts start it) and owned by one test.
type emulator struct {
	url string
	env []string // the environment for terraform and the cdktf CLI: the emulator, test credentials, the mirror
}

func startEmulator(t *testing.T) *emulator {
	t.Helper()
	dir, env := testkit.ScriptEnvironment(t, "start")
	pidText, err := os.ReadFile(filepath.Join(dir, "moto.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err != nil {
		t.Fatalf("moto.pid: %v", err)
	}
	t.Cleanup(func() {
		stopProcess(pid)
		if t.Failed() {
			reportServerErrors(t, filepath.Join(dir, "moto.log"))
		}
	})
	e := &emulator{env: env}
	for _, kv := range env {
		if url, ok := strings.CutPrefix(kv, "AWS_ENDPOINT_URL="); ok {
			e.url = url
		}
	}
	if !strings.HasPrefix(e.url, "http://127.0.0.1:") {
		t.Fatalf("the emulator is at %q, want a loopback address", e.url)
	}
	return e
}

// reportServerErrors logs the requests moto answered with a 5xx status, and
// the exceptions behind them (its log has a line per request, and a
// traceback per failed one): the SDKs retry those, and a retried create that
// had succeeded the first time fails as "already exists".
func reportServerErrors(t *testing.T, log string) {
	data, err := os.ReadFile(log)
	if err != nil {
		t.Logf("moto's log: %v", err)
		return
	}
	var errs []string
	for line := range strings.Lines(string(data)) {
		if serverError.MatchString(line) || exception.MatchString(line) {
			errs = append(errs, strings.TrimSpace(line))
		}
	}
	t.Logf("moto's log has %d lines of 5xx answers and exceptions", len(errs))
	for _, line := range errs[:min(len(errs), 40)] {
		t.Log(line)
	}
}

var (
	// serverError is a request line of moto's (werkzeug's) log with a 5xx
	// status: 127.0.0.1 - - [30/Nov/2026 05:00:01] "POST / HTTP/1.1" 500 -
	serverError = regexp.MustCompile(`" 5\d\d `)
	// exception is the last line of a Python traceback: TypeError: ...
	exception = regexp.MustCompile(`^[A-Za-z_.]*(Error|Exception)\b.*:`)
)

// stopProcess ends moto by its PID: SIGTERM, then SIGKILL after 10 s.
func stopProcess(pid int) {
	p, err := os.FindProcess(pid)
	if err != nil {
		return
	}
	p.Signal(syscall.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if p.Signal(syscall.Signal(0)) != nil {
			return
		}
	}
	p.Kill()
}

// awsConfig is an AWS SDK for Go v2 configuration aimed at the emulator.
func (e *emulator) awsConfig(region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(e.url),
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

func (e *emulator) kms(region string) *kms.Client {
	return kms.NewFromConfig(e.awsConfig(region))
}

// createBucket makes an S3 bucket on the emulator (path-style PUT; moto does
// not check signatures).
func (e *emulator) createBucket(t *testing.T, bucket string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, e.url+"/"+bucket, nil)
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
func (e *emulator) objectKeys(t *testing.T, bucket string) []string {
	t.Helper()
	resp, err := http.Get(e.url + "/" + bucket + "?list-type=2")
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
