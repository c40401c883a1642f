package queue_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/sqlite"
)

// store is what the queue tests need of a store.
type store[TTx any] interface {
	queue.Store
	queue.TxStore[TTx]
}

// harness opens a fresh store and makes queues on it, for one driver.
type harness[TTx any] struct {
	store    store[TTx]
	newQueue func(t testing.TB, cfg queue.Config) *queue.Queue[TTx]
}

// mustSQLite returns a harness on a SQLite store in a temp dir.
func mustSQLite(t testing.TB) harness[*sql.Tx] {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "q.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return harness[*sql.Tx]{store: s, newQueue: func(t testing.TB, cfg queue.Config) *queue.Queue[*sql.Tx] {
		t.Helper()
		q, err := queue.NewSQLite(context.Background(), s, testConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(context.Background()) })
		return q
	}}
}

// mustPostgres returns a harness on a Postgres store in a fresh schema,
// skipping when TICKETSUM_TEST_DATABASE_URL is unset.
func mustPostgres(t testing.TB) harness[pgx.Tx] {
	t.Helper()
	url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	schema := "ts_qtest_" + strings.ToLower(rand.Text())
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return harness[pgx.Tx]{store: s, newQueue: func(t testing.TB, cfg queue.Config) *queue.Queue[pgx.Tx] {
		t.Helper()
		q, err := queue.NewPostgres(context.Background(), s, testConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(context.Background()) })
		return q
	}}
}

var debug = flag.Bool("debug", false, "log River and worker output to stderr")

// testConfig polls fast so that tests finish quickly.
func testConfig(cfg queue.Config) queue.Config {
	if *debug {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	return cfg
}

// recorder is a Handler that counts calls and successes per ticket and
// answers with the error that errFor gives.
type recorder struct {
	mu        sync.Mutex
	calls     map[string]int
	successes map[string]int
	errFor    func(ctx context.Context, ticketID string, call int) error
}

func newRecorder(errFor func(ctx context.Context, ticketID string, call int) error) *recorder {
	return &recorder{calls: map[string]int{}, successes: map[string]int{}, errFor: errFor}
}

func (r *recorder) handle(ctx context.Context, ticketID string) error {
	r.mu.Lock()
	r.calls[ticketID]++
	call := r.calls[ticketID]
	r.mu.Unlock()
	var err error
	if r.errFor != nil {
		err = r.errFor(ctx, ticketID, call)
	}
	if err == nil {
		r.mu.Lock()
		r.successes[ticketID]++
		r.mu.Unlock()
	}
	return err
}

func (r *recorder) counts() (calls, successes map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, successes = map[string]int{}, map[string]int{}
	for k, v := range r.calls {
		calls[k] = v
	}
	for k, v := range r.successes {
		successes[k] = v
	}
	return calls, successes
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline (a hang guard, not a speed assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitIdle waits for the queue to drain, with the same hang guard.
func waitIdle[TTx any](t *testing.T, q *queue.Queue[TTx]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatalf("wait for the queue to drain: %v", err)
	}
}

// jobsByTicket returns every summarize job of the queue by ticket id.
func jobsByTicket[TTx any](t *testing.T, q *queue.Queue[TTx]) map[string][]*rivertype.JobRow {
	t.Helper()
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(queue.Kind).
		States(rivertype.JobStateAvailable, rivertype.JobStateCancelled, rivertype.JobStateCompleted,
			rivertype.JobStateDiscarded, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*rivertype.JobRow{}
	for _, j := range res.Jobs {
		var args struct {
			TicketID string `json:"ticket_id"`
		}
		if err := jsonUnmarshal(j.EncodedArgs, &args); err != nil {
			t.Fatal(err)
		}
		out[args.TicketID] = append(out[args.TicketID], j)
	}
	return out
}
