package gateway

import (
	"context"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"golang.org/x/time/rate"
)

// quota is a model's requests-per-minute and tokens-per-minute buckets,
// driven by the injected clock. A nil bucket means no cap.
type quota struct {
	requests *rate.Limiter
	tokens   *rate.Limiter
	burst    int // the tokens bucket's burst (Limiter.Burst takes its lock)
	clock    ticketsum.Clock
	sleep    func(context.Context, time.Duration) error
}

func newQuota(l Limits, clock ticketsum.Clock, sleep func(context.Context, time.Duration) error) *quota {
	q := &quota{clock: clock, sleep: sleep}
	burst := func(perMinute int) int {
		return max(1, int(float64(perMinute)*l.Burst.Minutes()))
	}
	if l.RequestsPerMinute > 0 {
		q.requests = rate.NewLimiter(rate.Limit(float64(l.RequestsPerMinute)/60), burst(l.RequestsPerMinute))
	}
	if l.TokensPerMinute > 0 {
		q.burst = burst(l.TokensPerMinute)
		q.tokens = rate.NewLimiter(rate.Limit(float64(l.TokensPerMinute)/60), q.burst)
	}
	return q
}

// grant is what one attempt took from the quota.
type grant struct {
	q      *quota
	tokens int
}

// wait takes one request and n tokens, waiting as long as the buckets say.
// A call bigger than the token burst takes the whole burst. It returns
// ETHROTTLED without waiting when ctx's deadline comes before the wait ends,
// and ctx's error when ctx is done while waiting.
func (q *quota) wait(ctx context.Context, n int) (grant, error) {
	now := q.clock.Now()
	var reqs, toks *rate.Reservation
	if q.requests != nil {
		reqs = q.requests.ReserveN(now, 1)
	}
	if q.tokens != nil {
		n = min(n, q.burst)
		toks = q.tokens.ReserveN(now, n)
	} else {
		n = 0
	}
	var delay time.Duration
	for _, r := range []*rate.Reservation{reqs, toks} {
		if r != nil {
			delay = max(delay, r.DelayFrom(now))
		}
	}
	cancel := func() {
		t := q.clock.Now()
		for _, r := range []*rate.Reservation{reqs, toks} {
			if r != nil {
				r.CancelAt(t)
			}
		}
	}
	if delay > 0 {
		if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
			cancel()
			return grant{}, ticketsum.Errorf(ticketsum.ETHROTTLED, "rate limit: the next slot is %s away, after the call's deadline", delay.Round(time.Millisecond))
		}
		if err := q.sleep(ctx, delay); err != nil {
			cancel()
			return grant{}, err
		}
	}
	return grant{q: q, tokens: n}, nil
}

// settle corrects the token reservation to the tokens actually used: the
// difference is given back, or taken as debt that delays later calls.
func (g grant) settle(used int) {
	if g.q == nil || g.q.tokens == nil {
		return
	}
	g.q.adjust(used - g.tokens)
}

// adjust takes d more tokens from the bucket (as debt, without waiting), or
// gives -d back. ReserveN with a negative count returns tokens (the bucket
// caps them at its burst); a positive count above the burst is refused by
// the limiter, so debt is taken a burst at a time. TestTokensPerMinute pins
// this behaviour.
func (q *quota) adjust(d int) {
	now := q.clock.Now()
	if d < 0 {
		q.tokens.ReserveN(now, d)
		return
	}
	for d > 0 {
		k := min(d, q.burst)
		q.tokens.ReserveN(now, k)
		d -= k
	}
}

// refund gives back the request and all tokens of an attempt the provider
// refused without doing any work (a throttle).
func (g grant) refund() {
	if g.q == nil {
		return
	}
	now := g.q.clock.Now()
	if g.q.requests != nil {
		g.q.requests.ReserveN(now, -1)
	}
	if g.q.tokens != nil && g.tokens > 0 {
		g.q.adjust(-g.tokens)
	}
}
