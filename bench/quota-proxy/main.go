// Command quota-proxy is a loopback HTTP reverse proxy in front of moto's
// server that holds each AWS action to its documented per-account,
// per-region rate (quotas.go, each with its source) and counts the calls by
// service and action. bench/estate runs terraform through it, so that a
// plan or a deploy on the emulator takes at least as long as the quotas make
// it take on AWS.
//
//	quota-proxy -target http://127.0.0.1:PORT [-listen 127.0.0.1:0] [-unlimited]
//	AWS_ENDPOINT_URL=<the address it prints> terraform plan
//	curl -s <the address>/__counts            # the calls so far, JSON
//	curl -s '<the address>/__counts?reset=1'  # the same, then zero
//
// It prints its address (http://127.0.0.1:PORT) as the first line of
// stdout, as moto does, and serves until SIGINT or SIGTERM. Both it and its
// target are on 127.0.0.1: it never reaches an account.
//
// The action: the SigV4 Authorization header's credential scope
// (Credential=<key>/<date>/<region>/<service>/aws4_request) gives the
// region and the service; the query protocol (CloudWatch, SNS, STS) puts
// Action=<Action> in the form-encoded body, which the proxy reads and puts
// back for the emulator; the JSON protocols (Kinesis, KMS) name it in the
// X-Amz-Target header (Kinesis_20131202.ListShards); the RPC v2 CBOR
// protocol in the path (/service/<shape>/operation/<Action>).
//
// Calls over the rate wait; none is refused. A throttling error would make
// the provider retry with backoff, and the time measured would then depend
// on its retry policy (its delays, its jitter, its maximum attempts) more
// than on the quota. Held back, the client sees only latency, and the time
// measured is the floor the quota sets.
//
// An action without a known rate passes unlimited and is counted.
// -unlimited holds nothing and counts everything, for the same run without
// the rates.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	target := flag.String("target", "", "the emulator, http://127.0.0.1:PORT (moto_server -H 127.0.0.1 -p 0 prints it)")
	listen := flag.String("listen", "127.0.0.1:0", "the address to listen on, on 127.0.0.1 (port 0: one of the kernel's choosing)")
	unlimited := flag.Bool("unlimited", false, "hold no call to a rate; count only")
	flag.Parse()
	if err := run(*target, *listen, *unlimited); err != nil {
		fmt.Fprintln(os.Stderr, "quota-proxy:", err)
		os.Exit(2)
	}
}

// loopback checks that the proxy listens and forwards on 127.0.0.1 only.
func loopback(target, listen string) (*url.URL, error) {
	to, err := url.Parse(target)
	if err != nil || to.Scheme != "http" || to.Hostname() != "127.0.0.1" || to.Port() == "" {
		return nil, fmt.Errorf("-target %q: want the emulator's http://127.0.0.1:PORT", target)
	}
	if host, _, err := net.SplitHostPort(listen); err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("-listen %q: want 127.0.0.1:PORT (0 for any free port)", listen)
	}
	return to, nil
}

func run(target, listen string, unlimited bool) error {
	to, err := loopback(target, listen)
	if err != nil {
		return err
	}
	quotas := documented
	if unlimited {
		quotas = nil
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: newProxy(to, quotas)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
