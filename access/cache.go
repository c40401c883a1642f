package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"
)

// snapshot is an immutable copy of principals, keys and approved models at
// one store version.
type snapshot struct {
	version    int64
	checked    time.Time // when version was last confirmed (monotonic)
	principals map[string]*Principal
	keys       map[string]*cachedKey
	approved   map[string]bool
}

// cachedKey is a key with its hash decoded, so that authenticating does not
// encode a hash per request.
type cachedKey struct {
	*Key
	sum [sha256.Size]byte
}

// cache serves principals, keys and approvals from memory. A snapshot is
// used while its version was confirmed less than ttl ago: past half of ttl
// one request starts a background check of the store's version (one
// single-row read; the whole snapshot is reloaded only when it changed),
// and past ttl requests wait for a fresh check. So a change made by any
// process, such as a revoked key, is seen everywhere within ttl. A
// process's own changes drop its snapshot at once.
type cache struct {
	store Store
	ttl   time.Duration // <= 0: no caching, every read goes to the store

	snap       atomic.Pointer[snapshot]
	gen        atomic.Uint64 // bumped by invalidate; a refresh begun before is not stored
	refreshing atomic.Bool
	mu         sync.Mutex // one synchronous refresh at a time
}

// get returns a snapshot no older than ttl.
func (c *cache) get(ctx context.Context) (*snapshot, error) {
	s := c.snap.Load()
	if s != nil {
		age := time.Since(s.checked)
		if age < c.ttl/2 {
			return s, nil
		}
		if age < c.ttl {
			if c.refreshing.CompareAndSwap(false, true) {
				go func() {
					defer c.refreshing.Store(false)
					rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ttl)
					defer cancel()
					c.mu.Lock()
					defer c.mu.Unlock()
					c.refresh(rctx)
				}()
			}
			return s, nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.snap.Load(); s != nil && time.Since(s.checked) < c.ttl {
		return s, nil
	}
	return c.refresh(ctx)
}

// refresh confirms or reloads the snapshot. c.mu is held.
func (c *cache) refresh(ctx context.Context) (*snapshot, error) {
	gen := c.gen.Load()
	started := time.Now()
	v, err := c.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	old := c.snap.Load()
	var s *snapshot
	if old != nil && old.version == v {
		cp := *old
		s = &cp
	} else if s, err = c.load(ctx, v); err != nil {
		return nil, err
	}
	s.checked = started
	if c.gen.Load() == gen {
		c.snap.Store(s)
	}
	return s, nil
}

// load reads everything at version v. The version is read first, so a
// change racing with the load shows as a newer version at the next check.
func (c *cache) load(ctx context.Context, v int64) (*snapshot, error) {
	ps, err := c.store.ListPrincipals(ctx)
	if err != nil {
		return nil, err
	}
	ks, err := c.store.ListKeys(ctx, "")
	if err != nil {
		return nil, err
	}
	ms, err := c.store.ListApprovedModels(ctx)
	if err != nil {
		return nil, err
	}
	s := &snapshot{version: v, principals: make(map[string]*Principal, len(ps)),
		keys: make(map[string]*cachedKey, len(ks)), approved: make(map[string]bool, len(ms))}
	for _, p := range ps {
		s.principals[p.Name] = p
	}
	for _, k := range ks {
		ck := &cachedKey{Key: k}
		if b, err := hex.DecodeString(k.Hash); err == nil && len(b) == sha256.Size {
			copy(ck.sum[:], b)
		} // else: a hash that matches nothing
		s.keys[k.Prefix] = ck
	}
	for _, m := range ms {
		s.approved[m.Name] = true
	}
	return s, nil
}

// invalidate drops the snapshot after a change made by this process.
func (c *cache) invalidate() {
	c.gen.Add(1)
	c.snap.Store(nil)
}
