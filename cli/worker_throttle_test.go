package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// TestWorkerThrottledForeverSQLite: see workerThrottledForever.
func TestWorkerThrottledForeverSQLite(t *testing.T) {
	workerThrottledForever(t, "")
}

// TestWorkerThrottledForeverPostgres: see workerThrottledForever.
func TestWorkerThrottledForeverPostgres(t *testing.T) {
	workerThrottledForever(t, mustScaleDatabase(t, dbtest.PostgresURL(t)))
}

// workerThrottledForever: with Bedrock throttling every call (a quota that
// never frees, such as an account without quota for the model), worker
// --until-idle used to snooze the ticket's job for ever without using an
// attempt, so it never ended and the ticket was neither summarised nor
// failed. Now, after worker.throttle_snoozes snoozes, throttling uses the
// job's attempts: the run ends, exits 1 and names the throttling and its
// fix, and once the attempts are spent the ticket is failed where
// `failures list` shows it. db is a Postgres URL, or "" for SQLite.
func workerThrottledForever(t *testing.T, db string) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle}}})
	setAWSEnv(t, srv)
	cfg, data := initWithTicket(t, db, "worker:\n  throttle_snooze: 10ms\n  throttle_snoozes: 2\n")

	// A safety net only: the run must end long before it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r := run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if ctx.Err() != nil {
		t.Fatalf("worker --until-idle did not end with every call throttled: %+v", r)
	}
	if r.code != exitFailure || !strings.Contains(r.stdout, "0 done, 0 failed") {
		t.Fatalf("exit %d, want %d with nothing done: %+v", r.code, exitFailure, r)
	}
	for _, want := range []string{"1 ticket still queued, waiting to retry", "last error: Bedrock throttled", "raise the quota in Service Quotas"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the closing line lacks %q: %q", want, r.stderr)
		}
	}

	// As time passes, the retries run and fail the same way until the
	// attempts are spent: the job is put at its last attempt, due now, and
	// that attempt fails the ticket, naming the fix.
	dueNow(t, data, db)
	conn, table := queueDB(t, data, db)
	if _, err := conn.ExecContext(context.Background(), `UPDATE `+table+` SET attempt = max_attempts - 1 WHERE state = 'retryable'`); err != nil {
		t.Fatal(err)
	}
	r = run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if ctx.Err() != nil || !strings.Contains(r.stdout, "0 done, 1 failed") {
		t.Fatalf("the ticket was not failed by its last attempt: %+v", r)
	}
	l := run(t, context.Background(), "", "failures", "list", "--config", cfg)
	if l.code != exitOK || !strings.Contains(l.stdout, "T-1") || !strings.Contains(l.stdout, "throttled") ||
		!strings.Contains(l.stdout, "raise the quota in Service Quotas") {
		t.Fatalf("failures list does not show the throttled ticket: %+v", l)
	}
}

// TestWaitingListsThrottleSnoozed: a ticket whose job is snoozed for
// throttling (worker.throttle_snooze, no attempt used) is neither failed
// nor waiting for a retry in River's terms, so `failures list --waiting`
// said "no tickets waiting to retry" while it waited. It is now listed,
// with its snoozes of worker.throttle_snoozes, when it runs again and the
// throttling's reason.
func TestWaitingListsThrottleSnoozed(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle}}})
	setAWSEnv(t, srv)
	cfg, data := initWithTicket(t, "", "worker:\n  throttle_snooze: 1h\n  throttle_snoozes: 5\n")

	// The worker runs until the job is snoozed, then stops.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- run(t, ctx, "", "worker", "--config", cfg) }()
	conn, table := queueDB(t, data, "")
	for {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE state = 'scheduled'`).Scan(&n); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		if n > 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Fatalf("the job was never snoozed: %+v", <-done)
	}
	cancel()
	<-done

	l := run(t, context.Background(), "", "failures", "list", "--waiting", "--config", cfg)
	for _, want := range []string{"SNOOZES", "T-1 ", "0/10", "1/5 snoozed", "(in ", "throttled", "Bedrock throttled", "raise the quota in Service Quotas"} {
		if !strings.Contains(l.stdout, want) {
			t.Errorf("failures list --waiting lacks %q: %+v", want, l)
		}
	}
	var waiting []struct {
		TicketID string `json:"ticket_id"`
		Snoozed  bool   `json:"snoozed"`
		Snoozes  int    `json:"snoozes"`
		Code     string `json:"code"`
	}
	j := run(t, context.Background(), "", "failures", "list", "--waiting", "--json", "--config", cfg)
	if err := json.Unmarshal([]byte(j.stdout), &waiting); err != nil || len(waiting) != 1 || waiting[0].TicketID != "T-1" ||
		!waiting[0].Snoozed || waiting[0].Snoozes != 1 || waiting[0].Code != "throttled" {
		t.Fatalf("failures list --waiting --json = %v %+v: %+v", err, waiting, j)
	}
}
