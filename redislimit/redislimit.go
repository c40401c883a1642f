// Package redislimit shares rate limits across every ticketsum process that
// points at one Redis (config limits.redis_url): principals' requests per
// minute (access.RateLimiter) and models' requests and tokens per minute
// (gateway.FleetLimiter). It uses the GCRA limiter of
// github.com/go-redis/redis_rate, one atomic Lua script per check, so N
// processes together stay within one quota instead of N quotas.
package redislimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/gateway"
)

// Config configures a Limiter.
type Config struct {
	// URL is the Redis URL, such as "redis://127.0.0.1:6379/0". Required.
	URL string
	// Prefix starts every key, so that several deployments can share a
	// Redis. Default "ticketsum:".
	Prefix string
}

// Limiter is a fleet-wide rate limiter on Redis. It is safe for concurrent
// use.
type Limiter struct {
	rdb    *redis.Client
	lim    *redis_rate.Limiter
	prefix string
}

var (
	_ access.RateLimiter   = (*Limiter)(nil)
	_ gateway.FleetLimiter = (*Limiter)(nil)
)

// New returns a Limiter, or EINVALID for a bad URL. It does not connect:
// the first check does.
func New(cfg Config) (*Limiter, error) {
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "limits.redis_url: not a Redis URL (want redis://host:6379/0): %s", truncate(err.Error(), 100))
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "ticketsum:"
	}
	rdb := redis.NewClient(opt)
	return &Limiter{rdb: rdb, lim: redis_rate.NewLimiter(rdb), prefix: cfg.Prefix}, nil
}

// Close closes the Redis client.
func (l *Limiter) Close() error { return l.rdb.Close() }

// Ping checks that Redis answers, for a clear error at start.
func (l *Limiter) Ping(ctx context.Context) error {
	if err := l.rdb.Ping(ctx).Err(); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "limits.redis_url: Redis does not answer: %s", truncate(err.Error(), 100))
	}
	return nil
}

// Allow implements access.RateLimiter: one request from key's bucket of
// perMinute a minute, bursts of a tenth of a minute's worth.
func (l *Limiter) Allow(ctx context.Context, key string, perMinute int) (bool, time.Duration, error) {
	if perMinute <= 0 {
		return true, 0, nil
	}
	return l.Take(ctx, key, 1, perMinute, max(1, perMinute/6))
}

// Take implements gateway.FleetLimiter: n units from key's bucket of
// perMinute units a minute holding at most burst. A negative n gives units
// back (a reservation corrected down).
func (l *Limiter) Take(ctx context.Context, key string, n, perMinute, burst int) (bool, time.Duration, error) {
	if perMinute <= 0 || n == 0 {
		return true, 0, nil
	}
	res, err := l.lim.AllowN(ctx, l.prefix+key, redis_rate.Limit{Rate: perMinute, Burst: max(1, burst), Period: time.Minute}, n)
	if err != nil {
		return false, 0, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "fleet rate limit %s: %s", key, truncate(err.Error(), 100))
	}
	if res.Allowed >= 1 || n < 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...", s[:n])
}
