package cli

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

var backfillN = flag.Int("backfill.n", 1000, "tickets in BenchmarkBackfill (docs/performance.md used 10000)")

// BenchmarkBackfill measures the production path with real processes and
// the built-in model on synthetic tickets of about 1,500 words: on
// Postgres, `ticketsum backfill --summarize=false` from a team-style table
// then one `ticketsum worker` draining the queue (scripts/bench-backfill.sh
// measures the one-process default); on SQLite, `ticketsum import` of
// the same tickets as JSON lines then the worker. It reports tickets per
// second for the copy, the drain and end to end, and each process's peak
// RSS. Run it once: go test -bench Backfill -benchtime 1x -run '^$'
// ./cmd/ticketsum/ -backfill.n 10000
func BenchmarkBackfill(b *testing.B) {
	base := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if base == "" {
		b.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ticketsum")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ticketsum").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	n := *backfillN
	b.Run("postgres", func(b *testing.B) {
		for range b.N {
			benchPostgres(b, bin, base, n)
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		for range b.N {
			benchSQLite(b, bin, base, n)
		}
	})
}

func benchPostgres(b *testing.B, bin, base string, n int) {
	b.StopTimer()
	ctx := context.Background()
	dbURL := mustScaleDatabase(b, base)
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	mustLongTickets(b, db, n)
	dir := b.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	os.WriteFile(cfg, []byte(`db: "`+dbURL+`"
model: builtin
log_level: warn
worker:
  concurrency: 4
source:
  tickets: {table: public.tickets, subject: subject, product_line: product}
  messages: {table: public.messages, id: id, author: author}
`), 0o644)
	b.StartTimer()
	start := time.Now()
	copyRSS := runMeasured(b, exec.Command(bin, "backfill", "--since", "2000-01-01", "--summarize=false", "--config", cfg))
	copied := time.Since(start)
	drainRSS, drain := drainWorker(b, exec.Command(bin, "worker", "--config", cfg), func() int {
		var c int
		db.QueryRow(ctx, `SELECT count(*) FROM ticketsum.summaries`).Scan(&c)
		return c
	}, n)
	b.StopTimer()
	reportBackfill(b, n, copied, drain, copyRSS, drainRSS)
}

func benchSQLite(b *testing.B, bin, base string, n int) {
	b.StopTimer()
	ctx := context.Background()
	dbURL := mustScaleDatabase(b, base)
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	mustLongTickets(b, db, n)
	dir := b.TempDir()
	file := filepath.Join(dir, "tickets.jsonl")
	mustExportJSONL(b, db, file)
	dbPath := filepath.Join(dir, "ticketsum.db")
	b.StartTimer()
	start := time.Now()
	copyRSS := runMeasured(b, exec.Command(bin, "import", "--data-dir", dir, "--log-level", "warn", file))
	copied := time.Since(start)
	lite, err := sql.Open("sqlite", dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	drainRSS, drain := drainWorker(b, exec.Command(bin, "worker", "--data-dir", dir, "--log-level", "warn"), func() int {
		var c int
		lite.QueryRow(`SELECT count(*) FROM summaries`).Scan(&c)
		return c
	}, n)
	b.StopTimer()
	reportBackfill(b, n, copied, drain, copyRSS, drainRSS)
}

func reportBackfill(b *testing.B, n int, copied, drain time.Duration, copyRSS, drainRSS int64) {
	b.ReportMetric(float64(n)/copied.Seconds(), "copy_tickets/s")
	b.ReportMetric(float64(n)/drain.Seconds(), "drain_tickets/s")
	b.ReportMetric(float64(n)/(copied+drain).Seconds(), "tickets/s")
	b.ReportMetric(float64(copyRSS)/1024, "copy_peak_RSS_MB")
	b.ReportMetric(float64(drainRSS)/1024, "worker_peak_RSS_MB")
}

// runMeasured runs cmd to completion and returns its peak RSS in KiB.
func runMeasured(b *testing.B, cmd *exec.Cmd) int64 {
	b.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

// drainWorker starts the worker, waits until done() reaches n, stops it
// and returns its peak RSS in KiB and the time taken.
func drainWorker(b *testing.B, cmd *exec.Cmd, done func() int, n int) (int64, time.Duration) {
	b.Helper()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	for done() < n {
		if time.Since(start) > time.Hour {
			cmd.Process.Kill()
			b.Fatalf("worker did not drain %d tickets in an hour", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss, took
}

// mustLongTickets creates the team's tables with n tickets of five
// messages of about 300 words each (about 1,500 words a ticket), from
// varied sentences.
func mustLongTickets(tb testing.TB, db *pgxpool.Pool, n int) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, `
CREATE TABLE public.tickets (id bigint PRIMARY KEY, subject text NOT NULL, product text NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX ON public.tickets (updated_at, id);
CREATE TABLE public.messages (id bigserial PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES public.tickets (id),
    role text NOT NULL, author text NOT NULL, created_at timestamptz NOT NULL, body text NOT NULL);
CREATE INDEX ON public.messages (ticket_id);
CREATE TABLE public.sentences (k int PRIMARY KEY, s text NOT NULL);
INSERT INTO public.sentences VALUES
 (0, 'I ordered the premium plan last week and the invoice shows a charge that is higher than the price on the website.'),
 (1, 'When I open the mobile app on my phone it freezes on the loading screen and nothing else happens after that.'),
 (2, 'I have already tried to reinstall the application twice and restarted the device but the problem is still there.'),
 (3, 'Could you please check my account and tell me why the payment was taken twice from my credit card this month?'),
 (4, 'Thank you for reaching out to us and I am sorry for the trouble you have had with the service so far.'),
 (5, 'I have looked at your account and I can see the duplicate charge, so I have started a refund to your card.'),
 (6, 'The refund usually takes three to five business days to appear on your statement depending on your bank.'),
 (7, 'Our engineering team is aware of an issue with the latest release and a fix is planned for the next update.'),
 (8, 'In the meantime you can use the web version of the dashboard, which is not affected by this problem at all.'),
 (9, 'Please let me know if there is anything else I can help you with regarding your subscription or your orders.'),
 (10, 'The delivery was supposed to arrive on Monday but the tracking page still says that the parcel is in transit.'),
 (11, 'I contacted the courier as well and they told me to ask the seller, so I am writing to you about it now.'),
 (12, 'I can confirm that the parcel was handed to the courier on Friday and I have opened an investigation with them.'),
 (13, 'If the parcel does not arrive by Thursday we will send a replacement free of charge or refund the full amount.'),
 (14, 'The export to CSV stops at ten thousand rows and the rest of the report is missing from the downloaded file.'),
 (15, 'This is a known limit of the export feature and you can use the API with pagination to get every row instead.'),
 (16, 'I followed the steps in the help article but the integration still shows an authentication error every time.'),
 (17, 'It looks like the API key was rotated last month, so please generate a new key in the settings and try again.'),
 (18, 'That worked, the integration is syncing again and the numbers in the report now match what we expected to see.'),
 (19, 'Great to hear that everything is working now, I will close this ticket but you can reply at any time to reopen it.')`); err != nil {
		tb.Fatal(err)
	}
	// In slices of 1,000 tickets so that no statement holds too much.
	for lo := 1; lo <= n; lo += 1000 {
		hi := min(lo+999, n)
		if _, err := db.Exec(ctx, `INSERT INTO public.tickets SELECT i, 'Ticket ' || i || ': billing and delivery questions',
			(ARRAY['billing','shipping','web','mobile','api'])[1 + i % 5], '2026-01-01'::timestamptz + i * interval '1 second'
			FROM generate_series($1::int, $2::int) i`, lo, hi); err != nil {
			tb.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO public.messages (ticket_id, role, author, created_at, body)
			SELECT i, CASE WHEN k % 2 = 0 THEN 'customer' ELSE 'agent' END, 'Person ' || (k % 2),
			    '2026-01-01'::timestamptz + i * interval '1 second' + k * interval '1 millisecond',
			    (SELECT string_agg(s.s, ' ' ORDER BY j) FROM generate_series(1, 14) j
			       JOIN public.sentences s ON s.k = (i * 7 + k * 11 + j * 3) % 20)
			FROM generate_series($1::int, $2::int) i, generate_series(0, 4) k`, lo, hi); err != nil {
			tb.Fatal(err)
		}
	}
}

// mustExportJSONL writes the team's tickets as ticketsum JSON lines.
func mustExportJSONL(tb testing.TB, db *pgxpool.Pool, path string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	rows, err := db.Query(context.Background(), `SELECT json_build_object('id', t.id::text, 'subject', t.subject, 'product_line', t.product,
		'updated_at', t.updated_at, 'messages',
		(SELECT json_agg(json_build_object('role', m.role, 'author', m.author, 'at', m.created_at, 'body', m.body) ORDER BY m.id)
		 FROM public.messages m WHERE m.ticket_id = t.id))::text FROM public.tickets t ORDER BY t.id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		w.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}
