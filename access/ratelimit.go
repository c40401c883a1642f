package access

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ticketsum/ticketsum"
)

// RateLimiter admits calls under a requests-per-minute limit. LocalLimiter
// counts in one process; a Redis-backed one (package redislimit) counts
// across every process sharing the Redis.
type RateLimiter interface {
	// Allow takes one request from key's bucket of perMinute requests per
	// minute (bursts up to a tenth of a minute's worth). It reports whether
	// the request may go now and, when not, how long until one may.
	Allow(ctx context.Context, key string, perMinute int) (ok bool, retryAfter time.Duration, err error)
}

// LocalLimiter is a RateLimiter for one process: a token bucket per key,
// rebuilt when the key's limit changes.
type LocalLimiter struct {
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock

	mu sync.Mutex
	m  map[string]*rate.Limiter
}

var _ RateLimiter = (*LocalLimiter)(nil)

// Allow implements RateLimiter.
func (l *LocalLimiter) Allow(_ context.Context, key string, perMinute int) (bool, time.Duration, error) {
	if perMinute <= 0 {
		return true, 0, nil
	}
	limit := rate.Limit(float64(perMinute) / 60)
	burst := int(math.Max(1, float64(perMinute)/6)) // at most 10 s of calls at once
	now := time.Now()
	if l.Clock != nil {
		now = l.Clock.Now()
	}
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*rate.Limiter{}
	}
	lim, ok := l.m[key]
	if !ok || lim.Limit() != limit || lim.Burst() != burst {
		lim = rate.NewLimiter(limit, burst)
		l.m[key] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, nil
	}
	return true, 0, nil
}
