package access_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *fixedClock {
	return &fixedClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

// MustStore returns a migrated store on db.
func MustStore(tb testing.TB, db *sql.DB, d access.Dialect) *access.SQLStore {
	tb.Helper()
	s, err := access.NewSQLStore(db, d)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// adminEvent is one call to the recording fake.
type adminEvent struct{ actor, action, target string }

// recorder is a recording fake AdminRecorder; while fail is set it
// records nothing and returns fail, as a trail on a full disk does.
type recorder struct {
	mu     sync.Mutex
	events []adminEvent
	fail   error
}

func (r *recorder) RecordAdmin(_ context.Context, actor, action, target string, _ map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.events = append(r.events, adminEvent{actor, action, target})
	return nil
}

// MustService returns a service on a fresh SQLite store.
func MustService(tb testing.TB) (*access.Service, *fixedClock, *recorder) {
	tb.Helper()
	db, _ := dbtest.SQLiteFile(tb)
	clock := newClock()
	rec := &recorder{}
	svc, err := access.NewService(access.Config{Store: MustStore(tb, db, access.SQLite), Clock: clock, Recorder: rec})
	if err != nil {
		tb.Fatal(err)
	}
	return svc, clock, rec
}

// fakeModel is a model that answers with a fixed cost and counts calls.
type fakeModel struct {
	name string
	cost float64
	mu   sync.Mutex
	n    int
}

func (m *fakeModel) Name() string { return m.name }
func (m *fakeModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	m.mu.Lock()
	m.n++
	m.mu.Unlock()
	return &ticketsum.ModelResponse{Text: "ok", Model: m.name, CostUSD: m.cost}, nil
}

func (m *fakeModel) calls() int { m.mu.Lock(); defer m.mu.Unlock(); return m.n }

func fixedEstimate(usd float64) access.EstimateFunc {
	return func(string, *ticketsum.ModelRequest) (float64, error) { return usd, nil }
}
