package source_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/source"
)

// env is one test's database: ticketsum's store in a fresh schema and the
// team's tables in another.
type env struct {
	store *postgres.Store
	admin *pgxpool.Pool // unrestricted, search_path = the team's schema
	team  string        // the team's schema
	jobs  *fakeQueue
}

// mustEnv creates the two schemas, the team's tables (bigint ids, role
// values of their own) and a store, all dropped when t ends. It skips the
// test when TICKETSUM_TEST_DATABASE_URL is unset.
func mustEnv(tb testing.TB) *env {
	tb.Helper()
	url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if url == "" {
		tb.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	suffix := strings.ToLower(rand.Text())[:12]
	ts, team := "ts_src_"+suffix, "team_src_"+suffix
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatal(err)
	}
	pc.ConnConfig.RuntimeParams["search_path"] = team
	pc.MaxConns = 4
	admin, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+team+`;
CREATE TABLE `+team+`.tickets (
    id bigint PRIMARY KEY, subject text, product text, requester_name text, requester_email text,
    opened_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL,
    ai_summary text, ai_summary_status text);
CREATE INDEX ON `+team+`.tickets (updated_at, id);
CREATE TABLE `+team+`.messages (
    id bigserial PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES `+team+`.tickets (id),
    kind text NOT NULL, author text, sent_at timestamptz NOT NULL, content text NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	st, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: ts, MaxConns: 6})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{store: st, admin: admin, team: team}
	e.jobs = &fakeQueue{schema: ts}
	if _, err := admin.Exec(ctx, `CREATE TABLE `+ts+`.fake_jobs (ticket_id text, hash text, run_at timestamptz)`); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		st.Close()
		if _, err := admin.Exec(context.Background(), `DROP SCHEMA `+team+` CASCADE; DROP SCHEMA `+ts+` CASCADE`); err != nil {
			tb.Errorf("drop test schemas: %v", err)
		}
		admin.Close()
	})
	return e
}

// mapping is the table mapping of the test's team schema.
func (e *env) mapping() source.Mapping {
	return source.Mapping{
		Tickets: source.TicketsTable{
			Table: e.team + ".tickets", Subject: "subject", ProductLine: "product",
			CustomerName: "requester_name", CustomerEmail: "requester_email", CreatedAt: "opened_at",
		},
		Messages: source.MessagesTable{
			Table: e.team + ".messages", Role: "kind", Author: "author", CreatedAt: "sent_at", ID: "id", Body: "content",
			Roles: map[string]string{"end_user": "customer", "staff": "agent", "note": "internal"},
		},
	}
}

// open opens a source on the env with cfg's mapping defaulted to e's.
func (e *env) open(tb testing.TB, cfg source.Config) *source.Source {
	tb.Helper()
	if cfg.Tickets.Table == "" && cfg.ThreadQuery == "" {
		wb := cfg.WriteBack
		cfg.Mapping = e.mapping()
		cfg.WriteBack = wb
	}
	if cfg.Enqueue == nil {
		cfg.Enqueue = e.jobs.enqueue
	}
	if cfg.SearchPath == "" {
		cfg.SearchPath = e.team
	}
	s, err := source.Open(context.Background(), e.store, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// addTicket inserts a ticket with n messages updated at at, in one
// transaction, as a helpdesk application would.
func (e *env) addTicket(tb testing.TB, id int, at time.Time, n int) {
	tb.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, e.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tickets (id, subject, product, requester_name, requester_email, updated_at)
		VALUES ($1, $2, 'billing', 'Jane Roe', 'jane@example.com', $3)`, id, fmt.Sprintf("Refund %d", id), at); err != nil {
			return err
		}
		for i := range n {
			if err := insertMessage(ctx, tx, id, at, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// addMessage adds message i to a ticket without touching updated_at.
func (e *env) addMessage(tb testing.TB, id int, at time.Time, i int) {
	tb.Helper()
	if err := insertMessage(context.Background(), e.admin, id, at, i); err != nil {
		tb.Fatal(err)
	}
}

func insertMessage(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, id int, at time.Time, i int) error {
	kind := []string{"end_user", "staff", "note"}[i%3]
	_, err := q.Exec(ctx, `INSERT INTO messages (ticket_id, kind, author, sent_at, content) VALUES ($1, $2, $3, $4, $5)`,
		id, kind, "Author "+kind, at.Add(time.Duration(i)*time.Minute), fmt.Sprintf("Message %d of ticket %d about a refund.", i, id))
	return err
}

// touch sets a ticket's updated_at.
func (e *env) touch(tb testing.TB, id int, at time.Time) {
	tb.Helper()
	if _, err := e.admin.Exec(context.Background(), `UPDATE tickets SET updated_at = $2 WHERE id = $1`, id, at); err != nil {
		tb.Fatal(err)
	}
}

// fakeQueue records jobs in a table inside the caller's transaction, so a
// rolled-back transaction leaves no job, as River's InsertTx would. fail,
// when set, makes the enqueue of that ticket fail.
type fakeQueue struct {
	schema string
	mu     sync.Mutex
	fail   string
}

func (q *fakeQueue) enqueue(ctx context.Context, tx pgx.Tx, ticketID, hash string, runAt time.Time) error {
	q.mu.Lock()
	fail := q.fail
	q.mu.Unlock()
	if ticketID == fail {
		return fmt.Errorf("fake queue refuses ticket %s", ticketID)
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+q.schema+`.fake_jobs (ticket_id, hash, run_at) VALUES ($1, $2, $3)`, ticketID, hash, runAt)
	return err
}

func (q *fakeQueue) setFail(id string) {
	q.mu.Lock()
	q.fail = id
	q.mu.Unlock()
}

// job is a recorded job.
type job struct {
	TicketID, Hash string
	RunAt          time.Time
}

// jobs returns the recorded jobs in insertion order.
func (e *env) recorded(tb testing.TB) []job {
	tb.Helper()
	rows, err := e.admin.Query(context.Background(), `SELECT ticket_id, hash, run_at FROM `+e.jobs.schema+`.fake_jobs ORDER BY ctid`)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
		var j job
		err := r.Scan(&j.TicketID, &j.Hash, &j.RunAt)
		return j, err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// t0 is the updated-at of the test tickets.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// mustPoll polls and fails the test on error.
func mustPoll(tb testing.TB, s *source.Source) source.PollResult {
	tb.Helper()
	res, err := s.Poll(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// enqueueBatch records the jobs of a page's changed tickets as enqueue does.
func (q *fakeQueue) enqueueBatch(ctx context.Context, tx pgx.Tx, tickets []*ticketsum.Ticket) error {
	for _, t := range tickets {
		if err := q.enqueue(ctx, tx, t.ID, t.ContentHash(), time.Time{}); err != nil {
			return err
		}
	}
	return nil
}
