// Command estate-streams makes the streams bench/estate watches, out of band
// as their owners would: -count provisioned streams of one shard each,
// numbered from -first and named by -format, on the emulator at
// AWS_ENDPOINT_URL (a loopback address: it never touches an account), and
// waits until each is ACTIVE.
//
//	AWS_ENDPOINT_URL=http://127.0.0.1:5000 go run ./bench/estate-streams [-count 100] [-first 1] [-format estate-bench-%04d]
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"golang.org/x/sync/errgroup"
)

func main() {
	count := flag.Int("count", 100, "streams to make, numbered from -first")
	first := flag.Int("first", 1, "the number of the first stream (more streams next to those made before)")
	format := flag.String("format", "estate-bench-%04d", "the streams' names, a format of their number")
	region := flag.String("region", "us-east-1", "the region")
	flag.Parse()
	endpoint, err := url.Parse(os.Getenv("AWS_ENDPOINT_URL"))
	if err != nil || endpoint.Hostname() != "127.0.0.1" {
		fmt.Fprintln(os.Stderr, "estate-streams: AWS_ENDPOINT_URL must be the emulator on 127.0.0.1 (scripts/emulator.sh start_moto)")
		os.Exit(2)
	}
	if *count < 1 || *first < 0 {
		fmt.Fprintln(os.Stderr, "estate-streams: -count must be 1 or more, -first 0 or more")
		os.Exit(2)
	}
	last := *first + *count - 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(*region))
	if err != nil {
		fmt.Fprintln(os.Stderr, "estate-streams:", err)
		os.Exit(1)
	}
	k := kinesis.NewFromConfig(cfg)
	began := time.Now()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := *first; i <= last; i++ {
		name := fmt.Sprintf(*format, i)
		g.Go(func() error {
			if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
				return fmt.Errorf("creating %s: %w", name, err)
			}
			err := kinesis.NewStreamExistsWaiter(k, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond }).
				Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 2*time.Minute)
			if err != nil {
				return fmt.Errorf("waiting for %s: %w", name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		fmt.Fprintln(os.Stderr, "estate-streams:", err)
		os.Exit(1)
	}
	fmt.Printf("%d streams ACTIVE (%s … %s) in %.1f s\n", *count, fmt.Sprintf(*format, *first), fmt.Sprintf(*format, last), time.Since(began).Seconds())
}
