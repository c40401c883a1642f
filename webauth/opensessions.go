package webauth

import (
	"sync"
	"time"
)

// openSessions remembers when this process last found each session open,
// so that Config.Sessions is asked at most once per SessionRecheck.
type openSessions struct {
	mu      sync.Mutex
	checked map[string]time.Time
}

// maxOpenSessions bounds the memory: past it the map starts afresh (each
// session is then asked once more).
const maxOpenSessions = 10000

// fresh reports whether session id was found open within within of now.
func (o *openSessions) fresh(id string, now time.Time, within time.Duration) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	at, ok := o.checked[id]
	return ok && now.Sub(at) < within
}

// mark notes that session id was found open at now.
func (o *openSessions) mark(id string, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.checked == nil || len(o.checked) >= maxOpenSessions {
		o.checked = map[string]time.Time{}
	}
	o.checked[id] = now
}

// forget drops session id, ended in this process.
func (o *openSessions) forget(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.checked, id)
}
