package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the SQLite store's driver, to count what the worker settled

	"github.com/ticketsum/ticketsum"
)

// writeTicketFile writes n generated tickets (the same ones seedTickets
// writes into the team tables) as JSON lines for `ticketsum import`, and
// returns the median words and bytes per ticket.
func writeTicketFile(path string, n, words int, seed uint64) (medianWords, medianBytes int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	g := &ticketGen{r: rand.New(rand.NewPCG(seed, 14)), words: words}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	roles := map[string]ticketsum.Role{"end_user": ticketsum.RoleCustomer, "staff": ticketsum.RoleAgent, "note": ticketsum.RoleInternal}
	var ws, bs []int
	for id := 1; id <= n; id++ {
		gt := g.ticket(int64(id), base)
		ws, bs = append(ws, gt.wordsCount), append(bs, gt.bytesCount)
		t := ticketsum.Ticket{
			ID: fmt.Sprint(gt.id), Subject: gt.subject, ProductLine: gt.product,
			Customer:  ticketsum.Customer{Name: gt.reqName, Email: gt.reqEmail},
			CreatedAt: gt.created, UpdatedAt: gt.updated,
		}
		for _, m := range gt.messages {
			t.Messages = append(t.Messages, ticketsum.Message{Role: roles[m.role], Author: m.author, At: m.at, Body: m.body})
		}
		if err := enc.Encode(&t); err != nil {
			return 0, 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	return median(ws), median(bs), f.Close()
}

// measureImport runs `ticketsum import FILE` and then `ticketsum worker
// --until-idle` on o.store, one after the other, and reports them as
// measure does for a backfill.
func measureImport(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "backfillbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "tickets.jsonl")
	t0 := time.Now()
	mw, mb, err := writeTicketFile(file, o.n, o.words, 1)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d tickets in %.1fs: median %d words, %.1f KB (%s)\n", o.n, time.Since(t0).Seconds(), mw, float64(mb)/1024, o.store)

	var (
		db  string
		pg  *backendCPU
		px  *countingProxy
		mon *pgxpool.Pool
	)
	switch o.store {
	case "sqlite":
		db = filepath.Join(dir, "ticketsum.db")
	case "postgres":
		dbURL, drop, err := scratchDatabase(ctx, o.db, o.keep)
		if err != nil {
			return err
		}
		defer drop()
		u, _ := url.Parse(dbURL)
		if px, err = newCountingProxy(u.Host); err != nil {
			return err
		}
		defer px.close()
		pu := *u
		pu.Host = px.addr()
		db = pu.String()
		if mon, err = pgxpool.New(ctx, dbURL+"&application_name=backfillbench"); err != nil {
			return err
		}
		defer mon.Close()
		pg = newBackendCPU(mon, u.Path[1:])
	default:
		return fmt.Errorf("-store %q: want postgres or sqlite", o.store)
	}
	cfg := filepath.Join(dir, "ticketsum.yaml")
	if err := os.WriteFile(cfg, []byte("db: \""+db+"\"\nmodel: builtin\nlog_level: warn\n"+o.config), 0o600); err != nil {
		return err
	}
	common := []string{"--config", cfg, "--data-dir", dir}
	start := time.Now()
	var procs []*proc
	for _, args := range [][]string{{"import", file}, {"worker", "--until-idle"}} {
		p := &proc{name: args[0], cmd: exec.Command(o.bin, append(args, common...)...)}
		procs = append(procs, p)
		if err := runToEnd(ctx, p, pg, start, o.timeout); err != nil {
			return err
		}
	}
	took := time.Since(start)
	if pg != nil {
		pg.sample(ctx)
	}
	sum, failed, err := settledCounts(ctx, o.store, db, mon)
	if err != nil {
		return err
	}
	report(o, took, sum, failed, o.n-sum-failed, procs, pg, px)
	return lost(o.n - sum - failed)
}

// runToEnd starts p and waits for it to exit 0, sampling its VmHWM and the
// Postgres backends (pg may be nil) every 100 ms.
func runToEnd(ctx context.Context, p *proc, pg *backendCPU, start time.Time, timeout time.Duration) error {
	p.cmd.Stderr = &tailWriter{}
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		return err
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-p.done:
			p.wall = time.Since(began)
			if err != nil {
				return fmt.Errorf("%s exited: %v\n%s", p.name, err, p.cmd.Stderr.(*tailWriter).tail())
			}
			return nil
		case <-tick.C:
			p.sample()
			if pg != nil {
				pg.sample(ctx)
			}
			if time.Since(start) > timeout {
				p.cmd.Process.Signal(syscall.SIGKILL)
				<-p.done
				return fmt.Errorf("%s still running after %v", p.name, timeout)
			}
		}
	}
}

// settledCounts returns how many tickets have a summary and how many a
// failure in the store.
func settledCounts(ctx context.Context, store, db string, mon *pgxpool.Pool) (sum, failed int, err error) {
	const q = `SELECT (SELECT count(DISTINCT ticket_id) FROM %ssummaries), (SELECT count(*) FROM %sticket_failures)`
	if store == "postgres" {
		err = mon.QueryRow(ctx, fmt.Sprintf(q, "ticketsum.", "ticketsum.")).Scan(&sum, &failed)
		return sum, failed, err
	}
	sdb, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer sdb.Close()
	err = sdb.QueryRowContext(ctx, fmt.Sprintf(q, "", "")).Scan(&sum, &failed)
	return sum, failed, err
}
