package audit

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// pipeCounter is a StatementCompanion that adds what was queued to a row
// of its own, counting the group commits it was queued in as statements.
type pipeCounter struct {
	mu      sync.Mutex
	queued  int
	piped   int // shares handed as statements to a pipelined commit
	results []error
}

func (c *pipeCounter) Stage() (func(context.Context, *sql.Tx) error, func(error)) {
	w, _, d := c.StageStatements()
	return w, d
}

func (c *pipeCounter) StageStatements() (func(context.Context, *sql.Tx) error, func(func(string, ...any)), func(error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queued == 0 {
		return nil, nil, nil
	}
	n := c.queued
	c.queued = 0
	return func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE counted SET n = n + $1`, n)
			return err
		}, func(add func(string, ...any)) {
			c.mu.Lock()
			c.piped++
			c.mu.Unlock()
			add(`UPDATE counted SET n = n + $1`, n)
		}, func(err error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.results = append(c.results, err)
			if err != nil {
				c.queued += n
			}
		}
}

func (c *pipeCounter) queue(n int) {
	c.mu.Lock()
	c.queued += n
	c.mu.Unlock()
}

func (c *pipeCounter) state() (piped int, results []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.piped, append([]error(nil), c.results...)
}

// pgTrail opens a fresh Postgres schema whose connections carry appName,
// and a migrated trail on it that does not sign.
func pgTrail(t *testing.T) (*Trail, *sql.DB, string) {
	t.Helper()
	dsn, schema := dbtest.PostgresSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	appName := "audit_test_" + schema
	q := u.Query()
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(dbtest.MaxConns)
	t.Cleanup(func() { db.Close() })
	tr, err := NewTrail(TrailConfig{DB: db, Dialect: Postgres, NoSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr, db, appName
}

func countedRow(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT n FROM counted`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func admin(action, actor string) *Event {
	return &Event{Kind: KindAdmin, Actor: actor, Action: action, Outcome: "success",
		Time: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
}

// TestPipelinedGroupCommit drives the group commit that Postgres gets as
// one pipeline: the companion's statements commit with the records; when
// another appender has moved the chain's end, the pipeline's INSERT fails
// and the writer appends after the other's records instead, with the
// companion's share written once; when one event of a group cannot be
// stored, nothing of the group is kept (the companion's share included,
// which is handed back and written later) and the other events are
// stored one by one.
func TestPipelinedGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr, db, appName := pgTrail(t)
	if _, err := db.Exec(`CREATE TABLE counted (n bigint NOT NULL); INSERT INTO counted (n) VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	c := &pipeCounter{}
	tr.Attach(c)
	// The first group reads the chain's end; the second is pipelined.
	for i := range 2 {
		c.queue(3)
		if err := tr.Append(ctx, admin("model.approve", fmt.Sprint("op", i))); err != nil {
			t.Fatal(err)
		}
	}
	if piped, _ := c.state(); piped != 1 || countedRow(t, db) != 6 {
		t.Fatalf("after two appends: %d pipelined shares, counted %d; want 1 and 6", piped, countedRow(t, db))
	}

	// Hold the append lock, so that the next events queue into one group.
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	ltx, err := lock.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ltx.Exec(pgLockSQL); err != nil {
		t.Fatal(err)
	}
	first := tr.writer.submit(admin("model.approve", "op3"))
	for {
		var waiting int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'advisory'`, appName).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.queue(7)
	var group []<-chan error
	for i, actor := range []string{"op4", "bad\x00actor", "op5", "op6"} {
		group = append(group, tr.writer.submit(admin(fmt.Sprint("model.approve", i), actor)))
	}
	if err := ltx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, ch := range group {
		if err := <-ch; (err != nil) != (i == 1) {
			t.Errorf("event %d of the group: %v; want an error for the one with a NUL byte only", i, err)
		}
	}
	piped, results := c.state()
	if piped != 2 || len(results) == 0 || results[len(results)-1] == nil {
		t.Fatalf("companion: %d pipelined shares, results %v; want its share of the failed group pipelined and handed back", piped, results)
	}
	if n := countedRow(t, db); n != 6 {
		t.Fatalf("counted %d after the failed group; want 6: the group's companion statements must not be kept", n)
	}
	if err := tr.Append(ctx, admin("model.approve", "op7")); err != nil {
		t.Fatal(err)
	}
	if piped, _ := c.state(); piped != 3 || countedRow(t, db) != 13 {
		t.Fatalf("%d pipelined shares, counted %d; want 3 and 13: the handed-back share written once, pipelined", piped, countedRow(t, db))
	}
	// Another appender moves the end this writer remembers.
	other, err := NewTrail(TrailConfig{DB: db, Dialect: Postgres, NoSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Append(ctx, admin("model.revoke", "other")); err != nil {
		t.Fatal(err)
	}
	c.queue(2)
	if err := tr.Append(ctx, admin("model.approve", "op2")); err != nil {
		t.Fatal(err)
	}
	if piped, _ := c.state(); piped != 4 || countedRow(t, db) != 15 {
		t.Fatalf("after the other appender: %d pipelined shares, counted %d; want 4 (the failed pipeline) and 15 (written once)", piped, countedRow(t, db))
	}

	rep, err := tr.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Records != 9 {
		t.Errorf("%d records, problems %v; want 9 records on an intact chain", rep.Records, rep.Problems)
	}
}

// TestPipelinedCommitSurvivesKilledConnection kills the writer's
// connection (pg_terminate_backend) while appends run: every append
// returns nil, each is stored exactly once, and the chain verifies; with
// the default commit (admin events) and with CommitAsync (model calls'
// records, which then commit without the flush and check the end).
func TestPipelinedCommitSurvivesKilledConnection(t *testing.T) {
	t.Parallel()
	t.Run("flushed", func(t *testing.T) {
		t.Parallel()
		tr, db, appName := pgTrail(t)
		killConnections(t, tr, db, appName, func(r, i int) *Event { return admin("model.approve", fmt.Sprintf("op%d-%d", r, i)) })
	})
	t.Run("async", func(t *testing.T) {
		t.Parallel()
		_, db, appName := pgTrail(t)
		tr, err := NewTrail(TrailConfig{DB: db, Dialect: Postgres, NoSigning: true, Commit: CommitAsync})
		if err != nil {
			t.Fatal(err)
		}
		killConnections(t, tr, db, appName, func(r, i int) *Event { return invocation(r*100 + i) })
	})
}

// killConnections appends event(r, i) from 20 goroutines a round while it
// kills the writer's connection, 12 rounds, and checks the trail.
func killConnections(t *testing.T, tr *Trail, db *sql.DB, appName string, event func(r, i int) *Event) {
	ctx := context.Background()
	killer, err := sql.Open("pgx", dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	const rounds, per = 12, 20
	killed := 0
	for r := range rounds {
		var wg sync.WaitGroup
		for i := range per {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := tr.Append(ctx, event(r, i)); err != nil {
					t.Errorf("round %d: %v", r, err)
				}
			}()
		}
		// The writer's connection is the one whose last statement was a
		// group commit's.
		var n int
		if err := killer.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = $1 AND (query = 'COMMIT' OR query LIKE 'INSERT INTO audit_records%' OR query LIKE 'SELECT pg_advisory_xact_lock%')`,
			appName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		killed += n
		wg.Wait()
	}
	if killed == 0 {
		t.Fatal("no connection was killed: the test tested nothing")
	}
	// Verify on a pool that holds no connection killed while idle.
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(2)
	rep, err := tr.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Records != rounds*per {
		t.Errorf("%d records, problems %v after %d killed connections; want %d records on an intact chain", rep.Records, rep.Problems, killed, rounds*per)
	}
}
