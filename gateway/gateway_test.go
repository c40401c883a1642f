package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/gateway"
)

const (
	sonnet = "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"
	haiku  = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	nova   = "bedrock:amazon.nova-pro-v1:0"
)

func coded(code ticketsum.ErrorCode) error { return ticketsum.Errorf(code, "fake %s", code) }

func request() *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{
		System:   "Summarise the ticket.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Customer: export fails. Agent: fixed."}},
		Meta:     ticketsum.CallMeta{RequestID: "req-1"},
	}
}

// MustGateway builds a gateway on virtual time with jitter fixed at half.
func MustGateway(tb testing.TB, cfg gateway.Config, models ...ticketsum.Model) *gateway.Gateway {
	tb.Helper()
	if cfg.Rand == nil {
		cfg.Rand = func() float64 { return 0.5 }
	}
	g, err := gateway.New(cfg, models...)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// MustModel returns the gateway's model of that name.
func MustModel(tb testing.TB, g *gateway.Gateway, name string) ticketsum.Model {
	tb.Helper()
	m, err := g.Model(name)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestRetryTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    error
		attempts int
		code     ticketsum.ErrorCode
	}{
		{"throttled is retried", coded(ticketsum.ETHROTTLED), 3, ""},
		{"unavailable is retried", coded(ticketsum.EUNAVAILABLE), 3, ""},
		{"invalid is not retried", coded(ticketsum.EINVALID), 1, ticketsum.EINVALID},
		{"forbidden is not retried", coded(ticketsum.EFORBIDDEN), 1, ticketsum.EFORBIDDEN},
		{"not found is not retried", coded(ticketsum.ENOTFOUND), 1, ticketsum.ENOTFOUND},
		{"unauthorized is not retried", coded(ticketsum.EUNAUTHORIZED), 1, ticketsum.EUNAUTHORIZED},
		{"quota is not retried", coded(ticketsum.EQUOTA), 1, ticketsum.EQUOTA},
		{"uncoded is not retried", errors.New("bug"), 1, ticketsum.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			fake := &fakeModel{name: sonnet, clock: clock, faults: []error{tt.fault, tt.fault}}
			g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep}, fake)
			res, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
			if got := ticketsum.ErrorCodeOf(err); got != tt.code {
				t.Fatalf("error = %v (code %q), want code %q", err, got, tt.code)
			}
			if fake.calls() != tt.attempts {
				t.Fatalf("attempts = %d, want %d", fake.calls(), tt.attempts)
			}
			if err == nil && (res.Model != sonnet || res.Text == "") {
				t.Fatalf("response = %+v", res)
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := &fakeModel{name: sonnet, clock: clock, always: coded(ticketsum.ETHROTTLED)}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 5,
		BaseBackoff: time.Second, MaxBackoff: 4 * time.Second}, fake)
	_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED || fake.calls() != 5 {
		t.Fatalf("error %v after %d attempts, want ETHROTTLED after 5", err, fake.calls())
	}
	// Full jitter with Rand = 0.5: half of min(4s, 1s * 2^(n-1)).
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second}
	got := clock.slept()
	if len(got) != len(want) {
		t.Fatalf("backoffs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoffs = %v, want %v", got, want)
		}
	}
}

func TestMaxElapsed(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := &fakeModel{name: sonnet, clock: clock, always: coded(ticketsum.EUNAVAILABLE)}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 100,
		BaseBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second, MaxElapsed: 22 * time.Second,
		Rand: func() float64 { return 0.999 }}, fake)
	_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Fatalf("error = %v, want EUNAVAILABLE", err)
	}
	// Backoffs of ~10s: the attempts at 0s, ~10s and ~20s fit; a fourth would end past 22s.
	if fake.calls() != 3 {
		t.Fatalf("attempts = %d, want 3 within 22s of backoff", fake.calls())
	}
}

func TestFallback(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	metrics := &recordingMetrics{}
	primary := &fakeModel{name: sonnet, clock: clock, always: coded(ticketsum.ETHROTTLED)}
	second := &fakeModel{name: haiku, clock: clock, always: coded(ticketsum.EUNAVAILABLE)}
	third := &fakeModel{name: nova, clock: clock, usage: ticketsum.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 2, Metrics: metrics,
		Fallbacks: map[string][]string{sonnet: {haiku, nova}}}, primary, second, third)
	res, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != nova || primary.calls() != 2 || second.calls() != 2 || third.calls() != 1 {
		t.Fatalf("answered by %s after %d/%d/%d attempts, want nova after 2/2/1", res.Model, primary.calls(), second.calls(), third.calls())
	}
	if math.Abs(res.CostUSD-(0.80+3.20)) > 1e-9 {
		t.Fatalf("cost = %v, want nova's price 4.00", res.CostUSD)
	}
	if strings.Join(metrics.fallbacks, ",") != sonnet+">"+haiku+","+haiku+">"+nova {
		t.Fatalf("fallbacks recorded = %v", metrics.fallbacks)
	}
}

func TestFallbackNotOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []ticketsum.ErrorCode{ticketsum.EINVALID, ticketsum.EFORBIDDEN, ticketsum.EUNAUTHORIZED, ticketsum.ENOTFOUND} {
		primary := &fakeModel{name: sonnet, always: coded(code)}
		backup := &fakeModel{name: haiku}
		g := MustGateway(t, gateway.Config{Fallbacks: map[string][]string{sonnet: {haiku}}}, primary, backup)
		_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
		if ticketsum.ErrorCodeOf(err) != code || backup.calls() != 0 {
			t.Fatalf("%s: error %v, backup called %d times; want the error and no fallback", code, err, backup.calls())
		}
	}
}

func TestFallbackAllFail(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	primary := &fakeModel{name: sonnet, always: coded(ticketsum.ETHROTTLED)}
	backup := &fakeModel{name: haiku, always: coded(ticketsum.ETHROTTLED)}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 2,
		Fallbacks: map[string][]string{sonnet: {haiku}}}, primary, backup)
	_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED || !strings.Contains(err.Error(), "fallbacks") {
		t.Fatalf("error = %v, want ETHROTTLED naming the fallbacks", err)
	}
}

func TestCostFromCatalogue(t *testing.T) {
	t.Parallel()
	cat, err := cost.Default()
	if err != nil {
		t.Fatal(err)
	}
	u := ticketsum.Usage{InputTokens: 500, OutputTokens: 150, CacheReadTokens: 1500, CacheWriteTokens: 100}
	g := MustGateway(t, gateway.Config{Catalogue: cat}, &fakeModel{name: "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0", usage: u})
	res, err := MustModel(t, g, "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0").Generate(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := cat.Cost(haiku, u)
	if res.CostUSD != want || want == 0 {
		t.Fatalf("cost = %v, want %v", res.CostUSD, want)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := &fakeModel{name: sonnet, hang: true}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 2, CallTimeout: 5 * time.Millisecond}, fake)
	_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("error = %v, want EUNAVAILABLE timeout", err)
	}
	if fake.calls() != 2 {
		t.Fatalf("attempts = %d, want 2 (timeouts are retried)", fake.calls())
	}
}

func TestCallerCancelNotRetried(t *testing.T) {
	t.Parallel()
	fake := &fakeModel{name: sonnet, hang: true}
	backup := &fakeModel{name: haiku}
	g := MustGateway(t, gateway.Config{MaxAttempts: 3, CallTimeout: 50 * time.Millisecond, Fallbacks: map[string][]string{sonnet: {haiku}}}, fake, backup)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err := MustModel(t, g, sonnet).Generate(ctx, request())
	if err == nil || fake.calls() != 1 || backup.calls() != 0 {
		t.Fatalf("error %v after %d attempts and %d fallback calls, want an error after 1 and 0", err, fake.calls(), backup.calls())
	}
}

// TestRequestsPerMinute runs calls from many goroutines and counts, on the
// virtual clock, the calls that reached the model in every minute. A call
// is recorded when it reaches the model, after its grant, so each goroutine
// may have one call granted before a window and recorded inside it.
func TestRequestsPerMinute(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := &fakeModel{name: sonnet, clock: clock}
	const rpm, workers = 60, 20
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep,
		Limits: map[string]gateway.Limits{sonnet: {RequestsPerMinute: rpm, Burst: 5 * time.Second}}}, fake)
	m := MustModel(t, g, sonnet)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range 15 {
				if _, err := m.Generate(context.Background(), request()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	times := fake.times()
	if len(times) != 300 {
		t.Fatalf("model saw %d calls, want 300", len(times))
	}
	burst := rpm * 5 / 60
	if n := maxInWindow(times, time.Minute); n > rpm+burst+workers {
		t.Fatalf("%d calls within one minute, limit %d + burst %d + %d in flight", n, rpm, burst, workers)
	}
}

// TestTokensPerMinute checks the token cap under concurrency and that
// reservations (input estimate + max output) are corrected to the usage
// reported.
func TestTokensPerMinute(t *testing.T) {
	t.Parallel()
	used := ticketsum.Usage{InputTokens: 2000, OutputTokens: 200}
	perCall := used.InputTokens + used.OutputTokens
	const tpm = 25_120 // ten reservations of 2,000 + 512
	run := func(workers, calls int) []time.Time {
		clock := newFakeClock()
		fake := &fakeModel{name: sonnet, clock: clock, usage: used}
		g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep,
			EstimateTokens: func(*ticketsum.ModelRequest) int { return 2000 },
			Limits:         map[string]gateway.Limits{sonnet: {TokensPerMinute: tpm}}}, fake)
		m := MustModel(t, g, sonnet)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range calls {
					if _, err := m.Generate(context.Background(), request()); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return fake.times()
	}

	// In any minute: the quota, the 1s burst, the 312 tokens refunded per
	// call, and one call per worker granted earlier but recorded late.
	const workers = 8
	times := run(workers, 50)
	limit := (tpm+tpm/60+13*312)/perCall + workers
	if n := maxInWindow(times, time.Minute); n > limit {
		t.Fatalf("%d calls (%d tokens) within one minute, quota %d allows %d", n, n*perCall, tpm, limit)
	}

	// One caller: settled at 2,200 tokens a call, 200 calls take 200*2200/25120 = 17.5
	// minutes; charged at the 2,512 reserved they would take 20.
	times = run(1, 200)
	if span := times[len(times)-1].Sub(times[0]); span > 18*time.Minute+45*time.Second || span < 17*time.Minute {
		t.Fatalf("200 calls took %s of virtual time, want about 17.5 minutes: reservations are not corrected to usage", span)
	}
}

func maxInWindow(times []time.Time, w time.Duration) int {
	best := 0
	for i := range times {
		n := 0
		for j := range times {
			if !times[j].Before(times[i]) && times[j].Sub(times[i]) < w {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// TestAIMD drives the concurrency limit down with sustained throttling and
// back up with successes; scattered throttles (one in five) leave it alone.
func TestAIMD(t *testing.T) {
	t.Parallel()
	metrics := &recordingMetrics{}
	fake := &fakeModel{name: sonnet}
	g := MustGateway(t, gateway.Config{MaxAttempts: 1, Metrics: metrics,
		Limits: map[string]gateway.Limits{sonnet: {MaxConcurrency: 8, ThrottleWindow: 10, ThrottleRate: 0.5}}}, fake)
	m := MustModel(t, g, sonnet)
	call := func(fault error) {
		fake.mu.Lock()
		fake.faults = []error{fault}
		fake.mu.Unlock()
		_, _ = m.Generate(context.Background(), request())
	}
	limit := func() int { l, _ := g.Concurrency(sonnet); return l }

	for i := range 100 {
		var fault error
		if i%5 == 0 {
			fault = coded(ticketsum.ETHROTTLED)
		}
		call(fault)
	}
	if limit() != 8 {
		t.Fatalf("limit after 20%% scattered throttles = %d, want 8", limit())
	}
	var seen []int
	for range 40 {
		call(coded(ticketsum.ETHROTTLED))
		seen = append(seen, limit())
	}
	// The window already holds two scattered throttles, so the first halving
	// comes within ten throttles; each later one needs a fresh window of ten.
	if seen[0] != 8 || seen[9] != 4 || seen[19] != 2 || seen[29] != 1 || seen[39] != 1 {
		t.Fatalf("limits under sustained throttling = %v, want 8 then 4, 2, 1 and a floor of 1", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] > seen[i-1] {
			t.Fatalf("limit grew under throttling: %v", seen)
		}
	}
	n := 0
	for limit() < 8 {
		call(nil)
		if n++; n > 100 {
			t.Fatalf("limit stuck at %d after 100 successes", limit())
		}
	}
	// Additive increase: 1 + 1/1 + ... needs about 1+2+...+7 = 28 successes.
	if n < 20 || n > 40 {
		t.Fatalf("limit grew back to 8 after %d successes, want about 28", n)
	}
	if len(metrics.concurrency) < 2 || metrics.concurrency[0] != 8 || metrics.concurrency[1] != 4 {
		t.Fatalf("concurrency limits reported = %v, want the starting 8, then 4, ...", metrics.concurrency)
	}
}

// TestConcurrencyBound holds calls inside the model and counts them.
func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var inside, peak atomic.Int32
	blocking := modelFunc{name: sonnet, fn: func(ctx context.Context) (*ticketsum.ModelResponse, error) {
		n := inside.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inside.Add(-1)
		return &ticketsum.ModelResponse{Text: "ok"}, nil
	}}
	g := MustGateway(t, gateway.Config{Limits: map[string]gateway.Limits{"*": {MaxConcurrency: 3}}}, blocking)
	m := MustModel(t, g, sonnet)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := m.Generate(context.Background(), request()); err != nil {
				t.Error(err)
			}
		})
	}
	for {
		if _, in := g.Concurrency(sonnet); in == 3 && inside.Load() == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if peak.Load() != 3 {
		t.Fatalf("peak calls in flight = %d, want 3", peak.Load())
	}
}

type modelFunc struct {
	name string
	fn   func(context.Context) (*ticketsum.ModelResponse, error)
}

func (m modelFunc) Name() string { return m.name }
func (m modelFunc) Generate(ctx context.Context, _ *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return m.fn(ctx)
}

// tracer is a middleware that records each call it sees.
type tracer struct {
	label string
	log   *[]string
	mu    *sync.Mutex
	next  ticketsum.Model
}

func (tr tracer) Name() string { return tr.next.Name() }
func (tr tracer) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	tr.mu.Lock()
	*tr.log = append(*tr.log, tr.label+">")
	tr.mu.Unlock()
	res, err := tr.next.Generate(ctx, req)
	tr.mu.Lock()
	entry := "<" + tr.label
	if res != nil && res.CostUSD > 0 {
		entry += "$"
	}
	*tr.log = append(*tr.log, entry)
	tr.mu.Unlock()
	return res, err
}

func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	var log []string
	var mu sync.Mutex
	mw := func(label string) gateway.Middleware {
		return func(next ticketsum.Model) ticketsum.Model {
			return tracer{label: label, log: &log, mu: &mu, next: next}
		}
	}
	clock := newFakeClock()
	fake := &fakeModel{name: sonnet, faults: []error{coded(ticketsum.ETHROTTLED)}}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep,
		Outer: []gateway.Middleware{mw("access"), mw("audit")},
		Inner: []gateway.Middleware{mw("invlog")}}, fake)
	m := MustModel(t, g, sonnet)
	if m.Name() != sonnet {
		t.Fatalf("wrapped model name = %q", m.Name())
	}
	if _, err := m.Generate(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(log, " ")
	want := "access> audit> invlog> <invlog invlog> <invlog$ <audit$ <access$"
	if got != want {
		t.Fatalf("middleware calls = %q, want %q", got, want)
	}
}

func TestLogsCarryNoPromptText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newFakeClock()
	primary := &fakeModel{name: sonnet, always: coded(ticketsum.ETHROTTLED)}
	backup := &fakeModel{name: haiku}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, Logger: logger, MaxAttempts: 2,
		Fallbacks: map[string][]string{sonnet: {haiku}}}, primary, backup)
	req := request()
	req.System = "You summarise tickets for Acme."
	req.Messages[0].Content = "Jane Doe (jane.doe@example.com) says the export fails"
	if _, err := MustModel(t, g, sonnet).Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "model call retries") || !strings.Contains(out, "model call falls back") {
		t.Fatalf("log lacks the retry and fallback records:\n%s", out)
	}
	for _, secret := range []string{"Jane", "jane.doe@example.com", "export fails", "Acme"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains prompt text %q:\n%s", secret, out)
		}
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	s, h := &fakeModel{name: sonnet}, &fakeModel{name: haiku}
	tests := []struct {
		name   string
		cfg    gateway.Config
		models []ticketsum.Model
		code   ticketsum.ErrorCode
	}{
		{"unpriced model", gateway.Config{}, []ticketsum.Model{&fakeModel{name: "bedrock:unknown.model-v1:0"}}, ticketsum.ENOTFOUND},
		{"duplicate", gateway.Config{}, []ticketsum.Model{s, s}, ticketsum.EINVALID},
		{"no name", gateway.Config{}, []ticketsum.Model{&fakeModel{}}, ticketsum.EINVALID},
		{"unknown fallback", gateway.Config{Fallbacks: map[string][]string{sonnet: {nova}}}, []ticketsum.Model{s, h}, ticketsum.EINVALID},
		{"self fallback", gateway.Config{Fallbacks: map[string][]string{sonnet: {sonnet}}}, []ticketsum.Model{s}, ticketsum.EINVALID},
		{"limits for unknown model", gateway.Config{Limits: map[string]gateway.Limits{nova: {}}}, []ticketsum.Model{s}, ticketsum.EINVALID},
		{"negative limits", gateway.Config{Limits: map[string]gateway.Limits{"*": {RequestsPerMinute: -1}}}, []ticketsum.Model{s}, ticketsum.EINVALID},
		{"min above max", gateway.Config{Limits: map[string]gateway.Limits{"*": {MinConcurrency: 5, MaxConcurrency: 2}}}, []ticketsum.Model{s}, ticketsum.EINVALID},
		{"negative attempts", gateway.Config{MaxAttempts: -1}, []ticketsum.Model{s}, ticketsum.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := gateway.New(tt.cfg, tt.models...)
			if ticketsum.ErrorCodeOf(err) != tt.code {
				t.Fatalf("New error = %v, want %s", err, tt.code)
			}
		})
	}
	g := MustGateway(t, gateway.Config{AllowUnpriced: true}, &fakeModel{name: "bedrock:unknown.model-v1:0"})
	if _, err := g.Model("bedrock:other"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Fatalf("Model(unknown) = %v, want ENOTFOUND", err)
	}
}

// TestFallbackRejectsRequest checks that a fallback's own refusal (here a
// context too long for the smaller model) neither hides the requested
// model's throttling nor stops the chain.
func TestFallbackRejectsRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	primary := &fakeModel{name: sonnet, always: coded(ticketsum.ETHROTTLED)}
	small := &fakeModel{name: haiku, always: coded(ticketsum.EINVALID)}
	last := &fakeModel{name: nova, always: coded(ticketsum.EFORBIDDEN)}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 2,
		Fallbacks: map[string][]string{sonnet: {haiku, nova}}}, primary, small, last)
	_, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED || small.calls() != 1 || last.calls() != 1 {
		t.Fatalf("error %v after %d and %d fallback calls; want ETHROTTLED after trying both once", err, small.calls(), last.calls())
	}

	ok := &fakeModel{name: nova}
	g = MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, MaxAttempts: 1,
		Fallbacks: map[string][]string{sonnet: {haiku, nova}}}, &fakeModel{name: sonnet, always: coded(ticketsum.EUNAVAILABLE)}, small, ok)
	res, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if err != nil || res.Model != nova {
		t.Fatalf("got %v, %v; want nova to answer after haiku refused", res, err)
	}
}
