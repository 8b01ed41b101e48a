package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// call is what the proxy finds in one request.
type call struct {
	Region, Service, Action string
	// Stream is the request's StreamName or StreamARN, read only for the
	// actions whose quota applies per stream.
	Stream string
}

// unknown names a service or action the proxy could not find.
const unknown = "unknown"

// credentialScope is the SigV4 Authorization header's
// Credential=<key id>/<date>/<region>/<service>/aws4_request.
var credentialScope = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request`)

// rpcv2Path is the request path of the Smithy RPC v2 CBOR protocol:
// /service/<service shape>/operation/<Action>.
var rpcv2Path = regexp.MustCompile(`^/service/[^/]+/operation/([^/]+)$`)

// identify finds a request's region, service and action. body is the
// request's body, already read.
//   - The service and region come from the SigV4 credential scope of the
//     Authorization header.
//   - JSON protocols (Kinesis, KMS, ...) name the action in the X-Amz-Target
//     header, after the last dot: Kinesis_20131202.ListShards.
//   - The RPC v2 CBOR protocol names it in the path.
//   - The query protocol (CloudWatch, SNS, STS, ...) puts Action=<Action> in
//     the form-encoded body (or, for a GET, in the URL's query).
func identify(r *http.Request, body []byte) call {
	c := call{Region: unknown, Service: unknown, Action: unknown}
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.Region, c.Service = m[1], m[2]
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 && i+1 < len(target) {
			c.Action = target[i+1:]
		}
		return c
	}
	if m := rpcv2Path.FindStringSubmatch(r.URL.Path); m != nil {
		c.Action = m[1]
		return c
	}
	action := r.URL.Query().Get("Action")
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mediaType == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
			action = form.Get("Action")
		}
	}
	if action != "" {
		c.Action = action
	}
	return c
}

// streamOf is the stream a JSON request names, "" when it names none.
func streamOf(body []byte) string {
	var named struct{ StreamName, StreamARN string }
	if json.Unmarshal(body, &named) != nil {
		return ""
	}
	if named.StreamARN != "" {
		return named.StreamARN
	}
	return named.StreamName
}

// bucket is the key of one rate: per account and region, per action, and
// for the per-stream quotas, per stream.
type bucket struct{ region, service, action, stream string }

// limiter spaces the calls of each bucket 1/rate apart, in order of
// arrival: a token bucket that holds one token. AWS does not document the
// burst its buckets allow; with none, n calls take at least (n-1)/rate.
type limiter struct {
	mu   sync.Mutex
	next map[bucket]time.Time
}

// reserve books the call's slot and returns when it may go on: now, or
// 1/rate after the slot booked last in its bucket.
func (l *limiter) reserve(b bucket, perSecond float64, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next == nil {
		l.next = map[bucket]time.Time{}
	}
	at := now
	if next := l.next[b]; next.After(at) {
		at = next
	}
	l.next[b] = at.Add(time.Duration(float64(time.Second) / perSecond))
	return at
}

// tally is one action's calls.
type tally struct {
	Calls int `json:"calls"`
	// PerSecond is the rate the action was held to; 0: it has no known
	// quota (or the proxy runs -unlimited) and passed unlimited.
	PerSecond float64 `json:"perSecond"`
	// PerStream: the rate applies to each stream.
	PerStream bool `json:"perStream,omitempty"`
	// HeldSeconds is the time its calls waited in the proxy, added up.
	HeldSeconds float64 `json:"heldSeconds"`
}

// proxy forwards every request to the emulator, holding each to its quota,
// and counts them. GET /__counts answers the counts so far as JSON, by
// service and action; GET /__counts?reset=1 also sets them back to zero.
type proxy struct {
	forward http.Handler
	// quotas by service and action; nil holds nothing (-unlimited).
	quotas  map[string]map[string]quota
	limiter limiter

	mu     sync.Mutex
	counts map[string]map[string]*tally
}

// maxBody bounds a request body the proxy reads (the largest the stack
// sends, a dashboard body, is a few hundred KiB).
const maxBody = 64 << 20

func newProxy(target *url.URL, quotas map[string]map[string]quota) *proxy {
	return &proxy{
		forward: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // as signed
		}},
		quotas: quotas,
		counts: map[string]map[string]*tally{},
	}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/__counts" {
		p.serveCounts(w, r.URL.Query().Get("reset") == "1")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, fmt.Sprintf("quota-proxy: reading the request body: %v", err), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	c := identify(r, body)
	q, limited := p.quotas[c.Service][c.Action]
	var held time.Duration
	if limited {
		if q.PerStream {
			c.Stream = streamOf(body)
		}
		began := time.Now()
		at := p.limiter.reserve(bucket{c.Region, c.Service, c.Action, c.Stream}, q.PerSecond, began)
		if wait := at.Sub(began); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return // the client gave up
			}
			held = wait
		}
	}
	p.count(c, q, held)
	p.forward.ServeHTTP(w, r)
}

func (p *proxy) count(c call, q quota, held time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	actions := p.counts[c.Service]
	if actions == nil {
		actions = map[string]*tally{}
		p.counts[c.Service] = actions
	}
	t := actions[c.Action]
	if t == nil {
		t = &tally{PerSecond: q.PerSecond, PerStream: q.PerStream}
		actions[c.Action] = t
	}
	t.Calls++
	t.HeldSeconds += held.Seconds()
}

func (p *proxy) serveCounts(w http.ResponseWriter, reset bool) {
	p.mu.Lock()
	out, err := json.MarshalIndent(p.counts, "", "  ")
	if reset {
		p.counts = map[string]map[string]*tally{}
	}
	p.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}
