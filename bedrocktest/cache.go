package bedrocktest

import (
	"crypto/sha256"
	"time"
)

// cacheUse works out the cache tokens of a call whose input parts before
// index cut form a cacheable prefix, and records the prefix when commit is
// set (not for a call that is then throttled). It returns the cache read
// and write tokens. The caller holds s.mu.
func (s *Server) cacheUse(base string, parts []string, cut int, now time.Time, commit bool) (read, write int) {
	if cut <= 0 {
		return 0, 0
	}
	h := sha256.New()
	h.Write([]byte(base))
	n := 0
	for _, p := range parts[:cut] {
		h.Write([]byte{0})
		h.Write([]byte(p))
		n += Tokens(p)
	}
	if n < s.cfg.CacheMinTokens {
		return 0, 0
	}
	key := string(h.Sum(nil))
	ttl := time.Duration(float64(s.cfg.CacheTTL) * s.cfg.TimeScale)
	exp, ok := s.cache[key]
	if commit {
		s.cache[key] = now.Add(ttl)
	}
	if ok && now.Before(exp) {
		return n, 0
	}
	return 0, n
}
