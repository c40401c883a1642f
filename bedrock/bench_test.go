package bedrock_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// latencies collects per-call durations and reports p50 and p99.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	b.ReportMetric(float64(l.d[len(l.d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l.d[len(l.d)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkSDKConverse is a direct bedrockruntime Converse call against
// the zero-latency fake: the baseline the gateway's overhead is measured
// against. parallel runs 64 goroutines per CPU.
func BenchmarkSDKConverse(b *testing.B) {
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1})
	client := bedrockruntime.NewFromConfig(srv.AWSConfig(), func(o *bedrockruntime.Options) { o.Retryer = aws.NopRetryer{} })
	in := &bedrockruntime.ConverseInput{
		ModelId: aws.String("anthropic.claude-3-5-haiku-20241022-v1:0"),
		System:  []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Summarise the ticket in one paragraph."}},
		Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{
			&types.ContentBlockMemberText{Value: "Customer: the export to CSV fails with error 500. Agent: fixed the export job; resolved."},
		}}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(200)},
	}
	run := func(b *testing.B, parallelism int) {
		var lat latencies
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				start := time.Now()
				if _, err := client.Converse(context.Background(), in); err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(start))
			}
		})
		lat.report(b)
	}
	b.Run("serial", func(b *testing.B) { run(b, 1) })
	b.Run("parallel", func(b *testing.B) { run(b, 64) })
}

// BenchmarkGenerate is the provider's Generate over the same fake.
func BenchmarkGenerate(b *testing.B) {
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1})
	for _, tc := range []struct {
		name   string
		api    string
		stream bool
	}{{"converse", bedrock.APIConverse, false}, {"converse-stream", bedrock.APIConverse, true}, {"invoke", bedrock.APIInvoke, false}, {"invoke-stream", bedrock.APIInvoke, true}} {
		m := MustModel(b, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", API: tc.api, Stream: tc.stream})
		req := request("Customer: the export to CSV fails with error 500. Agent: fixed the export job; resolved.")
		b.Run(tc.name, func(b *testing.B) {
			var lat latencies
			b.ReportAllocs()
			b.SetParallelism(64)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					start := time.Now()
					if _, err := m.Generate(context.Background(), req); err != nil {
						b.Error(err)
						return
					}
					lat.add(time.Since(start))
				}
			})
			lat.report(b)
		})
	}
}
