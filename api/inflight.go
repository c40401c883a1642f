package api

import (
	"sync"

	"github.com/ticketsum/ticketsum"
)

// inflight counts each API key's requests in flight.
type inflight struct {
	mu sync.Mutex
	n  map[string]int
}

// acquire counts one more request of c's key, or returns ETHROTTLED when
// the key already has limit in flight (limit < 0: no cap). release
// uncounts it.
func (f *inflight) acquire(c *caller, limit int) error {
	if limit < 0 {
		return nil
	}
	key := c.Key.Prefix
	f.mu.Lock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	if f.n[key] >= limit {
		f.mu.Unlock()
		return ticketsum.Errorf(ticketsum.ETHROTTLED,
			"API key tks_%s_... of principal %s already has %d requests in flight (rule: per-key concurrency): wait for answers before sending more, or raise server.max_concurrent_per_key in the ticketsum configuration and restart serve",
			key, c.Principal.Name, limit)
	}
	f.n[key]++
	f.mu.Unlock()
	return nil
}

// release uncounts a request that acquire counted with the same limit.
func (f *inflight) release(c *caller, limit int) {
	if limit < 0 {
		return
	}
	key := c.Key.Prefix
	f.mu.Lock()
	if f.n[key]--; f.n[key] <= 0 {
		delete(f.n, key)
	}
	f.mu.Unlock()
}
