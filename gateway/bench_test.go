package gateway_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"golang.org/x/time/rate"
)

// zeroModel answers at once.
type zeroModel struct{ name string }

func (z zeroModel) Name() string { return z.name }
func (z zeroModel) Generate(context.Context, *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: "ok", Model: z.name, Usage: ticketsum.Usage{InputTokens: 2000, OutputTokens: 200}}, nil
}

// BenchmarkOverhead measures one call against a zero-latency model,
// directly, through the gateway (rate limiters on, quotas too high to
// bind) and through the gateway without rate limits, in waves of 1,000 concurrent calls, each call on its own goroutine.
// It reports p50/p99 latency per call; ns/op includes starting the
// goroutine.
func BenchmarkOverhead(b *testing.B) {
	const wave = 1000
	fake := zeroModel{name: sonnet}
	g, err := gateway.New(gateway.Config{Limits: map[string]gateway.Limits{"*": {
		MaxConcurrency: wave, RequestsPerMinute: 1 << 40, TokensPerMinute: 1 << 50}}}, fake)
	if err != nil {
		b.Fatal(err)
	}
	through, _ := g.Model(sonnet)
	g2, err := gateway.New(gateway.Config{Limits: map[string]gateway.Limits{"*": {MaxConcurrency: wave}}}, fake)
	if err != nil {
		b.Fatal(err)
	}
	noQuota, _ := g2.Model(sonnet)
	for _, c := range []struct {
		name string
		m    ticketsum.Model
	}{{"direct", fake}, {"gateway", through}, {"gateway-no-rate-limits", noQuota}} {
		b.Run(c.name, func(b *testing.B) { runWaves(b, c.m, request(), wave) })
	}
}

// runWaves makes b.N calls to m in waves of `size` concurrent calls, one
// goroutine each, and reports p50/p99 latency per call.
func runWaves(b *testing.B, m ticketsum.Model, req *ticketsum.ModelRequest, size int) {
	lat := make([]time.Duration, 0, b.N)
	wave := make([]time.Duration, size)
	b.ReportAllocs()
	for done := 0; done < b.N; {
		n := min(len(wave), b.N-done)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				t0 := time.Now()
				if _, err := m.Generate(context.Background(), req); err != nil {
					b.Error(err)
				}
				wave[i] = time.Since(t0)
			})
		}
		wg.Wait()
		lat = append(lat, wave[:n]...)
		done += n
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// scaledClock runs virtual time `scale` times faster than real time.
type scaledClock struct {
	base  time.Time
	start time.Time
	scale float64
}

func newScaledClock(scale float64) *scaledClock {
	return &scaledClock{base: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), start: time.Now(), scale: scale}
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.start)) * c.scale))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(time.Duration(float64(d) / c.scale))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// quotaModel is a provider with an account quota: requests and tokens per
// minute as token buckets holding ten seconds of quota, a share of calls
// throttled at random on top, and a fixed latency. Throttled calls consume
// no quota, as on Bedrock.
type quotaModel struct {
	name     string
	clock    *scaledClock
	latency  time.Duration
	throttle float64
	usage    ticketsum.Usage
	requests *rate.Limiter
	tokens   *rate.Limiter
	mu       sync.Mutex
	rng      *rand.Rand
	ok, thr  atomic.Int64
}

func newQuotaModel(name string, clock *scaledClock, rpm, tpm int, latency time.Duration, throttle float64) *quotaModel {
	return &quotaModel{
		name: name, clock: clock, latency: latency, throttle: throttle,
		usage:    ticketsum.Usage{InputTokens: 2000, OutputTokens: 200},
		requests: rate.NewLimiter(rate.Limit(float64(rpm)/60), rpm/6),
		tokens:   rate.NewLimiter(rate.Limit(float64(tpm)/60), tpm/6),
		rng:      rand.New(rand.NewPCG(1, 2)),
	}
}

func (q *quotaModel) Name() string { return q.name }

func (q *quotaModel) Generate(ctx context.Context, _ *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	now := q.clock.Now()
	q.mu.Lock()
	injected := q.rng.Float64() < q.throttle
	var admitted bool
	if !injected && q.requests.TokensAt(now) >= 1 && q.tokens.TokensAt(now) >= 2200 {
		q.requests.AllowN(now, 1)
		q.tokens.AllowN(now, 2200)
		admitted = true
	}
	q.mu.Unlock()
	if !admitted {
		q.thr.Add(1)
		return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "ThrottlingException: too many requests")
	}
	if err := q.clock.Sleep(ctx, q.latency); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "timeout")
	}
	q.ok.Add(1)
	return &ticketsum.ModelResponse{Text: "ok", Model: q.name, Usage: q.usage}, nil
}

// drain summarises n tickets with `workers` goroutines through call and
// returns the failures and the virtual time taken.
func drain(n, workers int, clock *scaledClock, call func(context.Context) error) (failed int64, took time.Duration) {
	var next, fails atomic.Int64
	start := clock.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if call(context.Background()) != nil {
					fails.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return fails.Load(), clock.Now().Sub(start)
}

// BenchmarkQuotaUtilisation drains 8,000 tickets (2,000 input and 200 output
// tokens each) through a provider with a 1,000 RPM / 1,000,000 TPM quota,
// 3 s latency and 20% of calls throttled at random, with time scaled 120x.
// The quota-bound maximum is 1,000,000 / 2,200 = 454.5 tickets a minute.
// It reports the fraction of that maximum achieved and the tickets failed,
// for the gateway and for a naive client (32 workers, no rate limiter, three
// attempts with exponential jitter backoff like the AWS SDK's default
// retryer).
func BenchmarkQuotaUtilisation(b *testing.B) {
	const (
		tickets = 8000
		rpm     = 1000
		tpm     = 1_000_000
		scale   = 120
		latency = 3 * time.Second
	)
	bound := float64(tpm) / 2200 // tickets per minute
	req := request()
	req.System = ""
	req.Messages[0].Content = strings.Repeat("a", 7984) // estimated at 2,000 tokens
	req.MaxTokens = 512

	b.Run("gateway", func(b *testing.B) {
		for b.Loop() {
			clock := newScaledClock(scale)
			fake := newQuotaModel(sonnet, clock, rpm, tpm, latency, 0.2)
			g, err := gateway.New(gateway.Config{
				Clock: clock, Sleep: clock.Sleep, MaxAttempts: 10, MaxElapsed: 10 * time.Minute,
				Limits: map[string]gateway.Limits{sonnet: {RequestsPerMinute: rpm, TokensPerMinute: tpm, MaxConcurrency: 64}},
			}, fake)
			if err != nil {
				b.Fatal(err)
			}
			m, _ := g.Model(sonnet)
			failed, took := drain(tickets, 256, clock, func(ctx context.Context) error {
				_, err := m.Generate(ctx, req)
				return err
			})
			report(b, fake, failed, took, bound)
		}
	})
	b.Run("naive", func(b *testing.B) {
		for b.Loop() {
			clock := newScaledClock(scale)
			fake := newQuotaModel(sonnet, clock, rpm, tpm, latency, 0.2)
			rng := rand.New(rand.NewPCG(3, 4))
			var mu sync.Mutex
			failed, took := drain(tickets, 32, clock, func(ctx context.Context) error {
				var err error
				for attempt := range 3 {
					if _, err = fake.Generate(ctx, req); err == nil || !ticketsum.Retryable(err) {
						return err
					}
					mu.Lock()
					d := time.Duration(rng.Float64() * float64(min(20*time.Second, time.Second<<attempt)))
					mu.Unlock()
					_ = clock.Sleep(ctx, d)
				}
				return err
			})
			report(b, fake, failed, took, bound)
		}
	})
}

func report(b *testing.B, fake *quotaModel, failed int64, took time.Duration, bound float64) {
	ok := fake.ok.Load()
	achieved := float64(ok) / took.Minutes()
	b.ReportMetric(achieved/bound, "utilisation")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(fake.thr.Load())/float64(fake.thr.Load()+ok), "throttled-frac")
	b.ReportMetric(took.Minutes(), "virtual-min")
}
