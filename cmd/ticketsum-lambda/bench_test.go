package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// BenchmarkHandle measures the function's own cost per ticket: load the
// thread from Postgres, guard, prompt, gateway, the Bedrock SDK call to the
// in-process fake (no model latency), and the idempotent save. Each
// iteration is one batch of 10 new tickets.
func BenchmarkHandle(b *testing.B) {
	url, schema := MustSchema(b)
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1, Responder: func(model, prompt string) string {
		return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
	}})
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema,
		"TICKETSUM_MODEL": testModel, "TICKETSUM_LOG_LEVEL": "error"}))
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
		b.StartTimer()
		resp, err := f.Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatalf("%v, failures %v", err, resp.BatchItemFailures)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1e6, "ms/ticket")
}
