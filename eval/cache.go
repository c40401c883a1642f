package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Cache keeps summaries already made, so that a run can be re-scored
// without calling models again.
type Cache interface {
	// Get returns the cached summary for key and whether there was one.
	Get(key string) (*CachedSummary, bool)
	// Put stores a summary under key.
	Put(key string, s *CachedSummary) error
}

// CachedSummary is a summary as the cache keeps it, with its latency (which
// ticketsum.Summary does not serialise).
type CachedSummary struct {
	Summary   ticketsum.Summary `json:"summary"`
	LatencyNS time.Duration     `json:"latency_ns"`
}

// CacheKey returns the cache key of a summary: a hash of the model, the
// prompt version and the ticket's content hash.
func CacheKey(model, promptVersion string, t *ticketsum.Ticket) string {
	h := sha256.Sum256([]byte(model + "\x00" + promptVersion + "\x00" + t.ContentHash()))
	return hex.EncodeToString(h[:])
}

// DirCache is a Cache in a directory: one JSON file per key, under a
// two-character fan-out directory. It is safe for concurrent use; writes go
// through a temporary file and a rename.
type DirCache struct {
	Dir string
}

var _ Cache = DirCache{}

func (c DirCache) path(key string) string {
	return filepath.Join(c.Dir, key[:2], key+".json")
}

// Get reads the summary under key; a missing or unreadable entry is a miss.
func (c DirCache) Get(key string) (*CachedSummary, bool) {
	if len(key) < 3 {
		return nil, false
	}
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil, false
	}
	var s CachedSummary
	if json.Unmarshal(b, &s) != nil {
		return nil, false
	}
	return &s, true
}

// Put writes the summary under key.
func (c DirCache) Put(key string, s *CachedSummary) error {
	if len(key) < 3 {
		return ticketsum.Errorf(ticketsum.EINVALID, "eval: cache key %q is too short", key)
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil { // private, as the data directory is
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: create cache directory: %w", err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINTERNAL, "eval: encode cache entry: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: write cache entry: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: write cache entry: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: write cache entry: %w", err)
	}
	return nil
}
