package access_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
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

// MustSQLiteDB opens a fresh SQLite database in a temp dir.
func MustSQLiteDB(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "access.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// MustPostgresDB opens a fresh schema in the database at
// TICKETSUM_TEST_DATABASE_URL, or skips when it is unset.
func MustPostgresDB(tb testing.TB) *sql.DB {
	tb.Helper()
	base := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if base == "" {
		tb.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "access_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	// The test server is shared: stay well under its max_connections.
	db.SetMaxOpenConns(8)
	admin.SetMaxOpenConns(1)
	tb.Cleanup(func() {
		db.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return db
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

// recorder is a recording fake AdminRecorder.
type recorder struct {
	mu     sync.Mutex
	events []adminEvent
}

func (r *recorder) RecordAdmin(_ context.Context, actor, action, target string, _ map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, adminEvent{actor, action, target})
	return nil
}

// MustService returns a service on a fresh SQLite store.
func MustService(tb testing.TB) (*access.Service, *fixedClock, *recorder) {
	tb.Helper()
	db, _ := MustSQLiteDB(tb)
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
