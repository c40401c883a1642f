// Command backfillbench measures `ticketsum backfill` end to end on
// Postgres: it generates distinct ~1,500-word tickets (6-20 messages) into
// the team-table layout of docs/postgres.md in a scratch database, runs the
// backfill with one process at default settings (optionally beside a
// separate `ticketsum worker`), and prints tickets per second, CPU ms per
// ticket for each process and for the Postgres backends serving them,
// round trips per ticket (counted by a TCP proxy in front of Postgres) and
// each process's peak RSS (VmHWM from its own /proc/<pid>/status).
//
// With -mode import it measures `ticketsum import` of the same tickets as
// JSON lines, then `ticketsum worker --until-idle`, on Postgres or SQLite
// (-store). With -live N it also commits N live tickets into the team's
// tables during the backfill, copied by `ticketsum watch` (woken by the
// install-trigger NOTIFY), and prints how long each took from its commit
// until its summary was in the store.
//
// Run it through scripts/bench-backfill.sh, which builds the binary.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "backfillbench:", err)
		os.Exit(1)
	}
}

type options struct {
	db, bin       string
	n, words      int
	worker, keep  bool
	timeout       time.Duration
	backfillFlags string
	config        string
	mode, store   string
	live          int
	liveEvery     time.Duration
}

func run() error {
	var o options
	flag.StringVar(&o.db, "db", envOr("TICKETSUM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "Postgres `URL` of a role that may create databases")
	flag.StringVar(&o.bin, "bin", "", "ticketsum binary (required)")
	flag.IntVar(&o.n, "n", 2000, "tickets to generate")
	flag.IntVar(&o.words, "words", 1420, "mean words per ticket (1420 gives a median of about 1,530)")
	flag.BoolVar(&o.worker, "worker", false, "also run a separate `ticketsum worker` (for versions whose backfill only copies)")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch database")
	flag.DurationVar(&o.timeout, "timeout", time.Hour, "give up after this long")
	flag.StringVar(&o.backfillFlags, "backfill-flags", "", "extra flags for ticketsum backfill, space-separated")
	flag.StringVar(&o.config, "config", "", "extra YAML appended to the generated config (worker settings)")
	flag.StringVar(&o.mode, "mode", "backfill", "what to measure: backfill (from the team tables), or import (`ticketsum import` of a JSON lines file, then `ticketsum worker --until-idle`)")
	flag.StringVar(&o.store, "store", "postgres", "store of -mode import: postgres or sqlite")
	flag.IntVar(&o.live, "live", 0, "also commit this many live tickets into the team's tables during the backfill, watched by `ticketsum watch` (with install-trigger), and print how long each took to have its summary")
	flag.DurationVar(&o.liveEvery, "live-every", 500*time.Millisecond, "interval between two live tickets of -live")
	flag.Parse()
	if o.bin == "" || o.n < 1 || (o.mode != "backfill" && o.mode != "import") {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	if o.mode == "import" {
		return measureImport(ctx, o)
	}
	dbURL, drop, err := scratchDatabase(ctx, o.db, o.keep)
	if err != nil {
		return err
	}
	defer drop()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	t0 := time.Now()
	mw, mb, err := seedTickets(ctx, conn, o.n, o.words, 1)
	conn.Close(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d tickets in %.1fs: median %d words, %.1f KB\n", o.n, time.Since(t0).Seconds(), mw, float64(mb)/1024)
	return measure(ctx, o, dbURL)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// scratchDatabase creates a fresh database and returns its URL and a
// function that drops it.
func scratchDatabase(ctx context.Context, base string, keep bool) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	name := "ts_bench_" + strings.ToLower(rand.Text())[:10]
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close(ctx)
		return "", nil, err
	}
	drop := func() {
		defer admin.Close(ctx)
		if keep {
			fmt.Println("kept database", name)
			return
		}
		if _, err := admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintln(os.Stderr, "drop database:", err)
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// proc is a measured ticketsum process.
type proc struct {
	name  string
	cmd   *exec.Cmd
	hwmKB int64
	done  chan error
	wall  time.Duration // from start to exit, when run one after another
}

func (p *proc) sample() {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			p.hwmKB = max(p.hwmKB, kb)
		}
	}
}

func (p *proc) cpu() time.Duration {
	if p.cmd.ProcessState == nil {
		return 0
	}
	ru := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(ctx context.Context, o options, dbURL string) error {
	u, _ := url.Parse(dbURL)
	px, err := newCountingProxy(u.Host)
	if err != nil {
		return err
	}
	defer px.close()
	pu := *u
	pu.Host = px.addr()
	dir, err := os.MkdirTemp("", "backfillbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "ticketsum.yaml")
	text := "db: \"" + pu.String() + "\"\nmodel: builtin\nlog_level: warn\n" + teamMapping + o.config
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return err
	}
	mon, err := pgxpool.New(ctx, dbURL+"&application_name=backfillbench")
	if err != nil {
		return err
	}
	defer mon.Close()
	pg := newBackendCPU(mon, u.Path[1:])
	var probe *liveProbe
	var probeDone chan error
	var backfillBusy atomic.Bool
	backfillBusy.Store(true)
	var procs []*proc
	if o.live > 0 {
		trig := exec.Command(o.bin, "install-trigger", "--config", cfg, "--data-dir", dir)
		if out, err := trig.CombinedOutput(); err != nil {
			return fmt.Errorf("install-trigger: %v\n%s", err, out)
		}
		w := &proc{name: "watch", cmd: exec.Command(o.bin, "watch", "--config", cfg, "--data-dir", dir)}
		if err := startProc(w); err != nil {
			return err
		}
		procs = append(procs, w)
		if err := waitFor(ctx, mon, `SELECT count(*) FROM ticketsum.source_cursors WHERE name LIKE '%/watch'`, 30*time.Second); err != nil {
			return fmt.Errorf("watch did not start: %v\n%s", err, w.cmd.Stderr.(*tailWriter).tail())
		}
		probe = newLiveProbe(mon, o.live, o.words, o.liveEvery, backfillBusy.Load)
	}
	args := append([]string{"backfill", "--since", "2000-01-01", "--config", cfg, "--data-dir", dir}, strings.Fields(o.backfillFlags)...)
	procs = append(procs, &proc{name: "backfill", cmd: exec.Command(o.bin, args...)})
	if o.worker {
		procs = append(procs, &proc{name: "worker", cmd: exec.Command(o.bin, "worker", "--config", cfg, "--data-dir", dir)})
	}
	start := time.Now()
	for _, p := range procs {
		if p.done == nil {
			if err := startProc(p); err != nil {
				return err
			}
		}
	}
	if probe != nil {
		// The live tickets come once the backfill is summarising.
		if err := waitFor(ctx, mon, `SELECT count(*) FROM ticketsum.summaries`, o.timeout); err != nil {
			return err
		}
		probeDone = make(chan error, 1)
		go func() { probeDone <- probe.run(ctx) }()
	}
	settled := func() (int, int) {
		var s, f int
		_ = mon.QueryRow(ctx, `SELECT (SELECT count(DISTINCT ticket_id) FROM ticketsum.summaries WHERE ticket_id::bigint < $1),
			(SELECT count(*) FROM ticketsum.ticket_failures WHERE ticket_id::bigint < $1)`, liveBase).Scan(&s, &f)
		return s, f
	}
	var took time.Duration
	var sum, failed int
	// target is every ticket until the backfill has exited, then those it
	// copied (a thread that cannot be a ticket is logged and skipped).
	target := o.n
	exited := map[string]bool{}
	for tick := time.NewTicker(100 * time.Millisecond); ; <-tick.C {
		for _, p := range procs {
			if !exited[p.name] {
				p.sample()
			}
		}
		pg.sample(ctx)
		if took == 0 {
			if sum, failed = settled(); sum+failed >= target {
				took = time.Since(start)
				backfillBusy.Store(false)
			}
		}
		for _, p := range procs {
			select {
			case err := <-p.done:
				exited[p.name] = true
				if err != nil && took == 0 {
					return fmt.Errorf("%s exited: %v\n%s", p.name, err, p.cmd.Stderr.(*tailWriter).tail())
				}
				if p.name == "backfill" {
					_ = mon.QueryRow(ctx, `SELECT count(*) FROM ticketsum.tickets WHERE id::bigint < $1`, liveBase).Scan(&target)
					if took == 0 {
						if sum, failed = settled(); sum+failed >= target {
							took = time.Since(start)
							backfillBusy.Store(false)
						}
					}
				}
			default:
			}
		}
		if took > 0 {
			break
		}
		if time.Since(start) > o.timeout {
			for _, p := range procs {
				p.cmd.Process.Kill()
			}
			return fmt.Errorf("not settled after %v: %d summaries, %d failed", o.timeout, sum, failed)
		}
	}
	if probe != nil {
		select {
		case err := <-probeDone:
			if err != nil {
				return err
			}
		case <-time.After(time.Minute):
			fmt.Println("  live: not every live ticket was summarised within a minute of the backfill's end")
		}
	}
	// Everything is summarised: stop what still runs and collect its usage.
	for _, p := range procs {
		if !exited[p.name] {
			p.sample()
			p.cmd.Process.Signal(syscall.SIGTERM)
			<-p.done
		}
	}
	pg.sample(ctx)
	report(o, took, sum, failed, o.n-target, procs, pg, px)
	if probe != nil {
		probe.report()
		probe.stages(ctx)
	}
	return lost(o.n - target)
}

// startProc starts p, keeping the tail of its stderr, with p.done receiving
// its exit.
func startProc(p *proc) error {
	p.cmd.Stderr = &tailWriter{}
	if err := p.cmd.Start(); err != nil {
		return err
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	return nil
}

// waitFor polls the count query q every 50 ms until it is above 0.
func waitFor(ctx context.Context, mon *pgxpool.Pool, q string, timeout time.Duration) error {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		var n int
		if err := mon.QueryRow(ctx, q).Scan(&n); err == nil && n > 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing after %v: %s", timeout, q)
}

// lost is an error when some of the generated tickets, every one a valid
// thread, were never copied: a bug, not a figure (a changes query once
// passed over tickets sharing an updated_at, and this bench printed them as
// "skipped").
func lost(n int) error {
	if n > 0 {
		return fmt.Errorf("%d generated tickets were never copied", n)
	}
	return nil
}

func report(o options, took time.Duration, sum, failed, skipped int, procs []*proc, pg *backendCPU, px *countingProxy) {
	n := float64(o.n)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("settled %d tickets (%d summarised, %d failed, %d never copied) in %.1fs: %.1f tickets/s end to end\n", o.n, sum, failed, skipped, took.Seconds(), n/took.Seconds())
	var total time.Duration
	for _, p := range procs {
		total += p.cpu()
		fmt.Printf("  %-9s CPU %6.2f ms/ticket  peak RSS (VmHWM) %5.1f MB", p.name, float64(p.cpu().Microseconds())/1000/n, float64(p.hwmKB)/1024)
		if p.wall > 0 {
			fmt.Printf("  ran %.1fs (%.0f tickets/s)", p.wall.Seconds(), n/p.wall.Seconds())
		}
		fmt.Println()
	}
	if pg != nil {
		total += pg.total()
		fmt.Printf("  %-9s CPU %6.2f ms/ticket  (%d backends)\n", "postgres", float64(pg.total().Microseconds())/1000/n, len(pg.ticks))
	}
	fmt.Printf("  all       CPU %6.2f ms/ticket\n", float64(total.Microseconds())/1000/n)
	if px != nil {
		fmt.Printf("  round trips %.2f/ticket (%d over %d connections)\n", float64(px.trips.Load())/n, px.trips.Load(), px.conns.Load())
	}
	fmt.Printf("  load average at the end: %s", load)
}

// backendCPU follows the CPU time of the Postgres backends serving one
// database (except the bench's own connections) through /proc/<pid>/stat.
type backendCPU struct {
	mon   *pgxpool.Pool
	db    string
	ticks map[int]int64 // latest utime+stime seen per backend
}

func newBackendCPU(mon *pgxpool.Pool, db string) *backendCPU {
	return &backendCPU{mon: mon, db: db, ticks: map[int]int64{}}
}

func (b *backendCPU) sample(ctx context.Context) {
	rows, err := b.mon.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'backfillbench'`, b.db)
	if err != nil {
		return
	}
	pids, _ := pgx.CollectRows(rows, pgx.RowTo[int32])
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		b.ticks[int(pid)] = max(b.ticks[int(pid)], ut+st)
	}
}

// total is the CPU time seen, at USER_HZ = 100.
func (b *backendCPU) total() time.Duration {
	var t int64
	for _, v := range b.ticks {
		t += v
	}
	return time.Duration(t) * 10 * time.Millisecond
}

// tailWriter keeps the last 4 KB written, for error reports.
type tailWriter struct{ b []byte }

func (w *tailWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	if len(w.b) > 4096 {
		w.b = w.b[len(w.b)-4096:]
	}
	return len(p), nil
}

func (w *tailWriter) tail() string { return string(w.b) }
