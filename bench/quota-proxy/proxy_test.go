package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// signed is a SigV4 Authorization header for service in region.
func signed(region, service string) string {
	return "AWS4-HMAC-SHA256 Credential=test/20261201/" + region + "/" + service +
		"/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123abcd"
}

// request is one request as an SDK sends it.
type request struct {
	method, path, contentType, authorization, target, body string
}

func (q request) build(t *testing.T, base string) *http.Request {
	t.Helper()
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	path := q.path
	if path == "" {
		path = "/"
	}
	r, err := http.NewRequest(method, base+path, strings.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Content-Type": q.contentType, "Authorization": q.authorization, "X-Amz-Target": q.target} {
		if v != "" {
			r.Header.Set(k, v)
		}
	}
	return r
}

const (
	form    = "application/x-www-form-urlencoded; charset=utf-8"
	awsJSON = "application/x-amz-json-1.1"
)

var (
	describeAlarms = request{contentType: form, authorization: signed("us-east-1", "monitoring"),
		body: "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=estate-bench-0001-write-throttle"}
	listShards = request{contentType: awsJSON, authorization: signed("us-east-1", "kinesis"),
		target: "Kinesis_20131202.ListShards", body: `{"StreamName":"estate-bench-0001"}`}
)

func TestIdentify(t *testing.T) {
	cases := []struct {
		name string
		req  request
		want call
	}{
		{"query protocol: Action in the form body", describeAlarms, call{"us-east-1", "monitoring", "DescribeAlarms", ""}},
		{"query protocol: a GET with Action in the URL",
			request{method: http.MethodGet, path: "/?Action=GetCallerIdentity&Version=2011-06-15", authorization: signed("eu-west-1", "sts")},
			call{"eu-west-1", "sts", "GetCallerIdentity", ""}},
		{"JSON protocol: the action after the X-Amz-Target's last dot", listShards, call{"us-east-1", "kinesis", "ListShards", ""}},
		{"JSON protocol: CloudWatch's own target prefix",
			request{contentType: "application/x-amz-json-1.0", authorization: signed("us-east-1", "monitoring"), target: "GraniteServiceVersion20100801.DescribeAlarms", body: `{}`},
			call{"us-east-1", "monitoring", "DescribeAlarms", ""}},
		{"RPC v2 CBOR: the action in the path",
			request{path: "/service/GraniteServiceVersion20100801/operation/GetMetricData", contentType: "application/cbor", authorization: signed("us-east-1", "monitoring")},
			call{"us-east-1", "monitoring", "GetMetricData", ""}},
		{"no Authorization header: region and service unknown",
			request{contentType: form, body: "Action=DescribeAlarms"},
			call{unknown, unknown, "DescribeAlarms", ""}},
		{"an Authorization header without a SigV4 credential scope",
			request{contentType: form, authorization: "AWS test:c2lnbmF0dXJl", body: "Action=DescribeAlarms"},
			call{unknown, unknown, "DescribeAlarms", ""}},
		{"a form body without Action",
			request{contentType: form, authorization: signed("us-east-1", "monitoring"), body: "Version=2010-08-01"},
			call{"us-east-1", "monitoring", unknown, ""}},
		{"Action= in a body that is not a form is not read as one",
			request{contentType: awsJSON, authorization: signed("us-east-1", "kinesis"), body: "Action=ListShards"},
			call{"us-east-1", "kinesis", unknown, ""}},
		{"an X-Amz-Target without a dot",
			request{contentType: awsJSON, authorization: signed("us-east-1", "kinesis"), target: "ListShards", body: `{}`},
			call{"us-east-1", "kinesis", unknown, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.req.build(t, "http://127.0.0.1:1")
			if got := identify(r, []byte(c.req.body)); got != c.want {
				t.Errorf("identify = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestStreamOf(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"StreamName", `{"StreamName":"a"}`, "a"},
		{"StreamARN before StreamName", `{"StreamName":"a","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a"}`, "arn:aws:kinesis:us-east-1:123456789012:stream/a"},
		{"a request that names no stream", `{"NextToken":"x"}`, ""},
		{"a body that is not JSON", `StreamName=a`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := streamOf([]byte(c.body)); got != c.want {
				t.Errorf("streamOf(%s) = %q, want %q", c.body, got, c.want)
			}
		})
	}
}

// The limiter with a fixed clock: when each reservation may go.
func TestReserve(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	alarms := bucket{"us-east-1", "monitoring", "DescribeAlarms", ""}
	type booking struct {
		b   bucket
		at  time.Duration // after now
		off time.Duration // the slot it gets, after now
	}
	cases := []struct {
		name     string
		bookings []booking
	}{
		{"four calls at once in one bucket at 4/s: 250 ms apart", []booking{
			{alarms, 0, 0}, {alarms, 0, 250 * time.Millisecond}, {alarms, 0, 500 * time.Millisecond}, {alarms, 0, 750 * time.Millisecond}}},
		{"a call after the bucket's last slot goes at once", []booking{
			{alarms, 0, 0}, {alarms, time.Second, time.Second}}},
		{"another action, region or stream is not held by the first", []booking{
			{alarms, 0, 0}, {alarms, 0, 250 * time.Millisecond},
			{bucket{"us-east-1", "monitoring", "ListTagsForResource", ""}, 0, 0},
			{bucket{"eu-west-1", "monitoring", "DescribeAlarms", ""}, 0, 0},
			{bucket{"us-east-1", "kinesis", "ListShards", "a"}, 0, 0},
			{bucket{"us-east-1", "kinesis", "ListShards", "b"}, 0, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l limiter
			for i, b := range c.bookings {
				if got := l.reserve(b.b, 4, now.Add(b.at)); !got.Equal(now.Add(b.off)) {
					t.Errorf("booking %d (%+v at +%s) goes at +%s, want +%s", i, b.b, b.at, got.Sub(now), b.off)
				}
			}
		})
	}
}

// backend is a fake emulator: it records each request's arrival, body and
// Content-Length.
type backend struct {
	mu       sync.Mutex
	arrivals []time.Time
	bodies   []string
	lengths  []int64
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.arrivals = append(b.arrivals, time.Now())
	b.bodies = append(b.bodies, string(body))
	b.lengths = append(b.lengths, r.ContentLength)
	b.mu.Unlock()
	io.WriteString(w, "{}")
}

// start runs a proxy with quotas in front of a fresh backend.
func start(t *testing.T, quotas map[string]map[string]quota) (*backend, *httptest.Server) {
	t.Helper()
	b := &backend{}
	emulator := httptest.NewServer(b)
	t.Cleanup(emulator.Close)
	target, err := url.Parse(emulator.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := httptest.NewServer(newProxy(target, quotas))
	t.Cleanup(p.Close)
	return b, p
}

func send(t *testing.T, p *httptest.Server, q request) {
	t.Helper()
	resp, err := p.Client().Do(q.build(t, p.URL))
	if err != nil {
		t.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %s", resp.Status)
	}
}

func counts(t *testing.T, p *httptest.Server, query string) map[string]map[string]tally {
	t.Helper()
	resp, err := p.Client().Get(p.URL + "/__counts" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]map[string]tally
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

// Calls at once over the rate: the last reaches the emulator at least
// (n-1)/rate after the first was sent (a lower bound only: a slow machine
// makes it later); a call without a quota waits for nothing.
func TestHeld(t *testing.T) {
	const n, rate = 6, 20.0
	quotas := map[string]map[string]quota{"monitoring": {"DescribeAlarms": {PerSecond: rate}}}
	cases := []struct {
		name      string
		req       request
		action    string
		perSecond float64
	}{
		{"DescribeAlarms held to its rate", describeAlarms, "DescribeAlarms", rate},
		{"an action without a quota passes unlimited", request{contentType: form, authorization: signed("us-east-1", "monitoring"),
			body: "Action=PutMetricData&Version=2010-08-01"}, "PutMetricData", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, p := start(t, quotas)
			sent := time.Now()
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() { send(t, p, c.req) })
			}
			wg.Wait()
			got := counts(t, p, "")["monitoring"][c.action]
			if got.Calls != n || got.PerSecond != c.perSecond {
				t.Fatalf("counted %+v, want %d calls at %g/s", got, n, c.perSecond)
			}
			if c.perSecond == 0 {
				if got.HeldSeconds != 0 {
					t.Errorf("held %g s, want none", got.HeldSeconds)
				}
				return
			}
			last := slices.MaxFunc(b.arrivals, time.Time.Compare)
			floor := time.Duration(float64(n-1) / rate * float64(time.Second))
			if took := last.Sub(sent); took < floor {
				t.Errorf("%d calls sent at once all reached the emulator within %s, want at least %s", n, took, floor)
			}
			if got.HeldSeconds < floor.Seconds() {
				t.Errorf("held %g s in all, want at least %g", got.HeldSeconds, floor.Seconds())
			}
		})
	}
}

func TestCounts(t *testing.T) {
	putMetricAlarm := request{contentType: form, authorization: signed("us-east-1", "monitoring"), body: "Action=PutMetricAlarm&Version=2010-08-01"}
	unsigned := request{contentType: awsJSON, body: `{}`}
	postCounts := request{path: "/__counts", contentType: form, authorization: signed("us-east-1", "monitoring"), body: "Action=ListMetrics"}
	cases := []struct {
		name string
		reqs []request
		want map[string]map[string]tally
	}{
		{"by service and action, with the rate each was held to", []request{describeAlarms, describeAlarms, putMetricAlarm, listShards},
			map[string]map[string]tally{
				"monitoring": {"DescribeAlarms": {Calls: 2, PerSecond: 1000}, "PutMetricAlarm": {Calls: 1}},
				"kinesis":    {"ListShards": {Calls: 1, PerSecond: 1000, PerStream: true}},
			}},
		{"an unsigned request without an action", []request{unsigned},
			map[string]map[string]tally{unknown: {unknown: {Calls: 1}}}},
		{"a POST to /__counts is a request for the emulator, counted", []request{postCounts},
			map[string]map[string]tally{"monitoring": {"ListMetrics": {Calls: 1}}}},
	}
	quotas := map[string]map[string]quota{
		"monitoring": {"DescribeAlarms": {PerSecond: 1000}},
		"kinesis":    {"ListShards": {PerSecond: 1000, PerStream: true}},
	}
	ignoreHeld := cmp.Transformer("held", func(t tally) tally { t.HeldSeconds = 0; return t })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, p := start(t, quotas)
			for _, q := range c.reqs {
				send(t, p, q)
			}
			if len(b.bodies) != len(c.reqs) {
				t.Errorf("%d requests reached the emulator, want %d", len(b.bodies), len(c.reqs))
			}
			if got := counts(t, p, "?reset=1"); !cmp.Equal(got, c.want, ignoreHeld) {
				t.Errorf("counts (-got +want):\n%s", cmp.Diff(got, c.want, ignoreHeld))
			}
			if got := counts(t, p, ""); len(got) != 0 {
				t.Errorf("after ?reset=1 the counts are %v, want none", got)
			}
		})
	}
}

// The emulator gets every body as sent, with its length, whether the proxy
// read an action from it or not.
func TestBodyRestored(t *testing.T) {
	dashboard := "Action=PutDashboard&Version=2010-08-01&DashboardName=estate&DashboardBody=" +
		url.QueryEscape(`{"widgets":[`+strings.Repeat(`{"type":"metric","properties":{}},`, 2000)+`{}]}`)
	cases := []struct {
		name string
		req  request
	}{
		{"a query-protocol form", describeAlarms},
		{"a large form (a dashboard body)", request{contentType: form, authorization: signed("us-east-1", "monitoring"), body: dashboard}},
		{"a JSON body read for its stream", listShards},
		{"a body that is not a valid form, passed as it is", request{contentType: form, authorization: signed("us-east-1", "monitoring"), body: "Action=%zz&x"}},
	}
	quotas := map[string]map[string]quota{"kinesis": {"ListShards": {PerSecond: 1000, PerStream: true}}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, p := start(t, quotas)
			send(t, p, c.req)
			if len(b.bodies) != 1 || b.bodies[0] != c.req.body || b.lengths[0] != int64(len(c.req.body)) {
				t.Errorf("the emulator got %d requests; bodies equal: %v; Content-Length %v, want %d",
					len(b.bodies), len(b.bodies) == 1 && b.bodies[0] == c.req.body, b.lengths, len(c.req.body))
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	cases := []struct{ name, target, listen, want string }{
		{"the emulator on loopback, any free port", "http://127.0.0.1:5000", "127.0.0.1:0", ""},
		{"a remote target", "http://monitoring.us-east-1.amazonaws.com:80", "127.0.0.1:0", "-target"},
		{"https", "https://127.0.0.1:5000", "127.0.0.1:0", "-target"},
		{"a target without a port", "http://127.0.0.1", "127.0.0.1:0", "-target"},
		{"listening beyond loopback", "http://127.0.0.1:5000", "0.0.0.0:0", "-listen"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loopback(c.target, c.listen)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("loopback(%q, %q) = %v, want an error naming %q (none if empty)", c.target, c.listen, err, c.want)
			}
		})
	}
}
