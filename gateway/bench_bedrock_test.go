package gateway_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/gateway"
)

// BenchmarkOverheadBedrock is BenchmarkOverhead through the real Bedrock
// SDK client and the zero-latency fake Bedrock server: the provider called
// directly next to the same provider behind the gateway, in waves of 1,000
// concurrent calls.
func BenchmarkOverheadBedrock(b *testing.B) {
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1})
	awsCfg := srv.AWSConfig()
	model, err := bedrock.New(context.Background(), bedrock.Config{
		ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", AWS: &awsCfg, Logger: nopLogger()})
	if err != nil {
		b.Fatal(err)
	}
	g, err := gateway.New(gateway.Config{Limits: map[string]gateway.Limits{"*": {
		MaxConcurrency: 1000, RequestsPerMinute: 1 << 40, TokensPerMinute: 1 << 50}}}, model)
	if err != nil {
		b.Fatal(err)
	}
	through, _ := g.Model(model.Name())
	req := request()
	req.MaxTokens = 200
	b.Run("sdk-direct", func(b *testing.B) { runWaves(b, model, req, 1000) })
	b.Run("gateway", func(b *testing.B) { runWaves(b, through, req, 1000) })
}

// BenchmarkQuotaUtilisationBedrock is BenchmarkQuotaUtilisation through the
// real Bedrock SDK client (Converse) and the fake Bedrock server: quota
// 200 RPM / 400,000 TPM over a sliding minute (the token quota binds at
// about 181 tickets a minute), 3 s latency, 20% of calls throttled at
// random, time scaled 30x, 8,000 tickets of about 2,000 input and 200
// output tokens. It takes about three minutes; the load is kept to ~90 calls
// a second of real time so that two cores can serve it. The gateway (bedrock provider, SDK retries
// off) is compared with the SDK's default standard retryer (3 attempts,
// retry quota; backoff scaled by the same factor) at 32 fixed workers.
func BenchmarkQuotaUtilisationBedrock(b *testing.B) {
	const (
		tickets = 8000
		rpm     = 200
		tpm     = 400_000
		scale   = 30
		modelID = "anthropic.claude-3-5-sonnet-20241022-v2:0"
	)
	answer := strings.TrimSpace(strings.Repeat("The agent fixed the export. ", 29)) // ~200 tokens
	ticket := strings.Repeat("The customer reports that the nightly export fails again. ", 138)[:8000]
	newServer := func(b *testing.B) *bedrocktest.Server {
		return bedrocktest.MustNewServer(b, bedrocktest.Config{
			RecordRequests: -1,
			Latency:        3 * time.Second / scale,
			TimeScale:      1.0 / scale,
			Quotas:         map[string]bedrocktest.Quota{"*": {RPM: rpm, TPM: tpm}},
			Faults:         []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Rate: 0.2}},
			Responder:      func(string, string) string { return answer },
		})
	}
	report := func(b *testing.B, srv *bedrocktest.Server, failed int64, took time.Duration) {
		st := srv.Stats()
		if st.Succeeded == 0 {
			b.Fatal("no call succeeded")
		}
		perCall := float64(st.InputTokens+st.OutputTokens) / float64(st.Succeeded)
		bound := min(float64(rpm), tpm/perCall)
		b.ReportMetric(float64(st.Succeeded)/took.Minutes()/bound, "utilisation")
		b.ReportMetric(float64(failed), "failed")
		b.ReportMetric(float64(st.Throttled)/float64(st.Throttled+st.Succeeded), "throttled-frac")
		b.ReportMetric(perCall, "tokens/call")
	}

	for _, burst := range []time.Duration{5 * time.Second, time.Second} {
		b.Run("gateway/burst="+burst.String(), func(b *testing.B) {
			for b.Loop() {
				srv := newServer(b)
				awsCfg := srv.AWSConfig()
				model, err := bedrock.New(context.Background(), bedrock.Config{ModelID: modelID, AWS: &awsCfg, Logger: nopLogger()})
				if err != nil {
					b.Fatal(err)
				}
				clock := newScaledClock(scale)
				g, err := gateway.New(gateway.Config{
					Clock: clock, Sleep: clock.Sleep, MaxAttempts: 10, MaxElapsed: 10 * time.Minute,
					Limits: map[string]gateway.Limits{model.Name(): {RequestsPerMinute: rpm, TokensPerMinute: tpm, MaxConcurrency: 64, Burst: burst}},
				}, model)
				if err != nil {
					b.Fatal(err)
				}
				m, _ := g.Model(model.Name())
				req := &ticketsum.ModelRequest{
					System:    "Summarise the ticket.",
					Messages:  []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: ticket}},
					MaxTokens: 300,
				}
				failed, took := drain(tickets, 256, clock, func(ctx context.Context) error {
					_, err := m.Generate(ctx, req)
					return err
				})
				report(b, srv, failed, took)
			}
		})
	}
	b.Run("sdk-default-retryer", func(b *testing.B) {
		for b.Loop() {
			srv := newServer(b)
			client := bedrockruntime.NewFromConfig(srv.AWSConfig(), func(o *bedrockruntime.Options) {
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
					so.Backoff = retry.NewExponentialJitterBackoff(retry.DefaultMaxBackoff / scale)
				})
			})
			in := &bedrockruntime.ConverseInput{
				ModelId: aws.String(modelID),
				System:  []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Summarise the ticket."}},
				Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{
					&types.ContentBlockMemberText{Value: ticket}}}},
				InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(300)},
			}
			clock := newScaledClock(scale)
			failed, took := drain(tickets, 32, clock, func(ctx context.Context) error {
				_, err := client.Converse(ctx, in)
				return err
			})
			report(b, srv, failed, took)
		}
	})
}

func nopLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
