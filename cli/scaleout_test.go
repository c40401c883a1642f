package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestScaleOutWithRealProcesses builds the binary and runs it as real
// processes against a fresh Postgres database holding a team-style tickets
// table: a backfill, a watcher and three workers. Two workers are SIGKILLed
// mid-batch and restarted, threads are edited meanwhile, and every
// connection of the database is terminated mid-run (a stand-in for a
// Postgres restart that does not disturb other tests on a shared server).
// At the end every ticket has exactly one current summary, for its latest
// thread, and no summary was written twice.
func TestScaleOutWithRealProcesses(t *testing.T) {
	base := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs processes; skipped with -short")
	}
	ctx := context.Background()
	start := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }
	dir := t.TempDir()
	bin := filepath.Join(dir, "ticketsum")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ticketsum").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	phase("binary built")
	dbURL := mustScaleDatabase(t, base)
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const n = 300
	mustTeamTickets(t, db, n)
	cfgPath := filepath.Join(dir, "ticketsum.yaml")
	if err := os.WriteFile(cfgPath, []byte(scaleConfig(dbURL)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &procs{t: t, bin: bin, cfg: cfgPath, dir: dir}
	defer h.stopAll()

	// The backfill copies every ticket and queues them in batch jobs, which
	// the workers below run (the batched path): pages, so batches, of 20
	// tickets, so that the killed workers die in the middle of batches.
	if out, err := h.command("backfill", "--since", "2000-01-01", "--summarize=false", "--batch", "20").CombinedOutput(); err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	if got := count(t, db, `SELECT coalesce(sum(jsonb_array_length(args->'items')), 0) FROM ticketsum.river_job WHERE kind = 'summarize_batch'`); got != n {
		t.Fatalf("tickets in batch jobs after backfill = %d, want %d", got, n)
	}
	phase("backfilled")
	h.start("watch")
	waitUntil(t, h, "watcher started", func() bool {
		return count(t, db, `SELECT count(*) FROM ticketsum.source_cursors WHERE name = 'default/watch'`) == 1
	})
	for i := range 3 {
		h.start("worker", fmt.Sprintf("w%d", i))
	}

	// Kill two workers mid-batch, edit threads, restart them. The threads
	// are of about 1,300 words, so that the batches still running when the
	// first is saved take longer than a poll of waitUntil: a batch of 20
	// short threads took a few milliseconds, and every ticket could be
	// summarised between two polls.
	waitUntil(t, h, "a first batch summarised", func() bool { return summaries(t, db) > 0 })
	phase("killing two workers")
	h.kill("w0")
	h.kill("w1")
	// A worker killed while still opening its store never logged its first
	// start (seen under load in CI), so count the starts the dead ones left.
	startsBefore := map[string]int{"w0": h.started("w0"), "w1": h.started("w1")}
	if got := summaries(t, db); got >= n {
		t.Fatalf("all %d tickets were summarised before the kill; the test needs the kill mid-batch", got)
	}
	editTickets(t, db, 1, 30)
	h.start("worker", "w0")
	h.start("worker", "w1")
	// Cut the connections of running workers, not of workers still starting
	// (a worker whose start fails exits, for its supervisor to restart it).
	waitUntil(t, h, "the restarted workers running", func() bool {
		return h.started("w0") > startsBefore["w0"] && h.started("w1") > startsBefore["w1"]
	})

	// Cut every connection of the database, then edit more threads: the
	// workers and the watcher must reconnect and carry on.
	waitUntil(t, h, "half summarised", func() bool { return summaries(t, db) >= n/2 })
	phase("cutting connections")
	var cutAt time.Time
	if err := db.QueryRow(ctx, `SELECT now()`).Scan(&cutAt); err != nil {
		t.Fatal(err)
	}
	cut := count(t, db, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) x`)
	if cut < 4 {
		t.Fatalf("terminated %d connections; want those of 3 workers and the watcher", cut)
	}
	editTickets(t, db, 31, 40)

	// The jobs the killed workers held run again once River's rescuer,
	// which runs every 30 s (not configurable), finds them stuck for
	// rescue_after: this wait is longer than the others.
	waitUntilWithin(t, h, "every ticket summarised for its latest thread", 90*time.Second, func() bool {
		return count(t, db, `SELECT count(*) FROM ticketsum.river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')`) == 0 &&
			count(t, db, currentForLatest) == n
	})
	phase("all summarised")
	h.checkAlive()

	if got := count(t, db, currentForLatest); got != n {
		t.Errorf("tickets whose current summary is for the team's latest thread = %d, want %d", got, n)
	}
	if got := count(t, db, `SELECT count(*) FROM (SELECT 1 FROM ticketsum.summaries GROUP BY ticket_id, content_hash, model, prompt_version HAVING count(*) > 1) x`); got != 0 {
		t.Errorf("%d (ticket, content hash, model, prompt version) keys have more than one summary", got)
	}
	if got := count(t, db, `SELECT count(*) FROM (SELECT ticket_id FROM ticketsum.summaries WHERE ticket_id::bigint > 40 GROUP BY ticket_id HAVING count(*) <> 1) x`); got != 0 {
		t.Errorf("%d unedited tickets have other than exactly one summary", got)
	}
	if got := count(t, db, `SELECT count(*) FROM (SELECT ticket_id FROM ticketsum.summaries WHERE ticket_id::bigint <= 40 GROUP BY ticket_id HAVING count(*) > 2) x`); got != 0 {
		t.Errorf("%d edited tickets have more than two summaries (one per thread version at most)", got)
	}
	if got := count(t, db, `SELECT count(*) FROM ticketsum.river_job WHERE state IN ('cancelled', 'discarded')`); got != 0 {
		t.Errorf("%d jobs cancelled or discarded", got)
	}
	after := count(t, db, fmt.Sprintf(`SELECT count(*) FROM ticketsum.summaries WHERE created_at > '%s'`, cutAt.UTC().Format(time.RFC3339Nano)))
	if after == 0 {
		t.Error("no summary was saved after the connections were cut: the workers did not recover")
	}
	t.Logf("%d tickets, %d summaries, %d connections cut, %d summaries after the cut", n, summaries(t, db), cut, after)
}

// currentForLatest counts the tickets whose current summary is for the
// thread ticketsum holds, when that thread has as many messages as the
// team's table: the latest one.
const currentForLatest = `SELECT count(*) FROM ticketsum.tickets t
	JOIN ticketsum.summaries s ON s.id = t.current_summary_id AND s.content_hash = t.content_hash
	WHERE json_array_length((t.doc::json)->'messages') =
	      (SELECT count(*) FROM public.messages m WHERE m.ticket_id = t.id::bigint)`

// scaleConfig is the config of every process: the team's tables, quick
// polling and debounce, and a short rescue of jobs lost with a killed worker.
func scaleConfig(dbURL string) string {
	return `db: "` + dbURL + `"
model: builtin
log_level: info
worker:
  concurrency: 4
  job_timeout: 5s
  rescue_after: 6s
source:
  tickets:
    table: public.tickets
    subject: subject
    product_line: product
  messages:
    table: public.messages
    id: id
    author: author
    roles: {requester: customer, staff: agent}
  poll_interval: 200ms
  debounce: 1s
`
}

// mustScaleDatabase creates a fresh database, dropped (with its
// connections) when the test ends, and returns its URL.
func mustScaleDatabase(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	name := "ts_scale_" + strings.ToLower(rand.Text())[:12]
	admin, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(context.Background(), `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close(context.Background())
		if _, err := admin.Exec(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// mustTeamTickets creates the team's tables and n tickets of four messages.
func mustTeamTickets(t *testing.T, db *pgxpool.Pool, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, `
CREATE TABLE public.tickets (id bigint PRIMARY KEY, subject text NOT NULL, product text NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX ON public.tickets (updated_at, id);
CREATE TABLE public.messages (id bigserial PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES public.tickets (id),
    role text NOT NULL, author text NOT NULL, created_at timestamptz NOT NULL, body text NOT NULL);
CREATE INDEX ON public.messages (ticket_id)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO public.tickets SELECT i, 'Order ' || i || ' arrived damaged', (ARRAY['billing','shipping','web','mobile','api'])[1 + i % 5],
    '2026-01-01'::timestamptz + i * interval '1 minute' FROM generate_series(1, $1::int) i`, n); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO public.messages (ticket_id, role, author, created_at, body)
SELECT i, CASE WHEN k % 2 = 0 THEN 'requester' ELSE 'staff' END, 'Person ' || k,
    '2026-01-01'::timestamptz + i * interval '1 minute' + k * interval '1 second',
    repeat(CASE k WHEN 0 THEN 'Hello, my order ' || i || ' arrived with a cracked screen and I would like a replacement as soon as possible. '
           WHEN 1 THEN 'Sorry to hear that. Could you send a photo of the damage and the order number so I can arrange a replacement? '
           WHEN 2 THEN 'Here is the photo. The order number is in the subject line. Thank you for the quick answer. '
           ELSE 'Thank you. I have shipped a replacement unit today and emailed you the tracking number. ' END, 16)
FROM generate_series(1, $1::int) i, generate_series(0, 3) k`, n); err != nil {
		t.Fatal(err)
	}
}

// editTickets adds a customer message to tickets from..to and bumps their
// updated_at, each in one transaction as a helpdesk would.
func editTickets(t *testing.T, db *pgxpool.Pool, from, to int) {
	t.Helper()
	for id := from; id <= to; id++ {
		err := pgx.BeginFunc(context.Background(), db, func(tx pgx.Tx) error {
			if _, err := tx.Exec(context.Background(), `INSERT INTO public.messages (ticket_id, role, author, created_at, body)
				VALUES ($1, 'requester', 'Person 0', clock_timestamp(), 'The replacement arrived and works. Please close the ticket.')`, id); err != nil {
				return err
			}
			_, err := tx.Exec(context.Background(), `UPDATE public.tickets SET updated_at = clock_timestamp() WHERE id = $1`, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, db *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	var err error
	for range 20 { // the test's own connections are cut too
		if err = db.QueryRow(context.Background(), sql).Scan(&n); err == nil {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: %v", sql, err)
	return 0
}

func summaries(t *testing.T, db *pgxpool.Pool) int {
	return count(t, db, `SELECT count(*) FROM ticketsum.summaries`)
}

// procs runs the binary's processes, each logging to a file.
type procs struct {
	t        *testing.T
	bin, cfg string
	dir      string
	running  map[string]*proc
}

type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	log    string
}

func (h *procs) command(args ...string) *exec.Cmd {
	cmd := exec.Command(h.bin, append(args, "--config", h.cfg)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TICKETSUM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Dir = h.dir
	return cmd
}

// start runs `ticketsum <cmd>` under name (default cmd).
func (h *procs) start(cmdName string, name ...string) {
	h.t.Helper()
	key := cmdName
	if len(name) > 0 {
		key = name[0]
	}
	logPath := filepath.Join(h.dir, key+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		h.t.Fatal(err)
	}
	cmd := h.command(cmdName)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{}), log: logPath}
	go func() { cmd.Wait(); f.Close(); close(p.exited) }()
	if h.running == nil {
		h.running = map[string]*proc{}
	}
	h.running[key] = p
}

// kill SIGKILLs a process and waits for it to die.
func (h *procs) kill(name string) {
	p := h.running[name]
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	delete(h.running, name)
}

// checkAlive fails the test for a process that exited on its own.
func (h *procs) checkAlive() {
	h.t.Helper()
	for name, p := range h.running {
		select {
		case <-p.exited:
			h.t.Errorf("%s exited: %s", name, h.tail(p))
		default:
		}
	}
}

// stopAll stops the processes with SIGTERM (SIGKILL after 10s).
func (h *procs) stopAll() {
	for name, p := range h.running {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			h.t.Errorf("%s did not stop on SIGTERM", name)
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

// started counts the times the process under name logged that its worker
// started (its log is appended to across restarts).
func (h *procs) started(name string) int {
	b, _ := os.ReadFile(filepath.Join(h.dir, name+".log"))
	return strings.Count(string(b), `msg="worker started"`)
}

func (h *procs) tail(p *proc) string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// waitUntil polls cond until it holds, failing with the processes' logs
// after 45 seconds.
func waitUntil(t *testing.T, h *procs, what string, cond func() bool) {
	t.Helper()
	waitUntilWithin(t, h, what, 45*time.Second, cond)
}

// waitUntilWithin is waitUntil failing after d.
func waitUntilWithin(t *testing.T, h *procs, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			for name, p := range h.running {
				t.Logf("%s log:\n%s", name, h.tail(p))
			}
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
