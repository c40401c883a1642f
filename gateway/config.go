package gateway

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

// Middleware wraps a model, to check, change or record its calls.
type Middleware func(ticketsum.Model) ticketsum.Model

// Limits are the per-model limits. Zero fields take the documented defaults.
type Limits struct {
	// RequestsPerMinute caps requests sent to the model. Default 0: no cap.
	RequestsPerMinute int
	// TokensPerMinute caps input plus output tokens (cache reads excluded,
	// output weighted by the catalogue's output_quota_weight). Default 0: no
	// cap.
	TokensPerMinute int
	// Burst is how much of a minute's quota may be spent at once: the
	// buckets hold Burst's worth of the per-minute rate (at least one
	// request). Quotas enforced over a sliding minute throttle whatever a
	// burst adds on top of the rate, so keep it short. Default 1s.
	Burst time.Duration
	// MaxConcurrency is the most calls in flight, and where the adaptive
	// limit starts. Default 16.
	MaxConcurrency int
	// MaxQueue is the most calls that wait for a slot when MaxConcurrency
	// calls are in flight; a call beyond them fails at once with
	// ETHROTTLED, so that a saturated process sheds load instead of holding
	// hundreds of requests. Default 4 x MaxConcurrency.
	MaxQueue int
	// MinConcurrency is the floor the adaptive limit shrinks to. Default 1.
	MinConcurrency int
	// ThrottleWindow is the number of recent attempts the throttle rate is
	// measured over. Default 20.
	ThrottleWindow int
	// ThrottleRate is the fraction of throttled attempts in the window that
	// halves the concurrency limit. Default 0.5.
	ThrottleRate float64
}

// Config configures a Gateway. Zero fields take the documented defaults.
type Config struct {
	// Catalogue prices every answer. Default: the embedded catalogue.
	Catalogue *cost.Catalogue
	// AllowUnpriced lets New accept models the catalogue cannot price; their
	// answers cost 0. Default false: New fails with ENOTFOUND.
	AllowUnpriced bool
	// Limits holds per-model limits by model name; the entry "*" applies to
	// models without their own. Default: the zero Limits (no rate caps,
	// concurrency 16).
	Limits map[string]Limits
	// Fleet, if set, holds the requests- and tokens-per-minute buckets of
	// every model, shared by every process using it (redislimit.Limiter
	// on Redis). Default nil: each process counts alone, so N processes
	// allow N times the limits. Concurrency stays per process.
	Fleet FleetLimiter
	// Fallbacks maps a model name to the models tried, in order, when it
	// stays throttled or unavailable. Every name must be a gateway model.
	// Default: none.
	Fallbacks map[string][]string
	// MaxAttempts is the number of attempts per model, retries included.
	// Default 4.
	MaxAttempts int
	// MaxElapsed bounds the time a call spends in retries and fallbacks: no
	// backoff is started that would end after it. Default 2 minutes.
	MaxElapsed time.Duration
	// CallTimeout bounds one provider attempt. Default 60s.
	CallTimeout time.Duration
	// CallTimeoutSetting names the setting that sets CallTimeout where the
	// gateway runs (call_timeout in the config, TICKETSUM_CALL_TIMEOUT for
	// the Lambda), for the reason of an attempt that timed out. Default:
	// "the gateway's call timeout".
	CallTimeoutSetting string
	// BaseBackoff is the backoff cap before the first retry; it doubles for
	// each further retry. Default 500ms.
	BaseBackoff time.Duration
	// MaxBackoff caps one backoff. Default 20s.
	MaxBackoff time.Duration
	// DefaultMaxTokens is the output reserved for a request with
	// MaxTokens 0. Default 512, the providers' default.
	DefaultMaxTokens int
	// EstimateTokens estimates a request's input tokens for the token
	// reservation. Default: EstimateTokens.
	EstimateTokens func(*ticketsum.ModelRequest) int
	// Outer wraps the gateway's model for each name, once per logical call;
	// Outer[0] is outermost. See the package documentation for the order.
	Outer []Middleware
	// Inner wraps each provider model, once per attempt; Inner[0] is
	// outermost. Default: none.
	Inner []Middleware
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Sleep waits d or until ctx is done, returning ctx's error then.
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for backoff jitter. Default
	// math/rand/v2.Float64.
	Rand func() float64
	// Logger logs retries, fallbacks and failures without prompt text.
	// Default: discard.
	Logger *slog.Logger
	// Metrics receives measurements. Default NopMetrics.
	Metrics Metrics
}

func (c *Config) fill() error {
	var err error
	if c.Catalogue == nil {
		if c.Catalogue, err = cost.Default(); err != nil {
			return err
		}
	}
	switch {
	case c.MaxAttempts < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: max attempts %d is negative", c.MaxAttempts)
	case c.MaxElapsed < 0, c.CallTimeout < 0, c.BaseBackoff < 0, c.MaxBackoff < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: durations must not be negative")
	case c.DefaultMaxTokens < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: default max tokens %d is negative", c.DefaultMaxTokens)
	}
	c.MaxAttempts = or(c.MaxAttempts, 4)
	c.MaxElapsed = or(c.MaxElapsed, 2*time.Minute)
	c.CallTimeout = or(c.CallTimeout, 60*time.Second)
	c.BaseBackoff = or(c.BaseBackoff, 500*time.Millisecond)
	c.MaxBackoff = or(c.MaxBackoff, 20*time.Second)
	c.DefaultMaxTokens = or(c.DefaultMaxTokens, 512)
	if c.EstimateTokens == nil {
		c.EstimateTokens = EstimateTokens
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = NopMetrics{}
	}
	return nil
}

func (l *Limits) fill(model string) error {
	if l.RequestsPerMinute < 0 || l.TokensPerMinute < 0 || l.Burst < 0 || l.MaxConcurrency < 0 || l.MaxQueue < 0 ||
		l.MinConcurrency < 0 || l.ThrottleWindow < 0 || l.ThrottleRate < 0 || l.ThrottleRate > 1 {
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: limits for %s have a negative value or a throttle rate above 1", model)
	}
	l.Burst = or(l.Burst, time.Second)
	l.MaxConcurrency = or(l.MaxConcurrency, 16)
	l.MaxQueue = or(l.MaxQueue, 4*l.MaxConcurrency)
	l.MinConcurrency = or(l.MinConcurrency, 1)
	l.ThrottleWindow = or(l.ThrottleWindow, 20)
	l.ThrottleRate = or(l.ThrottleRate, 0.5)
	if l.MinConcurrency > l.MaxConcurrency {
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: limits for %s: min concurrency %d is above max %d", model, l.MinConcurrency, l.MaxConcurrency)
	}
	return nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// EstimateTokens estimates a request's input tokens without a tokenizer: one
// token per four bytes of the system prompt and messages, plus four per
// message for the chat framing. It errs high for English prose, which is
// the safe side for a reservation that is corrected after the call.
func EstimateTokens(req *ticketsum.ModelRequest) int {
	n := len(req.System)
	for _, m := range req.Messages {
		n += len(m.Content) + 16
	}
	return (n + 3) / 4
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
