package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// BenchmarkHandle measures the function's own cost per ticket: load the
// thread from Postgres, guard, prompt, gateway, the Bedrock SDK call to the
// in-process fake (no model latency), the idempotent save and, at the
// default TICKETSUM_REVIEW_SHARE, the review sampling. Each iteration is
// one batch of 10 new tickets. cpu-ms/ticket is the process's CPU time
// (the fake Bedrock included, Postgres not), comparable on a loaded
// machine; ms/ticket is wall time.
func BenchmarkHandle(b *testing.B) {
	for _, share := range []string{"0", "0.05"} {
		b.Run("review_share="+share, func(b *testing.B) { benchmarkHandle(b, share) })
	}
}

func benchmarkHandle(b *testing.B, reviewShare string) {
	url, schema := MustSchema(b)
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1, Responder: func(model, prompt string) string {
		return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
	}})
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema,
		"TICKETSUM_MODEL": testModel, "TICKETSUM_LOG_LEVEL": "error", "TICKETSUM_REVIEW_SHARE": reviewShare}))
	if err != nil {
		b.Fatal(err)
	}
	MustApprove(b, url, schema, testModel)
	var logs syncBuffer
	f, err := newFunction(context.Background(), s, deps{Log: &logs, LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	const batch = 10
	n := 0
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		ev := events.SQSEvent{}
		for range batch {
			n++
			id := fmt.Sprintf("B-%d", n)
			if _, err := f.store.UpsertTicket(context.Background(), piiTicket(id)); err != nil {
				b.Fatal(err)
			}
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: id, Body: id})
		}
		before := processCPU(b)
		b.StartTimer()
		resp, err := f.Handle(context.Background(), ev)
		b.StopTimer()
		cpu += processCPU(b) - before
		if err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatalf("%v, failures %v", err, resp.BatchItemFailures)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1e6, "ms/ticket")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1e6, "cpu-ms/ticket")
}

// processCPU returns the process's user and system CPU time so far.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
