package gateway

import (
	"context"
	"sync"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"golang.org/x/time/rate"
)

// FleetLimiter shares a model's requests and tokens per minute among every
// process of a fleet (package redislimit, on Redis).
type FleetLimiter interface {
	// Take takes n units from key's bucket of perMinute units a minute
	// holding at most burst, or reports how long until they fit. A
	// negative n gives units back.
	Take(ctx context.Context, key string, n, perMinute, burst int) (ok bool, retryAfter time.Duration, err error)
}

// quota is a model's requests-per-minute and tokens-per-minute buckets,
// driven by the injected clock. A nil bucket means no cap. With a fleet
// limiter, the buckets live there instead and are shared by the fleet.
type quota struct {
	requests *rate.Limiter
	tokens   *rate.Limiter
	burst    int // the tokens bucket's burst (Limiter.Burst takes its lock)
	clock    ticketsum.Clock
	sleep    func(context.Context, time.Duration) error

	mu   sync.Mutex // orders the buckets' times: see at
	last time.Time  // the latest time given to the buckets

	fleet              FleetLimiter
	name               string
	rpm, tpm, reqBurst int
}

func newQuota(name string, l Limits, fleet FleetLimiter, clock ticketsum.Clock, sleep func(context.Context, time.Duration) error) *quota {
	q := &quota{clock: clock, sleep: sleep}
	burst := func(perMinute int) int {
		return max(1, int(float64(perMinute)*l.Burst.Minutes()))
	}
	if fleet != nil {
		q.fleet, q.name, q.rpm, q.tpm = fleet, name, l.RequestsPerMinute, l.TokensPerMinute
		q.reqBurst, q.burst = burst(l.RequestsPerMinute), burst(l.TokensPerMinute)
		return q
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

// at runs f, which reserves from or gives back to the buckets, with the
// clock's time, never earlier than a time an earlier f was given. A
// rate.Limiter given a time before its last moves its clock back to it
// and credits the refill from there again at the next call: a goroutine
// that read the time and was preempted before its reservation, while
// others reserved later, let more calls through than the quota (seconds
// too many in tests whose virtual clock jumps; TestTokensPerMinute and
// TestRequestsPerMinute failed about one run in eight beside the
// package's other tests).
func (q *quota) at(f func(now time.Time)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	if now.Before(q.last) {
		now = q.last
	}
	q.last = now
	f(now)
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
	if q.fleet != nil {
		return q.waitFleet(ctx, n)
	}
	var now time.Time
	var reqs, toks *rate.Reservation
	q.at(func(t time.Time) {
		now = t
		if q.requests != nil {
			reqs = q.requests.ReserveN(now, 1)
		}
		if q.tokens != nil {
			n = min(n, q.burst)
			toks = q.tokens.ReserveN(now, n)
		} else {
			n = 0
		}
	})
	var delay time.Duration
	for _, r := range []*rate.Reservation{reqs, toks} {
		if r != nil {
			delay = max(delay, r.DelayFrom(now))
		}
	}
	cancel := func() {
		q.at(func(t time.Time) {
			for _, r := range []*rate.Reservation{reqs, toks} {
				if r != nil {
					r.CancelAt(t)
				}
			}
		})
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
	if g.q != nil && g.q.fleet != nil {
		if d := used - g.tokens; d < 0 { // fleet buckets take refunds only
			g.q.fleet.Take(context.Background(), g.q.name+":tpm", d, g.q.tpm, g.q.burst)
		}
		return
	}
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
	q.at(func(now time.Time) {
		if d < 0 {
			q.tokens.ReserveN(now, d)
			return
		}
		for d > 0 {
			k := min(d, q.burst)
			q.tokens.ReserveN(now, k)
			d -= k
		}
	})
}

// refund gives back the request and all tokens of an attempt the provider
// refused without doing any work (a throttle).
func (g grant) refund() {
	if g.q != nil && g.q.fleet != nil {
		g.q.fleet.Take(context.Background(), g.q.name+":rpm", -1, g.q.rpm, g.q.reqBurst)
		g.q.fleet.Take(context.Background(), g.q.name+":tpm", -g.tokens, g.q.tpm, g.q.burst)
		return
	}
	if g.q == nil {
		return
	}
	if g.q.requests != nil {
		g.q.at(func(now time.Time) { g.q.requests.ReserveN(now, -1) })
	}
	if g.q.tokens != nil && g.tokens > 0 {
		g.q.adjust(-g.tokens)
	}
}

// waitFleet takes one request and n tokens from the fleet's buckets,
// waiting while they say so; like wait, it returns ETHROTTLED when the
// wait would end after ctx's deadline.
func (q *quota) waitFleet(ctx context.Context, n int) (grant, error) {
	if q.tpm > 0 {
		n = min(n, q.burst)
	} else {
		n = 0
	}
	for {
		ok, delay, err := q.fleet.Take(ctx, q.name+":rpm", 1, q.rpm, q.reqBurst)
		if err == nil && ok && n > 0 {
			if ok, delay, err = q.fleet.Take(ctx, q.name+":tpm", n, q.tpm, q.burst); err != nil || !ok {
				q.fleet.Take(context.Background(), q.name+":rpm", -1, q.rpm, q.reqBurst)
			}
		}
		if err != nil {
			return grant{}, err
		}
		if ok {
			return grant{q: q, tokens: n}, nil
		}
		if dl, has := ctx.Deadline(); has && q.clock.Now().Add(delay).After(dl) {
			return grant{}, ticketsum.Errorf(ticketsum.ETHROTTLED, "fleet rate limit of %s: the next slot is %s away, after the call's deadline", q.name, delay.Round(time.Millisecond))
		}
		if err := q.sleep(ctx, max(delay, time.Millisecond)); err != nil {
			return grant{}, err
		}
	}
}
