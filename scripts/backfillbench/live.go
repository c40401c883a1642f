package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// liveBase is added to the ids of live tickets, so that they never meet the
// backfilled ones (1..n).
const liveBase = 100_000_000

// liveProbe commits live tickets into the team's tables while a backfill
// runs and times each until its summary is in ticketsum's store: what a
// reviewer waits for a ticket that arrives during a backfill.
type liveProbe struct {
	pool  *pgxpool.Pool
	gen   *ticketGen
	n     int
	every time.Duration
	// poll is how often the store is read for the live summaries: the
	// resolution of the figures.
	poll time.Duration

	mu        sync.Mutex
	committed map[string]time.Time
	latency   map[string]time.Duration
	during    int // committed while backfill work was pending
	busy      func() bool
}

func newLiveProbe(pool *pgxpool.Pool, n, words int, every time.Duration, busy func() bool) *liveProbe {
	return &liveProbe{
		pool: pool, n: n, every: every, poll: 20 * time.Millisecond, busy: busy,
		gen:       &ticketGen{r: rand.New(rand.NewPCG(7, 14)), words: words},
		committed: map[string]time.Time{}, latency: map[string]time.Duration{},
	}
}

// run commits the live tickets, one every p.every, and follows their
// summaries until every one has one or ctx ends.
func (p *liveProbe) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- p.commitAll(ctx) }()
	tick := time.NewTicker(p.poll)
	defer tick.Stop()
	var commitErr error
	commitsDone := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case commitErr = <-errc:
			if commitErr != nil {
				return commitErr
			}
			commitsDone = true
		case <-tick.C:
		}
		if err := p.check(ctx); err != nil {
			return err
		}
		p.mu.Lock()
		left := len(p.committed) - len(p.latency)
		p.mu.Unlock()
		if commitsDone && left == 0 {
			return nil
		}
	}
}

// commitAll inserts the live tickets, each with its messages in one
// transaction, updated now.
func (p *liveProbe) commitAll(ctx context.Context) error {
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	for i := range p.n {
		t := p.gen.ticket(int64(liveBase+i+1), time.Now().Add(-time.Hour))
		err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO public.tickets (id, subject, product, requester_name, requester_email, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, now())`, t.id, t.subject, t.product, t.reqName, t.reqEmail, t.created); err != nil {
				return err
			}
			for _, m := range t.messages {
				if _, err := tx.Exec(ctx, `INSERT INTO public.ticket_messages (ticket_id, author_type, author_name, created_at, body)
					VALUES ($1, $2, $3, $4, $5)`, t.id, m.role, m.author, m.at, m.body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("commit live ticket: %w", err)
		}
		busy := p.busy()
		p.mu.Lock()
		p.committed[strconv.FormatInt(t.id, 10)] = time.Now()
		if busy {
			p.during++
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// check reads which waiting live tickets have a summary now.
func (p *liveProbe) check(ctx context.Context) error {
	p.mu.Lock()
	var waiting []string
	for id := range p.committed {
		if _, ok := p.latency[id]; !ok {
			waiting = append(waiting, id)
		}
	}
	p.mu.Unlock()
	if len(waiting) == 0 {
		return nil
	}
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT ticket_id FROM ticketsum.summaries WHERE ticket_id = ANY($1)`, waiting)
	if err != nil {
		return fmt.Errorf("read live summaries: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read live summaries: %w", err)
	}
	now := time.Now()
	p.mu.Lock()
	for _, id := range done {
		p.latency[id] = now.Sub(p.committed[id])
	}
	p.mu.Unlock()
	return nil
}

// stages prints where the live tickets' time went, each stage from the
// commit: copied by watch with its job queued (river_job.created_at), the
// job picked up by a worker (attempted_at) and the summary made
// (summaries.created_at). A live ticket that the backfill's pages reached
// first is in a batch job and left out.
func (p *liveProbe) stages(ctx context.Context) {
	p.mu.Lock()
	committed := make(map[string]time.Time, len(p.committed))
	for id, at := range p.committed {
		committed[id] = at
	}
	p.mu.Unlock()
	ids := make([]string, 0, len(committed))
	for id := range committed {
		ids = append(ids, id)
	}
	rows, err := p.pool.Query(ctx, `SELECT j.args->>'ticket_id', min(j.created_at), min(j.attempted_at), min(s.created_at)
		FROM ticketsum.river_job j JOIN ticketsum.summaries s ON s.ticket_id = j.args->>'ticket_id'
		WHERE j.args->>'ticket_id' = ANY($1) GROUP BY 1`, ids)
	if err != nil {
		fmt.Println("  live stages:", err)
		return
	}
	defer rows.Close()
	var copied, started, made []time.Duration
	for rows.Next() {
		var id string
		var queued, attempted, created time.Time
		if err := rows.Scan(&id, &queued, &attempted, &created); err != nil {
			fmt.Println("  live stages:", err)
			return
		}
		at := committed[id]
		copied, started, made = append(copied, queued.Sub(at)), append(started, attempted.Sub(at)), append(made, created.Sub(at))
	}
	for _, st := range []struct {
		name string
		ds   []time.Duration
	}{{"copied, queued", copied}, {"job started", started}, {"summary made", made}} {
		slices.Sort(st.ds)
		if len(st.ds) == 0 {
			continue
		}
		fmt.Printf("    %-16s p50 %v  p99 %v after the commit (%d tickets)\n", st.name,
			st.ds[len(st.ds)/2].Round(time.Millisecond), st.ds[min(len(st.ds)-1, len(st.ds)*99/100)].Round(time.Millisecond), len(st.ds))
	}
}

// report prints the latency percentiles.
func (p *liveProbe) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ls []time.Duration
	for _, l := range p.latency {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	if len(ls) == 0 {
		fmt.Println("  live: no live ticket summarised")
		return
	}
	q := func(f float64) time.Duration { return ls[min(len(ls)-1, int(f*float64(len(ls))))] }
	fmt.Printf("  live: %d tickets committed one every %v (%d while backfill work was pending), commit to summary in the store: p50 %v  p95 %v  p99 %v  max %v (read every %v)\n",
		len(p.committed), p.every, p.during, q(0.50).Round(time.Millisecond), q(0.95).Round(time.Millisecond), q(0.99).Round(time.Millisecond), ls[len(ls)-1].Round(time.Millisecond), p.poll)
}
