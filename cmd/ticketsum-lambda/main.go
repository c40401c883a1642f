// Command ticketsum-lambda is the AWS Lambda function of the seed's pipeline:
// it consumes SQS messages naming tickets (as an EventBridge rule sends
// them), summarises each ticket through the gateway and writes the summary
// to Postgres, reporting partial batch failures so that only the failed
// messages are retried.
//
// It reads its settings from the environment (see settings), opens the
// store once per container, and closes it on SIGTERM. Build it with
// deploy/build.sh and deploy it with deploy/template.yaml (docs/aws.md).
package main

import (
	"context"
	"fmt"
	"os"

	awslambda "github.com/aws/aws-lambda-go/lambda"
)

func main() {
	ctx := context.Background()
	s, err := loadSettings(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ticketsum-lambda:", err)
		os.Exit(1)
	}
	f, err := newFunction(ctx, s, deps{Log: os.Stderr, Metrics: os.Stdout, Getenv: os.Getenv})
	if err != nil {
		// An init failure makes Lambda retry the init; the message says why.
		fmt.Fprintln(os.Stderr, "ticketsum-lambda:", err)
		os.Exit(1)
	}
	// On SIGTERM (sent when the container is shut down, 500ms before
	// SIGKILL) the invocation log is flushed, the pool closed, and the
	// process exits.
	awslambda.StartWithOptions(f.Handle, awslambda.WithContext(ctx), awslambda.WithEnableSIGTERM(func() {
		f.Close()
		os.Exit(0)
	}))
}
