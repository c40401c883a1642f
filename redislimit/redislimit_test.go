package redislimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/redislimit"
)

// redisURL is the local Redis the tests use (TICKETSUM_TEST_REDIS_URL
// overrides it).
func redisURL() string {
	if u := os.Getenv("TICKETSUM_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// MustFleet returns n limiters, each with its own client as n processes
// would have, sharing a key prefix no other test uses.
func MustFleet(tb testing.TB, n int) []*redislimit.Limiter {
	tb.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "ticketsum-test:" + hex.EncodeToString(b[:]) + ":"
	var out []*redislimit.Limiter
	for range n {
		l, err := redislimit.New(redislimit.Config{URL: redisURL(), Prefix: prefix})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { l.Close() })
		if err := l.Ping(context.Background()); err != nil {
			tb.Fatalf("local Redis needed at %s: %v", redisURL(), err)
		}
		out = append(out, l)
	}
	return out
}

// TestFleetStaysWithinQuota: three limiters with separate clients (three
// processes) hammer one principal's 600-per-minute limit (burst 100) for
// about a second; together they admit the burst plus the rate over the
// elapsed time, not three times it, which three local limiters would.
func TestFleetStaysWithinQuota(t *testing.T) {
	t.Parallel()
	const perMinute, burst = 600, 100
	fleet := MustFleet(t, 3)
	var allowed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for _, l := range fleet {
		for range 4 {
			wg.Go(func() {
				for time.Since(start) < time.Second {
					ok, _, err := l.Allow(context.Background(), "principal:team-a", perMinute)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						allowed.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	quota := burst + int64(elapsed.Seconds()*perMinute/60) + 1
	t.Logf("3 processes admitted %d in %s; the fleet quota is %d", allowed.Load(), elapsed.Round(time.Millisecond), quota)
	if allowed.Load() > quota {
		t.Errorf("admitted %d, above the fleet's quota of %d", allowed.Load(), quota)
	}
	if allowed.Load() < burst {
		t.Errorf("admitted %d, below the burst of %d", allowed.Load(), burst)
	}
}

// TestTakeRefundAndRetryAfter: tokens taken by one process are gone for the
// others, a refund gives them back, and a refusal says when to retry.
func TestTakeRefundAndRetryAfter(t *testing.T) {
	t.Parallel()
	fleet := MustFleet(t, 2)
	ctx := context.Background()
	const tpm, burst = 6000, 1000
	if ok, _, err := fleet[0].Take(ctx, "model:m:tpm", 1000, tpm, burst); !ok || err != nil {
		t.Fatalf("first take: %v %v", ok, err)
	}
	ok, wait, err := fleet[1].Take(ctx, "model:m:tpm", 500, tpm, burst)
	if ok || err != nil || wait <= 0 {
		t.Fatalf("second process took from an empty bucket: ok=%v wait=%s err=%v", ok, wait, err)
	}
	if ok, _, _ := fleet[0].Take(ctx, "model:m:tpm", -600, tpm, burst); !ok {
		t.Fatal("refund refused")
	}
	if ok, _, err := fleet[1].Take(ctx, "model:m:tpm", 500, tpm, burst); !ok || err != nil {
		t.Fatalf("take after refund: %v %v", ok, err)
	}
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	_, err := redislimit.New(redislimit.Config{URL: "http://nope"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("error %v, want invalid", err)
	}
}
