package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// TestWorkerUntilIdleLeavesRetriesSQLite: see workerUntilIdleLeavesRetries.
func TestWorkerUntilIdleLeavesRetriesSQLite(t *testing.T) {
	workerUntilIdleLeavesRetries(t, "")
}

// TestWorkerUntilIdleLeavesRetriesPostgres: see
// workerUntilIdleLeavesRetries.
func TestWorkerUntilIdleLeavesRetriesPostgres(t *testing.T) {
	workerUntilIdleLeavesRetries(t, mustScaleDatabase(t, dbtest.PostgresURL(t)))
}

// workerUntilIdleLeavesRetries: worker --until-idle with an unreachable
// Bedrock endpoint ends by itself once the ticket's next retry is due later
// than it waits for, exits 1 with one line saying how many tickets wait,
// when, why and what to run, and leaves the ticket queued with its
// attempts; once the retry is due, a run against a working endpoint
// summarises it and exits 0. db is a Postgres URL, or "" for SQLite.
func workerUntilIdleLeavesRetries(t *testing.T, db string) {
	setUnreachableAWSEnv(t)
	cfg, data := initWithTicket(t, db, "")

	// A safety net only: the worker must end because its queue holds
	// nothing it should wait for, long before this.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if ctx.Err() != nil {
		t.Fatalf("worker --until-idle did not end with the endpoint down: %+v", r)
	}
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d (work left undone): %+v", r.code, exitFailure, r)
	}
	if !strings.Contains(r.stdout, "0 done, 0 failed, 0 skipped") {
		t.Errorf("stdout does not give the counts: %q", r.stdout)
	}
	var line string
	for l := range strings.Lines(r.stderr) {
		if strings.HasPrefix(l, "ticketsum worker: ") {
			line = l
		}
	}
	wantClosing(t, line)
	assertNoTicketPII(t, r.stdout+r.stderr)
	if f := run(t, context.Background(), "", "failures", "list", "--config", cfg); f.code != exitOK || strings.Contains(f.stdout, "T-1") {
		t.Fatalf("the ticket must not be failed: %+v", f)
	}

	// failures list --waiting shows the ticket, its attempts, when the next
	// is due and the last error's reason, from the queue.
	f := run(t, context.Background(), "", "failures", "list", "--waiting", "--config", cfg)
	if f.code != exitOK || !strings.Contains(f.stdout, "TICKET  ATTEMPTS") {
		t.Fatalf("failures list --waiting: %+v", f)
	}
	for _, want := range []string{"T-1 ", "/10 ", "unavailable", "cannot reach Bedrock"} {
		if !strings.Contains(f.stdout, want) {
			t.Errorf("failures list --waiting lacks %q: %q", want, f.stdout)
		}
	}
	var waiting []struct {
		TicketID      string    `json:"ticket_id"`
		Attempts      int       `json:"attempts"`
		NextAttemptAt time.Time `json:"next_attempt_at"`
		Code, Reason  string
	}
	j := run(t, context.Background(), "", "failures", "list", "--waiting", "--json", "--config", cfg)
	if err := json.Unmarshal([]byte(j.stdout), &waiting); err != nil || len(waiting) != 1 || waiting[0].TicketID != "T-1" ||
		waiting[0].Attempts < 2 || !waiting[0].NextAttemptAt.After(time.Now()) || !strings.HasPrefix(waiting[0].Reason, "cannot reach Bedrock") {
		t.Fatalf("failures list --waiting --json = %v %+v: %+v", err, waiting, j)
	}
	assertNoTicketPII(t, f.stdout+j.stdout)

	// A second drain that runs nothing (the retry is due after its
	// horizon) still names the last error, from the queue.
	r = run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if r.code != exitFailure || !strings.Contains(r.stdout, "0 done, 0 failed") {
		t.Fatalf("a second drain with the retry not yet due: %+v", r)
	}
	wantClosing(t, r.stderr)

	// The job is still queued, waiting for its retry with the attempts it
	// made: at least two, since the first retry (due a second after the
	// first attempt, well within the minute the drain waits for) ran before
	// the drain stopped. The retry is then made due now, as time would.
	attempts := dueNow(t, data, db)
	if attempts < 2 {
		t.Fatalf("the retryable job has made %d attempts, want the first retry run too", attempts)
	}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer could not log in. The agent reset the password. The customer confirmed the fix.\nSTATUS: resolved"
		},
	})
	setAWSEnv(t, srv)
	r = run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "queue drained") || !strings.Contains(r.stdout, "1 done, 0 failed") {
		t.Fatalf("the later run with the endpoint up: %+v", r)
	}
}

// initWithTicket runs init (on the Postgres database db, or on SQLite when
// db is "") with a config file to which settings are appended, then imports
// goodTicket, and returns the config file and the data directory.
func initWithTicket(t *testing.T, db, settings string) (cfg, data string) {
	t.Helper()
	dir := t.TempDir()
	cfg, data = filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	initArgs := []string{"init", "--config", cfg, "--data-dir", data, "--model", initNova}
	if db != "" {
		initArgs = append(initArgs, "--db", db)
	}
	if r := run(t, context.Background(), "", initArgs...); r.code != exitOK {
		t.Fatalf("init: %+v", r)
	}
	if settings != "" {
		f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString(settings)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if r := run(t, context.Background(), goodTicket, "import", "--config", cfg, "-"); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	return cfg, data
}

// queueDB opens the database holding the queue: the SQLite store in the
// data directory data, or the Postgres database db when it is not "". It
// returns the name of River's job table there.
func queueDB(t *testing.T, data, db string) (*sql.DB, string) {
	t.Helper()
	driver, dsn, table := "sqlite", "file:"+filepath.Join(data, "ticketsum.db"), "river_job"
	if db != "" {
		driver, dsn, table = "pgx", db, "ticketsum.river_job"
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, table
}

// wantClosing checks worker --until-idle's closing line (or its stderr)
// for a ticket left waiting on an unreachable Bedrock.
func wantClosing(t *testing.T, line string) {
	t.Helper()
	for _, want := range []string{"1 ticket still queued, waiting to retry", "next attempt due ", "last error: cannot reach Bedrock",
		"ticketsum failures list --waiting lists them", "ticketsum worker --until-idle again later", "ticketsum worker to keep running"} {
		if !strings.Contains(line, want) {
			t.Errorf("the closing line lacks %q: %q", want, line)
		}
	}
}

// assertNoTicketPII fails when out holds goodTicket's personal data.
func assertNoTicketPII(t *testing.T, out string) {
	t.Helper()
	for _, pii := range []string{"Ana", "Lima", "ana.lima@example.com", "Sam Reyes", "7946 0958"} {
		if strings.Contains(out, pii) {
			t.Errorf("the output contains the ticket's %q", pii)
		}
	}
}

// dueNow makes the queue's retryable jobs due at once, as the passing of
// their backoff would, and returns the attempts the first one has made.
// data is the data directory (SQLite), db a Postgres URL or "".
func dueNow(t *testing.T, data, db string) int {
	t.Helper()
	ctx := context.Background()
	conn, table := queueDB(t, data, db)
	var attempts int
	if err := conn.QueryRowContext(ctx, `SELECT attempt FROM `+table+` WHERE state = 'retryable'`).Scan(&attempts); err != nil {
		t.Fatalf("the job waiting for its retry: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE `+table+` SET scheduled_at = created_at WHERE state = 'retryable'`); err != nil {
		t.Fatal(err)
	}
	return attempts
}
